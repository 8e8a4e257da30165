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
from symbiose.matching import MatchResult, run_match
from symbiose.params import MatchParameters

USER_KEY = "symbiose_user"


# --------------------------------------------------------------------------------------------
# engine and sessions


@st.cache_resource(show_spinner="Opening the database...")
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


@st.cache_resource(max_entries=4, show_spinner="Loading the network...")
def _network(url: str, version: tuple) -> Network:
    with db.session_factory(_engine(url))() as s:
        return db.load_network(s, name="database")


def network() -> Network:
    """The stored network (cached until the data changes)."""
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
        warning = (f"{exc}. The figures below are computed without forcing the implemented "
                   "synergies to keep their quantities.")  # fmt: skip
        return run_match(net, relaxed), warning


@st.cache_resource(max_entries=8, show_spinner="Computing the optimum...")
def _match(url: str, version: tuple, params_key: str, _params: MatchParameters):
    return safe_run_match(_network(url, version), _params)


def match(params: MatchParameters | None = None) -> tuple[MatchResult, str]:
    """The optimum of the stored network (cached per data version and parameters)."""
    params = params or MatchParameters()
    return _match(db.database_url(), data_version(), repr(params), params)


# --------------------------------------------------------------------------------------------
# users and roles


def users_exist() -> bool:
    with session() as s:
        return db.counts(s)["users"] > 0


def current_user() -> db.User | None:
    """The signed-in user, checked against the database on every call: a session whose account
    was deleted, or whose role or password changed since it signed in, is signed out."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        return None
    with session() as s:
        stored = db.session_user(s, user)
    if stored is None:
        st.session_state.pop(USER_KEY, None)
        st.session_state["login_flash"] = "signed_out"
    return stored


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


# --------------------------------------------------------------------------------------------
# errors


PROBLEMS_AS_TABLE = 30  # up to this many problems, a static table whose long messages wrap


def problems_frame(problems):
    import pandas as pd

    return pd.DataFrame([{"file": p.file, "row": p.row, "column": p.column or "", "problem": p.message}
                         for p in problems], columns=["file", "row", "column", "problem"])  # fmt: skip


def show_problems(exc: SymbioseError) -> None:
    """Show an error; a validation error lists every problem with file, row and column."""
    problems = getattr(exc, "problems", None)
    located = [p for p in problems or [] if p.row is not None or p.column or p.file != "input"]
    if isinstance(exc, ValidationError) and problems and not located:
        st.error("\n\n".join(p.message for p in problems))
    elif isinstance(exc, ValidationError) and problems:
        head = str(exc).splitlines()[0]
        st.error(f"{head} Fix them in the file or the form and try again.")
        frame = problems_frame(problems)
        frame["row"] = frame["row"].map(lambda r: "" if r is None or r != r else str(int(r)))
        if len(frame) <= PROBLEMS_AS_TABLE:
            st.table(frame.set_index("file"))
        else:
            st.dataframe(frame, hide_index=True, column_config={
                "problem": st.column_config.TextColumn("problem", width="large")})
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
    return "" if value is None or value != value else str(value).replace("_", " ")


def number(label: str, fmt: str = "%,.0f", **kwargs) -> st.column_config.NumberColumn:
    """A number column with a unit in its label and a thousands separator."""
    return st.column_config.NumberColumn(label, format=fmt, **kwargs)


def scenarios_dir() -> Path:
    """``scenarios/`` next to app.py (the repository root), else in the current folder."""
    here = Path(__file__).resolve().parents[2] / "scenarios"
    return here if here.is_dir() else Path.cwd() / "scenarios"
