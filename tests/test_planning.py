"""Planners' tools: scenario comparison (library and command line), the opportunity finder checked
against a brute-force search over every commune, and robustness on a hand-made network whose
fragile and robust synergies are known in advance."""

from __future__ import annotations

import csv
import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from symbiose.cli import main
from symbiose.compare import Comparison, compare_scenarios
from symbiose.domain import Company, Need, Network, Route, Stream
from symbiose.i18n import gettext, language
from symbiose.matching import MatchResult, run_match
from symbiose.opportunity import Opportunity, find_opportunities
from symbiose.params import MatchParameters
from symbiose.reference import data_dir
from symbiose.robustness import robustness
from symbiose.scenarios import load_scenarios, resolve
from symbiose.units import Unit

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
EARTH_RADIUS_KM = 6371.0088


def pairs(result: MatchResult) -> dict[tuple[str, str], float]:
    m = result.matches()
    return dict(zip(zip(m["stream_id"], m["need_id"], strict=True), m["quantity"], strict=True))


# --------------------------------------------------------------------------- compare


def test_scenarios_read_in_french_by_default_and_in_english_on_request():
    path = f"{SCENARIOS / 'radius_20km.toml'}"
    french = load_scenarios(path)
    assert [s.name for s in french] == ["Rayon de 20 km", "Rayon de 10 km"]
    assert french[0].description.startswith("Chaque nouvelle synergie limitée à 20 km")
    with language("en"):
        english = load_scenarios(path)
    assert [s.name for s in english] == ["20 km radius", "10 km radius"]
    assert english[1].description.startswith("Every new synergy limited to 10 km")
    assert [s.params for s in english] == [s.params for s in french]


def test_a_variant_does_not_inherit_the_english_name_of_its_file(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\nname = "Aujourd\'hui"\nname_en = "Today"\n'
                    '[variants.far]\nname = "Loin"\nparameters = { max_distance_km = 80 }\n', encoding="utf-8")
    with language("en"):
        assert [s.name for s in load_scenarios(path)] == ["Today", "Loin"]


@pytest.fixture(scope="module")
def comparison(demo) -> Comparison:
    paths = [str(SCENARIOS / "tgap_raised.toml"), f"{SCENARIOS / 'radius_20km.toml'}#radius_10km"]
    return compare_scenarios(paths, lambda base: demo)


def test_compare_runs_every_scenario_and_variant(comparison):
    names = [s.name for s in comparison.scenarios]
    assert names == ["TGAP +25 EUR/t", "TGAP +50 EUR/t", "Rayon de 10 km"]
    assert len(comparison.results) == 3
    assert comparison.results[2].candidates.params.max_distance_km == 10
    assert comparison.results[1].candidates.params.route_cost_delta_eur == {
        "landfill": 50,
        "incineration": 20,
    }


def test_compare_table_columns_and_differences(comparison):
    table = comparison.table()
    first, *others = [s.name for s in comparison.scenarios]
    assert list(table.columns) == [first, *others, *(f"{o} - {first}" for o in others)]
    assert table.index.name == "indicator"
    assert "net benefit (EUR/yr)" in table.index
    for name, result in zip([first, *others], comparison.results, strict=True):
        assert table.loc["net benefit (EUR/yr)", name] == pytest.approx(result.kpis.net_benefit_eur)
        assert table.loc["synergies", name] == result.kpis.synergies
    for o in others:
        pd.testing.assert_series_equal(
            table[f"{o} - {first}"], table[o] - table[first], check_names=False
        )
    # the levers go the expected way: a higher TGAP is worth more, a 10 km radius less
    assert table.loc["net benefit (EUR/yr)", f"TGAP +50 EUR/t - {first}"] > 0
    assert table.loc["net benefit (EUR/yr)", f"Rayon de 10 km - {first}"] < 0


def test_compare_synergy_changes_are_consistent_with_the_matches(comparison):
    changes = comparison.synergy_changes()
    first = pairs(comparison.results[0])
    assert set(changes["scenario"]) <= {s.name for s in comparison.scenarios[1:]}
    for scenario, result in zip(comparison.scenarios[1:], comparison.results[1:], strict=True):
        other = pairs(result)
        rows = changes[changes["scenario"] == scenario.name]
        listed = {(r.stream_id, r.need_id): r for r in rows.itertuples()}
        assert len(listed) == len(rows), "a pair is listed once per scenario"
        expected = {
            k for k in set(first) | set(other) if abs(first.get(k, 0.0) - other.get(k, 0.0)) >= 1e-9
        }
        assert set(listed) == expected
        for key, row in listed.items():
            assert row.quantity_before == pytest.approx(first.get(key, 0.0))
            assert row.quantity_after == pytest.approx(other.get(key, 0.0))
            want = (
                "appears" if key not in first else "disappears" if key not in other else "changes"
            )
            assert row.change == want, key
    # a 10 km radius loses every non-implemented pair of the first scenario longer than 10 km
    flows = comparison.results[0].allocation.flows
    implemented = {(y.stream_id, y.need_id) for y in comparison.results[0].network.synergies
                   if str(y.stage) == "implemented"}  # fmt: skip
    far = flows[flows["road_km"] > 10]
    long_pairs = set(zip(far["stream_id"], far["need_id"], strict=True)) - implemented
    lost = changes.query("scenario == 'Rayon de 10 km' and change == 'disappears'")
    gone = set(zip(lost["stream_id"], lost["need_id"], strict=True))
    assert long_pairs and long_pairs <= gone


def test_one_synergy_that_disappears_reads_in_the_singular(comparison):
    """The report said « TGAP +50 EUR/t : 1 synergie disparaissent »: the verb stayed plural."""
    from symbiose.report import comparison_view

    with language("fr"):
        changes = comparison_view(comparison)["changes"]
    assert "TGAP +50 EUR/t : 1 synergie disparaît" in changes, changes
    assert "Rayon de 10 km : 16 synergies apparaissent" in changes, changes
    with language("en"):
        assert "TGAP +50 EUR/t: 1 synergy disappears" in comparison_view(comparison)["changes"]


def test_comparison_write(comparison, tmp_path):
    paths = comparison.write(tmp_path / "cmp", machine=True)
    assert [p.name for p in paths] == ["comparison.csv", "comparison.json", "synergy_changes.csv"]
    table = pd.read_csv(paths[0], index_col=0)
    expected = comparison.table()
    assert list(table.columns) == list(expected.columns)
    np.testing.assert_allclose(
        table.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-9
    )
    payload = json.loads(paths[1].read_text(encoding="utf-8"))
    assert list(payload) == [s.name for s in comparison.scenarios]
    for s, r in zip(comparison.scenarios, comparison.results, strict=True):
        assert payload[s.name]["source"] == s.source
        assert payload[s.name]["kpis"]["net_benefit_eur"] == pytest.approx(r.kpis.net_benefit_eur)
    changes = pd.read_csv(paths[2])
    assert len(changes) == len(comparison.synergy_changes()) > 0
    assert list(changes.columns)[:4] == ["scenario", "change", "stream_id", "need_id"]


def test_comparison_write_for_a_french_spreadsheet(comparison, tmp_path):
    """By default (French) the files open as columns in a French spreadsheet: ``;``, decimal
    commas, a byte-order mark, the indicators and changes in French; the same figures."""
    paths = comparison.write(tmp_path / "cmp")
    assert paths[0].read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(paths[0], sep=";", decimal=",", encoding="utf-8-sig", index_col=0)
    expected = comparison.table()
    assert table.index.name == "indicateur (par an)"
    assert list(table.index) == [gettext(label) for label in expected.index]
    assert "entreprises impliquées" in table.index
    # the figures to the precision they are shown (no float noise of sums such as 170213,13700000002)
    np.testing.assert_allclose(table.to_numpy(dtype=float), expected.to_numpy(dtype=float), atol=0.51)
    text = paths[0].read_text(encoding="utf-8-sig")
    assert not re.search(r",\d{3,}", text) and ";-0,0" not in text
    changes = pd.read_csv(paths[2], sep=";", decimal=",", encoding="utf-8-sig")
    assert list(changes.columns)[:4] == ["scenario", "changement", "id_flux", "id_besoin"]
    assert set(changes["changement"]) <= {"apparaît", "disparaît", "change de quantité"}
    english = comparison.synergy_changes()
    np.testing.assert_allclose(changes["quantite_apres"], english["quantity_after"])


def test_cli_compare_writes_the_three_files(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")  # English messages (French ones: test_french.py)
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, [
        "--database", f"sqlite:///{tmp_path / 'unused.db'}", "compare", "scenarios/today.toml",
        "scenarios/radius_20km.toml", "--bundle", "data/demo", "--out", str(out),
    ])  # fmt: skip
    assert result.exit_code == 0, (result.output, result.exception)
    for name in ("comparison.csv", "comparison.json", "synergy_changes.csv"):
        assert (out / name).is_file() and f"wrote {out / name}" in result.output
    table = pd.read_csv(out / "comparison.csv", index_col=0)
    names = ["Today", "Carbon at 100 EUR/t", "Freight +50 %", "At most 2 partners per stream, 20 t lots",
             "20 km radius", "10 km radius"]  # fmt: skip
    assert list(table.columns) == names + [f"{n} - Today" for n in names[1:]]
    assert table.loc["net benefit (EUR/yr)", "10 km radius - Today"] < 0
    assert "net benefit" in result.output


def test_cli_compare_bad_scenario_is_a_clean_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "bad"\n[parameters]\nspeed = 3\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--database", f"sqlite:///{tmp_path / 'unused.db'}", "compare", str(bad),
                                       "--bundle", str(data_dir() / "demo")])  # fmt: skip
    assert result.exit_code == 1
    assert "parameters.speed" in result.output and str(bad) in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- opportunity finder

NO_OUTLET = [
    "170802",
    "150107",
]  # plasterboard, glass (demo README)
# Tyres and household textiles have no local outlet either, but their eco-organism takes them
# back at no cost (Aliapur, Refashion: reference prices of data/KNOWLEDGE_BASE.md): no route
# cost to save, so they are not opportunities.
EPR_NO_COST = ["160103", "200111"]


@pytest.fixture(scope="module")
def opportunities(demo_result) -> list[Opportunity]:
    return find_opportunities(demo_result)


def haversine(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def commune_rows() -> list[dict]:
    with open(data_dir() / "reference" / "communes_17.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def unserved_by_group(
    result: MatchResult,
) -> dict[tuple[str, str], list[tuple[Stream, float, Company]]]:
    """(code, unit) -> [(stream, quantity left, company)] for paid-for solid/liquid wastes, recomputed."""
    used: dict[str, float] = {}
    m = result.matches()
    for sid, q in zip(m["stream_id"], m["quantity"], strict=True):
        used[sid] = used.get(sid, 0.0) + q
    companies = {c.id: c for c in result.network.companies}
    groups: dict = {}
    for s in result.network.streams:
        left = s.quantity_base / 1000 - used.get(s.id, 0.0)
        if (
            left <= 1e-9
            or s.route_cost_cents <= 0
            or s.unit == Unit.MWH
            or s.material == "process_water"
        ):
            continue
        groups.setdefault((s.ewc_code or s.material, str(s.unit)), []).append(
            (s, left, companies[s.company_id])
        )
    return groups


def test_opportunities_include_the_wastes_without_outlet(opportunities):
    by_code = {o.code: o for o in opportunities}
    for code in NO_OUTLET:
        assert code in by_code, code
        o = by_code[code]
        assert o.no_candidate == pytest.approx(o.unserved) and o.unserved >= 100
    for code in EPR_NO_COST:
        assert code not in by_code, code
    # wastes with no partner at all come first
    no_cand = [o.no_candidate for o in opportunities]
    assert no_cand == sorted(no_cand, reverse=True)


def test_opportunity_quantities_and_sites(opportunities, commune_rows):
    sites = {r["insee_code"]: r for r in commune_rows}
    assert opportunities
    for o in opportunities:
        assert 0 < o.captured <= o.unserved + 1e-9
        assert 0 <= o.no_candidate <= o.unserved + 1e-9
        assert 1 <= o.captured_suppliers <= o.suppliers
        assert o.site_insee in sites and sites[o.site_insee]["name"] == o.site_name
        assert (o.site_lat, o.site_lon) == (
            float(sites[o.site_insee]["latitude"]),
            float(sites[o.site_insee]["longitude"]),
        )
        assert 0 <= o.mean_km <= 30 + 1e-9
        assert o.mean_km == pytest.approx(o.tkm / o.captured)


def test_opportunity_site_is_optimal_by_brute_force(demo_result, opportunities, commune_rows):
    """Every commune tried: the finder's site captures the most, and with the fewest t.km among those."""
    road_factor = demo_result.candidates.params.road_factor
    groups = unserved_by_group(demo_result)
    expected_codes = {k for k, g in groups.items() if sum(q for _, q, _ in g) >= 100}
    assert {(o.code, o.unit) for o in opportunities} == expected_codes
    for o in opportunities:
        group = groups[(o.code, o.unit)]
        assert o.unserved == pytest.approx(sum(q for _, q, _ in group))
        best: tuple[float, float] | None = None
        for row in commune_rows:
            lat, lon = float(row["latitude"]), float(row["longitude"])
            captured = tkm = 0.0
            for _, q, c in group:
                km = haversine(c.latitude, c.longitude, lat, lon) * road_factor
                if km <= 30:
                    captured += q
                    tkm += q * km
            if (
                best is None
                or captured > best[0] + 1e-9
                or (abs(captured - best[0]) <= 1e-9 and tkm < best[1])
            ):
                best = (captured, tkm)
        assert o.captured == pytest.approx(best[0], rel=1e-9), o.code
        assert o.tkm == pytest.approx(best[1], rel=1e-9, abs=1e-6), o.code


def test_an_opportunity_file_found_in_french_describes_the_waste_in_english_too():
    """description_en read « ... capturing 8,600 t/yr of déchets biodégradables ... »."""
    with language("fr"):
        found = Opportunity(code="200201", label="déchets biodégradables", unit="t", unserved=9000, no_candidate=0,
                            suppliers=6, site_insee="17197", site_name="Jonzac", site_lat=45.4, site_lon=-0.4,
                            captured=8600, captured_suppliers=5, tkm=1, mean_km=1,
                            avoided_route_cost_eur=1)  # fmt: skip
        text = found.scenario_toml("demo")
    english = next(line for line in text.splitlines() if line.startswith("description_en"))
    assert "of biodegradable waste from 5 suppliers" in english and "déchets" not in english, english
    french = next(line for line in text.splitlines() if line.startswith("description ="))
    assert "de déchets biodégradables auprès de 5 fournisseurs" in french, french


@pytest.mark.parametrize("code", NO_OUTLET)
def test_opportunity_scenario_runs_and_serves_the_waste(
    code, demo, demo_result, opportunities, tmp_path
):
    (o,) = [o for o in opportunities if o.code == code]
    path = tmp_path / f"opportunity_{code}.toml"
    path.write_text(o.scenario_toml("demo"), encoding="utf-8")
    (sc,) = load_scenarios(path)
    assert sc.base == "demo"
    network, params = resolve(sc, demo)
    site = network.company(o.scenario_id)
    assert (site.latitude, site.longitude) == pytest.approx((o.site_lat, o.site_lon))
    result = run_match(network, params)

    def unserved(r: MatchResult) -> float:
        return sum(
            x["quantity"]
            for x in r.kpis.unmatched_by_code
            if x["code"] == code and x["unit"] == o.unit
        )

    assert unserved(result) < unserved(demo_result)
    taken = result.matches().query(f"need_id == '{o.scenario_id}-N1'")["quantity"].sum()
    assert 0 < taken <= o.captured + 1e-6
    assert unserved(demo_result) - unserved(result) == pytest.approx(taken)
    assert result.kpis.net_benefit_eur > demo_result.kpis.net_benefit_eur


# --------------------------------------------------------------------------- robustness

LON = -0.4
FREE_ROAD = MatchParameters(transport_cost_eur_per_tkm=0.15, road_factor=1.0)


def _co(cid: str, lat: float) -> Company:
    return Company(id=cid, name=f"Company {cid}", latitude=lat, longitude=LON)


def _wood(sid: str, cid: str, tonnes: float, route_eur: float) -> Stream:
    return Stream(id=sid, company_id=cid, quantity_base=int(tonnes * 1000), unit=Unit.T, material="wood_fuel",
                  route=Route.INCINERATION, route_cost_cents=int(route_eur * 100))  # fmt: skip


def _boiler(nid: str, cid: str, tonnes: float, virgin_eur: float) -> Need:
    return Need(id=nid, company_id=cid, quantity_base=int(tonnes * 1000), unit=Unit.T, category="wood_fuel",
                virgin_price_cents=int(virgin_eur * 100))  # fmt: skip


def robustness_network() -> Network:
    """Three clusters more than 80 km apart (wood fuel travels at most 80 km), so they do not interact.

    * robust: A's 100 t go to B's 1,000 t boiler, nothing else is in reach;
    * tight capacity: T's 100 t fill U1 (99 t, the better price) and the last 1 t goes to U2;
      when quantities vary, T often fits in U1 alone and T -> U2 disappears;
    * outbid: G and E compete for H's 100 t boiler; G is next to H, E next to F. G gains more from
      H than E would (G -> H: 140 - 0.17, G -> F: 130 - 3.33; E -> H: 60 - 3.33, E -> F: 50 - 0.17 EUR/t),
      so G takes H and E goes to F. If G leaves, E moves to H: E -> F exists because of G.
    """
    companies = (
        _co("A", 45.0), _co("B", 45.01),
        _co("T", 46.0), _co("U1", 46.01), _co("U2", 46.011),
        _co("H", 47.0), _co("G", 47.01), _co("E", 47.2), _co("F", 47.21),
    )  # fmt: skip
    streams = (
        _wood("SA", "A", 100, 50),
        _wood("ST", "T", 100, 50),
        _wood("SG", "G", 100, 100),
        _wood("SE", "E", 50, 20),
    )  # fmt: skip
    needs = (
        _boiler("NB", "B", 1000, 35),
        _boiler("NU1", "U1", 99, 40), _boiler("NU2", "U2", 1000, 30),
        _boiler("NH", "H", 100, 40), _boiler("NF", "F", 500, 30),
    )  # fmt: skip
    return Network(companies, streams, needs)


@pytest.fixture(scope="module")
def robust_table() -> pd.DataFrame:
    return robustness(robustness_network(), FREE_ROAD, draws=12, variation=0.3, seed=7)


def test_robustness_base_solution_is_the_designed_one():
    flows = pairs(run_match(robustness_network(), FREE_ROAD))
    assert flows == pytest.approx({("SA", "NB"): 100, ("ST", "NU1"): 99, ("ST", "NU2"): 1,
                                   ("SG", "NH"): 100, ("SE", "NF"): 50})  # fmt: skip


def test_robustness_table(robust_table):
    t = robust_table.set_index(["stream_id", "need_id"])
    assert set(t.index) == {("SA", "NB"), ("ST", "NU1"), ("ST", "NU2"), ("SG", "NH"), ("SE", "NF")}
    assert robust_table["quantity_stability_pct"].between(0, 100).all()
    assert robust_table["exit_stability_pct"].between(0, 100).all()
    assert t.loc[("SE", "NF"), "quantity"] == pytest.approx(50)
    # the robust synergy holds in every draw and every exit of another company
    assert t.loc[("SA", "NB"), "quantity_stability_pct"] == 100
    assert t.loc[("SA", "NB"), "exit_stability_pct"] == 100
    assert 70 <= t.loc[("SA", "NB"), "mean_quantity_in_draws"] <= 130
    # the synergy that only exists because U1 is 1 t short is fragile, but not always gone
    assert 0 < t.loc[("ST", "NU2"), "quantity_stability_pct"] < 100
    assert t.loc[("ST", "NU1"), "quantity_stability_pct"] == 100
    # most stable first
    assert robust_table["quantity_stability_pct"].is_monotonic_decreasing


def test_robustness_partner_exit(robust_table):
    t = robust_table.set_index(["stream_id", "need_id"])
    # 9 companies take part; an exit is tested on a synergy when neither of its partners leaves
    assert (t["exits_tested"] == 7).all()
    # E -> F survives every exit but G's: 6 of 7
    assert t.loc[("SE", "NF"), "exit_stability_pct"] == round(100 * 6 / 7, 1)
    # G -> H does not depend on anyone else; A -> B neither
    assert t.loc[("SG", "NH"), "exit_stability_pct"] == 100
    # when U1 leaves, T sends everything to U2 (T -> U2 survives); when U2 leaves, T -> U1 survives
    assert t.loc[("ST", "NU2"), "exit_stability_pct"] == 100
    assert t.loc[("ST", "NU1"), "exit_stability_pct"] == 100
    assert t.loc[("SA", "NB"), "exit_stability_pct"] == 100


def test_robustness_without_variation_keeps_everything():
    table = robustness(robustness_network(), FREE_ROAD, draws=3, variation=0.0, partner_exit=False)
    assert (table["quantity_stability_pct"] == 100).all()
    # no exit tested: no exit stability to report (empty, not a made-up 100 %)
    assert table["exit_stability_pct"].isna().all() and (table["exits_tested"] == 0).all()
    np.testing.assert_allclose(table["mean_quantity_in_draws"], table["quantity"])


def test_robustness_same_seed_same_table(robust_table):
    again = robustness(robustness_network(), FREE_ROAD, draws=12, variation=0.3, seed=7)
    pd.testing.assert_frame_equal(again, robust_table)


def test_robustness_rejects_a_bad_variation():
    with pytest.raises(ValueError):
        robustness(robustness_network(), FREE_ROAD, draws=1, variation=1.0)


def test_robustness_draws_keep_the_candidates_seasonal_capacity():
    # SA exists November-March (5 months, not stored), NB consumes all year: they share 5 months.
    # 100 t and 120 t: 20 t a month against 10, so 5 x 10 = 50 t a year, not the yearly minimum 100 t.
    # A draw of x1.2 on the stream and x0.5 on the need: 24 t against 5 t a month, 25 t a year;
    # the draw's arc is what the candidates give for the drawn quantities (the same function)
    from dataclasses import replace

    from symbiose.candidates import build_candidates
    from symbiose.robustness import _with_quantities

    stream = replace(_wood("SA", "A", 100, 50), months=(11, 12, 1, 2, 3), storage_months=0)
    net = Network((_co("A", 45.0), _co("B", 45.01)), (stream,), (_boiler("NB", "B", 120, 35),))
    cands = build_candidates(net, FREE_ROAD)
    assert cands.arcs["capacity_base"].tolist() == [50_000]
    drawn = _with_quantities(cands, np.array([1.2]), np.array([0.5]))
    assert drawn.arcs["capacity_base"].tolist() == [25_000]
    scaled = Network(net.companies, (replace(stream, quantity_base=120_000),),
                     (replace(net.needs[0], quantity_base=60_000),))  # fmt: skip
    assert build_candidates(scaled, FREE_ROAD).arcs["capacity_base"].tolist() == [25_000]
    # kept 4 months, November-March production reaches November to July: 9 x 5 t = 45 t
    stored = _with_quantities(build_candidates(Network(net.companies, (replace(stream, storage_months=4),), net.needs),
                                               FREE_ROAD), np.array([1.2]), np.array([0.5]))  # fmt: skip
    assert stored.arcs["capacity_base"].tolist() == [45_000]


def _heat_pair(mwh: int) -> Network:
    # a hot-water supply and a heat network 2 km apart (road 2.6 km), below the pipe's 5 GWh
    # reference flow: its cost per MWh.km is 8 EUR x 5 000 / flow (compat.pipe_scale)
    return Network((Company("A", "a", 45.5, -0.5), Company("B", "b", 45.5, -0.5 + 2 / 77.95)),
                   (Stream("S", "A", mwh * 1000, Unit.MWH, material="heat_hot_water"),),
                   (Need("N", "B", mwh * 1000, Unit.MWH, category="heat_hot_water", virgin_price_cents=5800),))  # fmt: skip


def test_robustness_draws_price_a_pipe_on_the_drawn_flow():
    # a draw of x0.75 on both sides: the arc's value is the one the candidates give for the
    # drawn quantities (the pipe's cost spread over less heat), not the base quantity's
    from symbiose.candidates import build_candidates
    from symbiose.robustness import _with_quantities

    base = build_candidates(_heat_pair(4_000))
    for arcs in (True, False):
        drawn = _with_quantities(base, np.array([0.75]), np.array([0.75]), arcs=arcs).arcs
        rebuilt = build_candidates(_heat_pair(3_000)).arcs
        for column in ("transport_cents", "value_cents"):
            assert drawn[column].tolist() == pytest.approx(rebuilt[column].tolist())
        assert drawn["value_cents"].iloc[0] < base.arcs["value_cents"].iloc[0]


def test_robustness_drops_a_pipe_in_the_draws_where_it_no_longer_pays():
    # at 2 000 MWh the pipe pays (58 EUR/MWh against about 52 of pipe); 30 % less heat spreads
    # the same pipe over fewer MWh and it no longer does: the synergy is not stable in every draw
    from symbiose.candidates import build_candidates

    net = _heat_pair(2_000)
    value = build_candidates(net).arcs["value_cents"].iloc[0]
    assert 0 < value < 58_00 * 0.3  # a thin margin, which 30 % less flow wipes out
    table = robustness(net, draws=20, variation=0.3, partner_exit=False, workers=1)
    assert len(table) == 1 and table["quantity_stability_pct"].iloc[0] < 100
    steady = robustness(net, draws=20, variation=0.0, partner_exit=False, workers=1)
    assert steady["quantity_stability_pct"].iloc[0] == 100


def test_a_scenario_file_named_twice_runs_once_where_it_first_comes(demo):
    """``compare today.toml scenarios/*.toml``: the reference of the differences comes first."""
    today, tgap = str(SCENARIOS / "today.toml"), str(SCENARIOS / "tgap_raised.toml")
    relative = os.path.relpath(today)  # the same file named otherwise
    comparison = compare_scenarios([today, tgap, relative], lambda base: demo, workers=1)
    names = [s.name for s in comparison.scenarios]
    assert names[0] == "Aujourd'hui" and len(names) == len(set(names)) == len(load_scenarios(today)) + len(load_scenarios(tgap))
