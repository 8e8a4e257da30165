"""Imports that change only what the file says, previews, undo, limits, safe outputs.

On a real SQLite file and the real PostgreSQL server (``session``/``engine`` fixtures), through
the library and through the command line (click's CliRunner, and real processes for the
concurrency test).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from symbiose.bundle import (
    TABLES,
    read_import,
    record_texts,
    table_csv,
    write_bundle,
    write_templates,
)
from symbiose.cli import main
from symbiose.db import load_network, save_network, stage_history
from symbiose.db.imports import apply_import, plan_import, recent_imports, undo_import
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
from symbiose.errors import ImportValidationError, ValidationError
from symbiose.i18n import language as in_language
from symbiose.safe_output import atomic_folder
from symbiose.units import Unit


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Messages are checked in English here (French: test_messages_are_french_by_default)."""
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")


# ------------------------------------------------------------------------------------------------
# stored networks, drawn by hypothesis

TEXT = st.text(
    alphabet=st.sampled_from("abcXYZ éÉàç€&;,.\"'=+-@0123456789"), max_size=12
).map(str.strip)
IDS = st.text(alphabet="ABC0123456789", min_size=1, max_size=5)
CODES = ["030105", "020704", "170504", "100101", "190805"]
CATEGORIES = ["wood_fuel", "methanisation_feedstock", "aggregates", "heat_hot_water"]
#: the units each may be counted in (a unit that does not fit is refused at the import)
UNITS = {"": [Unit.T, Unit.M3], "wood_fuel": [Unit.T, Unit.M3], "methanisation_feedstock": [Unit.T, Unit.M3],
         "aggregates": [Unit.T, Unit.M3], "heat_hot_water": [Unit.MWH]}  # fmt: skip


@st.composite
def networks(draw) -> Network:
    company_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    companies = tuple(
        Company(
            id=f"C{cid}", name=draw(TEXT.filter(bool)),
            latitude=draw(st.floats(45.1, 45.6).map(lambda v: round(v, 5))),
            longitude=draw(st.floats(-0.7, -0.2).map(lambda v: round(v, 5))),
            naf_code=draw(st.sampled_from(["", "16.10A", "11.01Z"])),
            siret=draw(st.sampled_from(["", "12345678900012"])),
            address=draw(TEXT), contact_name=draw(TEXT),
            contact_email=draw(st.sampled_from(["", "scierie@example.fr", "élodie.mérand@mairie-jonzac.fr"])),
            contact_phone=draw(st.sampled_from(["", "+33 5 46 48 00 00", "05 46 48 00 00"])),
            notes=draw(TEXT),
        )
        for cid in company_ids
    )  # fmt: skip
    months = st.lists(st.integers(1, 12), max_size=4).map(
        lambda m: parse_months(format_months(tuple(sorted(set(m)))))
    )
    materials = [draw(st.sampled_from(["", *CATEGORIES])) for _ in range(4)]
    categories = [draw(st.sampled_from(CATEGORIES)) for _ in range(3)]
    streams = tuple(
        Stream(
            id=f"S{i}", company_id=draw(st.sampled_from(companies)).id,
            quantity_base=draw(st.integers(0, 10_000_000)), unit=draw(st.sampled_from(UNITS[materials[i]])),
            ewc_code=draw(st.sampled_from(CODES)), material=materials[i],
            description=draw(TEXT), physical_state=draw(st.sampled_from(list(PhysicalState))),
            months=draw(months), route=draw(st.sampled_from(list(Route))),
            route_cost_cents=draw(st.integers(-50_000, 50_000)), notes=draw(TEXT),
        )
        for i in range(draw(st.integers(0, 4)))
    )  # fmt: skip
    needs = tuple(
        Need(
            id=f"N{i}", company_id=draw(st.sampled_from(companies)).id,
            quantity_base=draw(st.integers(0, 10_000_000)), unit=draw(st.sampled_from(UNITS[categories[i]])),
            category=categories[i],
            accepted_codes=tuple(draw(st.lists(st.sampled_from(["0301", "020704"]), max_size=2, unique=True))),
            description=draw(TEXT), virgin_price_cents=draw(st.integers(0, 50_000)),
            max_distance_km=draw(st.sampled_from([None, 40.0, 12.5])), months=draw(months),
            hazardous_permit=draw(st.booleans()), notes=draw(TEXT),
        )
        for i in range(draw(st.integers(0, 3)))
    )  # fmt: skip
    synergies = []
    if streams and needs:
        for i in range(draw(st.integers(0, 2))):
            stage = draw(st.sampled_from([Stage.SUGGESTED, Stage.CONTACTED, Stage.ABANDONED]))
            stream, need = draw(st.sampled_from(streams)), draw(st.sampled_from(needs))
            most = min(stream.quantity_base, need.quantity_base)  # the matcher's rule
            synergies.append(Synergy(
                id=f"Y{i}", stream_id=stream.id, need_id=need.id, stage=stage,
                quantity_base=draw(st.none() | st.integers(0, most)),
                abandoned_reason="trop loin" if stage is Stage.ABANDONED else "",
                created_on=date(2026, 1, 15), updated_on=date(2026, 2, 1), notes=draw(TEXT),
            ))  # fmt: skip
    return Network(companies, streams, needs, tuple(synergies))


@contextlib.contextmanager
def _tx(session):
    """A transaction on the test's session (ending the one a previous read opened)."""
    if session.in_transaction():
        session.rollback()
    with session.begin():
        yield


def _reset(session) -> None:
    with _tx(session):
        # the audit log is append-only (the database refuses DELETE): it keeps growing, which no
        # assertion here depends on, since each import has its own id
        for table in ("synergies", "needs", "streams", "companies"):
            session.execute(text(f"DELETE FROM {table}"))


def _store(session, network: Network) -> Network:
    _reset(session)
    with _tx(session):
        save_network(session, network, actor="test")
    return load_network(session)


def _texts(network: Network, table: str) -> dict[str, dict[str, str]]:
    return {r.id: record_texts(table, r) for r in getattr(network, table)}


def _assert_unchanged(session, path: Path) -> None:
    plan = plan_import(session, path)
    changed = [(r.table, r.id, r.fields) for r in plan.records if r.action != "unchanged"]
    assert changed == [], path


SLOW = settings(
    max_examples=int(os.environ.get("SYMBIOSE_HYPOTHESIS_EXAMPLES", "12")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SLOW
@given(network=networks())
def test_every_file_symbiose_writes_imports_back_changing_nothing(session, tmp_path_factory, network):
    stored = _store(session, network)
    out = tmp_path_factory.mktemp("export")
    write_bundle(stored, out / "csv")
    _assert_unchanged(session, out / "csv")
    write_bundle(stored, out / "network.xlsx")
    _assert_unchanged(session, out / "network.xlsx")
    # symbiose export in French (the default): French files, headers and words, ';' and decimal commas
    write_bundle(stored, out / "csv_fr", french=True)
    _assert_unchanged(session, out / "csv_fr")
    write_bundle(stored, out / "reseau.xlsx", french=True)
    _assert_unchanged(session, out / "reseau.xlsx")
    for table in TABLES:  # symbiose list TABLE --format csv, French and English
        for french in (True, False):
            folder = out / f"list-{table}-{french}"
            folder.mkdir()
            (folder / f"{table}.csv").write_text(table_csv(stored, table, french=french), "utf-8")
            _assert_unchanged(session, folder / f"{table}.csv")
    # and applying it writes nothing either
    with _tx(session):
        assert not apply_import(session, out / "csv", actor="test").plan.changed
    assert load_network(session) == stored


@SLOW
@given(network=networks(), edits=networks(), data=st.data())
def test_a_file_with_some_columns_changes_only_those_columns(
    session, tmp_path_factory, network, edits, data
):
    # without synergies: an edited quantity below a followed synergy's is refused by the
    # matcher's rules (tested in test_integrity); here only the columns are in question
    stored = _store(session, Network(network.companies, network.streams, network.needs))
    table, kind = data.draw(st.sampled_from([("streams", Stream), ("needs", Need)]))
    records, replacements = getattr(stored, table), getattr(edits, table)
    if not records or not replacements:
        return
    # the same ids, other values: what the officer typed in the chosen columns
    changed = tuple(
        kind(**{
            **{f: getattr(replacements[i % len(replacements)], f) for f in kind.__dataclass_fields__},
            "id": r.id, "company_id": data.draw(st.sampled_from(stored.companies)).id,
        })
        for i, r in enumerate(records)
    )  # fmt: skip
    edited = Network(stored.companies, **{table: changed})
    names = [c.name for c in TABLES[table] if c.name != "id"]
    chosen = ["id", *data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))]
    full = list(csv.DictReader(io.StringIO(table_csv(edited, table))))
    folder = tmp_path_factory.mktemp("subset")
    with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=chosen, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(full)
    before, wanted = _texts(stored, table), _texts(edited, table)
    what = "material" if table == "streams" else "category"
    def typed(r: str, c: str) -> bool:  # a chosen column's cell, unless empty over a stored value (kept)
        return c in chosen and (wanted[r][c] != "" or before[r][c] == "")

    merged = [{c: (wanted if typed(r, c) else before)[r][c] for c in ("unit", what)} for r in wanted]
    if any(Unit(m["unit"]) not in UNITS[m[what]] for m in merged):
        # a unit that no longer fits its category (only one of the two columns chosen) is refused
        with pytest.raises(ImportValidationError, match="does not fit|counted in t or m3"), _tx(session):
            apply_import(session, folder, actor="test")
        assert _texts(load_network(session), table) == before
        return
    with _tx(session):
        apply_import(session, folder, actor="test")
    after = _texts(load_network(session), table)
    for record_id, values in after.items():
        for column, value in values.items():
            # a chosen column's value, except where its cell is empty: an empty cell keeps the stored value
            expected = wanted[record_id][column] if typed(record_id, column) else before[record_id][column]
            assert value == expected, (record_id, column, chosen)
    # the other tables are untouched
    for other in TABLES:
        if other != table:
            assert _texts(load_network(session), other) == _texts(stored, other)


# ------------------------------------------------------------------------------------------------
# hand-written cases

COMPANIES = (
    "id,name,commune,latitude,longitude,notes\n"
    "C001,Scierie de Montendre,Montendre,45.2847,-0.4071,scierie\n"
    "C002,Chaufferie bois de Jonzac,Jonzac,45.4460,-0.4340,\n"
)
STREAMS = (
    "id,company_id,ewc_code,description,quantity,unit,physical_state,route,route_cost_eur_per_unit,notes\n"
    "S1,C001,03 01 05,Sciure,120,t,solid,landfill,110,sec\n"
    "S2,C001,03 01 05,Copeaux,80,t,pasty,landfill,95,\n"
)


def _stream(network: Network, stream_id: str) -> Stream:
    return next(s for s in network.streams if s.id == stream_id)


def _folder(root: Path, **tables: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in tables.items():
        (root / f"{name}.csv").write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def stored(session, tmp_path):
    with _tx(session):
        apply_import(session, _folder(tmp_path / "base", companies=COMPANIES, streams=STREAMS), actor="t")
    return load_network(session)


def test_a_five_column_file_changes_one_quantity_and_nothing_else(session, stored, tmp_path):
    folder = _folder(tmp_path / "q", streams="id,company_id,quantity,unit,months\nS1,C001,150,t,\n")
    plan = plan_import(session, folder)
    (record,) = [r for r in plan.records if r.action == "updated"]
    assert (record.id, record.fields) == ("S1", (("quantity", "120", "150"),))
    assert record.company == "C001 Scierie de Montendre" and not record.warnings
    with _tx(session):
        apply_import(session, folder, actor="t", expected=plan)
    s1 = _stream(load_network(session), "S1")
    assert s1.quantity_base == 150_000
    # description, state, route and cost, notes: as they were
    assert (s1.description, s1.physical_state, s1.route, s1.route_cost_cents, s1.notes) == (
        "Sciure", PhysicalState.SOLID, Route.LANDFILL, 11_000, "sec",
    )  # fmt: skip


def test_an_empty_cell_of_a_stored_record_keeps_its_value_and_says_so(session, stored, tmp_path):
    """An officer leaves blank what a company did not say (S1's route cost, S2's state) in a file
    whose columns hold values for other rows: the stored 110 EUR/t must not become 0, nor the
    pasty stream solid; the preview names the kept values and how to change them."""
    folder = _folder(tmp_path / "blank", streams=(
        "id,company_id,quantity,unit,physical_state,route_cost_eur_per_unit,notes\n"
        "S1,C001,150,t,solid,,\n"
        "S2,C001,80,t,,70,\n"
    ), companies=(
        "id,name,commune,latitude,longitude,notes\n"
        "C001,Scierie de Montendre,,,,\n"
    ))  # fmt: skip
    plan = plan_import(session, folder)
    changed = {r.id: r.fields for r in plan.records if r.action == "updated"}
    assert changed == {"S1": (("quantity", "120", "150"),), "S2": (("route_cost_eur_per_unit", "95", "70"),)}
    kept = [n for n in plan.notices if "empty cells keep the stored values" in n]
    assert len(kept) == 3, plan.notices
    assert "streams.csv, row 2 (S1)" in kept[1] and "route_cost_eur_per_unit: 110" in kept[1] and "notes: 'sec'" in kept[1]
    assert "row 3 (S2)" in kept[2] and "physical_state: 'pasty'" in kept[2]
    assert "companies.csv, row 2 (C001)" in kept[0] and "latitude: 45.2847" in kept[0] and "notes: 'scierie'" in kept[0]
    with _tx(session):
        apply_import(session, folder, actor="t", expected=plan)
    network = load_network(session)
    s1, s2 = _stream(network, "S1"), _stream(network, "S2")
    assert (s1.quantity_base, s1.route_cost_cents, s1.notes) == (150_000, 11_000, "sec")
    assert (s2.physical_state, s2.route_cost_cents) == (PhysicalState.PASTY, 7_000)
    c001 = next(c for c in network.companies if c.id == "C001")
    assert (c001.commune, c001.latitude, c001.longitude, c001.notes) == ("Montendre", 45.2847, -0.4071, "scierie")


def test_a_new_commune_with_empty_coordinates_moves_the_company(session, stored, tmp_path):
    """A place is one cell: a new commune with its coordinates left empty is placed by the
    commune, not mixed with the stored coordinates of the old one."""
    folder = _folder(tmp_path / "move", companies="id,name,commune,latitude,longitude\nC001,Scierie de Montendre,Jonzac,,\n")
    plan = plan_import(session, folder)
    with _tx(session):
        apply_import(session, folder, actor="t", expected=plan)
    c001 = next(c for c in load_network(session).companies if c.id == "C001")
    assert c001.commune == "Jonzac" and abs(c001.latitude - 45.2847) > 0.05


def test_a_company_moved_in_an_exported_file_leaves_its_old_place_behind(session, stored, tmp_path):
    """An officer types the new commune in an export and leaves the INSEE code, the postal code
    and the coordinates, all of the old place: the company is placed at its new commune (it
    stayed at Montendre's coordinates under the name Jonzac, or was refused for Montendre's INSEE
    code), and the preview says so."""
    c001 = next(c for c in stored.companies if c.id == "C001")
    assert c001.insee_code and c001.postal_code  # the gazetteer's, stored with the company
    folder = _folder(tmp_path / "moved", companies=(
        "id,name,commune,insee_code,postal_code,latitude,longitude\n"
        f"C001,Scierie de Montendre,Jonzac,{c001.insee_code},{c001.postal_code},{c001.latitude},{c001.longitude}\n"
    ))  # fmt: skip
    plan = plan_import(session, folder)
    (notice,) = [n for n in plan.notices if "the commune changed" in n]
    assert "companies.csv, row 2 (C001)" in notice and "placed at the centre of Jonzac" in notice
    with _tx(session):
        apply_import(session, folder, actor="t", expected=plan)
    moved = next(c for c in load_network(session).companies if c.id == "C001")
    assert moved.commune == "Jonzac" and moved.insee_code == "17197" and abs(moved.latitude - 45.446) < 0.02
    # coordinates typed for the new place are the company's own: kept as given
    folder = _folder(tmp_path / "own", companies="id,name,commune,latitude,longitude\nC001,Scierie,Montendre,45.2900,-0.4100\n")
    plan = plan_import(session, folder)
    assert not [n for n in plan.notices if "the commune changed" in n]
    with _tx(session):
        apply_import(session, folder, actor="t", expected=plan)
    back = next(c for c in load_network(session).companies if c.id == "C001")
    assert (back.commune, back.latitude, back.longitude) == ("Montendre", 45.29, -0.41)


def test_the_preview_refuses_what_the_import_would_refuse_naming_the_file_and_row(session, stored, tmp_path):
    """The preview said a file was fine, then the import refused it after writing: a stream cut
    below the quantity its implemented synergy carries, and a synergy of more than its stream."""
    need = "id,company_id,category,quantity,unit,virgin_price_eur_per_unit\nN1,C002,wood_fuel,500,t,35\n"
    synergy = "id,stream_id,need_id,stage,quantity\nSY1,S1,N1,implemented,100\n"
    with _tx(session):
        apply_import(session, _folder(tmp_path / "syn", needs=need, synergies=synergy), actor="t")
    before = load_network(session)
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / "flux.csv").write_text("identifiant;quantite\nS1;50\n", encoding="utf-8")
    too_big = _folder(tmp_path / "big", needs=need, synergies="id,stream_id,need_id,stage,quantity\nSY2,S2,N1,implemented,1000\n")
    for folder, file, row in ((cut, "flux.csv", 2), (too_big, "synergies.csv", 2)):
        with pytest.raises(ImportValidationError) as err:
            plan_import(session, folder)
        named = [p for p in err.value.problems if (p.file, p.row) == (file, row)]
        assert named and all("breaks a rule of the matcher" in p.message for p in named), err.value.problems
        with pytest.raises(ImportValidationError), _tx(session):
            apply_import(session, folder, actor="t")
    assert load_network(session) == before
    with in_language("fr"), pytest.raises(ImportValidationError) as err:
        plan_import(session, cut)
    assert "(S1 -> N1, mise en œuvre)" in err.value.problems[0].message  # the stage in French, not its id
    # and how to proceed: the synergy's quantity lowered first, or in the same import
    assert "baissez d'abord la quantité enregistrée de la synergie SY1 (page Suivi des synergies, ou « symbiose " \
           "synergy-quantity SY1 QUANTITÉ »), ou donnez-lui sa nouvelle quantité dans le même import " \
           "(synergies.csv)" in err.value.problems[0].message, err.value.problems[0].message


def test_a_line_cut_short_is_refused_not_read_as_empty_cells(session, stored, tmp_path):
    """A file saved before it was complete: its last line 'S2,...,landfill,9' (95 cut to 9, the
    notes cell gone) was read as a new route cost and an erased note."""
    header, s1, s2 = STREAMS.strip().split("\n")
    folder = _folder(tmp_path / "cut", streams=f"{header}\n{s1}\n{s2.rsplit(',', 2)[0]},9\n")
    with pytest.raises(ImportValidationError) as err:
        plan_import(session, folder)
    (problem,) = err.value.problems
    assert (problem.file, problem.row) == ("streams.csv", 3) and "9 cells but the header has 10" in problem.message
    assert load_network(session) == stored


def test_a_french_and_an_english_file_of_one_table_are_refused_not_one_left_out(session, stored, tmp_path):
    """entreprises.csv beside companies.csv: the French file was silently ignored."""
    folder = _folder(tmp_path / "two", companies="id,name\nC001,Nom B\n")
    (folder / "entreprises.csv").write_text("identifiant;raison_sociale\nC001;Nom A\n", encoding="utf-8")
    with pytest.raises(ImportValidationError) as err:
        plan_import(session, folder)
    assert any("companies.csv" in p.message and "entreprises.csv" in p.message for p in err.value.problems)
    assert load_network(session) == stored


def test_a_unit_that_does_not_fit_its_category_or_code_is_refused_naming_the_column(session, stored, tmp_path):
    """Hot water in tonnes, wood fuel in MWh, sawdust in MWh: accepted, then never matched."""
    folder = tmp_path / "units"
    folder.mkdir()
    (folder / "besoins.csv").write_text("identifiant;id_entreprise;categorie;quantite;unite\n"
                                        "N950;C001;heat_hot_water;10;t\nN951;C001;wood_fuel;10;MWh\n"
                                        "N952;C001;wood_fuel;10;t\n", encoding="utf-8")  # fmt: skip
    (folder / "flux.csv").write_text("identifiant;id_entreprise;code_dechet;quantite;unite\nS955;C001;03 01 05;10;MWh\n",
                                     encoding="utf-8")  # fmt: skip
    with pytest.raises(ImportValidationError) as err:
        plan_import(session, folder)
    named = {(p.file, p.row, p.column) for p in err.value.problems}
    assert named == {("besoins.csv", 2, "unite"), ("besoins.csv", 3, "unite"), ("flux.csv", 2, "unite")}
    assert load_network(session) == stored


def test_more_decimals_than_kept_are_refused_not_rounded_away(session, stored, tmp_path):
    """12,3456 t was stored as 12,346 t and 65,255 EUR as 65,26 without a word; 10 000,0005 t was
    even reported unchanged (the change lost). Exact values still read: 12,34 t, 65,25 EUR."""
    header = "identifiant;quantite;cout_filiere_eur_par_unite\n"
    for content, bad in ((header + "S1;12,3456;65,25\n", "quantite"), (header + "S1;12,34;65,255\n",
                         "cout_filiere_eur_par_unite"), (header + "S1;120,0005;110\n", "quantite")):  # fmt: skip
        folder = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        (folder / "flux.csv").write_text(content, encoding="utf-8")
        with pytest.raises(ImportValidationError) as err:
            plan_import(session, folder)
        assert [(p.file, p.row, p.column) for p in err.value.problems] == [("flux.csv", 2, bad)]
    assert load_network(session) == stored
    folder = tmp_path / "exact"
    folder.mkdir()
    (folder / "flux.csv").write_text(header + "S1;12,34;65,25\n", encoding="utf-8")
    (record,) = [r for r in plan_import(session, folder).records if r.action == "updated"]
    assert dict((f, new) for f, _old, new in record.fields)["quantity"] == "12.34"


def test_a_siret_whose_leading_zero_a_spreadsheet_dropped_says_so(session, stored, tmp_path):
    folder = _folder(tmp_path / "siret", companies="id,name,siret\nC001,Scierie de Montendre,1234567800019\n")
    with pytest.raises(ImportValidationError) as err:
        plan_import(session, folder)
    (problem,) = err.value.problems
    assert problem.column == "siret" and "01234567800019" in problem.message and "text" in problem.message


def test_moving_a_stream_to_another_company_and_renaming_a_company_are_flagged(session, stored, tmp_path):
    folder = _folder(
        tmp_path / "w", companies="id,name\nC001,Scierie Exemple\n", streams="id,company_id\nS1,C002\n"
    )
    plan = plan_import(session, folder)
    warnings = " | ".join(plan.warnings)
    assert "RENAMES company C001 'Scierie de Montendre' to 'Scierie Exemple'" in warnings
    assert "stream S1 belongs to C001 Scierie de Montendre" in warnings and "C002" in warnings
    assert load_network(session) == stored  # a preview writes nothing


def test_undo_restores_updates_and_deletes_creations(session, stored, tmp_path):
    folder = _folder(
        tmp_path / "u",
        streams="id,company_id,ewc_code,quantity,unit,route_cost_eur_per_unit\n"
        "S1,C001,03 01 05,150,t,0\nS3,C002,03 01 05,5,t,12\n",
    )
    with _tx(session):
        result = apply_import(session, folder, actor="officer")
    assert (result.created, result.updated) == (1, 1)
    (entry,) = [i for i in recent_imports(session) if i.import_id == result.import_id]
    assert (entry.created, entry.updated, entry.undone, entry.actor) == (1, 1, False, "officer")
    with _tx(session):
        assert undo_import(session, result.import_id, actor="officer") == {"deleted": 1, "restored": 1}
    assert load_network(session) == stored
    with _tx(session), pytest.raises(ValidationError, match="already undone"):
        undo_import(session, result.import_id, actor="officer")


def test_undo_moves_records_back_before_deleting_what_the_import_created(session, stored, tmp_path):
    needs = "id,company_id,category,quantity,unit\nN1,C002,wood_fuel,100,t\n"
    synergies = "id,stream_id,need_id,stage\nY1,S1,N1,contacted\n"
    with _tx(session):
        apply_import(session, _folder(tmp_path / "n", needs=needs, synergies=synergies), actor="t")
    before = load_network(session)
    folder = _folder(
        tmp_path / "m",
        companies="id,name,latitude,longitude\nC003,Nouvelle scierie,45.3,-0.4\n",
        streams="id,company_id\nS1,C003\n",
        synergies="id,stage\nY1,in_discussion\n",
    )
    with _tx(session):
        result = apply_import(session, folder, actor="t")
    assert (result.created, result.updated) == (1, 2)
    with _tx(session):
        undo_import(session, result.import_id, actor="t")
    after = load_network(session)
    # S1 back at C001 (not deleted with C003), Y1 back to 'contacted' (a stage may move back here)
    assert after.streams == before.streams and after.companies == before.companies
    assert [(y.id, str(y.stage)) for y in after.synergies] == [("Y1", "contacted")]


def test_undo_says_in_the_stage_history_which_import_it_takes_back(session, stored, tmp_path):
    """The move back of an undo was written with an empty reason, where any move back needs one."""
    needs = "id,company_id,category,quantity,unit\nN1,C002,wood_fuel,100,t\n"
    synergies = "id,stream_id,need_id,stage\nY1,S1,N1,contacted\n"
    with _tx(session):
        apply_import(session, _folder(tmp_path / "n", needs=needs, synergies=synergies), actor="t")
    with _tx(session):
        result = apply_import(session, _folder(tmp_path / "m", streams="id\nS1\n", synergies="id,stage\nY1,in_discussion\n"), actor="t")
    with _tx(session):
        undo_import(session, result.import_id, actor="t")
    back = stage_history(session, "Y1")[-1]
    assert (str(back.from_stage), str(back.to_stage)) == ("in_discussion", "contacted")
    assert back.reason == f"undo of import {result.import_id}"
    with in_language("fr"), _tx(session):  # written in the language of who undid it, like other moves
        again = apply_import(session, _folder(tmp_path / "f", streams="id\nS1\n",
                                         synergies="id,stage\nY1,in_discussion\n"), actor="t")
        undo_import(session, again.import_id, actor="t")
    assert stage_history(session, "Y1")[-1].reason == f"annulation de l'import {again.import_id}"


def test_undo_is_refused_when_a_record_changed_since(session, stored, tmp_path):
    first = _folder(tmp_path / "a", streams="id,quantity\nS1,150\n")
    second = _folder(tmp_path / "b", streams="id,notes\nS1,humide\n")
    with _tx(session):
        imported = apply_import(session, first, actor="t")
    with _tx(session):
        apply_import(session, second, actor="t")
    before = load_network(session)
    with _tx(session), pytest.raises(ValidationError) as info:
        undo_import(session, imported.import_id, actor="t")
    assert "stream S1 changed since this import (notes)" in str(info.value)
    assert load_network(session) == before


def test_the_database_changing_after_the_preview_refuses_the_import(session, stored, tmp_path):
    folder = _folder(tmp_path / "p", streams="id,quantity\nS1,150\n")
    plan = plan_import(session, folder)
    with _tx(session):
        apply_import(session, _folder(tmp_path / "o", streams="id,quantity\nS1,999\n"), actor="other")
    with _tx(session), pytest.raises(ValidationError, match="changed since the preview"):
        apply_import(session, folder, actor="t", expected=plan)


def test_lengths_are_limited_on_every_backend(session, stored, tmp_path):
    folder = _folder(tmp_path / "l", companies=f"id,name\nC001,{'x' * 10_000}\n")
    with _tx(session), pytest.raises(ImportValidationError, match="10000 characters, at most 300"):
        apply_import(session, folder, actor="t")
    assert load_network(session) == stored


def test_a_text_too_long_is_refused_at_the_preview_naming_file_row_and_header(session, stored, tmp_path):
    # the preview said "nothing wrong" and the import then refused the same file, naming
    # companies.csv and 'name' without a row, for a file called entreprises.csv
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "entreprises.csv").write_text(
        f"identifiant;raison_sociale;commune\nC001;Scierie;Jonzac\nC009;{'x' * 400};Jonzac\n", encoding="utf-8")
    for attempt in (lambda: plan_import(session, folder), lambda: apply_import(session, folder, actor="t")):
        with _tx(session), pytest.raises(ImportValidationError) as info:
            attempt()
        (problem,) = info.value.problems
        assert (problem.file, problem.row, problem.column) == ("entreprises.csv", 3, "raison_sociale")
        assert "400" in problem.message and "300" in problem.message
    assert load_network(session) == stored


def test_template_examples_never_touch_real_records(session, stored, tmp_path):
    for language in ("fr", "en"):
        write_templates(tmp_path / language, language=language)
        write_templates(tmp_path / f"{language}.xlsx", language=language)
        for path in (tmp_path / language, tmp_path / f"{language}.xlsx"):
            plan = plan_import(session, path)
            assert not plan.changed and len(plan.notices) == 4
    assert load_network(session) == stored


# ------------------------------------------------------------------------------------------------
# bad files: limits, decimals, encodings


def _problems(path: Path) -> list[str]:
    with pytest.raises(ImportValidationError) as info:
        read_import(path)
    return [str(p) for p in info.value.problems]


def test_a_stray_cell_far_away_in_a_workbook_is_refused_before_reading(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "companies"
    sheet.append(["id", "name", "commune"])
    sheet["XFD1048576"] = "x"
    workbook.save(tmp_path / "stray.xlsx")
    (problem,) = _problems(tmp_path / "stray.xlsx")
    assert "XFD1048576" in problem and "delete the empty rows" in problem


def test_a_stray_cell_in_a_sheet_that_does_not_declare_its_size_stops_at_the_row_limit(
    tmp_path, monkeypatch
):
    import re

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "companies"
    sheet.append(["id", "name", "commune"])
    sheet["A900"] = "x"
    workbook.save(tmp_path / "stray.xlsx")
    with zipfile.ZipFile(tmp_path / "stray.xlsx") as source, zipfile.ZipFile(
        tmp_path / "undeclared.xlsx", "w", zipfile.ZIP_DEFLATED
    ) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)  # no declared size
            target.writestr(info, data)
    monkeypatch.setenv("SYMBIOSE_LIMIT_MAX_ROWS", "500")
    (problem,) = _problems(tmp_path / "undeclared.xlsx")
    assert "row 502" in problem and "goes on past row 501" in problem


def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path):
    write_templates(tmp_path / "t.xlsx", language="en")
    with zipfile.ZipFile(tmp_path / "t.xlsx", "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"\0" * (20 * 1024 * 1024))
    (problem,) = _problems(tmp_path / "t.xlsx")
    assert "xl/padding.xml" in problem and "compressed" in problem


def test_file_size_rows_and_unzipped_size_limits_are_configurable(tmp_path, monkeypatch):
    folder = _folder(tmp_path / "b", companies=COMPANIES)
    monkeypatch.setenv("SYMBIOSE_LIMIT_MAX_FILE_BYTES", "50")
    assert "SYMBIOSE_LIMIT_MAX_FILE_BYTES" in _problems(folder)[0]
    monkeypatch.delenv("SYMBIOSE_LIMIT_MAX_FILE_BYTES")
    monkeypatch.setenv("SYMBIOSE_LIMIT_MAX_ROWS", "1")
    assert "goes on past row 2" in _problems(folder)[0]
    monkeypatch.delenv("SYMBIOSE_LIMIT_MAX_ROWS")
    write_templates(tmp_path / "t.xlsx", language="en")
    monkeypatch.setenv("SYMBIOSE_LIMIT_MAX_UNZIPPED_BYTES", "1000")
    assert "unzips to" in _problems(tmp_path / "t.xlsx")[0]


def test_a_huge_cell_is_a_problem_not_a_traceback(tmp_path):
    folder = _folder(tmp_path / "c", companies=f"id,name,commune\nC1,{'x' * 200_000},Jonzac\n")
    (problem,) = _problems(folder)
    assert "row 2" in problem and "32" in problem and "characters" in problem


def test_many_bad_rows_print_the_first_problems_and_count_the_rest(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMBIOSE_LIMIT_MAX_PROBLEMS_KEPT", "20")
    rows = "".join(f"C{i},Ferme,Jonzac,123\n" for i in range(3000))  # a SIRET has 14 digits
    folder = _folder(tmp_path / "m", companies="id,name,commune,siret\n" + rows)
    with pytest.raises(ImportValidationError) as info:
        read_import(folder)
    assert info.value.total == 3000 and len(info.value.problems) == 20
    result = CliRunner().invoke(main, ["--database", f"sqlite:///{tmp_path / 'm.db'}", "init"])
    assert result.exit_code == 0
    result = CliRunner().invoke(
        main, ["--database", f"sqlite:///{tmp_path / 'm.db'}", "import", str(folder), "--yes"]
    )
    assert result.exit_code == 1 and "3,000 problems found" in result.stderr  # grouped as the line below
    assert "... and 2,980 more" in result.stderr
    assert result.stderr.count("\n  - ") == 20


def test_an_ambiguous_decimal_is_refused_with_the_way_to_write_it(tmp_path):
    folder = _folder(tmp_path / "d", companies=COMPANIES, streams=STREAMS.replace(",120,", ',"1,234",'))
    (problem,) = _problems(folder)
    assert "'1,234' is ambiguous" in problem and "1234" in problem and "1,2340" in problem
    fine = _folder(tmp_path / "e", companies=COMPANIES, streams=STREAMS.replace(",120,", ',"1,2340",'))
    assert _stream(read_import(fine).network, "S1").quantity_base == 1234
    # the French writer never writes an ambiguous number
    network = read_import(fine).network
    assert ";1,2340;" in table_csv(network, "streams", french=True)
    # a price is kept to the cent: the way offered for the decimal reading is one the import takes
    money = _folder(tmp_path / "m", companies=COMPANIES, streams=STREAMS.replace(",110,", ',"12,345",'))
    (problem,) = _problems(money)
    assert "'12,345' is ambiguous" in problem and "12345" in problem and "12,35" in problem and "12,3450" not in problem
    cents = _folder(tmp_path / "c", companies=COMPANIES, streams=STREAMS.replace(",110,", ',"12,35",'))
    assert _stream(read_import(cents).network, "S1").route_cost_cents == 1235


def test_a_file_mixing_utf8_and_windows_1252_is_refused_naming_the_row(tmp_path):
    head = b"id;name;commune\n"
    data = head + "C1;Scierie Étienne;Jonzac\n".encode() + "C2;Scierie Étienne;Jonzac\n".encode("cp1252")
    (tmp_path / "companies.csv").write_bytes(data)
    (problem,) = _problems(tmp_path / "companies.csv")
    assert "row 3" in problem and "Windows-1252" in problem
    (tmp_path / "companies.csv").write_bytes(head + "C2;Scierie Étienne;Jonzac\n".encode("cp1252"))
    assert read_import(tmp_path / "companies.csv").network.companies[0].name == "Scierie Étienne"


# ------------------------------------------------------------------------------------------------
# safe outputs


def test_formulas_are_escaped_in_exports_and_numbers_stay_numbers(session, tmp_path):
    with _tx(session):
        apply_import(session, _folder(
            tmp_path / "f", companies=COMPANIES.replace(",scierie\n", ',"=HYPERLINK(""http://x"",""y"")"\n'),
            streams=STREAMS.replace(",110,", ",-12.5,"),
        ), actor="t")  # fmt: skip
    network = load_network(session)
    write_bundle(network, tmp_path / "out")
    text_ = (tmp_path / "out" / "companies.csv").read_text("utf-8")
    assert "'=HYPERLINK" in text_ and ",=" not in text_
    assert ",-12.5," in (tmp_path / "out" / "streams.csv").read_text("utf-8")
    write_bundle(network, tmp_path / "out.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "out.xlsx")
    values = [c.value for row in workbook["companies"].iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values)
    costs = [r[10] for r in workbook["streams"].iter_rows(min_row=2, values_only=True)]
    assert -12.5 in costs  # a number, not text
    for path in (tmp_path / "out", tmp_path / "out.xlsx"):
        _assert_unchanged(session, path)
    assert load_network(session).company("C001").notes == '=HYPERLINK("http://x","y")'


def test_a_result_folder_killed_midway_keeps_the_previous_one(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    (out / "matches.csv").write_text("old matches")
    (out / "kpis.json").write_text("old kpis")
    script = (
        "import os, sys\n"
        "from symbiose.safe_output import atomic_folder\n"
        f"with atomic_folder({str(out)!r}) as work:\n"
        "    (work / 'matches.csv').write_text('new matches')\n"
        "    os.kill(os.getpid(), 9)\n"
    )
    process = subprocess.run([sys.executable, "-c", script], check=False)
    assert process.returncode == -9
    assert (out / "matches.csv").read_text() == "old matches"
    assert (out / "kpis.json").read_text() == "old kpis"
    with atomic_folder(out) as work:
        (work / "matches.csv").write_text("new matches")
    assert (out / "matches.csv").read_text() == "new matches"
    assert (out / "kpis.json").read_text() == "old kpis"  # files not rewritten are kept
    # the killed writer's temporary folder was removed by the next one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


# ------------------------------------------------------------------------------------------------
# the command line: preview, confirmation, undo; database files and revisions


def _cli(url: str, *args: str, code: int = 0, input: str | None = None):
    result = CliRunner().invoke(main, ["--database", url, *args], input=input)
    assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def test_cli_dry_run_confirmation_and_undo(database_url, tmp_path):
    _cli(database_url, "init")
    base = _folder(tmp_path / "base", companies=COMPANIES, streams=STREAMS)
    refused = _cli(database_url, "import", str(base), code=1)
    assert "--yes" in refused.stderr  # no terminal to ask on: nothing written
    _cli(database_url, "import", str(base), "--yes")
    listed = _cli(database_url, "list", "streams", "--format", "csv").stdout
    change = _folder(tmp_path / "q", streams="id,quantity\nS1,150\n")
    dry = _cli(database_url, "import", str(change), "--dry-run")
    assert "quantity: 120 -> 150" in dry.stdout and "Scierie de Montendre" in dry.stdout
    assert _cli(database_url, "list", "streams", "--format", "csv").stdout == listed
    done = _cli(database_url, "import", str(change), "--yes")
    import_id = done.stdout.split("symbiose undo ")[1].split("'")[0]
    assert import_id in _cli(database_url, "imports").stdout
    assert _cli(database_url, "list", "streams", "--format", "csv").stdout != listed
    _cli(database_url, "undo", import_id)
    assert _cli(database_url, "list", "streams", "--format", "csv").stdout == listed
    assert "already undone" in _cli(database_url, "undo", import_id, code=1).stderr


def test_cli_counts_of_one_record_are_singular_in_french(database_url, tmp_path, monkeypatch):
    """« 1 créés », « 1 enregistrements supprimés »: a count of one took the plural."""
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")
    _cli(database_url, "init")
    _cli(database_url, "import", str(_folder(tmp_path / "base", companies=COMPANIES, streams=STREAMS)), "--yes")
    change = _folder(tmp_path / "q", companies="id,name,commune\nC009,Menuiserie Test,Jonzac\n", streams="id,quantity\nS1,150\n")
    done = _cli(database_url, "import", str(change), "--yes").stdout
    assert ": 1 créé, 1 modifié (import " in done
    import_id = done.split("symbiose undo ")[1].split(" ")[0]
    undone = _cli(database_url, "undo", import_id).stdout
    assert f"Import {import_id} annulé : 1 enregistrement supprimé, 1 rétabli." in undone


def test_list_output_under_any_file_name_imports_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'l.db'}"
    _cli(url, "init")
    _cli(url, "import", str(_folder(tmp_path / "b", companies=COMPANIES, streams=STREAMS)), "--yes")
    for table in ("companies", "streams"):
        listed = _cli(url, "list", table, "--format", "csv").stdout
        (tmp_path / "s.csv").write_text(listed, encoding="utf-8")
        assert "Nothing changed." in _cli(url, "import", str(tmp_path / "s.csv")).stdout
    # a header that fits two tables (streams and needs) needs the file's name
    (tmp_path / "x.csv").write_text("id,company_id,quantity\nS1,C001,5\n", encoding="utf-8")
    assert "must be named" in _cli(url, "import", str(tmp_path / "x.csv"), code=1).stderr


def test_a_missing_sqlite_file_is_created_only_by_init_load_demo_and_serve(tmp_path):
    url = f"sqlite:///{tmp_path / 'typo' / 'symbiose.db'}"
    for command in (["list", "companies"], ["export", str(tmp_path / "x")], ["match"]):
        result = _cli(url, *command, code=1)
        assert "does not exist" in result.stderr and "symbiose init" in result.stderr
    assert not (tmp_path / "typo").exists() and not (tmp_path / "x").exists()
    _cli(url, "init")
    assert (tmp_path / "typo" / "symbiose.db").is_file()


def test_a_database_of_a_newer_version_is_a_clear_error(database_url):
    _cli(database_url, "init")
    from symbiose.db import make_engine

    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    result = _cli(database_url, "list", "companies", code=1)
    assert "9999_future" in result.stderr and "newer version" in result.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_first_use_of_a_new_database(tmp_path, request, backend):
    """Real processes: `init` and `load-demo` at once on a database that does not exist yet
    (ten on a SQLite file; six on a fresh PostgreSQL schema)."""
    if backend == "sqlite":
        url, commands = f"sqlite:///{tmp_path / 'new.db'}", [["init"], ["load-demo"]] * 5
    else:
        url, commands = request.getfixturevalue("postgres_url"), [["init"], ["load-demo"]] * 3
    env = {**os.environ, "SYMBIOSE_LANGUAGE": "en"}
    processes = [
        subprocess.Popen([sys.executable, "-m", "symbiose.cli", "--database", url, *command],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
        for command in commands
    ]
    outcomes = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    assert [code for code, _ in outcomes] == [0] * len(commands), outcomes
    listed = _cli(url, "list", "companies", "--format", "csv").stdout
    assert len(listed.splitlines()) > 10


def test_messages_are_french_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("SYMBIOSE_LANGUAGE")
    folder = _folder(tmp_path / "f", streams="id,route_cost_eur\nS1,3\n")
    problem = _problems(folder)[0]
    assert "colonne inconnue « route_cost_eur » : vouliez-vous dire route_cost_eur_per_unit ?" in problem
    url = f"sqlite:///{tmp_path / 'absent.db'}"
    assert "n'existe pas" in _cli(url, "list", "companies", code=1).stderr


def test_new_streams_without_a_state_column_are_said_to_be_taken_as_solid(session, stored, tmp_path):
    # a vinasse in m3 with no physical_state column went to a solids-only inlet without a word
    folder = _folder(tmp_path / "s", streams="id,company_id,ewc_code,quantity,unit\nS9,C001,02 07 02,3500,m3\n")
    plan = plan_import(session, folder)
    assert any("physical_state" in n and "solid" in n for n in plan.notices), plan.notices
    # the column given, but the cell empty: the same default, said for that stream
    folder = _folder(tmp_path / "e", streams=("id,company_id,ewc_code,quantity,unit,physical_state\n"
                                              "S9,C001,02 07 02,3500,m3,\nS8,C001,02 07 02,10,m3,liquid\n"))  # fmt: skip
    notices = [n for n in plan_import(session, folder).notices if "physical_state" in n]
    assert len(notices) == 1 and "S9" in notices[0] and "S8" not in notices[0]
    # an update of a stored stream keeps its stored state: nothing to say
    folder = _folder(tmp_path / "u", streams="id,company_id,quantity,unit\nS1,C001,150,t\n")
    assert not any("physical_state" in n for n in plan_import(session, folder).notices)
    assert load_network(session) == stored


def test_a_new_company_that_seems_to_be_a_stored_one_is_flagged(session, stored, tmp_path):
    folder = _folder(tmp_path / "d", companies=(
        "id,name,commune,siret\n"
        "C900,SCIERIE DE MONTENDRE,montendre,\n"  # the same name in the same commune, case aside
        "C901,Négoce Bois,Jonzac,73282932000074\n"
        "C902,Négoce Bois bis,Jonzac,73282932000074\n"  # the same SIRET twice in the file
        "C903,Scierie de Montendre,Jonzac,\n"))  # fmt: skip
    plan = plan_import(session, folder)
    warned = {r.id: r.warnings for r in plan.records if r.action == "created"}
    assert any("C001" in w for w in warned["C900"])
    assert any("73282932000074" in w and "C901" in w for w in warned["C902"])
    assert not warned["C903"]  # another commune: another company
    assert load_network(session) == stored  # a preview writes nothing


def test_an_old_export_that_would_move_a_synergy_back_is_refused_at_the_preview(session, tmp_path):
    """Export the network, move a synergy forward, re-import the older workbook: the preview
    refuses it as the import would, naming the sheet and the row (it passed the preview, then the
    write failed naming a .csv and command-line flags)."""
    from symbiose.db.repository import set_synergy_stage
    from symbiose.domain import Stage

    demo = read_bundle_folder()
    with _tx(session):
        save_network(session, demo, actor="t")
    synergy = next(y for y in load_network(session).synergies if y.stage == Stage.IN_DISCUSSION)
    write_bundle(load_network(session), tmp_path / "reseau.xlsx", french=True)  # the officer's French workbook
    with _tx(session):
        set_synergy_stage(session, synergy.id, "implemented", actor="t")
    stored = load_network(session)
    for attempt in (lambda: plan_import(session, tmp_path / "reseau.xlsx"),
                    lambda: apply_import(session, tmp_path / "reseau.xlsx", actor="t")):  # fmt: skip
        with _tx(session), pytest.raises(ImportValidationError) as info:
            attempt()
        (problem,) = [p for p in info.value.problems if synergy.id in p.message]
        # the column as the sheet heads it (it said « stage » of a sheet that heads it « etape »)
        assert "reseau.xlsx" in problem.file and problem.row and problem.column == "etape"
        assert "--back" not in problem.message
    assert load_network(session) == stored


def read_bundle_folder():
    from symbiose.bundle import read_bundle
    from symbiose.reference import data_dir

    return read_bundle(data_dir() / "demo")


def test_the_preview_shows_changed_values_in_the_users_words(session, stored, tmp_path):
    from symbiose.cli import echo_plan
    from symbiose.db.imports import shown_field
    from symbiose.i18n import language

    with language("fr"):
        assert shown_field("streams", "route", "landfill", "incineration") == ("filiere_actuelle", "enfouissement",
                                                                                "incinération")  # fmt: skip
        assert shown_field("streams", "quantity", "65.5", "70.25") == ("quantite", "65,5", "70,25")
        assert shown_field("synergies", "stage", "contacted", "in_discussion")[1:] == ("contactée", "en discussion")
        folder = _folder(tmp_path / "r", streams="id;quantite;filiere_actuelle\nS1;150,5;incinération\n")
        plan = plan_import(session, folder)
        runner = CliRunner()
        with runner.isolation() as (out, _err, *_rest):
            echo_plan(plan)
        text = out.getvalue().decode()
    assert "quantite: 120 -> 150,5" in text and "enfouissement -> incinération" in text, text
    assert "landfill" not in text


@pytest.mark.parametrize(("content", "hint"), [
    ("id;quantite;remarques\nS1;150;livré; le lundi\n", "inside a cell"),  # an unquoted ';' in a note
    ("id,quantity\nS1,1,5\n", "decimal comma"),  # 1,5 in a comma-separated file
])  # fmt: skip
def test_a_row_with_more_cells_than_the_header_gets_the_hint_of_its_separator(session, stored, tmp_path, content, hint):
    from symbiose.i18n import language

    folder = _folder(tmp_path / "x", streams=content)
    with language("en"), _tx(session), pytest.raises(ImportValidationError) as info:
        plan_import(session, folder)
    (problem,) = info.value.problems
    assert (problem.file, problem.row) == ("streams.csv", 2) and hint in problem.message, problem.message
    assert ("decimal comma" in problem.message) == (hint == "decimal comma")


def test_the_french_workbook_export_reads_in_french_and_imports_back_unchanged(session, tmp_path):
    """The page's export in French: sheets, headings and words of an officer's spreadsheet, and
    nothing changes when it is imported back."""
    demo = read_bundle_folder()
    with _tx(session):
        save_network(session, demo, actor="t")
    stored = load_network(session)
    (path,) = write_bundle(stored, tmp_path / "reseau.xlsx", french=True)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["entreprises", "flux", "besoins", "synergies"]
    headings = [c.value for c in next(workbook["flux"].iter_rows(max_row=1))]
    assert headings[:6] == ["identifiant", "id_entreprise", "code_dechet", "matiere", "description", "quantite"]
    words = {c.value for row in workbook["flux"].iter_rows(min_row=2) for c in row}
    assert "enfouissement" in words and "solide" in words and "landfill" not in words
    needs = {c.value for row in workbook["besoins"].iter_rows(min_row=2) for c in row}
    assert "non" in needs and not needs & {"true", "false", "solid"}
    forms = {p for row in workbook["flux"].iter_rows(min_row=2) for c in row if isinstance(c.value, str)
             for p in c.value.split(";")}  # fmt: skip
    assert "sciure" in forms or "sec" in forms or "propre" in forms
    assert not forms & {"sawdust", "dry", "clean", "soiled"}
    # the words the application shows, with their accents, and categories by their French label
    stages = {row[3].value for row in workbook["synergies"].iter_rows(min_row=2)}
    assert "mise en œuvre" in stages and not stages & {"implemented", "mise_en_oeuvre"}
    categories = {row[2].value for row in workbook["besoins"].iter_rows(min_row=2)}
    assert "Bois-énergie (plaquettes, sciures, chutes)" in categories and "wood_fuel" not in categories
    assert not plan_import(session, path).changed
    assert load_network(session) == stored


def test_a_unit_change_that_would_reread_a_followed_synergys_quantity_is_refused(database_url, tmp_path):
    """`flux.csv` `identifiant;unite` / `S0118;m3` turned an implemented synergy's « 6 650 t »
    into « 6 650 m3 » without a word, at the preview and at the import."""
    _cli(database_url, "init")
    needs = "id,company_id,category,quantity,unit\nN1,C002,wood_fuel,500,t\nN2,C002,wood_fuel,500,t\n"
    synergies = "id,stream_id,need_id,stage,quantity\nSY1,S1,N1,implemented,100\nSY2,S2,N2,abandoned,50\n"
    _cli(database_url, "import", str(_folder(tmp_path / "base", companies=COMPANIES, streams=STREAMS, needs=needs,
                                             synergies=synergies.replace("abandoned,50", "abandoned,50,loin").replace(
                                                 "quantity\n", "quantity,abandoned_reason\n").replace(",100\n", ",100,\n"))), "--yes")  # fmt: skip
    listed = _cli(database_url, "list", "synergies", "--format", "csv").stdout
    change = _folder(tmp_path / "unit", streams="id,unit\nS1,m3\n")
    for args in (["--dry-run"], ["--yes"]):
        refused = _cli(database_url, "import", str(change), *args, code=1)
        told = " ".join(refused.stderr.split())
        assert "streams.csv, row 2, column 'unit'" in told, told
        assert "SY1 (implemented)" in told and "100 t per year" in told and "100 m3" in told, told
        assert "same import" in told and "SY2" not in told, told
    assert _cli(database_url, "list", "synergies", "--format", "csv").stdout == listed
    _cli(database_url, "import", str(_folder(tmp_path / "need", needs="id,unit\nN1,m3\n")), "--dry-run", code=1)
    _cli(database_url, "import", str(_folder(tmp_path / "free", streams="id,unit\nS2,m3\n")), "--yes")  # abandoned only
    both = _folder(tmp_path / "both", streams="id,unit,quantity\nS1,m3,480\n", synergies="id,quantity\nSY1,400\n")
    _cli(database_url, "import", str(both), "--yes")  # the same import gives the synergy its quantity
    assert "400" in _cli(database_url, "list", "synergies", "--format", "csv").stdout
    without = _folder(tmp_path / "without", streams="id,unit\nS1,t\n", synergies="id,stage\nSY1,implemented\n")
    _cli(database_url, "import", str(without), "--dry-run", code=1)  # its row, but not its quantity
