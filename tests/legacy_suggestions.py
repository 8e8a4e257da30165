"""The reason sentences as they were built row by row before issue 12, kept as a test oracle for
the vectorised :func:`symbiose.suggestions._reasons`; brought up to issue 11 (part 3) and its
merge with the logistics: a treatment outlet is marked first, the receiver's gate fee is named,
pre-treatment steps by their words (a chain joined by "+"), and a receiver that is an
intermediary carries its sentence (the ``intermediary`` column); and, after the regraded review,
a stream that today's outlet already puts to the pair's use is marked first instead (C6)."""

from __future__ import annotations

import numpy as np

from symbiose.domain import format_ewc
from symbiose.suggestions import PRETREATMENT_WORDS, ROUTE_WORDS


def _reason(row, *, public: bool = False) -> str:
    """Why a pair is suggested. ``public`` leaves out both partners' own costs and prices, for a
    company that must not learn its partner's economics before both sides are interested."""
    code = f"{row.ewc_code and format_ewc(row.ewc_code) or row.material}"
    parts = []
    same_use = bool(getattr(row, "same_use", False))
    if same_use:
        from symbiose.labels import category_label

        parts.append(f"already recovered today ({category_label(row.category)}): worth only the difference from "
                     "today's route, no CO2e avoided")
    elif not row.receiver_avoided_cents > 0:
        # the receiver replaces no purchase (net of its gate fee): a treatment outlet
        parts.append("treatment outlet")
    if row.category:
        # categories are named by their label (English here)
        from symbiose.labels import category_label

        parts.append(f"{code} can replace {category_label(row.category)} (quality {row.quality:.2f}; {row.basis})")
    else:
        parts.append(f"{code}: {row.basis}")
    conditions = [c for c in str(getattr(row, "conditions", "")).split(";") if c]
    if conditions:
        from symbiose.compat import load_knowledge_base

        by_id = {c.id: c.condition_en for c in load_knowledge_base().conditions}
        said = "under condition: " + "; ".join(dict.fromkeys(by_id[c] for c in conditions))
        if not public and getattr(row, "share_capped", False):
            said += f", quantity capped at {row.max_need_share * 100:.0f} % of the receiver's need"
        parts.append(said)
    breakeven = f"break-even {row.breakeven_km:.0f} km" if np.isfinite(row.breakeven_km) else "no transport cost"
    # the shareable text gives the distance alone: the break-even would give the value away
    parts.append(f"{row.road_km:.0f} km by road" + ("" if public else f" ({breakeven})"))
    gains = []
    gate = getattr(row, "gate_fee_cents", 0.0)
    if public:
        pass
    elif row.supplier_avoided_cents > 0:
        gains.append(f"the supplier avoids {row.supplier_avoided_cents / 100:.0f} EUR/{row.unit} of {ROUTE_WORDS.get(row.route, row.route)}")
    if not public and row.receiver_avoided_cents + gate > 0:
        # the virgin input avoided, before the gate fee the receiver's treatment costs
        gains.append(f"the receiver avoids {(row.receiver_avoided_cents + gate) / 100:.0f} EUR/{row.unit} of virgin input")
    if not public and gate > 0:
        gains.append(f"the receiver's gate fee {gate / 100:.0f} EUR/{row.unit} pays its treatment")
    if gains:
        parts.append("; ".join(gains))
    costs = f"transport {row.transport_cents / 100:.1f} EUR/{row.unit}"
    if row.pretreatment_cents > 0:
        steps = " + ".join(PRETREATMENT_WORDS.get(x, x) for x in str(row.pretreatment).split("+"))
        costs += f", {steps} {row.pretreatment_cents / 100:.0f} EUR/{row.unit}"
    parts.append(costs)
    if not public and row.receiver_is_paid and not same_use:  # a threshold on the receiver's price
        parts.append("the receiver gains only if paid to take it: a treatment outlet, check its permit")
    if row.intermediary:
        parts.append(row.intermediary)
    payload = getattr(row, "payload_t", np.nan)
    per_year = row.tradable_base / 1000
    if row.unit in ("t", "m3") and np.isfinite(payload) and per_year < payload:
        # a lot below one load a year of its vehicle goes through a collector's round
        parts.append("small lot: less than one truck load a year, usually collected in a collector's round" if public
                     else f"small lot: {per_year:.1f} t/yr is less than one load ({payload:.0f} t) of the vehicle that "
                     "carries it; such lots usually go through a collector's round, whose price replaces the direct "
                     "transport counted here")  # fmt: skip
    if not public and getattr(row, "destination", ""):
        parts.append(f"today it already goes to {row.destination}: this would move it from that outlet, "
                     "check the gain against it")
    if row.co2e_avoided_kg > 0:
        parts.append(f"{row.co2e_avoided_kg:.0f} kg CO2e avoided per {row.unit}")
    return "; ".join(parts)
