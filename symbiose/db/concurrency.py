"""Concurrent users: row versions, who changed a record last, write locks, database-issued ids.

* Companies, streams, needs and synergies carry ``version`` (SQLAlchemy ``version_id_col``):
  every UPDATE says ``WHERE version = <the version read>``, so a save based on an old read fails;
  :func:`changed_since_error` then says who changed the record and when ("changed by marie at
  10:42 since you opened it"), from ``updated_by`` / ``updated_at``.
* A function that reads then writes locks first: :func:`locked_row` (``SELECT ... FOR UPDATE`` on
  PostgreSQL; on SQLite, which has one writer at a time, :func:`lock_for_write` starts the write
  transaction before the read).
* :func:`next_id` issues ``C004``, ``S0123``, ``SY014`` from the ``id_counters`` table, the kind's
  row locked until the transaction ends: never read-then-write.

Every function takes an open session and never commits (the caller owns the transaction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from symbiose.db.models import Base, CompanyRow, IdCounterRow, NeedRow, StreamRow, SynergyRow
from symbiose.errors import ConcurrentEditError
from symbiose.i18n import ENV_TIMEZONE, N_, _, local_time  # noqa: F401 - re-exported

RECORD_WORDS = {"companies": "company", "streams": "stream", "needs": "need", "synergies": "synergy"}
MODELS: dict[str, type[Base]] = {"companies": CompanyRow, "streams": StreamRow, "needs": NeedRow,
                                 "synergies": SynergyRow}  # fmt: skip


def _clock(when: datetime | None) -> str:
    """``HH:MM`` of a stored time, in the network's time zone."""
    return "?" if when is None else local_time(when).strftime("%H:%M")


def record_label(table: str, record_id: str, *, start: bool = False) -> str:
    """``stream S0001`` (« flux S0001 »); ``start``: at the start of a sentence (``Stream S0001``)."""
    word = {"companies": _("company"), "streams": _("stream"), "needs": _("need"),
            "synergies": _("synergy")}.get(table, table)  # fmt: skip
    return f"{word[:1].upper() + word[1:] if start else word} {record_id}"


#: What a form is told when its record changed since it was opened, one message per kind of record
#: so that French agrees with the record (« Flux S0001 : modifié », « Synergie SY009 : modifiée »)
CHANGED_SINCE = {
    "companies": N_("Company {id} was changed by {who} at {time} since you opened it; nothing was saved. Reload it "
                    "to see the change, then make yours again"),
    "streams": N_("Stream {id} was changed by {who} at {time} since you opened it; nothing was saved. Reload it "
                  "to see the change, then make yours again"),
    "needs": N_("Need {id} was changed by {who} at {time} since you opened it; nothing was saved. Reload it "
                "to see the change, then make yours again"),
    "synergies": N_("Synergy {id} was changed by {who} at {time} since you opened it; nothing was saved. Reload it "
                    "to see the change, then make yours again"),
}  # fmt: skip
DELETED_SINCE = {
    "companies": N_("Company {id} was deleted since you opened it; nothing was saved"),
    "streams": N_("Stream {id} was deleted since you opened it; nothing was saved"),
    "needs": N_("Need {id} was deleted since you opened it; nothing was saved"),
    "synergies": N_("Synergy {id} was deleted since you opened it; nothing was saved"),
}


def concurrent_edit_error(table: str, record_id: str, session: Session) -> ConcurrentEditError:
    """"stream S0001 was changed by marie at 10:42 since you opened it", read from the row as
    stored now (on a connection of its own: the session may be failing)."""
    model = MODELS[table]
    with session.get_bind().connect() as connection:
        found = connection.execute(
            select(model.updated_by, model.updated_at).where(model.id == record_id)  # type: ignore[attr-defined]
        ).first()
    if found is None:
        return deleted_since_error(table, record_id)
    return changed_since_error(table, record_id, found[0], found[1])


def deleted_since_error(table: str, record_id: str) -> ConcurrentEditError:
    return ConcurrentEditError(_(DELETED_SINCE[table]).format(id=record_id))


def changed_since_error(table: str, record_id: str, who: str, when: datetime | None, *,
                        message: str | None = None) -> ConcurrentEditError:  # fmt: skip
    """``message``: another message (not yet translated) with the same placeholders, for a page
    that says what it does next (« the form now shows it as stored »)."""
    return ConcurrentEditError(_(message or CHANGED_SINCE[table]).format(
        id=record_id, who=who or _("another user"), time=_clock(when)))  # fmt: skip


def flush_versioned(session: Session, table: str) -> None:
    """Flush; an UPDATE that found its row at another version names who changed it."""
    read = {str(obj.id): obj.version for obj in session.dirty if hasattr(obj, "version")}
    try:
        session.flush()
    except StaleDataError as exc:
        model = MODELS[table]
        with session.get_bind().connect() as connection:
            for record_id, version in read.items():
                found = connection.execute(
                    select(model.version, model.updated_by, model.updated_at)  # type: ignore[attr-defined]
                    .where(model.id == record_id)  # type: ignore[attr-defined]
                ).first()
                if found is None or found[0] != version:
                    break
            else:
                record_id = next(iter(read), "?")
        raise concurrent_edit_error(table, record_id, session) from exc


def lock_for_write(session: Session) -> None:
    """Start the write transaction now on SQLite (one writer at a time), so that what is read next
    is what will be written over; PostgreSQL locks rows instead (:func:`locked_row`)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(IdCounterRow).where(IdCounterRow.name == "").values(last_value=0)
            .execution_options(synchronize_session=False)
        )  # fmt: skip


def locked_row(session: Session, model: type[Base], record_id: str) -> Any:
    """The row, read fresh and locked until the transaction ends (None when it does not exist)."""
    lock_for_write(session)
    query = select(model).where(model.id == record_id)  # type: ignore[attr-defined]
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).first()


#: How ids are written: prefix, digits, table.
ID_FORMATS: dict[str, tuple[str, int, type[Base]]] = {
    "company": ("C", 3, CompanyRow),
    "stream": ("S", 4, StreamRow),
    "need": ("N", 4, NeedRow),
    "synergy": ("SY", 3, SynergyRow),
}


def next_id(session: Session, kind: str) -> str:
    """Issue the next id of ``kind`` (company, stream, need, synergy): ``SY014`` after ``SY013``.

    The kind's counter row stays locked until the caller's transaction ends, so two users creating
    a record at the same moment get two ids. The number is one more than both the counter and the
    largest such id stored (ids typed by hand or imported are never issued again).
    """
    prefix, width, model = ID_FORMATS[kind]
    counter = IdCounterRow.name == kind
    locked = session.execute(
        update(IdCounterRow).where(counter).values(last_value=IdCounterRow.last_value)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    if not locked:  # a database created without the counter rows
        session.execute(insert(IdCounterRow).values(name=kind, last_value=0))
    last = session.scalar(select(IdCounterRow.last_value).where(counter)) or 0
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    ids = session.scalars(select(model.id).where(model.id.like(f"{prefix}%")))  # type: ignore[attr-defined]
    stored = max((int(m.group(1)) for i in ids if (m := pattern.match(i))), default=0)
    value = max(last, stored) + 1
    session.execute(
        update(IdCounterRow).where(counter).values(last_value=value)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return f"{prefix}{value:0{width}d}"


@dataclass(frozen=True, slots=True)
class RecordState:
    """What a form keeps when it opens a record: the version it read, who changed it last, when."""

    version: int
    updated_by: str
    updated_at: datetime | None


def record_state(session: Session, table: str, record_id: str) -> RecordState | None:
    model = MODELS[table]
    found = session.execute(
        select(model.version, model.updated_by, model.updated_at)  # type: ignore[attr-defined]
        .where(model.id == record_id)  # type: ignore[attr-defined]
    ).first()
    return None if found is None else RecordState(int(found[0]), found[1] or "", found[2])
