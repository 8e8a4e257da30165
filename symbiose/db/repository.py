"""Reading and writing the network, synergies, users, the audit log and the geocoding cache.

Every function takes an open :class:`~sqlalchemy.orm.Session` and never commits: the caller owns
the transaction (``with session.begin(): save_network(session, network)``), so an import is
all-or-nothing. Functions return :mod:`symbiose.domain` values (or the small frozen values defined
here), never ORM rows.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Collection, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from symbiose.db import audit
from symbiose.db.concurrency import (
    MODELS,
    RECORD_WORDS,
    changed_since_error,
    deleted_since_error,
    flush_versioned,
    local_time,
    lock_for_write,
    locked_row,
    next_id,
    record_label,
)
from symbiose.db.models import (
    AuditRow,
    Base,
    CompanyRow,
    GeocodeRow,
    NeedRow,
    StageChangeRow,
    StreamRow,
    SynergyRow,
    UserRow,
)
from symbiose.domain import (
    Company,
    Need,
    Network,
    PhysicalState,
    Route,
    Stage,
    Stream,
    Synergy,
    format_months,
    parse_months,
)
from symbiose.errors import (
    ImportValidationError,
    NotFoundError,
    Problem,
    ValidationError,
)
from symbiose.i18n import _, fmt_decimal
from symbiose.ranges import price_problem, quantity_problem
from symbiose.stages import Move, move_kind, move_problem, synergy_problems
from symbiose.units import BASE_PER_UNIT, Unit

TABLES = ("companies", "streams", "needs", "synergies")
STAGE_VALUES = frozenset(s.value for s in Stage)
_CHUNK = 500


# --------------------------------------------------------------------------------------------
# rows <-> domain values


def _company_values(c: Company) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "latitude": float(c.latitude),
        "longitude": float(c.longitude),
        "commune": c.commune,
        "insee_code": c.insee_code,
        "postal_code": c.postal_code,
        "naf_code": c.naf_code,
        "siret": c.siret,
        "address": c.address,
        "contact_name": c.contact_name,
        "contact_email": c.contact_email,
        "contact_phone": c.contact_phone,
        "notes": c.notes,
        "freight_access": ";".join(c.freight_access),
    }


def _stream_values(s: Stream) -> dict[str, Any]:
    return {
        "id": s.id,
        "company_id": s.company_id,
        "quantity_base": s.quantity_base,
        "unit": Unit(s.unit).value,
        "ewc_code": s.ewc_code,
        "material": s.material,
        "description": s.description,
        "physical_state": PhysicalState(s.physical_state).value,
        "months": format_months(tuple(s.months)),
        "route": Route(s.route).value,
        "route_cost_cents": s.route_cost_cents,
        "notes": s.notes,
        "bulk_density_t_per_m3": s.bulk_density_t_per_m3,
        "storage_months": s.storage_months,
        "temperature_c": s.temperature_c,
        "forms": ";".join(s.forms),
        "standards": ";".join(s.standards),
        "destination": s.destination,
        "destination_category": s.destination_category,
    }


def _need_values(n: Need) -> dict[str, Any]:
    return {
        "id": n.id,
        "company_id": n.company_id,
        "quantity_base": n.quantity_base,
        "unit": Unit(n.unit).value,
        "category": n.category,
        "accepted_codes": ",".join(n.accepted_codes),
        "description": n.description,
        "virgin_price_cents": n.virgin_price_cents,
        "max_distance_km": None if n.max_distance_km is None else float(n.max_distance_km),
        "months": format_months(tuple(n.months)),
        "hazardous_permit": bool(n.hazardous_permit),
        "notes": n.notes,
        "min_temperature_c": n.min_temperature_c,
        "accepted_states": ";".join(n.accepted_states),
        "required_forms": ";".join(n.required_forms),
        "refused_forms": ";".join(n.refused_forms),
        "required_standards": ";".join(n.required_standards),
        "gate_fee_cents": n.gate_fee_cents,
        "permit": n.permit,
        "max_temperature_c": n.max_temperature_c,
        "approvals": ";".join(n.approvals),
    }


def _synergy_values(s: Synergy) -> dict[str, Any]:
    return {
        "id": s.id,
        "stream_id": s.stream_id,
        "need_id": s.need_id,
        "stage": Stage(s.stage).value,
        "quantity_base": s.quantity_base,
        "abandoned_reason": s.abandoned_reason,
        "created_on": s.created_on,
        "updated_on": s.updated_on,
        "notes": s.notes,
    }


def company_from_row(row: CompanyRow) -> Company:
    return Company(
        id=row.id,
        name=row.name,
        latitude=row.latitude,
        longitude=row.longitude,
        commune=row.commune,
        insee_code=row.insee_code,
        postal_code=row.postal_code,
        naf_code=row.naf_code,
        siret=row.siret,
        address=row.address,
        contact_name=row.contact_name,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        notes=row.notes,
        freight_access=tuple(x for x in (row.freight_access or "").split(";") if x),
    )


def stream_from_row(row: StreamRow) -> Stream:
    return Stream(
        id=row.id,
        company_id=row.company_id,
        quantity_base=row.quantity_base,
        unit=Unit(row.unit),
        ewc_code=row.ewc_code,
        material=row.material,
        description=row.description,
        physical_state=PhysicalState(row.physical_state),
        months=parse_months(row.months),
        route=Route(row.route),
        route_cost_cents=row.route_cost_cents,
        notes=row.notes,
        bulk_density_t_per_m3=row.bulk_density_t_per_m3,
        storage_months=row.storage_months,
        temperature_c=row.temperature_c,
        forms=_split(row.forms),
        standards=_split(row.standards),
        destination=row.destination or "",
        destination_category=row.destination_category or "",
    )


def need_from_row(row: NeedRow) -> Need:
    return Need(
        id=row.id,
        company_id=row.company_id,
        quantity_base=row.quantity_base,
        unit=Unit(row.unit),
        category=row.category,
        accepted_codes=tuple(code for code in row.accepted_codes.split(",") if code),
        description=row.description,
        virgin_price_cents=row.virgin_price_cents,
        max_distance_km=row.max_distance_km,
        months=parse_months(row.months),
        hazardous_permit=bool(row.hazardous_permit),
        notes=row.notes,
        min_temperature_c=row.min_temperature_c,
        accepted_states=_split(row.accepted_states),
        required_forms=_split(row.required_forms),
        refused_forms=_split(row.refused_forms),
        required_standards=_split(row.required_standards),
        gate_fee_cents=row.gate_fee_cents or 0,
        permit=row.permit or "",
        max_temperature_c=row.max_temperature_c,
        approvals=_split(row.approvals),
    )


def _split(text: str | None) -> tuple[str, ...]:
    """A ';'-separated list stored in one column (forms, states, standards)."""
    return tuple(x for x in (text or "").split(";") if x)


def synergy_from_row(row: SynergyRow) -> Synergy:
    return Synergy(
        id=row.id,
        stream_id=row.stream_id,
        need_id=row.need_id,
        stage=Stage(row.stage),
        quantity_base=row.quantity_base,
        abandoned_reason=row.abandoned_reason,
        created_on=row.created_on,
        updated_on=row.updated_on,
        notes=row.notes,
    )


# --------------------------------------------------------------------------------------------
# the network


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """Rows created, updated and left unchanged per table by :func:`save_network`."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    @property
    def changed(self) -> bool:
        return bool(self.total_created or self.total_updated)

    def rows(self) -> list[tuple[str, int, int, int]]:
        """(table, created, updated, unchanged) for each table, in load order."""
        return [(t, self.created[t], self.updated[t], self.unchanged[t]) for t in TABLES]

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {t: {"created": c, "updated": u, "unchanged": n} for t, c, u, n in self.rows()}

    def __str__(self) -> str:
        return "; ".join(
            f"{t}: {c} created, {u} updated, {n} unchanged" for t, c, u, n in self.rows()
        )


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _rows_by_id(session: Session, model: type[Base], ids: Iterable[str]) -> dict[str, Any]:
    wanted = sorted(set(ids))
    found: dict[str, Any] = {}
    for chunk in _chunks(wanted):
        for row in session.scalars(select(model).where(model.id.in_(chunk))):  # type: ignore[attr-defined]
            found[row.id] = row
    return found


def _stored_units(session: Session, model: type[Base], ids: Iterable[str]) -> dict[str, str]:
    """The stored unit of each of ``ids`` that is stored (two columns read, not whole rows: every
    import of streams and needs asks it)."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(ids))):
        found.update((i, u) for i, u in session.execute(select(model.id, model.unit).where(model.id.in_(chunk))))  # type: ignore[attr-defined]
    return found


def _stored_ids(session: Session, model: type[Base], ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(session.scalars(select(model.id).where(model.id.in_(chunk))))  # type: ignore[attr-defined]
    return found


def _check_network(session: Session, network: Network) -> list[Problem]:
    """Problems that would make the import fail: duplicate ids, dangling references, bad enums."""
    problems: list[Problem] = []

    def add(table: str, column: str, message: str) -> None:
        problems.append(Problem(f"{table}.csv", None, column, message))

    def missing(model: type[Base], wanted: set[str], bundled: set[str]) -> set[str]:
        outside = wanted - bundled
        return outside - _stored_ids(session, model, outside) if outside else set()

    tables: dict[str, Sequence[Any]] = {
        "companies": network.companies,
        "streams": network.streams,
        "needs": network.needs,
        "synergies": network.synergies,
    }
    for table, items in tables.items():
        seen: set[str] = set()
        for item in items:
            if not str(item.id).strip():
                add(table, "id", "an id is empty")
            elif item.id in seen:
                add(table, "id", f"id '{item.id}' appears twice; ids must be unique in a table")
            seen.add(item.id)

    bundled_companies = {c.id for c in network.companies}
    for table, items in (("streams", network.streams), ("needs", network.needs)):
        what = table[:-1]
        absent = missing(CompanyRow, {i.company_id for i in items}, bundled_companies)
        for item in items:
            if item.company_id in absent:
                add(
                    table,
                    "company_id",
                    f"{what} '{item.id}' names company '{item.company_id}', "
                    "which is neither in companies.csv nor already stored; add it or fix the id",
                )
            if str(item.unit) not in {u.value for u in Unit}:
                add(
                    table,
                    "unit",
                    f"{what} '{item.id}': unknown unit '{item.unit}'; use t, m3 or MWh",
                )
            if not isinstance(item.quantity_base, int) or item.quantity_base < 0:
                add(table, "quantity", f"{what} '{item.id}': the quantity must be a number >= 0")
            elif message := quantity_problem(item.quantity_base, str(item.unit)):
                add(table, "quantity", f"{what} '{item.id}': {message}")
            price_column, cents = (
                ("route_cost_eur_per_unit", item.route_cost_cents)
                if table == "streams"
                else ("virgin_price_eur_per_unit", item.virgin_price_cents)
            )
            if message := price_problem(cents):
                add(table, price_column, f"{what} '{item.id}': {message}")

    synergies = network.synergies
    absent_streams = missing(
        StreamRow, {s.stream_id for s in synergies}, {s.id for s in network.streams}
    )
    absent_needs = missing(NeedRow, {s.need_id for s in synergies}, {n.id for n in network.needs})
    stages = {s.value for s in Stage}
    units = {st.id: str(st.unit) for st in network.streams}
    for syn in synergies:
        unit = units.get(syn.stream_id) or _stored_unit(session, syn.stream_id) or Unit.MWH.value
        if message := quantity_problem(syn.quantity_base, unit):
            add("synergies", "quantity", f"synergy '{syn.id}': {message}")
        if syn.stream_id in absent_streams:
            add(
                "synergies",
                "stream_id",
                f"synergy '{syn.id}' names stream '{syn.stream_id}', "
                "which is neither in streams.csv nor already stored",
            )
        if syn.need_id in absent_needs:
            add(
                "synergies",
                "need_id",
                f"synergy '{syn.id}' names need '{syn.need_id}', "
                "which is neither in needs.csv nor already stored",
            )
        if str(syn.stage) not in stages:
            add(
                "synergies",
                "stage",
                f"synergy '{syn.id}': unknown stage '{syn.stage}'; "
                f"use one of {', '.join(sorted(stages))}",
            )
        elif Stage(syn.stage) is Stage.ABANDONED and not syn.abandoned_reason.strip():
            add(
                "synergies",
                "abandoned_reason",
                f"synergy '{syn.id}' is abandoned without a reason; say why",
            )
    return problems + unit_change_problems(session, network)


def unit_change_problems(session: Session, network: Network, read: Any = None) -> list[Problem]:
    """A stream's or need's unit that ``network`` changes (t <-> m3) while a followed synergy
    records a quantity for it: the stored quantity would be read in the new unit (« 6 650 t »
    becoming « 6 650 m3 »), so the change is refused unless the same network gives that synergy
    its quantity. ``read`` (a :class:`~symbiose.bundle.BundleFile`): the file's own sheet, rows and
    headers are named, and a synergy's quantity counts as given only when its row has the column;
    without it, a synergy of ``network`` gives its quantity."""
    from symbiose.labels import stage_label

    changed: dict[str, dict[str, tuple[str, str]]] = {}
    for table, model, items in (("streams", StreamRow, network.streams), ("needs", NeedRow, network.needs)):
        stored = _stored_units(session, model, [x.id for x in items])
        changed[table] = {x.id: (stored[x.id], str(x.unit)) for x in items
                          if x.id in stored and stored[x.id] != str(x.unit)}  # fmt: skip
    if not changed["streams"] and not changed["needs"]:
        return []
    incoming = {y.id: y for y in network.synergies}
    if read is not None and "quantity" not in read.columns.get("synergies", ()):
        given: set[str] = set()
    else:
        given = {y.id for y in network.synergies}
    followed = session.scalars(
        select(SynergyRow).where(SynergyRow.quantity_base.is_not(None), SynergyRow.stage != Stage.ABANDONED.value,
                                 SynergyRow.stream_id.in_(list(changed["streams"]))
                                 | SynergyRow.need_id.in_(list(changed["needs"])))
        .order_by(SynergyRow.id)
    ).all()  # fmt: skip
    stream_units = {x.id: str(x.unit) for x in network.streams}
    problems = []
    for row in followed:
        if row.id in given or str(getattr(incoming.get(row.id), "stage", "")) == Stage.ABANDONED.value:
            continue
        unit = _stored_unit(session, row.stream_id) or ""
        amount = fmt_decimal(row.quantity_base / BASE_PER_UNIT, 3)
        for table, record_id in (("streams", row.stream_id), ("needs", row.need_id)):
            if record_id not in changed[table]:
                continue
            old, new = changed[table][record_id]
            values = {"record": _("stream {id}") if table == "streams" else _("need {id}"), "old": old, "new": new,
                      "synergy": row.id, "stage": stage_label(row.stage),
                      "quantity": f"{amount}\u00a0{unit}", "reread": f"{amount}\u00a0{stream_units.get(row.stream_id, new)}"}  # fmt: skip
            values["record"] = values["record"].format(id=record_id)
            if table == "streams":
                message = _("{record}: its unit changes from {old} to {new}, but synergy {synergy} ({stage}) records "
                            "{quantity} per year of it, which would then read {reread}")  # fmt: skip
            else:
                message = _("{record}: its unit changes from {old} to {new}, but synergy {synergy} ({stage}) records "
                            "{quantity} per year for it, agreed while the need was counted in {old}")  # fmt: skip
            how = _("; give the synergy's quantity in the new unit in the same import (a synergies sheet with a "
                    "quantity column), or change the synergy first")  # fmt: skip
            if read is not None:
                file, line, column = read.locate(table, record_id, "unit")
            else:
                file, line, column = f"{table}.csv", None, "unit"
            problems.append(Problem(file, line, column, message.format(**values) + how))
    return problems


def _stored_unit(session: Session, stream_id: str) -> str | None:
    return session.scalar(select(StreamRow.unit).where(StreamRow.id == stream_id))


def record_audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one row to the audit log (``detail`` is stored as JSON) in the caller's transaction.

    The row is chained to the one before it (see :mod:`symbiose.db.audit`)."""
    audit.append(session, actor, action, entity, entity_id, detail)


_audit = record_audit  # former private name, kept for callers that used it


def stage_move_problems(session: Session, network: Network, *, restore: bool = False, label: str = "synergies.csv",
                        rows: dict[str, int] | None = None, column: str = "stage") -> list[Problem]:  # fmt: skip
    """The stage moves of ``network``'s synergies that a file may not make: going back, or
    reopening an abandoned synergy (``restore``, an import's undo, may). Named at ``label``, the
    synergy's row of ``rows`` and ``column`` (the file's, as it heads the column: ``etape``)."""
    from symbiose.labels import stage_label

    problems = []
    stored_synergies = _rows_by_id(session, SynergyRow, [y.id for y in network.synergies])
    for syn in network.synergies:
        row = stored_synergies.get(syn.id)
        if row is None or str(syn.stage) == row.stage or str(syn.stage) not in STAGE_VALUES:
            continue
        # an abandoned synergy without a reason is reported by _check_network already
        reason = syn.abandoned_reason or "-"
        if not move_problem(syn.id, row.stage, syn.stage, reason=reason, back=restore, reopen=restore):
            continue
        if move_kind(row.stage, syn.stage) is Move.REOPEN:
            message = _(
                "synergy {id} is abandoned in the database; a file does not reopen it to {new}: keep "
                "{old} in the file, or reopen it on the Pipeline page (or with 'symbiose synergy-stage'), "
                "with a reason")  # fmt: skip
        else:
            message = _(
                "synergy {id} is at stage {old} in the database; a file does not move it back to {new}: keep "
                "{old} in the file, or move it on the Pipeline page (or with 'symbiose synergy-stage'), with a "
                "reason")  # fmt: skip
        problems.append(Problem(label, (rows or {}).get(syn.id), column, message.format(
            id=syn.id, old=stage_label(row.stage), new=stage_label(syn.stage))))  # fmt: skip
    return problems


def save_network(
    session: Session,
    network: Network,
    *,
    actor: str = "system",
    restore: bool = False,
    audit: bool = True,
    reason: str = "",
) -> ImportSummary:
    """Insert or update every company, stream, need and synergy of ``network`` by id.

    Rows of the database that the network does not mention are kept. References, plausible
    ranges (:mod:`symbiose.ranges`) and stage moves (:mod:`symbiose.stages`: going back or
    reopening an abandoned synergy cannot come from a file) are checked against the network and
    the stored rows; every problem found is raised at once as an
    :class:`~symbiose.errors.ImportValidationError` before anything is written. After writing,
    every followed synergy the network touches (itself, or through its stream or need) must obey
    the matcher's rules (:func:`symbiose.stages.synergy_problems`); a failure then, or a database
    constraint, is raised the same way and the caller's transaction must be rolled back
    (``with session.begin():`` does it), so nothing of the import remains. A row changed by
    someone else while the import ran raises :class:`~symbiose.errors.ConcurrentEditError`.

    A synergy without dates gets ``created_on`` today when created and ``updated_on`` today when
    changed; dates left empty in the network never erase stored ones. Writes one ``import`` row
    in the audit log when anything changed, a ``stage`` row per synergy whose stage changed, and
    the stage history of every synergy created or moved.

    ``restore=True`` (putting back what an import changed) lets stages move back and abandoned
    synergies reopen; the moves are written in the stage history like any other, with ``reason``
    (which import they take back).
    """
    from symbiose.db.imports import length_problems

    problems = _check_network(session, network) + length_problems(network)
    problems += stage_move_problems(session, network, restore=restore)
    if problems:
        raise ImportValidationError(problems)
    summary = ImportSummary()
    now = datetime.now(UTC)
    today = date.today()
    stage_changes: list[tuple[str, str, str]] = []
    history: list[dict[str, Any]] = []
    plan: list[tuple[str, type[Base], Sequence[Any], Any]] = [
        ("companies", CompanyRow, network.companies, _company_values),
        ("streams", StreamRow, network.streams, _stream_values),
        ("needs", NeedRow, network.needs, _need_values),
        ("synergies", SynergyRow, network.synergies, _synergy_values),
    ]
    for table, model, items, to_values in plan:
        existing = _rows_by_id(session, model, [item.id for item in items])
        new_rows: list[dict[str, Any]] = []
        for item in items:
            values = to_values(item)
            row = existing.get(item.id)
            if table == "synergies":
                if row is not None:
                    for key in ("created_on", "updated_on"):
                        if values[key] is None:
                            values[key] = getattr(row, key)
                else:
                    values["created_on"] = values["created_on"] or today
                    values["updated_on"] = values["updated_on"] or values["created_on"]
            if row is None:
                new_rows.append({**values, "version": 1, "updated_by": actor, "updated_at": now})
                summary.created[table] += 1
                if table == "synergies":
                    history.append(_history_values(values["id"], None, values["stage"], actor, now,
                                                   values["abandoned_reason"], values["quantity_base"]))  # fmt: skip
                continue
            changes = {k: v for k, v in values.items() if getattr(row, k) != v}
            if not changes:
                summary.unchanged[table] += 1
                continue
            if table == "synergies":
                if "stage" in changes:
                    stage_changes.append((row.id, row.stage, values["stage"]))
                    history.append(_history_values(row.id, row.stage, values["stage"], actor, now,
                                                   reason or values["abandoned_reason"], values["quantity_base"]))  # fmt: skip
                if item.updated_on is None:
                    changes["updated_on"] = today
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_by, row.updated_at = actor, now
            summary.updated[table] += 1
        try:
            flush_versioned(session, table)
            if new_rows:  # one bulk INSERT (executemany): far faster than one ORM object per row
                session.execute(insert(model), new_rows)
        except IntegrityError as exc:
            raise ImportValidationError(
                Problem(
                    f"{table}.csv",
                    None,
                    None,
                    f"the database refused the rows ({exc.orig}); nothing was imported",
                )
            ) from exc
    if history:
        session.execute(insert(StageChangeRow), history)
    for synergy_id, old, new in stage_changes:
        _audit(
            session,
            actor,
            "stage",
            "synergy",
            synergy_id,
            {"from": old, "to": new, "via": "import"},
        )
    rule_problems = check_synergy_rules(
        session,
        synergy_ids=[y.id for y in network.synergies],
        stream_ids=[s.id for s in network.streams],
        need_ids=[n.id for n in network.needs],
    )
    if rule_problems:
        raise ImportValidationError(rule_problems)
    if summary.changed and audit:  # audit=False: the caller logs the import itself
        _audit(session, actor, "import", "network", network.name, summary.as_dict())
    session.flush()
    return summary


def _history_values(synergy_id: str, old: str | None, new: str, actor: str, when: datetime,
                    reason: str = "", quantity_base: int | None = None) -> dict[str, Any]:  # fmt: skip
    return {"synergy_id": synergy_id, "occurred_at": when, "actor": actor, "from_stage": old,
            "to_stage": new, "reason": reason or "", "quantity_base": quantity_base}  # fmt: skip


# --------------------------------------------------------------------------------------------
# the matcher's rules on followed synergies


def check_synergy_rules(
    session: Session,
    *,
    synergy_ids: Collection[str] = (),
    stream_ids: Collection[str] = (),
    need_ids: Collection[str] = (),
    form: bool = False,
) -> list[Problem]:
    """Problems of the stored, followed synergies that these ids touch (see
    :func:`symbiose.stages.synergy_problems`), each naming the synergy and the rule. A synergy
    whose quantity no longer fits its stream or need is told how to proceed: lower its quantity
    first, or (an import, not a ``form``) in the same import."""
    synergy_ids, stream_ids, need_ids = set(synergy_ids), set(stream_ids), set(need_ids)
    if not (synergy_ids or stream_ids or need_ids):
        return []
    rows = list(session.scalars(
        select(SynergyRow).where(SynergyRow.stage != Stage.ABANDONED.value).order_by(SynergyRow.id)
    ))  # fmt: skip
    touched = [r for r in rows if r.id in synergy_ids or r.stream_id in stream_ids or r.need_id in need_ids]
    if not touched:
        return []
    streams = {i: stream_from_row(r) for i, r in _rows_by_id(session, StreamRow, {r.stream_id for r in touched}).items()}
    needs = {i: need_from_row(r) for i, r in _rows_by_id(session, NeedRow, {r.need_id for r in touched}).items()}

    def place(y: Synergy) -> tuple[str, int | None] | None:
        if y.id in synergy_ids:
            return "synergies.csv", None
        if y.stream_id in stream_ids:
            return "streams.csv", None
        return ("needs.csv", None) if y.need_id in need_ids else None

    return _followed_rule_problems([synergy_from_row(r) for r in rows], streams, needs, place,
                                   synergies_file=None if form else "synergies.csv")  # fmt: skip


def _followed_rule_problems(followed: list[Synergy], streams: dict[str, Stream], needs: dict[str, Need],
                            place: Callable[[Synergy], tuple[str, int | None] | None], *,
                            synergies_file: str | None) -> list[Problem]:  # fmt: skip
    """The matcher's rules on the followed (not abandoned) synergies that ``place`` names a file and
    row for; what the other implemented synergies of a stream or need already carry counts. A
    quantity rule broken through the synergy's stream or need (not its own row) says to lower the
    synergy's quantity first, or in the same import (its file ``synergies_file``; None: a form)."""
    committed_stream: dict[str, int] = {}
    committed_need: dict[str, int] = {}
    for y in followed:
        if str(y.stage) == Stage.IMPLEMENTED.value and y.quantity_base:
            committed_stream[y.stream_id] = committed_stream.get(y.stream_id, 0) + y.quantity_base
            committed_need[y.need_id] = committed_need.get(y.need_id, 0) + y.quantity_base
    problems: list[Problem] = []
    for y in followed:
        where = place(y)
        stream, need = streams.get(y.stream_id), needs.get(y.need_id)
        if where is None or stream is None or need is None:
            continue  # untouched, or a missing reference (reported by the import's own checks)
        own = (y.quantity_base or 0) if str(y.stage) == Stage.IMPLEMENTED.value else 0
        committed = {"stream_committed_base": committed_stream.get(y.stream_id, 0) - own,
                     "need_committed_base": committed_need.get(y.need_id, 0) - own}
        found = synergy_problems(y, stream, need, **committed)
        if found and y.quantity_base and where[0] != (synergies_file or "synergies.csv"):
            # the rules the quantity alone breaks: told how to lower it
            other = set(synergy_problems(dataclasses.replace(y, quantity_base=None), stream, need, **committed))
            found = [m if m in other else _lower_first(m, y.id, synergies_file) for m in found]
        problems += [_rule_problem(*where, y.id, y.stream_id, y.need_id, str(y.stage), m) for m in found]
    return problems


def _lower_first(rule: str, synergy_id: str, synergies_file: str | None) -> str:
    """A quantity rule broken by a stream's or need's new quantity, with how to proceed."""
    if synergies_file is None:
        return _("{rule}; lower the recorded quantity of synergy {id} first (Pipeline page, or 'symbiose "
                 "synergy-quantity {id} QUANTITY')").format(rule=rule, id=synergy_id)  # fmt: skip
    return _("{rule}; lower the recorded quantity of synergy {id} first (Pipeline page, or 'symbiose "
             "synergy-quantity {id} QUANTITY'), or give it its new quantity in the same import ({file})").format(
        rule=rule, id=synergy_id, file=synergies_file)  # fmt: skip


def _rule_problem(file: str, row: int | None, synergy_id: str, stream_id: str, need_id: str, stage: str,
                  rule: str) -> Problem:  # fmt: skip
    from symbiose.labels import stage_label

    return Problem(file, row, None, _(
        "synergy {id} ({stream} -> {need}, {stage}) breaks a rule of the matcher: {rule}"
    ).format(id=synergy_id, stream=stream_id, need=need_id, stage=stage_label(stage), rule=rule))  # fmt: skip


def planned_synergy_rule_problems(stored: Network, incoming: Network, *, labels: dict[str, str] | None = None,
                                  rows: dict[str, dict[str, int]] | None = None) -> list[Problem]:  # fmt: skip
    """:func:`check_synergy_rules` on the network an import would leave, before anything is
    written: the preview refuses what the import would refuse. Each problem names the file (its
    own name, ``labels``) and the row (``rows``) of the record that touches the synergy: the
    synergy's own row, else its stream's, else its need's."""
    labels, rows = labels or {}, rows or {}
    synergies = {y.id: y for y in stored.synergies} | {y.id: y for y in incoming.synergies}
    streams = {x.id: x for x in stored.streams} | {x.id: x for x in incoming.streams}
    needs = {n.id: n for n in stored.needs} | {n.id: n for n in incoming.needs}
    new = {"synergies": {y.id for y in incoming.synergies}, "streams": {x.id for x in incoming.streams},
           "needs": {n.id for n in incoming.needs}}  # fmt: skip

    def place(y: Synergy) -> tuple[str, int | None] | None:
        for table, record in (("synergies", y.id), ("streams", y.stream_id), ("needs", y.need_id)):
            if record in new[table]:
                return labels.get(table, f"{table}.csv"), rows.get(table, {}).get(record)
        return None

    followed = [y for _, y in sorted(synergies.items()) if str(y.stage) != Stage.ABANDONED.value]
    return _followed_rule_problems(followed, streams, needs, place,
                                   synergies_file=labels.get("synergies", "synergies.csv"))  # fmt: skip


def load_network(session: Session, *, name: str = "") -> Network:
    """The whole stored network, every table sorted by id."""
    return Network(
        companies=tuple(
            map(company_from_row, session.scalars(select(CompanyRow).order_by(CompanyRow.id)))
        ),
        streams=tuple(
            map(stream_from_row, session.scalars(select(StreamRow).order_by(StreamRow.id)))
        ),
        needs=tuple(map(need_from_row, session.scalars(select(NeedRow).order_by(NeedRow.id)))),
        synergies=tuple(
            map(synergy_from_row, session.scalars(select(SynergyRow).order_by(SynergyRow.id)))
        ),
        name=name,
    )


def counts(session: Session) -> dict[str, int]:
    """Number of rows of the network tables, users and audit log."""
    models: dict[str, type[Base]] = {
        "companies": CompanyRow,
        "streams": StreamRow,
        "needs": NeedRow,
        "synergies": SynergyRow,
        "users": UserRow,
        "audit_log": AuditRow,
    }
    return {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in models.items()
    }


def is_empty(session: Session) -> bool:
    """True when no company is stored."""
    return session.scalar(select(func.count()).select_from(CompanyRow)) == 0


def company_ids(session: Session) -> set[str]:
    return set(session.scalars(select(CompanyRow.id)))


def stream_ids(session: Session) -> set[str]:
    return set(session.scalars(select(StreamRow.id)))


def need_ids(session: Session) -> set[str]:
    return set(session.scalars(select(NeedRow.id)))


def read_bundle_for(session: Session, path: str | Path) -> Network:
    """Read a bundle with :func:`symbiose.bundle.read_bundle`, allowing references to stored rows."""
    from symbiose.bundle import read_bundle

    return read_bundle(
        path,
        known_company_ids=company_ids(session),
        known_stream_ids=stream_ids(session),
        known_need_ids=need_ids(session),
    )


def get_company(session: Session, company_id: str) -> Company:
    row = session.get(CompanyRow, company_id)
    if row is None:
        raise NotFoundError(_("no company with id '{company_id}'").format(company_id=company_id))
    return company_from_row(row)


def delete_company(session: Session, company_id: str, *, actor: str = "system") -> None:
    """Delete a company with its streams, needs, their synergies and its user accounts."""
    row = session.get(CompanyRow, company_id)
    if row is None:
        raise NotFoundError(_("no company with id '{company_id}'; nothing was deleted").format(company_id=company_id))
    detail = {"name": row.name, "streams": len(row.streams), "needs": len(row.needs)}
    session.delete(row)
    _audit(session, actor, "delete", "company", company_id, detail)
    session.flush()


def load_demo(session: Session, *, actor: str = "system") -> ImportSummary:
    """Save the packaged demo network (``data/demo``); loading it twice changes nothing."""
    from symbiose.reference import data_dir

    folder = data_dir() / "demo"
    if not (folder / "companies.csv").is_file():
        raise NotFoundError(_('the demo network is missing: no companies.csv in {folder}').format(folder=folder))
    network = read_bundle_for(session, folder)
    return save_network(session, network, actor=actor)


# --------------------------------------------------------------------------------------------
# synergies


def get_synergy(session: Session, synergy_id: str) -> Synergy:
    row = session.get(SynergyRow, synergy_id)
    if row is None:
        raise NotFoundError(_("no synergy with id '{synergy_id}'").format(synergy_id=synergy_id))
    return synergy_from_row(row)


def _stage(stage: Stage | str) -> Stage:
    try:
        return Stage(str(stage).strip().lower())
    except ValueError:
        raise ValidationError(
            _("unknown stage '{stage}'; use one of {items}").format(stage=stage, items=', '.join(s.value for s in Stage))
        ) from None


def next_synergy_id(session: Session) -> str:
    """Issue the next synergy id (``SY014`` after ``SY013``), locked until the transaction ends."""
    return next_id(session, "synergy")


def _rule_error(session: Session, synergy_id: str) -> None:
    problems = check_synergy_rules(session, synergy_ids=[synergy_id])
    if problems:
        raise ValidationError([Problem("input", None, None, p.message) for p in problems])


def create_synergy(
    session: Session,
    stream_id: str,
    need_id: str,
    *,
    actor: str,
    synergy_id: str | None = None,
    stage: Stage | str = Stage.SUGGESTED,
    quantity_base: int | None = None,
    reason: str = "",
    notes: str = "",
    today: date | None = None,
) -> Synergy:
    """Start following the pair ``stream_id -> need_id``; writes a ``create`` audit row and the
    first row of its stage history. The id is issued by the database (:func:`next_id`) unless
    given; the synergy must obey the matcher's rules (:func:`check_synergy_rules`)."""
    stage = _stage(stage)
    stream = session.get(StreamRow, stream_id)
    if stream is None:
        raise NotFoundError(_("no stream with id '{stream_id}'").format(stream_id=stream_id))
    if session.get(NeedRow, need_id) is None:
        raise NotFoundError(_("no need with id '{need_id}'").format(need_id=need_id))
    if stage is Stage.ABANDONED and not reason.strip():
        raise ValidationError(_("an abandoned synergy needs a reason; pass one"))
    _check_synergy_quantity(quantity_base, stream.unit)
    synergy_id = synergy_id or next_synergy_id(session)
    if session.get(SynergyRow, synergy_id) is not None:
        raise ValidationError(_("a synergy with id '{synergy_id}' already exists").format(synergy_id=synergy_id))
    today = today or date.today()
    now = datetime.now(UTC)
    row = SynergyRow(
        id=synergy_id,
        stream_id=stream_id,
        need_id=need_id,
        stage=stage.value,
        quantity_base=quantity_base,
        abandoned_reason=reason.strip() if stage is Stage.ABANDONED else "",
        created_on=today,
        updated_on=today,
        notes=notes,
        updated_by=actor,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    session.add(StageChangeRow(**_history_values(synergy_id, None, stage.value, actor, now,
                                                 reason.strip(), quantity_base)))  # fmt: skip
    _audit(
        session,
        actor,
        "create",
        "synergy",
        synergy_id,
        {"stream_id": stream_id, "need_id": need_id, "stage": stage.value,
         "quantity_base": quantity_base},
    )  # fmt: skip
    session.flush()
    _rule_error(session, synergy_id)
    return synergy_from_row(row)


def _check_synergy_quantity(quantity_base: int | None, unit: str) -> None:
    """Refuse a synergy's yearly quantity (base units) that is negative or implausible, told in
    the stream's unit as it was typed (« -2,5 m3 », not « -2500 »)."""
    if quantity_base is not None and quantity_base < 0:
        raise ValidationError(_("the quantity of a synergy must be 0 or more, not {quantity}").format(
            quantity=f"{fmt_decimal(quantity_base / BASE_PER_UNIT, 3)}\u00a0{unit}"))  # fmt: skip
    if message := quantity_problem(quantity_base, unit):
        raise ValidationError(message)


def _locked_synergy(session: Session, synergy_id: str, expected_version: int | None) -> SynergyRow:
    """The synergy's row, locked until the transaction ends; refused when it is not there, or
    when it changed since ``expected_version`` was read."""
    row = locked_row(session, SynergyRow, synergy_id)
    if row is None:
        raise NotFoundError(
            _("no synergy with id '{synergy_id}'; list them with 'symbiose list synergies'").format(synergy_id=synergy_id)
        )
    if expected_version is not None and row.version != expected_version:
        raise changed_since_error("synergies", synergy_id, row.updated_by, row.updated_at)
    return row


def _check_implemented_quantity(synergy_id: str, quantity_base: int | None, unit: str) -> None:
    """Refuse an implemented synergy that exchanges 0 a year."""
    if quantity_base == 0:
        raise ValidationError(_(
            "synergy {id}: an implemented synergy exchanges more than 0 {unit} per year; give the agreed "
            "quantity, or abandon the synergy (with a reason) when nothing is exchanged"
        ).format(id=synergy_id, unit=unit))  # fmt: skip


def set_synergy_stage(
    session: Session,
    synergy_id: str,
    stage: Stage | str,
    *,
    reason: str = "",
    actor: str,
    back: bool = False,
    reopen: bool = False,
    quantity_base: int | None = None,
    expected_version: int | None = None,
    today: date | None = None,
    controls: tuple[str, str] | None = None,
) -> Synergy:
    """Move a synergy to ``stage`` along the allowed moves (:mod:`symbiose.stages`).

    Forward moves need nothing; ``abandoned`` needs a reason; going back needs ``back=True`` and
    a reason; leaving ``abandoned`` needs ``reopen=True`` and a reason (the reason it was
    abandoned stays in the stage history). ``quantity_base`` sets the agreed quantity at the same
    time. The row is locked while it is read and written, so that two moves at once are told
    apart: the second one starts from the stage the first one left. With ``expected_version``
    (what a form read), a synergy changed since is refused. The moved synergy must obey the
    matcher's rules; an implemented one exchanges more than 0. ``controls``: the labels of the
    form's reason field and confirmation box, which a refusal names (instead of the command
    line's options). Writes a ``stage`` audit row and a row of stage history; ``updated_on``
    becomes today.
    """
    stage = _stage(stage)
    row = _locked_synergy(session, synergy_id, expected_version)
    old = row.stage
    reason = reason.strip()
    if message := move_problem(synergy_id, old, stage, reason=reason, back=back, reopen=reopen,
                               controls=controls):
        raise ValidationError(message)
    unit = session.get(StreamRow, row.stream_id).unit
    if quantity_base is not None:
        _check_synergy_quantity(quantity_base, unit)
        row.quantity_base = quantity_base
    if stage is Stage.IMPLEMENTED:
        _check_implemented_quantity(synergy_id, row.quantity_base, unit)
    now = datetime.now(UTC)
    row.stage = stage.value
    row.abandoned_reason = reason if stage is Stage.ABANDONED else ""
    row.updated_on = today or date.today()
    row.updated_by, row.updated_at = actor, now
    flush_versioned(session, "synergies")
    session.add(StageChangeRow(**_history_values(synergy_id, old, stage.value, actor, now, reason,
                                                 row.quantity_base)))  # fmt: skip
    detail: dict[str, Any] = {"from": old, "to": stage.value}
    if reason:
        detail["reason"] = reason
    if quantity_base is not None:
        detail["quantity_base"] = quantity_base
    _audit(session, actor, "stage", "synergy", synergy_id, detail)
    session.flush()
    _rule_error(session, synergy_id)
    return synergy_from_row(row)


def set_synergy_quantity(
    session: Session,
    synergy_id: str,
    quantity_base: int,
    *,
    actor: str,
    reason: str = "",
    expected_version: int | None = None,
    today: date | None = None,
) -> Synergy:
    """Set the recorded (agreed or planned) yearly quantity of a synergy without moving it: a
    renegotiated quantity, or one lowered before its stream's or need's quantity is.

    Checked as a move's quantity is (:func:`set_synergy_stage`): 0 or more, plausible, and the
    matcher's rules (not more than the stream or the need holds); an implemented synergy
    exchanges more than 0; an abandoned one is reopened first. The row is locked while it is read
    and written; with ``expected_version`` (what a form read), a synergy changed since is refused.
    Writes an ``edit`` audit row (the quantity before and after, and ``reason`` when given) and a
    row of stage history that stays at the synergy's stage with the new quantity; ``updated_on``
    becomes today. The quantity stored already writes nothing.
    """
    row = _locked_synergy(session, synergy_id, expected_version)
    unit = session.get(StreamRow, row.stream_id).unit
    if row.stage == Stage.ABANDONED.value:
        raise ValidationError(_(
            "synergy {id} is abandoned: reopen it (with a reason) before changing its quantity"
        ).format(id=synergy_id))  # fmt: skip
    _check_synergy_quantity(quantity_base, unit)
    if row.stage == Stage.IMPLEMENTED.value:
        _check_implemented_quantity(synergy_id, quantity_base, unit)
    old = row.quantity_base
    if old == quantity_base:
        return synergy_from_row(row)
    reason = reason.strip()
    now = datetime.now(UTC)
    row.quantity_base = quantity_base
    row.updated_on = today or date.today()
    row.updated_by, row.updated_at = actor, now
    flush_versioned(session, "synergies")
    session.add(StageChangeRow(**_history_values(synergy_id, row.stage, row.stage, actor, now, reason,
                                                 quantity_base)))  # fmt: skip
    detail: dict[str, Any] = {"changed": {"quantity_base": [old, quantity_base]}}
    if reason:
        detail["reason"] = reason
    _audit(session, actor, "edit", "synergy", synergy_id, detail)
    session.flush()
    _rule_error(session, synergy_id)
    return synergy_from_row(row)


def follow_pair(
    session: Session,
    stream_id: str,
    need_id: str,
    *,
    actor: str,
    quantity_base: int | None = None,
    stage: Stage = Stage.CONTACTED,
) -> tuple[Synergy, bool]:
    """The followed (not abandoned) synergy of a pair, created at ``stage`` if there is none;
    returns it and whether it was created.

    The pair's stream row is locked first, so that two people saying "I'm interested" at the same
    moment make one synergy, never two (nor a failure on a duplicate id). A synergy created here
    carries ``quantity_base`` (the suggestion's tradable quantity).
    """
    followed = locked_pair(session, stream_id, need_id)
    if followed is not None:
        return followed, False
    created = create_synergy(session, stream_id, need_id, actor=actor, stage=stage,
                             quantity_base=quantity_base)  # fmt: skip
    return created, True


def locked_pair(session: Session, stream_id: str, need_id: str) -> Synergy | None:
    """The followed (not abandoned) synergy of a pair, the most advanced one, read once the pair's
    stream row is locked (as :func:`follow_pair` does: a side withdrawing its interest and the
    other accepting at the same moment are applied one after the other); None when not followed."""
    if locked_row(session, StreamRow, stream_id) is None:
        raise NotFoundError(_("no stream with id '{stream_id}'").format(stream_id=stream_id))
    rows = session.scalars(
        select(SynergyRow)
        .where(SynergyRow.stream_id == stream_id, SynergyRow.need_id == need_id,
               SynergyRow.stage != Stage.ABANDONED.value)
        .order_by(SynergyRow.id)
        .execution_options(populate_existing=True)
    ).all()  # fmt: skip
    if not rows:
        return None
    from symbiose.stages import ORDER

    return synergy_from_row(max(rows, key=lambda r: (ORDER.index(Stage(r.stage)), r.id)))


@dataclass(frozen=True, slots=True)
class StageChange:
    """One move of a synergy: who, when, from which stage (None when created), to which, why."""

    synergy_id: str
    occurred_at: datetime
    actor: str
    from_stage: Stage | None
    to_stage: Stage
    reason: str
    quantity_base: int | None


def stage_history(session: Session, synergy_id: str | None = None) -> list[StageChange]:
    """The stage history of one synergy (or of all), oldest first."""
    query = select(StageChangeRow).order_by(StageChangeRow.synergy_id, StageChangeRow.id)
    if synergy_id is not None:
        if session.get(SynergyRow, synergy_id) is None:
            raise NotFoundError(
                _("no synergy with id '{synergy_id}'; list them with 'symbiose list synergies'").format(synergy_id=synergy_id)
            )
        query = query.where(StageChangeRow.synergy_id == synergy_id)
    return [
        StageChange(r.synergy_id, local_time(r.occurred_at), r.actor,
                    Stage(r.from_stage) if r.from_stage else None, Stage(r.to_stage), r.reason,
                    r.quantity_base)  # fmt: skip
        for r in session.scalars(query)
    ]


# --------------------------------------------------------------------------------------------
# one record from a form


#: Form (spreadsheet) columns stored under another name.
COLUMN_FIELDS = {
    "quantity": "quantity_base",
    "route_cost_eur_per_unit": "route_cost_cents",
    "virgin_price_eur_per_unit": "virgin_price_cents",
    "gate_fee_eur_per_unit": "gate_fee_cents",
}
_VALUES = {"companies": _company_values, "streams": _stream_values, "needs": _need_values,
           "synergies": _synergy_values}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RecordSaved:
    """What :func:`save_record` did: the record's id, whether it was created, the fields written."""

    id: str
    created: bool
    changed: tuple[str, ...]
    version: int


def save_record(
    session: Session,
    table: str,
    item: Company | Stream | Need,
    *,
    actor: str,
    expected_version: int | None,
    columns: Collection[str] | None = None,
) -> RecordSaved:
    """Save one record of a form: create it (``expected_version=None``) or update it.

    Creating: an empty id is issued by the database (:func:`next_id`); an id that exists already
    is refused, so saving a new-record form twice makes two records, never an update of the first.
    Updating: the record is locked and its version compared with ``expected_version`` (the one read
    when the form opened); a record changed since is refused with who changed it and when
    (:class:`~symbiose.errors.ConcurrentEditError`). Only ``columns`` (form columns, e.g.
    ``quantity``; None = every column) are written, so a save never overwrites a field the user
    did not touch. The followed synergies of a stream or need must still obey the matcher's rules.
    """
    model = MODELS[table]
    kind = RECORD_WORDS[table]
    now = datetime.now(UTC)
    values = _VALUES[table](item)
    if expected_version is None:
        record_id = str(item.id).strip() or next_id(session, kind)
        lock_for_write(session)
        if session.get(model, record_id) is not None:
            raise ValidationError(_(
                "{what} already exists; leave the id empty to get a new one, or open {id} to "
                "change it"
            ).format(what=record_label(table, record_id, start=True), id=record_id))  # fmt: skip
        values = {**values, "id": record_id}
        problems = _check_network(session, Network(**{table: (dataclasses.replace(item, id=record_id),)}))
        if problems:
            raise ValidationError(problems)
        row = model(**values, updated_by=actor, updated_at=now)
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:  # an import wrote the same id in between
            raise ValidationError(_(
                "{what} already exists; leave the id empty to get a new one"
            ).format(what=record_label(table, record_id, start=True))) from exc  # fmt: skip
        _audit(session, actor, "create", kind, record_id, {"via": "form"})
        changed = tuple(values)
    else:
        record_id = str(item.id)
        row = locked_row(session, model, record_id)
        if row is None:
            raise deleted_since_error(table, record_id)
        if row.version != expected_version:
            raise changed_since_error(table, record_id, row.updated_by, row.updated_at)
        problems = _check_network(session, Network(**{table: (item,)}))
        if problems:
            raise ValidationError(problems)
        wanted = set(values) if columns is None else {COLUMN_FIELDS.get(c, c) for c in columns}
        changes = {k: v for k, v in values.items() if k in wanted and k != "id" and getattr(row, k) != v}
        if changes:
            before = {k: getattr(row, k) for k in changes}
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_by, row.updated_at = actor, now
            flush_versioned(session, table)
            _audit(session, actor, "edit", kind, record_id,
                   {"via": "form", "changed": {k: [before[k], v] for k, v in changes.items()}})  # fmt: skip
        changed = tuple(changes)
    session.flush()
    if table in ("streams", "needs"):
        problems = check_synergy_rules(session, form=True, **{f"{kind}_ids": [record_id]})
        if problems:
            raise ValidationError([Problem("input", None, None, p.message) for p in problems])
    return RecordSaved(record_id, expected_version is None, changed, int(row.version))


# --------------------------------------------------------------------------------------------
# audit log


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    occurred_at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


def audit_entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit rows, newest first, optionally for one entity type and id."""
    query = select(AuditRow).order_by(AuditRow.id.desc())
    if entity is not None:
        query = query.where(AuditRow.entity == entity)
    if entity_id is not None:
        query = query.where(AuditRow.entity_id == entity_id)
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditEntry(
            r.id,
            r.occurred_at,
            r.actor,
            r.action,
            r.entity,
            r.entity_id,
            json.loads(r.detail or "{}"),
        )
        for r in session.scalars(query)
    ]


# --------------------------------------------------------------------------------------------
# geocoding cache


class GeocodeCache(MutableMapping[str, tuple[float, float]]):
    """A persistent ``query -> (latitude, longitude)`` mapping for :mod:`symbiose.geo`.

    Writes join the session's transaction: commit the session to keep them.
    """

    def __init__(self, session: Session, *, source: str = "online") -> None:
        self.session = session
        self.source = source

    def _row(self, query: str) -> GeocodeRow | None:
        return self.session.scalar(select(GeocodeRow).where(GeocodeRow.query == query))

    def __getitem__(self, query: str) -> tuple[float, float]:
        row = self._row(query)
        if row is None:
            raise KeyError(query)
        return (row.latitude, row.longitude)

    def __setitem__(self, query: str, point: tuple[float, float]) -> None:
        latitude, longitude = (float(v) for v in point)
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError(f"({latitude}, {longitude}) is not a latitude/longitude pair")
        row = self._row(query)
        if row is None:
            self.session.add(
                GeocodeRow(
                    query=query,
                    latitude=latitude,
                    longitude=longitude,
                    source=self.source,
                    created_at=datetime.now(UTC),
                )
            )
        else:
            row.latitude, row.longitude, row.source = latitude, longitude, self.source
        self.session.flush()

    def __delitem__(self, query: str) -> None:
        row = self._row(query)
        if row is None:
            raise KeyError(query)
        self.session.delete(row)
        self.session.flush()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.session.scalars(select(GeocodeRow.query).order_by(GeocodeRow.id))))

    def __len__(self) -> int:
        return self.session.scalar(select(func.count()).select_from(GeocodeRow)) or 0

    def __contains__(self, query: object) -> bool:
        return isinstance(query, str) and self._row(query) is not None
