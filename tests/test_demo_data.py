"""The fictional demo network (data/demo) is valid, canonical, rich enough and reproducible."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from symbiose.domain import PhysicalState, Route, Stage, normalize_ewc, parse_months
from symbiose.reference import check_ewc_prefix, ewc_entries, naf_codes
from symbiose.units import Unit

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
REFERENCE = ROOT / "data" / "reference"
TABLES = ("companies", "streams", "needs", "synergies")
HEADERS = {
    "companies": "id,name,siret,naf_code,address,postal_code,commune,insee_code,latitude,"
    "longitude,contact_name,contact_email,contact_phone,notes,freight_access",
    "streams": "id,company_id,ewc_code,material,description,quantity,unit,physical_state,months,"
    "route,route_cost_eur_per_unit,notes,bulk_density_t_per_m3,storage_months,temperature_c,forms,standards,destination,"
    "destination_category",
    "needs": "id,company_id,category,accepted_codes,description,quantity,unit,"
    "virgin_price_eur_per_unit,max_distance_km,months,hazardous_permit,notes,min_temperature_c,max_temperature_c,"
    "accepted_states,required_forms,refused_forms,required_standards,gate_fee_eur_per_unit,permit,approvals",
    "synergies": "id,stream_id,need_id,stage,quantity,abandoned_reason,created_on,updated_on,notes",
}
# A canonical number: no trailing zeros, no exponent, decimal point ('120', '12.5', '-40').
CANONICAL_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d*[1-9])?$")


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def companies() -> pd.DataFrame:
    return read("companies")


@pytest.fixture(scope="module")
def streams() -> pd.DataFrame:
    return read("streams")


@pytest.fixture(scope="module")
def needs() -> pd.DataFrame:
    return read("needs")


@pytest.fixture(scope="module")
def synergies() -> pd.DataFrame:
    return read("synergies")


@pytest.fixture(scope="module")
def vocabulary() -> dict[str, str]:
    """Resource category id -> unit, read from the table of docs/DATA_FORMAT.md (the contract)."""
    text = (ROOT / "docs" / "DATA_FORMAT.md").read_text(encoding="utf-8")
    section = text.split("## Resource categories", 1)[1]
    rows = re.findall(r"^\| `([a-z_]+)` \| (t|m3|MWh) \|", section, flags=re.MULTILINE)
    assert len(rows) >= 20, "could not read the category table of docs/DATA_FORMAT.md"
    return dict(rows)


@pytest.fixture(scope="module")
def cdc_communes() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "haute_saintonge_communes.csv", dtype=str)


def accepted(codes: str) -> list[str]:
    return [c for c in re.split(r"[,|]", codes) if c.strip()]


# --- the files are canonical ------------------------------------------------------------------


@pytest.mark.parametrize("name", TABLES)
def test_files_are_canonical_csv(name: str) -> None:
    raw = (DEMO / f"{name}.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "UTF-8 without BOM"
    assert b"\r" not in raw, "\\n line ends"
    text = raw.decode("utf-8")
    assert text.splitlines()[0] == HEADERS[name]
    assert text.endswith("\n")


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("companies", ["latitude", "longitude"]),
        ("streams", ["quantity", "route_cost_eur_per_unit", "bulk_density_t_per_m3", "temperature_c"]),
        ("needs", ["quantity", "virgin_price_eur_per_unit", "max_distance_km", "min_temperature_c", "max_temperature_c",
               "gate_fee_eur_per_unit"]),
        ("synergies", ["quantity"]),
    ],
)
def test_numbers_are_written_without_trailing_zeros(name: str, columns: list[str]) -> None:
    table = read(name)
    for column in columns:
        values = table[column][table[column] != ""]
        bad = values[~values.str.match(CANONICAL_NUMBER)]
        assert bad.empty, f"{name}.{column}: {bad.tolist()[:5]}"


def test_forms_states_standards_and_destinations_are_in_the_vocabulary(streams, needs) -> None:
    from symbiose.compat import load_knowledge_base
    from symbiose.domain import parse_forms, parse_states

    standards = set(load_knowledge_base().standards)
    for column in ("forms",):
        for text in streams[column]:
            assert ";".join(parse_forms(text)) == text  # known forms, canonical order
    for column in ("required_forms", "refused_forms"):
        for text in needs[column]:
            assert ";".join(parse_forms(text)) == text
    for text in needs["accepted_states"]:
        assert ";".join(parse_states(text)) == text
    for text in [*streams["standards"], *needs["required_standards"]]:
        assert set(filter(None, text.split(";"))) <= standards
    # a destination is a need of the network (an existing exchange) or an outside outlet's name
    to_needs = streams.loc[streams["destination"].str.match(r"^N\d{4}$"), "destination"]
    assert len(to_needs) and to_needs.isin(needs["id"]).all()
    # today's uses and intake approvals are ids of the knowledge base
    kb = load_knowledge_base()
    assert set(streams["destination_category"]) - {""} <= set(kb.categories)
    assert set(x for text in needs["approvals"] for x in text.split(";") if x) <= set(kb.approvals)
    # treatment outlets state their gate fee with their permit
    paid = needs[needs["gate_fee_eur_per_unit"] != ""]
    assert len(paid) and (paid["permit"] != "").all()


def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_demo.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in TABLES:
        fresh = (tmp_path / f"{name}.csv").read_bytes()
        committed = (DEMO / f"{name}.csv").read_bytes()
        assert fresh == committed, f"{name}.csv differs: run scripts/make_demo.py"


# --- size and geography -----------------------------------------------------------------------


def test_network_is_large_enough(companies, streams, needs, cdc_communes) -> None:
    assert len(companies) >= 80
    in_cdc = companies[companies["insee_code"].isin(cdc_communes["insee_code"])]
    assert in_cdc["insee_code"].nunique() >= 40
    assert len(streams) + len(needs) >= 300
    assert len(needs) >= 120
    # most companies are members of the network; a few partners sit elsewhere in the département
    assert 3 <= len(companies) - len(in_cdc) <= 6
    # Jonzac, the seat, is the busiest commune
    assert companies["commune"].value_counts().index[0] == "Jonzac"


def test_ids_are_unique(companies, streams, needs, synergies) -> None:
    for table in (companies, streams, needs, synergies):
        assert table["id"].is_unique
        assert (table["id"] != "").all()
    assert companies["name"].is_unique


def test_foreign_keys(companies, streams, needs, synergies) -> None:
    assert streams["company_id"].isin(companies["id"]).all()
    assert needs["company_id"].isin(companies["id"]).all()
    assert synergies["stream_id"].isin(streams["id"]).all()
    assert synergies["need_id"].isin(needs["id"]).all()
    # every company has something to offer or to take
    active = set(streams["company_id"]) | set(needs["company_id"])
    assert set(companies["id"]) == active


def test_companies_are_placed_in_their_commune(companies) -> None:
    communes = pd.read_csv(REFERENCE / "communes_17.csv", dtype=str).set_index("insee_code")
    assert companies["insee_code"].isin(communes.index).all()
    for row in companies.itertuples():
        ref = communes.loc[row.insee_code]
        assert (row.commune, row.postal_code) == (ref["name"], ref["postal_code"])
        lat, lon = float(row.latitude), float(row.longitude)
        dlat_km = (lat - float(ref["latitude"])) * 111.32
        dlon_km = (lon - float(ref["longitude"])) * 111.32 * math.cos(math.radians(lat))
        assert math.hypot(dlat_km, dlon_km) <= 1.5, f"{row.id} too far from {row.commune}"
    assert not companies.duplicated(["latitude", "longitude"]).any()


def test_companies_are_labelled_fictional(companies) -> None:
    assert (companies["siret"] == "").all()
    assert companies["contact_email"].str.endswith("@example.org").all()
    assert companies["notes"].str.startswith("entreprise fictive (données de démonstration)").all()
    assert companies["naf_code"].isin(naf_codes()["naf_code"]).all()


# --- codes, vocabulary, units -----------------------------------------------------------------


def test_stream_codes_are_in_the_list_of_waste(streams) -> None:
    entries = ewc_entries()
    coded = streams[streams["ewc_code"] != ""]
    for code in coded["ewc_code"]:
        assert re.fullmatch(r"\d{2} \d{2} \d{2}\*?", code), f"spaced official notation: {code}"
        entry = entries[normalize_ewc(code)]
        assert entry.hazardous == code.endswith("*"), f"{code}: '*' must mark hazardous codes"
    # each stream has exactly one of ewc_code / material
    assert ((streams["ewc_code"] != "") != (streams["material"] != "")).all()


def test_categories_and_materials_are_in_the_vocabulary(streams, needs, vocabulary) -> None:
    materials = streams.loc[streams["material"] != "", ["material", "unit"]]
    assert materials["material"].isin(vocabulary).all()
    assert {"heat_hot_water", "heat_low_temperature", "process_water"} <= set(materials["material"])
    for row in materials.itertuples():
        assert row.unit == vocabulary[row.material]
    categorised = needs[needs["category"] != ""]
    assert categorised["category"].isin(vocabulary).all()
    for row in categorised.itertuples():
        assert row.unit == vocabulary[row.category], f"{row.Index}: {row.category} in {row.unit}"
    assert ((needs["category"] != "") | (needs["accepted_codes"] != "")).all()
    for codes in needs["accepted_codes"]:
        for code in accepted(codes):
            assert check_ewc_prefix(code) == code, f"accepted code {code} must be compact"


def test_units_states_routes_and_months_are_valid(streams, needs) -> None:
    for table in (streams, needs):
        assert table["unit"].map(lambda u: Unit.parse(u).value == u).all()
        assert (table["quantity"].astype(float) > 0).all()
        for months in table["months"]:
            parse_months(months)
    assert streams["physical_state"].isin([s.value for s in PhysicalState]).all()
    assert streams["route"].isin([r.value for r in Route]).all()
    streams["route_cost_eur_per_unit"].astype(float)
    assert (needs["virgin_price_eur_per_unit"].astype(float) >= 0).all()
    distances = needs["max_distance_km"][needs["max_distance_km"] != ""].astype(float)
    assert (distances > 0).all() and len(distances) >= 100
    assert needs["hazardous_permit"].isin(["true", "false"]).all()


def test_waste_streams_are_in_tonnes_unless_liquid(streams) -> None:
    coded = streams[streams["ewc_code"] != ""]
    for row in coded.itertuples():
        assert row.unit == "t" or (row.unit == "m3" and row.physical_state == "liquid"), row.id
    energy = streams[streams["unit"] == "MWh"]
    assert (energy["physical_state"] == "energy").all() and energy["material"].str.startswith("heat_").all()


def test_hazardous_permits_only_where_hazardous_codes_are_accepted(needs) -> None:
    entries = ewc_entries()
    permitted = needs[needs["hazardous_permit"] == "true"]
    assert 2 <= len(permitted) <= 3
    for codes in permitted["accepted_codes"]:
        prefixes = accepted(codes)
        assert any(e.hazardous for c, e in entries.items() for p in prefixes if c.startswith(p))


# --- what a matcher and an opportunity finder should find -------------------------------------


def test_typical_synergies_have_a_receiver(streams, needs) -> None:
    categories = set(needs["category"])
    prefixes = {p for codes in needs["accepted_codes"] for p in accepted(codes)}
    for category in ("wood_fuel", "animal_bedding", "wine_byproduct_distillation", "heat_hot_water",
                     "soil_amendment", "backfill", "aggregates", "oil_regeneration"):  # fmt: skip
        assert category in categories
    for code in ("020702", "020106", "130205"):  # vinasses, manure, used oil
        assert any(code.startswith(p) for p in prefixes)
    assert streams["ewc_code"].isin(["03 01 05", "19 06 06", "17 05 04", "17 01 07"]).sum() >= 20


def test_some_wastes_have_no_local_outlet(streams, needs) -> None:
    categories = set(needs["category"])
    assert not categories & {"glass_cullet", "gypsum", "textile_fibre", "rubber"}
    prefixes = {p for codes in needs["accepted_codes"] for p in accepted(codes)}
    orphans = ("150107", "200102", "170802", "160103", "200111", "070213")
    for code in orphans:
        assert not any(code.startswith(p) for p in prefixes), code
    present = {normalize_ewc(c) for c in streams["ewc_code"] if c}
    assert set(orphans) <= present


def test_seasons_follow_the_territory(streams, needs) -> None:
    vinasses = streams[streams["ewc_code"] == "02 07 02"]
    liquid = vinasses[vinasses["unit"] == "m3"]
    assert len(liquid) >= 10
    assert liquid["months"].map(lambda m: {12, 1} <= set(parse_months(m))).all()
    heat_needs = needs[needs["category"].str.startswith("heat_") & (needs["months"] == "10-4")]
    assert len(heat_needs) >= 3


def test_synergies_are_consistent(streams, needs, synergies) -> None:
    assert len(synergies) >= 10
    assert set(synergies["stage"]) == {s.value for s in Stage}
    s_qty = streams.set_index("id")["quantity"].astype(float)
    n_qty = needs.set_index("id")["quantity"].astype(float)
    for row in synergies.itertuples():
        created = date.fromisoformat(row.created_on)
        assert created <= date.fromisoformat(row.updated_on)
        assert (row.stage == "abandoned") == (row.abandoned_reason != "")
        quantity = float(row.quantity)
        assert 0 < quantity <= min(s_qty[row.stream_id], n_qty[row.need_id])
    assert synergies.duplicated(["stream_id", "need_id"]).sum() == 0


def test_followed_synergies_are_feasible(companies, streams, needs, synergies) -> None:
    """Live synergies respect the need's distance (straight line x 1.3 for roads) and season."""
    place = companies.set_index("id")[["latitude", "longitude"]].astype(float)
    s = streams.set_index("id")
    n = needs.set_index("id")
    for row in synergies[synergies["stage"] != "abandoned"].itertuples():
        stream, need = s.loc[row.stream_id], n.loc[row.need_id]
        assert stream["company_id"] != need["company_id"]
        a, b = place.loc[stream["company_id"]], place.loc[need["company_id"]]
        dlat_km = (a["latitude"] - b["latitude"]) * 111.32
        dlon_km = (a["longitude"] - b["longitude"]) * 111.32 * math.cos(math.radians(45.4))
        if need["max_distance_km"]:
            assert 1.3 * math.hypot(dlat_km, dlon_km) <= float(need["max_distance_km"]), row.id
        s_months = set(parse_months(stream["months"])) or set(range(1, 13))
        n_months = set(parse_months(need["months"])) or set(range(1, 13))
        assert s_months & n_months, row.id
        if stream["ewc_code"].endswith("*"):
            assert need["hazardous_permit"] == "true", row.id


def test_no_company_offers_what_it_wants(streams, needs) -> None:
    """Internal reuse is not a synergy: no company both offers and wants heat or water."""
    offered = set(zip(streams["company_id"], streams["material"], strict=True))
    wanted = set(zip(needs["company_id"], needs["category"], strict=True))
    assert not {pair for pair in offered & wanted if pair[1]}


def test_demo_reads_and_round_trips_through_the_bundle_module(tmp_path: Path) -> None:
    """The project's own reader accepts the demo, and its canonical writer gives the same bytes."""
    from symbiose.bundle import read_bundle, write_bundle

    network = read_bundle(DEMO)
    assert (len(network.companies), len(network.synergies)) == (
        len(read("companies")),
        len(read("synergies")),
    )
    write_bundle(network, tmp_path)
    for name in TABLES:
        assert (tmp_path / f"{name}.csv").read_bytes() == (DEMO / f"{name}.csv").read_bytes()


# ------------------------------------------------------------------ reference prices (issue 11)


def _make_demo_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_demo", ROOT / "scripts" / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo", module)
    spec.loader.exec_module(module)
    return module


def test_every_reference_price_of_the_demo_cites_known_sources():
    module = _make_demo_module()
    keys = set(pd.read_csv(ROOT / "data" / "knowledge_sources.csv", dtype=str)["key"])
    page = (ROOT / "data" / "KNOWLEDGE_BASE.md").read_text(encoding="utf-8")
    assert module.PRICE_SOURCES
    for name, sources in module.PRICE_SOURCES.items():
        assert hasattr(module, name), name
        assert sources and set(sources) <= keys, (name, set(sources) - keys)
        assert f"`{name}`" in page, f"{name} is not in the reference prices table"


def test_wood_chips_are_priced_on_energy_content_and_epr_streams_cost_nothing():
    module = _make_demo_module()
    needs, streams = read("needs"), read("streams")
    # boilers' fuel; the pellet maker's need (category wood_fuel since issue 11, accepting 03 01 05
    # by code) buys sawdust as a raw material to dry and press, not delivered chips
    boilers = (needs["category"] == "wood_fuel") & (needs["accepted_codes"] == "")
    wood = needs[boilers]["virgin_price_eur_per_unit"].astype(float)
    # the cheapest delivered chips of the survey, wet: nothing below it is a delivered price
    assert len(wood) and wood.min() >= module.WOOD_CHIP_LARGE_BOILER_EUR_PER_T
    assert module.WOOD_CHIP_LARGE_BOILER_EUR_PER_T == round(19 * module.wood_lhv_mwh_per_t(0.40))
    tyres = streams[streams["ewc_code"] == "16 01 03"]["route_cost_eur_per_unit"].astype(float)
    glass = streams[streams["ewc_code"] == "20 01 02"]["route_cost_eur_per_unit"].astype(float)
    assert len(tyres) and len(glass) and (tyres == 0).all() and (glass == 0).all()
    inert = streams["ewc_code"].str.startswith(("17 01", "17 05", "10 13"))  # ISDI: no TGAP
    landfill = streams[(streams["route"] == "landfill") & ~inert]
    costs = landfill["route_cost_eur_per_unit"].astype(float)
    assert len(costs) and costs.min() >= module.LANDFILL_TGAP_EUR_PER_T


def test_lines_of_the_graded_review_take_only_what_they_can_use():
    # the graded review after issue 11 (docs/SUGGESTIONS_REVIEW.md, C3, C4, C5, C7): brewers' spent
    # grains to a grape-marc line, lees to the marc line, pulpwood to a paper baling line and liquid
    # whey to a horse stable's dry feed; none of these pairs may be a candidate of the demo
    from symbiose.bundle import read_bundle
    from symbiose.candidates import build_candidates

    cands = build_candidates(read_bundle(DEMO))
    arcs = cands.arcs.merge(cands.streams[["stream_id", "ewc_code", "physical_state"]], on="stream_id")
    desc = dict(zip(read("needs")["id"], read("needs")["description"], strict=True))
    to = arcs["need_id"].map(desc).fillna("")
    spent = read("streams").query("description == 'Drêches de brasserie'")["id"]
    marc_line = to.str.startswith("Marcs de raisin")
    assert len(spent) and not (arcs["stream_id"].isin(spent) & marc_line).any()
    # the marc line takes marc only, the lees line lees
    assert set(arcs.loc[marc_line, "ewc_code"]) <= {"020701"}
    # a sorting centre bales paper and cardboard only
    baling = to == "Papiers et cartons à trier et à mettre en balles"
    assert baling.any() and set(arcs.loc[baling, "ewc_code"]) <= {"150101", "200101"}
    # a horse stable's dry feed takes no liquid
    horses = to == "Son et pulpes pour l'alimentation des chevaux"
    assert not (arcs.loc[horses, "physical_state"] == "liquid").any()
