"""Impacts (key performance indicators) of an allocation, per year, with their method.

Counterfactual: without the synergy, each stream keeps its current route (and its cost), and each
receiver keeps buying its virgin input. CO2e avoided = virgin production avoided (quality x the
category's factor) + landfill emissions avoided (only for streams that were landfilled) - road
transport (t.km x the truck factor). Factors and their sources come from the knowledge base's
resource categories (DESNZ/DEFRA 2025 conversion factors) and the run's parameters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from symbiose.candidates import Candidates
from symbiose.domain import Route
from symbiose.i18n import N_
from symbiose.optimize import Allocation
from symbiose.units import BASE_PER_UNIT, Unit

METHOD = N_(
    "Per year. Counterfactual: each stream keeps its current route and cost, each receiver keeps "
    "buying virgin input. Net benefit = supplier's avoided route cost + receiver's avoided virgin "
    "purchase (x substitution quality) - road transport (EUR per t.km of a full load x straight-line "
    "km x road factor, more per tonne for light bulk that fills a truck before its weight limit, "
    "plus loading and unloading per trip) - pre-treatment - fixed link costs, in money actually "
    "saved; with a carbon price the "
    "solver also counts carbon price x CO2e avoided (objective = net benefit + carbon value). "
    "CO2e avoided = virgin production avoided (quality x category factor, DESNZ/DEFRA 2025) + "
    "landfill emissions avoided for landfilled streams (DESNZ/DEFRA 2025 landfill factors) - truck "
    "emissions (kg CO2e per t.km, DESNZ 2025 HGV average laden, well-to-wheel, per tonne of the "
    "truck's payload). A stream that today's outlet already puts to the pair's use (its destination "
    "category) is not new value: such a pair counts only the difference from today's route (the "
    "supplier's route cost against transport and any gate fee), no virgin input and no CO2e avoided "
    "(its truck's emissions only); these flows are reported apart."
)


@dataclass(frozen=True)
class Kpis:
    synergies: int
    companies_involved: int
    matched_t: float
    matched_m3: float
    matched_mwh: float
    diverted_t: float  # tonnes taken away from landfill or incineration
    diverted_m3: float
    virgin_saved_t: float
    tkm: float
    co2e_avoided_t: float
    co2e_virgin_avoided_t: float
    co2e_landfill_avoided_t: float
    co2e_transport_t: float
    supplier_savings_eur: float
    receiver_savings_eur: float
    transport_cost_eur: float
    pretreatment_cost_eur: float
    net_benefit_eur: float  # money actually saved (the objective less any carbon shadow value)
    unmatched_t: float
    unmatched_m3: float
    unmatched_mwh: float
    unmet_need_t: float
    carbon_value_eur: float = 0.0  # carbon price x CO2e avoided, counted in the objective only
    # pairs that move a stream already put to the same use today (its destination category):
    # counted in the totals at the difference from today's route only, and reported apart
    same_use_synergies: int = 0
    same_use_t: float = 0.0
    same_use_eur: float = 0.0
    objective_eur: float = 0.0  # what the solver maximised: net benefit + carbon value
    method: str = METHOD
    unmatched_by_code: list[dict] = field(default_factory=list)
    factors: list[dict] = field(default_factory=list)  # every CO2e factor used, with its source

    def as_dict(self) -> dict:
        return asdict(self)


def _sum_by_unit(quantity_base: np.ndarray, unit: np.ndarray, which: Unit) -> float:
    return float(quantity_base[unit == str(which)].sum()) / BASE_PER_UNIT


def compute_kpis(candidates: Candidates, allocation: Allocation) -> Kpis:
    """Indicators of an allocation (all per year)."""
    from symbiose.compat import load_knowledge_base

    flows = allocation.flows
    streams, needs = candidates.streams, candidates.needs
    params = candidates.params
    q = flows["flow_base"].to_numpy(dtype=float) / BASE_PER_UNIT  # in declared units
    unit = flows["unit"].to_numpy(dtype=object).astype(str)
    s_rows = flows["s"].to_numpy(dtype=np.int64)
    n_rows = flows["n"].to_numpy(dtype=np.int64)
    tonnes_per_unit = np.select([unit == str(Unit.T), unit == str(Unit.M3)], [1.0, params.liquid_density_t_per_m3], 0.0)
    route = streams["route"].to_numpy(dtype=object)[s_rows]
    diverted = np.isin(route, [str(Route.LANDFILL), str(Route.INCINERATION)])
    landfilled = route == str(Route.LANDFILL)
    per_unit = lambda name: flows[name].to_numpy(dtype=float)  # noqa: E731

    # carried flows only (heat, water and gases travel by pipe, with no freight emissions);
    # each arc carries its mode's CO2e per unit (road, rail or ship: candidates.effective freight)
    if "freight_mode" in flows.columns:
        trucked = (tonnes_per_unit > 0) & (flows["freight_mode"].astype(str).to_numpy() != "pipe")
    else:
        trucked = tonnes_per_unit > 0
    tkm = float((q * tonnes_per_unit * per_unit("road_km"))[trucked].sum())
    if "transport_co2e_kg" in flows.columns:
        co2_transport_kg = float((q * per_unit("transport_co2e_kg")).sum())
    else:
        co2_transport_kg = tkm * params.truck_co2e_kg_per_tkm
    co2_net_kg = float((q * per_unit("co2e_avoided_kg")).sum())
    carbon_value_eur = params.carbon_price_eur_per_t * co2_net_kg / 1000
    cats = load_knowledge_base().categories
    category = flows["category"].to_numpy(dtype=object).astype(str)
    landfill_factor = np.array([cats[c].landfill_co2e_kg_per_t if c in cats else 0.0 for c in category])
    co2_landfill_kg = float((q * tonnes_per_unit * landfill_factor)[landfilled].sum())
    co2_virgin_kg = co2_net_kg + co2_transport_kg - co2_landfill_kg

    used = np.bincount(s_rows, weights=flows["flow_base"].to_numpy(dtype=float), minlength=len(streams))
    left = streams["quantity_base"].to_numpy(dtype=float) - used
    met = np.bincount(n_rows, weights=flows["flow_base"].to_numpy(dtype=float), minlength=len(needs))
    need_left = needs["quantity_base"].to_numpy(dtype=float) - met
    by_code = (
        streams.assign(left_base=left)
        .query("left_base > 0")
        .assign(code=lambda d: np.where(d["ewc_code"] != "", d["ewc_code"], d["material"]))
        .groupby(["code", "unit"], as_index=False)["left_base"].sum()
        .sort_values(["left_base", "code"], ascending=[False, True])
    )
    by_code["quantity"] = by_code.pop("left_base") / BASE_PER_UNIT
    companies = set(streams["company_id"].to_numpy()[s_rows]) | set(needs["company_id"].to_numpy()[n_rows])
    money = lambda name: float((q * per_unit(name)).sum()) / 100  # noqa: E731
    s_unit = streams["unit"].to_numpy(dtype=object)
    n_unit = needs["unit"].to_numpy(dtype=object)
    same = flows["same_use"].to_numpy(dtype=bool) if "same_use" in flows.columns else np.zeros(len(flows), dtype=bool)
    return Kpis(
        same_use_synergies=int(same.sum()),
        same_use_t=float(q[same & (unit == str(Unit.T))].sum()),
        same_use_eur=float((q * per_unit("value_cents"))[same].sum()) / 100,
        synergies=len(flows),
        companies_involved=len(companies),
        matched_t=float(q[unit == str(Unit.T)].sum()),
        matched_m3=float(q[unit == str(Unit.M3)].sum()),
        matched_mwh=float(q[unit == str(Unit.MWH)].sum()),
        diverted_t=float(q[(unit == str(Unit.T)) & diverted].sum()),
        diverted_m3=float(q[(unit == str(Unit.M3)) & diverted].sum()),
        virgin_saved_t=float((q * tonnes_per_unit * per_unit("quality")).sum()),
        tkm=tkm,
        co2e_avoided_t=co2_net_kg / 1000,
        co2e_virgin_avoided_t=co2_virgin_kg / 1000,
        co2e_landfill_avoided_t=co2_landfill_kg / 1000,
        co2e_transport_t=co2_transport_kg / 1000,
        supplier_savings_eur=money("supplier_avoided_cents"),
        receiver_savings_eur=money("receiver_avoided_cents"),
        transport_cost_eur=money("transport_cents"),
        pretreatment_cost_eur=money("pretreatment_cents"),
        net_benefit_eur=allocation.objective_cents / 100 - carbon_value_eur,
        carbon_value_eur=carbon_value_eur,
        objective_eur=allocation.objective_cents / 100,
        unmatched_t=_sum_by_unit(left, s_unit, Unit.T),
        unmatched_m3=_sum_by_unit(left, s_unit, Unit.M3),
        unmatched_mwh=_sum_by_unit(left, s_unit, Unit.MWH),
        unmet_need_t=_sum_by_unit(need_left, n_unit, Unit.T),
        unmatched_by_code=by_code.to_dict("records"),
        factors=[
            {"factor": "truck_co2e_kg_per_tkm", "value": params.truck_co2e_kg_per_tkm,
             "source": "DESNZ/DEFRA 2025, HGV all diesel, average laden: 0.10163 + WTT 0.02359"},
            *({"factor": f"{m.mode}_co2e_kg_per_tkm", "value": m.co2e_kg_per_t_km, "source": m.co2e_source}
              for m in load_knowledge_base().freight_modes.values()
              if m.mode != "road" and "freight_mode" in flows.columns
              and (flows["freight_mode"].astype(str) == m.mode).any()),
            *({"factor": f"{c}: virgin_co2e_kg_per_unit / landfill_co2e_kg_per_t",
               "value": [cats[c].virgin_co2e_kg_per_unit, cats[c].landfill_co2e_kg_per_t],
               "source": cats[c].co2e_source} for c in sorted(set(category)) if c in cats),
        ],  # fmt: skip
    )
