"""Engines, sessions and migrations.

>>> database_url({})
'sqlite:///symbiose.db'
>>> database_url({"SYMBIOSE_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/symbiose"})
'postgresql+psycopg://postgres@127.0.0.1/symbiose'

One engine per process (Streamlit: ``st.cache_resource``), one session per CLI command or user
action, its transaction opened by the caller (``with session.begin(): ...``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

ENV_DATABASE_URL = "SYMBIOSE_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///symbiose.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 0x5359_4D42  # "SYMB": advisory lock held while migrating PostgreSQL
_WRITE_LOCK_KEY = 0x5359_4D57  # "SYMW": advisory lock held by a command that reads then inserts


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """``SYMBIOSE_DATABASE_URL`` if set, else ``sqlite:///symbiose.db`` in the current directory."""
    env = os.environ if environ is None else environ
    return env.get(ENV_DATABASE_URL, "").strip() or DEFAULT_DATABASE_URL


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for ``url`` (default :func:`database_url`).

    SQLite connections get ``foreign_keys=ON`` (SQLite ignores foreign keys otherwise),
    ``journal_mode=WAL``, ``busy_timeout=60000`` ms (a writer waits for another) and ``synchronous=NORMAL``. A SQLite file's
    parent folder must exist. PostgreSQL URLs use psycopg 3 (``postgresql+psycopg://``).
    """
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_driver_name() == "psycopg":
        # psycopg prepares a statement run 5 times; PostgreSQL then may switch to a generic plan,
        # which for "id IN (500 parameters)" scans the table (measured 0.5 s per query on 15k
        # streams instead of 10 ms). Custom plans each time are the safe choice here.
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("prepare_threshold", None)
        kwargs["connect_args"] = connect_args
    return create_engine(url, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None):
    """An Alembic ``Config`` built in code (no alembic.ini), pointing at the packaged scripts."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations on ``engine`` up to ``revision`` (default the latest).

    Processes starting at once on a new database (the web application and commands, or thirty
    commands) migrate one at a time: PostgreSQL takes an advisory lock, SQLite an immediate
    (write) transaction; the others wait, then find the schema at its latest revision.
    """
    from alembic import command

    if engine.dialect.name == "sqlite":
        _upgrade_sqlite(engine, revision)
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _upgrade_sqlite(engine: Engine, revision: str) -> None:
    """SQLite migrations with foreign keys off, checked afterwards.

    Batch mode rebuilds a table to change its constraints (copy, DROP, rename); with foreign keys
    on, that DROP deletes every row pointing at it through ON DELETE CASCADE (a stream table
    rebuilt would take the synergies with it). SQLite ignores this pragma inside a transaction,
    so it is set before the migration's transaction starts.
    """
    from alembic import command

    from symbiose.errors import SymbioseError

    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # one migrating process at a time
                config = alembic_config(engine)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
    if broken:
        raise SymbioseError(f"the migration left {len(broken)} rows pointing at missing rows, e.g. {broken[0]}")


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The latest revision shipped with the package."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another backend or an in-memory database).

    >>> sqlite_file("sqlite:///data/x.db")
    PosixPath('data/x.db')
    >>> sqlite_file("postgresql+psycopg://u@h/db") is None
    True
    """
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def ensure_database(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine on ``url`` whose schema is created or migrated to the latest revision.

    ``create=False``: a SQLite file that does not exist is an error (a mistyped path must not
    become a new, empty database). A database at a revision this version does not know (written
    by a newer Symbiose) is an error, and is left untouched.
    """
    from symbiose.errors import DatabaseError
    from symbiose.i18n import _

    url = url or database_url()
    path = sqlite_file(url)
    if path is not None and not create and not path.exists():
        raise DatabaseError(_(
            "the database {path} does not exist; create it with 'symbiose init' (or "
            "'symbiose load-demo'), or give the right path with --database or "
            "SYMBIOSE_DATABASE_URL"
        ).format(path=path))  # fmt: skip
    engine = make_engine(url)
    current = current_revision(engine)
    if current is not None and current == head_revision():
        return engine
    if current is not None and current not in known_revisions():
        engine.dispose()
        raise DatabaseError(_(
            "the database is at schema revision '{revision}', which this version of Symbiose "
            "({version}) does not know: it was written by a newer version. Upgrade Symbiose "
            "(pip install -U symbiose), or use another database; nothing was changed"
        ).format(revision=current, version=_package_version()))  # fmt: skip
    upgrade(engine)
    return engine


def _package_version() -> str:
    from symbiose import __version__

    return __version__


def lock_for_writing(session: Session) -> None:
    """Make the session's transaction the only writer until it ends, from its first statement:
    a command that reads then inserts (an import, loading the demo) never collides with another
    doing the same. SQLite: an immediate transaction; PostgreSQL: an advisory lock. Call it
    first in the transaction."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK_KEY})
