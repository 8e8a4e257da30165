"""Login against the users table (scrypt hashes); open demo mode when no account exists."""

from __future__ import annotations

import streamlit as st

from symbiose import db
from symbiose.ui import common


def page() -> None:
    st.title("Sign in")
    user = common.current_user()
    if user is not None:
        st.success(f"Signed in as {user.username} ({user.role}).")
        if st.button("Sign out", key="logout"):
            common.sign_out()
            st.rerun()
        return
    if common.open_mode():
        st.info("Open demo mode: no account exists yet, so every page is visible. Create accounts "
                "with `symbiose user-add` to restrict pages by role (officer, company, planner).")
    with st.form("login_form"):
        username = st.text_input("User name", key="login_username")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        with common.session() as s:
            found = db.authenticate(s, username, password)
        if found is None:
            st.error("Unknown user name or wrong password.")
        else:
            common.sign_in(found)
            st.rerun()
