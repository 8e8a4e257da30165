"""Cooling needs' maximum temperature, intake approvals and today's use of a stream (the C8, C2
and C6 patterns of the regraded review, docs/SUGGESTIONS_REVIEW.md).

Tiny networks with the arithmetic in comments, the demo pairs the review graded implausible, and
the new fields through bundles, real databases (SQLite and PostgreSQL) and migration 0010.
"""

from __future__ import annotations

import pytest

from symbiose.bundle import read_bundle
from symbiose.candidates import build_candidates
from symbiose.compat import load_knowledge_base
from symbiose.domain import Company, Need, Network, PhysicalState, Route, Stage, Stream, Synergy
from symbiose.errors import ImportValidationError
from symbiose.i18n import language
from symbiose.matching import run_match, summary_text
from symbiose.stages import synergy_problems
from symbiose.units import Unit


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def _sites(n: int = 3) -> tuple[Company, ...]:
    # 1 degree of longitude at 45.5 N is 77.95 km: sites 2 km apart
    return tuple(Company(f"C{i}", f"c{i}", 45.5, -0.5 + 2 * i / 77.95) for i in range(n))


COMPANIES = "identifiant;raison_sociale;latitude;longitude\nC0;a;45,5;-0,5\nC1;b;45,5;-0,47\n"


def _write(folder, **tables: str) -> None:
    """A French bundle: the two companies and the given tables (file name: text)."""
    for name, content in {"entreprises": COMPANIES, **tables}.items():
        (folder / f"{name}.csv").write_text(content, encoding="utf-8")


def _first_problem(folder, **tables: str):
    _write(folder, **tables)
    with pytest.raises(ImportValidationError) as info:
        read_bundle(folder)
    return info.value.problems[0]


def _pairs(streams, needs, kb) -> set[tuple[str, str]]:
    arcs = build_candidates(Network(_sites(), tuple(streams), tuple(needs)), kb=kb).arcs
    return set(zip(arcs["stream_id"].astype(str), arcs["need_id"].astype(str), strict=True))


# ------------------------------------------------------------------ C8: cooling water


def _water(temperature=None):
    return Stream("W", "C0", 400_000_000, Unit.M3, material="process_water", physical_state=PhysicalState.LIQUID,
                  route_cost_cents=250, temperature_c=temperature)  # fmt: skip


def test_warm_water_does_not_reach_a_cooling_need_that_states_a_maximum(kb):
    cooling = Need("COOL", "C1", 200_000_000, Unit.M3, category="process_water", virgin_price_cents=80,
                   max_temperature_c=25)  # fmt: skip
    washing = Need("WASH", "C1", 200_000_000, Unit.M3, category="process_water", virgin_price_cents=80)
    # 35 °C rinse water: not to the condenser (25 °C at most), still to a need with no limit
    assert _pairs([_water(35)], [cooling, washing], kb) == {("W", "WASH")}
    # cold water, or water whose temperature is not stated: no limit applies
    assert _pairs([_water(15)], [cooling, washing], kb) == {("W", "COOL"), ("W", "WASH")}
    assert _pairs([_water()], [cooling, washing], kb) == {("W", "COOL"), ("W", "WASH")}


def test_a_maximum_below_the_minimum_is_named_and_nothing_is_read(tmp_path):
    problem = _first_problem(tmp_path, besoins=(
        "identifiant;id_entreprise;categorie;quantite;unite;temperature_min_c;temperature_max_c\n"
        "N1;C1;process_water;100;m3;30;25\n"))
    assert (problem.row, problem.column) == (2, "temperature_max_c")
    assert "25" in problem.message and "30" in problem.message


# ------------------------------------------------------------------ C2: animal by-product approvals


def test_catering_waste_goes_to_composting_only_at_an_approved_plant(kb):
    canteen = Stream("CANTEEN", "C0", 50_000, Unit.T, ewc_code="200108", physical_state=PhysicalState.PASTY,
                     route=Route.INCINERATION, route_cost_cents=11500)  # fmt: skip
    green = Stream("GREEN", "C0", 50_000, Unit.T, ewc_code="200201", route=Route.LANDFILL, route_cost_cents=8000)
    platform = Need("PLATFORM", "C1", 1_000_000, Unit.T, category="compost_feedstock", gate_fee_cents=3500)
    approved = Need("DIGESTER", "C2", 1_000_000, Unit.T, category="methanisation_feedstock", gate_fee_cents=4500,
                    approvals=("abp_cat3",))  # fmt: skip
    unapproved = Need("FARM", "C2", 1_000_000, Unit.T, category="methanisation_feedstock", gate_fee_cents=4500)
    pairs = _pairs([canteen, green], [platform, approved, unapproved], kb)
    # catering waste (Reg. 1069/2009 art. 2(2)(g), 24(1)(g)): the approved digester only
    assert {p for p in pairs if p[0] == "CANTEEN"} == {("CANTEEN", "DIGESTER")}
    # green waste is no animal by-product: it reaches the platform
    assert ("GREEN", "PLATFORM") in pairs
    # the platform that obtains the approval takes the catering waste
    platform_ok = Need("PLATFORM", "C1", 1_000_000, Unit.T, category="compost_feedstock", gate_fee_cents=3500,
                       approvals=("abp_cat3",))  # fmt: skip
    assert ("CANTEEN", "PLATFORM") in _pairs([canteen], [platform_ok], kb)


def test_the_approval_table_is_cited_and_covers_category_3_codes(kb):
    rows = kb.intake_approvals
    assert {r.ewc_prefix for r in rows} >= {"200108", "020202", "020203", "020501"}
    assert all(r.source and r.basis and set(r.categories) <= set(kb.categories) for r in rows)
    assert kb.approval_needed("200108", "compost_feedstock") == "abp_cat3"
    # kitchen oil to biodiesel is outside the animal by-product rules (art. 2(2)(g))
    assert kb.approval_needed("200125", "biofuel_feedstock") == ""


def test_an_implemented_synergy_without_the_approval_is_refused():
    canteen = Stream("S1", "C0", 50_000, Unit.T, ewc_code="200108")
    platform = Need("N1", "C1", 1_000_000, Unit.T, category="compost_feedstock")
    synergy = Synergy("Y1", "S1", "N1", stage=Stage.IMPLEMENTED, quantity_base=10_000)
    with language("en"):
        problems = synergy_problems(synergy, canteen, platform)
    assert len(problems) == 1 and "abp_cat3" in problems[0]
    held = Need("N1", "C1", 1_000_000, Unit.T, category="compost_feedstock", approvals=("abp_cat3",))
    assert synergy_problems(synergy, canteen, held) == []


def test_an_unknown_approval_is_named(tmp_path):
    problem = _first_problem(tmp_path, besoins=(
        "identifiant;id_entreprise;categorie;quantite;unite;agrements\nN1;C1;compost_feedstock;100;t;spa_c9\n"))
    assert (problem.row, problem.column) == (2, "agrements") and "spa_c9" in problem.message


# ------------------------------------------------------------------ C6: today's use of a stream


def _cardboard(destination_category: str = "") -> Stream:
    # 100 t of cardboard that the producer pays a collector 30 EUR/t to take to a paper mill
    return Stream("CARD", "C0", 100_000, Unit.T, ewc_code="150101", route=Route.RECOVERY, route_cost_cents=3000,
                  destination="papeterie (collecteur)", destination_category=destination_category)  # fmt: skip


MILL = Need("MILL", "C1", 1_000_000, Unit.T, category="paper_fibre", virgin_price_cents=12000)


def _arc(stream, kb, needs=(MILL,)):
    arcs = build_candidates(Network(_sites(), (stream,), tuple(needs)), kb=kb).arcs
    assert len(arcs) == 1
    return arcs.iloc[0]


def test_a_stream_already_put_to_the_pairs_use_is_worth_only_the_difference_from_today(kb):
    new = _arc(_cardboard(), kb)
    same = _arc(_cardboard("paper_fibre"), kb)
    assert not new["same_use"] and new["receiver_avoided_cents"] > 0 and new["co2e_avoided_kg"] > 0
    # the fate is the same (recycled fibre): no virgin purchase and no CO2e counted as avoided,
    # only the producer's 30 EUR/t route against the transport of the direct delivery
    assert same["same_use"]
    assert same["receiver_avoided_cents"] == 0
    assert same["co2e_avoided_kg"] == pytest.approx(-same["transport_co2e_kg"]) and same["co2e_avoided_kg"] < 0
    assert same["value_cents"] == pytest.approx(3000 - same["transport_cents"] - same["pretreatment_cents"])
    assert same["value_cents"] < new["value_cents"]
    # a stream sold today (a negative route cost) gains nothing by the move: no pair
    sold = Stream("CARD", "C0", 100_000, Unit.T, ewc_code="150101", route=Route.RECOVERY, route_cost_cents=-1400,
                  destination_category="paper_fibre")  # fmt: skip
    assert len(build_candidates(Network(_sites(), (sold,), (MILL,)), kb=kb).arcs) == 0


def test_same_use_pairs_are_ranked_apart_said_and_counted_apart(kb):
    network = Network(_sites(), (_cardboard("paper_fibre"),), (MILL,))
    with language("fr"):
        result = run_match(network)
        summary = summary_text(result)
    sug = result.suggestions
    assert set(sug["outlet"]) == {"same_use"}
    assert sug["reason"].str.contains(
        "déjà valorisé aujourd'hui (Fibres de papier-carton recyclées) : ne vaut que l'écart avec la filière actuelle",
        regex=False).all()  # fmt: skip
    assert not sug["reason"].str.contains("CO2e évités", regex=False).any()
    k = result.kpis
    flow = result.allocation.flows.iloc[0]
    assert (k.synergies, k.same_use_synergies, k.same_use_t) == (1, 1, 100)
    assert k.same_use_eur == pytest.approx(100 * flow["value_cents"] / 100)
    assert k.co2e_virgin_avoided_t == pytest.approx(0, abs=1e-9)
    assert bool(result.matches()["same_use"].iloc[0])
    assert "dont 1 synergies (100 t) déplacent un flux déjà valorisé aujourd'hui" in summary


def test_an_implemented_synergy_keeps_its_own_value(kb):
    stream = _cardboard("paper_fibre")
    network = Network(_sites(), (stream,), (MILL,),
                      (Synergy("Y1", "CARD", "MILL", stage=Stage.IMPLEMENTED, quantity_base=50_000),))  # fmt: skip
    arcs = build_candidates(network, kb=kb, forced_pairs={("CARD", "MILL")}).arcs
    assert not arcs["same_use"].iloc[0] and arcs["receiver_avoided_cents"].iloc[0] > 0


def test_today_s_use_reads_aliases_and_names_unknown_categories(tmp_path):
    _write(tmp_path, flux="identifiant;id_entreprise;matiere;quantite;unite;categorie_destination\n"
                          "S1;C0;heat;100;MWh;heat\n")  # fmt: skip
    assert read_bundle(tmp_path).streams[0].destination_category == "heat_hot_water"  # 'heat' is an alias
    problem = _first_problem(tmp_path, flux=(
        "identifiant;id_entreprise;code_dechet;quantite;unite;categorie_destination\nS1;C0;15 01 01;100;t;papier\n"))
    assert (problem.row, problem.column) == (2, "categorie_destination") and "papier" in problem.message


# ------------------------------------------------------------------ the demo network


def test_the_regraded_c_pairs_are_gone_from_the_demo(demo_result):
    arcs, net = demo_result.candidates.arcs, demo_result.network
    pairs = dict(zip(zip(arcs["stream_id"].astype(str), arcs["need_id"].astype(str), strict=True),
                     arcs.index, strict=True))  # fmt: skip
    # C8: 35 °C laundry rinse water is no cooling water for the still's condenser
    assert ("S0162", "N0049") not in pairs
    # C2: canteen and restaurant waste not to the green-waste platform, to the approved digester
    for stream in ("S0071", "S0213"):
        assert (stream, "N0044") not in pairs
        assert (stream, "N0018") in pairs
    # C6: paper, cardboard and used oil already recycled are no new value at the paper mill or
    # the regenerator: no pair, or a same-use pair worth only the difference, with no CO2e
    for pair in [("S0079", "N0147"), ("S0184", "N0147"), ("S0193", "N0147"), ("S0012", "N0147"),
                 ("S0307", "N0147"), ("S0072", "N0146")]:  # fmt: skip
        if pair in pairs:
            row = arcs.loc[pairs[pair]]
            assert row["same_use"] and row["co2e_avoided_kg"] <= 0 and row["receiver_avoided_cents"] <= 0
    streams = {s.id: s for s in net.streams}
    category = arcs["category"].astype(str).to_numpy()
    today = [streams[x].destination_category for x in arcs["stream_id"].astype(str)]
    forced = arcs["forced_only"].to_numpy(dtype=bool)
    implemented = {(y.stream_id, y.need_id) for y in net.synergies if y.stage == Stage.IMPLEMENTED}
    for i, (s_id, n_id) in enumerate(zip(arcs["stream_id"].astype(str), arcs["need_id"].astype(str), strict=True)):
        if (s_id, n_id) in implemented or forced[i]:
            continue
        assert bool(arcs["same_use"].iat[i]) == (today[i] != "" and today[i] == category[i])
    kpis = demo_result.kpis
    assert kpis.same_use_synergies == int(demo_result.matches()["same_use"].sum())


def test_the_suppliers_banded_view_counts_no_purchase_for_a_stream_moved_to_its_use(kb):
    from symbiose import blinding

    def banded(stream):
        candidates = build_candidates(Network(_sites(), (stream,), (MILL,)), kb=kb)
        row = next(blinding.pair_table(candidates).itertuples())
        return blinding.band_pair(row, blinding.SUPPLIER, activity=None)

    new, same = banded(_cardboard()), banded(_cardboard("paper_fibre"))
    # the mill's 120 EUR/t purchase is banded for a new use; for today's use it does not count
    assert new.partner_value.high > 0 and not new.same_use
    zero = blinding.series_band(0.0)  # the band of a zero price (bands always have a width)
    assert same.same_use and same.partner_value.high <= 0.9 * zero.high and new.partner_value.low > zero.high
    assert not same.is_treatment()  # shown apart as today's use, not as a treatment outlet
    assert same.gain_per_unit().high < new.gain_per_unit().high
