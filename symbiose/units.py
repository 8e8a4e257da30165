"""Units, quantities and money.

Quantities are stored as integers in the *base unit*, a thousandth of the declared unit:
kilograms for tonnes, litres for cubic metres, kilowatt-hours for megawatt-hours. Money is
stored as integer euro cents. SQLite has no exact decimal type, and the min-cost-flow solver
wants integers anyway.

>>> to_base(12.5, Unit.T)
12500
>>> from_base(12500, Unit.T)
12.5
>>> parse_decimal("1 234,5")
1234.5
>>> to_cents(65)
6500
"""

from __future__ import annotations

import math
import re
from enum import StrEnum

from symbiose.i18n import _


class Unit(StrEnum):
    """Declared unit of a stream or need quantity (per year)."""

    T = "t"
    M3 = "m3"
    MWH = "MWh"

    @property
    def base(self) -> str:
        """Name of the stored base unit (a thousandth of this one)."""
        return BASE_UNIT_NAMES[self]

    @classmethod
    def parse(cls, text: str) -> Unit:
        """Read a unit as people write it (``t``, ``tonnes``, ``m³``, ``MWh``...)."""
        key = re.sub(r"[\s./]", "", str(text)).lower().replace("³", "3")
        for unit, aliases in UNIT_ALIASES.items():
            if key in aliases:
                return unit
        raise ValueError(_(
            "unknown unit '{text}'; use t (tonnes), m3 (cubic metres) or MWh (megawatt-hours)"
        ).format(text=text))


BASE_PER_UNIT = 1000
BASE_UNIT_NAMES = {Unit.T: "kg", Unit.M3: "L", Unit.MWH: "kWh"}
UNIT_ALIASES = {
    Unit.T: {"t", "tonne", "tonnes", "ton", "tons", "tan", "t/an", "tonnesan", "tpa"},
    Unit.M3: {"m3", "mcube", "mètrecube", "metrecube", "m3an", "metrescubes", "mètrescubes"},
    Unit.MWH: {"mwh", "mwhan", "mégawattheure", "megawattheure"},
}

_DECIMAL_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_decimal(text: str | float | int) -> float:
    """Parse a number written the French or the English way.

    Accepts a decimal comma, thin/non-breaking spaces as thousands separators and a leading
    ``+``. Raises ``ValueError`` with the offending text otherwise.
    """
    if isinstance(text, bool):
        raise ValueError(_("'{text}' is not a number").format(text=text))
    if isinstance(text, int | float):
        value = float(text)
    else:
        cleaned = _DECIMAL_SPACES.sub("", str(text).strip())
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        elif cleaned.count(",") >= 1 and cleaned.count(".") == 1 and cleaned.rfind(",") < cleaned.rfind("."):
            cleaned = cleaned.replace(",", "")  # 1,234.5
        elif cleaned.count(".") >= 1 and cleaned.count(",") == 1 and cleaned.rfind(".") < cleaned.rfind(","):
            cleaned = cleaned.replace(".", "").replace(",", ".")  # 1.234,5
        try:
            value = float(cleaned)
        except ValueError:
            raise ValueError(_("'{text}' is not a number").format(text=text)) from None
    if not math.isfinite(value):
        raise ValueError(_("'{text}' is not a finite number").format(text=text))
    return value


def to_base(quantity: float, unit: Unit | str) -> int:
    """Quantity in the declared unit -> integer base units (rounded to the nearest)."""
    Unit(unit)
    return int(round(float(quantity) * BASE_PER_UNIT))


def from_base(quantity_base: int, unit: Unit | str) -> float:
    """Integer base units -> quantity in the declared unit."""
    Unit(unit)
    return quantity_base / BASE_PER_UNIT


def to_cents(euros: float) -> int:
    """Euros -> integer cents (rounded to the nearest cent)."""
    return int(round(float(euros) * 100))


def from_cents(cents: int) -> float:
    """Integer cents -> euros."""
    return cents / 100
