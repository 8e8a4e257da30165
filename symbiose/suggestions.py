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

import string

import numpy as np
import pandas as pd

from symbiose.candidates import Candidates
from symbiose.domain import format_ewc
from symbiose.i18n import N_, _, get_language
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
OUTLET_WORDS = {"substitution": N_("substitution"), "treatment": N_("treatment outlet"),
                "intermediary": N_("through an intermediary")}
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
    "intermediary": N_("the intermediary's service"),
}  # fmt: skip


def pair_economics(candidates: Candidates, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Per candidate pair: potential, price range, equal-split price, break-even distance.

    ``rows``: only these arcs (positions in ``candidates.arcs``), in this order.
    """
    arcs = candidates.arcs if rows is None else candidates.arcs.iloc[rows]
    arcs = arcs.reset_index(drop=True) if rows is not None else arcs.copy()
    params = candidates.params
    streams, needs = candidates.streams, candidates.needs
    s_qty = streams["quantity_base"].to_numpy()[arcs["s"].to_numpy(dtype=np.int64)]
    n_qty = needs["quantity_base"].to_numpy()[arcs["n"].to_numpy(dtype=np.int64)]
    tradable = np.minimum(s_qty, n_qty)
    arcs["tradable_base"] = tradable
    arcs["stream_share"] = tradable / np.maximum(s_qty, 1)
    arcs["need_share"] = tradable / np.maximum(n_qty, 1)
    arcs["score"] = _score(tradable, arcs["value_cents"].to_numpy(dtype=float))
    low = -arcs["supplier_avoided_cents"]
    high = arcs["receiver_avoided_cents"] - arcs["transport_cents"] - arcs["pretreatment_cents"]
    arcs["price_min_eur"] = np.round(low / 100, 2)
    arcs["price_max_eur"] = np.round(high / 100, 2)
    arcs["price_fair_eur"] = np.round((low + high) / 200, 2)
    # the receiver gains only if the supplier pays it: it acts as a treatment outlet, which a
    # waste-status check (permit, traceability) must confirm before the pair goes further
    arcs["receiver_is_paid"] = high < 0
    # a treatment outlet replaces no purchase of the receiver (net of its gate fee): it is ranked
    # apart from substitutions, where a residue replaces a raw material
    arcs["outlet"] = np.where(arcs["receiver_avoided_cents"].to_numpy(dtype=float) > 0, "substitution", "treatment")
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


def _score(tradable_base: np.ndarray, value_cents: np.ndarray) -> np.ndarray:
    """A pair's potential net benefit per year if it were the only synergy (euros, 2 decimals)."""
    return np.round(tradable_base / BASE_PER_UNIT * value_cents / 100, 2)


def _fixed(values, decimals: int) -> np.ndarray:
    """``f"{v:.{decimals}f}"`` of every value (object array), vectorised: see :func:`_fixed_text`."""
    return np.asarray(_fixed_text(values, decimals).to_pylist(), dtype=object)


def _fixed_text(values, decimals: int):
    """``f"{v:.{decimals}f}"`` of every value as Arrow strings: values are rounded to integers of
    10**-decimals and each distinct one formatted once; ties and -0 go through Python."""
    import pyarrow as pa

    x = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        scaled = x * 10**decimals
        r = np.rint(scaled)
        unsure = (~np.isfinite(scaled) | (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
                  | (np.abs(r) > 2**52) | (np.signbit(x) & (r == 0)))  # fmt: skip
    r = np.where(unsure, 0, r).astype(np.int64)
    unique, inverse = np.unique(r, return_inverse=True)
    texts = [f"{u / 10**decimals:.{decimals}f}" for u in unique.tolist()]
    odd = np.nonzero(unsure)[0]
    # the values that need Python get their own dictionary entries
    texts += [f"{x[i]:.{decimals}f}" for i in odd]
    inverse = inverse.astype(np.int64)
    inverse[odd] = len(unique) + np.arange(len(odd))
    return pa.array(texts, type=pa.large_string()).take(pa.array(inverse))


def _text(values):
    """Arrow strings from texts (an array, a pandas column or an Arrow array)."""
    import pyarrow as pa

    if isinstance(values, pa.Array | pa.ChunkedArray):
        out = values
    elif isinstance(values, pd.Series) and not pd.api.types.is_object_dtype(values.dtype):
        out = pa.array(values.astype(str), from_pandas=True)
    else:
        out = pa.array(np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)
    out = out.cast(pa.large_string())
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _mapped(values, function):
    """``function`` of every value (Arrow strings), called once per distinct value."""
    import pyarrow as pa

    codes, unique = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return pa.array([function(u) for u in unique], type=pa.large_string()).take(pa.array(codes))


def _fill(template: str, **values):
    """``template.format(**row)`` for every row, vectorised in Arrow: each value is Arrow strings
    (or one text); the template's placeholders take no format spec (values come formatted)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(pa.scalar(literal, pa.large_string()))
        if field is not None:
            value = values[field]
            pieces.append(pa.scalar(value, pa.large_string()) if isinstance(value, str) else value)
    return pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()))


def _where(condition: np.ndarray, chosen, other):
    """Row by row, ``chosen`` where the condition holds, else ``other`` (Arrow strings or texts)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def arrow(v):
        return pa.scalar(v, pa.large_string()) if isinstance(v, str) else v

    return pc.if_else(pa.array(np.asarray(condition, dtype=bool)), arrow(chosen), arrow(other))


def _joined(parts: list, separator: str = "; "):
    """Row by row, the non-empty parts joined by ``separator``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    empty = pa.scalar("", pa.large_string())
    out = parts[0]
    for part in parts[1:]:
        both = pc.and_(pc.not_equal(out, empty), pc.not_equal(part, empty))
        glue = pc.if_else(both, pa.scalar(separator, pa.large_string()), empty)
        out = pc.binary_join_element_wise(out, glue, part, empty)
    return out


def _number_text(values, decimals: int):
    """:func:`_fixed_text` with the current language's decimal mark (``0,85`` in French)."""
    import pyarrow.compute as pc

    text = _fixed_text(values, decimals)
    return pc.replace_substring(text, ".", ",") if get_language() == "fr" and decimals else text


def _reasons(frame: pd.DataFrame, *, public: bool = False) -> pd.Series:
    """Why each pair is suggested, one sentence per row (vectorised in Arrow).

    ``public`` leaves out both partners' own costs and prices, for a company that must not learn
    its partner's economics before both sides are interested.
    """
    size = len(frame)
    none = ""
    unit = _text(frame["unit"])
    ewc = frame["ewc_code"].to_numpy(dtype=object)
    code = _where(ewc != "", _mapped(ewc, lambda c: format_ewc(c) if c else ""), _text(frame["material"]))
    category = frame["category"].astype(str).to_numpy(dtype=object)
    basis = _text(frame["basis"])
    with_category = _fill(_("{code} can replace {category} (quality {quality}; {basis})"), code=code,
                          category=_mapped(category, category_label),
                          quality=_number_text(frame["quality"], 2), basis=basis)  # fmt: skip
    without = _fill("{code}: {basis}", code=code, basis=basis)
    what = _where(category != "", with_category, without)
    breakeven_km = frame["breakeven_km"].to_numpy(dtype=float)
    finite = np.isfinite(breakeven_km)
    breakeven = _where(finite, _fill(_("break-even {km} km"), km=_number_text(np.where(finite, breakeven_km, 0), 0)),
                       _("no transport cost"))  # fmt: skip
    where = _fill(_("{km} km by road ({breakeven})"), km=_number_text(frame["road_km"], 0), breakeven=breakeven)
    outlet = np.where(frame["receiver_avoided_cents"].to_numpy(dtype=float) > 0, "", _(OUTLET_WORDS["treatment"]))
    parts = [_text(outlet), what, where]
    if not public:
        supplier = frame["supplier_avoided_cents"].to_numpy(dtype=float)
        gate = (frame["gate_fee_cents"].to_numpy(dtype=float) if "gate_fee_cents" in frame
                else np.zeros(size))  # fmt: skip
        receiver = frame["receiver_avoided_cents"].to_numpy(dtype=float) + gate
        route = _mapped(frame["route"].to_numpy(dtype=object),
                        lambda r: _(ROUTE_WORDS[r]) if r in ROUTE_WORDS else route_label(r))  # fmt: skip
        parts.append(_joined([
            _where(supplier > 0, _fill(_("the supplier avoids {amount} EUR/{unit} of {route}"),
                                       amount=_number_text(supplier / 100, 0), unit=unit, route=route), none),
            _where(receiver > 0, _fill(_("the receiver avoids {amount} EUR/{unit} of virgin input"),
                                       amount=_number_text(receiver / 100, 0), unit=unit), none),
            _where(gate > 0, _fill(_("the receiver's gate fee {amount} EUR/{unit} pays its treatment"),
                                   amount=_number_text(gate / 100, 0), unit=unit), none),
        ]))  # fmt: skip
    pretreat = frame["pretreatment_cents"].to_numpy(dtype=float)
    costs = _fill(_("transport {amount} EUR/{unit}"),
                  amount=_number_text(frame["transport_cents"].to_numpy(dtype=float) / 100, 1), unit=unit)  # fmt: skip
    steps = _mapped(frame["pretreatment"].to_numpy(dtype=object),
                    lambda p: " + ".join(_(PRETREATMENT_WORDS[x]) if x in PRETREATMENT_WORDS else x
                                         for x in str(p).split("+")))  # fmt: skip
    extra = _where(pretreat > 0, _fill(", " + _("{step} {amount} EUR/{unit}"), step=steps,
                                       amount=_number_text(pretreat / 100, 0), unit=unit), none)  # fmt: skip
    parts.append(_fill("{costs}{extra}", costs=costs, extra=extra))
    parts.append(_where(frame["receiver_is_paid"].to_numpy(dtype=bool),
                        _("the receiver gains only if paid to take it: a treatment outlet, check its permit"), none))  # fmt: skip
    parts.append(_text(frame["intermediary"].to_numpy(dtype=object)))
    co2e = frame["co2e_avoided_kg"].to_numpy(dtype=float)
    parts.append(_where(co2e > 0, _fill(_("{kg} kg CO2e avoided per {unit}"), kg=_number_text(co2e, 0), unit=unit),
                        none))  # fmt: skip
    return pd.Series(pd.array(_joined(parts), dtype="str"), index=frame.index) if size else pd.Series([], dtype="str")


def _intermediaries(candidates: Candidates, n: np.ndarray) -> np.ndarray:
    """Per pair, a sentence when the receiver is an intermediary: its company puts out a product
    meeting a standard that needs of the network require (a composter's compost for growers who
    take only NF U 44-051), so the residue reaches those needs through it. Empty otherwise."""
    from symbiose.compat import load_knowledge_base

    streams, needs = candidates.streams, candidates.needs
    made = streams.loc[streams["standards"] != "", ["company_id", "standards"]]
    out = np.full(len(n), "", dtype=object)
    if not len(made):
        return out
    made = made.assign(standard=made["standards"].str.split(";")).explode("standard")
    wanted = needs.loc[needs["required_standards"] != "", ["company_id", "required_standards"]]
    wanted = wanted.assign(standard=wanted["required_standards"].str.split(";")).explode("standard")
    served = wanted.merge(made[["standard", "company_id"]].rename(columns={"company_id": "maker"}), on="standard")
    served = served[served["company_id"] != served["maker"]]
    count = served.groupby(["maker", "standard"])["company_id"].nunique().reset_index(name="needs")
    if not len(count):
        return out
    kb = load_knowledge_base()
    french = get_language() == "fr"

    def sentence(standard: str, k: int) -> str:
        std = kb.standards.get(standard)
        label = (std.label_fr if french else std.label_en) if std else standard
        who = (std.intermediary_fr if french else std.intermediary_en) if std else ""
        text = _("an intermediary ({who}): it makes {standard}, which {k} receivers of the network require").format(
            who=who, standard=label, k=k)
        if std:
            text += " " + _("(its service: about {cost} EUR/t)").format(cost=_number_text(np.array([std.intermediary_cost_cents / 100]), 0)[0].as_py())
        return text

    count["text"] = [sentence(a, int(b)) for a, b in zip(count["standard"], count["needs"], strict=True)]
    by_company = count.groupby("maker")["text"].agg("; ".join)
    company = needs["company_id"].to_numpy(dtype=object)[n]
    found = pd.Series(company).map(by_company).fillna("").to_numpy(dtype=object)
    return found


REASON_BLOCK_ROWS = 50_000


def _top(group: np.ndarray, score: np.ndarray, road_km: np.ndarray, s: np.ndarray, n: np.ndarray,
         top_n: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Arc positions of each group's ``top_n`` best (score, then shortest road, then ids), with
    their rank. Streams and needs are sorted by id, so their rows order the ids."""
    order = np.lexsort((n, s, road_km, -score, group))
    grouped = group[order]
    starts = np.r_[0, np.flatnonzero(grouped[1:] != grouped[:-1]) + 1] if len(order) else np.zeros(0, np.int64)
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)])) + 1
    keep = rank <= top_n
    return order[keep], rank[keep]


def suggest(candidates: Candidates, allocation: Allocation | None = None, *, top_n: int = 5) -> pd.DataFrame:
    """Best ``top_n`` partners for every stream (side 'stream') and every need (side 'need').

    The best pairs are chosen first on the score alone; prices, gains and reasons are computed
    for the chosen ones only.
    """
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    columns = ["side", "stream_id", "need_id", "outlet", "rank", "score", "distance_km", "road_km",
               "quantity", "unit", "share_covered", "in_optimum", "optimum_quantity", "value_eur_per_unit",
               "price_min_eur", "price_max_eur", "price_fair_eur", "receiver_is_paid", "breakeven_km",
               "supplier_gain_eur", "receiver_gain_eur", "reason", "reason_public"]  # fmt: skip
    arcs = candidates.arcs
    if not len(arcs):
        if candidates.leads is not None and len(candidates.leads):
            return _lead_suggestions(candidates, top_n)
        return pd.DataFrame(columns=columns)
    streams, needs = candidates.streams, candidates.needs
    s = arcs["s"].to_numpy(dtype=np.int64)
    n = arcs["n"].to_numpy(dtype=np.int64)
    tradable = np.minimum(streams["quantity_base"].to_numpy()[s], needs["quantity_base"].to_numpy()[n])
    score = _score(tradable, arcs["value_cents"].to_numpy(dtype=float))
    road = arcs["road_km"].to_numpy(dtype=float)
    # substitutions and treatment outlets are ranked apart: each has its own top N
    treatment = (arcs["receiver_avoided_cents"].to_numpy(dtype=float) <= 0).astype(np.int64)
    by_stream, stream_rank = _top(s * 2 + treatment, score, road, s, n, top_n)
    by_need, need_rank = _top(n * 2 + treatment, score, road, s, n, top_n)
    rows = np.concatenate([by_stream, by_need])
    res = pair_economics(candidates, rows)
    res["rank"] = np.concatenate([stream_rank, need_rank])
    res["side"] = np.repeat(["stream", "need"], [len(by_stream), len(by_need)])
    res["share_covered"] = np.concatenate([res["stream_share"].to_numpy()[: len(by_stream)],
                                           res["need_share"].to_numpy()[len(by_stream):]]).round(3)  # fmt: skip
    res_s = res["s"].to_numpy(dtype=np.int64)
    res["ewc_code"] = streams["ewc_code"].to_numpy()[res_s]
    res["material"] = streams["material"].to_numpy()[res_s]
    res["route"] = streams["route"].to_numpy()[res_s]
    res["intermediary"] = _intermediaries(candidates, res["n"].to_numpy(dtype=np.int64))
    optimum = np.zeros(len(arcs), dtype=np.int64)
    if allocation is not None and len(allocation.flows):
        flows = allocation.flows
        # flows are one row per used pair: find each pair's arc by (s, n)
        width = len(needs) + 1
        flow_key = flows["s"].to_numpy(dtype=np.int64) * width + flows["n"].to_numpy(dtype=np.int64)
        at = pd.Index(s * width + n).get_indexer(flow_key)
        optimum[at[at >= 0]] = flows["flow_base"].to_numpy(dtype=np.int64)[at >= 0]
    res["optimum_base"] = optimum[rows]
    tradable_units = res["tradable_base"] / BASE_PER_UNIT
    fair = res["price_fair_eur"]
    res["supplier_gain_eur"] = np.round(tradable_units * (res["supplier_avoided_cents"] / 100 + fair), 2)
    res["receiver_gain_eur"] = np.round(
        tradable_units * ((res["receiver_avoided_cents"] - res["transport_cents"] - res["pretreatment_cents"]) / 100 - fair), 2
    )
    res["quantity"] = tradable_units
    res["in_optimum"] = res["optimum_base"] > 0
    res["optimum_quantity"] = res["optimum_base"] / BASE_PER_UNIT
    res["value_eur_per_unit"] = np.round(res["value_cents"] / 100, 2)
    res["distance_km"] = res["distance_km"].round(2)
    res["road_km"] = res["road_km"].round(2)
    for column, public in (("reason", False), ("reason_public", True)):
        # by blocks of rows: the texts being assembled stay small
        blocks = [_reasons(res.iloc[i:i + REASON_BLOCK_ROWS], public=public) for i in range(0, len(res), REASON_BLOCK_ROWS)]
        res[column] = pd.concat(blocks) if len(blocks) > 1 else blocks[0]
    res = res[columns]
    for name in ("stream_id", "need_id", "unit"):
        res[name] = res[name].astype(str)
    if candidates.leads is not None and len(candidates.leads):
        res = pd.concat([res, _lead_suggestions(candidates, top_n)], ignore_index=True)
    return res


def _lead_suggestions(candidates: Candidates, top_n: int) -> pd.DataFrame:
    """Stream-side suggestions of raw residues that reach a standard-bound need only through an
    intermediary (``candidates.leads``): the intermediary's service counts as a pre-treatment, the
    reason names the standard and who makes it; ranked apart (``outlet`` 'intermediary')."""
    import dataclasses

    from symbiose.compat import load_knowledge_base

    leads = candidates.leads.copy()
    cost = leads["intermediary_cents"].to_numpy(dtype=float)
    leads["pretreatment_cents"] = leads["pretreatment_cents"].to_numpy(dtype=float) + cost
    leads["value_cents"] = leads["value_cents"].to_numpy(dtype=float) - cost
    step = leads["pretreatment"].astype(str)
    leads["pretreatment"] = np.where(step == "none", "intermediary", step + "+intermediary")
    via = suggest(dataclasses.replace(candidates, arcs=leads, leads=None), None, top_n=top_n)
    via = via[via["side"] == "stream"].reset_index(drop=True)
    kb = load_knowledge_base()
    french = get_language() == "fr"
    required = dict(zip(candidates.needs["need_id"], candidates.needs["required_standards"], strict=True))

    def sentence(need_id: str) -> str:
        known = [kb.standards[x] for x in required.get(need_id, "").split(";") if x in kb.standards]
        std = min(known, key=lambda x: x.intermediary_cost_cents)
        return _("through an intermediary: the receiver requires {standard}; a {who} makes it (about {cost} "
                 "EUR/t, counted below)").format(standard=std.label_fr if french else std.label_en,
                                                 who=std.intermediary_fr if french else std.intermediary_en,
                                                 cost=_number_text(np.array([std.intermediary_cost_cents / 100]), 0)[0].as_py())  # fmt: skip

    prefix = via["need_id"].map({nid: sentence(nid) for nid in set(via["need_id"])})
    via["outlet"] = "intermediary"
    via["reason"] = prefix + "; " + via["reason"]
    via["reason_public"] = prefix + "; " + via["reason_public"]
    return via
