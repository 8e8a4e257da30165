"""Imports an officer can check before and take back after.

The path of a file into the database, in three steps that share one rule (a column absent from
the file leaves the stored value alone, see :func:`symbiose.bundle.read_import`):

1. :func:`plan_import` reads the file against the stored network and says, per record, what
   would happen: ``created``, ``updated`` (field by field, old -> new, in the file's terms, with
   the company's name) or ``unchanged``; warnings for a row that moves a stream or need to another
   company, or renames a company. Nothing is written.
2. :func:`apply_import` writes the plan (all or nothing, through
   :func:`symbiose.db.save_network`) under a new import id, and stores in the audit log every
   changed record with its values before and after. Given the plan the user confirmed, it refuses
   to write if the database changed meanwhile.
3. :func:`undo_import` puts back the values from before an import: records it created are
   deleted, records it updated get their previous values. It refuses, naming each record, when a
   record changed after that import (nothing is then undone).

String lengths are checked against the table columns before anything is written
(:func:`length_problems`), so that SQLite, which does not enforce ``VARCHAR(n)``, refuses what
PostgreSQL would.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, String, select
from sqlalchemy.orm import Session

from symbiose.db.models import AuditRow, Base, CompanyRow, NeedRow, StreamRow, SynergyRow
from symbiose.domain import Network
from symbiose.errors import ImportValidationError, NotFoundError, Problem, ValidationError
from symbiose.i18n import N_, _, fmt_datetime, ngettext

if TYPE_CHECKING:
    from symbiose.bundle import BundleFile

MODELS: dict[str, type[Base]] = {
    "companies": CompanyRow,
    "streams": StreamRow,
    "needs": NeedRow,
    "synergies": SynergyRow,
}
ENTITY = {"companies": N_("company"), "streams": N_("stream"), "needs": N_("need"),
          "synergies": N_("synergy")}  # fmt: skip
TABLE_NAMES = {"companies": N_("companies"), "streams": N_("streams"), "needs": N_("needs"),
               "synergies": N_("synergies")}  # fmt: skip
COUNT_HEADERS = (N_("Table"), N_("Created"), N_("Updated"), N_("Unchanged"))


def entity(table: str) -> str:
    """'stream' in the current language ('flux')."""
    return _(ENTITY[table])
ACTION_IMPORT, ACTION_UNDO, AUDIT_ENTITY = "import", "undo", "import"


BOOKKEEPING = frozenset({"version", "updated_by", "updated_at"})


def _data_columns(model: type[Base]) -> list[str]:
    """The columns holding what a user entered (not bookkeeping: row version, who and when)."""
    return [c.key for c in model.__table__.columns if c.key not in BOOKKEEPING]  # type: ignore[attr-defined]


def _repository_functions(pattern: str) -> dict[str, Any]:
    """Per table, the repository function named ``pattern`` with the record kind filled in
    (``"{}_from_row"`` -> ``stream_from_row`` for streams)."""
    from symbiose.db import repository

    return {table: getattr(repository, pattern.format(kind)) for table, kind in ENTITY.items()}


# --------------------------------------------------------------------------------------------
# length limits


def length_problems(network: Network, read: BundleFile | None = None) -> list[Problem]:
    """Texts longer than their column: ``String(n)`` columns, checked on every backend. With
    ``read`` (what :func:`~symbiose.bundle.read_import` read), each problem names the file, row
    and column as the user wrote them."""
    to_values = _repository_functions("_{}_values")
    problems: list[Problem] = []
    for table, model in MODELS.items():
        limits = {
            c.key: c.type.length
            for c in model.__table__.columns  # type: ignore[attr-defined]
            if isinstance(c.type, String) and c.type.length
        }
        for record in getattr(network, table):
            for key, value in to_values[table](record).items():
                limit = limits.get(key)
                if limit and isinstance(value, str) and len(value) > limit:
                    where = read.locate(table, record.id, key) if read else (f"{table}.csv", None, key)
                    problems.append(Problem(*where, _(
                        "{entity} '{id}': {n} characters, at most {limit} are stored; shorten it"
                    ).format(entity=entity(table), id=str(record.id)[:80], n=len(value),
                             limit=limit)))  # fmt: skip
    return problems


# --------------------------------------------------------------------------------------------
# preview


@dataclass(frozen=True, slots=True)
class RecordChange:
    """What an import does to one record (values in the file's terms: '12.5', 'landfill')."""

    table: str
    id: str
    action: str  # created | updated | unchanged
    company: str = ""  # "C001 Scierie de Montendre"
    fields: tuple[tuple[str, str, str], ...] = ()  # (column, old, new)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """The preview of an import: every record of the file, what it would become."""

    name: str
    network: Network
    records: tuple[RecordChange, ...]
    notices: tuple[str, ...] = ()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def count(self, action: str, table: str | None = None) -> int:
        return sum(
            1 for r in self.records if r.action == action and (table is None or r.table == table)
        )

    @property
    def changed(self) -> bool:
        return any(r.action != "unchanged" for r in self.records)

    @property
    def warnings(self) -> list[str]:
        return [w for r in self.records for w in r.warnings]

    def rows(self) -> list[tuple[str, int, int, int]]:
        """(table, created, updated, unchanged) per table."""
        return [
            (t, self.count("created", t), self.count("updated", t), self.count("unchanged", t))
            for t in MODELS
        ]

    def count_rows(self) -> list[tuple[str, int, int, int]]:
        """:meth:`rows` with the tables named in the current language, for a screen
        (headers: :data:`COUNT_HEADERS`)."""
        return [(_(TABLE_NAMES[t]), *counts) for t, *counts in self.rows()]

    @property
    def fingerprint(self) -> str:
        """Changes a confirmation was given for: equal plans have equal fingerprints."""
        text = json.dumps(
            [(r.table, r.id, r.action, r.fields) for r in self.records if r.action != "unchanged"]
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def frame(self):
        """One line per changed field (and per created record), for a table on screen."""
        import pandas as pd

        lines = []
        for r in self.records:
            if r.action == "unchanged":
                continue
            warning = " ".join(r.warnings)
            if r.action == "created":
                lines.append((_(TABLE_NAMES[r.table]), r.id, r.company, _("created"), "", "", "", warning))
            for column, old, new in r.fields if r.action == "updated" else ():
                lines.append((_(TABLE_NAMES[r.table]), r.id, r.company, _("updated"),
                              *shown_field(r.table, column, old, new), warning))  # fmt: skip
        columns = [_("table"), _("id"), _("company"), _("action"), _("column"), _("before"),
                   _("after"), _("warning")]  # fmt: skip
        return pd.DataFrame(lines, columns=columns)


NUMBER_COLUMNS = frozenset({
    "latitude", "longitude", "quantity", "route_cost_eur_per_unit", "virgin_price_eur_per_unit",
    "gate_fee_eur_per_unit", "max_distance_km", "bulk_density_t_per_m3", "storage_months", "temperature_c",
    "min_temperature_c", "max_temperature_c",
})  # fmt: skip


def shown_field(table: str, column: str, old: str, new: str) -> tuple[str, str, str]:
    """A changed field as a preview shows it: the column as the spreadsheet heads it in the
    user's language, its values in words (stages, routes, states, categories) and numbers with
    the language's decimal mark. The plan itself keeps the stored texts."""
    from symbiose.bundle import TABLES
    from symbiose.i18n import get_language
    from symbiose.labels import category_label, route_label, stage_label, state_label

    french = get_language() == "fr"
    heading = next((c.french for c in TABLES[table] if c.name == column), column) if french else column
    words = {"stage": stage_label, "route": route_label, "physical_state": state_label,
             "category": category_label, "material": category_label,
             "destination_category": category_label}.get(column)  # fmt: skip

    def value(text: str) -> str:
        if not text:
            return text
        if words is not None:
            return words(text) or text
        if column == "accepted_states":
            return ";".join(state_label(v) or v for v in text.split(";"))
        if column in ("forms", "required_forms", "refused_forms"):
            from symbiose.labels import vocabulary_label

            return ";".join(vocabulary_label(column, v) for v in text.split(";"))
        if text in ("true", "false"):
            return _("yes") if text == "true" else _("no")
        if column in NUMBER_COLUMNS and french:
            return text.replace(".", ",")
        return text

    return heading, value(old), value(new)


def _cells(table: str, record: Any) -> dict[str, str]:
    from symbiose.bundle import record_texts

    return record_texts(table, record)


class Duplicates:
    """Warnings for a new company that another one (stored or in the file) already seems to be:
    the same SIRET, or the same name in the same commune (accents and case aside). The companies
    are indexed once, so that an import of many new companies stays linear."""

    def __init__(self, companies) -> None:
        from symbiose.reference import fold_name

        self._fold = fold_name
        self.by_siret: dict[str, list] = {}
        self.by_place: dict[tuple[str, str], list] = {}
        for c in companies:
            if c.siret:
                self.by_siret.setdefault(c.siret, []).append(c)
            if c.commune:
                self.by_place.setdefault((fold_name(c.name), fold_name(c.commune)), []).append(c)

    def of(self, company) -> list[str]:
        out = []
        same_siret = [o for o in self.by_siret.get(company.siret, []) if company.siret and o.id != company.id]
        for other in same_siret:
            out.append(_("SIRET {siret} is already that of company {id} {name}: the same establishment twice?").format(
                siret=company.siret, id=other.id, name=other.name))  # fmt: skip
        if company.commune:
            key = (self._fold(company.name), self._fold(company.commune))
            for other in self.by_place.get(key, []):
                if other.id != company.id and other not in same_siret:
                    out.append(_("company {id} {name} has the same name in {commune}: the same company twice?").format(
                        id=other.id, name=other.name, commune=company.commune))  # fmt: skip
        return out


def plan_import(session: Session, path: str | Path, *, name: str | None = None) -> ImportPlan:
    """What importing ``path`` would do, record by record; writes nothing.

    Raises :class:`~symbiose.errors.ImportValidationError` with every problem of the file.
    """
    from symbiose.bundle import read_import
    from symbiose.db.repository import load_network

    stored = load_network(session)
    read = read_import(path, stored=stored)
    if too_long := length_problems(read.network, read):
        # refused at the preview, as the import itself would refuse it
        raise ImportValidationError(too_long)
    from symbiose.db.repository import stage_move_problems, unit_change_problems

    if reread := unit_change_problems(session, read.network, read):
        raise ImportValidationError(reread)  # a followed synergy's quantity would be read in the new unit
    if moves := stage_move_problems(session, read.network, label=read.labels.get("synergies", "synergies.csv"),
                                    rows=read.rows.get("synergies"),
                                    column=read.headers.get("synergies", {}).get("stage", "stage")):  # fmt: skip
        raise ImportValidationError(moves)  # a move back refused at the preview, not only at the write
    from symbiose.db.repository import planned_synergy_rule_problems

    if broken := planned_synergy_rule_problems(stored, read.network, labels=read.labels, rows=read.rows):
        raise ImportValidationError(broken)  # as the import itself would refuse it, after writing
    network = read.network
    companies = {c.id: c for c in stored.companies}
    companies.update({c.id: c for c in network.companies})
    stored_companies = {c.id: c for c in stored.companies}

    def company_label(company_id: str) -> str:
        company = companies.get(company_id)
        return f"{company_id} {company.name}" if company is not None else company_id

    owner = {s.id: s.company_id for s in (*stored.streams, *network.streams)}
    owner.update({n.id: n.company_id for n in (*stored.needs, *network.needs)})
    records: list[RecordChange] = []
    same_companies = Duplicates(companies.values())
    for table in MODELS:
        previous = {r.id: r for r in getattr(stored, table)}
        for record in getattr(network, table):
            if table == "companies":
                company_id = record.id
            elif table == "synergies":
                company_id = owner.get(record.stream_id, "")
            else:
                company_id = record.company_id
            label = company_label(company_id)
            old = previous.get(record.id)
            if old is None:
                warnings = same_companies.of(record) if table == "companies" else []
                records.append(RecordChange(table, record.id, "created", label, (), tuple(warnings)))
                continue
            before, after = _cells(table, old), _cells(table, record)
            fields = tuple(
                (column, before[column], after[column])
                for column in after
                if before[column] != after[column]
                and not (column in ("created_on", "updated_on") and not after[column])
            )
            warnings: list[str] = []
            if table == "companies" and old.name != record.name:
                warnings.append(_(
                    "RENAMES company {id} '{old}' to '{new}': check that this row is the same "
                    "company"
                ).format(id=record.id, old=old.name, new=record.name))  # fmt: skip
            if table in ("streams", "needs") and old.company_id != record.company_id:
                was = stored_companies.get(old.company_id)
                warnings.append(_(
                    "{entity} {id} belongs to {old} in the database; this row gives it to {new}: "
                    "check the id"
                ).format(
                    entity=entity(table), id=record.id,
                    old=f"{old.company_id} {was.name}" if was else old.company_id, new=label,
                ))  # fmt: skip
            if table == "synergies" and (
                old.stream_id != record.stream_id or old.need_id != record.need_id
            ):
                warnings.append(_(
                    "synergy {id} links {old_stream} -> {old_need} in the database; this row "
                    "links {new_stream} -> {new_need}"
                ).format(id=record.id, old_stream=old.stream_id, old_need=old.need_id,
                         new_stream=record.stream_id, new_need=record.need_id))  # fmt: skip
            action = "updated" if fields else "unchanged"
            records.append(RecordChange(table, record.id, action, label, fields, tuple(warnings)))
    return ImportPlan(
        name=name or Path(path).name, network=network, records=tuple(records),
        notices=read.notices, columns=read.columns,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# apply


@dataclass(frozen=True, slots=True)
class ImportResult:
    import_id: str
    plan: ImportPlan
    created: int
    updated: int


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _row_values(row: Any, table: str) -> dict[str, Any]:
    return {key: _json_value(getattr(row, key)) for key in _data_columns(MODELS[table])}


def _snapshot(session: Session, table: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    from symbiose.db.repository import _rows_by_id

    rows = _rows_by_id(session, MODELS[table], ids)
    return {key: _row_values(row, table) for key, row in rows.items()}


def new_import_id() -> str:
    """``I20261201-093012-4f2a``: when, and four random hex digits."""
    return f"I{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def apply_import(
    session: Session,
    path: str | Path,
    *,
    actor: str,
    expected: ImportPlan | None = None,
    name: str | None = None,
) -> ImportResult:
    """Import ``path`` (all or nothing, in the caller's transaction) and log every change.

    ``expected``: the plan the user saw and confirmed; if the file read now against the
    database gives other changes, nothing is written and a :class:`ValidationError` says to
    preview again. The audit log gets one ``import`` row (entity ``import``, the import id)
    whose detail holds, per changed record, its values before and after.
    """
    from symbiose.db.repository import save_network

    plan = plan_import(session, path, name=name)
    if expected is not None and plan.fingerprint != expected.fingerprint:
        raise ValidationError(Problem(plan.name, None, None, _(
            "the database changed since the preview (another user or command saved records); "
            "nothing was imported: preview the file again"
        )))  # fmt: skip
    import_id = new_import_id()
    if not plan.changed:
        return ImportResult(import_id, plan, 0, 0)
    touched = {t: [r.id for r in plan.records if r.table == t] for t in MODELS}
    before = {t: _snapshot(session, t, ids) for t, ids in touched.items()}
    summary = save_network(session, plan.network, actor=actor, audit=False)
    changes: list[dict[str, Any]] = []
    for table, ids in touched.items():
        after = _snapshot(session, table, ids)
        for record_id in ids:
            old, new = before[table].get(record_id), after.get(record_id)
            if old == new:
                continue
            changes.append({
                "table": table, "id": record_id, "action": "created" if old is None else "updated",
                "before": old, "after": new,
            })  # fmt: skip
    from symbiose.db.repository import record_audit

    # detail: the file's name, the counts per table (as the former import rows had them), and
    # every changed record with its values before and after (what undo_import puts back)
    record_audit(session, actor, ACTION_IMPORT, AUDIT_ENTITY, import_id, {
        "name": plan.name, **summary.as_dict(), "changes": changes,
    })  # fmt: skip
    session.flush()
    return ImportResult(import_id, plan, summary.total_created, summary.total_updated)


# --------------------------------------------------------------------------------------------
# undo


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One import of the audit log, for a list of recent imports."""

    import_id: str
    occurred_at: datetime
    actor: str
    name: str
    created: int
    updated: int
    undone: bool


def created_text(created: int, updated: int, *, records: bool = False) -> str:
    """``1 created, 5 updated`` (``1 record created, 5 updated`` with ``records``): each word
    agrees with its count, in French too (« 1 créé, 5 modifiés »)."""
    first = (ngettext("{n} record created", "{n} records created", created) if records
             else ngettext("{n} created", "{n} created", created))  # fmt: skip
    return ", ".join([first.format(n=created), ngettext("{n} updated", "{n} updated", updated).format(n=updated)])


def undone_text(deleted: int, restored: int) -> str:
    """``1 record deleted, 5 restored``, each word agreeing with its count."""
    return ", ".join([ngettext("{n} record deleted", "{n} records deleted", deleted).format(n=deleted),
                      ngettext("{n} restored", "{n} restored", restored).format(n=restored)])  # fmt: skip


def _import_row(session: Session, import_id: str, action: str = ACTION_IMPORT) -> AuditRow | None:
    return session.scalar(
        select(AuditRow)
        .where(AuditRow.action == action, AuditRow.entity == AUDIT_ENTITY)
        .where(AuditRow.entity_id == import_id)
        .order_by(AuditRow.id.desc())
        .limit(1)
    )


def recent_imports(session: Session, limit: int = 10) -> list[ImportRecord]:
    """The latest imports, newest first, and whether each was undone."""
    rows = session.scalars(
        select(AuditRow)
        .where(AuditRow.action == ACTION_IMPORT, AuditRow.entity == AUDIT_ENTITY)
        .order_by(AuditRow.id.desc())
        .limit(limit)
    ).all()
    undone = set(session.scalars(
        select(AuditRow.entity_id).where(
            AuditRow.action == ACTION_UNDO, AuditRow.entity == AUDIT_ENTITY,
            AuditRow.entity_id.in_([r.entity_id for r in rows]),
        )
    ))  # fmt: skip
    found = []
    for row in rows:
        detail = json.loads(row.detail or "{}")
        actions = [c["action"] for c in detail.get("changes", [])]
        found.append(ImportRecord(
            row.entity_id, row.occurred_at, row.actor, detail.get("name", ""),
            actions.count("created"), actions.count("updated"), row.entity_id in undone,
        ))  # fmt: skip
    return found


def _from_json(table: str, values: dict[str, Any]) -> dict[str, Any]:
    columns = MODELS[table].__table__.columns  # type: ignore[attr-defined]
    out = dict(values)
    for key, value in values.items():
        if value is not None and isinstance(columns[key].type, Date):
            out[key] = date.fromisoformat(value)
    return out


UNDO_ORDER: Sequence[str] = ("synergies", "needs", "streams", "companies")


def undo_import(session: Session, import_id: str, *, actor: str) -> dict[str, int]:
    """Put back what import ``import_id`` changed; returns ``{"deleted": n, "restored": m}``.

    Refuses (:class:`ValidationError`, nothing undone) when the import was already undone, or
    when a record it wrote changed since (listed one by one), or when a record it created has
    received streams, needs or synergies from elsewhere since.
    """
    row = _import_row(session, import_id)
    if row is None:
        raise NotFoundError(_(
            "no import with id '{id}'; 'symbiose imports' lists the recent ones"
        ).format(id=import_id))  # fmt: skip
    done = _import_row(session, import_id, ACTION_UNDO)
    if done is not None:
        raise ValidationError(Problem(import_id, None, None, _(
            "this import was already undone on {when} by {actor}"
        ).format(when=fmt_datetime(done.occurred_at), actor=done.actor)))  # fmt: skip
    changes = json.loads(row.detail or "{}").get("changes", [])
    by_table: dict[str, list[dict[str, Any]]] = {t: [] for t in MODELS}
    for change in changes:
        by_table[change["table"]].append(change)
    problems: list[Problem] = []
    current = {t: _snapshot(session, t, [c["id"] for c in items]) for t, items in by_table.items()}
    for table, items in by_table.items():
        for change in items:
            now = current[table].get(change["id"])
            if now == change["after"]:
                continue
            changed = sorted(k for k in change["after"] if (now or {}).get(k) != change["after"][k])
            problems.append(Problem(
                import_id, None, None,
                _("{entity} {id} was deleted since this import").format(
                    entity=entity(table), id=change["id"]) if now is None else
                _("{entity} {id} changed since this import ({columns})").format(
                    entity=entity(table), id=change["id"], columns=", ".join(changed)),
            ))  # fmt: skip
    if problems:
        raise ValidationError([*problems, _not_undone(import_id)])
    from symbiose.db.repository import _rows_by_id, record_audit, save_network

    # 1. updated records get their previous values, through the same path as an import (row
    # versions, who and when, the stage history; stages may move back)
    restored = _restore(by_table)
    # kept in the stage history, which the officer reads: in the language of who undid it
    save_network(session, restored, actor=actor, restore=True, audit=False,
                 reason=_("undo of import {id}").format(id=import_id))  # fmt: skip
    # 2. records it created are deleted, unless something was attached to them since
    created = {t: {c["id"] for c in items if c["action"] == "created"} for t, items in by_table.items()}
    children = (
        ("companies", StreamRow, StreamRow.company_id, "streams"),
        ("companies", NeedRow, NeedRow.company_id, "needs"),
        ("streams", SynergyRow, SynergyRow.stream_id, "synergies"),
        ("needs", SynergyRow, SynergyRow.need_id, "synergies"),
    )
    for parent, model, column, child in children:
        if not created[parent]:
            continue
        for child_id, parent_id in session.execute(
            select(model.id, column).where(column.in_(sorted(created[parent])))  # type: ignore[attr-defined]
        ):
            if child_id not in created[child]:
                problems.append(Problem(import_id, None, None, _(
                    "{child} {child_id} was added to {parent} {parent_id} after this import; "
                    "undoing would delete it"
                ).format(child=entity(child), child_id=child_id, parent=entity(parent),
                         parent_id=parent_id)))  # fmt: skip
    if problems:  # the caller's transaction is rolled back: the restores above go with it
        raise ValidationError([*problems, _not_undone(import_id)])
    deleted = 0
    for table in UNDO_ORDER:
        rows = _rows_by_id(session, MODELS[table], sorted(created[table]))
        for target in rows.values():
            session.delete(target)
            deleted += 1
        session.flush()
    restored_count = sum(len(getattr(restored, t)) for t in MODELS)
    record_audit(session, actor, ACTION_UNDO, AUDIT_ENTITY, import_id,
                 {"deleted": deleted, "restored": restored_count})  # fmt: skip
    session.flush()
    return {"deleted": deleted, "restored": restored_count}


def _not_undone(import_id: str) -> Problem:
    return Problem(import_id, None, None, _(
        "import {id} is not undone: records it wrote changed since; correct them by hand or "
        "import the previous values"
    ).format(id=import_id))  # fmt: skip


def _restore(by_table: dict[str, list[dict[str, Any]]]) -> Network:
    """The records an import updated, with their values from before it, as domain values."""
    from types import SimpleNamespace

    builders = _repository_functions("{}_from_row")
    records = {
        table: tuple(
            builders[table](SimpleNamespace(**_from_json(table, c["before"])))  # type: ignore[arg-type]
            for c in items
            if c["action"] == "updated"
        )
        for table, items in by_table.items()
    }
    return Network(**records, name="undo")
