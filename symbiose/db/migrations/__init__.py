"""Alembic migrations of the Symbiose database (run by :func:`symbiose.db.engine.upgrade`)."""
