"""Robustness: which synergies of a solution hold when quantities vary or a partner leaves.

* Quantity draws: every stream and need quantity is multiplied by an independent uniform factor
  in ``[1 - variation, 1 + variation]`` (seeded), and the allocation is solved again; a synergy's
  stability is the share of draws in which the pair still carries a flow.
* Partner exit: each company taking part in the base solution leaves in turn; a synergy between
  two other companies survives the exit if it is still used. Its exit stability is the share of
  such exits it survives.

Candidates are computed once: quantities do not change which pairs are compatible, only the
capacities and a pipe's cost per unit (spread over the flow, ``compat.pipe_scale``), so each draw
is a fresh min-cost flow on the same arcs, its piped pairs repriced for the drawn quantities. A
pipe that pays only at a larger flow than the base quantities is not among the arcs, so no draw
adds it: a draw can only lose piped pairs, never gain one (on the demo at x1.3, rebuilding the
candidates would add one process-water pipe).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from symbiose.candidates import arc_capacity, piped_arcs, repriced_pipes
from symbiose.domain import Network
from symbiose.matching import candidates_for, fixed_flows
from symbiose.optimize import (
    _pair_positions,
    allocate,
    blocks,
    problem_structure,
    quantified,
    solve_min_cost_flow,
)
from symbiose.params import MatchParameters
from symbiose.sweep import Progress, default_workers, run_tasks


def _with_quantities(candidates, s_factor: np.ndarray, n_factor: np.ndarray, *, arcs: bool = True,
                     piped="find"):  # fmt: skip
    """The candidates with their quantities scaled. ``arcs=False`` leaves the arcs' capacities as
    they were: the pure min-cost flow takes its capacities from the nodes' monthly quantities
    (:func:`symbiose.optimize.quantified`), not from them. ``piped``: the candidates'
    ``piped_arcs``, when already found."""
    streams = candidates.streams.assign(
        quantity_base=np.rint(candidates.streams["quantity_base"].to_numpy() * s_factor).astype(np.int64))
    needs = candidates.needs.assign(
        quantity_base=np.rint(candidates.needs["quantity_base"].to_numpy() * n_factor).astype(np.int64))
    # a pipe's cost per unit follows the flow the pair can carry with these quantities
    priced = repriced_pipes(candidates, streams, needs, piped)
    if not arcs:
        return replace(candidates, streams=streams, needs=needs, arcs=priced)
    # the arcs trade what the candidates would give for these quantities: the months both
    # exist, and storage where the residue keeps (the same function)
    capacity = arc_capacity(streams, needs, candidates.arcs)
    return replace(candidates, streams=streams, needs=needs, arcs=priced.assign(capacity_base=capacity))


def robustness(network: Network, params: MatchParameters | None = None, *, draws: int = 30,
               variation: float = 0.3, seed: int = 1, partner_exit: bool = True, workers: int | None = None,
               progress: Progress | None = None, cluster: str | None = None) -> pd.DataFrame:  # fmt: skip
    """Stability per synergy of the base solution, most stable first.

    The draws and exits are independent solves on one problem structure (only quantities
    change): they run in a local process pool by default, or on ``cluster`` (see
    :mod:`symbiose.sweep`), with the same results as one after the other; every random factor is
    drawn first. ``progress(done, total)`` follows the batches of solves.
    """
    if not 0 <= variation < 1:
        raise ValueError("variation must be in [0, 1)")
    params = params or MatchParameters()
    fixed = fixed_flows(network) if params.rules.keep_implemented else []
    candidates = candidates_for(network, params)
    structure = problem_structure(candidates)
    base = allocate(candidates, rules=params.rules, fixed=fixed, structure=structure)
    flows = base.flows
    columns = ["stream_id", "need_id", "supplier_id", "receiver_id", "quantity", "unit",
               "quantity_stability_pct", "exit_stability_pct", "exits_tested", "mean_quantity_in_draws"]  # fmt: skip
    if not len(flows):
        return pd.DataFrame(columns=columns)
    key = _pair_positions(candidates.arcs, flows["stream_id"].astype(str), flows["need_id"].astype(str))
    supplier = candidates.streams["company_id"].to_numpy()[flows["s"].to_numpy(dtype=np.int64)]
    receiver = candidates.needs["company_id"].to_numpy()[flows["n"].to_numpy(dtype=np.int64)]
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(draws):
        s_factor = rng.uniform(1 - variation, 1 + variation, len(candidates.streams))
        n_factor = rng.uniform(1 - variation, 1 + variation, len(candidates.needs))
        cases.append((s_factor, n_factor, _scaled_fixed(fixed, candidates, s_factor, n_factor)))
    companies = sorted(set(supplier) | set(receiver)) if partner_exit else []
    owner_of_stream = dict(zip(candidates.streams["stream_id"], candidates.streams["company_id"], strict=True))
    owner_of_need = dict(zip(candidates.needs["need_id"], candidates.needs["company_id"], strict=True))
    for company in companies:
        s_keep = (candidates.streams["company_id"] != company).to_numpy().astype(float)
        n_keep = (candidates.needs["company_id"] != company).to_numpy().astype(float)
        alive = [f for f in fixed if f.quantity_base and company not in
                 (owner_of_stream.get(f.stream_id), owner_of_need.get(f.need_id))]
        cases.append((s_keep, n_keep, alive))
    n_tasks = min(len(cases), max(1, 4 * (default_workers(len(cases)) if workers is None else workers)))
    batches = [list(range(len(cases)))[i::n_tasks] for i in range(n_tasks)]
    piped = piped_arcs(candidates)
    tasks = [(candidates, structure, params.rules, key, piped, [(i, *cases[i]) for i in batch]) for batch in batches]
    quantity = np.zeros((len(cases), len(key)))
    for solved in run_tasks(_solve_cases, tasks, workers=workers, progress=progress, cluster=cluster):
        for i, q in solved:
            quantity[i] = q
    drawn = quantity[:draws]
    kept = (drawn > 0).sum(axis=0)
    qty_sum = drawn.sum(axis=0)
    exits_ok = np.zeros(len(key))
    exits_n = np.zeros(len(key))
    for j, company in enumerate(companies):
        concerned = (supplier != company) & (receiver != company)
        exits_n += concerned
        exits_ok += concerned & (quantity[draws + j] > 0)
    out = pd.DataFrame({
        "stream_id": flows["stream_id"], "need_id": flows["need_id"], "supplier_id": supplier,
        "receiver_id": receiver, "quantity": flows["flow_base"] / 1000, "unit": flows["unit"],
        "quantity_stability_pct": np.round(100 * kept / draws, 1),
        "exit_stability_pct": np.round(100 * np.divide(exits_ok, exits_n, out=np.full(len(key), np.nan), where=exits_n > 0), 1),
        "exits_tested": exits_n.astype(int),
        "mean_quantity_in_draws": np.round(qty_sum / draws / 1000, 3),
    })  # fmt: skip
    return out.sort_values(["quantity_stability_pct", "exit_stability_pct", "quantity"],
                           ascending=[False, False, False]).reset_index(drop=True)  # fmt: skip


def _solve_cases(task) -> list[tuple[int, np.ndarray]]:
    """Solve a batch of quantity changes on one structure: the flow of every base synergy
    (``pairs``: their rows among the candidate arcs)."""
    candidates, structure, rules, pairs, piped, cases = task
    out = []
    known = None  # the last arcs solved and their blocks: most draws keep every arc
    for i, s_factor, n_factor, fixed in cases:
        changed = _with_quantities(candidates, s_factor, n_factor, arcs=rules.active, piped=piped)
        if rules.active:  # the rules' solver; its flows are mapped back to the arcs
            got = allocate(changed, rules=rules, fixed=fixed, structure=structure).flows
            rows = _pair_positions(changed.arcs, got["stream_id"].astype(str), got["need_id"].astype(str))
            per_pair = np.bincount(rows, weights=got["flow_base"].to_numpy(float), minlength=len(changed.arcs))
        else:  # the pure min-cost flow, without building the result tables
            problem = quantified(structure, changed, fixed)
            ends = (problem.arcs["snode"].to_numpy(), problem.arcs["nnode"].to_numpy())
            if known is None or not all(np.array_equal(a, b) for a, b in zip(ends, known[0], strict=True)):
                known = (ends, blocks(problem))
            flows, _ = solve_min_cost_flow(problem, parts=known[1])
            per_pair = np.bincount(problem.arcs["pair"].to_numpy(np.int64), weights=flows.astype(float),
                                   minlength=len(changed.arcs))  # fmt: skip
        out.append((i, per_pair[pairs]))
    return out


def _scaled_fixed(fixed, candidates, s_factor: np.ndarray, n_factor: np.ndarray):
    """Implemented synergies vary with their partners: scaled by the smaller of the two factors
    (and never up), so that they still fit in every month the pair shares."""
    if not fixed:
        return []
    s_row = {sid: i for i, sid in enumerate(candidates.streams["stream_id"])}
    n_row = {nid: i for i, nid in enumerate(candidates.needs["need_id"])}
    out = []
    for f in fixed:
        factor = min(1.0, s_factor[s_row[f.stream_id]], n_factor[n_row[f.need_id]])
        out.append(replace(f, quantity_base=int(f.quantity_base * factor * 0.999)))
    return out
