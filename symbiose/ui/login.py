"""Sign in against the users table (see :mod:`symbiose.db.accounts`: same work for unknown
names, lockout after repeated failures); open demo mode only when no account ever existed."""

from __future__ import annotations

import streamlit as st

from symbiose import db
from symbiose.i18n import _
from symbiose.ui import common


def role_name(role: str) -> str:
    return {
        "officer": _("officer"),
        "company": _("company"),
        "planner": _("planner"),
        "researcher": _("researcher"),
    }.get(str(role), str(role))


def title() -> str:
    """The page's name: « Connexion » to sign in, « Mon compte » once signed in (to sign out)."""
    return _("Sign in") if common.current_user() is None else _("My account")


def page() -> None:
    st.title(title())
    if st.session_state.pop("login_flash", None) == "signed_out":
        st.warning(_("Your session ended: your account was deleted or its role or password "
                     "changed. Sign in again."))  # fmt: skip
    user = common.current_user()
    if user is not None:
        st.success(
            _("Signed in as {name} ({role}).").format(name=user.username, role=role_name(user.role))
        )
        if st.button(_("Sign out"), key="logout"):
            common.sign_out()
            st.rerun()
        return
    if common.open_mode():
        st.info(_("Open demo mode: no account exists yet, so every page is visible. Create "
                  "accounts with `symbiose user-add` to restrict pages by role (officer, company, "
                  "planner, researcher)."))  # fmt: skip
    with st.form("login_form"):
        username = st.text_input(_("User name"), key="login_username")
        password = st.text_input(_("Password"), type="password", key="login_password")
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if submitted:
        try:
            with common.transaction() as s:  # a failure is stored (lockout across processes)
                found = db.authenticate(s, username, password)
        except db.AccountLockedError as exc:
            st.error(str(exc))
            return
        if found is None:
            st.error(_("Unknown user name or wrong password."))
        else:
            common.sign_in(found)
            st.rerun()
