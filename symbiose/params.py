"""Parameters of a matching run: economics, distances, carbon and rules.

Scenarios (:mod:`symbiose.scenarios`) produce these; the matcher only reads them. All values are
plain numbers in the unit named by the field, validated on construction.

>>> MatchParameters().road_factor
1.3
>>> MatchParameters(road_factor=0.5)
Traceback (most recent call last):
...
symbiose.errors.ScenarioError: road_factor must be at least 1 (road distance >= straight line), got 0.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from symbiose.errors import ScenarioError
from symbiose.i18n import _


@dataclass(frozen=True, slots=True)
class Rules:
    """Rules that users ask for; any of them switches the solver to the rules model."""

    min_lot_t: float = 0.0  # smallest quantity worth a synergy (per year, in the stream's unit)
    max_partners_per_stream: int | None = None  # at most K receivers per stream
    max_partners_per_need: int | None = None  # at most K suppliers per need
    fixed_cost_per_link_eur: float = 0.0  # set-up cost of a new synergy (per year)
    keep_implemented: bool = True  # implemented synergies keep their quantity
    exclude_abandoned: bool = True  # abandoned pairs are never proposed again
    time_limit_s: float = 10.0  # CP-SAT time limit for the rules model

    @property
    def active(self) -> bool:
        """Whether any rule breaks the pure min-cost-flow structure."""
        return bool(
            self.min_lot_t > 0
            or self.max_partners_per_stream
            or self.max_partners_per_need
            or self.fixed_cost_per_link_eur > 0
        )


@dataclass(frozen=True, slots=True)
class MatchParameters:
    """Economic and physical parameters of a matching run (all per year unless stated)."""

    transport_cost_eur_per_tkm: float = 0.15  # road freight, bulk, loaded truck incl. return
    # loading and unloading of a road trip, whatever the distance; None: each vehicle's own
    # (data/road_vehicles.csv, CNR-COSTS: 75 EUR a trip, 3 EUR/t for a full 25 t load)
    handling_eur_per_trip: float | None = None
    road_factor: float = 1.3  # road distance = straight-line distance x road_factor
    carbon_price_eur_per_t: float = 0.0  # shadow price of CO2e in the objective (0 = report only)
    truck_co2e_kg_per_tkm: float = 0.12522  # DESNZ 2025 all HGVs average laden, WTW (0.10163+0.02359)
    liquid_density_t_per_m3: float = 1.0  # to compare t and m3 for liquids and sludges
    max_distance_km: float | None = None  # global cap on road distance, on top of each need's own
    # None: every compatible need within reach. A number k keeps only the k nearest per stream and
    # category: much faster on France-sized networks, but then adding a need can push another out
    # of a stream's k nearest, so results are no longer monotone in the network.
    max_candidates_per_stream: int | None = None
    route_cost_delta_eur: dict[str, float] = field(default_factory=dict)  # e.g. TGAP: {"landfill": 20}
    rules: Rules = field(default_factory=Rules)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float | int) and not isinstance(value, bool):
                if not math.isfinite(value):
                    raise ScenarioError(_('{name} must be a finite number, got {value}').format(name=f.name, value=value))
        if self.transport_cost_eur_per_tkm < 0:
            raise ScenarioError(
                _('transport_cost_eur_per_tkm must be >= 0, got {value}').format(value=self.transport_cost_eur_per_tkm)
            )
        if self.handling_eur_per_trip is not None and self.handling_eur_per_trip < 0:
            raise ScenarioError(_('handling_eur_per_trip must be >= 0, got {value}').format(value=self.handling_eur_per_trip))
        if self.road_factor < 1:
            raise ScenarioError(
                _('road_factor must be at least 1 (road distance >= straight line), got {value}').format(value=self.road_factor)
            )
        if self.carbon_price_eur_per_t < 0:
            raise ScenarioError(_('carbon_price_eur_per_t must be >= 0, got {value}').format(value=self.carbon_price_eur_per_t))
        if self.truck_co2e_kg_per_tkm < 0:
            raise ScenarioError(_("truck_co2e_kg_per_tkm must be >= 0"))
        if self.liquid_density_t_per_m3 != 1.0:
            raise ScenarioError(
                _('liquid_density_t_per_m3: streams and needs in t and m3 are compared one to one (1 t per m3); other densities are not supported yet, got {value}').format(value=self.liquid_density_t_per_m3)
            )
        if self.max_distance_km is not None and self.max_distance_km <= 0:
            raise ScenarioError(_('max_distance_km must be > 0, got {value}').format(value=self.max_distance_km))
        if self.max_candidates_per_stream is not None and self.max_candidates_per_stream < 1:
            raise ScenarioError(_("max_candidates_per_stream must be at least 1"))
        r = self.rules
        if r.min_lot_t < 0 or r.fixed_cost_per_link_eur < 0 or r.time_limit_s <= 0:
            raise ScenarioError(_("rules: min_lot_t and fixed_cost_per_link_eur must be >= 0, time_limit_s > 0"))
        for name in ("max_partners_per_stream", "max_partners_per_need"):
            k = getattr(r, name)
            if k is not None and k < 1:
                raise ScenarioError(_('rules: {name} must be at least 1, got {k}').format(name=name, k=k))
