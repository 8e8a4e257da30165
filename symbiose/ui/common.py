"""What every page shares: the engine, sessions, cached network and results, the user, errors.

* The engine is created once per database URL (``st.cache_resource``); on first use the schema is
  created or migrated and, when no company is stored, the demo network is loaded.
* One session per user action: :func:`session` for reads, :func:`transaction` for writes.
* Cached values are domain values (:class:`~symbiose.domain.Network`) and match results, keyed on
  the database URL and a *data version* (latest audit-log id and table sizes): every write of the
  db layer adds an audit row, so a write invalidates the cache without any bookkeeping.
* :func:`shows_errors` turns a :class:`~symbiose.errors.SymbioseError` into ``st.error``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from symbiose import db
from symbiose.domain import Network, Role
from symbiose.errors import InfeasibleError, SymbioseError, ValidationError
from symbiose.i18n import _, ngettext
from symbiose.matching import MatchResult, run_match
from symbiose.params import MatchParameters

USER_KEY = "symbiose_user"
TOKEN_KEY = "symbiose_token"
TOKEN_PARAM = "session"
COOKIE = "symbiose_session"  # the same token, for tabs opened from a link (no query string)
_COOKIE_STATE = "symbiose_cookie"  # what this session last told the browser: a token, or "" to clear


# --------------------------------------------------------------------------------------------
# engine and sessions


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    engine = db.ensure_database(url)
    with db.session_factory(engine)() as s, s.begin():
        if db.is_empty(s):
            db.load_demo(s, actor="app")
    return engine


def display_url() -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(db.database_url()).render_as_string(hide_password=True)


def engine() -> Engine:
    with st.spinner(_("Opening the database...")):
        return _engine(db.database_url())


@contextlib.contextmanager
def session() -> Iterator[Session]:
    """A read session for one user action."""
    with db.session_factory(engine())() as s:
        yield s


@contextlib.contextmanager
def transaction() -> Iterator[Session]:
    """A session whose transaction commits at the end of the block, or rolls back on error."""
    with db.session_factory(engine())() as s, s.begin():
        yield s


def data_version() -> tuple:
    """Changes whenever the stored data changes (every write adds an audit row)."""
    with session() as s:
        latest = db.audit_entries(s, limit=1)
        sizes = db.counts(s)
    return (latest[0].id if latest else 0, *sorted(sizes.items()))


# --------------------------------------------------------------------------------------------
# cached values (never ORM rows)


@st.cache_resource(max_entries=4, show_spinner=False)
def _network(url: str, version: tuple) -> Network:
    with db.session_factory(_engine(url))() as s:
        return db.load_network(s, name="database")


def network() -> Network:
    """The stored network (cached until the data changes)."""
    with st.spinner(_("Loading the network...")):
        return _network(db.database_url(), data_version())


def safe_run_match(net: Network, params: MatchParameters) -> tuple[MatchResult, str]:
    """``run_match``; when implemented synergies cannot be kept, run again without them.

    Returns the result and a warning ('' when none). Other errors propagate.
    """
    try:
        return run_match(net, params), ""
    except InfeasibleError as exc:
        if not params.rules.keep_implemented:
            raise
        relaxed = replace(params, rules=replace(params.rules, keep_implemented=False))
        warning = _("{error}. The figures below are computed without forcing the implemented "
                    "synergies to keep their quantities.").format(error=exc)
        return run_match(net, relaxed), warning


@st.cache_resource(max_entries=8, show_spinner=False)
def _match(url: str, version: tuple, params_key: str, _params: MatchParameters, language: str):
    """The language is part of the key: the result holds sentences (reasons, warnings)."""
    from datetime import UTC, datetime

    return (*safe_run_match(_network(url, version), _params), datetime.now(UTC))


def match(params: MatchParameters | None = None) -> tuple[MatchResult, str]:
    """The optimum of the stored network (cached per data version and parameters)."""
    result, warning, _computed_at = match_with_time(params)
    return result, warning


def match_with_time(params: MatchParameters | None = None, *, refresh: bool = False):
    """:func:`match` and when it was computed (UTC); ``refresh`` computes it again."""
    from symbiose.i18n import get_language

    params = params or MatchParameters()
    key = (db.database_url(), data_version(), repr(params))
    if refresh:
        _match.clear()
    with st.spinner(_("Computing the optimum...")):
        return _match(*key, params, get_language())


# --------------------------------------------------------------------------------------------
# users and roles


def users_exist() -> bool:
    with session() as s:
        return db.counts(s)["users"] > 0


def current_user() -> db.User | None:
    """The signed-in account: this tab's, else the one of the browser's cookie (a reload, a
    second tab), checked against the database on every run.

    A token is never read from, nor put in, the page's address: an address copied into an
    e-mail (« regardez ce partenaire ») would hand the company's sign-in, and its power to
    accept a pair and reveal itself, to whoever opens it. An older address's ``?session=`` is
    removed unread."""
    if TOKEN_PARAM in st.query_params:
        del st.query_params[TOKEN_PARAM]
    token = st.session_state.get(TOKEN_KEY) or _cookie_token()
    if not token:  # signed in without a token (tests, older sessions): the account re-checked
        user = st.session_state.get(USER_KEY)
        if user is None:
            return None
        with session() as s:
            stored = db.session_user(s, user)
        if stored is None:
            st.session_state.pop(USER_KEY, None)
            st.session_state["login_flash"] = "signed_out"
        return stored
    with session() as s:
        user = db.login_session_user(s, token)
        known = st.session_state.get(USER_KEY)
        changed = user is not None and known is not None and db.session_user(s, known) is None
    if changed:  # the account was deleted, demoted or given a new password since it signed in
        st.session_state["login_flash"] = "signed_out"
        user = None
    if user is None:  # expired, ended elsewhere, or never issued
        for key in (USER_KEY, TOKEN_KEY):
            st.session_state.pop(key, None)
        return None
    st.session_state[USER_KEY], st.session_state[TOKEN_KEY] = user, token
    return user


def sign_in(user: db.User) -> None:
    """Start a sign-in that survives a reload: a token in the browser's cookie (set by
    :func:`sync_cookie`), its hash in the database."""
    with transaction() as s:
        token = db.start_login_session(s, user)
    st.session_state[USER_KEY], st.session_state[TOKEN_KEY] = user, token


def sign_out() -> None:
    """End the sign-in on the server: the cookie's token no longer opens anything."""
    token = st.session_state.pop(TOKEN_KEY, None) or _cookie_token()
    if token:
        with transaction() as s:
            db.end_login_session(s, token)
    st.session_state.pop(USER_KEY, None)
    st.session_state[_COOKIE_STATE] = ""  # the next run tells the browser to forget the cookie
    if TOKEN_PARAM in st.query_params:
        del st.query_params[TOKEN_PARAM]


def _cookie_token() -> str | None:
    if st.session_state.get(_COOKIE_STATE) == "":  # signed out in this session: ignore the old one
        return None
    try:
        value = st.context.cookies.get(COOKIE)
    except (AttributeError, RuntimeError):  # no browser (bare mode)
        return None
    return value if isinstance(value, str) and value else None  # AppTest has no real cookies


def sync_cookie() -> None:
    """Keep the browser's cookie in step with the sign-in (called once per run, in the sidebar).

    The cookie holds the sign-in's token, so that a reload or a second tab is signed in too;
    signing out clears it.
    """
    import streamlit.components.v1 as components

    from symbiose.db.login_sessions import LIFETIME

    token = st.session_state.get(TOKEN_KEY)
    told = st.session_state.get(_COOKIE_STATE)
    if token and told != token and _cookie_token() != token:
        script = (f"document.cookie = '{COOKIE}={token}; path=/; max-age={int(LIFETIME.total_seconds())}; "
                  "SameSite=Strict';")  # fmt: skip
        st.session_state[_COOKIE_STATE] = token
    elif told == "" and not token:
        script = f"document.cookie = '{COOKIE}=; path=/; max-age=0; SameSite=Strict';"
        st.session_state[_COOKIE_STATE] = None
    else:
        return
    with st.sidebar:
        components.html(f"<script>{script}</script>", height=0)


def open_mode() -> bool:
    """The database never had an account: every page is visible (the quick start works without
    accounts). Deleting every account does not reopen it."""
    with session() as s:
        return db.open_demo_mode(s)


def actor() -> str:
    user = current_user()
    return user.username if user else "demo"


def role() -> Role | None:
    user = current_user()
    return user.role if user else None


def sees_companies() -> bool:
    """Whether this visitor may see companies by name, their exact places and each pair's figures:
    the network's officers (and the open demo without accounts, where every page is an officer's).
    A planner sees the network's indicators, communes and flows grouped by material with at least
    k companies on each side, as the public report does: a pair's figures give a company's own
    quantity, and a pair the two companies have not yet been told of."""
    return role() in (None, Role.OFFICER)


# --------------------------------------------------------------------------------------------
# errors


PROBLEMS_AS_TABLE = 30  # up to this many problems, a static table whose long messages wrap


def problems_frame(problems):
    import pandas as pd

    columns = [_("file"), _("row"), _("column"), _("problem")]
    return pd.DataFrame([dict(zip(columns, (p.file, p.row, p.column or "", p.message), strict=True))
                         for p in problems], columns=columns)  # fmt: skip


def show_form_problems(exc: SymbioseError, labels: dict[str, str]) -> None:
    """The problems of a form, each named by the field's label on the form (``labels``: column ->
    label), not by the file and column the form was checked as."""
    problems = getattr(exc, "problems", None)
    if not isinstance(exc, ValidationError) or not problems:
        st.error(str(exc))
        return
    lines = []
    for p in problems:
        field = labels.get(p.column or "", "")
        lines.append(_("- **{field}**: {message}").format(field=field, message=p.message) if field else f"- {p.message}")
    st.error(ngettext("The form has a problem; nothing was saved:", "The form has {n} problems; nothing was saved:",
                      len(lines)).format(n=len(lines)) + "\n\n" + "\n".join(lines))  # fmt: skip


def show_problems(exc: SymbioseError) -> None:
    """Show an error; a validation error lists every problem with file, row and column."""
    problems = getattr(exc, "problems", None)
    located = [p for p in problems or [] if p.row is not None or p.column or p.file != "input"]
    if isinstance(exc, ValidationError) and problems and not located:
        st.error("\n\n".join(p.message for p in problems))
    elif isinstance(exc, ValidationError) and problems:
        head = str(exc).splitlines()[0]
        st.error(head + " " + _("Fix them in the file or the form and try again."))
        frame = problems_frame(problems)
        row = _("row")
        frame[row] = frame[row].map(lambda r: "" if r is None or r != r else str(int(r)))
        if len(frame) <= PROBLEMS_AS_TABLE:
            st.table(frame.set_index(_("file")))
        else:
            st.dataframe(frame, hide_index=True, column_config={
                _("problem"): st.column_config.TextColumn(_("problem"), width="large")})
    else:
        st.error(str(exc))


@contextlib.contextmanager
def shows_errors() -> Iterator[None]:
    """Turn an error of the outside world into ``st.error`` (never a traceback)."""
    try:
        yield
    except SymbioseError as exc:
        show_problems(exc)


# --------------------------------------------------------------------------------------------
# display helpers (tables readable by people: names, units, thousands separators)


def words(value: object) -> str:
    """``biofuel_feedstock`` -> ``biofuel feedstock`` (codes of the data model shown as words)."""
    from symbiose.labels import words as as_words

    return as_words(value)


def number(label: str, fmt: str = "localized", **kwargs) -> st.column_config.NumberColumn:
    """A number column with a unit in its label, in the reader's number format.

    Every format is ``localized`` (the browser's locale: ``5 384 503`` and ``3 473,3`` in a
    French browser); printf formats would print ``3473.30`` whatever the language. Round the
    values before showing them to choose the decimals.
    """
    del fmt  # kept for callers that still pass a printf format: one style everywhere
    return st.column_config.NumberColumn(label, format="localized", **kwargs)


def csv_download(frame, label: str, file_name: str, *, key: str) -> None:
    """A CSV download a spreadsheet of the user's language opens as columns (``;``, decimal
    comma and a BOM in French)."""
    from symbiose.i18n import csv_options

    options = csv_options()
    data = frame.to_csv(index=False, sep=options["sep"], decimal=options["decimal"]).encode(options["encoding"])
    st.download_button(label, data, file_name=file_name, mime="text/csv", key=key)


def scenarios_dir() -> Path:
    """``scenarios/`` next to app.py (the repository root), else in the current folder."""
    here = Path(__file__).resolve().parents[2] / "scenarios"
    return here if here.is_dir() else Path.cwd() / "scenarios"


def decimal_input(where, label: str, default: float, key: str, *, low: float, high: float,
                  help: str | None = None) -> float | None:  # fmt: skip
    """A number typed in the page's language, read as the company forms read theirs (``12,5`` and
    ``1 234,5`` in French: a browser's number box drops the comma and reads ``12,5`` as 125).
    Returns None, with the reason under the field, for a text that is not a number or lies
    outside ``[low, high]``."""
    from symbiose.i18n import fmt_input_number, fmt_number, parse_input_number

    if key not in st.session_state:
        plain = repr(float(default))
        st.session_state[key] = fmt_input_number(plain.removesuffix(".0"))  # 30, not 30,0
    text = where.text_input(label, key=key, help=help)
    try:
        plain = parse_input_number(text)
    except ValueError as exc:
        where.error(str(exc))
        return None
    value = float(plain) if plain else None
    if value is None or not low <= value <= high:
        where.error(_("Write a number from {low} to {high}.").format(low=fmt_number(low, 2), high=fmt_number(high, 2)))
        return None
    return value


def ewc_code_input(label: str, *, key: str, value: str = "", help: str | None = None,
                   container=None) -> str:  # fmt: skip
    """A waste-code field that also searches the List of Waste by French or English words.

    A code (``03 01 05``, ``030105``) is taken as it is; words (``sciure``, ``sawdust``) or a
    prefix (``03 01``) offer the matching codes, with their label in the user's language, to pick
    from. Returns the text to validate (the code picked, else what was typed).
    """
    from symbiose.domain import format_ewc
    from symbiose.reference import ewc_entries, ewc_label, search_ewc

    where = container or st
    text = where.text_input(label, value=value, key=key, help=help or _(
        "a List of Waste code (03 01 05) or words in French or English (sciure, sawdust)"))
    compact = "".join(ch for ch in text if ch.isdigit())
    if not text.strip() or (len(compact) == 6 and compact in ewc_entries()):
        if len(compact) == 6 and compact in ewc_entries():
            where.caption(ewc_label(compact))
        return text
    found = search_ewc(text, limit=30)
    if not found:
        where.caption(_("No List of Waste code matches '{text}'.").format(text=text))
        return text
    picked = where.selectbox(_("Matching waste codes"), found, format_func=ewc_label, key=f"{key}_pick")
    return format_ewc(picked) if picked else text
