"""Benchmark of the matcher on synthetic France-sized networks.

Usage:
    python scripts/benchmark.py                       # 1k and 10k, all methods
    python scripts/benchmark.py --sizes 1000 10000 100000 --lp-max 100000
    python scripts/benchmark.py --rules 10000          # the rules model vs CP-SAT's bound
    python scripts/benchmark.py --demo                 # the whole `symbiose match` on the demo

Each measurement runs in its own process, so that its peak resident memory (ru_maxrss) is its own.
Networks: n streams and n needs on sites spread uniformly over a square whose area grows with n
(France's 550,000 km2 at 100k, the same site density below), six resource categories, about 20
candidate needs per stream (the nearest 20 compatible within the category's distance).
Methods timed on the same instance:
* end-to-end: candidates + model build + min-cost-flow solve + result extraction (``allocate``);
* raw OR-Tools: ``SimpleMinCostFlow`` alone on the same arcs, arrays prebuilt;
* LP: the same allocation as a linear programme solved by HiGHS (scipy ``linprog``).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CATEGORIES = ["wood_fuel", "methanisation_feedstock", "soil_amendment", "scrap_metal",
              "plastic_polymer", "paper_fibre"]  # fmt: skip
FRANCE_KM2 = 550_000.0


def synthetic_network(n: int, seed: int = 7):
    from symbiose.domain import Company, Need, Network, Stream
    from symbiose.units import Unit

    rng = np.random.default_rng(seed)
    side_km = math.sqrt(FRANCE_KM2 * n / 100_000)
    lat0, lon0 = 46.5, 2.5
    dlat = side_km / 111.195
    dlon = side_km / (111.195 * math.cos(math.radians(lat0)))
    lat = lat0 - dlat / 2 + rng.random(2 * n) * dlat
    lon = lon0 - dlon / 2 + rng.random(2 * n) * dlon
    companies = tuple(
        Company(id=f"C{i:07d}", name=f"Site {i}", latitude=float(lat[i]), longitude=float(lon[i]))
        for i in range(2 * n)
    )
    s_cat = rng.integers(0, len(CATEGORIES), n)
    n_cat = rng.integers(0, len(CATEGORIES), n)
    s_qty = rng.integers(1, 2000, n) * 1000
    n_qty = rng.integers(1, 2000, n) * 1000
    route_cost = rng.integers(0, 130, n) * 100
    virgin = rng.integers(5, 80, n) * 100
    streams = tuple(
        Stream(id=f"S{i:07d}", company_id=f"C{i:07d}", quantity_base=int(s_qty[i]), unit=Unit.T,
               material=CATEGORIES[s_cat[i]], route="landfill", route_cost_cents=int(route_cost[i]))
        for i in range(n)
    )  # fmt: skip
    needs = tuple(
        Need(id=f"N{j:07d}", company_id=f"C{n + j:07d}", quantity_base=int(n_qty[j]), unit=Unit.T,
             category=CATEGORIES[n_cat[j]], virgin_price_cents=int(virgin[j]))
        for j in range(n)
    )  # fmt: skip
    return Network(companies, streams, needs)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(method: str, n: int) -> dict:
    from symbiose.candidates import build_candidates
    from symbiose.optimize import allocate, build_problem, solve_lp
    from symbiose.params import MatchParameters, Rules

    params = MatchParameters(max_candidates_per_stream=20)
    network = synthetic_network(n)
    base_mb = peak_mb()
    out: dict = {"method": method, "n": n}
    if method == "end_to_end":
        t0 = time.perf_counter()
        candidates = build_candidates(network, params)
        t1 = time.perf_counter()
        alloc = allocate(candidates)
        t2 = time.perf_counter()
        out.update(candidates_s=t1 - t0, build_s=alloc.stats["build_s"], solve_s=alloc.stats["solve_s"],
                   total_s=t2 - t0, arcs=len(candidates.arcs),
                   per_stream=len(candidates.arcs) / n, objective_eur=alloc.objective_cents / 100)  # fmt: skip
    elif method in ("raw_mcf", "lp"):
        candidates = build_candidates(network, params)
        problem = build_problem(candidates)
        ex = problem.arcs
        if method == "raw_mcf":
            from ortools.graph.python import min_cost_flow

            a, b = len(problem.stream_nodes), len(problem.need_nodes)
            supply = problem.stream_nodes["supply_base"].to_numpy(np.int64)
            demand = problem.need_nodes["demand_base"].to_numpy(np.int64)
            tails = np.concatenate([ex["snode"].to_numpy(np.int64), np.arange(a), a + np.arange(b)]).astype(np.int32)
            heads = np.concatenate([a + ex["nnode"].to_numpy(np.int64), np.full(a + b, a + b)]).astype(np.int32)
            caps = np.concatenate([ex["capacity_base"].to_numpy(np.int64), supply, demand])
            costs = np.concatenate([-ex["cost_cents"].to_numpy(np.int64), np.zeros(a + b, np.int64)])
            node_supply = np.concatenate([supply, np.zeros(b, np.int64), [-supply.sum()]])
            t0 = time.perf_counter()
            smcf = min_cost_flow.SimpleMinCostFlow()
            smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
            smcf.set_nodes_supplies(np.arange(a + b + 1, dtype=np.int32), node_supply)
            status = smcf.solve()
            t1 = time.perf_counter()
            assert status == smcf.OPTIMAL, status
            out.update(total_s=t1 - t0, objective_eur=-smcf.optimal_cost() / 1000 / 100)
        else:
            t0 = time.perf_counter()
            flows = solve_lp(problem)
            t1 = time.perf_counter()
            out.update(total_s=t1 - t0,
                       objective_eur=float((flows * ex["cost_cents"].to_numpy()).sum()) / 1000 / 100)
    elif method == "rules":
        rules = Rules(min_lot_t=50, max_partners_per_stream=2, fixed_cost_per_link_eur=300, time_limit_s=6)
        candidates = build_candidates(network, params)
        t0 = time.perf_counter()
        alloc = allocate(candidates, rules=rules)
        t1 = time.perf_counter()
        out.update(total_s=t1 - t0, objective_eur=alloc.objective_cents / 100,
                   heuristic_eur=alloc.stats["heuristic_objective_cents"] / 100,
                   unconstrained_eur=alloc.stats["unconstrained_objective_cents"] / 100,
                   backend=alloc.backend, cp_sat_status=alloc.stats.get("cp_sat_status"),
                   reduced_bound_eur=None if alloc.bound_cents is None else alloc.bound_cents / 100)  # fmt: skip
    elif method == "rules_full_bound":
        import symbiose.rules as rules_mod
        from symbiose.rules import solve_cp_sat

        rules = Rules(min_lot_t=50, max_partners_per_stream=2, fixed_cost_per_link_eur=300, time_limit_s=120)
        candidates = build_candidates(network, params)
        problem = build_problem(candidates)
        zeros = np.zeros(len(problem.arcs), dtype=np.int64)
        rules_mod.CP_SAT_BEST_PER_STREAM = 10**9  # every arc: the full model
        t0 = time.perf_counter()
        flows, bound, name, _ = solve_cp_sat(problem, rules, zeros, zeros)
        t1 = time.perf_counter()
        out.update(total_s=t1 - t0, status=name, bound_eur=None if bound is None else bound / 100,
                   objective_eur=None if flows is None else rules_mod._objective(problem, flows, rules) / 100)
    out["peak_mb"] = peak_mb()
    out["baseline_mb"] = base_mb
    return out


def demo_run() -> dict:
    """The whole `symbiose match` on the demo bundle in a fresh process, after start-up (the
    imports of the command and its libraries), twice: the first run also loads the knowledge base."""
    code = (
        "import time,json,resource,sys;t0=time.perf_counter()\n"
        "from symbiose.cli import main\n"
        "import symbiose.matching, symbiose.bundle, symbiose.candidates, symbiose.optimize, symbiose.compat\n"
        "t1=time.perf_counter();runs=[]\n"
        "for _ in range(2):\n"
        " t=time.perf_counter();main(['match','--bundle',sys.argv[1],'--out',sys.argv[2]],standalone_mode=False)\n"
        " runs.append(time.perf_counter()-t)\n"
        "print(json.dumps({'method':'demo_match','import_s':t1-t0,'total_s':runs[0],'second_run_s':runs[1],"
        "'peak_mb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT / "data" / "demo"), "/tmp/symbiose-bench-demo"],
                          capture_output=True, text=True, cwd=ROOT, check=True)  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def in_subprocess(method: str, n: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--one", method, str(n)], capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    if proc.returncode != 0:
        return {"method": method, "n": n, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--lp-max", type=int, default=10000, help="largest size for the LP (slow)")
    parser.add_argument("--rules", type=int, nargs="*", default=[], help="sizes for the rules model")
    parser.add_argument("--full-bound", action="store_true", help="also run CP-SAT on every arc for a bound")
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]))))
        return
    rows = []
    if args.demo:
        rows.append(demo_run())
        print(json.dumps(rows[-1]), flush=True)
    for n in args.sizes:
        for method in ("end_to_end", "raw_mcf") + (("lp",) if n <= args.lp_max else ()):
            rows.append(in_subprocess(method, n))
            print(json.dumps(rows[-1]), flush=True)
    for n in args.rules:
        rows.append(in_subprocess("rules", n))
        print(json.dumps(rows[-1]), flush=True)
        if args.full_bound:
            rows.append(in_subprocess("rules_full_bound", n))
            print(json.dumps(rows[-1]), flush=True)
    print()
    print("| n | method | total s | candidates s | build s | solve s | arcs/stream | peak MB | objective EUR |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        def f(key, fmt="{:.2f}", r=r):
            v = r.get(key)
            return fmt.format(v) if isinstance(v, int | float) else ""
        print(f"| {r.get('n', 'demo')} | {r['method']} | {f('total_s')} | {f('candidates_s')} | {f('build_s')} "
              f"| {f('solve_s')} | {f('per_stream', '{:.1f}')} | {f('peak_mb', '{:.0f}')} | {f('objective_eur', '{:,.0f}')} |")


if __name__ == "__main__":
    main()
