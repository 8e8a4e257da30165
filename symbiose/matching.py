"""One matching run from a network to matches, suggestions and indicators.

>>> from symbiose.domain import Network
>>> result = run_match(Network())
>>> result.kpis.synergies
0
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from symbiose.candidates import Candidates, build_candidates
from symbiose.catalogue import available_quantities
from symbiose.compat import KnowledgeBase
from symbiose.domain import Network, Stage
from symbiose.i18n import _
from symbiose.impacts import Kpis, compute_kpis
from symbiose.memory import release_memory
from symbiose.optimize import Allocation, FixedFlow, allocate
from symbiose.params import MatchParameters, Rules
from symbiose.result_files import (
    LateColumns,
    write_result_blocks,
    write_result_blocks_late,
    write_result_csv,
)
from symbiose.safe_output import atomic_folder, moved
from symbiose.suggestions import (
    SuggestionPlan,
    condition_texts,
    destinations,
    plan_suggestions,
    suggest,
    suggestion_blocks,
)
from symbiose.units import BASE_PER_UNIT


@dataclass(frozen=True)
class MatchResult:
    network: Network
    candidates: Candidates
    allocation: Allocation
    kpis: Kpis
    suggestions: pd.DataFrame | SuggestionPlan  # a plan when run_match(reasons=False)
    timings: dict = field(default_factory=dict)

    def matches(self) -> pd.DataFrame:
        """Used pairs: quantities in declared units, money in euros per year."""
        flows = self.allocation.flows
        q = flows["flow_base"] / BASE_PER_UNIT
        companies = {c.id: c.name for c in self.network.companies}
        streams = self.candidates.streams
        needs = self.candidates.needs
        out = pd.DataFrame({
            "stream_id": flows["stream_id"].astype(str),
            "need_id": flows["need_id"].astype(str),
            "supplier_id": streams["company_id"].to_numpy()[flows["s"].to_numpy(dtype=np.int64)],
            "receiver_id": needs["company_id"].to_numpy()[flows["n"].to_numpy(dtype=np.int64)],
            "quantity": q,
            "unit": flows["unit"].astype(str),
            "months": [",".join(map(str, m)) for m in flows["months"]],
            "distance_km": flows["distance_km"].round(2),
            "road_km": flows["road_km"].round(2),
            "category": flows["category"].astype(str),
            "value_eur_per_unit": (flows["value_int_cents"] / 100).round(2),
            "value_eur": (q * flows["value_int_cents"] / 100).round(2),
            "co2e_avoided_t": (q * flows["co2e_avoided_kg"] / 1000).round(3),
        })  # fmt: skip
        out["supplier"] = out["supplier_id"].map(companies)
        out["receiver"] = out["receiver_id"].map(companies)
        # an implemented synergy exists today and is kept as it is: not a new synergy
        implemented = {(s.stream_id, s.need_id) for s in self.network.synergies if s.stage == Stage.IMPLEMENTED}
        keys = pd.MultiIndex.from_arrays([out["stream_id"], out["need_id"]])
        out["implemented"] = keys.isin(list(implemented)) if implemented else False
        # a stream today's outlet already puts to this use: counted at the difference from today's route
        out["same_use"] = (flows["same_use"].to_numpy(dtype=bool) if "same_use" in flows.columns
                           else np.zeros(len(out), dtype=bool))  # fmt: skip
        # the conditions under which the use is allowed (data/conditions.csv), as the suggestions' reasons
        # state them, in the reader's language; empty where none applies
        out["conditions"] = (condition_texts(flows["conditions"]) if "conditions" in flows.columns
                             else np.full(len(out), "", dtype=object))  # fmt: skip
        # where the stream goes today (its stated destination, or the need of the network that takes
        # it), so that a match moving a flow off a route in use says so; empty where none is stated
        out["destination_today"] = destinations(self.candidates, flows["s"].to_numpy(dtype=np.int64))
        return out.sort_values(["stream_id", "need_id"]).reset_index(drop=True)


def fixed_flows(network: Network) -> list[FixedFlow]:
    """Implemented synergies with a quantity: kept as they are."""
    return [
        FixedFlow(s.stream_id, s.need_id, int(s.quantity_base))
        for s in network.synergies
        if s.stage == Stage.IMPLEMENTED and s.quantity_base
    ]


def abandoned_pairs(network: Network) -> set[tuple[str, str]]:
    return {(s.stream_id, s.need_id) for s in network.synergies if s.stage == Stage.ABANDONED}


def candidates_for(network: Network, params: MatchParameters, kb: KnowledgeBase | None = None) -> Candidates:
    """The candidate pairs of a run: abandoned pairs left out and implemented ones kept as the
    rules say. They depend on the rules only through those two switches."""
    excluded = abandoned_pairs(network) if params.rules.exclude_abandoned else set()
    fixed = fixed_flows(network) if params.rules.keep_implemented else []
    forced = {(f.stream_id, f.need_id) for f in fixed}
    return build_candidates(network, params, kb, excluded_pairs=excluded, forced_pairs=forced)


def candidates_key(params: MatchParameters) -> tuple:
    """What decides a run's candidates besides the network: the parameters without the rules,
    and the two rules that add or remove pairs."""
    return (replace(params, rules=Rules()), params.rules.exclude_abandoned, params.rules.keep_implemented)


def run_match(
    network: Network,
    params: MatchParameters | None = None,
    *,
    kb: KnowledgeBase | None = None,
    top_n: int = 5,
    backend: str = "auto",
    with_suggestions: bool = True,
    candidates: Candidates | None = None,
    reasons: bool = True,
) -> MatchResult:
    """Candidates -> allocation -> indicators and suggestions.

    ``with_suggestions=False`` skips the suggestions (an empty table) for callers that only read
    the allocation and indicators (comparisons, sweeps). ``candidates`` reuses pairs built for
    the same network with the same parameters apart from the rules
    (:func:`candidates_for`), as a sweep over rules does. ``reasons=False``: the
    suggestions are chosen but their table (economics, reasons) is built block by block as
    :func:`write_outputs` writes it (a :class:`symbiose.suggestions.SuggestionPlan`): the command
    line never holds it whole.
    """
    params = params or MatchParameters()
    t0 = time.perf_counter()
    fixed = fixed_flows(network) if params.rules.keep_implemented else []
    if candidates is None:
        candidates = candidates_for(network, params, kb)
    elif candidates.params != replace(params, rules=candidates.params.rules):
        raise ValueError("the candidates were built with other parameters than the rules")
    release_memory()  # the candidates' temporaries, before the solver's graph
    t1 = time.perf_counter()
    allocation = allocate(candidates, rules=params.rules, fixed=fixed, backend=backend)
    release_memory()
    t2 = time.perf_counter()
    kpis = compute_kpis(candidates, allocation)
    in_place, left = _in_place(network)
    if not with_suggestions:
        suggestions = pd.DataFrame()
    elif reasons:
        suggestions = suggest(candidates, allocation, top_n=top_n, implemented=in_place, available=left)
    else:
        suggestions = plan_suggestions(candidates, allocation, top_n=top_n, implemented=in_place, available=left)
    t3 = time.perf_counter()
    timings = {"candidates_s": t1 - t0, "allocation_s": t2 - t1, "report_s": t3 - t2}
    return MatchResult(network, candidates, allocation, kpis, suggestions, timings)


def _in_place(network: Network) -> tuple[set[tuple[str, str]], dict | None]:
    """The (stream, need) pairs of the synergies in place, and what they leave of each stream
    (None when there is none): a stream committed to them is offered only what they leave."""
    in_place = {(s.stream_id, s.need_id) for s in network.synergies if s.stage == Stage.IMPLEMENTED}
    return in_place, (available_quantities(network) if in_place else None)


#: From this many candidate arcs, ``match_to_folder`` solves in a child process while it writes
#: the suggestions (the solve takes about half a second there; forking costs milliseconds)
BACKGROUND_ARCS = 20_000
#: Up to this many: beyond, the child's solver arrays (about 300 MB a million arcs) and the
#: suggestions held while it solves would come on top of the candidates, and a national network
#: (100,000 streams and needs, 1.5 million arcs: 1.78 GB for both processes against 1.23 GB
#: for one) would pass the 1.5 GB the default path must stay under; it runs in one process
BACKGROUND_MAX_ARCS = 1_000_000


def match_to_folder(network: Network, params: MatchParameters | None, out_dir: str | Path, *, top_n: int = 5,
                    backend: str = "auto", machine: bool = False, background_arcs: int = BACKGROUND_ARCS,
                    step: Callable[[str], None] | None = None) -> tuple[MatchResult, list[Path]]:  # fmt: skip
    """``run_match(..., reasons=False)`` then :func:`write_outputs`, the same result and the same
    files, but on a large network with a second core the allocation is solved in a child process
    (:mod:`symbiose.background`), which then writes matches.csv and kpis.json, while the
    suggestions, which need it only for their two optimum columns, are built and written: the
    user waits for the longer of the two, not their sum.
    ``step(label)`` is told each step as it starts (a terminal shows it)."""
    from symbiose.background import Background, can_fork

    step = step or (lambda label: None)
    params = params or MatchParameters()
    t0 = time.perf_counter()
    step(_("Finding the candidate pairs"))
    fixed = fixed_flows(network) if params.rules.keep_implemented else []
    candidates = candidates_for(network, params)
    release_memory()
    t1 = time.perf_counter()
    if not (background_arcs <= len(candidates.arcs) <= BACKGROUND_MAX_ARCS and can_fork()):
        step(_("Allocating the streams to the needs"))
        result = run_match(network, params, top_n=top_n, backend=backend, candidates=candidates, reasons=False)
        step(_("Writing the files"))
        return result, write_outputs(result, out_dir, machine=machine)
    with atomic_folder(out_dir) as out:
        paths = _output_paths(out)
        # the child solves, then writes matches.csv and kpis.json itself while this process is
        # still writing the suggestions (the longer part)
        with Background(_allocate_and_write, network, candidates, paths, rules=params.rules, fixed=fixed,
                        backend=backend, machine=machine) as solve:  # fmt: skip
            in_place, left = _in_place(network)
            step(_("Allocating the streams to the needs and writing the suggestions beside it"))
            plan = plan_suggestions(candidates, None, top_n=top_n, implemented=in_place, available=left)
            state: dict[str, SuggestionPlan] = {}

            def known() -> SuggestionPlan:
                if "plan" not in state:
                    state["plan"] = plan.with_optimum(solve.result()[0])
                return state["plan"]

            late = LateColumns(("in_optimum", "optimum_quantity"), ready=lambda: "plan" in state or solve.done(),
                               values=lambda start, stop: known().optimum_columns(start, stop))  # fmt: skip
            write_result_blocks_late(suggestion_blocks(plan), paths[1], late, machine=machine)
            allocation, kpis = solve.result()
            t2 = time.perf_counter()
            result = MatchResult(network, candidates, allocation, kpis, known(),
                                 {"candidates_s": t1 - t0, "allocation_s": t2 - t1, "report_s": 0.0})  # fmt: skip
    return result, moved(paths, out, Path(out_dir))


def _allocate_and_write(network: Network, candidates: Candidates, paths: list[Path], *, rules, fixed, backend: str,
                        machine: bool) -> tuple[Allocation, Kpis]:  # fmt: skip
    """The allocation and its indicators, with matches.csv and kpis.json written at ``paths``
    (:func:`_output_paths`): the part of :func:`match_to_folder` the child process does."""
    allocation = allocate(candidates, rules=rules, fixed=fixed, backend=backend)
    kpis = compute_kpis(candidates, allocation)
    result = MatchResult(network, candidates, allocation, kpis, None, {})
    write_result_csv(result.matches(), paths[0], machine=machine)
    _write_kpis(result, paths[2])
    return allocation, kpis


def write_outputs(result: MatchResult, out_dir: str | Path, *, machine: bool = False) -> list[Path]:
    """matches.csv, suggestions.csv and kpis.json in ``out_dir``: the CSV files for a spreadsheet
    of the current language, or in the programs' format (``machine``; see
    :mod:`symbiose.result_files`)."""
    with atomic_folder(out_dir) as out:
        written = _write_outputs(result, out, machine)
    return moved(written, out, Path(out_dir))


def _output_paths(out: Path) -> list[Path]:
    return [out / "matches.csv", out / "suggestions.csv", out / "kpis.json"]


def _write_outputs(result: MatchResult, out: Path, machine: bool) -> list[Path]:
    paths = _output_paths(out)
    write_result_csv(result.matches(), paths[0], machine=machine)
    # block by block: the reasons of a table that waits for them are built here, a block at a time
    write_result_blocks(suggestion_blocks(result.suggestions), paths[1], machine=machine)
    _write_kpis(result, paths[2])
    return paths


def _write_kpis(result: MatchResult, path: Path) -> None:
    payload = result.kpis.as_dict()
    payload["solver"] = {
        "backend": result.allocation.backend,
        "status": result.allocation.status,
        "objective_eur": result.allocation.objective_cents / 100,
        "bound_eur": None if result.allocation.bound_cents is None else result.allocation.bound_cents / 100,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=float) + "\n", encoding="utf-8")


def _code(code: str) -> str:
    """A waste code spaced as in the official list, or a material named in the current language."""
    from symbiose.domain import format_ewc
    from symbiose.labels import category_label

    return format_ewc(code) if str(code).isdigit() else category_label(code)


def summary_text(result: MatchResult) -> str:
    """A readable summary for the command line, in the current language and number format."""
    from symbiose.i18n import fmt_number

    k = result.kpis
    n = fmt_number
    lines = [
        _("{synergies} synergies between {companies} companies ({backend}, {status})").format(
            synergies=n(k.synergies), companies=n(k.companies_involved), backend=result.allocation.backend,
            status=result.allocation.status),
        *(["  " + _("of which {count} synergies ({t} t) move a stream already recovered today to the same use: "
                    "{eur} EUR/yr, the difference from today's route only, no CO2e").format(
            count=n(k.same_use_synergies), t=n(k.same_use_t), eur=n(k.same_use_eur))] if k.same_use_synergies else []),
        "  " + _("exchanged per year: {t} t, {m3} m3, {mwh} MWh ({diverted} t taken from landfill or "
                 "incineration)").format(t=n(k.matched_t), m3=n(k.matched_m3), mwh=n(k.matched_mwh),
                                         diverted=n(k.diverted_t)),
        "  " + _("net benefit: {net} EUR/yr (suppliers avoid {suppliers}, receivers avoid {receivers}, transport "
                 "{transport}, pre-treatment {pretreatment})").format(
            net=n(k.net_benefit_eur), suppliers=n(k.supplier_savings_eur), receivers=n(k.receiver_savings_eur),
            transport=n(k.transport_cost_eur), pretreatment=n(k.pretreatment_cost_eur))
        + (_("; with the carbon value {value}").format(value=n(k.objective_eur)) if k.carbon_value_eur else ""),
        "  " + _("CO2e avoided: {avoided} t/yr net of {transport} t for {tkm} t.km of transport").format(
            avoided=n(k.co2e_avoided_t, 1), transport=n(k.co2e_transport_t, 1), tkm=n(k.tkm)),
        "  " + _("left on their current route: {t} t, {m3} m3, {mwh} MWh").format(
            t=n(k.unmatched_t), m3=n(k.unmatched_m3), mwh=n(k.unmatched_mwh)),
    ]  # fmt: skip
    sugg = result.suggestions
    if len(sugg) and (isinstance(sugg, SuggestionPlan) or "outlet" in sugg):
        kinds = sugg.outlet_counts() if isinstance(sugg, SuggestionPlan) else sugg["outlet"].value_counts()
        lines.append("  " + _("suggestions: {substitutions} substitutions, {treatment} treatment outlets, {same} "
                              "streams already recovered today and {leads} leads through an intermediary, ranked "
                              "apart").format(
            substitutions=n(int(kinds.get("substitution", 0))), treatment=n(int(kinds.get("treatment", 0))),
            same=n(int(kinds.get("same_use", 0))), leads=n(int(kinds.get("intermediary", 0)))))  # fmt: skip
    top = sorted(k.unmatched_by_code, key=lambda r: -r["quantity"])[:5]
    if top:
        lines.append("  " + _("largest wastes without an outlet: {list}").format(list=", ".join(
            f"{_code(r['code'])} ({n(r['quantity'])} {r['unit']})" for r in top
        )))  # fmt: skip
    return "\n".join(lines)
