"""Shared fixtures: real databases, no mocks.

``database_url`` runs a test twice: on a fresh SQLite file in ``tmp_path`` and on the PostgreSQL
server at 127.0.0.1:5432 (database ``test``, a fresh schema per test selected through
``search_path``, dropped afterwards). ``SYMBIOSE_TEST_POSTGRES_URL`` overrides the server URL;
without a server the PostgreSQL runs are skipped, unless ``SYMBIOSE_REQUIRE_POSTGRES=1`` (set by
CI when the machine has a server), which turns an unreachable server into a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_base_url() -> str:
    return os.environ.get("SYMBIOSE_TEST_POSTGRES_URL", "").strip() or DEFAULT_POSTGRES_URL


def _postgres_unavailable(url: str) -> str | None:
    """Why the server cannot be used, or None when it answers."""
    parsed = make_url(url)
    host, port = parsed.host or "127.0.0.1", parsed.port or 5432
    try:
        with socket.create_connection((host, port), timeout=1.0):
            pass
    except OSError as exc:
        return f"PostgreSQL does not answer at {host}:{port} within 1 s ({exc})"
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # driver missing, authentication, unknown database
        return f"PostgreSQL at {host}:{port} refused the test connection: {exc}"
    return None


_POSTGRES_STATUS: dict[str, str | None] = {}


def _require_postgres(url: str) -> None:
    if url not in _POSTGRES_STATUS:
        _POSTGRES_STATUS[url] = _postgres_unavailable(url)
    reason = _POSTGRES_STATUS[url]
    if reason is None:
        return
    if os.environ.get("SYMBIOSE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (SYMBIOSE_REQUIRE_POSTGRES=1)")
    pytest.skip(f"{reason}; set SYMBIOSE_TEST_POSTGRES_URL to run the PostgreSQL tests")


def _with_search_path(url: str, schema: str) -> str:
    options = quote(f"-csearch_path={schema}")
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={options}"


@pytest.fixture
def postgres_url():
    """A URL on a fresh, empty PostgreSQL schema (dropped with everything in it afterwards)."""
    base = postgres_base_url()
    _require_postgres(base)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(base, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    """A URL on a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'symbiose-test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A URL on an empty database, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'symbiose-test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory) -> Path:
    """An empty SQLite file migrated to the latest revision, once per test session (copied)."""
    from symbiose.db import ensure_database

    path = tmp_path_factory.mktemp("migrated") / "migrated.db"
    engine = ensure_database(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def engine(database_url, request):
    """An engine on a database migrated to the latest revision. On SQLite the file is a copy of
    one migrated once per session (the same file the migrations write, without running them again
    for each test; the migrations themselves are tested in test_db.py, test_integrity.py,
    test_accounts.py and test_cli.py, and run for each test on PostgreSQL)."""
    from symbiose.db import ensure_database
    from symbiose.db.engine import sqlite_file

    path = sqlite_file(database_url)
    if path is not None and not path.exists():
        shutil.copy(request.getfixturevalue("_migrated_sqlite"), path)
    engine = ensure_database(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session_maker(engine):
    from symbiose.db import session_factory

    return session_factory(engine)


@pytest.fixture
def session(session_maker):
    with session_maker() as session:
        yield session


# ------------------------------------------------------------------ the demo network, run once


@pytest.fixture(scope="session")
def demo():
    """The fictional demo network (read once per test session; values are immutable)."""
    from symbiose.bundle import read_bundle
    from symbiose.reference import data_dir

    return read_bundle(data_dir() / "demo")


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory) -> Path:
    """A SQLite file holding the demo network, built once per test session. Never written to:
    tests copy it (``databases.copy_database``, ``databases.with_users``)."""
    from databases import build_demo_database

    return build_demo_database(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.fixture(scope="session")
def demo_result(demo):
    """run_match on the demo network with the default parameters."""
    from symbiose.matching import run_match

    return run_match(demo)


# ------------------------------------------------------------------ real browser (Chromium)

_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="module")
def _playwright():
    from servers import require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def chromium(_playwright):
    """Debian's Chromium, one per test module (each test opens its own context: no shared cookie)."""
    from servers import launch_chromium

    browser = launch_chromium(_playwright)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def chromium_webgl(_playwright):
    """The same, drawing WebGL (the deck.gl maps) with SwiftShader."""
    from servers import launch_chromium

    browser = launch_chromium(_playwright, webgl=True)
    yield browser
    browser.close()


@pytest.fixture
def new_page(request, tmp_path):
    """``new_page(browser, **context_options)``: a page in a new browser context, closed after the
    test; when the test fails, a full-page screenshot of each page is left in ``tmp_path``."""
    contexts = []

    def open_page(browser, **options):
        options.setdefault("viewport", {"width": 1400, "height": 1000})
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    failed = request.node.stash.get(_CALL_FAILED, False)
    for i, context in enumerate(contexts):
        for j, page in enumerate(context.pages):
            if failed:
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(tmp_path / f"failure-{i}-{j}.png"), full_page=True)
        context.close()


@pytest.fixture(scope="module")
def server_database(tmp_path_factory) -> str:
    """The URL of the (not yet existing) SQLite file behind :func:`server`."""
    return f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"


@pytest.fixture(scope="module")
def server(server_database):
    """`streamlit run app.py` on an empty database (the app loads the demo on its first page), in
    English; one per test module, shared by its tests (each leaves the data as a later test of the
    module needs it: no account, the imports undone)."""
    from servers import require_chromium, streamlit_app

    require_chromium()
    with streamlit_app(Path(server_database.removeprefix("sqlite:///")).parent, server_database) as base:
        yield base


@pytest.fixture
def english():
    """Run a test in English: tests of what a message says (the row, the column, the fix) read
    its English text; the French one is checked apart (test_french.py)."""
    from symbiose.i18n import language

    with language("en"):
        yield
