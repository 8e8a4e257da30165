"""One matching run from a network to matches, suggestions and indicators.

>>> from symbiose.domain import Network
>>> result = run_match(Network())
>>> result.kpis.synergies
0
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from symbiose.candidates import Candidates, build_candidates
from symbiose.compat import KnowledgeBase
from symbiose.csvfile import write_csv
from symbiose.domain import Network, Stage
from symbiose.impacts import Kpis, compute_kpis
from symbiose.optimize import Allocation, FixedFlow, allocate
from symbiose.params import MatchParameters, Rules
from symbiose.suggestions import suggest
from symbiose.units import BASE_PER_UNIT


@dataclass(frozen=True)
class MatchResult:
    network: Network
    candidates: Candidates
    allocation: Allocation
    kpis: Kpis
    suggestions: pd.DataFrame
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
) -> MatchResult:
    """Candidates -> allocation -> indicators and suggestions.

    ``with_suggestions=False`` skips the suggestions (an empty table) for callers that only read
    the allocation and indicators (comparisons, sweeps). ``candidates`` reuses pairs built for
    the same network with the same parameters apart from the rules
    (:func:`candidates_for`), as a sweep over rules does.
    """
    params = params or MatchParameters()
    t0 = time.perf_counter()
    fixed = fixed_flows(network) if params.rules.keep_implemented else []
    if candidates is None:
        candidates = candidates_for(network, params, kb)
    elif candidates.params != replace(params, rules=candidates.params.rules):
        raise ValueError("the candidates were built with other parameters than the rules")
    t1 = time.perf_counter()
    allocation = allocate(candidates, rules=params.rules, fixed=fixed, backend=backend)
    t2 = time.perf_counter()
    kpis = compute_kpis(candidates, allocation)
    suggestions = suggest(candidates, allocation, top_n=top_n) if with_suggestions else pd.DataFrame()
    t3 = time.perf_counter()
    timings = {"candidates_s": t1 - t0, "allocation_s": t2 - t1, "report_s": t3 - t2}
    return MatchResult(network, candidates, allocation, kpis, suggestions, timings)


def write_outputs(result: MatchResult, out_dir: str | Path) -> list[Path]:
    """matches.csv, suggestions.csv and kpis.json in ``out_dir``."""
    from symbiose.safe_output import atomic_folder, moved

    with atomic_folder(out_dir) as out:
        written = _write_outputs(result, out)
    return moved(written, out, Path(out_dir))


def _write_outputs(result: MatchResult, out: Path) -> list[Path]:
    from symbiose.safe_output import escape_frame

    paths = [out / "matches.csv", out / "suggestions.csv", out / "kpis.json"]
    write_csv(escape_frame(result.matches()), paths[0])
    write_csv(escape_frame(result.suggestions), paths[1])
    payload = result.kpis.as_dict()
    payload["solver"] = {
        "backend": result.allocation.backend,
        "status": result.allocation.status,
        "objective_eur": result.allocation.objective_cents / 100,
        "bound_eur": None if result.allocation.bound_cents is None else result.allocation.bound_cents / 100,
    }
    paths[2].write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=float) + "\n", encoding="utf-8")
    return paths


def summary_text(result: MatchResult) -> str:
    """A readable summary for the command line."""
    k = result.kpis
    lines = [
        f"{k.synergies} synergies between {k.companies_involved} companies "
        f"({result.allocation.backend}, {result.allocation.status})",
        f"  exchanged per year: {k.matched_t:,.0f} t, {k.matched_m3:,.0f} m3, {k.matched_mwh:,.0f} MWh "
        f"({k.diverted_t:,.0f} t taken from landfill or incineration)",
        f"  net benefit: {k.net_benefit_eur:,.0f} EUR/yr (suppliers avoid {k.supplier_savings_eur:,.0f}, "
        f"receivers avoid {k.receiver_savings_eur:,.0f}, transport {k.transport_cost_eur:,.0f}, "
        f"pre-treatment {k.pretreatment_cost_eur:,.0f})"
        + (f"; with the carbon value {k.objective_eur:,.0f}" if k.carbon_value_eur else ""),
        f"  CO2e avoided: {k.co2e_avoided_t:,.1f} t/yr net of {k.co2e_transport_t:,.1f} t for "
        f"{k.tkm:,.0f} t.km of transport",
        f"  left on their current route: {k.unmatched_t:,.0f} t, {k.unmatched_m3:,.0f} m3, "
        f"{k.unmatched_mwh:,.0f} MWh",
    ]
    top = sorted(k.unmatched_by_code, key=lambda r: -r["quantity"])[:5]
    if top:
        lines.append("  largest wastes without an outlet: " + ", ".join(
            f"{r['code']} {r['quantity']:,.0f} {r['unit']}" for r in top
        ))  # fmt: skip
    return "\n".join(lines)
