"""Opportunity finder: wastes with no local outlet, and where a new processor should go.

For each waste code whose quantity left on its current route after the allocation is large enough
(and whose producers pay to get rid of it: a stream sold at a profit needs no new outlet), every commune of the commune table is a
candidate site. A site captures the unserved tonnage within the road radius; among the sites that
capture the most, the one with the fewest tonne-kilometres wins (the location that minimises
transport for the tonnage it would capture). Each opportunity comes with a ready-made scenario
that adds the processor as a virtual company.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from symbiose.domain import format_ewc
from symbiose.geo import haversine_km
from symbiose.i18n import get_language
from symbiose.labels import category_label
from symbiose.matching import MatchResult
from symbiose.reference import communes, ewc_entries
from symbiose.units import BASE_PER_UNIT


@dataclass(frozen=True)
class Opportunity:
    code: str  # compact waste code or resource material
    label: str
    unit: str
    unserved: float  # quantity per year left on current routes, whole network
    no_candidate: float  # of which with no compatible partner at all within reach
    suppliers: int
    site_insee: str
    site_name: str
    site_lat: float
    site_lon: float
    captured: float  # quantity per year within the radius of the site
    captured_suppliers: int
    tkm: float
    mean_km: float
    avoided_route_cost_eur: float  # what the captured suppliers pay today per year

    @property
    def scenario_id(self) -> str:
        return f"X-{self.code}-{self.unit}"

    def scenario_toml(self, base: str = "demo") -> str:
        """A scenario file adding a processor at the site, written in French with English
        ``name_en`` / ``description_en`` (numbers in French form in the French text)."""
        from symbiose.i18n import fmt_number, language

        code = format_ewc(self.code) if self.code.isdigit() else self.code
        accepted = f'accepted_codes = ["{self.code}"]' if self.code.isdigit() else f'category = "{self.code}"'
        with language("fr"):
            captured_fr = fmt_number(self.captured)
            label_fr = waste_label(self.code)
        with language("en"):
            label_en = waste_label(self.code)
        label_en = label_en[:1].lower() + label_en[1:] if label_en[1:2].islower() else label_en  # mid-sentence
        return (
            f"# Écrit par `symbiose opportunities` : un repreneur pour {code} ({self.label})\n"
            f'[scenario]\nname = "Repreneur pour {code} à {self.site_name}"\n'
            f'description = "Un nouveau repreneur à {self.site_name} qui capterait {captured_fr} {self.unit}/an '
            f'de {label_fr} auprès de {self.captured_suppliers} fournisseurs"\n'
            f'name_en = "Processor for {code} at {self.site_name}"\n'
            f'description_en = "A new processor at {self.site_name} capturing {self.captured:,.0f} {self.unit}/yr '
            f'of {label_en} from {self.captured_suppliers} suppliers"\nbase = "{base}"\n\n'
            f'[[add_company]]\nid = "{self.scenario_id}"\nname = "Repreneur en projet pour {code}"\n'
            f'insee_code = "{self.site_insee}"\nnotes = "scénario : entreprise virtuelle"\n\n'
            f'[[add_company.needs]]\nid = "{self.scenario_id}-N1"\n{accepted}\n'
            f'description = "Réception de {self.label}"\nquantity = {round(self.captured, 3)}\nunit = "{self.unit}"\n'
            f"virgin_price_eur_per_unit = 0\nhazardous_permit = true\n"
        )


def waste_label(code: str) -> str:
    """A waste code's words in the current language (the List of Waste), or a material's."""
    entries = ewc_entries()
    if code in entries:
        entry = entries[code]
        return (entry.description_fr if get_language() == "fr" else entry.description_en) or entry.description_en
    return category_label(code)


def unserved_streams(result: MatchResult) -> pd.DataFrame:
    """Streams with quantity left on their current route, and whether they had any candidate."""
    streams = result.candidates.streams.copy()
    flows = result.allocation.flows
    used = np.bincount(flows["s"].to_numpy(dtype=np.int64), weights=flows["flow_base"].to_numpy(dtype=float),
                       minlength=len(streams)) if len(flows) else np.zeros(len(streams))  # fmt: skip
    has_candidate = np.zeros(len(streams), dtype=bool)
    has_candidate[result.candidates.arcs["s"].to_numpy(dtype=np.int64)] = True
    streams["left"] = (streams["quantity_base"].to_numpy(dtype=float) - used) / BASE_PER_UNIT
    streams["has_candidate"] = has_candidate
    streams["code"] = np.where(streams["ewc_code"] != "", streams["ewc_code"], streams["material"])
    return streams[streams["left"] > 0].reset_index(drop=True)


def find_opportunities(result: MatchResult, *, radius_km: float = 30.0, min_tonnes: float = 100.0,
                       sites: pd.DataFrame | None = None) -> list[Opportunity]:  # fmt: skip
    """Largest unserved wastes first, each with its best host commune."""
    if radius_km <= 0:
        raise ValueError("radius_km must be > 0")
    left = unserved_streams(result)
    # a processor is an outlet for wastes that cost their producers money; heat and water
    # travel by pipe, not to a processor
    left = left[(left["route_cost_cents"] > 0) & (left["unit"] != "MWh") & (left["material"] != "process_water")]
    sites = communes() if sites is None else sites
    road_factor = result.candidates.params.road_factor
    found = []
    for (code, unit), group in left.groupby(["code", "unit"]):
        total = float(group["left"].sum())
        if total < min_tonnes:
            continue
        km = haversine_km(group["lat"].to_numpy()[:, None], group["lon"].to_numpy()[:, None],
                          sites["latitude"].to_numpy()[None, :], sites["longitude"].to_numpy()[None, :]) * road_factor  # fmt: skip
        within = km <= radius_km
        qty = group["left"].to_numpy()[:, None]
        captured = (qty * within).sum(axis=0)
        tkm = (qty * km * within).sum(axis=0)
        best_capture = captured.max()
        ties = np.nonzero(captured >= best_capture - 1e-9)[0]
        j = ties[np.argmin(tkm[ties])]
        site = sites.iloc[j]
        cost = (group["route_cost_cents"].to_numpy() / 100 * group["left"].to_numpy() * within[:, j]).sum()
        found.append(Opportunity(
            code=code, label=waste_label(code), unit=unit, unserved=total,
            no_candidate=float(group.loc[~group["has_candidate"], "left"].sum()),
            suppliers=int(group["company_id"].nunique()), site_insee=str(site["insee_code"]),
            site_name=str(site["name"]), site_lat=float(site["latitude"]), site_lon=float(site["longitude"]),
            captured=float(captured[j]), captured_suppliers=int(group.loc[within[:, j], "company_id"].nunique()),
            tkm=float(tkm[j]), mean_km=float(tkm[j] / captured[j]) if captured[j] else 0.0,
            avoided_route_cost_eur=float(cost),
        ))  # fmt: skip
    # wastes with no outlet at all first, then those short of capacity
    return sorted(found, key=lambda o: (-o.no_candidate, -o.unserved, o.code))


def opportunities_frame(found: list[Opportunity]) -> pd.DataFrame:
    return pd.DataFrame([o.__dict__ for o in found])


def format_opportunities(found: list[Opportunity]) -> str:
    """The opportunities as text for the command line, in the current language."""
    import textwrap

    from symbiose.i18n import _, fmt_number, ngettext

    if not found:
        return _("No unserved waste above the threshold.")
    lines = [_("Wastes left without an outlet (per year) and the best site for a new processor:")]
    for o in found:
        code = format_ewc(o.code) if o.code.isdigit() else o.code
        suppliers = ngettext("{n} supplier", "{n} suppliers", o.suppliers).format(n=o.suppliers)
        captured_from = ngettext("{n} supplier", "{n} suppliers", o.captured_suppliers).format(n=o.captured_suppliers)
        lines.append("- " + _(
            "{code} {label}: {unserved} {unit} unserved ({none} with no partner at all, {suppliers}); a processor at "
            "{site} ({insee}) would capture {captured} {unit} from {captured_from}, {km} km on average, who pay "
            "{cost} EUR/yr today").format(
                code=code, label=textwrap.shorten(o.label, 60, placeholder=" …"), unserved=fmt_number(o.unserved), unit=o.unit,
                none=fmt_number(o.no_candidate), suppliers=suppliers, site=o.site_name, insee=o.site_insee,
                captured=fmt_number(o.captured), captured_from=captured_from, km=fmt_number(o.mean_km, 1),
                cost=fmt_number(o.avoided_route_cost_eur)))  # fmt: skip
    return "\n".join(lines)


def write_opportunities(found: list[Opportunity], out_dir: str | Path, *, base: str = "demo",
                        machine: bool = False) -> list[Path]:  # fmt: skip
    """opportunities.csv (for a spreadsheet of the current language, or in the programs' format
    with ``machine``) and one scenario file per opportunity."""
    from symbiose.result_files import write_result_csv
    from symbiose.safe_output import atomic_folder, moved

    with atomic_folder(out_dir) as out:
        paths = [out / "opportunities.csv"]
        # road work to the tonne-km and distances to 100 m: the model's distances are no finer
        frame = opportunities_frame(found).round({"mean_km": 1})
        if found:
            frame["tkm"] = frame["tkm"].round().astype("int64")
        write_result_csv(frame, paths[0], machine=machine)
        for o in found:
            path = out / f"opportunity_{o.code}_{o.unit}.toml"
            path.write_text(o.scenario_toml(base), encoding="utf-8")
            paths.append(path)
    return moved(paths, out, Path(out_dir))
