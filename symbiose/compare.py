"""Side-by-side comparison of scenarios: indicators, differences to the first, synergy changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from symbiose.domain import Network
from symbiose.i18n import N_, gettext
from symbiose.matching import MatchResult, candidates_for, candidates_key, run_match
from symbiose.params import MatchParameters
from symbiose.scenarios import Scenario, load_scenarios, resolve
from symbiose.sweep import Progress, run_tasks

INDICATORS = [
    ("synergies", N_("synergies"), "{:,.0f}"),
    ("companies_involved", N_("companies involved"), "{:,.0f}"),
    ("matched_t", N_("exchanged (t/yr)"), "{:,.0f}"),
    ("matched_m3", N_("exchanged (m3/yr)"), "{:,.0f}"),
    ("matched_mwh", N_("exchanged (MWh/yr)"), "{:,.0f}"),
    ("diverted_t", N_("taken from landfill/incineration (t/yr)"), "{:,.0f}"),
    ("virgin_saved_t", N_("virgin material saved (t/yr)"), "{:,.0f}"),
    ("tkm", N_("transport (t.km/yr)"), "{:,.0f}"),
    ("co2e_avoided_t", N_("CO2e avoided, net (t/yr)"), "{:,.1f}"),
    ("supplier_savings_eur", N_("suppliers' savings (EUR/yr)"), "{:,.0f}"),
    ("receiver_savings_eur", N_("receivers' savings (EUR/yr)"), "{:,.0f}"),
    ("transport_cost_eur", N_("transport cost (EUR/yr)"), "{:,.0f}"),
    ("net_benefit_eur", N_("net benefit (EUR/yr)"), "{:,.0f}"),
    ("carbon_value_eur", N_("carbon value counted (EUR/yr)"), "{:,.0f}"),
    ("unmatched_t", N_("left on current route (t/yr)"), "{:,.0f}"),
]

COUNTS = ("synergies", "companies_involved")
"""Indicators given exactly to everyone (a planner's overview too); the others may be rounded."""

BY_UNIT = {"t": ("matched_t", "diverted_t", "unmatched_t"), "m3": ("matched_m3",), "MWh": ("matched_mwh",)}
"""Indicators summed over the pairs of one unit (tonnes left on their route are the tonnes of the
streams less those exchanged: they say as much); every other figure is summed over all pairs."""


def thin_figures(result: MatchResult, k: int) -> set[str]:
    """The indicators of ``result`` that fewer than ``k`` suppliers or ``k`` receivers stand behind:
    a scenario that keeps a handful of pairs (a radius of 0,5 km keeps the implemented ones) gives
    one distillery's exact volume as « exchanged (m3/yr) », rounded or not."""
    flows = result.allocation.flows
    if not len(flows):
        return set()
    # who stands behind each used pair, read off the allocation (not the whole matches table)
    matches = pd.DataFrame({
        "supplier_id": result.candidates.streams["company_id"].to_numpy()[flows["s"].to_numpy(dtype="int64")],
        "receiver_id": result.candidates.needs["company_id"].to_numpy()[flows["n"].to_numpy(dtype="int64")],
    })  # fmt: skip

    def few(pairs) -> bool:
        return len(pairs) > 0 and (pairs["supplier_id"].nunique() < k or pairs["receiver_id"].nunique() < k)

    units = flows["unit"].astype(str).to_numpy()
    thin = {key for unit, keys in BY_UNIT.items() if few(matches[units == unit]) for key in keys}
    if few(matches):
        thin |= {key for key, _label, _spec in INDICATORS if key not in COUNTS}
    return thin


@dataclass(frozen=True)
class Comparison:
    scenarios: list[Scenario]
    results: list[MatchResult]

    def table(self, *, rounded: bool = False) -> pd.DataFrame:
        """Indicators (rows) by scenario (columns), then the differences to the first scenario.

        ``rounded``: quantities and money to two significant figures, and differences of those, as
        a planner reads them (:data:`COUNTS` stay exact): exact totals less the flows grouped by
        material would give back a withheld group, a single pair's tonnes and value. A figure that
        fewer than k suppliers or receivers stand behind (:func:`thin_figures`) is withheld (NaN,
        shown « — »), as the public report withholds a group of flows."""
        from symbiose.catalogue import anonymity_k
        from symbiose.report_public import round_figures

        data = {}
        for scenario, result in zip(self.scenarios, self.results, strict=True):
            kpis = result.kpis.as_dict()
            data[scenario.name] = [kpis[key] for key, _, _ in INDICATORS]
        table = pd.DataFrame(data, index=[label for _, label, _ in INDICATORS], dtype=float)
        if rounded:
            figures = ~table.index.isin([label for key, label, _spec in INDICATORS if key in COUNTS])
            table.loc[figures] = table.loc[figures].map(round_figures)
            labels = {key: label for key, label, _spec in INDICATORS}
            k = anonymity_k()
            for scenario, result in zip(self.scenarios, self.results, strict=True):
                for key in thin_figures(result, k):
                    table.at[labels[key], scenario.name] = float("nan")
        first = table.columns[0]
        for col in table.columns[1:]:
            # rounded: the difference of the figures shown (170 000 and 180 000 differ by 10 000, not by
            # the 16 000 of the exact totals rounded apart), which says nothing the columns do not
            table[f"{col} - {first}"] = table[col] - table[first]
        table.index.name = "indicator"
        return table

    def spreadsheet_table(self, *, side_by_side: bool = False, rounded: bool = False) -> pd.DataFrame:
        """The indicators as a spreadsheet of the current language reads them: a row per
        indicator named in words, a column per scenario, then the difference of each other
        scenario to the first, headed « Δ B par rapport à A » (``side_by_side``: each scenario
        followed by its difference, as the Scenarios page shows them). Each number is the text
        the spreadsheet reads, to the precision it is shown: counts, tonnes and euros whole
        (``304``, not ``304,0``), CO2e to 0.1 t, the language's decimal mark, never ``-0``.
        Labels and headers are escaped (a scenario named ``=...`` stays text)."""
        from symbiose.i18n import get_language
        from symbiose.safe_output import escape_cell

        table = self.table(rounded=rounded)
        names = [s.name for s in self.scenarios]
        first = names[0]
        decimals = {label: 1 if ".1f" in spec else 0 for _key, label, spec in INDICATORS}
        mark = "," if get_language() == "fr" else "."

        counts = {label for key, label, _spec in INDICATORS if key in COUNTS}

        def cell(value: float, digits: int, label: str = "") -> str:
            if value != value:  # withheld: too few companies behind it
                return "—"
            if rounded and label not in counts and abs(value) >= 10:
                digits = 0  # two significant figures of 4 000 t: no « 4000,0 »
            text = f"{round(float(value), digits):.{digits}f}"
            if not text.strip("-0."):  # a value that rounds to zero has no sign
                text = text.lstrip("-")
            return text.replace(".", mark)

        deltas = {f"{name} - {first}": delta_label(name, first) for name in names[1:]}
        if side_by_side:
            order = [first, *(c for name in names[1:] for c in (name, f"{name} - {first}"))]
        else:
            order = [*names, *deltas]
        frame = pd.DataFrame({gettext("indicator (per year)"): [escape_cell(gettext(label)) for label in table.index]})
        for column in order:
            frame[escape_cell(deltas.get(column, column))] = [
                cell(value, decimals.get(label, 2), label) for label, value in table[column].items()]  # fmt: skip
        return frame

    def synergy_changes(self) -> pd.DataFrame:
        """Pairs that appear, disappear or change quantity between the first and each other
        (made once: the terminal table and the written files both read it)."""
        if "_changes" not in self.__dict__:
            self.__dict__["_changes"] = self._synergy_changes()
        return self.__dict__["_changes"].copy()

    def _synergy_changes(self) -> pd.DataFrame:
        keys = ["stream_id", "need_id"]
        kept = [*keys, "quantity", "supplier", "receiver", "unit"]
        first = self.results[0].matches()[kept]
        parts = []
        for scenario, result in zip(self.scenarios[1:], self.results[1:], strict=True):
            both = first.merge(result.matches()[kept], on=keys, how="outer", suffixes=("_0", "_1"), indicator=True)
            both = both.sort_values(keys, kind="stable")
            q0 = both["quantity_0"].fillna(0.0).astype(float)
            q1 = both["quantity_1"].fillna(0.0).astype(float)
            moved = (q1 - q0).abs() >= 1e-9
            both, q0, q1 = both[moved], q0[moved], q1[moved]
            in_other = both["_merge"].astype(str) != "left_only"
            change = np.where(q0 == 0, "appears", np.where(q1 == 0, "disappears", "changes"))
            part = pd.DataFrame({"scenario": scenario.name, "change": change, "stream_id": both["stream_id"],
                                 "need_id": both["need_id"]})  # fmt: skip
            for name in ("supplier", "receiver"):  # the other run's row where it has one
                part[name] = np.where(in_other, both[f"{name}_1"], both[f"{name}_0"])
            part["quantity_before"], part["quantity_after"] = q0.to_numpy(), q1.to_numpy()
            part["unit"] = np.where(in_other, both["unit_1"], both["unit_0"])
            parts.append(part)
        columns = ["scenario", "change", "stream_id", "need_id", "supplier", "receiver", "quantity_before",
                   "quantity_after", "unit"]  # fmt: skip
        if not parts:
            return pd.DataFrame(columns=columns)
        return pd.concat(parts, ignore_index=True)[columns]

    def solver_notes(self) -> list[str]:
        """One line per run whose allocation is not proven optimal (the rules model stopped by
        its time limit or by its first look): how far below the bound it may be."""
        from symbiose.i18n import _, fmt_eur, fmt_percent

        notes = []
        for scenario, result in zip(self.scenarios, self.results, strict=True):
            allocation = result.allocation
            if allocation.status == "optimal":
                continue
            bound, objective = allocation.bound_cents, allocation.objective_cents
            gap = (bound - objective) / abs(bound) if bound else None
            notes.append(_("{scenario}: best solution the rules model found, not proven optimal; at most {gap} "
                           "below the bound ({bound}/yr)").format(
                scenario=scenario.name, gap=fmt_percent(gap, 1) if gap is not None else "–",
                bound=fmt_eur(None if bound is None else bound / 100)))  # fmt: skip
        return notes

    def write(self, out_dir: str | Path, *, machine: bool = False) -> list[Path]:
        """comparison.csv, comparison.json and synergy_changes.csv in ``out_dir``: the CSV files
        for a spreadsheet of the current language, or in the programs' format (``machine``)."""
        from symbiose.safe_output import atomic_folder, moved

        with atomic_folder(out_dir) as out:
            written = self._write(out, machine)
        return moved(written, out, Path(out_dir))

    def _write(self, out: Path, machine: bool) -> list[Path]:
        from symbiose.result_files import machine_format, write_result_csv
        from symbiose.safe_output import escape_frame

        table = self.table()
        paths = [out / "comparison.csv", out / "comparison.json", out / "synergy_changes.csv"]
        if machine_format(machine):
            escape_frame(table).to_csv(paths[0])
        else:  # the indicators named in the current language, to the precision they are shown
            from symbiose.csvfile import write_csv_blocks

            write_csv_blocks([self.spreadsheet_table()], paths[0], sep=";", decimal=",", bom=True)
        payload = {
            s.name: {"description": s.description, "source": s.source, "kpis": r.kpis.as_dict(),
                     "solver": _solver(r)}
            for s, r in zip(self.scenarios, self.results, strict=True)
        }
        paths[1].write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=float) + "\n", encoding="utf-8")
        write_result_csv(self.synergy_changes(), paths[2], machine=machine)
        return paths


def delta_label(scenario: str, first: str) -> str:
    """The header of a difference column: « Δ TGAP +25 par rapport à Aujourd'hui »."""
    return gettext("Δ {scenario} vs {first}").format(scenario=scenario, first=first)


def _solver(result: MatchResult) -> dict:
    """How a run's allocation was solved, as ``kpis.json`` of a match gives it."""
    allocation = result.allocation
    return {"backend": allocation.backend, "status": allocation.status,
            "objective_eur": allocation.objective_cents / 100,
            "bound_eur": None if allocation.bound_cents is None else allocation.bound_cents / 100}  # fmt: skip


def compare_scenarios(paths: list[str], load_base: Callable[[str], Network], *, workers: int | None = None,
                      progress: Progress | None = None, cluster: str | None = None) -> Comparison:  # fmt: skip
    """Load every scenario (files and their variants), resolve and run them.

    Scenarios that differ only by their rules share one set of candidate pairs; the runs go to a
    local process pool (or ``cluster``, see :mod:`symbiose.sweep`), with the same results as one
    after the other. ``progress(done, total)`` follows the groups of runs.
    """
    scenarios: list[Scenario] = []
    # a file named twice runs once, where it first comes: "today.toml scenarios/*.toml" puts the
    # reference of the differences first
    seen: dict[str, str] = {}  # one run per file, however it is named (relative, absolute, ./)
    for p in paths:
        file, _sep, variant = str(p).partition("#")
        seen.setdefault(f"{Path(file).resolve()}#{variant}", str(p))
    for path in seen.values():
        scenarios.extend(load_scenarios(path))
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        from symbiose.errors import ScenarioError

        raise ScenarioError(gettext("two scenarios are named '{value}'; give each a distinct [scenario] name so that the comparison can tell them apart").format(value=dupes[0]))  # fmt: skip
    bases: dict[str, Network] = {}
    groups: list[tuple[Network, tuple, list[tuple[int, Network, MatchParameters]]]] = []
    for i, scenario in enumerate(scenarios):
        if scenario.base not in bases:
            bases[scenario.base] = load_base(scenario.base)
        network, params = resolve(scenario, bases[scenario.base])
        key = candidates_key(params)
        same = replace(network, name="")  # each resolved network bears its scenario's name
        for group_network, group_key, members in groups:
            if group_key == key and group_network == same:
                members.append((i, network, params))
                break
        else:
            groups.append((same, key, [(i, network, params)]))
    # the longest runs first (the rules model's CP-SAT), so that the others fill the other cores
    order = sorted(range(len(groups)), key=lambda g: -max(_weight(p) for _, _, p in groups[g][2]))
    tasks = [[(network, params) for _, network, params in groups[g][2]] for g in order]
    done = run_tasks(_run_group, tasks, workers=workers, progress=progress, cluster=cluster)
    results: list[MatchResult | None] = [None] * len(scenarios)
    for g, group_results in zip(order, done, strict=True):
        for (i, _, _), result in zip(groups[g][2], group_results, strict=True):
            results[i] = result
    return Comparison(scenarios, results)


def _weight(params: MatchParameters) -> int:
    """A run's expected length, to start the long ones first: the rules model runs CP-SAT."""
    return 1 if params.rules.active else 0


def _run_group(task: list[tuple[Network, MatchParameters]]) -> list[MatchResult]:
    """Runs of networks equal but for their names, under parameters that differ only by their
    rules: candidates once."""
    candidates = candidates_for(*task[0])
    return [run_match(network, params, candidates=replace(candidates, params=params), with_suggestions=False)
            for network, params in task]  # fmt: skip


def format_table(comparison: Comparison) -> str:
    """The comparison as aligned text: values, then the change from the first scenario."""
    from symbiose.i18n import _, fmt_number
    from symbiose.labels import synergy_change_text

    names = [s.name for s in comparison.scenarios]
    width = max(12, *(len(n) for n in names))
    labels = [_(label) for _key, label, _spec in INDICATORS]
    label_w = max(len(label) for label in labels)
    lines = [" " * label_w + " | " + " | ".join(n.rjust(width) for n in names)]
    lines.append("-" * len(lines[0]))
    all_kpis = [r.kpis.as_dict() for r in comparison.results]
    for (key, _label, spec), label in zip(INDICATORS, labels, strict=True):
        digits = 1 if ".1f" in spec else 0
        values = [kpis[key] for kpis in all_kpis]
        cells = [fmt_number(values[0], digits).rjust(width)]
        for v in values[1:]:
            delta = v - values[0]
            sign = "+" if round(delta, digits) > 0 else ""  # a float's residue is no change: (0), not (+0)
            cells.append(f"{fmt_number(v, digits)} ({sign}{fmt_number(delta, digits)})".rjust(width))
        lines.append(label.ljust(label_w) + " | " + " | ".join(cells))
    changes = comparison.synergy_changes()
    if len(changes):
        lines.append("")
        for (scenario, change), group in changes.groupby(["scenario", "change"]):
            lines.append(synergy_change_text(scenario, change, len(group)))
    notes = comparison.solver_notes()
    if notes:
        lines.extend(["", *notes])
    return "\n".join(lines)
