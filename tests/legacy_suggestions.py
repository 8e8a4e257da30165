"""The reason sentences as they were built row by row before issue 12, kept as a test oracle for
the vectorised :func:`symbiose.suggestions._reasons`."""

from __future__ import annotations

import numpy as np

from symbiose.domain import format_ewc
from symbiose.suggestions import ROUTE_WORDS


def _reason(row, *, public: bool = False) -> str:
    """Why a pair is suggested. ``public`` leaves out both partners' own costs and prices, for a
    company that must not learn its partner's economics before both sides are interested."""
    code = f"{row.ewc_code and format_ewc(row.ewc_code) or row.material}"
    parts = []
    if row.category:
        # categories are named by their label (English here)
        from symbiose.labels import category_label

        parts.append(f"{code} can replace {category_label(row.category)} (quality {row.quality:.2f}; {row.basis})")
    else:
        parts.append(f"{code}: {row.basis}")
    breakeven = f"break-even {row.breakeven_km:.0f} km" if np.isfinite(row.breakeven_km) else "no transport cost"
    parts.append(f"{row.road_km:.0f} km by road ({breakeven})")
    gains = []
    if public:
        pass
    elif row.supplier_avoided_cents > 0:
        gains.append(f"the supplier avoids {row.supplier_avoided_cents / 100:.0f} EUR/{row.unit} of {ROUTE_WORDS.get(row.route, row.route)}")
    if not public and row.receiver_avoided_cents > 0:
        gains.append(f"the receiver avoids {row.receiver_avoided_cents / 100:.0f} EUR/{row.unit} of virgin input")
    if gains:
        parts.append("; ".join(gains))
    costs = f"transport {row.transport_cents / 100:.1f} EUR/{row.unit}"
    if row.pretreatment_cents > 0:
        costs += f", {row.pretreatment} {row.pretreatment_cents / 100:.0f} EUR/{row.unit}"
    parts.append(costs)
    if row.receiver_is_paid:
        parts.append("the receiver gains only if paid to take it: a treatment outlet, check its permit")
    if row.co2e_avoided_kg > 0:
        parts.append(f"{row.co2e_avoided_kg:.0f} kg CO2e avoided per {row.unit}")
    return "; ".join(parts)
