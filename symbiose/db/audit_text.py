"""The audit log in words: what an officer reads on the pipeline page's journal and in
``symbiose audit show``.

An entry stores codes (``edit``, ``need``) and a JSON detail of stored values (cents, thousandths
of a unit, column names: ``{"changed": {"virgin_price_cents": [5499, 5750]}}``). Here they become
the words of the forms and values in the user's units, in the current language:

>>> from symbiose.i18n import language
>>> with language("fr"):
...     detail_text("edit", "need", {"via": "form", "changed": {"virgin_price_cents": [5499, 5750],
...                                  "quantity_base": [1234567, 1300500]}}, unit="t")
"par le formulaire · Prix de l'intrant vierge : 54,99 → 57,50\\xa0EUR/t · Quantité : 1\\xa0234,567 → 1\\xa0300,5\\xa0t/an"
>>> with language("fr"):
...     action_label("edit"), entity_label("stream"), detail_text("create", "user", {"role": "planner",
...                                                                                    "company_id": None})
('modification', 'flux', 'Rôle : planificateur')

A quantity or a price is counted in its record's unit: the unit the entry itself names (an edit
that changed it), else the record's unit today (``unit``, read by :func:`record_units`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from symbiose.i18n import N_, _, fmt_decimal, fmt_list, fmt_number, ngettext, quoted

#: Actions and entities of the audit log, as people read them
ACTION_NAMES = {
    "create": N_("create"), "edit": N_("edit"), "import": N_("import"), "undo": N_("undo import"),
    "delete": N_("delete"), "stage": N_("stage"), "interest": N_("interest"), "withdraw": N_("withdraw"),
    "decline": N_("decline"), "password": N_("password"), "role": N_("role"), "legal": N_("legal path"),
    "request": N_("sample request"), "decide": N_("decision"),
}  # fmt: skip
ENTITY_NAMES = {
    "network": N_("network"), "company": N_("company"), "stream": N_("stream"), "need": N_("need"),
    "synergy": N_("synergy"), "user": N_("user"), "import": N_("import"), "sample_request": N_("sample request"),
}  # fmt: skip

#: Stored columns that a form names otherwise (symbiose.db.repository.COLUMN_FIELDS reversed)
STORED_FIELDS = {"quantity_base": "quantity", "route_cost_cents": "route_cost_eur_per_unit",
                 "virgin_price_cents": "virgin_price_eur_per_unit", "gate_fee_cents": "gate_fee_eur_per_unit"}  # fmt: skip
MONEY_FIELDS = frozenset({"route_cost_cents", "virgin_price_cents", "gate_fee_cents"})
#: Fields whose value is shown with a unit (the label's unit in brackets is then left out)
FIELD_UNITS = {"max_distance_km": "km", "temperature_c": "°C", "min_temperature_c": "°C",
               "max_temperature_c": "°C", "bulk_density_t_per_m3": "t/m3"}  # fmt: skip
LIST_FIELDS = frozenset({"forms", "required_forms", "refused_forms", "accepted_states", "standards",
                         "required_standards", "approvals", "freight_access"})  # fmt: skip
#: Keys of a detail, as a label (other keys are told by their own rule below)
KEY_LABELS = {
    "reason": N_("Reason"), "stream_id": N_("Stream"), "need_id": N_("Need"), "company_id": N_("Company"),
    "note": N_("Note"), "requester": N_("Requester"), "organisation": N_("Organisation"),
    "item": N_("Catalogue entry"),
}  # fmt: skip
SIDE_NAMES = {"supplier": N_("supplier"), "receiver": N_("receiver")}
VIA_WORDS = {"form": N_("through the form"), "import": N_("through an import")}
REQUEST_STATUS = {"new": N_("new"), "introduced": N_("introduced"), "declined": N_("declined")}
ARROW = " → "


def action_label(action: str) -> str:
    """An action of the audit log in words (``edit``: « modification »)."""
    return _(ACTION_NAMES[action]) if action in ACTION_NAMES else action.replace("_", " ")


def entity_label(entity: str) -> str:
    """A kind of record of the audit log in words (``need``: « besoin »)."""
    return _(ENTITY_NAMES[entity]) if entity in ENTITY_NAMES else entity.replace("_", " ")


def _label(field: str, *, with_unit: bool = False) -> str:
    """A stored field as the form labels it; ``with_unit``: without the unit in brackets, which
    the values then carry (« Prix de l'intrant vierge »)."""
    from symbiose.labels import FIELD_LABELS

    name = STORED_FIELDS.get(field, field)
    if name == "quantity":
        return _("Quantity")
    text = _(FIELD_LABELS[name]) if name in FIELD_LABELS else name.replace("_", " ").capitalize()
    return re.sub(r"\s*\([^()]*\)$", "", text) if with_unit else text


def _unit_word(field: str, unit: str | None) -> str:
    """The unit a field's values are shown in: ``t/an``, ``EUR/t``, ``km``; '' when not known."""
    from symbiose.labels import per_year

    if field == "quantity_base":
        return per_year(unit) if unit else ""
    if field in MONEY_FIELDS:
        return f"EUR/{unit}" if unit else "EUR"
    return FIELD_UNITS.get(field, "")


def field_value(field: str, value: Any) -> str:
    """A stored value of a field in the user's units and words (no unit: see :func:`_unit_word`)."""
    from symbiose.domain import format_ewc, parse_months
    from symbiose.labels import (
        category_label,
        route_label,
        stage_label,
        state_label,
        vocabulary_label,
    )

    if field == "months" and value in (None, ""):
        return _("all year")  # no months stored: available (or needed) all year
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "quantity_base" and isinstance(value, int | float):
        return fmt_decimal(value / 1000, 3)
    if field in MONEY_FIELDS and isinstance(value, int | float):
        return fmt_number(value / 100, 2)
    if field in ("latitude", "longitude") and isinstance(value, int | float):
        return fmt_decimal(value, 6)
    if isinstance(value, int | float):
        return fmt_decimal(value, 3)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    text = str(value)
    if field in ("route",):
        return route_label(text)
    if field in ("physical_state",):
        return state_label(text)
    if field in ("stage", "from_stage", "to_stage"):
        return stage_label(text)
    if field in ("category", "material", "destination_category"):
        return category_label(text)
    if field == "months":
        from symbiose.catalogue import months_text

        try:
            return months_text(parse_months(text))
        except ValueError:
            return text
    if field in ("unit", "id", "company_id", "siret", "naf_code", "postal_code", "insee_code"):
        return text  # a code read as it is (t, C001)
    if field == "ewc_code":
        return format_ewc(text) if text.isdigit() else text
    if field == "accepted_codes":
        return ", ".join(format_ewc(c) if len(c) == 6 and c.isdigit() else c for c in text.split(","))
    if field in LIST_FIELDS:
        return fmt_list(vocabulary_label(field, v) for v in text.split(";") if v)
    return quoted(text)


def change_text(field: str, old: Any, new: Any, *, unit: str | None = None, new_unit: str | None = None) -> str:
    """One changed field: « Prix de l'intrant vierge : 54,99 → 57,50 EUR/t ». ``unit``: the
    record's unit before the change, ``new_unit`` after it (a quantity and a price are counted in
    it)."""
    new_unit = new_unit or unit
    before, after = _unit_word(field, unit), _unit_word(field, new_unit)
    label = _label(field, with_unit=bool(after))
    old_text, new_text = field_value(field, old), field_value(field, new)
    if before != after:  # the unit changed too: each value with its own
        old_text = f"{old_text}\u00a0{before}" if before and old not in (None, "") else old_text
        new_text = f"{new_text}\u00a0{after}" if after and new not in (None, "") else new_text
    elif after:
        new_text = f"{new_text}\u00a0{after}"
    return _("{label}: {before} → {after}").format(label=label, before=old_text, after=new_text)


def detail_text(action: str, entity: str, detail: dict | None, *, unit: str | None = None) -> str:
    """An entry's detail in words, parts joined by `` · `` (``unit``: the record's unit, for
    quantities and prices; a synergy's is its stream's)."""
    if not detail:
        return ""
    parts: list[str] = []
    changed = detail.get("changed")
    units = changed.get("unit") if isinstance(changed, dict) else None
    if isinstance(units, list) and len(units) == 2:
        old_unit, new_unit = units
    else:
        old_unit = new_unit = unit
    for key, value in detail.items():
        parts.extend(_part(action, entity, key, value, detail, old_unit, new_unit))
    return " · ".join(p for p in parts if p)


def _part(action: str, entity: str, key: str, value: Any, detail: dict, unit: str | None,
          new_unit: str | None) -> list[str]:  # fmt: skip
    from symbiose.labels import role_label, stage_label

    if key == "via":
        return [_(VIA_WORDS[value])] if value in VIA_WORDS else [str(value)]
    if key == "changed" and isinstance(value, dict):
        return [change_text(field, *pair, unit=unit, new_unit=new_unit) for field, pair in value.items()
                if isinstance(pair, list | tuple) and len(pair) == 2]  # fmt: skip
    if isinstance(value, dict) and {"created", "updated"} <= set(value):  # an import's counts per table
        if not (value["created"] or value["updated"]):
            return []
        return [_("{table}: {created} created, {updated} updated").format(
            table=_(key), created=value["created"], updated=value["updated"])]  # fmt: skip
    if key == "changes" and isinstance(value, list):  # an import's before/after values (for undo)
        return [ngettext("{n} record changed", "{n} records changed", len(value)).format(n=len(value))]
    if key == "to" or (key == "from" and "to" in detail):
        if key == "from":
            return []
        old, new = detail.get("from"), value
        if action == "role":
            label, words = _("Role"), role_label
        elif action == "decide":
            label, words = _("Status"), lambda v: _(REQUEST_STATUS.get(v, v))  # noqa: E731
        else:
            label, words = _("Stage"), stage_label
        return [_("{label}: {before} → {after}").format(
            label=label, before=words(old) if old else _("(created)"), after=words(new) if new else _("(empty)"))]  # fmt: skip
    if key == "quantity_base":
        if value is None:
            return []
        shown = field_value(key, value)
        unit_word = _unit_word(key, unit)
        return [_("{label}: {value}").format(label=_("Quantity"), value=f"{shown}\u00a0{unit_word}" if unit_word else shown)]
    if key == "stage":
        return [_("{label}: {value}").format(label=_("Stage"), value=stage_label(value))]
    if key == "role":
        return [_("{label}: {value}").format(label=_("Role"), value=role_label(value))]
    if key == "side":
        return [_("{label}: {value}").format(label=_("Side"), value=_(SIDE_NAMES.get(value, value)))]
    if key == "company_id" and not value:
        return []  # an account of no company, an interest of an officer
    if key == "name":
        label = _("File") if entity == "import" or action == "import" else _("Name")
        return [_("{label}: {value}").format(label=label, value=quoted(value))]
    if key in ("streams", "needs") and isinstance(value, int):  # a deleted company's records
        words = ngettext("{n} stream", "{n} streams", value) if key == "streams" else ngettext(
            "{n} need", "{n} needs", value)
        return [words.format(n=value)]
    if key in ("deleted", "restored") and isinstance(value, int):
        if key == "restored":
            return []
        from symbiose.db.imports import undone_text

        return [undone_text(value, detail.get("restored", 0))]
    if key in ("before", "after") and action == "legal":
        return [] if key == "before" else _legal_parts(detail.get("before"), value)
    if key in KEY_LABELS:
        shown = quoted(value) if key in ("reason", "note", "requester", "organisation") else str(value)
        return [_("{label}: {value}").format(label=_(KEY_LABELS[key]), value=shown)]
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return [_("{label}: {value}").format(label=key.replace("_", " "), value=value)]


def _legal_parts(before: dict | None, after: dict | None) -> list[str]:
    """A synergy's legal path recorded: the path, the checks ticked, the notes, as they changed."""
    from symbiose.legal import PATH_LABELS, LegalPath

    def path(values: dict | None) -> str:
        code = (values or {}).get("path")
        try:
            return _(PATH_LABELS[LegalPath(code)])
        except ValueError:
            return _("(empty)") if not code else str(code)

    def ticked(values: dict | None) -> int:
        return sum(bool(v) for v in ((values or {}).get("checks") or {}).values())

    after = after or {}
    parts = []
    if before is None or before.get("path") != after.get("path"):
        parts.append(_("{label}: {before} → {after}").format(
            label=_("Legal path"), before=path(before) if before else _("(empty)"), after=path(after)))  # fmt: skip
    if before is None or ticked(before) != ticked(after):
        total = len(after.get("checks") or {})
        parts.append(_("{label}: {before} → {after}").format(
            label=_("Checks ticked"), before=ticked(before), after=_("{n} of {total}").format(n=ticked(after), total=total)))  # fmt: skip
    if (before or {}).get("notes", "") != after.get("notes", ""):
        parts.append(change_text("notes", (before or {}).get("notes", ""), after.get("notes", "")))
    return parts


def record_units(session, entries: Iterable[Any]) -> dict[tuple[str, str], str]:
    """The unit of each stream, need and synergy (its stream's) that ``entries`` name, as stored
    today: ``{("need", "N0001"): "t"}``."""
    from sqlalchemy import select

    from symbiose.db.models import NeedRow, StreamRow, SynergyRow

    wanted: dict[str, set[str]] = {"stream": set(), "need": set(), "synergy": set()}
    for e in entries:
        if e.entity in wanted:
            wanted[e.entity].add(e.entity_id)
    units: dict[tuple[str, str], str] = {}
    for kind, model in (("stream", StreamRow), ("need", NeedRow)):
        if wanted[kind]:
            for record_id, unit in session.execute(select(model.id, model.unit).where(model.id.in_(wanted[kind]))):
                units[(kind, record_id)] = unit
    if wanted["synergy"]:
        query = (select(SynergyRow.id, StreamRow.unit).join(StreamRow, StreamRow.id == SynergyRow.stream_id)
                 .where(SynergyRow.id.in_(wanted["synergy"])))  # fmt: skip
        for record_id, unit in session.execute(query):
            units[("synergy", record_id)] = unit
    return units


def entry_texts(session, entries: list[Any]) -> list[tuple[str, str, str]]:
    """(action, entity, detail) of each entry in words, in the current language."""
    units = record_units(session, entries)
    return [(action_label(e.action), entity_label(e.entity),
             detail_text(e.action, e.entity, e.detail, unit=units.get((e.entity, e.entity_id))))
            for e in entries]  # fmt: skip
