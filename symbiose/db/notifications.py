"""In-app notifications and the interest records they follow (kept apart from the repository).

* :func:`notify` adds one notice per recipient: a company (``company_id``) or every account of a
  role (``role="officer"``); :func:`notices`, :func:`unread_count` and :func:`mark_read` read and
  acknowledge them. A notice stores what happened (``kind``) and the values of its message
  (``detail``); the text is written in the reader's language when shown
  (:func:`symbiose.notify.notice_text`).
* :func:`interest_entries` lists the ``interest``, ``withdraw`` and ``decline`` rows of the audit
  log, which the Partners page turns into "Demandes reçues".

The caller owns the transaction, as everywhere in :mod:`symbiose.db`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from symbiose.db.models import (
    NOTIFICATION_KINDS,
    AuditRow,
    CompanyRow,
    NeedRow,
    NotificationRow,
    StreamRow,
)
from symbiose.db.repository import AuditEntry

KINDS = NOTIFICATION_KINDS
OFFICER = "officer"


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    created_at: datetime
    company_id: str | None
    role: str | None
    kind: str
    synergy_id: str
    detail: dict[str, Any]
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _notice(row: NotificationRow) -> Notice:
    return Notice(row.id, row.created_at, row.company_id, row.role, row.kind, row.synergy_id,
                  json.loads(row.detail or "{}"), row.read_at)  # fmt: skip


def notify(session: Session, kind: str, *, synergy_id: str = "", company_ids: Iterable[str] = (),
           officers: bool = True, detail: dict[str, Any] | None = None) -> list[Notice]:  # fmt: skip
    """One notice per company in ``company_ids`` (each once) and one for the officers."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    now = datetime.now(UTC)
    payload = json.dumps(detail or {}, ensure_ascii=False, default=str, sort_keys=True)
    rows = [NotificationRow(created_at=now, company_id=c, role=None, kind=kind, synergy_id=synergy_id,
                            detail=payload) for c in dict.fromkeys(company_ids) if c]  # fmt: skip
    if officers:
        rows.append(NotificationRow(created_at=now, company_id=None, role=OFFICER, kind=kind,
                                    synergy_id=synergy_id, detail=payload))  # fmt: skip
    session.add_all(rows)
    session.flush()
    return [_notice(r) for r in rows]


def notify_pair(session: Session, kind: str, synergy_id: str, stream_id: str, need_id: str, *,
                sides: Iterable[str], detail: dict[str, Any] | None = None,
                officer_detail: dict[str, Any] | None = None) -> list[Notice]:  # fmt: skip
    """Notices about one pair: for the company of each side in ``sides`` ("supplier", "receiver"),
    each about its own stream or need, and one for the officers about the pair. ``officer_detail``
    adds values for the officers' notice only (who acted: a company never stores its partner's id
    before mutual interest)."""
    detail = detail or {}
    stream, need = session.get(StreamRow, stream_id), session.get(NeedRow, need_id)
    owners = {"supplier": stream.company_id if stream else None, "receiver": need.company_id if need else None}
    created: list[Notice] = []
    for side in sides:
        item = {"item_kind": "stream", "item_id": stream_id} if side == "supplier" else {
            "item_kind": "need", "item_id": need_id}
        if owners.get(side):
            created += notify(session, kind, synergy_id=synergy_id, company_ids=[owners[side]], officers=False,
                              detail={**detail, **item})  # fmt: skip
    created += notify(session, kind, synergy_id=synergy_id, officers=True,
                      detail={**detail, **(officer_detail or {}), "item_kind": "pair",
                              "item_id": f"{stream_id} -> {need_id}"})  # fmt: skip
    return created


def contact_email(session: Session, company_id: str) -> str:
    row = session.get(CompanyRow, company_id)
    return row.contact_email if row is not None else ""


def _recipient(query, company_id: str | None, role: str | None):
    if company_id is None and role is None:
        raise ValueError("say whose notices: a company_id or a role")
    conditions = []
    if company_id is not None:
        conditions.append(NotificationRow.company_id == company_id)
    if role is not None:
        conditions.append(NotificationRow.role == role)
    return query.where(or_(*conditions))


def notices(session: Session, *, company_id: str | None = None, role: str | None = None,
            unread_only: bool = False, limit: int | None = 200) -> list[Notice]:  # fmt: skip
    """A company's (or a role's) notices, newest first."""
    query = _recipient(select(NotificationRow), company_id, role)
    if unread_only:
        query = query.where(NotificationRow.read_at.is_(None))
    query = query.order_by(NotificationRow.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [_notice(r) for r in session.scalars(query)]


def unread_count(session: Session, *, company_id: str | None = None, role: str | None = None) -> int:
    query = _recipient(select(func.count(NotificationRow.id)), company_id, role)
    return int(session.scalar(query.where(NotificationRow.read_at.is_(None))) or 0)


def mark_read(session: Session, *, company_id: str | None = None, role: str | None = None,
              ids: Iterable[int] | None = None) -> int:  # fmt: skip
    """Mark a recipient's notices read (all, or those of ``ids``); returns how many changed."""
    query = _recipient(update(NotificationRow), company_id, role).where(NotificationRow.read_at.is_(None))
    if ids is not None:
        query = query.where(NotificationRow.id.in_(list(ids)))
    result = session.execute(query.values(read_at=datetime.now(UTC)))
    return int(result.rowcount or 0)


def interest_entries(session: Session) -> list[AuditEntry]:
    """Every ``interest``, ``withdraw`` and ``decline`` row of the audit log for synergies, oldest first."""
    query = (select(AuditRow).where(AuditRow.entity == "synergy",
                                    AuditRow.action.in_(("interest", "withdraw", "decline")))
             .order_by(AuditRow.id))  # fmt: skip
    return [AuditEntry(r.id, r.occurred_at, r.actor, r.action, r.entity, r.entity_id, json.loads(r.detail or "{}"))
            for r in session.scalars(query)]  # fmt: skip


def stage_detail(old: object, new: object, reason: str = "") -> dict[str, str]:
    """What a stage notice keeps: the two stages, and the move's reason when it has one (read by
    the officers' notice only: an officer's free text may name a company)."""
    return {"from": str(old), "to": str(new), **({"reason": reason.strip()} if reason and reason.strip() else {})}
