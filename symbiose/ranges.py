"""Plausible ranges for the numbers people type, and the solver's integer range.

One place for every bound, with the reason for it. A value outside is refused where it enters
(an import row, a form) with the record named, before anything is stored; the solver checks its
own sums before solving, so that no quantity can wrap around a 64-bit integer silently.

Quantities (per year, for one stream, need or synergy):

* ``t``: at most 10 Mt/yr. France produced about 310 Mt of waste in 2020, 70 % of it from
  construction (SDES, *Bilan 2020 de la production de déchets en France*, 2023); the largest
  single sites (a large quarry, a steelworks' slag) handle a few Mt a year. Above 10 Mt, the
  quantity was almost surely typed in kg.
* ``m3``: at most 100 million m3/yr, above the yearly withdrawal of any single French industrial
  site outside power-station cooling (BNPE, Banque nationale des prélèvements quantitatifs en eau).
* ``MWh``: at most 100 TWh/yr (1e8 MWh): the largest French power station, Gravelines (six
  reactors, 5.4 GWe), sends out about 30-35 TWh of electricity and about twice that as heat a year.

Prices (euros per declared unit, a route cost or a virgin price): within ±100,000 EUR. The dearest
secondary raw materials traded in bulk cost a few tens of thousands of euros per tonne (LME 2024:
copper about 9,000, nickel about 16,000, cobalt about 30,000 USD/t); heat and electricity cost
20-500 EUR/MWh. Beyond 100,000 EUR per unit, a price per kg was entered per tonne, or cents as
euros. A network trading precious metals raises :data:`MAX_PRICE_EUR_PER_UNIT`.

>>> quantity_problem(12_000_000_000, "t") is None          # 12 Mt in kg: too much
False
>>> quantity_problem(3_473_300, "t") is None               # 3,473.3 t
True
>>> price_problem(100_000_01) is None                     # 100,000.01 EUR
False
"""

from __future__ import annotations

from symbiose.i18n import _, fmt_number
from symbiose.units import BASE_PER_UNIT, Unit

#: The largest plausible yearly quantity of one record, in its declared unit (see above).
MAX_QUANTITY_PER_UNIT: dict[Unit, int] = {
    Unit.T: 10_000_000,
    Unit.M3: 100_000_000,
    Unit.MWH: 100_000_000,
}
#: The largest plausible price, route cost or virgin price, in euros per declared unit.
MAX_PRICE_EUR_PER_UNIT = 100_000

#: What the min-cost flow may hold: OR-Tools' ``SimpleMinCostFlow`` works in signed 64-bit
#: integers (at most 9.2e18) and multiplies every cost by (number of nodes + 1) internally; a
#: margin of two keeps intermediate sums of the push-relabel algorithm inside the range too.
SOLVER_INT_LIMIT = 2**62


def max_quantity_base(unit: Unit | str) -> int:
    """The largest plausible quantity in base units (kg, L, kWh) for ``unit``."""
    return MAX_QUANTITY_PER_UNIT[Unit(unit)] * BASE_PER_UNIT


def quantity_problem(quantity_base: int | None, unit: Unit | str) -> str | None:
    """Why a yearly quantity (base units) is implausible, or None when it is fine."""
    if quantity_base is None:
        return None
    try:
        limit = max_quantity_base(unit)
    except ValueError:
        return None  # an unknown unit is reported on its own
    if quantity_base < 0:
        return _("the quantity is negative; give 0 or more")
    if quantity_base > limit:
        return _(
            "{quantity} {unit} per year is more than any single site handles (at most {limit} "
            "{unit}); check the unit (kg typed as t?)"
        ).format(
            quantity=fmt_number(quantity_base / BASE_PER_UNIT),
            unit=str(Unit(unit)),
            limit=fmt_number(limit / BASE_PER_UNIT),
        )
    return None


def price_problem(cents: int | None) -> str | None:
    """Why a price per unit (cents) is implausible, or None when it is fine."""
    if cents is None or abs(cents) <= MAX_PRICE_EUR_PER_UNIT * 100:
        return None
    return _(
        "{price} EUR per unit is outside ±{limit} EUR; check the unit of the price (per kg "
        "instead of per tonne? cents instead of euros?)"
    ).format(price=fmt_number(cents / 100), limit=fmt_number(MAX_PRICE_EUR_PER_UNIT))


def check_solver_range(network) -> None:
    """Raise :class:`~symbiose.errors.RangeError` when the network's numbers cannot be solved
    exactly in 64-bit integers: a quantity or a price beyond :data:`SOLVER_INT_LIMIT`, or streams
    (needs) whose quantities add up beyond it (the min-cost flow's supply would wrap around and
    give a wrong "optimal" answer). Checked before anything is converted to numpy integers.
    """
    from symbiose.errors import RangeError

    def refuse(what: str, record_id: str, value: str) -> None:
        raise RangeError(_(
            "{what} {id}: {value} is too large for an exact solve (64-bit integers); check the "
            "unit of this number, then match again"
        ).format(what=what, id=record_id, value=value))  # fmt: skip

    for label, records, price in ((_("stream"), network.streams, "route_cost_cents"),
                                  (_("need"), network.needs, "virgin_price_cents")):  # fmt: skip
        total = 0
        for record in records:
            quantity = int(record.quantity_base)
            if abs(quantity) >= SOLVER_INT_LIMIT:
                refuse(label, record.id, f"{fmt_number(quantity / BASE_PER_UNIT)} {record.unit}")
            cents = int(getattr(record, price))
            if abs(cents) * (len(network.streams) + len(network.needs) + 2) >= SOLVER_INT_LIMIT:
                refuse(label, record.id, f"{fmt_number(cents / 100)} EUR")
            total += max(quantity, 0)
        if total >= SOLVER_INT_LIMIT:
            raise RangeError(_(
                "the quantities of every {what} add up to {total} base units, beyond what an exact "
                "solve can hold (64-bit integers); a quantity was typed in the wrong unit: look "
                "for the largest ones"
            ).format(what=label, total=fmt_number(total)))  # fmt: skip
    for synergy in network.synergies:
        if synergy.quantity_base is not None and abs(int(synergy.quantity_base)) >= SOLVER_INT_LIMIT:
            refuse(_("synergy"), synergy.id, fmt_number(synergy.quantity_base / BASE_PER_UNIT))
