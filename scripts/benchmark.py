"""Benchmark of the matcher's default path, whole process against a lean yardstick.

Usage:
    python scripts/benchmark.py --sizes 3000 10000 30000 100000   # default path vs yardstick
    python scripts/benchmark.py --sizes 30000 --pruned 20 5        # pruning options, apart
    python scripts/benchmark.py --demo                             # match, compare, robustness
    python scripts/benchmark.py --demo match --repeat 5            # one of them
    python scripts/benchmark.py --demo --before /tmp/old-checkout  # the same, old code alternately
    python scripts/benchmark.py --rules 1000 10000                 # the rules model

The networks (``synthetic_network``): n streams and n needs at 2n sites spread uniformly over a
France-sized square (550,000 km2 whatever n, so the density grows with n). 75 % of the streams
carry one of 18 waste codes, 25 % a resource category (six trucked ones); every need accepts one
to three of these codes or categories and states its own maximum distance, 15 to 35 km (25 on
average). Product defaults: no ``max_candidates_per_stream``. Quantities 1-2,000 t, route costs
0-130 EUR/t, virgin prices 5-80 EUR/t. The network is written as a bundle (CSV folder).

Measured side by side, each in its own child process (wall time of the whole process, and its
peak resident memory from ``os.wait4``):

* ``match``: ``symbiose match --bundle DIR --out OUT``, start-up, reading and validating the
  bundle, candidates, allocation, suggestions and the three files included;
* ``yardstick``: a lean matcher written here (pandas CSV reading, scipy ``cKDTree`` radius
  queries per need, vectorised haversine and values, one OR-Tools ``SimpleMinCostFlow``, a
  matches CSV): what a careful script would do, with no validation, suggestions or indicators;
* ``raw_solve``: the OR-Tools solves alone of the blocks ``symbiose`` builds (arrays prebuilt).

The yardstick counts road transport as the matcher does (cost per full load by the category's
bulk density, handling per trip) but not the knowledge base's qualities and pre-treatments, forms
and standards, nor the rule that a need listing codes takes only those: it keeps more arcs and
reports a higher objective (BENCHMARKS.md). The growth exponent of ``match`` is the slope of
log(time) against log(arcs).
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FRANCE_KM2 = 550_000.0
# waste codes no compatibility rule covers (the pair is the receiver's own choice, quality 1)
CODES = ["010399", "010411", "010504", "010507", "010508", "010599", "020109", "020302", "020602",
         "020703", "030299", "040102", "040104", "040105", "040106", "040107", "040108", "040109",
         "040199", "040215", "040217", "040220", "050110", "050113", "050114", "050604", "050699",
         "060499", "060503", "060699"]  # fmt: skip
CODES = CODES[:18]  # with the six categories: about 2M arcs at 100k
CATEGORIES = ["wood_fuel", "wood_panel", "animal_feed", "scrap_metal", "paper_fibre", "plastic_polymer"]
TRANSPORT_EUR_PER_TKM = 0.15
ROAD_FACTOR = 1.3


def synthetic_frames(n: int, seed: int = 7):
    """companies, streams, needs as bundle tables (pandas), deterministic for (n, seed)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    side_km = math.sqrt(FRANCE_KM2)
    lat0, lon0 = 46.5, 2.5
    dlat = side_km / 111.195
    dlon = side_km / (111.195 * math.cos(math.radians(lat0)))
    lat = np.round(lat0 - dlat / 2 + rng.random(2 * n) * dlat, 6)
    lon = np.round(lon0 - dlon / 2 + rng.random(2 * n) * dlon, 6)
    cid = np.char.add("C", np.char.zfill(np.arange(2 * n).astype(str), 7))
    companies = pd.DataFrame({"id": cid, "name": np.char.add("Site ", np.arange(2 * n).astype(str)),
                              "latitude": lat, "longitude": lon})  # fmt: skip
    keys = CODES + CATEGORIES
    s_key = np.where(rng.random(n) < 0.75, rng.integers(0, len(CODES), n), len(CODES) + rng.integers(0, len(CATEGORIES), n))
    coded = s_key < len(CODES)
    codes = np.array(keys, dtype=object)[s_key]
    streams = pd.DataFrame({
        "id": np.char.add("S", np.char.zfill(np.arange(n).astype(str), 7)), "company_id": cid[:n],
        "ewc_code": np.where(coded, codes, ""), "material": np.where(coded, "", codes),
        "quantity": rng.integers(1, 2000, n), "unit": "t", "route": "landfill",
        "route_cost_eur_per_unit": rng.integers(0, 130, n),
    })  # fmt: skip
    n_keys = rng.integers(1, 4, n)
    accepted, category = [], []
    for j in range(n):
        chosen = rng.choice(len(keys), n_keys[j], replace=False)
        accepted.append(",".join(sorted(keys[k] for k in chosen if k < len(CODES))))
        cats = [keys[k] for k in chosen if k >= len(CODES)]
        category.append(cats[0] if cats else "")
    needs = pd.DataFrame({
        "id": np.char.add("N", np.char.zfill(np.arange(n).astype(str), 7)), "company_id": cid[n:],
        "category": category, "accepted_codes": accepted, "quantity": rng.integers(1, 2000, n), "unit": "t",
        "virgin_price_eur_per_unit": rng.integers(5, 80, n), "max_distance_km": rng.integers(15, 36, n),
    })  # fmt: skip
    return companies, streams, needs


def write_bundle(n: int, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "needs.csv").exists():
        for name, table in zip(("companies", "streams", "needs"), synthetic_frames(n), strict=True):
            table.to_csv(folder / f"{name}.csv", index=False)
    return folder


# ------------------------------------------------------------------------------- the yardstick


def _solid_payload_by_category() -> dict:
    """Tonnes a truck carries of a solid of each category (the best vehicle taking solids:
    min(payload, volume x the category's default bulk density)); "" for a category with no
    density (full by weight); "handling" EUR per trip and the "reference" payload the road cost is
    quoted for."""
    import csv

    data = ROOT / "data"
    with open(data / "road_vehicles.csv", encoding="utf-8", newline="") as f:
        solid = [r for r in csv.DictReader(f) if "solid" in r["physical_states"].split(";")]
    with open(data / "logistics_defaults.csv", encoding="utf-8", newline="") as f:
        density = {r["key"]: float(r["bulk_density_t_per_m3"]) for r in csv.DictReader(f)
                   if r["bulk_density_t_per_m3"] and not r["key"].startswith("state:")}  # fmt: skip
    out = {cat: max(min(float(v["payload_t"]), float(v["volume_m3"]) * d) for v in solid) for cat, d in density.items()}
    best = max(solid, key=lambda v: float(v["payload_t"]))
    out[""] = float(best["payload_t"])
    out["handling"] = float(best["handling_eur_per_trip"])
    out["reference"] = 25.0  # symbiose.logistics.REFERENCE_PAYLOAD_T
    return out


def yardstick(bundle: Path, out: Path) -> dict:
    """A lean matcher on the same bundle: k-d tree per accepted key, min-cost flow, matches.csv."""
    import pandas as pd
    from ortools.graph.python import min_cost_flow
    from scipy.spatial import cKDTree

    companies = pd.read_csv(bundle / "companies.csv", dtype={"id": str})
    streams = pd.read_csv(bundle / "streams.csv", dtype=str, keep_default_na=False)
    needs = pd.read_csv(bundle / "needs.csv", dtype=str, keep_default_na=False)
    pos = companies.set_index("id")[["latitude", "longitude"]]
    s_ll = np.radians(pos.loc[streams["company_id"]].to_numpy(float))
    n_ll = np.radians(pos.loc[needs["company_id"]].to_numpy(float))

    def xyz(ll):
        return np.column_stack([np.cos(ll[:, 0]) * np.cos(ll[:, 1]), np.cos(ll[:, 0]) * np.sin(ll[:, 1]), np.sin(ll[:, 0])])

    s_xyz, n_xyz = xyz(s_ll), xyz(n_ll)
    s_key = np.where(streams["ewc_code"] != "", streams["ewc_code"], streams["material"])
    accepts = (needs["accepted_codes"].str.split(",").map(lambda c: [x for x in c if x]) + needs["category"].map(lambda c: [c] if c else [])).explode().dropna()
    need_km = needs["max_distance_km"].astype(float).to_numpy()
    s_parts, n_parts = [], []
    for key, n_rows in accepts.groupby(accepts).groups.items():
        s_rows = np.nonzero(s_key == key)[0]
        if not len(s_rows):
            continue
        n_rows = np.asarray(n_rows)
        tree = cKDTree(s_xyz[s_rows])
        chord = 2 * np.sin((need_km[n_rows] + 1e-9) / ROAD_FACTOR / 6371.0088 / 2)
        hits = tree.query_ball_point(n_xyz[n_rows], chord)
        lengths = np.fromiter(map(len, hits), np.int64, len(hits))
        s_parts.append(s_rows[np.concatenate(hits).astype(np.int64)] if lengths.sum() else np.zeros(0, np.int64))
        n_parts.append(np.repeat(n_rows, lengths))
    s, n = np.concatenate(s_parts), np.concatenate(n_parts)
    dlat, dlon = n_ll[n, 0] - s_ll[s, 0], n_ll[n, 1] - s_ll[s, 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(s_ll[s, 0]) * np.cos(n_ll[n, 0]) * np.sin(dlon / 2) ** 2
    road = 2 * 6371.0088 * np.arcsin(np.sqrt(h)) * ROAD_FACTOR
    # a truck carries min(payload, volume x bulk density) of the pair's category and pays its
    # loading and unloading per trip (data/road_vehicles.csv, data/logistics_defaults.csv; every
    # synthetic stream is a solid, and a pair's category is its need's)
    payload = _solid_payload_by_category()
    pair_payload = needs["category"].map(payload).fillna(payload[""]).to_numpy(float)[n]
    per_t = (payload["handling"] + TRANSPORT_EUR_PER_TKM * road * payload["reference"]) / pair_payload
    value = (streams["route_cost_eur_per_unit"].astype(float).to_numpy()[s] * 100
             + needs["virgin_price_eur_per_unit"].astype(float).to_numpy()[n] * 100
             - per_t * 100)  # fmt: skip
    keep = (road <= need_km[n] + 1e-9) & (value > 0)
    s, n, cost = s[keep], n[keep], np.rint(value[keep]).astype(np.int64)
    supply = (streams["quantity"].astype(float).to_numpy() * 1000).astype(np.int64)
    demand = (needs["quantity"].astype(float).to_numpy() * 1000).astype(np.int64)
    a, b = len(supply), len(demand)
    smcf = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([s, np.arange(a), a + np.arange(b)]).astype(np.int32)
    heads = np.concatenate([a + n, np.full(a + b, a + b)]).astype(np.int32)
    caps = np.concatenate([np.minimum(supply[s], demand[n]), supply, demand])
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, np.concatenate([-cost, np.zeros(a + b, np.int64)]))
    smcf.set_nodes_supplies(np.arange(a + b + 1, dtype=np.int32), np.concatenate([supply, np.zeros(b, np.int64), [-supply.sum()]]))
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise SystemExit(f"yardstick: min-cost flow status {status}")
    flow = smcf.flows(np.arange(len(s)))
    used = flow > 0
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"stream_id": streams["id"].to_numpy()[s[used]], "need_id": needs["id"].to_numpy()[n[used]],
                  "quantity": flow[used] / 1000}).to_csv(out / "matches.csv", index=False)  # fmt: skip
    return {"arcs": int(len(s)), "objective_eur": float(-smcf.optimal_cost()) / 1000 / 100}


def raw_solve(bundle: Path) -> dict:
    """The OR-Tools solves alone of the blocks symbiose builds (everything before is prebuilt)."""
    from ortools.graph.python import min_cost_flow

    from symbiose.bundle import read_bundle
    from symbiose.candidates import build_candidates
    from symbiose.optimize import blocks, build_problem

    problem = build_problem(build_candidates(read_bundle(bundle)))
    ex = problem.arcs
    supply = problem.stream_nodes["supply_base"].to_numpy(np.int64)
    demand = problem.need_nodes["demand_base"].to_numpy(np.int64)
    snode, nnode = ex["snode"].to_numpy(np.int64), ex["nnode"].to_numpy(np.int64)
    cap, cost = ex["capacity_base"].to_numpy(np.int64), -ex["cost_cents"].to_numpy(np.int64)
    prepared = []
    for arcs in blocks(problem):
        s_nodes, s_local = np.unique(snode[arcs], return_inverse=True)
        n_nodes, n_local = np.unique(nnode[arcs], return_inverse=True)
        a, b = len(s_nodes), len(n_nodes)
        prepared.append((
            np.concatenate([s_local, np.arange(a), a + np.arange(b)]).astype(np.int32),
            np.concatenate([a + n_local, np.full(a + b, a + b)]).astype(np.int32),
            np.concatenate([cap[arcs], supply[s_nodes], demand[n_nodes]]),
            np.concatenate([cost[arcs], np.zeros(a + b, np.int64)]),
            np.concatenate([supply[s_nodes], np.zeros(b, np.int64), [-supply[s_nodes].sum()]]),
        ))  # fmt: skip
    t0 = time.perf_counter()
    total = 0
    for tails, heads, caps, costs, node_supply in prepared:
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        smcf.set_nodes_supplies(np.arange(len(node_supply), dtype=np.int32), node_supply)
        if smcf.solve() != smcf.OPTIMAL:
            raise SystemExit("raw solve: not optimal")
        total += smcf.optimal_cost()
    return {"solve_s": time.perf_counter() - t0, "arcs": int(len(ex)), "objective_eur": -total / 1000 / 100}


# ------------------------------------------------------------------------------ child processes


def _tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process and all its descendants (MB; Linux): the memory the
    tree holds at once, each shared page counted once over the processes sharing it."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def wrapped(args: list[str], sample: bool = True) -> dict:
    """Run ``args`` and measure it: wall time, CPU of the process and every child it waited for
    (a solver run in a child process included), the largest single process's peak resident
    memory (``ru_maxrss``) and, with ``sample``, sampled every 20 ms, the peak of the whole
    process tree's proportional memory (where the command runs two processes at once).

    The sampling reads the kernel's page tables and takes CPU from a command that uses both
    cores (0.7 to 0.9 s of a 30k match, measured): timed runs do not sample, and the tree's
    memory comes from a run of its own."""
    import resource

    # the command's output goes to files: a pipe nobody reads while sampling would fill and stall it
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out_file, stderr=err_file)
        tree_peak = 0.0
        if sample and Path("/proc/self/smaps_rollup").exists():
            while proc.poll() is None:
                tree_peak = max(tree_peak, _tree_pss_mb(proc.pid))
                time.sleep(0.02)
        proc.wait()
        wall = time.perf_counter() - started
        out_file.seek(0)
        err_file.seek(0)
        out = out_file.read().decode("utf-8", "replace")
        err = err_file.read().decode("utf-8", "replace")
    sys.stderr.write(err)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(out)
    return {"wall_s": round(wall, 3), "rc": proc.returncode, "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_mb": round(usage.ru_maxrss / 1024), "tree_peak_mb": round(tree_peak) or None}  # fmt: skip


def timed_child(args: list[str], env: dict | None = None, sample: bool = False) -> dict:
    """Like run_child, but the time and memory come from a wrapper process of its own
    (:func:`wrapped`). ``env``: extra environment variables (``PYTHONPATH`` of another checkout,
    for --before)."""
    wrap = "--wrap-sampled" if sample else "--wrap"
    proc = subprocess.run([sys.executable, __file__, wrap, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env} if env else None)  # fmt: skip
    lines = proc.stdout.strip().splitlines()
    row = json.loads(lines[-1])
    if row.pop("rc"):
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    for line in reversed(lines[:-1]):
        if line.startswith("{"):
            row.update(json.loads(line))
            break
    row["stdout"] = "\n".join(lines[:-1])
    return row


def symbiose_cmd() -> str:
    return str(Path(sys.executable).parent / "symbiose")


def objective_from_out(out: Path) -> float:
    return json.loads((out / "kpis.json").read_text(encoding="utf-8"))["solver"]["objective_eur"]


def default_path(sizes: list[int], work: Path, repeat: int) -> list[dict]:
    rows = []
    for n in sizes:
        bundle = write_bundle(n, work / f"n{n}")
        best: dict[str, dict] = {}
        for _ in range(repeat):  # alternate the two so that the machine's load hits both alike
            for name, args in (
                ("match", [symbiose_cmd(), "match", "--bundle", str(bundle), "--out", str(work / f"out{n}")]),
                ("yardstick", [sys.executable, __file__, "--yardstick", str(bundle), str(work / f"yard{n}")]),
            ):
                got = timed_child(args)
                if name not in best or got["wall_s"] < best[name]["wall_s"]:
                    best[name] = got
        raw = timed_child([sys.executable, __file__, "--raw-solve", str(bundle)])
        tree = timed_child([symbiose_cmd(), "match", "--bundle", str(bundle), "--out", str(work / f"out{n}")], sample=True)
        match, yard = best["match"], best["yardstick"]
        row = {
            "n": n, "arcs": yard["arcs"], "match_s": match["wall_s"], "match_cpu_s": match["cpu_s"],
            "match_peak_mb": match["peak_mb"], "match_tree_peak_mb": tree["tree_peak_mb"], "yardstick_s": yard["wall_s"], "yardstick_cpu_s": yard["cpu_s"],
            "yardstick_peak_mb": yard["peak_mb"],
            "ratio_to_yardstick": round(match["wall_s"] / yard["wall_s"], 2),
            "cpu_ratio_to_yardstick": round(match["cpu_s"] / yard["cpu_s"], 2),
            "raw_solve_s": round(raw["solve_s"], 3),
            "ratio_to_raw_solve": round(match["wall_s"] / raw["solve_s"], 2),
            "objective_eur": objective_from_out(work / f"out{n}"), "yardstick_objective_eur": yard["objective_eur"],
        }  # fmt: skip
        rows.append(row)
        print(json.dumps(row), flush=True)
    if len(rows) >= 2:
        arcs = np.log([r["arcs"] for r in rows])
        secs = np.log([r["match_s"] for r in rows])
        slope = float(np.polyfit(arcs, secs, 1)[0])
        end_to_end = float((secs[-1] - secs[0]) / (arcs[-1] - arcs[0]))
        print(json.dumps({"growth_exponent_fit": round(slope, 2), "growth_exponent_ends": round(end_to_end, 2)}))
    return rows


def pruned(sizes: list[int], ks: list[int], work: Path) -> list[dict]:
    """max_candidates_per_stream = k against the default path: time and the objective lost."""
    rows = []
    for n in sizes:
        bundle = write_bundle(n, work / f"n{n}")
        for k in [None, *ks]:
            scenario = work / f"pruned_{n}_{k}.toml"
            params = f"max_candidates_per_stream = {k}\n" if k else ""
            scenario.write_text(f'[scenario]\nname = "k{k}"\nbase = "{bundle}"\n\n[parameters]\n{params}', encoding="utf-8")
            got = timed_child([symbiose_cmd(), "match", "--scenario", str(scenario), "--out", str(work / f"pr{n}_{k}")])
            rows.append({"n": n, "max_candidates_per_stream": k, "match_s": got["wall_s"], "cpu_s": got["cpu_s"], "peak_mb": got["peak_mb"],
                         "objective_eur": objective_from_out(work / f"pr{n}_{k}")})  # fmt: skip
            if k:
                rows[-1]["objective_lost_pct"] = round(100 * (1 - rows[-1]["objective_eur"] / rows[-1 - ks.index(k) - 1]["objective_eur"]), 3)
            print(json.dumps(rows[-1]), flush=True)
    return rows


def demo(work: Path, repeat: int, only: list[str] | None = None, before: Path | None = None) -> list[dict]:
    """Whole processes on the demo bundle: match, compare every scenario, robustness (``only``:
    those whose command starts with one of these words).

    ``before``: another checkout of Symbiose (a git worktree of an older commit); each command
    then also runs with that code (``PYTHONPATH``), alternately with this one, on the same files,
    so that both see the same load.
    """
    scenarios = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
    commands = {
        "match --bundle data/demo": ["match", "--bundle", "data/demo", "--out", str(work / "demo")],
        "compare scenarios/*.toml --bundle data/demo": ["compare", *scenarios, "--bundle", "data/demo"],
        "robustness --draws 30 --bundle data/demo": ["robustness", "--draws", "30", "--bundle", "data/demo"],
    }
    codes = {"after": None} if before is None else {"before": {"PYTHONPATH": str(before.resolve())}, "after": None}
    rows = []
    for label, args in commands.items():
        if only and label.split()[0] not in only:
            continue
        times: dict[str, list[dict]] = {code: [] for code in codes}
        for _ in range(repeat):
            for code, env in codes.items():
                times[code].append(timed_child([symbiose_cmd(), *args], env))
        for code in codes:
            best = min(times[code], key=lambda r: r["wall_s"])
            rows.append({"command": f"symbiose {label}", **({"code": code} if before else {}), "wall_s": best["wall_s"],
                         "cpu_s": min(t["cpu_s"] for t in times[code]), "peak_mb": best["peak_mb"],
                         "runs_s": [t["wall_s"] for t in times[code]]})  # fmt: skip
            print(json.dumps(rows[-1]), flush=True)
    code = "import time;t=time.perf_counter();import symbiose.cli;print(round(time.perf_counter()-t,3))"
    imports = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout) for _ in range(repeat)]
    sqlalchemy = subprocess.run([sys.executable, "-c", "import sys,symbiose.cli;print('sqlalchemy' in sys.modules)"],
                                capture_output=True, text=True, cwd=ROOT).stdout.strip()  # fmt: skip
    rows.append({"command": "import symbiose.cli", "wall_s": min(imports), "imports_sqlalchemy": sqlalchemy == "True"})
    print(json.dumps(rows[-1]), flush=True)
    return rows


def rules_model(sizes: list[int], work: Path) -> list[dict]:
    """Minimum lot 50 t, at most 2 partners per stream, 300 EUR per link, 6 s limit."""
    rows = []
    for n in sizes:
        bundle = write_bundle(n, work / f"n{n}")
        scenario = work / f"rules_{n}.toml"
        scenario.write_text(f'[scenario]\nname = "rules"\nbase = "{bundle}"\n\n[rules]\nmin_lot_t = 50\n'
                            "max_partners_per_stream = 2\nfixed_cost_per_link_eur = 300\ntime_limit_s = 6\n", encoding="utf-8")  # fmt: skip
        got = timed_child([symbiose_cmd(), "match", "--scenario", str(scenario), "--out", str(work / f"rules{n}")])
        kpis = json.loads((work / f"rules{n}" / "kpis.json").read_text(encoding="utf-8"))["solver"]
        rows.append({"n": n, "match_s": got["wall_s"], "peak_mb": got["peak_mb"], **kpis})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def with_bytecode(before: Path | None) -> None:
    """Measure what a user runs: Python caches the compiled modules (``__pycache__``) of an
    installed package, unless ``PYTHONDONTWRITEBYTECODE`` is set, as on some build machines; then
    every run compiles the whole package again (about 0.8 s of the demo match on this machine).
    The children run without it, on modules compiled here once."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for root in (ROOT, before):
        if root is not None:
            compileall.compile_dir(str(Path(root) / "symbiose"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[])
    parser.add_argument("--pruned", type=int, nargs="*", default=[], help="max_candidates_per_stream values")
    parser.add_argument("--rules", type=int, nargs="*", default=[])
    parser.add_argument("--demo", nargs="*", choices=["match", "compare", "robustness"], default=None,
                        help="the demo's commands (all when none is named)")
    parser.add_argument("--before", type=Path, help="with --demo: another checkout run alternately with this one")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (the fastest is kept)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "symbiose-bench")
    parser.add_argument("--yardstick", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--raw-solve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--wrap", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument("--wrap-sampled", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument("--clean", action="store_true", help="remove the generated bundles afterwards")
    args = parser.parse_args()
    if args.wrap or args.wrap_sampled:
        print(json.dumps(wrapped(args.wrap or args.wrap_sampled, sample=bool(args.wrap_sampled))))
        return
    if args.yardstick:
        print(json.dumps(yardstick(*args.yardstick)))
        return
    if args.raw_solve:
        print(json.dumps(raw_solve(args.raw_solve)))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    with_bytecode(args.before)
    if args.demo is not None:
        demo(args.work, args.repeat, args.demo, args.before)
    if args.sizes and not args.pruned:
        default_path(args.sizes, args.work, args.repeat)
    if args.pruned:
        pruned(args.sizes, args.pruned, args.work)
    if args.rules:
        rules_model(args.rules, args.work)
    if args.clean:
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
