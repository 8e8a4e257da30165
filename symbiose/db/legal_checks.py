"""The legal path and checklist an officer keeps with each synergy (see :mod:`symbiose.legal`).

Every save writes a ``legal`` audit entry with the values before and after.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from symbiose.db.audit import append as record_audit
from symbiose.db.models import LegalCheckRow, SynergyRow
from symbiose.errors import NotFoundError, ValidationError
from symbiose.i18n import _
from symbiose.legal import LegalPath, checklist


@dataclass(frozen=True, slots=True)
class LegalCheck:
    synergy_id: str
    path: LegalPath
    checks: dict[str, bool]
    notes: str
    updated_at: datetime
    updated_by: str

    @property
    def done(self) -> int:
        return sum(1 for item in checklist(self.path) if self.checks.get(item.id))


def _value(row: LegalCheckRow) -> LegalCheck:
    return LegalCheck(
        row.synergy_id,
        LegalPath(row.path),
        {str(k): bool(v) for k, v in json.loads(row.checks or "{}").items()},
        row.notes,
        row.updated_at,
        row.updated_by,
    )


def get_legal_check(session: Session, synergy_id: str) -> LegalCheck | None:
    """The stored legal path and checklist of a synergy (None when none was kept yet)."""
    row = session.get(LegalCheckRow, synergy_id)
    return None if row is None else _value(row)


def save_legal_check(
    session: Session,
    synergy_id: str,
    path: LegalPath | str,
    checks: dict[str, bool],
    *,
    notes: str = "",
    actor: str,
) -> LegalCheck:
    """Store the path and the ticked items (unknown item ids are refused); audited."""
    if session.get(SynergyRow, synergy_id) is None:
        raise NotFoundError(_("no synergy with id '{id}'").format(id=synergy_id))
    try:
        path = LegalPath(str(path))
    except ValueError:
        raise ValidationError(
            _("unknown legal path '{path}'; use one of {paths}").format(
                path=path, paths=", ".join(p.value for p in LegalPath)
            )
        ) from None
    known = {item.id for item in checklist(path)}
    unknown = sorted(set(checks) - known)
    if unknown:
        raise ValidationError(
            _("checklist items {items} do not belong to the path '{path}'").format(
                items=", ".join(unknown), path=path.value
            )
        )
    row = session.get(LegalCheckRow, synergy_id)
    before = None if row is None else {"path": row.path, "checks": json.loads(row.checks),
                                       "notes": row.notes}  # fmt: skip
    values = {"path": path.value, "checks": {k: bool(checks.get(k)) for k in sorted(known)},
              "notes": notes.strip()}  # fmt: skip
    if before == values:
        return _value(row)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    if row is None:
        row = LegalCheckRow(synergy_id=synergy_id)
        session.add(row)
    row.path = values["path"]
    row.checks = json.dumps(values["checks"], sort_keys=True)
    row.notes = values["notes"]
    row.updated_at = now
    row.updated_by = actor
    session.flush()
    record_audit(session, actor, "legal", "synergy", synergy_id, {"before": before, "after": values})
    return _value(row)
