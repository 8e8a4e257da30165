"""Physical state and form, product standards, treatment outlets and today's routes (issue 11).

Tiny networks with the arithmetic in comments, the misses the practitioner's review named on the
demo network, and the new fields through bundles and real databases (SQLite and PostgreSQL).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sqlalchemy import text

from symbiose.bundle import read_bundle, write_bundle
from symbiose.candidates import build_candidates
from symbiose.compat import load_knowledge_base
from symbiose.domain import (
    Company,
    Need,
    Network,
    PhysicalState,
    Route,
    Stage,
    Stream,
    Synergy,
    parse_forms,
)
from symbiose.errors import ImportValidationError
from symbiose.i18n import language
from symbiose.matching import run_match
from symbiose.suggestions import suggest
from symbiose.units import Unit

L = PhysicalState.LIQUID
P = PhysicalState.PASTY


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def _sites(n: int = 3) -> tuple[Company, ...]:
    # 1 degree of longitude at 45.5 N is 77.95 km: sites 2 km apart
    return tuple(Company(f"C{i}", f"c{i}", 45.5, -0.5 + 2 * i / 77.95) for i in range(n))


def _pairs(streams, needs, kb, **kwargs) -> set[tuple[str, str]]:
    arcs = build_candidates(Network(_sites(), tuple(streams), tuple(needs)), kb=kb, **kwargs).arcs
    return set(zip(arcs["stream_id"].astype(str), arcs["need_id"].astype(str), strict=True))


# ------------------------------------------------------------------ physical state


def test_liquid_vinasses_do_not_go_to_solid_lines(kb):
    vinasses = Stream("VIN", "C0", 1_000_000, Unit.M3, ewc_code="020702", physical_state=L, route_cost_cents=1000)
    marc = Stream("MARC", "C0", 1_000_000, Unit.T, ewc_code="020702", physical_state=P, route_cost_cents=1000)
    needs = [
        Need("COMPOST", "C1", 5_000_000, Unit.T, category="compost_feedstock", virgin_price_cents=500),
        Need("DISTIL", "C1", 5_000_000, Unit.T, category="wine_byproduct_distillation", virgin_price_cents=800),
        # a digester's solid inlet accepts the code by name but states the states it takes
        Need("DIG_SOLID", "C2", 5_000_000, Unit.T, category="methanisation_feedstock", accepted_codes=("020702",),
             virgin_price_cents=2500, accepted_states=("solid", "pasty")),
        Need("DIG_LIQUID", "C2", 5_000_000, Unit.M3, category="methanisation_feedstock", accepted_codes=("020702",),
             virgin_price_cents=100, accepted_states=("liquid",)),
    ]  # fmt: skip
    pairs = _pairs([vinasses, marc], needs, kb)
    assert {n for s, n in pairs if s == "VIN"} == {"DIG_LIQUID"}
    assert {"COMPOST", "DIG_SOLID"} <= {n for s, n in pairs if s == "MARC"}
    assert ("MARC", "DIG_LIQUID") not in pairs


def test_a_need_without_states_takes_its_categorys_default_and_a_digester_takes_liquids(kb):
    vinasses = Stream("VIN", "C0", 1_000_000, Unit.M3, ewc_code="020702", physical_state=L, route_cost_cents=1000)
    digester = Need("DIG", "C1", 5_000_000, Unit.M3, category="methanisation_feedstock", virgin_price_cents=100)
    assert _pairs([vinasses], [digester], kb) == {("VIN", "DIG")}


# ------------------------------------------------------------------ forms


def _bedding_and_feed():
    return [
        Need("BED", "C1", 500_000, Unit.T, category="animal_bedding", virgin_price_cents=6000),
        Need("FEED", "C2", 500_000, Unit.T, category="animal_feed_ruminant", virgin_price_cents=20000),
    ]


def test_broad_plant_codes_reach_feed_and_bedding_only_in_a_fitting_form(kb):
    melons = Stream("MELONS", "C0", 300_000, Unit.T, ewc_code="020103", forms=parse_forms("fruit_vegetables;fresh"))
    haulms = Stream("HAULMS", "C0", 300_000, Unit.T, ewc_code="020103", forms=("fresh", "soiled"))
    straw = Stream("STRAW", "C0", 300_000, Unit.T, ewc_code="020103", forms=("straw", "clean", "dry"))
    unknown = Stream("UNKNOWN", "C0", 300_000, Unit.T, ewc_code="020103")  # no form stated: not assumed
    pairs = _pairs([melons, haulms, straw, unknown], _bedding_and_feed(), kb)
    assert pairs == {("STRAW", "BED"), ("STRAW", "FEED")}


def test_sawmill_wood_reaches_bedding_only_as_dry_sawdust_or_shavings(kb):
    chips = Stream("CHIPS", "C0", 300_000, Unit.T, ewc_code="030105", forms=("chips", "clean", "fresh"))
    wet = Stream("WET", "C0", 300_000, Unit.T, ewc_code="030105", forms=("sawdust", "clean", "fresh"))
    dry = Stream("DRY", "C0", 300_000, Unit.T, ewc_code="030105", forms=("shavings", "clean", "dry"))
    pairs = _pairs([chips, wet, dry], _bedding_and_feed()[:1], kb)
    assert pairs == {("DRY", "BED")}


def test_soiled_farm_film_reaches_neither_a_clean_film_converter_nor_a_digester(kb):
    farm = Stream("FARM", "C0", 5_000, Unit.T, ewc_code="020104", forms=("film", "soiled"), route_cost_cents=12000)
    clean = Stream("CLEAN", "C0", 5_000, Unit.T, ewc_code="150102", forms=("film", "clean"), route_cost_cents=12000)
    converter = Need("CONV", "C1", 500_000, Unit.T, category="plastic_polymer", accepted_codes=("150102", "020104"),
                     virgin_price_cents=35000, required_forms=("film", "clean"))
    digester = Need("DIG", "C2", 5_000_000, Unit.T, category="methanisation_feedstock", accepted_codes=("0201",),
                    virgin_price_cents=2500, refused_forms=("film",))  # fmt: skip
    pairs = _pairs([farm, clean], [converter, digester], kb)
    assert pairs == {("CLEAN", "CONV")}
    # without the states and forms (an older bundle), both misses of the review come back
    bare = [dataclasses.replace(converter, required_forms=()), dataclasses.replace(digester, refused_forms=())]
    assert {("FARM", "CONV"), ("FARM", "DIG")} <= _pairs([farm, clean], bare, kb)


def test_sawmill_particles_reach_a_pulp_mill_only_as_chips(kb):
    # pulp mills take wood as chips (BREF Pulp, Paper and Board): sawdust is not pulped as such
    sawdust = Stream("DUST", "C0", 300_000, Unit.T, ewc_code="030105", forms=("sawdust", "clean", "fresh"))
    chips = Stream("CHIPS", "C0", 300_000, Unit.T, ewc_code="030105", forms=("chips", "clean", "fresh"))
    mill = Need("MILL", "C1", 5_000_000, Unit.T, category="paper_fibre", virgin_price_cents=11000)
    assert _pairs([sawdust, chips], [mill], kb) == {("CHIPS", "MILL")}


def test_plastic_film_is_not_reusable_packaging_for_a_pallet_line(kb):
    film = Stream("FILM", "C0", 30_000, Unit.T, ewc_code="150102", forms=("film", "clean"), route_cost_cents=3000)
    crates = Stream("CRATES", "C0", 30_000, Unit.T, ewc_code="150102", route_cost_cents=3000)  # drums, crates
    pallets = Stream("PALLETS", "C0", 30_000, Unit.T, ewc_code="150103", forms=("offcuts",), route_cost_cents=3000)
    line = Need("REUSE", "C1", 500_000, Unit.T, category="pallets_packaging_reuse", virgin_price_cents=6000)
    assert _pairs([film, crates, pallets], [line], kb) == {("CRATES", "REUSE"), ("PALLETS", "REUSE")}


def test_cereal_dust_declared_unfit_for_feed_is_not_offered_as_feed(kb):
    unfit = Stream("UNFIT", "C0", 120_000, Unit.T, ewc_code="020304", forms=("soiled",), route_cost_cents=1000)
    bran = Stream("BRAN", "C0", 120_000, Unit.T, ewc_code="020304", forms=("clean", "dry"), route_cost_cents=1000)
    feed = [Need("RUMI", "C1", 500_000, Unit.T, category="animal_feed_ruminant", virgin_price_cents=20000),
            Need("MONO", "C2", 500_000, Unit.T, category="animal_feed_monogastric", virgin_price_cents=20000)]
    pairs = _pairs([unfit, bran], feed, kb)
    assert not {s for s, _ in pairs} & {"UNFIT"}
    assert {("BRAN", "RUMI"), ("BRAN", "MONO")} <= pairs
    # nor as a lead through a feed maker to a stable that takes approved feed only
    stable = dataclasses.replace(feed[0], required_standards=("agrement_alimentation_animale",))
    leads = build_candidates(Network(_sites(), (unfit, bran), (stable,)), kb=kb).leads
    assert set(leads["stream_id"].astype(str)) == {"BRAN"}


def test_form_rules_without_refused_forms_still_load_and_a_bad_row_is_named(tmp_path):
    import pandas as pd

    from symbiose.compat import _load_form_rules, _load_sources
    from symbiose.errors import ValidationError
    from symbiose.reference import data_dir

    sources = _load_sources(data_dir() / "knowledge_sources.csv")
    categories = load_knowledge_base().categories
    table = pd.read_csv(data_dir() / "form_rules.csv", dtype=str, keep_default_na=False)
    table.drop(columns=["refused_forms"]).to_csv(tmp_path / "form_rules.csv", index=False)
    old = _load_form_rules(tmp_path / "form_rules.csv", categories, sources)
    assert old and not any(r.refused for r in old)
    table.loc[0, "refused_forms"] = "film"  # a category default (no prefix) cannot refuse a form
    table.to_csv(tmp_path / "form_rules.csv", index=False)
    with pytest.raises(ValidationError, match="refused_forms"):
        _load_form_rules(tmp_path / "form_rules.csv", categories, sources)


# ------------------------------------------------------------------ standards and intermediaries


def test_a_standard_bound_need_takes_only_streams_meeting_the_standard(kb):
    marc = Stream("MARC", "C0", 1_000_000, Unit.T, ewc_code="020701", physical_state=P)
    compost = Stream("COMPOST", "C1", 1_000_000, Unit.T, material="soil_amendment", standards=("nf_u44_051",))
    grower = Need("GROWER", "C2", 500_000, Unit.T, category="soil_amendment", virgin_price_cents=3000,
                  required_standards=("nf_u44_051", "plan_epandage"))  # fmt: skip
    platform = Need("PLATFORM", "C1", 5_000_000, Unit.T, category="compost_feedstock", gate_fee_cents=3500,
                    permit="ICPE 2780-2")  # fmt: skip
    pairs = _pairs([marc, compost], [grower, platform], kb)
    assert ("MARC", "GROWER") not in pairs
    assert ("COMPOST", "GROWER") in pairs


def test_a_suggestion_to_an_intermediary_names_what_it_makes_and_its_cost(kb):
    green = Stream("GREEN", "C0", 1_000_000, Unit.T, ewc_code="200201", route_cost_cents=8000)
    compost = Stream("COMPOST", "C1", 1_000_000, Unit.T, material="soil_amendment", standards=("nf_u44_051",))
    growers = [Need(f"G{i}", f"C{2 * i}", 100_000, Unit.T, category="soil_amendment", virgin_price_cents=3000,
                    required_standards=("nf_u44_051",)) for i in range(2)]  # fmt: skip
    platform = Need("PLATFORM", "C1", 5_000_000, Unit.T, category="compost_feedstock", gate_fee_cents=3500)
    net = Network(_sites(), (green, compost), (*growers, platform))
    with language("fr"):
        sug = suggest(build_candidates(net, kb=kb))
    row = sug[(sug["stream_id"] == "GREEN") & (sug["need_id"] == "PLATFORM")].iloc[0]
    assert "plateforme de compostage" in row["reason"] and "Compost normé NF U 44-051" in row["reason"]
    # two growers (two companies) require the compost the platform makes
    assert "qu'exigent 2 receveurs" in row["reason"] and "environ 45 EUR/t" in row["reason"]


# ------------------------------------------------------------------ treatment outlets and today's routes


def test_a_gate_fee_is_the_cost_of_a_treatment_outlet_and_ranked_apart(kb):
    # food waste incinerated at 135 EUR/t; a digester charges a 45 EUR/t gate fee and buys nothing;
    # a feed user avoids 0.9 x 200 = 180 EUR/t... not allowed for catering waste: a pig farm is not
    # offered here; a compost platform at 0 EUR/t gate fee and no price is a treatment outlet too
    food = Stream("FOOD", "C0", 100_000, Unit.T, ewc_code="200108", route=Route.INCINERATION, route_cost_cents=13500)
    # (a digester approved for animal by-products: catering waste goes nowhere else, ABP-1069)
    digester = Need("DIG", "C1", 4_000_000, Unit.T, category="methanisation_feedstock", gate_fee_cents=4500,
                    permit="ICPE 2781-2", approvals=("abp_cat3",))  # fmt: skip
    arcs = build_candidates(Network(_sites(), (food,), (digester,)), kb=kb).arcs
    arc = arcs.iloc[0]
    assert arc["receiver_avoided_cents"] == pytest.approx(-4500)
    # value = 135 (avoided) - 45 (gate fee) - transport - pre-treatment (+ carbon 0 by default)
    expected = 13500 - 4500 - arc["transport_cents"] - arc["pretreatment_cents"]
    assert arc["value_cents"] == pytest.approx(expected)
    sug = suggest(build_candidates(Network(_sites(), (food,), (digester,)), kb=kb))
    assert set(sug["outlet"]) == {"treatment"}
    with language("fr"):
        sug = suggest(build_candidates(Network(_sites(), (food,), (digester,)), kb=kb))
    assert "redevance du receveur, 45 EUR/t" in sug["reason"].iloc[0]
    assert "exutoire de traitement" in sug["reason"].iloc[0]
    assert "redevance" not in sug["reason_public"].iloc[0]  # a partner's price stays private


def test_substitutions_and_treatment_outlets_have_their_own_ranks(kb):
    wood = Stream("WOOD", "C0", 1_000_000, Unit.T, ewc_code="030105", forms=("chips", "clean", "dry"),
                  route_cost_cents=2000)  # fmt: skip
    needs = [Need(f"B{i}", f"C{1 + i % 2}", 100_000, Unit.T, category="wood_fuel", virgin_price_cents=3000 + i)
             for i in range(6)] + [Need("COMP", "C1", 5_000_000, Unit.T, category="compost_feedstock")]  # fmt: skip
    sug = suggest(build_candidates(Network(_sites(), (wood,), tuple(needs)), kb=kb), top_n=5)
    side = sug[sug["side"] == "stream"]
    # six boilers: five substitutions shown; the compost platform (no price) has its own rank 1
    assert sorted(side.loc[side["outlet"] == "substitution", "rank"]) == [1, 2, 3, 4, 5]
    assert list(side.loc[side["outlet"] == "treatment", "need_id"]) == ["COMP"]
    assert list(side.loc[side["outlet"] == "treatment", "rank"]) == [1]


def test_an_exchange_that_exists_today_is_not_a_new_synergy(kb):
    marc = Stream("MARC", "C0", 300_000, Unit.T, ewc_code="020701", physical_state=P, destination="DISTIL")
    distil = Need("DISTIL", "C1", 5_000_000, Unit.T, category="wine_byproduct_distillation", virgin_price_cents=800)
    assert _pairs([marc], [distil], kb) == set()
    # an outside outlet named as destination changes nothing
    assert _pairs([dataclasses.replace(marc, destination="distillerie hors territoire")], [distil], kb) == {
        ("MARC", "DISTIL")}
    # followed as an implemented synergy, it is kept as it is
    net = Network(_sites(), (marc,), (distil,),
                  (Synergy("Y", "MARC", "DISTIL", Stage.IMPLEMENTED, quantity_base=300_000),))  # fmt: skip
    result = run_match(net)
    assert set(result.allocation.flows["need_id"].astype(str)) == {"DISTIL"}
    # and matches.csv says it is an implemented synergy, not a new one
    assert result.matches()["implemented"].tolist() == [True]


def test_a_stream_recovered_today_outside_the_network_says_so_in_its_suggestions(kb):
    # used oil collected today for regeneration (destination stated) to a regenerator of the
    # network: still a pair (the outside outlet is not a need), but the reason says it would move
    # the oil from today's outlet; the public reason does not name it
    oil = Stream("OIL", "C0", 5_000, Unit.T, ewc_code="130205", physical_state=L, route=Route.RECOVERY,
                 route_cost_cents=2500, destination="régénération hors du territoire")
    regen = Need("REGEN", "C1", 500_000, Unit.T, category="oil_regeneration", virgin_price_cents=50000,
                 hazardous_permit=True)
    net = Network(_sites(), (oil,), (regen,))
    with language("fr"):
        sug = suggest(build_candidates(net, kb=kb))
    row = sug[(sug["stream_id"] == "OIL") & (sug["need_id"] == "REGEN")].iloc[0]
    assert "va déjà aujourd'hui vers régénération hors du territoire" in row["reason"]
    assert "régénération hors du territoire" not in row["reason_public"]
    plain = Network(_sites(), (dataclasses.replace(oil, destination=""),), (regen,))
    with language("fr"):
        assert "va déjà aujourd'hui" not in suggest(build_candidates(plain, kb=kb))["reason"].iloc[0]
    assert run_match(net).matches()["implemented"].tolist() == [False]


# ------------------------------------------------------------------ labels (part 5)


def test_a_tie_between_categories_is_not_broken_alphabetically(kb):
    # 03 01 05 feeds wood_fuel and wood_panel at the same quality (0.9) and cost (0): a need that
    # accepts the code without naming its category keeps no category (it used to read wood_panel)
    sawdust = Stream("SAW", "C0", 1_000_000, Unit.T, ewc_code="030105", forms=("sawdust", "clean", "dry"))
    pellets = Need("PELLETS", "C1", 5_000_000, Unit.T, accepted_codes=("030105",), virgin_price_cents=4000)
    arcs = build_candidates(Network(_sites(), (sawdust,), (pellets,)), kb=kb).arcs
    assert arcs["category"].astype(str).tolist() == [""]
    assert arcs["quality"].tolist() == [0.9]
    stated = dataclasses.replace(pellets, category="wood_fuel")
    arcs = build_candidates(Network(_sites(), (sawdust,), (stated,)), kb=kb).arcs
    assert arcs["category"].astype(str).tolist() == ["wood_fuel"]


def test_an_accepted_code_pair_keeps_the_rules_pretreatment_name(kb):
    # ADIVALOR film, washing 60 EUR/t: the reason said "none 60 EUR/t"
    film = Stream("FILM", "C0", 50_000, Unit.T, ewc_code="020104", forms=("film", "soiled"), route_cost_cents=12000)
    recycler = Need("REC", "C1", 500_000, Unit.T, category="plastic_polymer", accepted_codes=("020104",),
                    virgin_price_cents=35000)  # fmt: skip
    cands = build_candidates(Network(_sites(), (film,), (recycler,)), kb=kb)
    arc = cands.arcs.iloc[0]
    assert (str(arc["pretreatment"]), arc["pretreatment_cents"]) == ("washing", 6000)
    with language("fr"):
        reason = suggest(cands)["reason"].iloc[0]
    assert "lavage 60 EUR/t" in reason and "none" not in reason


# ------------------------------------------------------------------ the demo network


def test_the_reviews_misses_are_gone_from_the_demo(demo_result):
    net, arcs = demo_result.network, demo_result.candidates.arcs
    streams = {s.id: s for s in net.streams}
    needs = {n.id: n for n in net.needs}
    s = [streams[x] for x in arcs["stream_id"].astype(str)]
    n = [needs[x] for x in arcs["need_id"].astype(str)]
    category = arcs["category"].astype(str).to_numpy()
    liquid = np.array([x.physical_state == L for x in s])
    solid_lines = np.isin(category, ["compost_feedstock", "wine_byproduct_distillation"]) | np.array(
        [bool(y.accepted_states) and "liquid" not in y.accepted_states for y in n])
    assert not (liquid & solid_lines).any()
    broad = np.array([x.ewc_code in ("020103", "030105") for x in s])
    fitting = np.array([bool({"straw", "husks", "shavings", "sawdust"} & set(x.forms)) for x in s])
    feed_or_bedding = np.char.startswith(category.astype(str), "animal_")
    assert not (broad & feed_or_bedding & ~fitting).any()
    film = np.array([x.ewc_code == "020104" for x in s])
    assert not film.any()  # soiled farm film: no converter takes it soiled, no digester takes film
    pellet = [y.id for y in net.needs if y.description.startswith("Sciure et copeaux secs")]
    assert set(arcs.loc[arcs["need_id"].astype(str).isin(pellet), "category"].astype(str)) == {"wood_fuel"}
    assert not ((arcs["pretreatment"].astype(str) == "none") & (arcs["pretreatment_cents"] > 0)).any()
    followed = {(y.stream_id, y.need_id) for y in net.synergies if y.stage == Stage.IMPLEMENTED}
    existing = {(x.id, x.destination) for x in net.streams if x.destination in needs} - followed
    pairs = set(zip(arcs["stream_id"].astype(str), arcs["need_id"].astype(str), strict=True))
    assert existing
    assert not existing & pairs  # today's exchanges are not new synergies
    # the third grading's C11, C12 and C14: film to a pallet repairer, sawdust to the recovered-paper
    # mill, cereal dust declared unfit for feed offered as feed
    paper = category == "paper_fibre"
    assert not (paper & np.array([x.ewc_code.startswith("0301") and "chips" not in x.forms for x in s])).any()
    assert not ((category == "pallets_packaging_reuse") & np.array(["film" in x.forms for x in s])).any()
    assert not (feed_or_bedding & np.array([x.id == "S0194" or "soiled" in x.forms for x in s])
                & np.array([x.ewc_code.startswith("0203") for x in s])).any()  # fmt: skip
    assert {"film"} <= set(streams["S0053"].forms) and "soiled" in streams["S0194"].forms


# ------------------------------------------------------------------ bundles and databases


def _network_with_everything() -> Network:
    companies = _sites(2)
    stream = Stream("S1", "C0", 1_000_000, Unit.T, ewc_code="030105", forms=("chips", "clean", "fresh"),
                    standards=("iso_17225_4_a",), destination="N9", destination_category="wood_fuel")  # fmt: skip
    need = Need("N1", "C1", 2_000_000, Unit.T, category="compost_feedstock", accepted_states=("solid", "pasty"),
                required_forms=("chips",), refused_forms=("soiled",), required_standards=("nf_u44_051",),
                gate_fee_cents=3550, permit="ICPE 2780-2", max_temperature_c=40.5, approvals=("abp_cat3",))  # fmt: skip
    return Network(companies, (stream,), (need,))


def test_new_fields_round_trip_through_a_bundle(tmp_path):
    network = _network_with_everything()
    write_bundle(network, tmp_path)
    back = read_bundle(tmp_path)
    assert back.streams == network.streams and back.needs == network.needs


def test_french_headers_and_words_are_read_and_bad_forms_are_named(tmp_path):
    (tmp_path / "entreprises.csv").write_text(
        "identifiant;raison_sociale;latitude;longitude\nC0;a;45,5;-0,5\nC1;b;45,5;-0,47\n", encoding="utf-8")
    (tmp_path / "flux.csv").write_text(
        "identifiant;id_entreprise;code_dechet;quantite;unite;formes;normes;destination_actuelle\n"
        "S1;C0;03 01 05;100;t;plaquettes, propre;iso_17225_4_a;N9\n", encoding="utf-8")
    (tmp_path / "besoins.csv").write_text(
        "identifiant;id_entreprise;categorie;quantite;unite;etats_acceptes;formes_refusees;redevance;normes_exigees\n"
        "N1;C1;compost_feedstock;100;t;solide, pâteux;souillé;35,5;NF U 44-051\n", encoding="utf-8")
    net = read_bundle(tmp_path)
    assert net.streams[0].forms == ("chips", "clean") and net.streams[0].destination == "N9"
    assert net.needs[0].accepted_states == ("solid", "pasty") and net.needs[0].refused_forms == ("soiled",)
    assert net.needs[0].gate_fee_cents == 3550
    assert net.needs[0].required_standards == ("nf_u44_051",)  # the standard as people write it
    (tmp_path / "flux.csv").write_text(
        "identifiant;id_entreprise;code_dechet;quantite;unite;formes\nS1;C0;03 01 05;100;t;granules roses\n",
        encoding="utf-8")
    with pytest.raises(ImportValidationError) as info:
        read_bundle(tmp_path)
    problem = info.value.problems[0]
    assert (problem.row, problem.column) == (2, "formes")  # the column as the file names it
    assert "granules roses" in problem.message


def test_new_fields_round_trip_through_the_database(session_maker):
    from symbiose.db import load_network, save_network

    network = _network_with_everything()
    with session_maker() as session, session.begin():
        save_network(session, network)
    with session_maker() as session:
        back = load_network(session)
    assert back.streams == network.streams and back.needs == network.needs


#: per revision, what a downgrade to it drops, as read back after the upgrade: (value, default)
DROPPED_BELOW = {
    "0007": lambda back: [(back.streams[0].forms, ()), (back.streams[0].destination, ""),
                          (back.needs[0].gate_fee_cents, 0), (back.needs[0].accepted_states, ())],
    "0009": lambda back: [(back.streams[0].destination_category, ""), (back.needs[0].max_temperature_c, None),
                          (back.needs[0].approvals, ()),
                          (back.streams[0].forms, ("chips", "clean", "fresh"))],  # 0008's columns stay
}  # fmt: skip


@pytest.mark.parametrize("revision", sorted(DROPPED_BELOW))
def test_migrations_0008_and_0010_keep_older_rows_and_go_back(database_url, revision):
    from alembic import command

    from symbiose.db import ensure_database, load_network, save_network, session_factory
    from symbiose.db.engine import alembic_config, current_revision, upgrade

    engine = ensure_database(database_url)
    try:
        with session_factory(engine)() as session, session.begin():
            save_network(session, _network_with_everything())
        command.downgrade(alembic_config(engine), revision)  # the new columns go, the rows stay
        assert current_revision(engine) == revision
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM streams")).scalar() == 1
        upgrade(engine)  # back: the older rows read with the defaults
        with session_factory(engine)() as session:
            back = load_network(session)
        values, defaults = zip(*DROPPED_BELOW[revision](back), strict=True)
        assert values == defaults
    finally:
        engine.dispose()


def test_a_raw_residue_whose_only_fit_is_standard_bound_points_to_the_intermediary(kb):
    # green waste (landfill 80 EUR/t) and a grower who takes only NF U 44-051 compost 2 km away:
    # no pair, but a lead through a composting platform, its service (45 EUR/t) counted
    green = Stream("GREEN", "C0", 1_000_000, Unit.T, ewc_code="200201", route=Route.LANDFILL, route_cost_cents=8000)
    grower = Need("GROWER", "C1", 500_000, Unit.T, category="soil_amendment", virgin_price_cents=3000,
                  required_standards=("nf_u44_051",))  # fmt: skip
    cands = build_candidates(Network(_sites(), (green,), (grower,)), kb=kb)
    assert len(cands.arcs) == 0 and len(cands.leads) == 1
    lead = cands.leads.iloc[0]
    assert lead["intermediary_cents"] == 4500
    with language("fr"):
        sug = suggest(cands)
    assert list(sug["outlet"]) == ["intermediary"] and list(sug["side"]) == ["stream"]
    row = sug.iloc[0]
    assert row["reason"].startswith("par un intermédiaire : le receveur exige « Compost normé NF U 44-051 »")
    assert "plateforme de compostage" in row["reason"] and "environ 45 EUR/t" in row["reason"]
    # the value per tonne is the pair's, less the platform's service
    assert row["value_eur_per_unit"] == pytest.approx(round((lead["value_cents"] - 4500) / 100, 2))
    # never allocated: the allocation has no such pair
    assert run_match(Network(_sites(), (green,), (grower,))).allocation.flows.empty


def test_a_lead_needs_a_residue_its_intermediary_takes_in(kb):
    # wood-boiler fly ash (10 01 03: rules to cement raw meal and soil amendment, none to compost
    # feedstock) and boiler bottom ash (10 01 01: a rule to aggregates, but not inert C&D waste of
    # 17 01) have no composting platform or concrete-aggregate platform that takes them in; green
    # waste does reach the compost through the platform, and crushed concrete the aggregates
    fly = Stream("FLY", "C0", 100_000, Unit.T, ewc_code="100103", route=Route.LANDFILL, route_cost_cents=12400)
    bottom = Stream("BOTTOM", "C0", 100_000, Unit.T, ewc_code="100101", route=Route.LANDFILL, route_cost_cents=12400)
    green = Stream("GREEN", "C0", 100_000, Unit.T, ewc_code="200201", route=Route.LANDFILL, route_cost_cents=8000)
    rubble = Stream("RUBBLE", "C0", 100_000, Unit.T, ewc_code="170101", route=Route.LANDFILL, route_cost_cents=2000)
    compost = Need("COMPOST", "C1", 500_000, Unit.T, category="soil_amendment", virgin_price_cents=3000,
                   required_standards=("nf_u44_051",))
    concrete = Need("CONCRETE", "C2", 500_000, Unit.T, category="aggregates", virgin_price_cents=1500,
                    required_standards=("nf_en_12620",))  # fmt: skip
    cands = build_candidates(Network(_sites(), (fly, bottom, green, rubble), (compost, concrete)), kb=kb)
    leads = set(zip(cands.leads["stream_id"].astype(str), cands.leads["need_id"].astype(str), strict=True))
    assert leads == {("GREEN", "COMPOST"), ("RUBBLE", "CONCRETE")}
    # the intermediary of each standard states its intake
    assert kb.standards["nf_u44_051"].intake_categories == ("compost_feedstock",)
    assert kb.standards["nf_en_12620"].intake_ewc_prefixes == ("1701",)


def test_no_potabilisation_service_turns_used_process_water_into_potable_water(kb):
    # rinse water (discharge 2.50 EUR/m3) and a food business's washing water (mains 4 EUR/m3),
    # 200 000 m3 each, 2 km apart: without the standard the pipe pays (about 0.09 x 2.6 km per m3);
    # with food-contact quality required, no intermediary makes it from used process water
    rinse = Stream("RINSE", "C0", 200_000_000, Unit.M3, material="process_water", route=Route.OTHER,
                   route_cost_cents=250, physical_state=L)
    washing = Need("WASH", "C1", 200_000_000, Unit.M3, category="process_water", virgin_price_cents=400,
                   required_standards=("eau_potable",))
    plain = dataclasses.replace(washing, required_standards=())
    assert len(build_candidates(Network(_sites(), (rinse,), (plain,)), kb=kb).arcs) == 1
    cands = build_candidates(Network(_sites(), (rinse,), (washing,)), kb=kb)
    assert len(cands.arcs) == 0 and (cands.leads is None or len(cands.leads) == 0)
    assert kb.standards["eau_potable"].intake_categories == ()


def test_an_older_standards_table_without_intake_keeps_any_residue(tmp_path):
    import pandas as pd

    from symbiose.compat import _load_sources, _load_standards
    from symbiose.reference import data_dir

    src = data_dir() / "product_standards.csv"
    table = pd.read_csv(src, dtype=str, keep_default_na=False).drop(columns=["intake_categories", "intake_ewc_prefixes"])
    table.to_csv(tmp_path / "product_standards.csv", index=False)
    old = _load_standards(tmp_path / "product_standards.csv", _load_sources(data_dir() / "knowledge_sources.csv"))
    assert old["nf_u44_051"].intake_categories is None and old["nf_u44_051"].takes("100103", set())


def test_a_stream_whose_destination_is_a_need_names_that_need_in_its_other_suggestions(kb):
    # marc goes today to the distillery's line (a need of the network): that pair is left out, and
    # the marc's other pairs (the digester) say it would move the marc from the distillery
    marc = Stream("MARC", "C0", 300_000, Unit.T, ewc_code="020701", physical_state=P, destination="DISTIL",
                  route=Route.RECOVERY, route_cost_cents=500)
    distil = Need("DISTIL", "C1", 5_000_000, Unit.T, category="wine_byproduct_distillation", virgin_price_cents=800,
                  description="Marcs pour l'alcool")
    digester = Need("DIG", "C2", 5_000_000, Unit.T, category="methanisation_feedstock", virgin_price_cents=2500)
    with language("fr"):
        sug = suggest(build_candidates(Network(_sites(), (marc,), (distil, digester)), kb=kb))
    row = sug[(sug["stream_id"] == "MARC") & (sug["need_id"] == "DIG")].iloc[0]
    assert "va déjà aujourd'hui vers Marcs pour l'alcool (DISTIL)" in row["reason"]


def test_a_residue_declared_unfit_never_returns_to_food(kb):
    """Whey kept under food hygiene rules goes to a whey plant; soiled whey does not (Reg. (EC)
    852/2004), though it may still be fermented into ethanol."""
    clean = Stream("WHEY", "C0", 800_000, Unit.T, ewc_code="020501", forms=("clean",), route_cost_cents=8000)
    soiled = Stream("SOILED", "C0", 800_000, Unit.T, ewc_code="020501", forms=("soiled",), route_cost_cents=8000)
    food = Need("FOOD", "C1", 2_000_000, Unit.T, category="food_ingredient", virgin_price_cents=40000)
    ethanol = Need("ETOH", "C2", 2_000_000, Unit.T, category="fermentation_feedstock", virgin_price_cents=15000)
    pairs = _pairs([clean, soiled], [food, ethanol], kb)
    assert ("WHEY", "FOOD") in pairs and ("SOILED", "FOOD") not in pairs
    assert ("SOILED", "ETOH") in pairs
