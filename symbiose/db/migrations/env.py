"""Alembic environment: run in code by :func:`symbiose.db.engine.upgrade` (no alembic.ini).

The caller passes an open connection in ``config.attributes["connection"]``; otherwise an engine
is built from ``sqlalchemy.url`` or ``SYMBIOSE_DATABASE_URL``. SQLite gets batch mode
(``render_as_batch``) because it cannot ALTER most things.
"""

from __future__ import annotations

from alembic import context

from symbiose.db.engine import database_url, make_engine
from symbiose.db.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = config.attributes.get("engine") or make_engine(
        config.get_main_option("sqlalchemy.url") or database_url()
    )
    with engine.begin() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
