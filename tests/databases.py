"""SQLite files holding the demo network, for the tests of the application: the demo is loaded
once per test session (``demo_sqlite`` in conftest.py) and each test or module works on a copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from symbiose import db


def _checkpointed(engine) -> None:
    """Everything in the main file (no write-ahead log left beside it), then the engine closed."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def build_demo_database(path: Path) -> Path:
    """A SQLite file at ``path`` with the schema at its latest revision and the demo network."""
    engine = db.ensure_database(f"sqlite:///{path}")
    with db.session_factory(engine)() as s, s.begin():
        db.load_demo(s)
    _checkpointed(engine)
    return path


def copy_database(source: Path, target: Path) -> str:
    """A copy of the SQLite file ``source`` at ``target``: its URL."""
    shutil.copy(source, target)
    return f"sqlite:///{target}"


def with_users(source: Path, target: Path, users: Iterable[tuple]) -> Path:
    """A copy of ``source`` at ``target`` with accounts added: ``users`` holds the arguments of
    ``db.create_user`` (username, password, role[, company_id])."""
    engine = db.make_engine(copy_database(source, target))
    with db.session_factory(engine)() as s, s.begin():
        for username, password, role, *company in users:
            db.create_user(s, username, password, role=role, company_id=company[0] if company else None)
    _checkpointed(engine)
    return target
