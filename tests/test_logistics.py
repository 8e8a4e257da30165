"""Logistics and seasons (issue 11 part 4) and the two-sided ranking (part 6), on hand-made pairs.

Each case is one the old model got wrong: no handling per trip and no payload by bulk density
(short trips too cheap, light bulk as cheap as gravel), quantities shown over the whole year
where only the common months trade, heat pipes paid by yearly capacity instead of the flow of
the season, 35 °C heat offered to a grain dryer, and small partners buried under large ones.
"""

from __future__ import annotations

import numpy as np
import pytest

from symbiose import logistics
from symbiose.candidates import build_candidates
from symbiose.domain import Company, Need, Network, PhysicalState, Stream
from symbiose.suggestions import rank_key, suggest
from symbiose.units import Unit

LAT, LON = 45.45, -0.43
KM_PER_DEG_LAT = 111.19


def company(cid: str, km_north: float = 0.0) -> Company:
    return Company(id=cid, name=f"Company {cid}", latitude=LAT + km_north / KM_PER_DEG_LAT, longitude=LON)


def tonnes(t: float) -> int:
    return int(round(t * 1000))


def arc(candidates, stream_id: str, need_id: str):
    arcs = candidates.arcs
    row = arcs[(arcs["stream_id"].astype(str) == stream_id) & (arcs["need_id"].astype(str) == need_id)]
    assert len(row) == 1, (stream_id, need_id, len(row))
    return row.iloc[0]


# ---- payload by bulk density and handling per trip -----------------------------------------------


def test_road_payload_follows_the_lighter_of_weight_and_volume():
    # tipper 25 t / 30 m3, moving floor 25 t / 90 m3, tanker 25 t / 30 m3 (data/road_vehicles.csv)
    payload, handling = logistics.road_payload(["solid", "solid", "solid", "liquid", "energy"],
                                               [1.6, 0.30, 0.15, 1.0, np.nan])  # fmt: skip
    # gravel: full by weight; chips 90 x 0.30 = 27 t -> 25; straw 90 x 0.15 = 13.5 t; water 25 t
    assert payload.tolist() == [25.0, 25.0, 13.5, 25.0, 25.0]
    assert handling.tolist() == [75.0] * 5


def _wood_pair(density: float | None, km: float = 10.0) -> Network:
    return Network(
        companies=(company("A"), company("B", km / 1.3)),
        streams=(Stream("S1", "A", tonnes(1000), Unit.T, ewc_code="030105", route_cost_cents=0,
                        bulk_density_t_per_m3=density),),  # fmt: skip
        needs=(Need("N1", "B", tonnes(1000), Unit.T, category="wood_fuel", virgin_price_cents=9000),),
    )


@pytest.mark.parametrize(("density", "payload"), [(0.6, 25.0), (0.15, 13.5)])
def test_a_truck_pays_its_handling_and_light_bulk_pays_its_volume(density, payload):
    cands = build_candidates(_wood_pair(density))
    a = arc(cands, "S1", "N1")
    road = a["road_km"]
    assert road == pytest.approx(10.0, rel=1e-3)
    # per tonne: 75 EUR a trip / payload + 0.15 EUR/t.km x 25 t / payload x road km
    handling = 75 / payload
    haul = 0.15 * 25 / payload * road
    assert a["payload_t"] == pytest.approx(payload)
    assert a["handling_cents"] == pytest.approx(handling * 100)
    assert a["transport_cents"] == pytest.approx((handling + haul) * 100)
    # 10 km used to cost 1.5 EUR/t; it costs 4.5 (dense) or 8.3 (straw-like) with handling
    assert a["transport_cents"] > 0.15 * road * 100 * 2.5


def test_the_break_even_distance_leaves_handling_out_of_the_cost_per_km():
    cands = build_candidates(_wood_pair(0.6))
    s = suggest(cands)
    row = s[s["side"] == "stream"].iloc[0]
    a = arc(cands, "S1", "N1")
    per_km = (a["transport_cents"] - a["handling_cents"]) / a["road_km"]
    assert row["breakeven_km"] == pytest.approx(a["road_km"] + a["value_cents"] / per_km, abs=0.1)


# ---- seasonal overlap and storage ----------------------------------------------------------------


def _season_pair(storage: int | None = None) -> Network:
    # 18,000 t produced September-October; the need takes 1,000 t a month all year round
    return Network(
        companies=(company("A"), company("B", 5)),
        streams=(Stream("S1", "A", tonnes(18_000), Unit.T, ewc_code="020304", months=(9, 10),
                        physical_state=PhysicalState.PASTY, storage_months=storage, route_cost_cents=3000),),  # fmt: skip
        needs=(Need("N1", "B", tonnes(12_000), Unit.T, accepted_codes=("0203",), virgin_price_cents=6000),),
    )


def test_a_suggestion_trades_what_fits_the_common_months():
    cands = build_candidates(_season_pair())
    s = suggest(cands)
    row = s[s["side"] == "stream"].iloc[0]
    # the need takes 1,000 t in each of September and October: 2,000 t, not min(18,000, 12,000)
    assert row["quantity"] == pytest.approx(2000)
    assert row["share_covered"] == pytest.approx(round(2000 / 18000, 3))
    assert "2 000 t sur 12 000 tiennent dans les mois communs aux deux" in row["reason"].replace("\u202f", " ").replace("\xa0", " ")


def test_storage_lets_an_off_season_residue_reach_the_need():
    cands = build_candidates(_season_pair(storage=4))
    a = arc(cands, "S1", "N1")
    # September and October production kept up to 4 months reaches September to February:
    # 6 months of the need (6,000 t) out of 18,000 t produced
    assert a["capacity_base"] == tonnes(6000)
    assert a["storage_months"] == 4
    row = suggest(cands).query("side == 'stream'").iloc[0]
    assert row["quantity"] == pytest.approx(6000)
    assert "stockage jusqu'à 4 mois" in row["reason"]
    # the public reason keeps the storage (the supplier's own) but not the quantities
    assert "stockage jusqu'à 4 mois" in row["reason_public"] and "18 000" not in row["reason_public"].replace("\u202f", " ")


def test_storage_reaches_a_need_whose_months_come_after_production():
    net = _season_pair(storage=3)
    need = net.needs[0]
    from dataclasses import replace

    net = replace(net, needs=(replace(need, months=(12, 1)),))
    cands = build_candidates(net)
    # no common month: only storage (up to 3 months after October) reaches December and January,
    # where the need takes its 12,000 t
    assert arc(cands, "S1", "N1")["capacity_base"] == tonnes(12000)
    without = build_candidates(replace(net, streams=(replace(net.streams[0], storage_months=0),)))
    assert len(without.arcs) == 0


def test_seasonal_tradable_matches_the_monthly_split_of_the_allocation():
    rng = np.random.default_rng(11)
    s_qty, n_qty = rng.integers(1, 10**7, 200), rng.integers(1, 10**7, 200)
    s_bits, n_bits = rng.integers(1, 4096, 200), rng.integers(1, 4096, 200)
    got = logistics.seasonal_tradable(s_qty, s_bits, n_qty, n_bits, np.zeros(200))
    from symbiose.optimize import _split

    s_m, n_m = _split(s_qty, s_bits), _split(n_qty, n_bits)
    merged = s_m.merge(n_m, on=["row", "month"], suffixes=("_s", "_n"))
    want = np.zeros(200, dtype=np.int64)
    np.add.at(want, merged["row"].to_numpy(), np.minimum(merged["quantity_s"], merged["quantity_n"]).to_numpy())
    assert got.tolist() == want.tolist()


# ---- heat: pipes paid by the flow of the season, temperatures ------------------------------------


def _heat(stream_months=(), need_months=(), temperature=None, min_temperature=None, category="heat_hot_water"):
    return Network(
        companies=(company("A"), company("B", 0.2)),
        streams=(Stream("S1", "A", tonnes(3000), Unit.MWH, material=category, months=stream_months,
                        physical_state=PhysicalState.ENERGY, temperature_c=temperature),),  # fmt: skip
        needs=(Need("N1", "B", tonnes(3000), Unit.MWH, category=category, months=need_months,
                    virgin_price_cents=6000, min_temperature_c=min_temperature),),  # fmt: skip
    )


def test_a_heat_pipe_is_paid_by_the_flow_delivered_in_season():
    year = arc(build_candidates(_heat()), "S1", "N1")
    # the same pipe used 3 months of 12: 750 MWh a year carry it instead of 3,000
    season = arc(build_candidates(_heat(need_months=(1, 2, 3))), "S1", "N1")
    assert season["capacity_base"] == tonnes(750)
    # below the 5,000 MWh reference flow the cost per MWh is pipe x km x 5000 / flow
    assert season["transport_cents"] == pytest.approx(year["transport_cents"] * 3000 / 750)


def test_heat_below_the_need_minimum_temperature_is_not_offered():
    # 35 °C heat from chillers is no use to a grain dryer that needs 70 °C
    assert len(build_candidates(_heat(temperature=35, min_temperature=70, category="heat_low_temperature")).arcs) == 0
    assert len(build_candidates(_heat(temperature=35, min_temperature=30, category="heat_low_temperature")).arcs) == 1
    # not stated: the grade's lowest (hot water 60 °C, ADEME-CF) against the need's minimum
    assert len(build_candidates(_heat(min_temperature=70)).arcs) == 0
    assert len(build_candidates(_heat(min_temperature=55)).arcs) == 1
    assert len(build_candidates(_heat()).arcs) == 1


# ---- ranking that serves both sides --------------------------------------------------------------


def test_rank_key_is_a_weighted_product_free_of_units():
    a = rank_key(np.array([50_000.0]), np.array([500.0]), np.array([1.0]))
    # scaling a criterion for every pair (euros to cents) keeps the order: the product scales too
    k = rank_key(np.array([50_000.0, 4_000.0]), np.array([500.0, 4_000.0]), np.array([0.5, 1.0]))
    k100 = rank_key(np.array([50_000.0, 4_000.0]) * 100, np.array([500.0, 4_000.0]), np.array([0.5, 1.0]))
    assert np.argsort(k).tolist() == np.argsort(k100).tolist()
    assert a[0] == pytest.approx((50_000 * 5 * 1.0) ** (1 / 3))
    assert rank_key(np.array([-10.0]), np.array([-100.0]), np.array([1.0]))[0] < 0


def test_a_small_receiver_that_gains_much_is_not_buried():
    # one sawmill's 10,000 t of sawdust; a large panel maker takes all of it at a thin margin, a
    # small boiler 300 t (all its need) at a high one (the sawdust states its form: a panel line
    # takes only clean sawmill particles, and an unknown form is not assumed, data/form_rules.csv)
    net = Network(
        companies=(company("A"), company("BIG", 10), company("SMALL", 10)),
        streams=(Stream("S1", "A", tonnes(10_000), Unit.T, ewc_code="030105", forms=("sawdust", "clean")),),
        needs=(Need("N1", "BIG", tonnes(10_000), Unit.T, category="wood_panel", virgin_price_cents=1500),
               Need("N2", "SMALL", tonnes(300), Unit.T, category="wood_fuel", virgin_price_cents=9000)),
    )  # fmt: skip
    s = suggest(build_candidates(net))
    mine = s[s["side"] == "stream"].sort_values("rank")
    assert mine["score"].iloc[1] > mine["score"].iloc[0]  # the larger total ranks second now
    assert mine["need_id"].tolist() == ["N2", "N1"]
    first, second = mine.iloc[0], mine.iloc[1]
    assert first["rank_index"] == 1.0 and 0 < second["rank_index"] < 1
    assert "rang 1" in first["reason"] and "couvre 100 % du besoin du receveur" in first["reason"]
    assert "devant des paires plus grandes" in first["reason"]
    assert "derrière des paires plus petites" in second["reason"]
    # the public reason gives the rank without the pair's money or the partner's share (its
    # exact share would give the partner's quantity away: own quantity / share)
    assert "rang 1" in first["reason_public"] and "devant des paires plus grandes" in first["reason_public"]
    assert "EUR/an" not in first["reason_public"] and "%" not in first["reason_public"]


def test_every_logistics_figure_cites_a_known_source():
    import csv

    from symbiose.compat import load_knowledge_base

    known = set(load_knowledge_base().sources)
    for name in ("road_vehicles.csv", "logistics_defaults.csv"):
        with open(logistics.DATA / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                keys = [k for k in row["source"].split(";") if k]
                assert keys and set(keys) <= known, (name, row, set(keys) - known)
