"""The Streamlit application: one function per page, chosen by the signed-in user's role.

``app.py`` only calls :func:`pages` and runs ``st.navigation``. Pages call library functions and
lay out their results (see :mod:`symbiose.ui.common` for the engine, sessions and caches).

Roles: an officer sees every page; a company sees its Partners page and the local resources
catalogue; a planner sees the Overview, Scenarios and the catalogue; a researcher (a visitor)
sees the catalogue and nothing else. When the database never had an account the app runs in
open demo mode (every page).
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from symbiose.domain import Role
from symbiose.errors import SymbioseError
from symbiose.i18n import _


def pages() -> list:
    """The pages the current visitor may see (the first one is the default)."""
    from symbiose.ui import (
        catalogue,
        common,
        companies,
        login,
        notices,
        overview,
        partners,
        pipeline,
        scenarios,
    )

    try:
        common.engine()  # create/migrate the database and load the demo when it is empty
    except (SymbioseError, SQLAlchemyError) as exc:
        st.error(f"The database {common.display_url()} cannot be opened: {exc}. Check "
                 "SYMBIOSE_DATABASE_URL (or the folder of symbiose.db) and restart.")  # fmt: skip
        st.stop()
    everything = {
        "overview": st.Page(overview.page, title="Overview", icon=":material/map:", url_path="overview"),
        "companies": st.Page(companies.page, title="Companies & flows", icon=":material/factory:",
                             url_path="companies"),
        "partners": st.Page(partners.page, title="Partners", icon=":material/handshake:", url_path="partners"),
        "pipeline": st.Page(pipeline.page, title="Pipeline", icon=":material/timeline:", url_path="pipeline"),
        "scenarios": st.Page(scenarios.page, title="Scenarios", icon=":material/compare_arrows:",
                             url_path="scenarios"),
        "login": st.Page(login.page, title="Sign in", icon=":material/login:", url_path="login"),
        "notices": st.Page(notices.page, title=_("Notifications"), icon=":material/notifications:",
                           url_path="notifications"),
        "catalogue": st.Page(catalogue.page, title=_("Local resources"), icon=":material/science:",
                             url_path="catalogue"),
        "requests": st.Page(catalogue.requests_page, title=_("Sample requests"),
                            icon=":material/inbox:", url_path="sample-requests"),
    }  # fmt: skip
    user = common.current_user()
    if common.open_mode():
        names = ["overview", "companies", "partners", "pipeline", "scenarios", "catalogue",
                 "requests", "notices", "login"]  # fmt: skip
    elif user is None:
        names = ["login"]
    else:
        names = {
            Role.OFFICER: ["overview", "companies", "partners", "pipeline", "scenarios",
                           "catalogue", "requests", "notices"],
            Role.COMPANY: ["partners", "catalogue", "notices"],
            Role.PLANNER: ["overview", "scenarios", "catalogue"],
            Role.RESEARCHER: ["catalogue"],
        }[user.role] + ["login"]
    return [everything[name] for name in names]


def sidebar() -> None:
    """Who is signed in, or the open-demo notice."""
    from symbiose.ui import common

    user = common.current_user()
    if user is not None:
        st.sidebar.caption(f"Signed in as **{user.username}** ({user.role})")
    elif common.open_mode():
        st.sidebar.info("Open demo mode: no account exists, every page is visible.")
    from symbiose.ui import notices

    notices.badge()
