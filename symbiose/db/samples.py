"""Requests for a sample of a catalogue resource (see :mod:`symbiose.catalogue`).

A visitor (a company, a researcher) asks; the request is stored and audited; the officer sees the
producers behind the catalogue row and decides whether to introduce them (``introduced``) or not
(``declined``, with a note). The requester never learns who the producers are from the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from symbiose.contacts import email_problem
from symbiose.db.audit import append as record_audit
from symbiose.db.models import SampleRequestRow
from symbiose.errors import NotFoundError, Problem, ValidationError
from symbiose.i18n import _


class RequestStatus(StrEnum):
    NEW = "new"
    INTRODUCED = "introduced"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class SampleRequest:
    id: int
    created_at: datetime
    item_key: str
    item_label: str
    requester: str
    organisation: str
    email: str
    message: str
    status: RequestStatus
    decided_by: str = ""
    decided_at: datetime | None = None
    decision_note: str = ""


def _value(row: SampleRequestRow) -> SampleRequest:
    return SampleRequest(
        row.id, row.created_at, row.item_key, row.item_label, row.requester, row.organisation,
        row.email, row.message, RequestStatus(row.status), row.decided_by, row.decided_at,
        row.decision_note,
    )  # fmt: skip


def create_sample_request(
    session: Session,
    *,
    item_key: str,
    item_label: str,
    requester: str,
    organisation: str,
    email: str,
    message: str,
    actor: str,
) -> SampleRequest:
    """Store a request (every field problem reported at once); writes a ``request`` audit row."""
    problems = []
    if not item_key.strip():
        problems.append(Problem("form", None, "item", _("choose a resource of the catalogue")))
    if not requester.strip():
        problems.append(Problem("form", None, "requester", _("your name is required")))
    wrong = email_problem(email) if email.strip() else _(
        "'{email}' is not an e-mail address; write one like name@example.org").format(email="")  # fmt: skip
    if wrong:
        problems.append(Problem("form", None, "email", wrong))
    if len(message) > 4000:
        problems.append(Problem("form", None, "message", _("the message has more than 4000 characters")))
    if problems:
        raise ValidationError(problems)
    row = SampleRequestRow(
        created_at=datetime.now(UTC),
        item_key=item_key.strip()[:200],
        item_label=item_label.strip(),
        requester=requester.strip()[:200],
        organisation=organisation.strip()[:300],
        email=email.strip()[:320],
        message=message.strip(),
        status=RequestStatus.NEW.value,
        decided_by="",
        decision_note="",
    )
    session.add(row)
    session.flush()
    record_audit(session, actor, "request", "sample_request", str(row.id),
                 {"item": row.item_key, "requester": row.requester,
                  "organisation": row.organisation})  # fmt: skip
    return _value(row)


def list_sample_requests(session: Session) -> list[SampleRequest]:
    """Every request, the undecided ones first, newest first."""
    undecided_first = case((SampleRequestRow.status == RequestStatus.NEW.value, 0), else_=1)
    query = select(SampleRequestRow).order_by(undecided_first, SampleRequestRow.id.desc())
    return [_value(r) for r in session.scalars(query)]


def decide_sample_request(
    session: Session, request_id: int, status: RequestStatus | str, *, note: str = "", actor: str
) -> SampleRequest:
    """The officer's decision: ``introduced`` or ``declined`` (a note is required to decline)."""
    row = session.get(SampleRequestRow, request_id)
    if row is None:
        raise NotFoundError(_("no sample request with id {id}").format(id=request_id))
    try:
        status = RequestStatus(str(status))
    except ValueError:
        status = None  # type: ignore[assignment]
    if status not in (RequestStatus.INTRODUCED, RequestStatus.DECLINED):
        raise ValidationError(_("a decision is 'introduced' or 'declined'"))
    if status is RequestStatus.DECLINED and not note.strip():
        raise ValidationError(_("say why the request is declined (a note is required)"))
    before = row.status
    row.status = status.value
    row.decided_by = actor
    row.decided_at = datetime.now(UTC)
    row.decision_note = note.strip()
    session.flush()
    record_audit(session, actor, "decide", "sample_request", str(row.id),
                 {"from": before, "to": status.value, "note": row.decision_note})  # fmt: skip
    return _value(row)
