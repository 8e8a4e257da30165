"""Issue 10: rules from general sources, List of Waste coverage, finer vocabulary, freight by mode.

Tiny hand-built networks with the arithmetic in comments; the real knowledge base files.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from symbiose import i18n
from symbiose.candidates import build_candidates, bulk_reach_km, pair_max_km
from symbiose.compat import (
    HAZARDOUS_CATEGORIES,
    HIERARCHY_LEVELS,
    load_knowledge_base,
    load_no_outlet_reasons,
)
from symbiose.domain import Company, Need, Network, Route, Stream
from symbiose.errors import ValidationError
from symbiose.params import MatchParameters
from symbiose.reference import data_dir, ewc_entries, nace_codes
from symbiose.units import Unit

ROOT = Path(__file__).resolve().parents[1]
DATA = data_dir()


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


# ------------------------------------------------------------------ sources and coverage


def test_every_rule_cites_general_sources_documented_in_the_knowledge_base_page(kb):
    page = (DATA / "KNOWLEDGE_BASE.md").read_text(encoding="utf-8")
    for key in kb.sources:
        assert f"`{key}`" in page, f"source {key} is not in the sources table of KNOWLEDGE_BASE.md"
    for rule in kb.rules:
        keys = rule.source.split(";")
        assert keys and all(k in kb.sources for k in keys), rule
        assert not any("MAESTRI" in k.upper() for k in keys), rule  # test data, never a source
    assert not any("MAESTRI" in s.citation for s in kb.sources.values())


def _edited_copy(tmp_path: Path, name: str, changes: dict[tuple[int, str], str]) -> Path:
    """A copy of ``data/<name>`` in ``tmp_path`` with cells changed ((data row, column) -> text)."""
    table = pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
    for (row, column), cell in changes.items():
        table.loc[row, column] = cell
    path = tmp_path / name
    table.to_csv(path, index=False)
    return path


def test_a_rule_citing_maestri_or_nothing_is_rejected(tmp_path):
    path = _edited_copy(tmp_path, "compatibility.csv", {(3, "source"): "MAESTRI", (5, "source"): ""})
    with pytest.raises(ValidationError) as err:
        load_knowledge_base(path)
    problems = {(p.row, p.column): p.message for p in err.value.problems}
    assert "not a source" in problems[(5, "source")]  # data row 4 = spreadsheet row 5
    assert "is empty" in problems[(7, "source")]


def test_every_non_hazardous_entry_has_an_outlet_or_a_written_reason(kb):
    reasons = load_no_outlet_reasons()
    entries = ewc_entries()
    missing, both = [], []
    for code, entry in entries.items():
        if entry.hazardous:
            continue
        has_outlet = bool(kb.rules_for_code(code))
        if not has_outlet and code not in reasons:
            missing.append(code)
        if has_outlet and code in reasons:
            both.append(code)
    assert missing == [], f"no outlet and no reason: {missing}"
    assert both == [], f"a reason is given for codes that have an outlet: {both}"
    # reasons are for non-hazardous entries only, and cite a known source
    assert all(not entries[c].hazardous for c in reasons)
    assert all(all(k in kb.sources for k in src.split(";")) for _, src in reasons.values())


def test_hazardous_entries_are_named_one_by_one_toward_permit_holders(kb):
    entries = ewc_entries()
    for rule in kb.rules:
        if len(rule.ewc_prefix) == 6 and entries[rule.ewc_prefix].hazardous:
            assert rule.category in HAZARDOUS_CATEGORIES, rule
    # a chapter or sub-chapter prefix never reaches a hazardous code
    for code, entry in entries.items():
        if entry.hazardous:
            assert all(len(r.ewc_prefix) == 6 for r in kb.rules_for_code(code)), code


def test_family_fallbacks_named_in_the_issue(kb):
    cats = lambda code: {r.category for r in kb.rules_for_code(code)}  # noqa: E731
    # on-site effluent sludges of organic chemistry and spent fermentation biomass
    for sub in ("01", "02", "03", "04", "05", "06", "07"):
        assert cats(f"07{sub}12"), f"07 {sub} 12 has no outlet"
    assert {"methanisation_feedstock", "compost_feedstock"} <= cats("070514")
    # organic food-industry residues to methanisation and compost
    for code, entry in ewc_entries().items():
        if code.startswith("02") and "sludges" in entry.description_en.lower() and not entry.hazardous:
            assert "methanisation_feedstock" in cats(code), code
    # straw to a biorefinery; mineral ashes and slags to cement raw meal
    assert "lignocellulosic_biomass" in cats("020103")
    for code, entry in ewc_entries().items():
        d = entry.description_en.lower()
        if code.startswith("10") and not entry.hazardous and ("slag" in d or "bottom ash" in d):
            # precious-metal slags go back to the smelter instead (BREF-NFM)
            assert "cement_raw_material" in cats(code) or "scrap_metal" in cats(code), code
    # drosses and skimmings of non-ferrous metals: to a smelter, not to raw meal
    assert cats("100602") == {"scrap_metal"}


def test_feed_follows_the_livestock_rules(kb):
    cats = lambda code: {r.category for r in kb.rules_for_code(code)}  # noqa: E731
    # animal tissue (rendered) only to pigs, poultry and pet food: no animal protein to ruminants
    assert "animal_feed_ruminant" not in cats("020202")
    assert "animal_feed_monogastric" in cats("020202")
    # straw and chaff are ruminant fibre, not pig feed
    assert "animal_feed_ruminant" in cats("020103") and "animal_feed_monogastric" not in cats("020103")
    # bakery former foodstuffs suit both
    assert {"animal_feed_ruminant", "animal_feed_monogastric"} <= cats("020601")
    # no catering waste in feed (Reg. (EC) 1069/2009 art. 11)
    assert not {c for c in cats("200108") if c.startswith("animal_feed")}


# ------------------------------------------------------------------ vocabulary


def test_old_category_ids_read_as_their_new_ones(kb):
    assert kb.canonical_category("heat") == "heat_hot_water"
    assert kb.canonical_category("animal_feed") == "animal_feed_ruminant"
    assert kb.canonical_category("wood_fuel") == "wood_fuel"
    aliases = pd.read_csv(DATA / "category_aliases.csv", dtype=str)
    assert set(aliases["alias"]).isdisjoint(kb.categories)


def _two_sites(km_east: float) -> tuple[Company, Company]:
    # 1 degree of longitude at 45.5 N is 111.2 * cos(45.5) = 77.95 km
    return (Company("A", "a", 45.5, -0.5), Company("B", "b", 45.5, -0.5 + km_east / 77.95))


def _heat_arcs(kb, supply: str, need: str) -> pd.DataFrame:
    a, b = _two_sites(1.0)
    net = Network(
        (a, b),
        (Stream("S", "A", 5_000_000, Unit.MWH, material=supply),),
        (Need("N", "B", 5_000_000, Unit.MWH, category=need, virgin_price_cents=6000),),
    )
    return build_candidates(net, kb=kb).arcs


def test_a_higher_heat_grade_serves_a_lower_one_never_the_reverse(kb):
    assert len(_heat_arcs(kb, "heat_steam", "heat_hot_water")) == 1
    assert len(_heat_arcs(kb, "heat_steam", "heat_low_temperature")) == 1
    assert len(_heat_arcs(kb, "heat_hot_water", "heat_low_temperature")) == 1
    assert _heat_arcs(kb, "heat_low_temperature", "heat_steam").empty  # 25 C water heats no still
    assert _heat_arcs(kb, "heat_hot_water", "heat_steam").empty
    # the old id still works and means hot water
    arcs = _heat_arcs(kb, "heat", "heat_low_temperature")
    assert len(arcs) == 1 and arcs["category"].iat[0] == "heat_low_temperature"
    arc = _heat_arcs(kb, "heat_hot_water", "heat_hot_water").iloc[0]
    # pipe: 8 EUR/MWh/km x 1.3 road km, 5 GWh = the reference flow; no truck emissions
    assert arc["transport_cents"] == pytest.approx(8 * 1.3 * 100, rel=1e-3)
    assert arc["freight_mode"] == "pipe" and arc["transport_co2e_kg"] == 0


def test_process_water_is_piped_not_trucked(kb):
    a, b = _two_sites(2.0)
    net = Network(
        (a, b),
        (Stream("S", "A", 100_000_000, Unit.M3, material="process_water"),),
        (Need("N", "B", 100_000_000, Unit.M3, category="process_water", virgin_price_cents=300),),
    )
    arc = build_candidates(net, kb=kb).arcs.iloc[0]
    # 0.09 EUR/m3/km x 2.6 road km at the 100 000 m3 reference flow = 0.234 EUR/m3 (a truck:
    # 0.15 EUR/t.km x 2.6 = 0.39 EUR/m3)
    assert arc["freight_mode"] == "pipe"
    assert arc["transport_cents"] == pytest.approx(0.09 * 2.6 * 100, rel=1e-3)


# ------------------------------------------------------------------ freight and distance


def test_break_even_reach_and_the_one_distance_rule():
    # road 0.15 EUR/t.km: a 150 km limit spends 22.5 EUR/t; rail (6 EUR/t + 0.05/t.km) carries
    # it (22.5 - 6) / 0.05 = 330 km; ship (8 + 0.03) (22.5 - 8) / 0.03 = 483.3 km
    assert bulk_reach_km(150, 0.05, 6, 0.15) == pytest.approx(330)
    assert bulk_reach_km(150, 0.03, 8, 0.15) == pytest.approx(483.33, abs=0.01)
    assert bulk_reach_km(35, 0.05, 6, 0.15) == 0  # aggregates: handling alone eats the value
    nan = np.nan
    reach = pair_max_km(
        rule_km=np.array([nan, nan, nan, nan, 60.0]),
        category_km=np.array([150.0, 150.0, 150.0, 30.0, 30.0]),
        need_km=np.array([nan, 250.0, 40.0, nan, nan]),
        bulk_km=np.array([330.0, 330.0, 0.0, 0.0, 0.0]),
    )
    # no stated max: the bulk reach (330) or the rule's own limit (60 over the category's 30);
    # a stated max wins both ways: 250 under the bulk reach, 40 under the road limit of 150
    assert reach.tolist() == [330.0, 250.0, 40.0, 30.0, 60.0]
    # a receiver's 45 km extends a 30 km category default; a scenario's 20 km caps it
    assert pair_max_km(nan, 30.0, 45.0).tolist() == 45.0
    assert pair_max_km(nan, 30.0, 45.0, scenario_km=20.0).tolist() == 20.0


def _slag_network(km: float, access_a=(), access_b=(), need_max=None) -> Network:
    a, b = _two_sites(km)
    a = Company(a.id, a.name, a.latitude, a.longitude, freight_access=access_a)
    b = Company(b.id, b.name, b.latitude, b.longitude, freight_access=access_b)
    return Network(
        (a, b),
        # landfilled at 25 EUR/t: by road, 208 km of slag is worth 25 + 0.8 x 30 - 10 grinding
        # - 31.20 haulage - 3 handling (75 EUR a trip of 25 t) = 4.80 EUR/t (at 20 EUR/t, before
        # handling was counted, it was 2.80 and would now be -0.20: no pair to test distances on)
        (Stream("S", "A", 10_000_000, Unit.T, ewc_code="100202", route=Route.LANDFILL,
                route_cost_cents=2500),),
        (Need("N", "B", 10_000_000, Unit.T, category="cement_raw_material", virgin_price_cents=3000,
              max_distance_km=need_max),),
    )  # fmt: skip


def _heat_network(km: float, mwh: float) -> Network:
    a, b = _two_sites(km)
    return Network((a, b), (Stream("S", "A", round(mwh * 1000), Unit.MWH, material="heat_hot_water"),),
                   (Need("N", "B", round(mwh * 1000), Unit.MWH, category="heat_hot_water", virgin_price_cents=5800),))  # fmt: skip


def test_a_hot_water_pipe_goes_as_far_as_it_pays_within_the_10_km_cap(kb):
    # 4.6 km straight = 5.98 km of pipe, beyond the 5 km hot-water limit before SEENERGIES-2020.
    # At 50 GWh/yr a larger pipe costs more per km, as the flow to 0.23 (HOTMAPS-2020), so each
    # MWh pays 8 x (5 000 / 50 000)^0.77 = 1.36 EUR per km, 8.1 EUR over the line, far less than
    # the 58 the heat replaces; at 1 GWh it pays 5 x 8 x 5.98 = 239 EUR/MWh: no pair
    arcs = build_candidates(_heat_network(4.6, 50_000), kb=kb).arcs
    assert len(arcs) == 1 and arcs.iloc[0]["max_km"] == 10
    per_km = 8 * (5_000 / 50_000) ** (1 - 0.23)
    assert arcs.iloc[0]["transport_cents"] == pytest.approx(per_km * arcs.iloc[0]["road_km"] * 100, rel=1e-9)
    assert build_candidates(_heat_network(4.6, 1_000), kb=kb).arcs.empty
    # beyond the 10 km cap (8 km straight, 10.4 km of pipe) there is no pair, though it would pay:
    # a receiver that states 20 km as its own maximum gets it, worth something after the pipe
    far = _heat_network(8.0, 50_000)
    assert build_candidates(far, kb=kb).arcs.empty
    wider = dataclasses.replace(far, needs=(dataclasses.replace(far.needs[0], max_distance_km=20.0),))
    arcs = build_candidates(wider, kb=kb).arcs
    assert len(arcs) == 1 and arcs.iloc[0]["value_cents"] > 0


def test_pipe_scale_spreads_a_small_pipe_and_grows_a_large_one_sublinearly(tmp_path):
    from symbiose.compat import pipe_scale

    # below the reference flow the fixed cost per km is spread over fewer units; above it, each
    # unit pays (reference / flow)^(1 - exponent); without an exponent, the reference cost
    assert pipe_scale([1_000, 5_000, 150_000], 5_000, 0.23) == pytest.approx([5, 1, 30 ** -0.77])
    assert pipe_scale([1_000, 150_000], 5_000, None) == pytest.approx([5, 1])
    assert pipe_scale([1_000, 150_000], None, None) == pytest.approx([1, 1])
    # an exponent with no reference flow to scale from is refused, naming the row
    table = pd.read_csv(DATA / "resource_categories.csv", dtype=str, keep_default_na=False)
    row = table.index[table["id"] == "heat_steam"][0]
    table.loc[row, "transport_reference_quantity"] = ""
    path = tmp_path / "resource_categories.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ValidationError) as err:
        load_knowledge_base(categories_path=path)
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (row + 2, "pipe_cost_exponent") and "reference" in problem.message


def test_a_grade_list_longer_than_the_order_of_uses_allows_is_refused(tmp_path):
    # use_rank keeps GRADE_SPAN places per level of the waste hierarchy: a resource that serves
    # as many lower grades would overlap the next level, so the loader names the row
    from symbiose.compat import GRADE_SPAN

    table = pd.read_csv(DATA / "resource_categories.csv", dtype=str, keep_default_na=False)
    row = table.index[table["id"] == "heat_steam"][0]
    lower = ["heat_hot_water", "heat_low_temperature", "process_water", "industrial_gas"][: GRADE_SPAN]
    table.loc[row, "serves"] = ";".join(lower)
    path = tmp_path / "resource_categories.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ValidationError) as err:
        load_knowledge_base(categories_path=path)
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (row + 2, "serves") and f"at most {GRADE_SPAN - 1}" in problem.message
    table.loc[row, "serves"] = ";".join(lower[: GRADE_SPAN - 1])  # one fewer loads
    table.to_csv(path, index=False)
    assert load_knowledge_base(categories_path=path).categories["heat_steam"].serves == tuple(lower[: GRADE_SPAN - 1])


def test_bulk_slag_travels_by_ship_beyond_the_road_limit(kb):
    # 160 km straight line = 208 road km: beyond cement raw material's 150 km road limit
    assert build_candidates(_slag_network(160), kb=kb).arcs.empty
    arcs = build_candidates(_slag_network(160, ("port",), ("port", "rail")), kb=kb).arcs
    assert len(arcs) == 1
    arc = arcs.iloc[0]
    assert arc["freight_mode"] == "ship"
    # ship: 8 EUR/t handling + 0.03 EUR/t.km x 208 km = 14.24 EUR/t (road would be 31.2)
    assert arc["transport_cents"] == pytest.approx((8 + 0.03 * 208) * 100, rel=1e-3)
    # CO2e: DESNZ 2025 bulk carrier 0-9999 dwt 0.02956 + WTT 0.0067 = 0.03626 kg/t.km
    assert arc["transport_co2e_kg"] == pytest.approx(0.03626 * 208, rel=1e-3)
    # only one site on the water: no ship
    assert build_candidates(_slag_network(160, ("port",), ()), kb=kb).arcs.empty


def test_a_receivers_own_maximum_extends_the_category_default(kb):
    # the cement plant says it takes slag from 250 km by road: the 150 km default no longer binds
    arcs = build_candidates(_slag_network(160, need_max=250), kb=kb).arcs
    assert len(arcs) == 1 and arcs["freight_mode"].iat[0] == "road" and arcs["max_km"].iat[0] == 250
    # and a shorter one still shortens it
    assert build_candidates(_slag_network(100, need_max=100), kb=kb).arcs.empty  # 130 road km
    # a scenario's radius caps everything
    capped = build_candidates(_slag_network(160, need_max=250), MatchParameters(max_distance_km=100), kb=kb)
    assert capped.arcs.empty


def test_freight_modes_cite_desnz_factors(kb):
    extract = pd.read_csv(DATA / "reference" / "defra_desnz_2025_factors_extract.csv", dtype=str)
    factors = set(extract["factor_2025"])
    for mode in kb.freight_modes.values():
        numbers = re.findall(r"\d+\.\d+", mode.co2e_source)
        assert numbers and all(n in factors for n in numbers), mode
        assert mode.co2e_kg_per_t_km == pytest.approx(sum(float(n) for n in numbers), abs=1e-5)


def test_freight_access_in_a_bundle(tmp_path):
    from symbiose.bundle import read_bundle

    folder = tmp_path / "net"
    folder.mkdir()
    (folder / "companies.csv").write_text(
        "id,name,commune,acces_fret\nC1,Quai,Jonzac,port\nC2,Embranchement,Jonzac,fer ; quai\n"
        "C3,Route,Jonzac,\n", encoding="utf-8")  # fmt: skip
    net = read_bundle(folder)
    assert [c.freight_access for c in net.companies] == [("port",), ("rail", "port"), ()]
    (folder / "companies.csv").write_text("id,name,commune,freight_access\nC1,X,Jonzac,canal\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        read_bundle(folder)
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (2, "freight_access") and "rail" in problem.message


def test_migration_renames_stored_categories_and_adds_freight_access(database_url):
    from symbiose.db.engine import make_engine, upgrade

    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO companies (id, name, latitude, longitude, commune, insee_code, "
                              "postal_code, naf_code, siret, address, contact_name, contact_email, "
                              "contact_phone, notes) VALUES ('C1', 'x', 45.5, -0.4, '', '', '', '', '', '', "
                              "'', '', '', '')"))  # fmt: skip
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO streams (id, company_id, quantity_base, unit, ewc_code, material, "
                              "description, physical_state, months, route, route_cost_cents, notes) VALUES "
                              "('S1', 'C1', 1000, 'MWh', '', 'heat', '', 'energy', '', 'other', 0, '')"))  # fmt: skip
        upgrade(engine)
        with engine.connect() as conn:
            material = conn.execute(text("SELECT material FROM streams WHERE id = 'S1'")).scalar_one()
            access = conn.execute(text("SELECT freight_access FROM companies WHERE id = 'C1'")).scalar_one()
        assert material == "heat_hot_water" and access == ""
    finally:
        engine.dispose()


# ------------------------------------------------------------------ evaluation set


def test_the_evaluation_set_is_documented_and_outside_maestri():
    table = pd.read_csv(DATA / "evaluation" / "documented_exchanges.csv", dtype=str, keep_default_na=False)
    assert len(table) >= 40 and table["id"].is_unique
    assert (table["source"] != "").all() and table["url"].str.startswith("http").all()
    assert not table["source"].str.contains("MAESTRI").any()
    kb = load_knowledge_base()
    entries, nace = ewc_entries(), set(nace_codes()["code"])
    for r in table.itertuples():
        assert (r.ewc_code == "") != (r.material == ""), r.id
        if r.ewc_code:
            assert r.ewc_code.replace(" ", "") in entries, r.id
        else:
            assert r.material in kb.categories, r.id
        assert r.receiver_nace in nace and r.provider_nace in nace, r.id
        assert r.receiver_input in kb.categories, r.id  # what the source says the receiver takes


@pytest.mark.parametrize("name", ["heldout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9",
                                  "blind10", "blind11"])
def test_the_heldout_and_blind_sets_are_sourced_coded_and_new(name):
    # each set against those built before it
    others = {"heldout": ("documented",), "blind": ("documented", "heldout"),
              "blind2": ("documented", "heldout", "blind"),
              "blind3": ("documented", "heldout", "blind", "blind2"),
              "blind4": ("documented", "heldout", "blind", "blind2", "blind3"),
              "blind5": ("documented", "heldout", "blind", "blind2", "blind3", "blind4"),
              "blind6": ("documented", "heldout", "blind", "blind2", "blind3", "blind4", "blind5"),
              "blind7": ("documented", "heldout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6"),
              "blind8": ("documented", "heldout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6",
                         "blind7"),
              "blind9": ("documented", "heldout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6",
                         "blind7", "blind8"),
              "blind10": ("documented", "heldout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6",
                          "blind7", "blind8", "blind9"),
              "blind11": ("documented", "heldout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6",
                          "blind7", "blind8", "blind9", "blind10")}[name]  # fmt: skip
    sets = {n: pd.read_csv(DATA / "evaluation" / f"{n}_exchanges.csv", dtype=str, keep_default_na=False)
            for n in (name, *others)}  # fmt: skip
    table = sets[name]
    assert list(table.columns) == list(sets["documented"].columns)
    assert len(table) >= 40 and table["id"].is_unique
    assert (table["source"].str.strip() != "").all() and table["url"].str.match(r"https?://\S+$").all()
    assert not table["source"].str.contains("MAESTRI").any()
    kb = load_knowledge_base()
    entries = ewc_entries()
    nace = nace_codes()
    classes = set(nace.loc[nace["level"] == "class", "code"])
    for r in table.itertuples():
        # several classes or codes where the source leaves the choice open, separated by ';'
        assert set(r.provider_nace.split(";")) <= classes and set(r.receiver_nace.split(";")) <= classes, r.id
        assert (r.ewc_code == "") != (r.material == ""), r.id
        for code in filter(None, r.ewc_code.split(";")):
            assert re.fullmatch(r"\d\d \d\d \d\d\*?", code), r.id
            assert entries[code.rstrip("*").replace(" ", "")].hazardous == code.endswith("*"), r.id
        if r.material:
            assert r.material in kb.categories, r.id
        # the input the source names, or empty where the vocabulary has none (whey to a food plant)
        assert r.receiver_input == "" or r.receiver_input in kb.categories, r.id
        assert r.quantity == "" or (float(r.quantity) > 0 and r.quantity_unit in ("t", "m3", "MWh", "t_steam")), r.id
    # no exchange of the other sets again, by id or by (provider, waste, receiver)
    key = ["provider", "ewc_code", "material", "receiver"]
    for other in others:
        assert not table["id"].isin(sets[other]["id"]).any()
        assert table.merge(sets[other][key], on=key).empty
    assert [ex.id for ex in _evaluation_script().load_set(name)] == list(table["id"])


def _evaluation_script():
    spec = importlib.util.spec_from_file_location("evaluate_knowledge", ROOT / "scripts" / "evaluate_knowledge.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["evaluate_knowledge"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_evaluation_scores_a_hand_checked_case(kb):
    ev = _evaluation_script()
    # steam to an appliance maker and FGD gypsum to a plasterboard maker, each other's distractor
    ex = [ev.Exchange("a", (), "heat_steam", ("27.51",), "appliance maker"),
          ev.Exchange("b", ("100105",), "", ("23.62",), "plasterboard")]  # fmt: skip
    cov = ev.coverage(kb, ex).set_index("id")
    # electrical equipment (27) uses no heat in sector_uses.csv (MECS 2014: boilers 4.4 %, space
    # heating 8.8 % of its energy, both under the 10 % rule): not covered; gypsum reaches 23.62
    assert not cov.loc["a", "explained"] and cov.loc["b", "explained"]
    rec = ev.recall(kb, ex).set_index("id")
    assert rec.loc["a", "recall@5"] == 0 and rec.loc["b", "recall@1"] == 1


def test_case_quantity_protocol_builds_the_network_with_the_quantity_the_source_states(kb):
    ev = _evaluation_script()
    # hot water to a heat network (35.30), a greenhouse (01.13) as distractor. At 1000 MWh/yr the
    # pipe's fixed cost is spread over a fifth of its 5000 MWh reference flow: 8 x 5 = 40 EUR/MWh/km,
    # more than the 58 EUR/MWh the heat replaces beyond 1.45 km; at 330 000 MWh/yr it is 8 EUR/MWh/km
    ex = [ev.Exchange("a", (), "heat_hot_water", ("35.30",), "network", "heat_hot_water", 330_000.0),
          ev.Exchange("b", ("100105",), "", ("01.13",), "greenhouse", "heat_hot_water")]  # fmt: skip
    fixed = ev._network(kb, ex[0], {"network": {"heat_hot_water"}, "greenhouse": {"heat_hot_water"}}, "fixed")
    case = ev._network(kb, ex[0], {"network": {"heat_hot_water"}, "greenhouse": {"heat_hot_water"}}, "case")
    assert fixed.streams[0].quantity_base == 1000 * 1000 and case.streams[0].quantity_base == 330_000 * 1000
    # every receiver's need gets the same quantity: it says nothing about which one is true
    assert {n.quantity_base for n in case.needs} == {330_000 * 1000}
    # a row without a stated quantity keeps the 1000 units of the first protocol
    assert ev._network(kb, ex[1], {"greenhouse": {"heat_hot_water"}}, "case").streams[0].quantity_base == 1000 * 1000
    rec = ev.recall(kb, ex, protocol="stated", quantity="case").set_index("id")
    assert rec.loc["a", "reached"]
    # the sized rows: the piped flow only with the quantity its source states, the trucked one always
    assert rec["sized"].to_dict() == {"a": True, "b": True}
    assert ev.recall(kb, ex, protocol="stated", quantity="fixed").set_index("id")["sized"].to_dict() == {"a": False, "b": True}
    unsized = dataclasses.replace(ex[0], quantity=None)
    assert not ev.recall(kb, [unsized, ex[1]], protocol="stated", quantity="case").set_index("id").loc["a", "sized"]


def test_permits_held_protocol_gives_every_receiver_the_permit_and_approvals_of_its_needs(kb):
    ev = _evaluation_script()
    # whey (02 05 01) reaches a digester only with an animal by-product approval, and spent pot
    # lining (16 11 01*) a cement kiln only with a hazardous-waste permit; a plasterboard maker
    # is each one's distractor
    ex = [ev.Exchange("w", ("020501",), "", ("35.21",), "digester", "methanisation_feedstock"),
          ev.Exchange("p", ("161101",), "", ("23.51",), "kiln", "cement_raw_material"),
          ev.Exchange("g", ("100105",), "", ("23.62",), "plasterboard", "gypsum")]  # fmt: skip
    none = ev.recall(kb, ex, protocol="stated", quantity="case").set_index("id")
    held = ev.recall(kb, ex, protocol="stated", quantity="case", permits="held").set_index("id")
    assert not none.loc["w", "reached"] and not none.loc["p", "reached"]
    assert held.loc["w", "reached"] and held.loc["p", "reached"]
    assert none.loc["g", "recall@1"] == held.loc["g", "recall@1"] == 1  # a code that needs neither moves not
    # the same for every receiver: the distractor's needs hold them too
    net = ev._network(kb, ex[0], {"digester": {"methanisation_feedstock"}, "plasterboard": {"gypsum"}}, "case", "held")
    assert all(n.hazardous_permit for n in net.needs)
    assert {n.category: n.approvals for n in net.needs}["methanisation_feedstock"] == ("abp_cat3",)


def test_the_ceiling_of_recall_counts_the_receivers_of_the_true_input(kb):
    ev = _evaluation_script()
    # FGD gypsum to a plasterboard maker and to a cement works, both stating gypsum as their
    # input, and steam to an appliance maker that uses no heat: for each gypsum row two receivers
    # take the true input, so no order knowing only categories is sure to put the true one first
    ex = [ev.Exchange("a", ("100105",), "", ("23.62",), "plasterboard", "gypsum"),
          ev.Exchange("b", ("100105",), "", ("23.51",), "cement", "gypsum"),
          ev.Exchange("c", (), "heat_steam", ("27.51",), "appliance maker", "")]  # fmt: skip
    rec = ev.recall(kb, ex, protocol="stated", quantity="case").set_index("id")
    assert rec.loc["a", "ceiling@1"] == rec.loc["b", "ceiling@1"] == 0.5
    assert rec.loc["a", "ceiling@5"] == 1.0
    assert not rec.loc["c", "reached"] and rec.loc["c", "ceiling@5"] == 0.0  # no arc: nothing to order
    assert (rec["recall@1"] <= rec["ceiling@1"]).all()


def test_evaluate_reports_recall_over_the_sized_rows_apart(kb, monkeypatch):
    ev = _evaluation_script()
    # FGD gypsum to a plasterboard maker (trucked: sized, found), steam to a refinery and CO2 to
    # a greenhouse with no stated quantity (piped, gas in tonnes too: not sized), hot water to a
    # heat network at the 330 000 MWh its source states (piped and sized, found)
    ex = [ev.Exchange("a", ("100105",), "", ("23.62",), "plasterboard", "gypsum"),
          ev.Exchange("b", (), "heat_steam", ("19.20",), "refinery", "heat_steam"),
          ev.Exchange("c", (), "industrial_gas", ("01.13",), "greenhouse", "industrial_gas"),
          ev.Exchange("d", (), "heat_hot_water", ("35.30",), "network", "heat_hot_water", 330_000.0)]  # fmt: skip
    monkeypatch.setattr(ev, "load_set", lambda name: ex)
    result = ev.evaluate("tiny", kb=kb, protocol="stated", quantity="case", ranking="suggestions")
    rec = result["recall_rows"].set_index("id")
    assert rec["sized"].to_dict() == {"a": True, "b": False, "c": False, "d": True}
    assert result["sized"] == 2
    assert result["sized_recall@5"] == pytest.approx(rec.loc[["a", "d"], "recall@5"].mean())
    assert result["recall@5"] == pytest.approx(rec["recall@5"].mean())
    assert rec.loc["a", "recall@5"] == 1 and rec.loc["d", "recall@5"] == 1


def test_a_row_coded_with_two_entries_is_built_on_its_first_or_on_the_better(kb):
    ev = _evaluation_script()
    # FGD gypsum coded "02 03 04 or 10 01 05" to a plasterboard maker: only the second reaches
    # gypsum; the protocol builds the stream on the first, the upper bound tries both
    ex = [ev.Exchange("a", ("020304", "100105"), "", ("23.62",), "plasterboard", "gypsum")]
    first = ev.recall(kb, ex, protocol="stated").set_index("id").loc["a"]
    best = ev.recall(kb, ex, protocol="stated", codes="best").set_index("id").loc["a"]
    assert not first["reached"] and first["recall@5"] == 0
    assert best["reached"] and best["recall@1"] == 1


def test_stated_needs_protocol_gives_each_receiver_what_its_sources_say_it_takes(kb):
    ev = _evaluation_script()
    # FGD gypsum; the plasterboard maker states gypsum, the cement works cement raw material
    # (both reachable by 10 01 05), the refinery steam (not reachable)
    ex = [ev.Exchange("a", ("100105",), "", ("23.62",), "plasterboard", "gypsum"),
          ev.Exchange("b", ("100102",), "", ("23.51",), "cement", "cement_raw_material"),
          ev.Exchange("c", (), "heat_steam", ("19.20",), "refinery", "heat_steam")]  # fmt: skip
    assert ev._needs_by_receiver(kb, ex, "stated") == {
        "plasterboard": {"gypsum"}, "cement": {"cement_raw_material"}, "refinery": {"heat_steam"}}
    cov = ev.coverage(kb, ex, "stated").set_index("id")
    assert cov.loc["a", "explained"] and cov.loc["a", "matched"] == "gypsum"
    rec = ev.recall(kb, ex, protocol="stated").set_index("id")
    assert rec.loc["a", "reached"] and 0 < rec.loc["a", "recall@1"] <= 1 and rec.loc["a", "recall@5"] == 1
    with pytest.raises(ValueError, match="does not state each receiver's input"):
        ev.evaluate("maestri", kb=kb, protocol="stated")


def test_indicators_count_the_ship_emissions_and_factor(kb):
    from symbiose.matching import run_match

    result = run_match(_slag_network(160, ("port",), ("port",)), kb=kb)
    kpis = result.kpis
    assert kpis.synergies == 1 and kpis.matched_t == pytest.approx(10_000)
    # 10 000 t x 208 km x 0.03626 kg/t.km (ship), not the truck's 0.12522
    assert kpis.co2e_transport_t == pytest.approx(10_000 * 208 * 0.03626 / 1000, rel=1e-3)
    assert "ship_co2e_kg_per_tkm" in {f["factor"] for f in kpis.factors}


def test_a_scenario_site_with_rail_access_takes_slag_from_afar(kb):
    from symbiose.errors import ScenarioError
    from symbiose.scenarios import parse_scenario, resolve

    def scenario(raw):
        return parse_scenario({"scenario": {"name": "rail"}, **raw}, source="rail.toml")

    base = _slag_network(160, ("rail",), ())  # a steelworks on a siding, no cement plant nearby
    base = Network(base.companies, base.streams, ())
    plant = {"id": "X-CEM", "name": "cement plant", "latitude": 45.5, "longitude": -0.5 + 160 / 77.95,
             "needs": [{"id": "X-CEM-N1", "category": "cement_raw_material", "quantity": 10000,
                        "unit": "t", "virgin_price_eur_per_unit": 30}]}  # fmt: skip
    road_only, _ = resolve(scenario({"add_company": [plant]}), base)
    assert build_candidates(road_only, kb=kb).arcs.empty  # 208 road km > 150
    on_rail, _ = resolve(scenario({"add_company": [{**plant, "freight_access": ["rail"]}]}), base)
    arcs = build_candidates(on_rail, kb=kb).arcs
    assert arcs["freight_mode"].astype(str).tolist() == ["rail"]
    with i18n.language("en"), pytest.raises(ScenarioError, match="freight access"):
        resolve(scenario({"add_company": [{**plant, "freight_access": "canal"}]}), base)


def test_every_category_stands_at_a_level_of_the_waste_hierarchy_with_its_sources(kb):
    assert set(kb.hierarchy) == set(kb.categories)
    assert {kb.hierarchy_rank(c) for c in kb.categories} == set(range(len(HIERARCHY_LEVELS)))
    # the orders the sources give: re-use, then feed (for food), material before the soil and
    # before energy; categories that serve only themselves (heat, water, gases) share one level
    rank = kb.hierarchy_rank
    assert rank("pallets_packaging_reuse") < rank("animal_feed_ruminant") < rank("wood_panel")
    assert rank("wood_panel") < rank("methanisation_feedstock") < rank("wood_fuel") == rank("backfill")
    assert rank("aggregates") < rank("backfill")
    assert len({rank(c) for c in ("heat_steam", "heat_hot_water", "heat_low_temperature")}) == 1
    assert rank("heat") == rank("heat_hot_water")  # an old id reads as its new one


def test_a_hierarchy_row_with_an_unknown_level_or_no_source_is_rejected(tmp_path, kb):
    from symbiose.compat import _load_hierarchy

    path = _edited_copy(tmp_path, "waste_hierarchy.csv", {(2, "level"): "landfill", (4, "source"): "MAESTRI"})
    with pytest.raises(ValidationError) as err:
        _load_hierarchy(path, kb.categories, kb.sources)
    problems = {(p.row, p.column) for p in err.value.problems}
    assert problems == {(4, "level"), (6, "source")}


def test_gases_burnt_and_gases_used_as_materials_reach_different_receivers():
    """CO2 to a greenhouse, landfill gas to a kiln: one category took both, so a CO2 stream reached
    kilns and car plants, and a blast-furnace gas greenhouses."""
    kb = load_knowledge_base()
    assert "fuel_gas" in kb.categories_for_nace("23.51") and "industrial_gas" not in kb.categories_for_nace("23.51")
    assert "industrial_gas" in kb.categories_for_nace("01.13") and "fuel_gas" not in kb.categories_for_nace("01.13")
    assert kb.hierarchy["fuel_gas"] == "other_recovery" and kb.hierarchy["industrial_gas"] == "material"
    assert kb.categories["fuel_gas"].unit.value == "MWh"


def test_the_sets_coded_before_the_split_read_a_burnt_gas_as_fuel_gas():
    ev = _evaluation_script()
    row = pd.Series({"material": "industrial_gas", "receiver_input": "industrial_gas", "quantity": "3000",
                     "quantity_unit": "t", "waste": "blast-furnace gas", "final_use": "fuel for the boilers"})  # fmt: skip
    split = ev._gas_split(row)
    assert (split["material"], split["receiver_input"], split["quantity"]) == ("fuel_gas", "fuel_gas", "")
    co2 = row.copy()
    co2["waste"], co2["final_use"] = "CO2 from fermentation", "burnt? no: carbonation of drinks, power of bubbles"
    assert ev._gas_split(co2)["material"] == "industrial_gas"  # a CO2 stream is never a fuel
    material = row.copy()
    material["waste"], material["final_use"] = "hydrogen from chlor-alkali", "purified and sold as a reagent"
    assert ev._gas_split(material)["material"] == "industrial_gas"
    assert "blind9" not in ev.CODED_BEFORE_FUEL_GAS and "blind8" in ev.CODED_BEFORE_FUEL_GAS


def test_fermentable_and_food_by_products_reach_fermenters_and_food_makers_in_the_food_order():
    """Molasses to a distillery, bread to a bioethanol plant, whey to a dairy's whey plant: the lipid
    biofuels (biodiesel plants) took none of them, and a dairy listed no whey input. For food, human
    food comes before feed, and a raw material of another industry (fermentation) after it."""
    kb = load_knowledge_base()
    assert "fermentation_feedstock" in kb.categories_for_nace("11.01")
    assert "fermentation_feedstock" in kb.categories_for_nace("20.14")
    assert "food_ingredient" in kb.categories_for_nace("10.51")
    assert "fermentation_feedstock" not in kb.categories_for_nace("20.59")  # biodiesel plants: fats only
    takes = {(r.ewc_prefix, r.category) for code in ("020499", "020601", "020501", "020704")
             for r in kb.rules_for_code(code)}  # fmt: skip
    assert {("020499", "fermentation_feedstock"), ("020601", "fermentation_feedstock"),
            ("020501", "food_ingredient"), ("020704", "food_ingredient")} <= takes  # fmt: skip
    assert not {c for _, c in takes} & {"biofuel_feedstock"}
    rank = kb.hierarchy_rank
    assert rank("food_ingredient") < rank("animal_feed_monogastric") < rank("fermentation_feedstock")
    assert rank("fermentation_feedstock") < rank("methanisation_feedstock")


def test_the_sets_coded_before_fermentation_feedstock_read_sugar_to_ethanol_as_fermentation():
    ev = _evaluation_script()
    base = {"material": "", "receiver_input": "biofuel_feedstock", "quantity": "", "quantity_unit": ""}
    bread = pd.Series({**base, "waste": "unsold bread", "final_use": "bioethanol for E85 fuel"})
    assert ev._fermentation_split(bread)["receiver_input"] == "fermentation_feedstock"
    beer = pd.Series({**base, "waste": "brewery residuals", "final_use": "distilled into fuel ethanol"})
    assert ev._fermentation_split(beer)["receiver_input"] == "fermentation_feedstock"
    oil = pd.Series({**base, "waste": "used cooking oil", "final_use": "biodiesel (FAME)"})
    assert ev._fermentation_split(oil)["receiver_input"] == "biofuel_feedstock"
    # methanol is not ethanol, and gasified municipal waste is not a sugar
    gasified = pd.Series({**base, "waste": "sorted municipal waste", "final_use": "gasified into methanol, then ethanol"})
    assert ev._fermentation_split(gasified)["receiver_input"] == "biofuel_feedstock"
    assert "blind9" in ev.CODED_BEFORE_FERMENTATION and "blind10" not in ev.CODED_BEFORE_FERMENTATION
