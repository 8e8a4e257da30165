"""Ranked partner suggestions, the benefit split and the break-even distance of each pair.

For every stream its best N receiving needs, and for every need its best N supplying streams,
ranked by the pair's *potential* net benefit per year if it were the only synergy
(``score`` = the tradable quantity x the value per unit, in euros per year).

Benefit split: the receiver collects and pre-treats, and pays the supplier a price ``p`` per unit
(negative: the supplier pays the receiver to take it). The supplier gains ``route cost + p``; the
receiver gains ``quality x virgin price - transport - pre-treatment - p``. Both gain for
``p`` between ``-route cost`` and ``quality x virgin price - transport - pre-treatment``; the
suggested price splits the gain equally. Break-even distance: the road distance at which the
pair's value per unit falls to zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from symbiose.candidates import Candidates
from symbiose.domain import format_ewc
from symbiose.i18n import N_, _, fmt_number
from symbiose.labels import category_label, route_label
from symbiose.optimize import Allocation
from symbiose.units import BASE_PER_UNIT

ROUTE_WORDS = {
    "landfill": N_("landfill"),
    "incineration": N_("incineration"),
    "recovery": N_("its current recovery route"),
    "land_spreading": N_("land spreading"),
    "storage": N_("storage"),
    "other": N_("its current route"),
}
PRETREATMENT_WORDS = {
    "sorting": N_("sorting"), "drying": N_("drying"), "shredding": N_("shredding"), "blending": N_("blending"),
    "screening": N_("screening"), "crushing": N_("crushing"), "distillation": N_("distillation"),
    "depackaging": N_("depackaging"), "separation": N_("separation"), "hygienisation": N_("hygienisation"),
    "rendering": N_("rendering"), "washing": N_("washing"), "grinding": N_("grinding"),
    "filtering": N_("filtering"), "cleaning": N_("cleaning"), "WEEE treatment": N_("WEEE treatment"),
    "briquetting": N_("briquetting"), "pulping": N_("pulping"), "pretreatment": N_("pretreatment"),
    "milling": N_("milling"), "maturation": N_("maturation"), "granulation": N_("granulation"),
    "draining": N_("draining"), "dismantling": N_("dismantling"), "depressurisation": N_("depressurisation"),
    "degassing": N_("degassing"), "chipping": N_("chipping"),
}  # fmt: skip


def pair_economics(candidates: Candidates) -> pd.DataFrame:
    """Per candidate pair: potential, price range, equal-split price, break-even distance."""
    arcs = candidates.arcs.copy()
    params = candidates.params
    streams, needs = candidates.streams, candidates.needs
    s_qty = streams["quantity_base"].to_numpy()[arcs["s"].to_numpy(dtype=np.int64)]
    n_qty = needs["quantity_base"].to_numpy()[arcs["n"].to_numpy(dtype=np.int64)]
    tradable = np.minimum(s_qty, n_qty)
    arcs["tradable_base"] = tradable
    arcs["stream_share"] = tradable / np.maximum(s_qty, 1)
    arcs["need_share"] = tradable / np.maximum(n_qty, 1)
    arcs["score"] = np.round(tradable / BASE_PER_UNIT * arcs["value_cents"] / 100, 2)
    low = -arcs["supplier_avoided_cents"]
    high = arcs["receiver_avoided_cents"] - arcs["transport_cents"] - arcs["pretreatment_cents"]
    arcs["price_min_eur"] = np.round(low / 100, 2)
    arcs["price_max_eur"] = np.round(high / 100, 2)
    arcs["price_fair_eur"] = np.round((low + high) / 200, 2)
    # the receiver gains only if the supplier pays it: it acts as a treatment outlet, which a
    # waste-status check (permit, traceability) must confirm before the pair goes further
    arcs["receiver_is_paid"] = high < 0
    # value(d) is affine in the road distance d: it falls by transport (and, with a carbon price,
    # by the truck's CO2e) per km; break-even = d_now + value_now / slope
    road = arcs["road_km"].to_numpy(dtype=float)
    per_km = np.divide(arcs["transport_cents"].to_numpy(dtype=float), road, out=np.zeros(len(arcs)), where=road > 0)
    tc = params.transport_cost_eur_per_tkm * 100
    carbon_cents_per_tkm = params.carbon_price_eur_per_t * 100 / 1000 * params.truck_co2e_kg_per_tkm
    trucked = arcs["unit"].to_numpy() != "MWh"
    slope = per_km + np.where(trucked & (tc > 0), per_km / max(tc, 1e-12) * carbon_cents_per_tkm, 0.0)
    value = arcs["value_cents"].to_numpy(dtype=float)
    arcs["breakeven_km"] = np.round(np.where(slope > 0, road + value / np.where(slope > 0, slope, 1), np.inf), 1)
    return arcs


def _reason(row, *, public: bool = False) -> str:
    """Why a pair is suggested, in the current language. ``public`` leaves out both partners' own
    costs and prices, for a company that must not learn its partner's economics before both sides
    are interested."""
    code = f"{row.ewc_code and format_ewc(row.ewc_code) or row.material}"
    parts = []
    if row.category:
        parts.append(_("{code} can replace {category} (quality {quality}; {basis})").format(
            code=code, category=category_label(row.category), quality=fmt_number(row.quality, 2), basis=row.basis))
    else:
        parts.append(f"{code}: {row.basis}")
    if np.isfinite(row.breakeven_km):
        breakeven = _("break-even {km} km").format(km=fmt_number(row.breakeven_km))
    else:
        breakeven = _("no transport cost")
    parts.append(_("{km} km by road ({breakeven})").format(km=fmt_number(row.road_km), breakeven=breakeven))
    gains = []
    if not public and row.supplier_avoided_cents > 0:
        route = ROUTE_WORDS.get(row.route)
        gains.append(_("the supplier avoids {amount} EUR/{unit} of {route}").format(
            amount=fmt_number(row.supplier_avoided_cents / 100), unit=row.unit,
            route=_(route) if route else route_label(row.route)))
    if not public and row.receiver_avoided_cents > 0:
        gains.append(_("the receiver avoids {amount} EUR/{unit} of virgin input").format(
            amount=fmt_number(row.receiver_avoided_cents / 100), unit=row.unit))
    if gains:
        parts.append("; ".join(gains))
    costs = _("transport {amount} EUR/{unit}").format(amount=fmt_number(row.transport_cents / 100, 1), unit=row.unit)
    if row.pretreatment_cents > 0:
        step = PRETREATMENT_WORDS.get(row.pretreatment)
        costs += ", " + _("{step} {amount} EUR/{unit}").format(
            step=_(step) if step else row.pretreatment, amount=fmt_number(row.pretreatment_cents / 100),
            unit=row.unit)
    parts.append(costs)
    if row.receiver_is_paid:
        parts.append(_("the receiver gains only if paid to take it: a treatment outlet, check its permit"))
    if row.co2e_avoided_kg > 0:
        parts.append(_("{kg} kg CO2e avoided per {unit}").format(kg=fmt_number(row.co2e_avoided_kg), unit=row.unit))
    return "; ".join(parts)  # fmt: skip


def suggest(candidates: Candidates, allocation: Allocation | None = None, *, top_n: int = 5) -> pd.DataFrame:
    """Best ``top_n`` partners for every stream (side 'stream') and every need (side 'need')."""
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    arcs = pair_economics(candidates)
    columns = ["side", "stream_id", "need_id", "rank", "score", "distance_km", "road_km",
               "quantity", "unit", "share_covered", "in_optimum", "optimum_quantity", "value_eur_per_unit",
               "price_min_eur", "price_max_eur", "price_fair_eur", "receiver_is_paid", "breakeven_km",
               "supplier_gain_eur", "receiver_gain_eur", "reason", "reason_public"]  # fmt: skip
    if not len(arcs):
        return pd.DataFrame(columns=columns)
    streams = candidates.streams
    arcs["ewc_code"] = streams["ewc_code"].to_numpy()[arcs["s"].to_numpy(dtype=np.int64)]
    arcs["material"] = streams["material"].to_numpy()[arcs["s"].to_numpy(dtype=np.int64)]
    arcs["route"] = streams["route"].to_numpy()[arcs["s"].to_numpy(dtype=np.int64)]
    optimum = pd.Series(dtype="int64")
    if allocation is not None and len(allocation.flows):
        optimum = allocation.flows.set_index(["stream_id", "need_id"])["flow_base"]
    key = pd.MultiIndex.from_arrays([arcs["stream_id"], arcs["need_id"]])
    arcs["optimum_base"] = optimum.reindex(key).fillna(0).to_numpy()
    out = []
    for side, group_col, share_col in (("stream", "stream_id", "stream_share"), ("need", "need_id", "need_share")):
        ranked = arcs.sort_values([group_col, "score", "road_km", "stream_id", "need_id"],
                                  ascending=[True, False, True, True, True])  # fmt: skip
        ranked = ranked.groupby(group_col, sort=False).head(top_n).copy()
        ranked["rank"] = ranked.groupby(group_col, sort=False).cumcount() + 1
        ranked["share_covered"] = ranked[share_col].round(3)
        ranked["side"] = side
        out.append(ranked)
    res = pd.concat(out, ignore_index=True)
    tradable = res["tradable_base"] / BASE_PER_UNIT
    fair = res["price_fair_eur"]
    res["supplier_gain_eur"] = np.round(tradable * (res["supplier_avoided_cents"] / 100 + fair), 2)
    res["receiver_gain_eur"] = np.round(
        tradable * ((res["receiver_avoided_cents"] - res["transport_cents"] - res["pretreatment_cents"]) / 100 - fair), 2
    )
    res["quantity"] = tradable
    res["in_optimum"] = res["optimum_base"] > 0
    res["optimum_quantity"] = res["optimum_base"] / BASE_PER_UNIT
    res["value_eur_per_unit"] = np.round(res["value_cents"] / 100, 2)
    res["distance_km"] = res["distance_km"].round(2)
    res["road_km"] = res["road_km"].round(2)
    res["reason"] = [_reason(r) for r in res.itertuples()]
    res["reason_public"] = [_reason(r, public=True) for r in res.itertuples()]
    res = res[columns].reset_index(drop=True)
    for name in ("stream_id", "need_id", "unit"):
        res[name] = res[name].astype(str)
    return res
