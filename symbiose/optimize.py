"""The allocation model: how much of each stream goes to which need.

Maximise the network's net benefit ``sum over arcs of flow x value_per_unit`` (minus a fixed
cost per link when a rule asks for one), each stream's and need's quantity being its capacity.
Unmatched waste stays on its current route, unmet needs keep buying virgin material.

* Pure problem: a min-cost flow (OR-Tools ``SimpleMinCostFlow``, exact). Streams -> needs arcs cost
  ``-value``; every stream and need also reaches a single sink at no cost, so the network is always
  balanced and feasible, and unmatched quantities are explicit.
* Monthly profiles: connected blocks of the candidate graph where anyone is seasonal are expanded
  into months (a stream cannot feed a need in a month it does not exist); other blocks stay annual.
* Rules (minimum lot, at most K partners, a fixed cost per link): min-cost flow plus repair
  (ban arcs under the lot size or beyond a company's K best, fold fixed costs into unit costs,
  re-solve), then CP-SAT with a time limit on the arcs that matter, hinted with the repaired
  solution. The better feasible solution wins; CP-SAT's bound is reported.
* Implemented synergies are kept (their quantity is a lower bound); abandoned pairs are excluded
  before candidates reach the solver.

Units: flows are integers in base units (kg, L, kWh); arc costs are integer cents per declared
unit (t, m3, MWh), so ``flow x cost / 1000`` is in cents. The solver status is always checked
before any value is read (reading flows after a non-optimal status crashes OR-Tools).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from symbiose.candidates import ALL_MONTHS, Candidates
from symbiose.errors import InfeasibleError, RangeError, SolverError
from symbiose.i18n import _, gettext
from symbiose.params import Rules
from symbiose.ranges import SOLVER_INT_LIMIT
from symbiose.units import BASE_PER_UNIT

INT64_SAFE = SOLVER_INT_LIMIT


def connected_components(n_nodes: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The component of each of ``n_nodes`` nodes joined by the edges (u, v), numbered by their
    smallest node (0 for node 0's, then in the order of their first node): the numbering of
    scipy's ``csgraph.connected_components``, without importing scipy.sparse.

    Every node points to a smaller node of its component; each round hooks the larger of the two
    roots an edge joins under the smaller, then halves every path until each node points at its
    root, which ends as the component's smallest node.
    """
    parent = np.arange(n_nodes)
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    while len(u):
        pu, pv = parent[u], parent[v]
        low, high = np.minimum(pu, pv), np.maximum(pu, pv)
        apart = low != high
        if not apart.any():
            break
        np.minimum.at(parent, high[apart], low[apart])
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
        u, v = u[apart], v[apart]  # edges already inside one tree stay so
    return np.unique(parent, return_inverse=True)[1]


@dataclass(frozen=True)
class FixedFlow:
    """A synergy whose quantity is kept (implemented): a lower bound on a pair's annual flow."""

    stream_id: str
    need_id: str
    quantity_base: int


@dataclass(frozen=True)
class Problem:
    """The solver's view: arcs expanded by month, with node supplies and demands.

    ``arcs``: pair (row of candidates.arcs), month (0 = annual), cost_cents (int, per unit, >0 is
    a gain), capacity_base, snode, nnode. ``supply``/``demand``: base units per stream/need node.
    """

    arcs: pd.DataFrame
    stream_nodes: pd.DataFrame  # s, month, supply_base
    need_nodes: pd.DataFrame  # n, month, demand_base
    candidates: Candidates
    lower_base: np.ndarray  # per arc, from fixed flows


@dataclass(frozen=True)
class Allocation:
    """A solved allocation. ``flows`` has one row per used (stream, need) pair, months summed."""

    status: str  # "optimal" or "feasible"
    backend: str
    objective_cents: float  # net benefit per year, solver's integer costs, fixed costs deducted
    bound_cents: float | None
    flows: pd.DataFrame
    monthly: pd.DataFrame
    stats: dict = field(default_factory=dict)


def _split(total: np.ndarray, bits: np.ndarray) -> pd.DataFrame:
    """Spread integer quantities evenly over their active months (remainder to the first ones)."""
    plan = _split_plan(bits)
    return pd.DataFrame({"row": plan[0], "month": plan[1], "quantity": _split_apply(plan, total)})


def _split_plan(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What :func:`_split` keeps when only the quantities change: (row, month, the row's number
    of months, the month's rank among them), in (row, month) order."""
    rows_idx, months = [], []
    for m in range(12):
        on = (bits >> m) & 1
        idx = np.nonzero(on)[0]
        rows_idx.append(idx)
        months.append(np.full(len(idx), m + 1))
    idx = np.concatenate(rows_idx)
    month = np.concatenate(months)
    order = np.lexsort((month, idx))
    idx, month = idx[order], month[order]
    count = np.bincount(idx, minlength=len(bits))
    rank = np.arange(len(idx)) - np.searchsorted(idx, idx)
    return idx, month, count[idx], rank


def _split_apply(plan: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], total: np.ndarray) -> np.ndarray:
    """The monthly quantities of a :func:`_split_plan` for these totals."""
    idx, _month, count, rank = plan
    wanted = total[idx]
    base = wanted // count
    return base + (rank < (wanted - base * count)).astype(np.int64)


@dataclass(frozen=True)
class Structure:
    """What a problem keeps when only quantities change: blocks, nodes and expanded arcs.

    Seasonal blocks (connected components where anyone is seasonal) depend on the arcs and the
    months, not on quantities; a robustness draw or a partner exit re-uses the structure and
    only re-computes supplies, demands and capacities, and takes the arcs' values from its
    candidates (a draw reprices its pipes, ``candidates.repriced_pipes``; :func:`quantified`).
    """

    s_seasonal: np.ndarray
    n_seasonal: np.ndarray
    stream_rows: pd.DataFrame  # s, month
    need_rows: pd.DataFrame  # n, month
    arcs: pd.DataFrame  # pair, month, s, n, snode, nnode, cost_cents
    s_plan: tuple | None = None  # _split_plan of the seasonal streams' months
    n_plan: tuple | None = None


def problem_structure(candidates: Candidates) -> Structure:
    """Blocks, nodes and expanded arcs of a candidate set (no quantities)."""
    arcs = candidates.arcs
    streams, needs = candidates.streams, candidates.needs
    ns, nn = len(streams), len(needs)
    s_idx = arcs["s"].to_numpy(dtype=np.int64)
    n_idx = arcs["n"].to_numpy(dtype=np.int64)
    label = connected_components(ns + nn, s_idx, ns + n_idx)
    s_bits = streams["month_bits"].to_numpy(dtype=np.int64)
    n_bits = needs["month_bits"].to_numpy(dtype=np.int64)
    seasonal_node = np.concatenate([s_bits != ALL_MONTHS, n_bits != ALL_MONTHS])
    seasonal_label = np.zeros(label.max() + 1 if len(label) else 0, dtype=bool)
    np.logical_or.at(seasonal_label, label, seasonal_node)
    s_seasonal = seasonal_label[label[:ns]] if ns else np.zeros(0, bool)
    n_seasonal = seasonal_label[label[ns:]] if nn else np.zeros(0, bool)
    stream_rows = _node_rows(s_seasonal, s_bits).rename(columns={"row": "s"})
    need_rows = _node_rows(n_seasonal, n_bits).rename(columns={"row": "n"})

    pair = np.arange(len(arcs))
    seasonal_arc = s_seasonal[s_idx] if len(arcs) else np.zeros(0, bool)
    annual_arcs = pd.DataFrame({"pair": pair[~seasonal_arc], "month": 0})
    sea_pairs = pair[seasonal_arc]
    common = arcs["month_bits"].to_numpy(dtype=np.int64)[sea_pairs]
    expanded = [
        pd.DataFrame({"pair": sea_pairs[(common >> m) & 1 == 1], "month": m + 1}) for m in range(12)
    ]
    ex = pd.concat([annual_arcs, *expanded], ignore_index=True).sort_values(["pair", "month"])
    ex = ex.reset_index(drop=True)
    ex["s"] = s_idx[ex["pair"].to_numpy()]
    ex["n"] = n_idx[ex["pair"].to_numpy()]
    ex["snode"] = _node_index(stream_rows["s"], stream_rows["month"], ex["s"], ex["month"])
    ex["nnode"] = _node_index(need_rows["n"], need_rows["month"], ex["n"], ex["month"])
    ex = ex[(ex["snode"] >= 0) & (ex["nnode"] >= 0)].reset_index(drop=True)
    ex["cost_cents"] = np.rint(arcs["value_cents"].to_numpy()[ex["pair"].to_numpy()]).astype(np.int64)
    return Structure(s_seasonal, n_seasonal, stream_rows, need_rows, ex,
                     _split_plan(s_bits[s_seasonal]), _split_plan(n_bits[n_seasonal]))  # fmt: skip


def _node_rows(seasonal: np.ndarray, bits: np.ndarray) -> pd.DataFrame:
    """Nodes of one side: (row, month 0) for annual rows, (row, month) for seasonal ones."""
    annual = pd.DataFrame({"row": np.nonzero(~seasonal)[0], "month": 0})
    sea = np.nonzero(seasonal)[0]
    monthly = _split(np.zeros(len(sea), dtype=np.int64), bits[sea])
    monthly = pd.DataFrame({"row": sea[monthly["row"].to_numpy()], "month": monthly["month"].to_numpy()})
    return pd.concat([annual, monthly], ignore_index=True)


def _node_quantities(qty: np.ndarray, seasonal: np.ndarray, bits: np.ndarray, plan: tuple | None = None) -> np.ndarray:
    """Quantities of the nodes of :func:`_node_rows`, in their order (``plan``: the
    :func:`_split_plan` of the seasonal rows' months, when already made)."""
    plan = _split_plan(bits[seasonal]) if plan is None else plan
    return np.concatenate([qty[~seasonal], _split_apply(plan, qty[seasonal])]).astype(np.int64)


def quantified(structure: Structure, candidates: Candidates, fixed: list[FixedFlow] = ()) -> Problem:
    """The problem of a structure with the quantities of ``candidates`` (same arcs)."""
    arcs = candidates.arcs
    streams, needs = candidates.streams, candidates.needs
    supply = _node_quantities(streams["quantity_base"].to_numpy(dtype=np.int64), structure.s_seasonal,
                              streams["month_bits"].to_numpy(dtype=np.int64), structure.s_plan)  # fmt: skip
    demand = _node_quantities(needs["quantity_base"].to_numpy(dtype=np.int64), structure.n_seasonal,
                              needs["month_bits"].to_numpy(dtype=np.int64), structure.n_plan)  # fmt: skip
    stream_nodes = structure.stream_rows.assign(supply_base=supply)
    need_nodes = structure.need_rows.assign(demand_base=demand)
    ex = structure.arcs
    capacity = np.minimum(supply[ex["snode"].to_numpy()], demand[ex["nnode"].to_numpy()])
    # the arcs' values are the candidates' (a pipe's value per unit follows its flow: robustness
    # reprices them when it draws quantities), not those the structure was built with
    cost = np.rint(arcs["value_cents"].to_numpy(dtype=float)[ex["pair"].to_numpy()]).astype(np.int64)
    ex = ex.assign(capacity_base=capacity, cost_cents=cost)[capacity > 0].reset_index(drop=True)
    lower = _lower_bounds(ex, arcs, fixed, stream_nodes, need_nodes)
    # a pair kept only because it is implemented carries its agreed quantity, no more
    if "forced_only" in arcs.columns and len(ex):
        only = arcs["forced_only"].to_numpy(dtype=bool)[ex["pair"].to_numpy()]
        ex.loc[only, "capacity_base"] = lower[only]
    # an arc that loses money is never used, unless an implemented synergy forces it
    keep = (ex["cost_cents"].to_numpy() > 0) | (lower > 0)
    return Problem(ex[keep].reset_index(drop=True), stream_nodes, need_nodes, candidates, lower[keep])


def build_problem(candidates: Candidates, fixed: list[FixedFlow] = ()) -> Problem:
    """Expand seasonal blocks into months and index the nodes of the flow network."""
    return quantified(problem_structure(candidates), candidates, fixed)


def _node_index(node_row, node_month, row, month) -> np.ndarray:
    """Position of each (row, month) among the nodes, -1 where there is none (vectorised)."""
    node_key = node_row.to_numpy(np.int64) * 13 + node_month.to_numpy(np.int64)
    order = np.argsort(node_key, kind="stable")
    key = row.to_numpy(np.int64) * 13 + month.to_numpy(np.int64)
    pos = np.searchsorted(node_key[order], key)
    pos = np.minimum(pos, max(len(order) - 1, 0))
    found = (node_key[order][pos] == key) if len(order) else np.zeros(len(key), dtype=bool)
    return np.where(found, order[pos] if len(order) else -1, -1)


def _lower_bounds(ex: pd.DataFrame, arcs: pd.DataFrame, fixed, stream_nodes=None,
                  need_nodes=None) -> np.ndarray:  # fmt: skip
    """Per-arc lower bounds of implemented synergies.

    A yearly quantity is spread over the pair's months in proportion to the room each month
    leaves (the arc's capacity, and what the stream and the need still hold that month after the
    synergies placed before it), so that several implemented synergies of one stream fit together.
    """
    lower = np.zeros(len(ex), dtype=np.int64)
    if not fixed:
        return lower
    supply_left = stream_nodes["supply_base"].to_numpy(np.int64).copy()
    demand_left = need_nodes["demand_base"].to_numpy(np.int64).copy()
    snode, nnode = ex["snode"].to_numpy(np.int64), ex["nnode"].to_numpy(np.int64)
    cap = ex["capacity_base"].to_numpy(np.int64)
    ordered = sorted(fixed, key=lambda f: (f.stream_id, f.need_id))
    pair_of = _pair_positions(arcs, [f.stream_id for f in ordered], [f.need_id for f in ordered])
    ex_pair = ex["pair"].to_numpy(np.int64)  # sorted: the structure's arcs are in (pair, month) order
    starts = np.searchsorted(ex_pair, pair_of, side="left")
    ends = np.searchsorted(ex_pair, pair_of, side="right")
    for f, pair, start, end in zip(ordered, pair_of, starts, ends, strict=True):
        rows = np.arange(start, end) if pair >= 0 and end > start else None
        if rows is None:
            raise InfeasibleError(
                _("the implemented synergy {stream_id} -> {need_id} is no longer a valid candidate (no common month, units that cannot be compared, a hazardous waste to a receiver without a permit, or one company on both sides); set rules.keep_implemented = false or change the synergy's stage").format(stream_id=f.stream_id, need_id=f.need_id)
            )
        room = np.minimum(cap[rows] - lower[rows], np.minimum(supply_left[snode[rows]], demand_left[nnode[rows]]))
        room = np.maximum(room, 0)
        wanted = int(f.quantity_base)
        if room.sum() < wanted:
            raise InfeasibleError(
                _('the implemented synergy {stream_id} -> {need_id} carries more than the stream or the need can hold in their common months; correct its quantity').format(stream_id=f.stream_id, need_id=f.need_id)
            )
        take = (room * (wanted / room.sum())).astype(np.int64) if room.sum() else np.zeros(len(rows), np.int64)
        short = wanted - int(take.sum())
        for i in np.argsort(-(room - take), kind="stable"):
            if short <= 0:
                break
            extra = min(short, int(room[i] - take[i]))
            take[i] += extra
            short -= extra
        lower[rows] += take
        np.subtract.at(supply_left, snode[rows], take)
        np.subtract.at(demand_left, nnode[rows], take)
    return lower


def _pair_positions(arcs: pd.DataFrame, stream_ids, need_ids) -> np.ndarray:
    """Row of each (stream id, need id) among the arcs, -1 where the pair is not a candidate."""
    if not len(arcs):
        return np.full(len(stream_ids), -1)
    codes = []
    for name in ("stream_id", "need_id"):
        column = arcs[name]
        if not isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(str).astype("category")
        codes.append((column.cat.categories, column.cat.codes.to_numpy(np.int64)))
    (streams, arc_s), (needs, arc_n) = codes
    s = streams.get_indexer(pd.Index(stream_ids, dtype=object).astype(streams.dtype))
    n = needs.get_indexer(pd.Index(need_ids, dtype=object).astype(needs.dtype))
    width = len(needs) + 1
    key = arc_s * width + arc_n
    order = np.argsort(key, kind="stable")
    wanted = s.astype(np.int64) * width + n
    at = np.minimum(np.searchsorted(key[order], wanted), len(key) - 1)
    found = (s >= 0) & (n >= 0) & (key[order][at] == wanted)
    return np.where(found, order[at], -1)


def _check_int_range(problem: Problem) -> None:
    """Refuse numbers the min-cost flow cannot hold exactly in 64-bit integers (it would wrap
    around silently and report a wrong optimum): costs times (nodes + 1), the total cost, and the
    sums of supplies and demands (the sink's supply is minus their total)."""
    ex = problem.arcs
    n_nodes = len(problem.stream_nodes) + len(problem.need_nodes) + 1
    cost = np.abs(ex["cost_cents"].to_numpy(np.int64))
    cap = ex["capacity_base"].to_numpy(float)
    max_cost = int(cost.max()) if len(ex) else 0
    total = float((cap * cost).sum())
    supply = float(problem.stream_nodes["supply_base"].to_numpy(float).sum())
    demand = float(problem.need_nodes["demand_base"].to_numpy(float).sum())
    capacity = float(cap.sum())
    if (n_nodes + 1) * max_cost >= INT64_SAFE or max(total, supply, demand, capacity) >= INT64_SAFE:
        raise RangeError(_(
            "quantities or values too large for an exact integer solve (64-bit integers); check "
            "for a quantity or a price entered in the wrong unit"
        ))  # fmt: skip


BLOCK_ARCS = 20_000  # independent blocks smaller than this are solved together


def blocks(problem: Problem) -> list[np.ndarray]:
    """Arc indices of independent blocks (connected components of the stream-need graph).

    Each block is an exact sub-problem: no arc joins two blocks, so solving them one by one gives
    the same optimum as one solve, and the push-relabel solver is markedly faster on smaller
    graphs. Small components are packed together up to ``BLOCK_ARCS`` arcs.
    """
    ex = problem.arcs
    if not len(ex):
        return []
    a = len(problem.stream_nodes)
    snode, nnode = ex["snode"].to_numpy(np.int64), ex["nnode"].to_numpy(np.int64)
    size = a + len(problem.need_nodes)
    label = connected_components(size, snode, a + nnode)
    arc_label = label[snode]
    order = np.argsort(arc_label, kind="stable")
    bounds = np.flatnonzero(np.diff(arc_label[order])) + 1
    components = np.split(order, bounds)
    out, pending, pending_size = [], [], 0
    for comp in sorted(components, key=len, reverse=True):
        if len(comp) >= BLOCK_ARCS:
            out.append(np.sort(comp))
            continue
        pending.append(comp)
        pending_size += len(comp)
        if pending_size >= BLOCK_ARCS:
            out.append(np.sort(np.concatenate(pending)))
            pending, pending_size = [], 0
    if pending:
        out.append(np.sort(np.concatenate(pending)))
    return out


def solve_min_cost_flow(problem: Problem, *, allowed: np.ndarray | None = None,
                        parts: list[np.ndarray] | None = None) -> tuple[np.ndarray, int]:  # fmt: skip
    """Exact pure allocation, block by block. Returns (flow per arc in base units, objective in
    1/1000 cents). ``parts``: :func:`blocks` of a problem with the same arcs, when already made."""
    _check_int_range(problem)
    ex = problem.arcs
    lower = problem.lower_base
    supply = problem.stream_nodes["supply_base"].to_numpy(dtype=np.int64).copy()
    demand = problem.need_nodes["demand_base"].to_numpy(dtype=np.int64).copy()
    snode, nnode = ex["snode"].to_numpy(np.int64), ex["nnode"].to_numpy(np.int64)
    np.subtract.at(supply, snode, lower)
    np.subtract.at(demand, nnode, lower)
    if (supply < 0).any() or (demand < 0).any():
        raise InfeasibleError(_("implemented synergies exceed a stream's or a need's quantity"))
    cap = ex["capacity_base"].to_numpy(np.int64) - lower
    if allowed is not None:
        cap = np.where(allowed, cap, 0)
    cap = np.minimum(np.maximum(cap, 0), np.minimum(supply[snode], demand[nnode]))
    cost = -ex["cost_cents"].to_numpy(np.int64)
    flows = lower.astype(np.int64).copy()
    for arcs in blocks(problem) if parts is None else parts:
        s_nodes, s_local = np.unique(snode[arcs], return_inverse=True)
        n_nodes, n_local = np.unique(nnode[arcs], return_inverse=True)
        flows[arcs] += _solve_block(s_local, n_local, cap[arcs], cost[arcs], supply[s_nodes], demand[n_nodes])
    value = int((flows * ex["cost_cents"].to_numpy(np.int64)).sum())
    return flows, value


def _solve_block(snode, nnode, cap, cost, supply, demand) -> np.ndarray:
    """One balanced min-cost flow: streams -> needs, and both -> a sink (unmatched, unmet)."""
    from ortools.graph.python import min_cost_flow

    a, b = len(supply), len(demand)
    sink = a + b
    tails = np.concatenate([snode, np.arange(a), a + np.arange(b)])
    heads = np.concatenate([a + nnode, np.full(a, sink), np.full(b, sink)])
    caps = np.concatenate([cap, supply, demand])
    costs = np.concatenate([cost, np.zeros(a + b, np.int64)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs.astype(np.int64)
    )
    node_supply = np.concatenate([supply, np.zeros(b, np.int64), [-supply.sum()]])
    smcf.set_nodes_supplies(np.arange(a + b + 1, dtype=np.int32), node_supply.astype(np.int64))
    status = smcf.solve()
    if status != smcf.OPTIMAL:  # never read flows after another status: OR-Tools may crash
        raise SolverError(_('min-cost flow returned status {status}, not OPTIMAL').format(status=status))
    return smcf.flows(np.arange(len(snode), dtype=np.int64))


def _result(problem: Problem, flows: np.ndarray, *, status, backend, fixed_cost_cents=0,
            bound_cents=None, stats=None) -> Allocation:  # fmt: skip
    ex = problem.arcs
    arcs = problem.candidates.arcs
    used = flows > 0
    monthly = pd.DataFrame({
        "pair": ex["pair"].to_numpy()[used], "month": ex["month"].to_numpy()[used],
        "flow_base": flows[used].astype(np.int64),
        "cost_cents": ex["cost_cents"].to_numpy()[used],
    })  # fmt: skip
    pair_ids, flow_base, months = _per_pair(monthly["pair"].to_numpy(np.int64), monthly["month"].to_numpy(np.int64),
                                            monthly["flow_base"].to_numpy(np.int64))  # fmt: skip
    flows_df = arcs.iloc[pair_ids].reset_index(drop=True)
    flows_df.insert(2, "flow_base", flow_base)
    flows_df.insert(3, "months", months)
    flows_df["value_int_cents"] = np.rint(flows_df["value_cents"]).astype(np.int64)
    gross = float((monthly["flow_base"] * monthly["cost_cents"]).sum()) / BASE_PER_UNIT
    objective = gross - fixed_cost_cents * len(flows_df)
    monthly.insert(0, "stream_id", arcs["stream_id"].to_numpy()[monthly["pair"].to_numpy()])
    monthly.insert(1, "need_id", arcs["need_id"].to_numpy()[monthly["pair"].to_numpy()])
    return Allocation(status, backend, objective, bound_cents, flows_df, monthly, stats or {})


def _per_pair(pair: np.ndarray, month: np.ndarray, flow: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """Monthly flows summed per pair (pairs in increasing order), with each pair's months (an
    empty tuple for a yearly pair); a Python step only for the seasonal pairs' month tuples."""
    order = np.lexsort((month, pair))
    pair, month, flow = pair[order], month[order], flow[order]
    pair_ids, start = np.unique(pair, return_index=True)
    total = np.add.reduceat(flow, start) if len(flow) else np.zeros(0, np.int64)
    months: list[tuple[int, ...]] = [()] * len(pair_ids)
    seasonal = month > 0
    if seasonal.any():
        which = np.searchsorted(pair_ids, pair[seasonal])
        bounds = np.flatnonzero(np.diff(which)) + 1
        for i, chunk in zip(which[np.r_[0, bounds]], np.split(month[seasonal], bounds), strict=True):
            months[i] = tuple(chunk.tolist())
    return pair_ids, total.astype(np.int64), months


def allocate(
    candidates: Candidates,
    *,
    rules: Rules | None = None,
    fixed: list[FixedFlow] = (),
    backend: str = "auto",
    structure: Structure | None = None,
) -> Allocation:
    """Solve the allocation. ``backend``: auto, mincostflow, rules (heuristic + CP-SAT), lp.

    ``structure``: :func:`problem_structure` of candidates with the same arcs (only quantities,
    and the values of piped arcs, differ), re-used across the solves of a robustness test.
    """
    rules = rules or candidates.params.rules
    t0 = time.perf_counter()
    problem = quantified(structure or problem_structure(candidates), candidates, list(fixed))
    _check_int_range(problem)  # every backend: the LP's floats lose the units beyond 2**53 anyway
    t1 = time.perf_counter()
    if backend == "auto":
        backend = "rules" if rules.active else "mincostflow"
    if backend == "mincostflow":
        if rules.active:
            raise SolverError(gettext("the pure min-cost flow cannot enforce rules; use backend 'rules'"))
        flows, _ = solve_min_cost_flow(problem)
        result = _result(problem, flows, status="optimal", backend="mincostflow")
    elif backend == "lp":
        if rules.active:
            raise SolverError(gettext("the LP formulation cannot enforce rules; use backend 'rules'"))
        flows = solve_lp(problem)
        result = _result(problem, flows, status="optimal", backend="lp")
    elif backend == "rules":
        from symbiose.rules import solve_with_rules

        result = solve_with_rules(problem, rules)
    else:
        raise SolverError(gettext("unknown backend '{backend}'; use auto, mincostflow, rules or lp").format(backend=backend))
    t2 = time.perf_counter()
    stats = dict(result.stats, build_s=t1 - t0, solve_s=t2 - t1, arcs=len(problem.arcs),
                 pairs=len(candidates.arcs))  # fmt: skip
    return Allocation(result.status, result.backend, result.objective_cents, result.bound_cents,
                      result.flows, result.monthly, stats)  # fmt: skip


def solve_lp(problem: Problem) -> np.ndarray:
    """The same allocation as a linear programme (scipy's HiGHS): a benchmark and an oracle."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, vstack

    ex = problem.arcs
    m = len(ex)
    lower = problem.lower_base
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    snode, nnode = ex["snode"].to_numpy(), ex["nnode"].to_numpy()
    rows_s = csr_matrix((np.ones(m), (snode, np.arange(m))), shape=(len(problem.stream_nodes), m))
    rows_n = csr_matrix((np.ones(m), (nnode, np.arange(m))), shape=(len(problem.need_nodes), m))
    a_ub = vstack([rows_s, rows_n]).tocsr()
    b_ub = np.concatenate([
        problem.stream_nodes["supply_base"].to_numpy(float), problem.need_nodes["demand_base"].to_numpy(float)
    ])  # fmt: skip
    bounds = np.column_stack([lower.astype(float), ex["capacity_base"].to_numpy(float)])
    res = linprog(-ex["cost_cents"].to_numpy(float), A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if res.status != 0:
        raise SolverError(_('LP solver returned status {status}: {message}').format(status=res.status, message=res.message))
    return np.rint(res.x).astype(np.int64)
