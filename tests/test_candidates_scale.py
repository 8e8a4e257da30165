"""The candidate search bounded by each need's own reach gives the same arcs as the search it
replaced (the largest radius of each key group, accepted codes resolved pair by pair), kept in
tests/legacy_candidates.py as the oracle."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from legacy_candidates import legacy_accepted_code_quality, legacy_pairs

import symbiose.candidates as candidates_mod
from symbiose.candidates import build_candidates, pair_max_km
from symbiose.compat import load_knowledge_base
from symbiose.domain import Company, Need, Network, Stream
from symbiose.params import MatchParameters
from symbiose.reference import ewc_entries
from symbiose.units import Unit


def _codes_with_rules(rng: random.Random, k: int) -> list[str]:
    kb = load_knowledge_base()
    six = sorted({r.ewc_prefix for r in kb.rules if len(r.ewc_prefix) == 6})
    entries = ewc_entries()
    by_prefix = sorted(c for c in entries if len(c) == 6 and c[:2] in {"02", "03", "17", "19", "20"})
    return rng.sample(six, k // 2) + rng.sample(by_prefix, k - k // 2)


def varied_network(seed: int, n_streams: int = 120, n_needs: int = 90) -> Network:
    """Streams with waste codes or materials, needs by category and/or accepted codes and
    prefixes, with and without their own maximum distance, NAF codes from the sector table:
    every way a pair is accepted, over about 150 km so that the limits bind; some sites with rail
    or port access, whose bulk reach extends the defaults."""
    rng = random.Random(seed)
    kb = load_knowledge_base()
    codes = _codes_with_rules(rng, 16)
    cats = sorted(kb.categories)
    nafs = sorted({u.nace_prefix for u in kb.sector_uses if len(u.nace_prefix) >= 4}) + ["", "99.99Z"]
    companies = [
        Company(id=f"C{i:04d}", name=f"C{i}", latitude=45.0 + rng.random() * 1.3,
                longitude=-1.0 + rng.random() * 1.8, naf_code=rng.choice(nafs),
                freight_access=rng.choice(((), (), (), ("rail",), ("port",), ("rail", "port"))))
        for i in range(n_streams + n_needs)
    ]  # fmt: skip
    streams = []
    for i in range(n_streams):
        coded = rng.random() < 0.8
        streams.append(Stream(
            id=f"S{i:04d}", company_id=f"C{rng.randrange(n_streams + n_needs):04d}",
            quantity_base=rng.randint(1, 900) * 1000, unit=Unit.T,
            ewc_code=rng.choice(codes) if coded else "",
            material="" if coded and rng.random() < 0.8 else rng.choice(cats),
            route="landfill", route_cost_cents=rng.randint(0, 150) * 100,
        ))  # fmt: skip
    needs = []
    for j in range(n_needs):
        how = rng.random()
        accepted = ()
        if how < 0.6:
            accepted = tuple(sorted({rng.choice(codes)[: rng.choice((2, 4, 6, 6))] for _ in range(rng.randint(1, 3))}))
        category = rng.choice(cats) if how > 0.3 else ""
        needs.append(Need(
            id=f"N{j:04d}", company_id=f"C{n_streams + j:04d}", quantity_base=rng.randint(1, 700) * 1000,
            unit=Unit.T, category=category, accepted_codes=accepted,
            virgin_price_cents=rng.randint(0, 90) * 100,
            max_distance_km=rng.choice((None, None, 10.0, 25.0, 60.0, 150.0)), hazardous_permit=rng.random() < 0.3,
        ))  # fmt: skip
    return Network(tuple(companies), tuple(streams), tuple(needs))


def legacy_candidates(network: Network, params: MatchParameters, monkeypatch) -> pd.DataFrame:
    with monkeypatch.context() as patch:
        patch.setattr(candidates_mod, "_pairs", legacy_pairs)
        patch.setattr(candidates_mod, "_accepted_code_quality", legacy_accepted_code_quality)
        return build_candidates(network, params).arcs


def assert_same_arcs(new: pd.DataFrame, old: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns)
    pd.testing.assert_frame_equal(
        new.astype({c: str for c in new.columns if isinstance(new[c].dtype, pd.CategoricalDtype)}),
        old.astype({c: str for c in old.columns if isinstance(old[c].dtype, pd.CategoricalDtype)}),
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("scenario_km", [None, 40.0])
def test_same_arcs_as_the_legacy_search_on_varied_networks(seed, scenario_km, monkeypatch):
    network = varied_network(seed)
    params = MatchParameters(max_distance_km=scenario_km)
    new = build_candidates(network, params).arcs
    old = legacy_candidates(network, params, monkeypatch)
    # the networks do form pairs, of every kind (29-120 at 40 km, seeds 0-3; the codes are drawn
    # from the rules' prefixes, so a rule added to the knowledge base redraws them)
    assert len(new) > 20
    assert set(new["basis"].astype(str)) >= {"the receiver accepts this waste code"}
    if scenario_km is None:  # bulk reach is exercised (within 40 km, road is cheaper)
        assert set(new["freight_mode"].astype(str)) >= {"road", "rail", "ship"}
    assert_same_arcs(new, old)


def test_same_arcs_as_the_legacy_search_on_the_demo(monkeypatch, demo):
    params = MatchParameters()
    new = build_candidates(demo, params).arcs
    old = legacy_candidates(demo, params, monkeypatch)
    # about 820 since standards and forms (issue 11; 3,374 before) and since a need that lists its
    # codes takes only those codes (its category names what they replace); about 710 since cooling
    # maxima, intake approvals and today's uses (streams sold today to the same use lose their pairs)
    assert len(new) == len(old) > 650
    assert_same_arcs(new, old)


def test_pairs_looked_at_grow_with_the_arcs_kept_not_with_the_largest_reach():
    # 60 needs within 5 km of their own choice, all accepting one code; streams of that code
    # every 2 km along 400 km: the category allows far more than 5 km, the needs do not
    kb = load_knowledge_base()
    code = next(r.ewc_prefix for r in kb.rules if len(r.ewc_prefix) == 6 and r.category == "aggregates")
    companies = [Company(id=f"C{i:04d}", name="x", latitude=44.0 + i * 2 / 111.195, longitude=0.0) for i in range(200)]
    streams = [Stream(id=f"S{i:04d}", company_id=f"C{i:04d}", quantity_base=1000, unit=Unit.T, ewc_code=code,
                      route="landfill", route_cost_cents=5000) for i in range(200)]  # fmt: skip
    needs = [Need(id=f"N{j:04d}", company_id=f"C{j * 3 + 3:04d}", quantity_base=1000, unit=Unit.T,
                  accepted_codes=(code,), virgin_price_cents=1000, max_distance_km=5.0) for j in range(60)]  # fmt: skip
    network = Network(tuple(companies), tuple(streams), tuple(needs))
    c = build_candidates(network, MatchParameters(road_factor=1.0))
    streams_t, needs_t = c.streams, c.needs
    offers = candidates_mod._offers(streams_t, kb)
    pairs = candidates_mod._pairs(offers, streams_t, needs_t, c.params, kb)
    # each need sees the streams 2 and 4 km either side (its own company's stream is dropped later)
    assert len(pairs) == 60 * 5
    assert len(c.arcs) == 60 * 4
    assert (c.arcs["road_km"] <= 5.0 + 1e-9).all()


def test_pair_max_km_takes_the_need_else_the_rule_else_the_category_then_the_scenario():
    # rule 30 km beats the category's 80; a need's own maximum replaces either, shorter or longer
    got = pair_max_km(np.array([30.0, np.nan, 30.0, np.nan]), np.array([80.0, 80.0, 80.0, 80.0]),
                      np.array([np.nan, np.nan, 20.0, 200.0]), None)  # fmt: skip
    assert got.tolist() == [30.0, 80.0, 20.0, 200.0]
    assert pair_max_km(30.0, 80.0, np.nan, 25.0).tolist() == 25.0
    # rail or ship access extends the default to its break-even reach, not a need's own maximum
    assert pair_max_km(np.nan, 150.0, np.array([np.nan, 40.0]), None, bulk_km=330.0).tolist() == [330.0, 40.0]


def test_pairs_valued_by_blocks_give_the_same_table(monkeypatch):
    network = varied_network(2)
    whole = build_candidates(network).arcs
    monkeypatch.setattr(candidates_mod, "ECONOMICS_CHUNK", 71)
    monkeypatch.setattr(candidates_mod, "RIVAL_CHUNK", 31)
    by_blocks = build_candidates(network).arcs
    assert len(whole) > 3 * 71  # several blocks (283 arcs since the 32nd category changed the draws)
    pd.testing.assert_frame_equal(by_blocks, whole)


@pytest.mark.parametrize("seed", range(3))
def test_pairs_found_directly_are_those_of_the_grid(seed, monkeypatch):
    # small networks compute every pair's distance; large ones search a grid: the same arcs
    network = varied_network(seed)
    direct = build_candidates(network).arcs
    monkeypatch.setattr(candidates_mod, "DIRECT_PAIRS", 0)
    by_grid = build_candidates(network).arcs
    assert len(direct) > 50
    pd.testing.assert_frame_equal(direct, by_grid)


def _by_k_d_tree(points, centres, chord):
    from scipy.spatial import cKDTree

    hits = cKDTree(points).query_ball_point(centres, chord)
    return {(p, c) for c, found in enumerate(hits) for p in found}


def test_the_direct_test_is_the_k_d_tree_s_own_at_the_boundary():
    # radii set to the very chord of some pairs (and one ulp either side), as numpy and as the
    # great-circle formula give it: the pairs on the boundary are found by both or by neither
    from symbiose.candidates import _within_chord_by_grid, _within_chord_directly, unit_vectors

    rng = np.random.default_rng(7)
    points = unit_vectors(44 + rng.random(300), rng.random(300))
    centres = unit_vectors(44 + rng.random(200), rng.random(200))
    partner = rng.integers(0, 300, 200)
    exact = np.linalg.norm(points[partner] - centres, axis=1)
    summed = np.sqrt(((points[partner] - centres) ** 2).sum(axis=1))
    for chord in (exact, summed, np.nextafter(exact, 0), np.nextafter(exact, 1), np.full(200, 0.002)):
        direct = set(zip(*_within_chord_directly(points, centres, chord), strict=True))
        grid = set(zip(*_within_chord_by_grid(points, centres, chord, np.arange(200)), strict=True))
        assert direct == grid == _by_k_d_tree(points, centres, chord)
        assert len(direct) > 0


@pytest.mark.parametrize("seed", range(4))
def test_the_grid_finds_the_direct_pairs_whatever_the_radii(seed, monkeypatch):
    # radii of every size in one call (nil, a few metres, tens of km, a whole continent, more than
    # the sphere), centres on cell borders, a subset of targets, and chunks of a few pairs
    from symbiose.candidates import _within_chord_by_grid, _within_chord_directly, unit_vectors

    rng = np.random.default_rng(seed)
    points = unit_vectors(40 + 10 * rng.random(400), -5 + 15 * rng.random(400))
    centres = np.vstack([unit_vectors(40 + 10 * rng.random(150), -5 + 15 * rng.random(150)), points[:50]])
    chord = rng.choice([0.0, 1e-6, 0.002, 0.005, 0.03, 0.4, 2.5], len(centres)) * rng.random(len(centres)) * 2
    chord[:20] = 0.0
    targets = np.sort(rng.choice(len(centres), 160, replace=False))
    monkeypatch.setattr(candidates_mod, "GRID_CHECKS", 37)
    monkeypatch.setattr(candidates_mod, "NEED_CHUNK", 7)
    grid = set(zip(*_within_chord_by_grid(points, centres, chord, targets), strict=True))
    p, c = _within_chord_directly(points, centres[targets], chord[targets])
    direct = set(zip(p.tolist(), targets[c].tolist(), strict=True))
    assert grid == direct
    assert len(direct) > 400
    assert any(chord[c] == 0 for _, c in direct)  # a centre on a point finds it at radius 0


@pytest.mark.parametrize("seed", range(3))
def test_arc_texts_from_codes_are_the_categoricals_pandas_makes(seed):
    # names that sort apart only as themselves (case, accents, a trailing NUL, digits), repeated
    # names, missing codes, unused names; and no row at all
    rng = np.random.default_rng(seed)
    names = ["b", "B", "a\x00", "a", "é", "e", "10", "9", "", "b", "nan", "None"]
    codes = rng.integers(-1, len(names), 300)
    expected = pd.Categorical(np.asarray(names, dtype=object)[np.maximum(codes, 0)])
    expected[codes < 0] = np.nan
    got = candidates_mod.sorted_categorical(codes, names)
    pd.testing.assert_series_equal(pd.Series(got), pd.Series(expected))
    assert list(got.categories) == sorted(set(np.asarray(names, dtype=object)[codes[codes >= 0]]))
    assert len(candidates_mod.sorted_categorical(np.zeros(0, np.int64), names)) == 0
