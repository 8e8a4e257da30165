"""Companies & flows (officers): browse, add or edit a record, import a bundle, export.

A form is validated exactly like an import: the record is written as a one-row CSV file and
read with :func:`symbiose.db.read_bundle_for`, so the form accepts what a spreadsheet accepts
(French words, codes with or without spaces) and reports the same problems. Nothing is saved
when there is a problem.

Numbers are shown and typed as the reader's language writes them (``1 234,568`` in French,
``1,234.568`` in English; :func:`symbiose.i18n.fmt_input_number` and
:func:`~symbiose.i18n.parse_input_number`) and written into the one-row file as plain text
(``1234.568``), every decimal kept: a record saved without a change keeps its exact values. The
fields are text inputs, not ``st.number_input``, whose box always writes a decimal point.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import re
import tempfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import streamlit as st

from symbiose import db, prefill
from symbiose.bundle import TABLES, resource_categories, write_bundle, write_templates
from symbiose.compat import load_knowledge_base
from symbiose.db import imports
from symbiose.db.concurrency import record_label
from symbiose.domain import FORMS, Network, PhysicalState, Route, format_ewc, format_months
from symbiose.errors import ConcurrentEditError, Problem, SymbioseError, ValidationError
from symbiose.i18n import (
    N_,
    _,
    fmt_datetime,
    fmt_input_number,
    fmt_list,
    get_language,
    ngettext,
    parse_input_number,
    quoted,
)
from symbiose.i18n import language as i18n_language
from symbiose.labels import FIELD_LABELS, category_label, route_label, state_label, vocabulary_label
from symbiose.reference import search_ewc
from symbiose.ui import common
from symbiose.units import BASE_PER_UNIT

TABLE_LABELS = {"companies": "company", "streams": "stream (output)", "needs": "need (input)"}  # internal keys
TO_EDIT = {"companies": N_("Company to edit"), "streams": N_("Stream (output) to edit"),
           "needs": N_("Need (input) to edit")}  # fmt: skip
NEW_RECORD = {"companies": N_("(new company)"), "streams": N_("(new stream)"), "needs": N_("(new need)")}
SAVE = {"companies": N_("Save the company"), "streams": N_("Save the stream"), "needs": N_("Save the need")}
CHOICES = {
    "unit": ["t", "m3", "MWh"],
    "physical_state": [s.value for s in PhysicalState],
    "route": [r.value for r in Route],
    "category": ["", *resource_categories()],
    "material": ["", *resource_categories()],
    "destination_category": ["", *resource_categories()],
}
LABELS = FIELD_LABELS  # the form labels, shared with the audit log (symbiose.labels)
#: Fields chosen among a vocabulary, several at once (stored ';'-separated)
MULTI_CHOICES = {
    "forms": lambda: list(FORMS), "required_forms": lambda: list(FORMS), "refused_forms": lambda: list(FORMS),
    "accepted_states": lambda: [s.value for s in PhysicalState],
    "standards": lambda: list(load_knowledge_base().standards),
    "required_standards": lambda: list(load_knowledge_base().standards),
    "approvals": lambda: list(load_knowledge_base().approvals),
}  # fmt: skip
HELP = {
    "ewc_code": N_("List of Waste code, e.g. 03 01 05 (or 17 06 05* for a hazardous one)"),
    "accepted_codes": N_("waste codes or 2/4-digit prefixes, separated by commas: 0301, 03 01 05"),
    "months": N_("months available: 11-3, 1,2,3, nov-mar; empty = all year"),
    "quantity": N_("per year, in the unit below"),
    "latitude": N_("leave latitude and longitude empty to place the company at its commune"),
    "route_cost_eur_per_unit": N_("what the producer pays per unit today (negative if sold)"),
    "bulk_density_t_per_m3": N_("as loaded in bulk: chips about 0.3, straw bales 0.15, water 1, aggregates 1.6; "
                                "empty = the default of its category (a light material fills a truck before "
                                "its weight limit)"),
    "storage_months": N_("how many months it keeps once produced (0 = used as produced, at most 11); empty = "
                         "the default of its category"),
    "temperature_c": N_("for heat: the temperature it is delivered at; empty = the lowest of its grade"),
    "min_temperature_c": N_("for heat: the lowest temperature the process can use (a grain dryer needs "
                            "hotter heat than a greenhouse); empty = the category's grade alone"),
    "gate_fee_eur_per_unit": N_("for a treatment outlet (composting, methanisation, sorting) paid to take waste"),
    "destination": N_("an exchange that exists today is not suggested again as a new synergy"),
    "destination_category": N_("what today's outlet does with it (paper collected for a paper mill: recovered paper "
                               "fibre); a pair to that same use counts only the difference from today's route"),
    "max_temperature_c": N_("for cooling water: the warmest water the process can use (a still's condenser "
                            "needs cold water); empty = no limit"),
}
CHOICE_NAMES = {"physical_state": state_label, "route": route_label, "category": category_label,
                "material": category_label, "destination_category": category_label}  # fmt: skip




def _changed_label(column: str) -> str:
    """A stored column named as the form labels it (``quantity_base`` -> Quantity per year)."""
    from symbiose.db.repository import COLUMN_FIELDS

    stored = {field: name for name, field in COLUMN_FIELDS.items()}
    return field_label(stored.get(column, column))


def field_label(name: str) -> str:
    """A field as labelled on the form, in the current language."""
    return _(LABELS[name]) if name in LABELS else name.replace("_", " ").capitalize()


# --------------------------------------------------------------------------------------------
# tables for browsing


def company_frame(net: Network) -> pd.DataFrame:
    return pd.DataFrame([{
        "id": c.id, "name": c.name, "commune": c.commune, "postal_code": c.postal_code,
        "naf_code": c.naf_code, "latitude": c.latitude, "longitude": c.longitude,
        "contact": c.contact_name,
    } for c in net.companies], columns=["id", "name", "commune", "postal_code", "naf_code",
                                        "latitude", "longitude", "contact"])  # fmt: skip


def stream_frame(net: Network) -> pd.DataFrame:
    names = {c.id: (c.name, c.commune) for c in net.companies}
    return pd.DataFrame([{
        "id": s.id, "company_id": s.company_id, "company": names[s.company_id][0],
        "commune": names[s.company_id][1], "ewc_code": format_ewc(s.ewc_code) if s.ewc_code else "",
        "material": s.material, "description": s.description,
        "quantity": s.quantity_base / BASE_PER_UNIT, "unit": str(s.unit),
        "months": format_months(s.months), "route": str(s.route),
        "route_cost_eur_per_unit": s.route_cost_cents / 100,
    } for s in net.streams], columns=["id", "company_id", "company", "commune", "ewc_code", "material",
                                      "description", "quantity", "unit", "months", "route",
                                      "route_cost_eur_per_unit"])  # fmt: skip


def need_frame(net: Network) -> pd.DataFrame:
    names = {c.id: (c.name, c.commune) for c in net.companies}
    return pd.DataFrame([{
        "id": n.id, "company_id": n.company_id, "company": names[n.company_id][0],
        "commune": names[n.company_id][1], "category": n.category,
        "accepted_codes": ", ".join(format_ewc(c) for c in n.accepted_codes),
        "description": n.description, "quantity": n.quantity_base / BASE_PER_UNIT,
        "unit": str(n.unit), "virgin_price_eur_per_unit": n.virgin_price_cents / 100,
        "max_distance_km": n.max_distance_km, "months": format_months(n.months),
    } for n in net.needs], columns=["id", "company_id", "company", "commune", "category",
                                    "accepted_codes", "description", "quantity", "unit",
                                    "virgin_price_eur_per_unit", "max_distance_km", "months"])  # fmt: skip


def browse(net: Network) -> None:
    companies, streams, needs = company_frame(net), stream_frame(net), need_frame(net)
    c1, c2, c3 = st.columns(3)
    communes = c1.multiselect(_("Commune"), sorted(set(companies["commune"]) - {""}), key="f_commune",
                              placeholder=_("All communes"), select_all=False)  # fmt: skip
    code = c2.text_input(_("Waste code or words"), key="f_code", placeholder="02 07, sciure, sawdust",
                         help=_("a code or its first digits, or words of the List of Waste in French or English"))  # fmt: skip
    categories = c3.multiselect(_("Category"), list(resource_categories()), key="f_category",
                                format_func=category_label, placeholder=_("All categories"),
                                help=_("resource category of a need, or material of a stream without a waste "
                                       "code (heat, process water)"), select_all=False)  # fmt: skip
    if communes:
        companies = companies[companies["commune"].isin(communes)]
        streams = streams[streams["commune"].isin(communes)]
        needs = needs[needs["commune"].isin(communes)]
    if code.strip() and re.search(r"[^\W\d_]", code):  # words: the codes whose label holds them
        found = set(search_ewc(code, limit=1000))
        streams = streams[streams["ewc_code"].str.replace(" ", "").isin(found)]
        needs = needs[needs["accepted_codes"].str.replace(" ", "").str.split(",").map(
            lambda codes: any(f.startswith(c) for c in codes if c for f in found))]
    elif code.strip():
        compact = re.sub(r"\D", "", code)
        streams = streams[streams["ewc_code"].str.replace(" ", "").str.startswith(compact)]
        needs = needs[needs["accepted_codes"].str.replace(" ", "").str.split(",").map(
            lambda codes: any(c.startswith(compact) or compact.startswith(c) for c in codes if c))]
    if categories:
        streams = streams[streams["material"].isin(categories)]
        needs = needs[needs["category"].isin(categories)]
    st.markdown("**{title}** ({n})".format(title=_("Companies"), n=len(companies)))
    _table(companies, company_columns(), "companies_table", _("No company matches these filters."))
    st.markdown("**{title}** ({n})".format(title=_("Streams: what companies put out"), n=len(streams)))
    _table(streams.assign(material=streams["material"].map(category_label), route=streams["route"].map(route_label)),
           stream_columns(), "streams_table", _("No stream matches these filters."))  # fmt: skip
    st.markdown("**{title}** ({n})".format(title=_("Needs: what companies take in"), n=len(needs)))
    _table(needs.assign(category=needs["category"].map(category_label)), need_columns(), "needs_table",
           _("No need matches these filters."))  # fmt: skip


def _table(frame: pd.DataFrame, columns: dict, key: str, empty: str) -> None:
    """The columns people read first, named with their units; the rest stay in the export."""
    if frame.empty:
        st.caption(empty + " " + _("Clear the commune, code or category filter above to see more."))
        return
    st.dataframe(frame[list(columns)], hide_index=True, key=key, column_config=columns)


def company_columns() -> dict:
    return {
        "id": st.column_config.TextColumn(_("id"), width="small"),
        "name": st.column_config.TextColumn(_("name"), width="large"),
        "commune": _("commune"), "naf_code": st.column_config.TextColumn("NAF", help=_("activity code (NAF rév.2)")),
        "contact": _("contact"),
        "latitude": common.number(_("lat.")),
        "longitude": common.number(_("long.")),
    }  # fmt: skip


def stream_columns() -> dict:
    return {
        "id": st.column_config.TextColumn(_("id"), width="small"),
        "company": st.column_config.TextColumn(_("company"), width="medium"),
        "commune": _("commune"),
        "ewc_code": st.column_config.TextColumn(_("waste code"), help=_("European List of Waste; * = hazardous")),
        "description": st.column_config.TextColumn(_("description"), width="medium"),
        "quantity": common.number(_("quantity (/yr)"), help=_("per year, in the unit shown")),
        "unit": st.column_config.TextColumn(_("unit"), width="small"),
        "months": st.column_config.TextColumn(_("months"), help=_("months available; empty = all year")),
        "route": st.column_config.TextColumn(_("current route")),
        "route_cost_eur_per_unit": common.number(_("route cost (EUR/unit)"),
                                                 help=_("paid per unit today for the current route; negative when sold")),
        "material": st.column_config.TextColumn(_("material"), help=_("for streams without a waste code (heat, water)")),
    }  # fmt: skip


def need_columns() -> dict:
    return {
        "id": st.column_config.TextColumn(_("id"), width="small"),
        "company": st.column_config.TextColumn(_("company"), width="medium"),
        "commune": _("commune"),
        "category": _("category"),
        "description": st.column_config.TextColumn(_("description"), width="medium"),
        "quantity": common.number(_("quantity (/yr)"), help=_("per year, in the unit shown")),
        "unit": st.column_config.TextColumn(_("unit"), width="small"),
        "virgin_price_eur_per_unit": common.number(_("virgin price (EUR/unit)"),
                                                   help=_("what the company pays today for the virgin input")),
        "max_distance_km": common.number(_("max road (km)"), help=_("furthest road distance accepted")),
        "months": st.column_config.TextColumn(_("months"), help=_("months needed; empty = all year")),
        "accepted_codes": st.column_config.TextColumn(_("accepted waste codes")),
    }  # fmt: skip


# --------------------------------------------------------------------------------------------
# forms


@st.cache_data(max_entries=12, show_spinner=False)
def _rows(url: str, version: tuple, table: str) -> dict[str, dict[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        write_bundle(common.network(), tmp)
        with open(Path(tmp) / f"{table}.csv", encoding="utf-8", newline="") as f:
            return {row["id"]: row for row in csv.DictReader(f)}


def _current_rows(net: Network, table: str) -> dict[str, dict[str, str]]:
    """Every record of ``table`` as the text cells of its canonical CSV row, by id."""
    return _rows(db.database_url(), common.data_version(), table)


NEW_ID = "NOUVEL-ID"  # stands for the id the database issues, while a new record is validated
TABLE_WORDS = {"companies": N_("company"), "streams": N_("stream"), "needs": N_("need")}


def _validated(table: str, row: dict[str, str], s) -> object:
    """The record a form row stands for, read and checked exactly as an import reads a file."""
    headers = [c.name for c in TABLES[table]]
    with tempfile.TemporaryDirectory() as top:
        # the folder's name is the import's name in the audit log
        tmp = Path(top) / f"form {table} {row.get('id', '')}"[:80]
        tmp.mkdir()
        with open(tmp / f"{table}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=headers)
            writer.writeheader()
            writer.writerow({h: row.get(h, "") for h in headers})
        network = db.read_bundle_for(s, tmp)
    return getattr(network, table)[0]


def save_form(table: str, values: dict[str, str], opened: dict | None, actor: str) -> db.RecordSaved:
    """Save one form: a new record (``opened`` None) or the changed fields of an opened one.

    ``values`` are the texts as typed, numbers as the reader's language writes them (``1 234,5``
    in French: :func:`symbiose.i18n.parse_input_number`).

    ``opened`` is what the form read when it opened: ``{"version": 3, "values": {...}}``. A record
    changed by someone else since is refused (who and when are named); only the columns whose
    text differs from what was read are written. A new record whose id is left empty gets the
    next id from the database, so saving a new-record form twice makes two records.
    """
    values, wrong_numbers = _typed_numbers(values)
    row = dict(values)
    moved = _moved(table, values, opened)
    recoded: list[str] = []
    if moved:
        # a new commune (or INSEE or postal code) with the coordinates left as the form read them:
        # the company is placed at its new commune, as an import places a row without coordinates
        row["latitude"] = row["longitude"] = ""
        recoded = _old_codes(values, opened)
        for column in recoded:  # the old commune's codes, left as read: filled again from the new one
            row[column] = ""
    typed_id = row.get("id", "").strip()
    if opened is None and not typed_id:
        row["id"] = NEW_ID
    with common.transaction() as s:
        try:
            item = _validated(table, row, s)
        except ValidationError as exc:
            raise _all_problems(table, wrong_numbers, list(exc.problems)) from None
        if wrong_numbers:
            raise _all_problems(table, wrong_numbers, [])
        if opened is None:
            if not typed_id:
                item = dataclasses.replace(item, id="")
            return db.save_record(s, table, item, actor=actor, expected_version=None)
        changed = [c for c, v in values.items() if c != "id" and not _same_cell(c, v, opened["values"].get(c, ""))]
        changed += [c for c in ("latitude", "longitude", *recoded) if moved and c not in changed]
        version = opened["version"]
        state = db.record_state(s, table, str(item.id))
        if state is not None and state.version != version and changed:
            # changed by someone else since the form opened: when the two edits touch different
            # fields, this one is saved over the other (validated on the record as it is now);
            # when they touch the same field, nothing is saved and the field is named
            current = _current_rows(None, table).get(str(item.id))
            if current is not None:
                theirs = [c for c in current if c != "id" and not _same_cell(c, current[c], opened["values"].get(c, ""))]
                both = [c for c in changed if c in theirs]
                if both:
                    raise ConcurrentEditError(_(
                        "{what} was changed by {who} since you opened it, in the same fields as yours ({fields}); "
                        "nothing was saved. Reload it to see the change, then make yours again"
                    ).format(what=record_label(table, str(item.id), start=True), who=state.updated_by or _("another user"),
                             fields=fmt_list([field_label(c) for c in both])))  # fmt: skip
                merged = {**current, **{c: row[c] for c in changed if c in row}}
                try:
                    item = _validated(table, merged, s)
                except ValidationError as exc:
                    raise _all_problems(table, [], list(exc.problems)) from None
                version = state.version
                st.session_state[f"merged_{table}"] = _(
                    "{who} had changed {fields} since you opened the form; those changes are kept with yours."
                ).format(who=state.updated_by or _("another user"), fields=fmt_list([field_label(c) for c in theirs]))
        return db.save_record(s, table, item, actor=actor, expected_version=version, columns=changed)


def _old_codes(values: dict[str, str], opened: dict) -> list[str]:
    """The INSEE and postal codes a form left as read while its commune changed: they name the old
    commune (the import refused « INSEE code 17197 is Jonzac, not Montendre »), so they are filled
    again from the new commune."""
    from symbiose.reference import fold_name

    read = opened["values"]
    if fold_name(values.get("commune", "").strip()) == fold_name(str(read.get("commune", "")).strip()):
        return []
    return [c for c in ("insee_code", "postal_code") if values.get(c, "").strip() == str(read.get(c, "")).strip()]


def _moved(table: str, values: dict[str, str], opened: dict | None) -> bool:
    """A company whose commune, INSEE code or postal code the form changed while its latitude and
    longitude stayed as read: the stored coordinates belong to the old place."""
    if table != "companies" or opened is None:
        return False
    from symbiose.reference import fold_name

    read = opened["values"]

    def same(column: str) -> bool:
        return _same_cell(column, values.get(column, "").strip(), str(read.get(column, "")).strip())

    def new_place(column: str) -> bool:
        # a cleared code is filled again from the commune, and case or accents name the same place
        typed = values.get(column, "").strip()
        return bool(typed) and fold_name(typed) != fold_name(str(read.get(column, "")).strip())

    return any(new_place(c) for c in ("commune", "insee_code", "postal_code")) and all(
        same(c) for c in ("latitude", "longitude"))


def _opened(table: str, choice: str, rows_of) -> dict | None:
    """What the form read when the record was opened (version first, then the values: a change
    landing in between makes the save refused, never lost). Kept until the record is reopened."""
    key = f"opened_{table}"
    kept = st.session_state.get(key)
    if kept is not None and kept["id"] == choice:
        return kept
    with common.session() as s:
        state = db.record_state(s, table, choice)
    if state is None:
        return None
    kept = {"id": choice, "version": state.version, "values": dict(rows_of().get(choice, {}))}
    st.session_state[key] = kept
    return kept


PREFILL_FIELDS = {
    "streams": ("ewc_code", "material", "description", "unit", "physical_state", "months"),
    "needs": ("category", "description", "unit"),
}


def _prefill(table: str, company_id: str, row: dict[str, str]) -> None:
    """Copy a typical flow into the new-record form of ``table`` (nothing is saved)."""
    choice = _new_label(table)  # the internal value of the new-record choice
    st.session_state[f"edit_{table}"] = choice
    key = f"{table}_{choice}_"
    st.session_state[key + "company_id"] = company_id
    for name in PREFILL_FIELDS[table]:
        st.session_state[key + name] = row.get(name, "")
    st.session_state[key + "quantity"] = ""


def _typical_in_language(row: dict[str, str]) -> dict[str, str]:
    """A typical flow's words in the current language (the knowledge base writes them in English):
    shown, and copied into the form as they read."""
    description = category_label(row["category"]) if row.get("category") else _(row["description"])
    return {**row, "description": description, "basis": _(row["basis"])}


def _new_form_key(table: str, name: str) -> str:
    return f"{table}_{_new_label(table)}_{name}"


def _new_label(table: str) -> str:
    return f"(new {TABLE_LABELS[table].split(' ')[0]})"  # internal value (widget keys use it)


def _new_record_for(table: str) -> None:
    """The company chosen above the form is the new record's company: an officer who picked a
    company there and filled the form saved the stream for the form's own first company."""
    st.session_state[_new_form_key(table, "company_id")] = st.session_state[f"prefill_company_{table}"]


def typical_flows(net: Network, table: str) -> None:
    """Typical streams and needs of a company's sector (NAF), each able to pre-fill a form."""
    companies = {c.id: c for c in net.companies}
    if not companies:
        return
    not_set = _("not set")
    company_id = st.selectbox(_("Company"), list(companies), key=f"prefill_company_{table}",
                              format_func=lambda c: f"{c} {companies[c].name} "
                              f"(NAF {companies[c].naf_code or not_set})",
                              on_change=_new_record_for, args=(table,))  # fmt: skip
    naf = companies[company_id].naf_code
    with st.expander(_("Typical flows for this company's activity (NAF {naf})").format(naf=naf or not_set)):
        if not naf:
            st.caption(_("Give the company its NAF code (Company tab) to see its sector's flows."))
            return
        try:
            lists = {"streams": prefill.typical_streams(naf), "needs": prefill.typical_needs(naf)}
            lists = {target: [_typical_in_language(row) for row in rows] for target, rows in lists.items()}
        except ValueError as exc:
            st.warning(str(exc))
            return
        st.caption(_("What companies of this sector usually put out and take in. A button copies the row into the "
                     "new stream or need form: enter the quantity there and save. Nothing is stored until you "
                     "save."))  # fmt: skip
        for target, title in (("streams", _("Typical streams (outputs)")),
                              ("needs", _("Typical needs (inputs)"))):  # fmt: skip
            st.markdown(f"**{title}**")
            if not lists[target]:
                st.caption(_("None listed for this sector."))
            for i, row in enumerate(lists[target]):
                what = row.get("ewc_code") or category_label(row.get("material") or row["category"])
                months = (", " + _("months {months}").format(months=row["months"])) if row.get("months") else ""
                left, right = st.columns([5, 1])
                left.markdown(f"`{what}` {row['description']} ({row['unit']}{months})",
                              help=f"{row['nace_prefix']}: {row['basis']}")  # fmt: skip
                right.button(_("Pre-fill"), key=f"prefill_{table}_{target}_{i}", on_click=_prefill,
                             args=(target, company_id, row),
                             help=_("copy into the new stream form (Stream tab)") if target == "streams"
                             else _("copy into the new need form (Need tab)"))  # fmt: skip


def _use_code(table: str, choice: str, code: str) -> None:
    """Put a code found in the List of Waste into the open form (nothing is saved)."""
    key = f"{table}_{choice}_" + ("ewc_code" if table == "streams" else "accepted_codes")
    if table == "streams":
        st.session_state[key] = code
    else:
        current = st.session_state.get(key, "").strip().strip(",")
        st.session_state[key] = f"{current}, {code}" if current else code


def waste_code_finder(table: str, choice: str) -> None:
    """Search the List of Waste by French or English words or by code, and copy a code into the form."""
    from symbiose.domain import format_ewc

    with st.expander(_("Find a waste code (French or English words, or a code)")):
        code = common.ewc_code_input(_("Waste code or words"), key=f"find_code_{table}")
        if code.strip() and any(ch.isdigit() for ch in code):
            compact = re.sub(r"\D", "", code)
            if len(compact) == 6:
                st.button(_("Use {code} in the form").format(code=format_ewc(compact)), key=f"use_code_{table}",
                          on_click=_use_code, args=(table, choice, format_ewc(compact)))  # fmt: skip


#: Columns holding a number: the form shows and reads them as the reader's language writes
#: numbers (1 234,568 in French), and stores exactly what it shows
# free text that may hold line breaks (an import keeps them): a one-line box would glue the lines
# together and save them so on the next change of the field
LONG_TEXT_COLUMNS = frozenset({"notes", "description"})
NUMBER_COLUMNS = frozenset({
    "latitude", "longitude", "quantity", "route_cost_eur_per_unit", "bulk_density_t_per_m3", "storage_months",
    "temperature_c", "virgin_price_eur_per_unit", "max_distance_km", "min_temperature_c", "max_temperature_c",
    "gate_fee_eur_per_unit",
})  # fmt: skip


def _filled_key(table: str, choice: str) -> str:
    return f"filled_{table}_{choice}"


def _widget_value(name: str, value: str, company_ids: list[str]):
    """What a field's widget holds for the text of a canonical CSV cell."""
    if name == "company_id" and company_ids:
        return value if value in company_ids else company_ids[0]
    if name in CHOICES:
        return value if value in CHOICES[name] else CHOICES[name][0]
    if name in MULTI_CHOICES:
        options = MULTI_CHOICES[name]()
        return [x for x in value.split(";") if x in options]
    if name == "hazardous_permit":
        return value == "true"
    return fmt_input_number(value) if name in NUMBER_COLUMNS else value


def _fill_form(table: str, choice: str, current: dict[str, str], opened: dict | None, company_ids: list[str]) -> None:
    """Put the record into the form's widgets, before they are drawn.

    A record opened (or read again after a save) fills every field as stored; a new-record form
    fills only the fields not yet typed or pre-filled. When the reader switches language, the
    numbers typed or shown are written again in the new language (12,345 read in French is
    12.345 in English), so that a number never changes meaning with the language.
    """
    keys = {column.name: f"{table}_{choice}_{column.name}" for column in TABLES[table]}
    language = get_language()
    filled = st.session_state.get(_filled_key(table, choice))
    same_read = filled is not None and filled[1] == (opened["version"] if opened else None)
    if opened is not None and not (same_read and all(k in st.session_state for k in keys.values())):
        for name, key in keys.items():
            st.session_state[key] = _widget_value(name, current.get(name, "") or "", company_ids)
    else:
        for name, key in keys.items():
            if key not in st.session_state:
                st.session_state[key] = _widget_value(name, current.get(name, "") or "", company_ids)
        if filled is not None and filled[0] != language:
            for name in NUMBER_COLUMNS & keys.keys():
                with i18n_language(filled[0]):
                    try:
                        plain = parse_input_number(st.session_state[keys[name]])
                    except ValueError:
                        continue  # not a number: left as typed, and told when saved
                st.session_state[keys[name]] = fmt_input_number(plain)
    st.session_state[_filled_key(table, choice)] = (language, opened["version"] if opened else None)


def _typed_numbers(values: dict[str, str]) -> tuple[dict[str, str], list[Problem]]:
    """The form's values with each number as a file writes it (1 234,5 -> 1234.5), and a problem
    for each text that is not a number (left as typed), saying how to write it."""
    out, problems = dict(values), []
    for name in sorted(NUMBER_COLUMNS & values.keys()):
        try:
            out[name] = parse_input_number(values[name])
        except ValueError as exc:
            problems.append(Problem("form", None, name, str(exc)))
    return out, problems


def _all_problems(table: str, numbers: list[Problem], others: list[Problem]) -> ValidationError:
    """The numbers' problems with the record's others (the import's own word on a number already
    told is left out), in the order of the form's fields."""
    told = {p.column for p in numbers}
    order = {column.name: i for i, column in enumerate(TABLES[table])}
    problems = numbers + [p for p in others if p.column not in told]
    return ValidationError(sorted(problems, key=lambda p: order.get(p.column or "", -1)))


def _same_cell(name: str, typed: str, read: str) -> bool:
    """Whether a form value is the one read: a number by its value (45.4 and 45.40 are one)."""
    if typed == read:
        return True
    if name in NUMBER_COLUMNS and typed.strip() and read.strip():
        try:
            return Decimal(typed) == Decimal(read)
        except InvalidOperation:
            return False
    return False


def record_form(net: Network, table: str) -> None:
    if saved := st.session_state.pop(f"saved_{table}", None):
        st.success(saved)
        if merged := st.session_state.pop(f"merged_{table}", None):
            st.info(merged)
    if table in PREFILL_FIELDS:
        typical_flows(net, table)
    rows = _current_rows(net, table)
    new_label = _new_label(table)
    chosen_above = st.session_state.get(f"prefill_company_{table}")
    if chosen_above and _new_form_key(table, "company_id") not in st.session_state:
        st.session_state[_new_form_key(table, "company_id")] = chosen_above
    if table in ("streams", "needs"):
        waste_code_finder(table, new_label if st.session_state.get(f"edit_{table}", new_label) == new_label
                          else st.session_state[f"edit_{table}"])  # fmt: skip
    choice = st.selectbox(_(TO_EDIT[table]), [new_label, *rows], key=f"edit_{table}",
                          format_func=lambda v: _(NEW_RECORD[table]) if v == new_label else v)  # fmt: skip
    opened = None
    if choice != new_label:
        opened = _opened(table, choice, lambda: _current_rows(net, table))
        if opened is None:
            st.warning(_("{what} {id} was deleted since the list was read; choose another record.").format(
                what=_(TABLE_WORDS[table]).capitalize(), id=choice))  # fmt: skip
            return
    else:
        st.session_state.pop(f"opened_{table}", None)
    current = opened["values"] if opened else {"id": ""}
    company_ids = [c.id for c in net.companies]
    names = {c.id: c.name for c in net.companies}
    _fill_form(table, choice, current, opened, company_ids)
    with st.form(f"form_{table}_{choice}", clear_on_submit=False):
        values: dict[str, str] = {}
        cols = st.columns(2)
        for i, column in enumerate(TABLES[table]):
            name = column.name
            label = f"{field_label(name)}{' *' if column.required else ''}"
            box = cols[i % 2]
            key = f"{table}_{choice}_{name}"
            # every value comes from the session (set by _fill_form), none from value=: the
            # browser shows what the page sets, and would keep showing an old value otherwise
            if name == "id" and opened is None:
                values[name] = box.text_input(label, key=key, placeholder=_("issued when you save"),
                                              help=_("leave empty: the next free id is issued when "
                                                     "you save"))  # fmt: skip
            elif name == "id":
                values[name] = box.text_input(label, key=key, disabled=True)
            elif name == "company_id" and company_ids:
                values[name] = box.selectbox(label, company_ids, key=key, format_func=lambda c: f"{c} {names[c]}",
                                             placeholder=_("Choose an option"))  # fmt: skip
            elif name in CHOICES:
                values[name] = box.selectbox(label, CHOICES[name], key=key, format_func=CHOICE_NAMES.get(name, str),
                                             placeholder=_("Choose an option"))  # fmt: skip
            elif name in MULTI_CHOICES:
                picked = box.multiselect(label, MULTI_CHOICES[name](), key=key,
                                         format_func=lambda x, n=name: vocabulary_label(n, x), placeholder=_("Choose options"), select_all=False)  # fmt: skip
                values[name] = ";".join(picked)
            elif name == "hazardous_permit":
                values[name] = "true" if box.checkbox(label, key=key) else "false"
            else:
                hint = _(HELP[name]) if name in HELP else ""
                if name in NUMBER_COLUMNS:
                    written = _("a number written like {example}").format(example=fmt_input_number("1234.5"))
                    hint = fmt_list([hint, written] if hint else [written])
                field = box.text_area if name in LONG_TEXT_COLUMNS else box.text_input
                values[name] = field(label, key=key, help=_(
                    "{help} (spreadsheet column `{name}` / `{french}`)").format(
                        help=hint, name=name, french=column.french).strip())  # fmt: skip
        submitted = st.form_submit_button(_(SAVE[table]), type="primary")
    if submitted:
        if opened is not None:
            values["id"] = choice
        try:
            saved = save_form(table, values, opened, common.actor())
        except SymbioseError as exc:
            common.show_form_problems(exc, {c.name: field_label(c.name) for c in TABLES[table]})
            return
        what = _(TABLE_WORDS[table])
        if saved.created and values.get("company_id"):
            st.success(_("Saved: {what} {id} created for {company}. The matches and every page now use it.").format(
                what=what, id=saved.id, company=f"{values['company_id']} {names.get(values['company_id'], '')}".strip()))  # fmt: skip
        elif saved.created:
            st.success(_("Saved: {what} {id} created. The matches and every page now use it.").format(
                what=what, id=saved.id))  # fmt: skip
        elif saved.changed:
            # the form is read again from the database: what was stored may differ from what was
            # typed (a company moved gets its new commune's coordinates, the form kept the old)
            st.session_state.pop(f"opened_{table}", None)
            st.session_state.pop(_filled_key(table, choice), None)
            st.session_state[f"saved_{table}"] = ngettext(
                "Saved: {what} {id} updated ({fields}). The matches and every page now use it.",
                "Saved: {what} {id} updated ({fields}). The matches and every page now use it.",
                len(saved.changed)).format(
                what=what, id=saved.id, fields=fmt_list([_changed_label(c) for c in saved.changed]))  # fmt: skip
            st.rerun()
        else:
            st.info(_("{id} is unchanged.").format(id=saved.id))


# --------------------------------------------------------------------------------------------
# import and export


@contextlib.contextmanager
def _uploaded(files: list[tuple[str, bytes]]) -> Iterator[Path]:
    """The uploaded files in a temporary folder, as the path to read: the workbook, or the
    folder of CSV files. A workbook beside other files is refused, naming what to remove (a bad
    workbook left in the uploader would otherwise block the corrected files)."""
    workbooks = [name for name, _data in files if name.lower().endswith((".xlsx", ".xlsm"))]
    others = [name for name, _data in files if name not in workbooks]
    if len(workbooks) > 1 and not others:
        raise ValidationError(_("upload one .xlsx workbook at a time: remove all but one of {workbooks}").format(
            workbooks=", ".join(map(quoted, workbooks))))  # fmt: skip
    if workbooks and others:
        raise ValidationError(ngettext(
            "upload one .xlsx workbook, or several .csv files, not both: remove {workbooks}, or the "
            "other file ({others})",
            "upload one .xlsx workbook, or several .csv files, not both: remove {workbooks}, or the "
            "other files ({others})", len(others)).format(
            workbooks=", ".join(map(quoted, workbooks)), others=", ".join(map(quoted, others))))  # fmt: skip
    with tempfile.TemporaryDirectory() as top:
        tmp = Path(top) / _("uploaded files")
        tmp.mkdir()
        for name, data in files:
            (tmp / Path(name).name).write_bytes(data)
        yield tmp / Path(workbooks[0]).name if workbooks else tmp


def _upload_name(files: list[tuple[str, bytes]]) -> str:
    """The import's name in the list of recent imports: « dépôt : entreprises.csv, flux.csv »."""
    return _("upload: {files}").format(files=", ".join(Path(name).name for name, _data in files))


def preview_import(files: list[tuple[str, bytes]]) -> imports.ImportPlan:
    """What importing the uploaded files would change, record by record (nothing written)."""
    with _uploaded(files) as path, common.session() as s:
        return imports.plan_import(s, path, name=_upload_name(files))


def confirm_import(files: list[tuple[str, bytes]], plan: imports.ImportPlan) -> imports.ImportResult:
    """Write the previewed import (refused if the database changed since the preview)."""
    with _uploaded(files) as path, common.transaction() as s:
        return imports.apply_import(s, path, actor=common.actor(), expected=plan, name=_upload_name(files))


PREVIEW_KEY = "import_preview"


def _show_preview(plan: imports.ImportPlan) -> None:
    for notice in plan.notices:
        st.info(notice)
    counts = pd.DataFrame(plan.count_rows(), columns=[_(h) for h in imports.COUNT_HEADERS])
    st.dataframe(counts, hide_index=True)
    for warning in plan.warnings:
        st.warning(warning, icon="⚠️")
    if plan.changed:
        st.dataframe(plan.frame(), hide_index=True)


UNDONE_KEY = "import_undone"


def _recent_imports() -> None:
    with common.session() as s:
        recent = imports.recent_imports(s, limit=5)
    undone = st.session_state.pop(UNDONE_KEY, None)  # said after the list is drawn again
    if not recent:
        return
    st.markdown("**" + _("Recent imports") + "**")
    for item in recent:
        left, right = st.columns([5, 1])
        state = _(" (undone)") if item.undone else ""
        left.markdown(_("`{id}` {when}, {actor}: {name}, {counts}{state}").format(
            id=item.import_id, when=fmt_datetime(item.occurred_at), actor=item.actor, name=item.name,
            counts=imports.created_text(item.created, item.updated), state=state))  # fmt: skip
        if not item.undone and right.button(_("Undo"), key=f"undo_{item.import_id}",
                                            help=_("put back the values from before this import")):  # fmt: skip
            try:
                with common.transaction() as s:
                    done = imports.undo_import(s, item.import_id, actor=common.actor())
            except SymbioseError as exc:
                common.show_problems(exc)
            else:  # drawn again: the import is said undone, without its button
                st.session_state[UNDONE_KEY] = _("Import {id} undone: {counts}.").format(
                    id=item.import_id, counts=imports.undone_text(**done))
                st.rerun()
    if undone:
        st.success(undone)


@st.cache_data(max_entries=4, show_spinner=False)
def _export_bytes(url: str, version: tuple, language: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "network.xlsx"
        # in French: sheets, headings and words an officer's spreadsheet reads, and the import too
        write_bundle(common.network(), path, french=language == "fr")
        return path.read_bytes()


@st.cache_data(show_spinner=False)
def _template_bytes(language: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "modeles.xlsx"
        write_templates(path, language=language)
        return path.read_bytes()


def import_export() -> None:
    st.markdown(_("Import a network bundle: one Excel workbook (sheets `companies`, `streams`, "
                  "`needs`, optionally `synergies`, or their French names) or several CSV files "
                  "(`companies.csv` / `entreprises.csv`, ...). French spreadsheets are accepted "
                  "(`;`, decimal commas, Windows-1252). Records are created or updated by id; a "
                  "column absent from the file, or an empty cell, leaves the stored values alone. The preview shows "
                  "every change before anything is written; nothing is written if any problem is "
                  "found, and an import can be undone."))  # fmt: skip
    uploads = st.file_uploader(_("Bundle files"), type=["xlsx", "csv"], accept_multiple_files=True,
                               key="bundle_files")  # fmt: skip
    files = [(f.name, f.getvalue()) for f in uploads or []]
    if st.button(_("Preview the import"), disabled=not files, type="primary", key="import_button",
                 help=_("shows what would be created and updated; nothing is written yet")):  # fmt: skip
        st.session_state.pop(PREVIEW_KEY, None)
        try:
            st.session_state[PREVIEW_KEY] = (files, preview_import(files))
        except SymbioseError as exc:
            common.show_problems(exc)
    previewed = st.session_state.get(PREVIEW_KEY)
    if previewed is not None and previewed[0] != files:
        st.session_state.pop(PREVIEW_KEY, None)  # other files uploaded since: preview again
        previewed = None
    if previewed is not None:
        previewed_files, plan = previewed
        _show_preview(plan)
        if not plan.changed:
            st.info(_("Nothing to import: every record of the file is already stored as it is."))
        elif st.button(_("Confirm the import"), type="primary", key="import_confirm"):
            try:
                result = confirm_import(previewed_files, plan)
            except SymbioseError as exc:
                common.show_problems(exc)
            else:
                st.session_state.pop(PREVIEW_KEY, None)
                st.success(_("Imported: {counts} (import {id}, which the Undo button below takes back).").format(
                    counts=imports.created_text(result.created, result.updated, records=True), id=result.import_id))  # fmt: skip
    _recent_imports()
    st.divider()
    c1, c2, c3 = st.columns(3)
    with common.shows_errors():
        c1.download_button(_("Export the network (xlsx)"), _export_bytes(db.database_url(), common.data_version(), get_language()),
                           file_name="reseau_symbiose.xlsx", key="export_xlsx")  # fmt: skip
        c2.download_button(_("Templates (French, xlsx)"), _template_bytes("fr"), file_name="modeles_symbiose.xlsx",
                           key="templates_fr")  # fmt: skip
        c3.download_button(_("Templates (English, xlsx)"), _template_bytes("en"),
                           file_name="templates_symbiose.xlsx", key="templates_en")  # fmt: skip


def page() -> None:
    st.title(_("Companies & flows"))
    with common.shows_errors():
        net = common.network()
        tabs = st.tabs([_("Browse"), _("Company"), _("Stream"), _("Need"), _("Import / export")])
        with tabs[0]:
            browse(net)
        for tab, table in zip(tabs[1:4], ("companies", "streams", "needs"), strict=True):
            with tab:
                record_form(net, table)
        with tabs[4]:
            import_export()
