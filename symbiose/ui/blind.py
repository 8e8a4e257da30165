"""Double-blind matching: partner identities stay hidden until both sides say they are interested.

Built on what the db layer offers, synergies and the audit log:

* "I'm interested" on a pair (stream -> need) creates the synergy at stage ``contacted`` if it is
  not followed yet (or moves a ``suggested`` one to ``contacted``), then writes an ``interest``
  row in the audit log for the synergy with the side (``supplier`` or ``receiver``), the company
  and the person who clicked.
* When both sides have said so, the synergy moves to ``in_discussion`` and the identities are
  revealed to both. A synergy that an officer already moved to ``in_discussion`` or
  ``implemented`` is revealed too (the partners are talking already): that is the one rule of
  mutual interest, :func:`symbiose.blinding.is_mutual`, which the report follows too.
* "Withdraw my interest", while the other side has not said yes, writes a ``withdraw`` audit row
  (side, company, person, optional reason) that :func:`interests` and :func:`incoming` honour:
  the other side's request disappears, the other company is told that an interest was withdrawn
  (nothing more), and a synergy left with no interested side goes back from ``contacted`` to
  ``suggested`` with the reason in its stage history. The side may say it is interested again
  later. After mutual interest there is nothing to withdraw: the officer closes the synergy
  (``abandoned``, with the reason), as for a decline of a revealed pair.
* "Decline" (with a reason) moves the pair to ``abandoned`` with the reason and writes a
  ``decline`` audit row: the matcher never proposes an abandoned pair again
  (:func:`symbiose.matching.abandoned_pairs`).
* :func:`incoming` lists the pairs where the other side is interested and this company has not
  answered yet ("Demandes reçues"), whether or not the pair is in this company's own top list.
* Each new interest, withdrawn interest, mutual interest, decline and stage change adds notices for the companies
  concerned and the officers (:mod:`symbiose.db.notifications`); pass ``outbox`` (a list) to
  collect them for e-mail after the transaction commits (:func:`symbiose.notify.send_notices`).

The functions take an open session; the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from symbiose import db
from symbiose.blinding import MUTUAL_STAGES, RECEIVER, SUPPLIER
from symbiose.db import notifications
from symbiose.domain import Network, Stage, Synergy
from symbiose.errors import ValidationError
from symbiose.i18n import _
from symbiose.labels import stage_label

INTEREST = "interest"
WITHDRAW = "withdraw"
DECLINE = "decline"
REVEALED_STAGES = set(MUTUAL_STAGES)
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

    @property
    def declined(self) -> bool:
        return self.stage is Stage.ABANDONED

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


def standing(entries) -> set[str]:
    """The sides whose interest stands after ``entries`` (audit rows of one synergy, oldest
    first): an ``interest`` row adds its side, a ``withdraw`` row takes it away."""
    sides: set[str] = set()
    for entry in entries:
        if entry.action == INTEREST:
            sides.add(entry.detail.get("side", ""))
        elif entry.action == WITHDRAW:
            sides.discard(entry.detail.get("side", ""))
    return sides


def interests(session: Session, synergy_id: str) -> set[str]:
    """Sides that said they are interested in a synergy and have not withdrawn it since."""
    return standing(reversed(db.audit_entries(session, entity="synergy", entity_id=synergy_id)))


def pair_status(session: Session, network: Network, stream_id: str, need_id: str) -> PairStatus:
    synergy = synergy_for(network, stream_id, need_id)
    if synergy is None:
        return PairStatus(None, None, False, False)
    sides = interests(session, synergy.id)
    return PairStatus(synergy.id, Stage(synergy.stage), SUPPLIER in sides, RECEIVER in sides)


def express_interest(session: Session, network: Network, stream_id: str, need_id: str, *,
                     side: str, company_id: str, actor: str, quantity_base: int | None = None,
                     outbox: list | None = None) -> PairStatus:  # fmt: skip
    """Record that one side of the pair is interested; returns the new status of the pair.

    The pair is read and written under a lock (:func:`symbiose.db.follow_pair`), so that both
    sides clicking at once make one synergy; a new one carries ``quantity_base`` (the
    suggestion's tradable quantity). New notices are appended to ``outbox``.
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
        other = _other(side)
        if other not in sides:
            _notify(session, network, "interest", synergy.id, stream_id, need_id, [other], {"side": side}, outbox,
                    officer_detail={"company_id": company_id})  # fmt: skip
    stage = Stage(synergy.stage)
    if {SUPPLIER, RECEIVER} <= sides and stage is Stage.CONTACTED:
        synergy = db.set_synergy_stage(session, synergy.id, Stage.IN_DISCUSSION, actor=actor)
        stage = Stage.IN_DISCUSSION
        _notify(session, network, "mutual", synergy.id, stream_id, need_id, [SUPPLIER, RECEIVER], {}, outbox)
    return PairStatus(synergy.id, stage, SUPPLIER in sides, RECEIVER in sides)


def _other(side: str) -> str:
    return RECEIVER if side == SUPPLIER else SUPPLIER


def _notify(session: Session, network: Network, kind: str, synergy_id: str, stream_id: str, need_id: str,
            sides: list[str], detail: dict, outbox: list | None, *, officer_detail: dict | None = None) -> None:  # fmt: skip
    """Notices for the companies of ``sides`` (each about its own stream or need) and the officers
    (with ``officer_detail`` too)."""
    created = notifications.notify_pair(session, kind, synergy_id, stream_id, need_id, sides=sides, detail=detail,
                                        officer_detail=officer_detail)  # fmt: skip
    if outbox is not None:
        outbox.extend(created)


def withdraw_interest(session: Session, network: Network, stream_id: str, need_id: str, *, side: str,
                      company_id: str, actor: str, reason: str = "", outbox: list | None = None) -> PairStatus:  # fmt: skip
    """Withdraw one side's interest in a pair while the other side has not said yes.

    Writes a ``withdraw`` audit row (side, company, pair, the reason if any: the officer's record);
    a synergy left with no interested side goes back from ``contacted`` to ``suggested``, the
    reason in its stage history. The other company is told that an interest in its stream or need
    was withdrawn, and nothing else; the officers are told who. Refused when this side is not
    interested, and after mutual interest (the officer then closes the synergy). The pair is read
    under the lock :func:`express_interest` takes, so a withdrawal and an acceptance at the same
    moment are applied one after the other.
    """
    if side not in (SUPPLIER, RECEIVER):
        raise ValueError(f"side must be '{SUPPLIER}' or '{RECEIVER}', got {side!r}")
    synergy = db.locked_pair(session, stream_id, need_id)
    sides = interests(session, synergy.id) if synergy is not None else set()
    if synergy is None or side not in sides:
        raise ValidationError(_("you have not said you are interested in this pair: there is no interest to withdraw"))
    stage = Stage(synergy.stage)
    if stage in REVEALED_STAGES or {SUPPLIER, RECEIVER} <= sides:
        raise ValidationError(_("both sides are interested already: an interest can no longer be withdrawn; ask the "
                                "network's officer to close the synergy"))  # fmt: skip
    reason = reason.strip()
    detail = {"side": side, "company_id": company_id, "stream_id": stream_id, "need_id": need_id}
    if reason:
        detail["reason"] = reason
    db.record_audit(session, actor, WITHDRAW, "synergy", synergy.id, detail)
    session.flush()
    sides.discard(side)
    if not sides and stage is Stage.CONTACTED:
        # kept in the stage history, which the officer reads: in the page's language
        if reason:
            stored = (_("interest withdrawn by the supplier: {reason}") if side == SUPPLIER
                      else _("interest withdrawn by the receiver: {reason}")).format(reason=reason)  # fmt: skip
        else:
            stored = _("interest withdrawn by the supplier") if side == SUPPLIER else _(
                "interest withdrawn by the receiver")
        synergy = db.set_synergy_stage(session, synergy.id, Stage.SUGGESTED, reason=stored, back=True, actor=actor)
        stage = Stage.SUGGESTED
    _notify(session, network, "withdrawn", synergy.id, stream_id, need_id, [_other(side)], {"side": side}, outbox,
            officer_detail={"company_id": company_id})  # fmt: skip
    return PairStatus(synergy.id, stage, SUPPLIER in sides, RECEIVER in sides)


def decline(session: Session, network: Network, stream_id: str, need_id: str, *, side: str, company_id: str,
            reason: str, actor: str, outbox: list | None = None) -> PairStatus:  # fmt: skip
    """Decline a pair for good: it moves to ``abandoned`` with the reason and is never proposed again."""
    if side not in (SUPPLIER, RECEIVER):
        raise ValueError(f"side must be '{SUPPLIER}' or '{RECEIVER}', got {side!r}")
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("say why you decline this pair (a reason is required; it stays with the officer)"))
    # kept in the history, which the officer reads: in the page's language (French by default)
    stored = (_("declined by the supplier: {reason}") if side == SUPPLIER
              else _("declined by the receiver: {reason}")).format(reason=reason)  # fmt: skip
    synergy = synergy_for(network, stream_id, need_id)
    if synergy is None or Stage(synergy.stage) is Stage.ABANDONED:
        synergy = db.create_synergy(session, stream_id, need_id, actor=actor, stage=Stage.ABANDONED, reason=stored)
    elif Stage(synergy.stage) in REVEALED_STAGES:
        raise ValidationError(_("synergy '{id}' is already {stage}: ask the network's officer to close it").format(
            id=synergy.id, stage=stage_label(synergy.stage)))
    else:
        synergy = db.set_synergy_stage(session, synergy.id, Stage.ABANDONED, reason=stored, actor=actor)
    db.record_audit(session, actor, DECLINE, "synergy", synergy.id,
                    {"side": side, "company_id": company_id, "stream_id": stream_id, "need_id": need_id,
                     "reason": reason})  # fmt: skip
    session.flush()
    sides = interests(session, synergy.id)
    # the other side hears of it only when it had said it was interested
    told = [_other(side)] if _other(side) in sides else []
    _notify(session, network, "declined", synergy.id, stream_id, need_id, told, {"side": side, "reason": reason},
            outbox)  # fmt: skip
    return PairStatus(synergy.id, Stage.ABANDONED, SUPPLIER in sides, RECEIVER in sides)


def notify_stage(session: Session, network: Network, synergy: Synergy, old: str, *,
                 outbox: list | None = None, reason: str = "") -> None:  # fmt: skip
    """Notices for both companies and the officers after an officer moved a synergy; the move's
    ``reason`` is for the officers' notice only (an officer's free text may name a company)."""
    if str(old) == str(synergy.stage):
        return
    from symbiose.db.notifications import stage_detail

    _notify(session, network, "stage", synergy.id, synergy.stream_id, synergy.need_id, [SUPPLIER, RECEIVER],
            stage_detail(old, synergy.stage, reason), outbox)  # fmt: skip



@dataclass(frozen=True, slots=True)
class Incoming:
    """A pair where the other side said it is interested and this company has not answered."""

    synergy_id: str
    stream_id: str
    need_id: str
    side: str  # this company's side
    since: datetime


def incoming(session: Session, network: Network, company_id: str) -> list[Incoming]:
    """Interests addressed to ``company_id``'s streams and needs that it has not answered yet."""
    stages = {s.id: Stage(s.stage) for s in network.synergies}
    mine_streams = {s.id for s in network.streams if s.company_id == company_id}
    mine_needs = {n.id for n in network.needs if n.company_id == company_id}
    entries: dict[str, list] = {}
    latest: dict[str, tuple] = {}  # the pair and the time of the latest interest
    for entry in notifications.interest_entries(session):
        if entry.action not in (INTEREST, WITHDRAW):
            continue
        entries.setdefault(entry.entity_id, []).append(entry)
        if entry.action == INTEREST:
            latest[entry.entity_id] = (entry.detail.get("stream_id", ""), entry.detail.get("need_id", ""),
                                       entry.occurred_at)  # fmt: skip
    out = []
    for synergy_id, rows in entries.items():
        stage = stages.get(synergy_id)
        if stage is None or stage is Stage.ABANDONED or stage in REVEALED_STAGES:
            continue
        said = standing(rows)  # an interest withdrawn is no request
        if not said:
            continue
        stream_id, need_id, since = latest[synergy_id]
        if need_id in mine_needs and SUPPLIER in said and RECEIVER not in said:
            out.append(Incoming(synergy_id, stream_id, need_id, RECEIVER, since))
        elif stream_id in mine_streams and RECEIVER in said and SUPPLIER not in said:
            out.append(Incoming(synergy_id, stream_id, need_id, SUPPLIER, since))
    return sorted(out, key=lambda i: (i.since, i.synergy_id))


def mail(outbox: list, network: Network) -> list[str]:
    """E-mail the notices of ``outbox`` when a mail server is configured (after the commit).

    Returns what could not be sent (an unreadable setting included); nothing when no server is set.
    """
    from symbiose.errors import SymbioseError
    from symbiose.notify import SmtpSettings, send_notices

    try:
        settings = SmtpSettings.from_env()
    except SymbioseError as exc:
        return [str(exc)]
    emails = {c.id: c.contact_email for c in network.companies}
    return send_notices(settings, outbox, lambda company_id: emails.get(company_id, ""))
