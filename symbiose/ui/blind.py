"""Double-blind matching: partner identities stay hidden until both sides say they are interested.

Built on what the db layer offers, synergies and the audit log:

* "I'm interested" on a pair (stream -> need) creates the synergy at stage ``contacted`` if it is
  not followed yet (or moves a ``suggested`` one to ``contacted``), then writes an ``interest``
  row in the audit log for the synergy with the side (``supplier`` or ``receiver``), the company
  and the person who clicked.
* When both sides have said so, the synergy moves to ``in_discussion`` and the identities are
  revealed to both. A synergy that an officer already moved to ``in_discussion`` or
  ``implemented`` is revealed too (the partners are talking already).

The functions take an open session; the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from symbiose import db
from symbiose.domain import Network, Stage, Synergy

SUPPLIER, RECEIVER = "supplier", "receiver"
INTEREST = "interest"
REVEALED_STAGES = {Stage.IN_DISCUSSION, Stage.IMPLEMENTED}
_PROGRESS = {Stage.ABANDONED: 0, Stage.SUGGESTED: 1, Stage.CONTACTED: 2, Stage.IN_DISCUSSION: 3,
             Stage.IMPLEMENTED: 4}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PairStatus:
    synergy_id: str | None
    stage: Stage | None
    supplier_interested: bool
    receiver_interested: bool

    @property
    def revealed(self) -> bool:
        both = self.supplier_interested and self.receiver_interested
        return both or (self.stage in REVEALED_STAGES)

    def interested(self, side: str) -> bool:
        return self.supplier_interested if side == SUPPLIER else self.receiver_interested


def _record(session: Session, actor: str, synergy_id: str, detail: dict) -> None:
    from symbiose.db.repository import record_audit

    record_audit(session, actor, INTEREST, "synergy", synergy_id, detail)
    session.flush()


def synergy_for(network: Network, stream_id: str, need_id: str) -> Synergy | None:
    """The followed synergy of a pair, the most advanced one if there are several."""
    found = [s for s in network.synergies if s.stream_id == stream_id and s.need_id == need_id]
    return max(found, key=lambda s: (_PROGRESS[Stage(s.stage)], s.id), default=None)


def interests(session: Session, synergy_id: str) -> set[str]:
    """Sides that said they are interested in a synergy."""
    return {
        e.detail.get("side", "")
        for e in db.audit_entries(session, entity="synergy", entity_id=synergy_id)
        if e.action == INTEREST
    }


def pair_status(session: Session, network: Network, stream_id: str, need_id: str) -> PairStatus:
    synergy = synergy_for(network, stream_id, need_id)
    if synergy is None:
        return PairStatus(None, None, False, False)
    sides = interests(session, synergy.id)
    return PairStatus(synergy.id, Stage(synergy.stage), SUPPLIER in sides, RECEIVER in sides)


def express_interest(session: Session, network: Network, stream_id: str, need_id: str, *,
                     side: str, company_id: str, actor: str,
                     quantity_base: int | None = None) -> PairStatus:  # fmt: skip
    """Record that one side of the pair is interested; returns the new status of the pair.

    The pair is read and written under a lock (:func:`symbiose.db.follow_pair`), so that both
    sides clicking at once make one synergy; a new one carries ``quantity_base`` (the
    suggestion's tradable quantity).
    """
    if side not in (SUPPLIER, RECEIVER):
        raise ValueError(f"side must be '{SUPPLIER}' or '{RECEIVER}', got {side!r}")
    synergy, _created = db.follow_pair(session, stream_id, need_id, actor=actor,
                                       quantity_base=quantity_base)  # fmt: skip
    if Stage(synergy.stage) is Stage.SUGGESTED:
        synergy = db.set_synergy_stage(session, synergy.id, Stage.CONTACTED, actor=actor)
    sides = interests(session, synergy.id)
    if side not in sides:
        _record(session, actor, synergy.id, {"side": side, "company_id": company_id,
                                              "stream_id": stream_id, "need_id": need_id})  # fmt: skip
        sides.add(side)
    stage = Stage(synergy.stage)
    if {SUPPLIER, RECEIVER} <= sides and stage is Stage.CONTACTED:
        synergy = db.set_synergy_stage(session, synergy.id, Stage.IN_DISCUSSION, actor=actor)
        stage = Stage.IN_DISCUSSION
    return PairStatus(synergy.id, stage, SUPPLIER in sides, RECEIVER in sides)
