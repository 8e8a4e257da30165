"""The Streamlit application: one function per page, chosen by the signed-in user's role.

``app.py`` only calls :func:`pages` and runs ``st.navigation``. Pages call library functions and
lay out their results (see :mod:`symbiose.ui.common` for the engine, sessions and caches).

Roles: an officer sees every page; a company sees its Partners page and the local resources
catalogue; a planner sees the Overview, Scenarios and the catalogue; a researcher (a visitor)
sees the catalogue and nothing else. When the database never had an account the app runs in
open demo mode (every page).
"""

from __future__ import annotations

import os

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from symbiose import i18n
from symbiose.domain import Role
from symbiose.errors import SymbioseError
from symbiose.i18n import _

LANGUAGE_KEY = "symbiose_language"


def pages() -> list:
    """The pages the current visitor may see: a hidden default page at "/" that opens the first
    visible one, then the visible pages, each at its own address (/overview, /pipeline...)."""
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
        st.error(_("The database {url} cannot be opened: {error}. Check SYMBIOSE_DATABASE_URL (or "
                   "the folder of symbiose.db) and restart.").format(url=common.display_url(), error=exc))
        st.stop()
    user = common.current_user()
    everything = {
        "overview": st.Page(overview.page, title=_("Overview"), icon=":material/map:", url_path="overview"),
        "companies": st.Page(companies.page, title=_("Companies & flows"), icon=":material/factory:",
                             url_path="companies"),
        "partners": st.Page(partners.page, title=_("Partners"), icon=":material/handshake:", url_path="partners"),
        "pipeline": st.Page(pipeline.page, title=_("Pipeline"), icon=":material/timeline:", url_path="pipeline"),
        "scenarios": st.Page(scenarios.page, title=_("Scenarios"), icon=":material/compare_arrows:",
                             url_path="scenarios"),
        # signed in, the same page shows who is signed in and signs out: « Mon compte »
        "login": st.Page(login.page, title=login.title(), icon=":material/login:" if user is None else
                         ":material/account_circle:", url_path="login"),
        "notices": st.Page(notices.page, title=_("Notifications"), icon=":material/notifications:",
                           url_path="notifications"),
        "catalogue": st.Page(catalogue.page, title=_("Local resources"), icon=":material/science:",
                             url_path="catalogue"),
        "requests": st.Page(catalogue.requests_page, title=_("Sample requests"),
                            icon=":material/inbox:", url_path="sample-requests"),
    }  # fmt: skip
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
    visible = [everything[name] for name in names]
    return [home_page(visible[0]), *visible]


def home_page(landing) -> st.Page:
    """The address "/": a hidden page that opens the visitor's first page.

    Streamlit serves its default page at "/" only, so a visible default page would answer
    "Page not found" at its own address (/overview); with this hidden default, every visible page
    keeps its address for links and bookmarks.
    """

    def home() -> None:
        st.switch_page(landing)

    return st.Page(home, title=landing.title, url_path="home", default=True, visibility="hidden")


def apply_language() -> str:
    """Set the language of this run: the sidebar switch, else ``?lang=``, else SYMBIOSE_LANGUAGE.

    Called at the top of every run of ``app.py``, before any page is built.
    """
    chosen = st.session_state.get(LANGUAGE_KEY)
    if not chosen:  # first run, or a click on the chosen language, which unselects it
        chosen = st.session_state.get(LANGUAGE_KEY + "_last") or st.query_params.get("lang")
        chosen = chosen or os.environ.get("SYMBIOSE_LANGUAGE")
        st.session_state[LANGUAGE_KEY] = i18n.set_language(chosen)
    st.session_state[LANGUAGE_KEY + "_last"] = chosen
    return i18n.set_language(chosen)


def widget_texts() -> None:
    """Streamlit's own texts in French on a French page: its file uploader's « Upload » and
    « 200MB per file », the « Press Enter to apply » under a field and the « Stop » shown while
    a page runs have no setting (its
    issue #13500 asks for one). The English text is hidden (``display: none``, so neither the
    page nor a screen reader gives it) and the French one drawn in its place; in English
    nothing changes."""
    if i18n.get_language() == "en":
        return
    megabytes = st.get_option("server.maxUploadSize")
    limit = _("{size} MB per file").format(size=i18n.fmt_number(megabytes))
    st.html(
        "<style>"
        '[data-testid="InputInstructions"] { display: none; }'
        '[data-testid="stFileUploaderDropzone"] [data-testid="stMarkdownContainer"] p { display: none; }'
        '[data-testid="stFileUploaderDropzone"] [data-testid="stMarkdownContainer"]::after '
        f"{{ content: {_css_text(_('Browse files'))}; }}"
        '[data-testid="stStatusWidget"] [data-testid="stBaseButton-header"] { font-size: 0; }'
        '[data-testid="stStatusWidget"] [data-testid="stBaseButton-header"]::after '
        f"{{ content: {_css_text(_('Stop'))}; font-size: 0.875rem; }}"
        '[data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }'
        '[data-testid="stFileUploaderDropzoneInstructions"] > div::after '
        f"{{ content: {_css_text(limit)}; font-size: 0.875rem; }}"
        "</style>"
    )  # fmt: skip


def _css_text(text: str) -> str:
    """A CSS string: quotes and backslashes escaped, so a translation cannot end the rule."""
    return '"' + "".join(c if c.isalnum() or c in " ,.;:'-" else f"\\{ord(c):x} " for c in text) + '"'


def sidebar() -> None:
    """The language switch, then who is signed in, or the open-demo notice."""
    from symbiose.labels import role_label
    from symbiose.ui import common

    st.sidebar.segmented_control(
        "Langue / Language", list(i18n.LANGUAGES), format_func=i18n.LANGUAGE_NAMES.__getitem__,
        key=LANGUAGE_KEY, label_visibility="collapsed",
    )  # fmt: skip
    common.sync_cookie()
    user = common.current_user()
    if user is not None:
        st.sidebar.caption(_("Signed in as **{user}** ({role})").format(
            user=user.username, role=role_label(user.role)))
    elif common.open_mode():
        st.sidebar.info(_("Open demo mode: no account exists, every page is visible."))
    from symbiose.ui import notices

    notices.badge()
