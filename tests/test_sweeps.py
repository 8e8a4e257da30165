"""Sweeps give the same answers however they run: one after the other, in a local process pool,
or on a Dask cluster started here (processes, like a real one)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_optimize import random_network

from symbiose.compare import compare_scenarios, format_table
from symbiose.errors import SymbioseError
from symbiose.i18n import fmt_eur, fmt_percent, language
from symbiose.matching import run_match
from symbiose.params import MatchParameters, Rules
from symbiose.robustness import robustness
from symbiose.scenarios import load_scenarios, resolve
from symbiose.sweep import ClusterError, default_workers, run_tasks

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [str(ROOT / "scenarios" / "radius_20km.toml")]  # 20 km and its 10 km variant


def _square(x: int) -> int:
    return x * x


def test_run_tasks_keeps_the_order_and_reports_progress():
    seen = []
    got = run_tasks(_square, list(range(7)), workers=2, progress=lambda done, total: seen.append((done, total)))
    assert got == [x * x for x in range(7)]
    assert seen == [(i, 7) for i in range(1, 8)]


def test_a_pool_started_under_a_page_script_does_not_rerun_it(tmp_path, monkeypatch):
    # Streamlit (the application, AppTest) makes the page script the process's __main__, and a
    # threaded process spawns its workers, which re-run __main__: the pool broke in CI that way.
    import sys
    import threading
    import types

    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('the page script ran in a worker')\n", encoding="utf-8")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    stop = threading.Event()
    server = threading.Thread(target=stop.wait, daemon=True)  # a threaded process, like a server
    server.start()
    try:
        assert run_tasks(_square, [3, 4, 5], workers=2) == [9, 16, 25]
    finally:
        stop.set()
        server.join()
    assert sys.modules["__main__"] is page


def test_two_threads_starting_pools_at_once_put_the_page_script_back(monkeypatch):
    # two sessions of the web application sweep at once: the first ends its swap while the
    # second is in its own; __main__ must end as it was, not as the first's empty module
    import sys
    import threading
    import types

    from symbiose.sweep import _bare_main

    page = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", page)
    second_in, first_out = threading.Event(), threading.Event()

    def second():
        with _bare_main():
            second_in.set()
            first_out.wait(5)

    with _bare_main():
        thread = threading.Thread(target=second)
        thread.start()
        second_in.wait(0.5)  # with the swaps taking turns, the second waits for the first
    first_out.set()
    thread.join(5)
    assert second_in.is_set() and sys.modules["__main__"] is page


def test_workers_from_the_environment(monkeypatch):
    monkeypatch.setenv("SYMBIOSE_WORKERS", "3")
    assert default_workers(10) == 3
    assert default_workers(2) == 2
    monkeypatch.setenv("SYMBIOSE_WORKERS", "two")
    with pytest.raises(SymbioseError, match="SYMBIOSE_WORKERS"):
        default_workers(10)


def _kpis_and_matches(comparison):
    return [(r.kpis.as_dict(), r.matches()) for r in comparison.results]


def _assert_same(a, b):
    assert len(a) == len(b)
    for (kpis_a, matches_a), (kpis_b, matches_b) in zip(a, b, strict=True):
        assert kpis_a == kpis_b
        pd.testing.assert_frame_equal(matches_a, matches_b)


def test_compare_in_a_pool_is_compare_one_after_the_other_and_each_run_alone(demo):
    serial = compare_scenarios(SCENARIOS, lambda base: demo, workers=1)
    pooled = compare_scenarios(SCENARIOS, lambda base: demo, workers=2)
    _assert_same(_kpis_and_matches(serial), _kpis_and_matches(pooled))
    assert len(serial.results) == sum(len(load_scenarios(p)) for p in SCENARIOS) >= 2
    # shared candidates give what a run of its own gives
    for scenario, result in zip(serial.scenarios, serial.results, strict=True):
        network, params = resolve(scenario, demo)
        alone = run_match(network, params)
        assert alone.kpis.as_dict() == result.kpis.as_dict()


def test_scenarios_that_differ_by_rules_share_candidates_and_match_their_own_runs():
    # (rules that need CP-SAT are left out: its wall-clock guard makes a loaded machine's answer
    # differ from run to run, shared candidates or not)
    network = random_network(3, seasonal=False)
    params = [MatchParameters(), MatchParameters(rules=Rules(time_limit_s=3.0))]
    from symbiose.compare import _run_group

    shared = _run_group([(network, p) for p in params])
    assert shared[0].candidates.arcs is shared[1].candidates.arcs  # built once
    for p, result in zip(params, shared, strict=True):
        alone = run_match(network, p)
        assert result.allocation.objective_cents == pytest.approx(alone.allocation.objective_cents, abs=0.5)
        pd.testing.assert_frame_equal(result.matches(), alone.matches())


def test_compare_groups_the_scenarios_that_differ_only_by_rules(demo, tmp_path):
    # each resolved network bears its scenario's name: the runs still share their candidates,
    # and each result keeps its own network
    path = tmp_path / "levers.toml"
    path.write_text('[scenario]\nname = "Base"\nbase = "demo"\n\n[variants.few]\nname = "Few partners"\n'
                    'rules = { max_partners_per_stream = 1000, time_limit_s = 0.5 }\n\n'
                    '[variants.far]\nname = "Far"\nparameters = { max_distance_km = 10 }\n', encoding="utf-8")
    comparison = compare_scenarios([str(path)], lambda base: demo, workers=1)
    base, few, far = comparison.results
    assert few.candidates.arcs is base.candidates.arcs
    assert far.candidates.arcs is not base.candidates.arcs
    assert [r.network.name for r in comparison.results] == ["Base", "Few partners", "Far"]
    for scenario, result in zip(comparison.scenarios, comparison.results, strict=True):
        alone = run_match(*resolve(scenario, demo), with_suggestions=False)
        assert alone.allocation.objective_cents == pytest.approx(result.allocation.objective_cents, abs=0.5)
    # the rules run (CP-SAT skipped by its half-second limit) is not proven optimal: the output
    # says so, with its distance to the bound; the exact runs say nothing
    assert few.allocation.status == "feasible" and base.allocation.status == "optimal"
    gap = (few.allocation.bound_cents - few.allocation.objective_cents) / few.allocation.bound_cents
    with language("en"):
        notes = comparison.solver_notes()
        assert notes == [f"Few partners: best solution the rules model found, not proven optimal; at most "
                         f"{fmt_percent(gap, 1)} below the bound ({fmt_eur(few.allocation.bound_cents / 100)}/yr)"]
    with language("fr"):
        assert "Few partners : meilleure solution trouvée par le modèle à règles, sans preuve d'optimalité" in format_table(comparison)
    written = json.loads(comparison.write(tmp_path / "out")[1].read_text(encoding="utf-8"))
    assert written["Few partners"]["solver"]["status"] == "feasible"
    assert written["Base"]["solver"] == {"backend": "mincostflow", "status": "optimal",
                                         "objective_eur": base.allocation.objective_cents / 100, "bound_eur": None}


def test_robustness_in_a_pool_is_robustness_one_after_the_other():
    network = random_network(5, 20, 16)
    serial = robustness(network, draws=6, workers=1)
    pooled = robustness(network, draws=6, workers=2)
    assert len(serial) > 3 and serial["exits_tested"].sum() > 0
    pd.testing.assert_frame_equal(serial, pooled)


def test_an_unreachable_cluster_is_a_clear_error(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("symbiose.sweep.CLUSTER_CONNECT_TIMEOUT_S", 1)
    with pytest.raises(ClusterError, match="127.0.0.1:9"):
        run_tasks(_square, [1, 2], cluster="tcp://127.0.0.1:9")


def test_a_local_dask_cluster_gives_the_local_answers(demo):
    distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed")
    # Workers in threads of this process: a real scheduler and workers talking over TCP, without
    # the nanny processes that failed to start inside the long test run ("Nanny failed to start").
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                                  protocol="tcp") as cluster:  # fmt: skip
        address = cluster.scheduler_address
        seen = []
        got = run_tasks(_square, list(range(5)), cluster=address, progress=lambda d, t: seen.append(d))
        assert got == [0, 1, 4, 9, 16] and seen == [1, 2, 3, 4, 5]
        on_cluster = compare_scenarios(SCENARIOS, lambda base: demo, cluster=address)
        network = random_network(5, 20, 16)
        rob_cluster = robustness(network, draws=3, cluster=address)
    local = compare_scenarios(SCENARIOS, lambda base: demo, workers=1)
    _assert_same(_kpis_and_matches(local), _kpis_and_matches(on_cluster))
    pd.testing.assert_frame_equal(robustness(network, draws=3, workers=1), rob_cluster)
    assert np.isfinite(rob_cluster["quantity_stability_pct"]).all()
