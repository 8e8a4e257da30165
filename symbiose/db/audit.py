"""The audit log: append-only and tamper-evident (a hash chain).

Each entry stores ``prev_hash``, the hash of the entry before it (64 zeros for the first), and
``entry_hash``, the SHA-256 of a canonical JSON of its own fields and ``prev_hash``::

    entry_hash = sha256(json.dumps({"prev_hash": ..., "occurred_at": "2026-12-01T09:30:00.000000Z",
                                    "actor": ..., "action": ..., "entity": ..., "entity_id": ...,
                                    "detail": <the stored JSON text>},
                                   sort_keys=True, ensure_ascii=False, separators=(",", ":")))

Editing, deleting or inserting a row anywhere but at the end breaks the chain at that row, and
:func:`verify_chain` names it. The database refuses ``UPDATE`` and ``DELETE`` on ``audit_log``
(triggers of migration 0005, on SQLite and PostgreSQL), so a change needs someone who drops the
triggers first; the chain then still shows it. Removing the newest entries leaves a shorter valid
chain: :func:`verify_chain` reports the count and the head hash, which an officer can note down
(in a report, an e-mail) to anchor the log at a date.

Writers never fork the chain: :func:`append` first takes a write lock on the ``audit_chain`` row of
``app_settings`` (an ``UPDATE``: a row lock on PostgreSQL, the database write lock on SQLite), then
reads the last entry, in the caller's transaction. A unique index on ``prev_hash`` is the backstop.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from symbiose.db.models import AuditRow, SettingRow
from symbiose.i18n import _, ngettext

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = "audit_chain"


def canonical_time(moment: datetime) -> str:
    """A UTC ISO time with microseconds (SQLite gives naive UTC values back, PostgreSQL aware)."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    prev_hash: str,
    occurred_at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: str,
) -> str:
    """The SHA-256 (hex) of an entry's canonical JSON (``detail`` as stored: JSON text)."""
    payload = {
        "prev_hash": prev_hash,
        "occurred_at": canonical_time(occurred_at),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    """Take the chain's write lock until the end of the caller's transaction."""
    updated = session.execute(
        text("UPDATE app_settings SET value = value WHERE key = :key"), {"key": CHAIN_LOCK_KEY}
    ).rowcount
    if not updated:  # a database made before the row existed: create it (unique key)
        session.add(SettingRow(key=CHAIN_LOCK_KEY, value=""))
        session.flush()


def append(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one chained entry in the caller's transaction (``detail`` stored as JSON)."""
    session.flush()  # the caller's pending writes first: they come before the lock
    _lock_chain(session)
    last = session.scalar(select(AuditRow.entry_hash).order_by(AuditRow.id.desc()).limit(1))
    prev = last or GENESIS_HASH
    occurred_at = datetime.now(UTC)
    text_detail = json.dumps(detail or {}, ensure_ascii=False, default=str)
    session.add(
        AuditRow(
            occurred_at=occurred_at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=text_detail,
            prev_hash=prev,
            entry_hash=entry_hash(prev, occurred_at, actor, action, entity, entity_id, text_detail),
        )
    )
    session.flush()


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What :func:`verify_chain` found: ``broken_id`` is the first bad entry (None when intact),
    ``problem`` says why: ``content`` (its fields no longer give its hash), ``link`` (it does not
    follow the entry before it: one was deleted, inserted or moved) or ``start`` (the first
    entry does not start the chain)."""

    entries: int
    head_hash: str
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None

    def describe(self) -> str:
        """The finding in words (current language)."""
        if self.ok:
            return ngettext("Audit log intact: {n} entry, chain head {head}.",
                            "Audit log intact: {n} entries, chain head {head}.",
                            self.entries).format(n=self.entries, head=self.head_hash)  # fmt: skip
        problem = {
            "content": _("its content was changed after it was written"),
            "link": _("it does not follow the entry before it (an entry was deleted, inserted "
                      "or reordered here)"),
            "start": _("the first entry does not start the chain (earlier entries were removed)"),
        }[self.problem]  # fmt: skip
        return _("The audit log is broken at entry {id}: {problem}. The {n} entries before it "
                 "are intact.").format(id=self.broken_id, problem=problem, n=self.entries)  # fmt: skip


def verify_chain(session: Session, *, batch: int = 2000) -> ChainReport:
    """Walk the log in id order and check every link and every hash (read in batches)."""
    columns = (AuditRow.id, AuditRow.prev_hash, AuditRow.entry_hash, AuditRow.occurred_at,
               AuditRow.actor, AuditRow.action, AuditRow.entity, AuditRow.entity_id,
               AuditRow.detail)  # fmt: skip
    prev = GENESIS_HASH
    count = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(*columns).where(AuditRow.id > last_id).order_by(AuditRow.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(count, prev)
        for row_id, prev_hash, stored_hash, *fields in rows:
            if prev_hash != prev:
                return ChainReport(count, prev, row_id, "link" if count else "start")
            if stored_hash != entry_hash(prev_hash, *fields):
                return ChainReport(count, prev, row_id, "content")
            prev = stored_hash
            count += 1
            last_id = row_id
