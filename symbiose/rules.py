"""The rules model: minimum lot size, at most K partners, a fixed cost per link.

These rules break the network structure of the pure allocation, so:

1. *min-cost flow plus repair*: fold the fixed cost into the unit cost of each pair, solve the
   min-cost flow, ban pairs used below the lot size and pairs beyond a company's K best, re-solve;
   a few rounds, then drop whatever still violates a rule (always feasible: unused waste stays
   on its route). Then the links kept are fixed and their quantities re-solved on the true
   costs (the best flows on those links, never less than the repair's). Fast, usually within a
   few percent of the optimum.
2. *CP-SAT* on the arcs that matter (the pairs the unconstrained optimum or the repair used, plus
   each stream's best candidates), hinted with the repaired solution, under a time limit, in
   slices (about a second, then each twice as long as the one before): each slice starts from
   the best solution so far, and the search stops when a slice gained less than a euro a year or
   0.01 % of the objective (the default relative gap of MIP solvers: :func:`worth_another_slice`). Its solution replaces the heuristic
   one when better. The bound reported is CP-SAT's when it saw every arc, else the optimum
   without rules (the rules only restrict it: always a valid bound).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from symbiose.errors import InfeasibleError, SolverError
from symbiose.i18n import gettext
from symbiose.optimize import Allocation, Problem, _result, solve_min_cost_flow
from symbiose.params import Rules
from symbiose.units import BASE_PER_UNIT

REPAIR_ROUNDS = 4
CP_SAT_BEST_PER_STREAM = 5


def _pair_flows(problem: Problem, flows: np.ndarray) -> np.ndarray:
    n_pairs = len(problem.candidates.arcs)
    return np.bincount(problem.arcs["pair"].to_numpy(), weights=flows, minlength=n_pairs)


def _violations(problem: Problem, pair_flow: np.ndarray, rules: Rules, value: np.ndarray,
                protected: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Pairs to ban: used under the lot size, or beyond a company's K best partners.

    Implemented (protected) pairs are never banned: they are exempt from the lot size and take
    their company's partner slots first, so other pairs beyond K are banned.
    """
    arcs = problem.candidates.arcs
    protected = np.zeros(len(arcs), dtype=bool) if protected is None else protected
    used = pair_flow > 0
    ban = np.zeros(len(arcs), dtype=bool)
    if rules.min_lot_t > 0:
        ban |= used & (pair_flow < rules.min_lot_t * BASE_PER_UNIT) & ~protected
    gain = np.where(protected, np.inf, pair_flow * value)
    for side, k in (("s", rules.max_partners_per_stream), ("n", rules.max_partners_per_need)):
        if not k:
            continue
        frame = pd.DataFrame({"side": arcs[side].to_numpy(), "gain": gain, "pair": np.arange(len(arcs))})
        frame = frame[used & ~ban]
        frame = frame.sort_values(["side", "gain", "pair"], ascending=[True, False, True])
        rank = frame.groupby("side").cumcount().to_numpy()
        ban[frame["pair"].to_numpy()[rank >= k]] = True
    return ban & ~protected


def repair_heuristic(problem: Problem, rules: Rules) -> tuple[np.ndarray, dict]:
    """Min-cost flow plus repair, then the best flows on the links kept (:func:`_polish`).
    Returns a flow per expanded arc satisfying every rule."""
    flows, stats = _repair(problem, rules)
    protected = _pair_flows(problem, problem.lower_base.astype(float)) > 0
    polished = _polish(problem, flows, rules, protected)
    stats["repair_polished"] = polished is not None
    return (flows if polished is None else polished), stats


def _repair(problem: Problem, rules: Rules) -> tuple[np.ndarray, dict]:
    """Min-cost flow plus repair: a flow per expanded arc satisfying every rule."""
    ex = problem.arcs
    pair = ex["pair"].to_numpy()
    n_pairs = len(problem.candidates.arcs)
    base_cost = ex["cost_cents"].to_numpy(np.int64)
    fixed_cents = rules.fixed_cost_per_link_eur * 100
    pair_cap = np.bincount(pair, weights=ex["capacity_base"].to_numpy(float), minlength=n_pairs)
    expected = np.maximum(pair_cap, 1.0)
    allowed_pair = np.ones(n_pairs, dtype=bool)
    protected = np.bincount(pair, weights=problem.lower_base, minlength=n_pairs) > 0
    pair_value = np.zeros(n_pairs)
    np.maximum.at(pair_value, pair, base_cost)
    rounds_run = 0
    flows = np.zeros(len(ex), dtype=np.int64)
    for round_no in range(1, REPAIR_ROUNDS + 1):
        rounds_run = round_no
        # fold the fixed cost into the unit cost, spread over the quantity the pair is expected to carry
        folded = base_cost - np.rint(fixed_cents * BASE_PER_UNIT / expected[pair]).astype(np.int64)
        usable = allowed_pair[pair] & ((folded > 0) | protected[pair])
        sub = Problem(ex.assign(cost_cents=np.maximum(folded, 1)), problem.stream_nodes,
                      problem.need_nodes, problem.candidates, problem.lower_base)  # fmt: skip
        flows, _ = solve_min_cost_flow(sub, allowed=usable)
        pair_flow = _pair_flows(problem, flows)
        ban = _violations(problem, pair_flow, rules, pair_value, protected)
        used = pair_flow > 0
        expected = np.where(used, pair_flow, expected)
        if not ban.any():
            break
        allowed_pair &= ~ban
    # whatever still violates a rule is dropped (its waste stays on its current route)
    pair_flow = _pair_flows(problem, flows)
    ban = _violations(problem, pair_flow, rules, pair_value, protected)
    if ban.any():
        flows = np.where(ban[pair], 0, flows)
    # a link whose gain does not pay its fixed cost is not worth opening
    if fixed_cents > 0:
        pair_flow = _pair_flows(problem, flows)
        gain = np.bincount(pair, weights=flows * base_cost, minlength=n_pairs) / BASE_PER_UNIT
        losing = (pair_flow > 0) & (gain < fixed_cents) & ~protected
        flows = np.where(losing[pair], 0, flows)
    return flows, {"repair_rounds": rounds_run}


def _polish(problem: Problem, flows: np.ndarray, rules: Rules, protected: np.ndarray) -> np.ndarray | None:
    """The best flows on the links a repaired solution uses (None when they break a rule).

    The repair solves with the fixed cost folded into the unit costs, so its quantities are the
    best for those folded costs, not for the true ones. With the links kept, the partner limits
    hold for any flows on them and the fixed costs are at most those paid; a min-cost flow on the
    true costs restricted to these links therefore gives at least the repaired net benefit, and
    the best any solution on these links can reach when every used link still carries a lot (a
    link whose gain no longer pays its fixed cost is closed, and the rest solved again). Before
    issue 12, CP-SAT spent its whole time limit finding a part of this re-balancing.
    """
    pair = problem.arcs["pair"].to_numpy()
    cost = problem.arcs["cost_cents"].to_numpy(np.int64)
    links = _pair_flows(problem, flows) > 0
    fixed_cents = rules.fixed_cost_per_link_eur * 100
    best = None
    for _ in range(REPAIR_ROUNDS):
        if not links.any():
            break
        polished, _ = solve_min_cost_flow(problem, allowed=links[pair])
        pair_flow = _pair_flows(problem, polished)
        if rules.min_lot_t > 0 and ((pair_flow > 0) & (pair_flow < rules.min_lot_t * BASE_PER_UNIT)
                                    & ~protected).any():  # fmt: skip
            break
        gain = np.bincount(pair, weights=polished * cost, minlength=len(pair_flow)) / BASE_PER_UNIT
        losing = (pair_flow > 0) & (gain < fixed_cents) & ~protected
        best = np.where(losing[pair], 0, polished)
        if not losing.any():
            break
        links &= ~losing
    if best is None or _objective(problem, best, rules) < _objective(problem, flows, rules):
        return None
    return best


def _objective(problem: Problem, flows: np.ndarray, rules: Rules) -> float:
    gross = float((flows * problem.arcs["cost_cents"].to_numpy(np.int64)).sum()) / BASE_PER_UNIT
    links = int((_pair_flows(problem, flows) > 0).sum())
    return gross - rules.fixed_cost_per_link_eur * 100 * links


def solve_cp_sat(problem: Problem, rules: Rules, hint: np.ndarray, unconstrained: np.ndarray,
                 time_limit_s: float | None = None,
                 ) -> tuple[np.ndarray | None, float | None, str, bool]:  # fmt: skip
    """CP-SAT on a reduced arc set.

    Returns (flows or None, bound in cents, status name, whether the set held every arc: only
    then is the bound a bound of the whole problem).
    """
    from ortools.sat.python import cp_model

    started = time.perf_counter()  # the time limit counts building the model
    ex = problem.arcs
    arcs = problem.candidates.arcs
    n_pairs = len(arcs)
    pair = ex["pair"].to_numpy()
    cost = ex["cost_cents"].to_numpy(np.int64)
    # reduced set: pairs used by either solution plus each stream's best candidates
    keep_pair = np.zeros(n_pairs, dtype=bool)
    keep_pair[pair[(hint > 0) | (unconstrained > 0)]] = True
    best = arcs.assign(p=np.arange(n_pairs)).sort_values(["s", "value_cents"], ascending=[True, False])
    keep_pair[best.groupby("s").head(CP_SAT_BEST_PER_STREAM)["p"].to_numpy()] = True
    keep_pair |= np.bincount(pair, weights=problem.lower_base, minlength=n_pairs) > 0
    rows = np.nonzero(keep_pair[pair])[0]
    complete = len(rows) == len(ex)
    if len(rows) > CP_SAT_MAX_ARCS and time_limit_s is not None:
        return None, None, f"skipped: {len(rows):,} arcs to model", complete

    model = cp_model.CpModel()
    cap = ex["capacity_base"].to_numpy(np.int64)
    lower = problem.lower_base
    x = [model.new_int_var(int(lower[r]), int(cap[r]), f"x{r}") for r in rows]
    pairs_used = sorted(set(pair[rows].tolist()))
    y = {p: model.new_bool_var(f"y{p}") for p in pairs_used}
    by_pair: dict[int, list] = {}
    for var, r in zip(x, rows, strict=True):
        by_pair.setdefault(int(pair[r]), []).append((var, r))
    lot = int(round(rules.min_lot_t * BASE_PER_UNIT))
    for p, items in by_pair.items():
        total = sum(v for v, _ in items)
        big = int(sum(cap[r] for _, r in items))
        model.add(total <= big * y[p])
        implemented = problem.lower_base[[r for _, r in items]].sum() > 0
        if implemented:
            model.add(y[p] == 1)  # kept as it is, exempt from the lot size
        elif lot > 0:
            model.add(total >= lot * y[p])  # a pair that cannot carry a lot is never used
    for col, table, qty in (("snode", problem.stream_nodes, "supply_base"),
                            ("nnode", problem.need_nodes, "demand_base")):  # fmt: skip
        groups: dict[int, list] = {}
        node_of = ex[col].to_numpy(np.int64)
        for var, r in zip(x, rows, strict=True):
            groups.setdefault(int(node_of[r]), []).append(var)
        limit = table[qty].to_numpy(np.int64)
        for node, vars_ in groups.items():
            model.add(sum(vars_) <= int(limit[node]))
    for side, k in (("s", rules.max_partners_per_stream), ("n", rules.max_partners_per_need)):
        if not k:
            continue
        groups = {}
        for p in pairs_used:
            groups.setdefault(int(arcs[side].iat[p]), []).append(y[p])
        for vars_ in groups.values():
            if len(vars_) > k:
                model.add(sum(vars_) <= k)
    fixed_milli = int(round(rules.fixed_cost_per_link_eur * 100 * BASE_PER_UNIT))
    model.maximize(
        sum(int(cost[r]) * v for v, r in zip(x, rows, strict=True)) - fixed_milli * sum(y.values())
    )
    hint_pair = _pair_flows(problem, hint)
    for var, r in zip(x, rows, strict=True):
        model.add_hint(var, int(hint[r]))
    for p, var in y.items():
        model.add_hint(var, 1 if hint_pair[p] > 0 else 0)
    # the deterministic limit keeps runs reproducible where it stops the search first; the
    # wall-clock limit holds the time a user allowed (which one stops first depends on the model
    # and the machine's load: on the demo's rules variant the wall clock usually does)
    limit = float(time_limit_s or rules.time_limit_s)
    hint_value = sum(int(cost[r]) * int(hint[r]) for r in rows) - fixed_milli * int((hint_pair[pairs_used] > 0).sum())
    search = _search_in_slices(model, [*x, *y.values()], hint_value, started, limit)
    if search.status == cp_model.INFEASIBLE:
        raise InfeasibleError(
            gettext("the rules cannot all hold (for instance an implemented synergy below the minimum lot size or beyond the partner limit); relax a rule or change the synergy")
        )
    if search.values is None:
        return None, None, search.name, complete
    flows = np.zeros(len(ex), dtype=np.int64)
    flows[rows] = search.values[:len(x)]
    return flows, search.bound / BASE_PER_UNIT, search.name, complete


@dataclass
class _Search:
    """What the slices of a CP-SAT search found: the best solution's values (None when none),
    the tightest bound of the slices that found one, CP-SAT's status of that solution, the name
    kept in the statistics and the number of slices run."""

    values: list[int] | None = None
    objective: float = -np.inf
    bound: float = np.inf
    status: int = 0  # cp_model.UNKNOWN
    name: str = "UNKNOWN"
    slices: int = 0


def worth_another_slice(gain: float, start_value: float) -> bool:
    """Whether a slice that raised the objective by ``gain`` from ``start_value`` (model units:
    cents x ``BASE_PER_UNIT``) was worth its time, so that another one may be.

    A slice is worth it when it gained at least a euro a year (the figures are shown in whole
    euros) and at least ``CP_SAT_STALL_RELATIVE`` of the objective it started from. That relative
    threshold is the default relative optimality gap of the mixed-integer solvers (Gurobi's
    ``MIPGap``, 1e-4): a solver would already call a solution optimal when nothing better than
    that could exist, so a slice that gains less has stalled, whatever the network's size.
    Example: from 3 341 689 EUR/yr, a slice must gain 334 EUR/yr; from 5 000 EUR/yr, 1 EUR/yr.
    """
    floor = CP_SAT_WORTH_CENTS * BASE_PER_UNIT
    return gain >= max(floor, CP_SAT_STALL_RELATIVE * abs(start_value))


def _search_in_slices(model, variables: list, hint_value: float, started: float, limit: float) -> _Search:
    """CP-SAT from the model's hint, in slices until ``limit`` seconds from ``started`` (the
    first of ``CP_SAT_SLICE_S``, each next one twice as long): each slice starts from the best
    solution so far, and the search stops when a slice was not worth its time
    (:func:`worth_another_slice`) or proved its solution optimal.

    Each slice is deterministic (one worker, a fixed seed, a deterministic time limit): from the
    same hint it would find the same solution, so a slice is never repeated from the same start.
    When the first finds no solution at all (not even the hint's completion), one last search
    gets the time left, as one piece. The best solution of all slices is kept, so a slice never
    loses what an earlier one found; the bound is the tightest of the slices that found one.
    """
    from ortools.sat.python import cp_model

    found = _Search()
    start_value = hint_value
    while True:
        left = limit - (time.perf_counter() - started)
        # each slice twice as long as the one before: a slice pays CP-SAT's presolve again, which
        # on a large model is most of a second, so the search time grows and that cost does not
        slice_s = CP_SAT_SLICE_S * 2**found.slices
        seconds = left if (found.slices and found.values is None) else min(left, slice_s)
        seconds = max(seconds, 0.0)  # building the model may have spent the limit: CP-SAT takes no negative time
        solver, status = _cp_sat_solve(model, seconds, seconds)
        found.slices += 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if found.values is not None:  # the wall clock cut a slice short: keep what was found
                found.name = _out_of_time_name(found.objective, hint_value)
                return found
            found.status, found.name = status, solver.status_name(status)
            left = limit - (time.perf_counter() - started)
            if status == cp_model.INFEASIBLE or found.slices > 1 or left < CP_SAT_MIN_SECONDS / 2:
                return found
            continue  # nothing found from the hint in a slice: the time left, in one piece
        found.bound = min(found.bound, solver.best_objective_bound)
        if solver.objective_value > found.objective:
            found.values = [solver.value(v) for v in variables]
            found.objective, found.status = solver.objective_value, status
        if status == cp_model.OPTIMAL:
            found.name = "OPTIMAL"
            return found
        if not worth_another_slice(solver.objective_value - start_value, start_value):
            found.name = _stopped_name(found.objective, hint_value, found.slices)
            return found
        if limit - (time.perf_counter() - started) < CP_SAT_MIN_SECONDS / 2:
            found.name = _out_of_time_name(found.objective, hint_value)
            return found
        model.clear_hints()  # the next slice starts from this one's solution
        for var in variables:
            model.add_hint(var, solver.value(var))
        start_value = solver.objective_value


def _stopped_name(objective: float, hint_value: float, slices: int) -> str:
    """The statistics' name of a search stopped because its last slice gained too little."""
    if not objective > hint_value + 0.5:
        return "FEASIBLE (stopped: no better than the heuristic)"
    if slices == 1 and objective < hint_value + CP_SAT_WORTH_CENTS * BASE_PER_UNIT:
        return "FEASIBLE (stopped: less than a euro a year better than the heuristic)"
    if slices == 1:
        return "FEASIBLE (stopped: less than 0.01 % better than the heuristic)"
    return "FEASIBLE (stopped: the last slice gained less than 0.01 % or a euro a year)"


def _out_of_time_name(objective: float, hint_value: float) -> str:
    """The statistics' name of a search stopped by the time limit."""
    return "FEASIBLE" if objective > hint_value + 0.5 else "FEASIBLE (no better than the heuristic)"


def _cp_sat_solve(model, seconds: float, wall_limit_s: float):
    """One deterministic CP-SAT run: ``seconds`` of wall time on this kind of machine."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = seconds / 2
    solver.parameters.max_time_in_seconds = wall_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    return solver, solver.solve(model)


CP_SAT_WORTH_CENTS = 100  # the least gain of a slice for which the search goes on (a euro a year)
CP_SAT_STALL_RELATIVE = 1e-4  # ... and the least relative gain (see worth_another_slice)
CP_SAT_SLICE_S = 1.0  # the first slice of the search (wall seconds; deterministic time half)
CP_SAT_MAX_ARCS = 60_000  # beyond this, building the CP-SAT model in Python costs more than it gains
CP_SAT_MIN_SECONDS = 1.0


def solve_with_rules(problem: Problem, rules: Rules) -> Allocation:
    """Heuristic first, CP-SAT second within the time limit; the better feasible solution wins.

    ``rules.time_limit_s`` bounds the whole run: CP-SAT gets what the heuristic left, and is
    skipped when less than a second is left or the reduced arc set is too large to model quickly.
    """
    started = time.perf_counter()
    unconstrained, _ = solve_min_cost_flow(problem)
    heuristic, stats = repair_heuristic(problem, rules)
    best, best_obj, backend = heuristic, _objective(problem, heuristic, rules), "rules-repair"
    stats["heuristic_objective_cents"] = best_obj
    # the rules only restrict the pure problem (and fixed costs only subtract): a proven bound
    stats["unconstrained_objective_cents"] = _objective(problem, unconstrained, Rules())
    bound = None
    complete = False
    left = rules.time_limit_s - (time.perf_counter() - started)
    if len(problem.arcs) and left < CP_SAT_MIN_SECONDS:
        stats["cp_sat_status"] = f"skipped: {left:.1f} s left of the time limit"
    elif len(problem.arcs):
        try:
            flows, bound, name, complete = solve_cp_sat(problem, rules, heuristic, unconstrained,
                                                        time_limit_s=left)  # fmt: skip
        except InfeasibleError:
            raise
        except (SolverError, MemoryError) as exc:  # keep the heuristic answer
            flows, name, complete = None, f"error: {exc}", False
        stats["cp_sat_status"] = name
        if flows is not None:
            obj = _objective(problem, flows, rules)
            stats["cp_sat_objective_cents"] = obj
            if obj > best_obj + 1e-6:
                best, best_obj, backend = flows, obj, "rules-cp-sat"
    stats["cp_sat_complete"] = complete if len(problem.arcs) else True
    # a CP-SAT bound on a reduced arc set bounds only that set: report the pure optimum instead
    upper = stats["unconstrained_objective_cents"]
    bound = min(bound, upper) if (bound is not None and stats["cp_sat_complete"]) else upper
    proven = stats.get("cp_sat_status") == "OPTIMAL" and stats["cp_sat_complete"]
    if not len(problem.arcs):
        proven = True
    if proven and bound is not None and best_obj < bound - 0.5:
        proven = False
    status = "optimal" if proven else "feasible"
    return _result(problem, best, status=status, backend=backend,
                   fixed_cost_cents=rules.fixed_cost_per_link_eur * 100, bound_cents=bound,
                   stats=stats)  # fmt: skip
