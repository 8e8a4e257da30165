"""Ranked partner suggestions, the benefit split and the break-even distance of each pair.

For every stream its best N receiving needs, and for every need its best N supplying streams.
``score`` is the pair's *potential* net benefit per year if it were the only synergy (the
tradable quantity, within the months both exist, x the value per unit, in euros per year).

Ranking serves both sides: a suggestion is worth a call only if it matters to the partner too
(reciprocal recommenders, RECIPROCAL-RS), so a list is ordered by the weighted product of three
criteria with equal weights (WPM): the pair's total per year, its value per unit (its margin
against errors of price and distance) and the mean of the shares of the two sides' quantities
it covers (how much the pair matters to each partner; a pair that serves one side wholly keeps
at least one half, whatever the size of the other). A product of criteria needs no normalisation and no
tuned weights; a small receiver whose whole need is covered at a high value per unit is no longer
buried under large pairs of thin margin. ``rank_index`` is the key divided by the list's best.

Benefit split: the receiver collects and pre-treats, and pays the supplier a price ``p`` per unit
(negative: the supplier pays the receiver to take it). The supplier gains ``route cost + p``; the
receiver gains ``quality x virgin price - transport - pre-treatment - p``. Both gain for
``p`` between ``-route cost`` and ``quality x virgin price - transport - pre-treatment``; the
suggested price splits the gain equally. Break-even distance: the road distance at which the
pair's value per unit falls to zero.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from symbiose.arrowtext import Pieces
from symbiose.candidates import Candidates, share_cap
from symbiose.compat import GRADE_SPAN, HIERARCHY_LEVELS, UNLISTED_LEVEL
from symbiose.domain import format_ewc
from symbiose.i18n import N_, _, get_language
from symbiose.labels import HIERARCHY_NAMES, basis_label, category_label, route_label
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
                "intermediary": N_("through an intermediary"), "same_use": N_("already recovered today")}
PRETREATMENT_WORDS = {
    "sorting": N_("sorting"), "drying": N_("drying"), "shredding": N_("shredding"), "blending": N_("blending"),
    "screening": N_("screening"), "crushing": N_("crushing"), "distillation": N_("distillation"),
    "depackaging": N_("depackaging"), "separation": N_("separation"), "hygienisation": N_("hygienisation"),
    "rendering": N_("rendering"), "washing": N_("washing"), "grinding": N_("grinding"),
    "filtering": N_("filtering"), "cleaning": N_("cleaning"), "WEEE treatment": N_("WEEE treatment"),
    "briquetting": N_("briquetting"), "pulping": N_("pulping"), "pretreatment": N_("pretreatment"),
    "milling": N_("milling"), "maturation": N_("maturation"), "granulation": N_("granulation"),
    "draining": N_("draining"), "dismantling": N_("dismantling"), "depressurisation": N_("depressurisation"),
    "degassing": N_("degassing"), "chipping": N_("chipping"), "characterisation": N_("characterisation"),
    "intermediary": N_("the intermediary's service"),
}  # fmt: skip


def _same_use(frame: pd.DataFrame) -> np.ndarray:
    """Per pair: its stream's outlet today already puts it to the pair's use (candidates)."""
    if "same_use" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame["same_use"].fillna(False).to_numpy(dtype=bool)


def pair_economics(candidates: Candidates, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Per candidate pair: potential, price range, equal-split price, break-even distance.

    ``rows``: only these arcs (positions in ``candidates.arcs``), in this order.
    """
    arcs = candidates.arcs if rows is None else candidates.arcs.iloc[rows]
    arcs = arcs.reset_index(drop=True) if rows is not None else arcs
    params = candidates.params
    streams, needs = candidates.streams, candidates.needs
    s_qty = streams["quantity_base"].to_numpy()[arcs["s"].to_numpy(dtype=np.int64)]
    n_qty = needs["quantity_base"].to_numpy()[arcs["n"].to_numpy(dtype=np.int64)]
    tradable = _tradable(arcs, s_qty, n_qty)
    new = {"tradable_base": tradable, "stream_share": tradable / np.maximum(s_qty, 1),
           "need_share": tradable / np.maximum(n_qty, 1)}  # fmt: skip
    if "max_need_share" in arcs.columns:  # a condition's cap on the share of the need binds this pair
        new["share_capped"] = tradable >= share_cap(needs, arcs["n"].to_numpy(dtype=np.int64),
                                                    arcs["max_need_share"].to_numpy(dtype=float))  # fmt: skip
    new["score"] = _score(tradable, arcs["value_cents"].to_numpy(dtype=float))
    low = -arcs["supplier_avoided_cents"].to_numpy()
    high = (arcs["receiver_avoided_cents"].to_numpy() - arcs["transport_cents"].to_numpy()
            - arcs["pretreatment_cents"].to_numpy())  # fmt: skip
    # + 0.0: a supplier that avoids nothing today has -0 cents, written "-0,00" (and -0.001 rounds
    # to -0.0): a price of zero has no sign
    new["price_min_eur"] = np.round(low / 100, 2) + 0.0
    new["price_max_eur"] = np.round(high / 100, 2) + 0.0
    new["price_fair_eur"] = np.round((low + high) / 200, 2) + 0.0
    # the receiver gains only if the supplier pays it: it acts as a treatment outlet, which a
    # waste-status check (permit, traceability) must confirm before the pair goes further
    new["receiver_is_paid"] = high < 0
    # a treatment outlet replaces no purchase of the receiver (net of its gate fee): it is ranked
    # apart from substitutions, where a residue replaces a raw material; a stream today's outlet
    # already puts to this use is not a new synergy, ranked apart again
    treated = (arcs["receiver_avoided_cents"].to_numpy(dtype=float) <= 0).astype(np.int64)
    new["outlet"] = _labels(np.where(_same_use(arcs), 2, treated), ("substitution", "treatment", "same_use"))
    # value(d) is affine in the road distance d: it falls by transport (and, with a carbon price,
    # by the truck's CO2e) per km; break-even = d_now + value_now / slope
    road = arcs["road_km"].to_numpy(dtype=float)
    haul = arcs["transport_cents"].to_numpy(dtype=float) - _column(arcs, "handling_cents", 0.0)
    per_km = np.divide(haul, road, out=np.zeros(len(arcs)), where=road > 0)
    tc = params.transport_cost_eur_per_tkm * 100
    carbon_cents_per_tkm = params.carbon_price_eur_per_t * 100 / 1000 * params.truck_co2e_kg_per_tkm
    trucked = ~_equal(arcs["unit"], "MWh")
    slope = per_km + np.where(trucked & (tc > 0), per_km / max(tc, 1e-12) * carbon_cents_per_tkm, 0.0)
    value = arcs["value_cents"].to_numpy(dtype=float)
    new["breakeven_km"] = np.round(np.where(slope > 0, road + value / np.where(slope > 0, slope, 1), np.inf), 1)
    return _added(arcs, new)


def _labels(codes: np.ndarray, words: tuple[str, ...]):
    """The word of each code (its position in ``words``), as a pandas text column's values."""
    import pyarrow as pa

    return pd.array(pa.array(words, type=pa.large_string()).take(pa.array(np.asarray(codes, dtype=np.int64))),
                    dtype="str")  # fmt: skip


def _column(arcs: pd.DataFrame, name: str, default: float) -> np.ndarray:
    return arcs[name].to_numpy(dtype=float) if name in arcs.columns else np.full(len(arcs), default)


def _tradable(arcs: pd.DataFrame, s_qty: np.ndarray, n_qty: np.ndarray) -> np.ndarray:
    """The quantity a pair can trade in a year: the candidates' seasonal capacity (the months both
    exist, and storage where the residue keeps), never more than either side's quantity."""
    if "capacity_base" in arcs.columns:
        return np.minimum(arcs["capacity_base"].to_numpy(dtype=np.int64), np.minimum(s_qty, n_qty))
    return np.minimum(s_qty, n_qty)


def _score(tradable_base: np.ndarray, value_cents: np.ndarray) -> np.ndarray:
    """A pair's potential net benefit per year if it were the only synergy (euros, 2 decimals)."""
    return np.round(tradable_base / BASE_PER_UNIT * value_cents / 100, 2)


def rank_key(score_eur: np.ndarray, value_cents: np.ndarray, partner_share: np.ndarray) -> np.ndarray:
    """The ranking key of a list: the geometric mean of the total per year, the value per unit
    and the mean share of the two sides covered (equal weights, WPM), where all three are
    positive; a pair that loses money keeps its (negative) total and ranks after.

    >>> rank_key(np.array([50_000.0, 4_000.0]), np.array([500.0, 4_000.0]), np.array([1.0, 1.0])).round(1).tolist()
    [63.0, 54.3]
    >>> rank_key(np.array([50_000.0, 6_000.0]), np.array([500.0, 6_000.0]), np.array([0.2, 1.0])).round(1).tolist()
    [36.8, 71.1]
    """
    total = np.asarray(score_eur, dtype=float)
    value = np.asarray(value_cents, dtype=float) / 100
    share = np.clip(np.asarray(partner_share, dtype=float), 0, 1)
    good = (total > 0) & (value > 0) & (share > 0)
    return np.where(good, np.cbrt(np.where(good, total * value * share, 0.0)), np.minimum(total, 0.0) - 1.0)


def _fixed(values, decimals: int) -> np.ndarray:
    """``f"{v:.{decimals}f}"`` of every value (object array), vectorised: see :func:`_fixed_text`."""
    return np.asarray(_fixed_text(values, decimals).to_pylist(), dtype=object)


def _fixed_text(values, decimals: int, mark: str = "."):
    """``f"{v:.{decimals}f}"`` of every value as Arrow strings, ``mark`` as the decimal point:
    values are rounded to integers of 10**-decimals, whose digits are written in Arrow (below
    2**50 such an integer u is what ``f"{u / 10**decimals:.{decimals}f}"`` writes); ties, -0 and
    larger values go through Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    x = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        scaled = x * 10**decimals
        r = np.rint(scaled)
        unsure = (~np.isfinite(scaled) | (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
                  | (np.abs(r) > 2**50) | (np.signbit(x) & (r == 0)))  # fmt: skip
    size = np.abs(np.where(unsure, 0, r).astype(np.int64))
    unit = 10**decimals
    pieces = [_where((r < 0) & ~unsure, "-", ""), pc.cast(pa.array(size // unit), pa.large_string())]
    if decimals:
        pieces += [mark, _DIGITS[decimals].take(pa.array(size % unit))]
    text = Pieces.concat(pieces, len(x)).text()
    if unsure.any():
        odd = np.flatnonzero(unsure)
        python = np.full(len(x), "", dtype=object)
        python[odd] = [f"{v:.{decimals}f}".replace(".", mark) for v in x[odd].tolist()]
        text = pc.if_else(pa.array(unsure), pa.array(python, type=pa.large_string()), text)
    return text


class _Digits(dict):
    """Per number of decimals d, the Arrow texts of 0 .. 10**d - 1 on d digits ("05")."""

    def __missing__(self, decimals: int):
        import pyarrow as pa

        self[decimals] = pa.array([f"{i:0{decimals}d}" for i in range(10**decimals)], type=pa.large_string())
        return self[decimals]


_DIGITS = _Digits()


def _text(values):
    """Arrow strings from texts (an array, a pandas column, categorical or not, or an Arrow array)."""
    import pyarrow as pa

    if isinstance(values, pa.Array | pa.ChunkedArray):
        out = values
    elif _text_categories(values):
        # the categories' texts taken by code, as astype(str) gives them (a missing code stays missing)
        codes = values.cat.codes.to_numpy()
        out = _categories(values).take(pa.array(codes, mask=codes < 0))
    elif isinstance(values, pd.Series) and not pd.api.types.is_object_dtype(values.dtype):
        out = pa.array(values.astype(str), from_pandas=True)
    else:
        out = pa.array(np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)
    out = out.cast(pa.large_string())
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _text_categories(values) -> bool:
    """Whether ``values`` is a pandas categorical column of texts (read by category, not by row)."""
    if not isinstance(values, pd.Series) or not isinstance(values.dtype, pd.CategoricalDtype):
        return False
    kind = values.dtype.categories.dtype
    return pd.api.types.is_string_dtype(kind) and not pd.api.types.is_object_dtype(kind)


def _categories(values):
    """The texts of a categorical column's categories (texts themselves), as Arrow strings."""
    import pyarrow as pa

    return _text(pa.array(values.dtype.categories.array))


def _mapped(values, function):
    """``function`` of every value (Arrow strings), called once per distinct value (a missing
    value as None)."""
    import pyarrow as pa

    if _text_categories(values) and len(values.dtype.categories) <= len(values):
        codes = values.cat.codes.to_numpy()
        unique = _categories(values).to_pylist()
        if (codes < 0).any():
            codes, unique = np.where(codes < 0, len(unique), codes), [*unique, None]
        return pa.array([function(u) for u in unique], type=pa.large_string()).take(pa.array(codes))
    encoded = _text(values).dictionary_encode(null_encoding="encode")
    return pa.array([function(u) for u in encoded.dictionary.to_pylist()],
                    type=pa.large_string()).take(encoded.indices)  # fmt: skip


def _equal(values, text: str) -> np.ndarray:
    """Per row, whether the text is ``text`` (a missing text is not)."""
    import pyarrow.compute as pc

    return pc.fill_null(pc.equal(_text(values), text), False).to_numpy(zero_copy_only=False)


def _fill(template: str, **values) -> Pieces:
    """``template.format(**row)`` for every row, as :class:`~symbiose.arrowtext.Pieces`: each
    value is Arrow strings, pieces or one text; the template's placeholders take no format spec
    (values come formatted)."""
    return Pieces.fill(template, **values)


def _where(condition: np.ndarray, chosen, other) -> Pieces:
    """Row by row, ``chosen`` where the condition holds, else ``other`` (Arrow strings, pieces or texts)."""
    return Pieces.where(condition, chosen, other)


def _joined(parts: list, separator: str = "; ") -> Pieces:
    """Row by row, the non-empty parts joined by ``separator``."""
    return Pieces.join(parts, separator)


def _number_text(values, decimals: int):
    """:func:`_fixed_text` with the current language's decimal mark (``0,85`` in French)."""

    return _fixed_text(values, decimals, "," if get_language() == "fr" else ".")


def _reasons(frame: pd.DataFrame, *, public: bool = False) -> pd.Series:
    """Why each pair is suggested, one sentence per row (vectorised in Arrow).

    ``public`` leaves out both partners' own costs and prices, for a company that must not learn
    its partner's economics before both sides are interested.
    """
    return _reason_columns(frame, (public,))[0]


def _reason_columns(frame: pd.DataFrame, publics: tuple[bool, ...] = (False, True)) -> list[pd.Series]:
    """:func:`_reasons` of the frame for each of ``publics`` (whether public), in that order: the
    pieces the sentences share are built once."""
    size = len(frame)
    if not size:
        return [pd.Series([], dtype="str") for _public in publics]
    none = ""
    unit = _text(frame["unit"])
    ewc = frame["ewc_code"]
    code = _where(~_equal(ewc, ""), _mapped(ewc, lambda c: format_ewc(c) if c else ""), _text(frame["material"]))
    category = _mapped(frame["category"], category_label)
    has_category = ~_equal(frame["category"], "")
    basis = _mapped(frame["basis"], basis_label)  # the words in the current language
    with_category = _fill(_("{code} can replace {category} (quality {quality}; {basis})"), code=code,
                          category=category, quality=_number_text(frame["quality"], 2), basis=basis)  # fmt: skip
    without = _fill("{code}: {basis}", code=code, basis=basis)
    what = _where(has_category, with_category, without)
    breakeven_km = frame["breakeven_km"].to_numpy(dtype=float)
    finite = np.isfinite(breakeven_km)
    breakeven = _where(finite, _fill(_("break-even {km} km"), km=_number_text(np.where(finite, breakeven_km, 0), 0)),
                       _("no transport cost"))  # fmt: skip
    road_km = _number_text(frame["road_km"], 0)
    where = _fill(_("{km} km by road ({breakeven})"), km=road_km, breakeven=breakeven)
    # public: the distance alone. The break-even is the road distance plus the pair's value over
    # the public cost per km: a partner would solve it back into the value, hence into the other
    # side's price
    where_public = _fill(_("{km} km by road"), km=road_km)
    same_use = _same_use(frame)
    outlet = _where(frame["receiver_avoided_cents"].to_numpy(dtype=float) > 0, "", _(OUTLET_WORDS["treatment"]))
    if same_use.any():
        # today's outlet already puts the stream to this use: the pair moves it, it adds no new use
        already = _fill(_("already recovered today ({category}): worth only the difference from today's route, "
                          "no CO2e avoided"), category=category)  # fmt: skip
        outlet = _where(same_use, already, outlet)
    condition = _condition_reason(frame, publics)
    pretreat = frame["pretreatment_cents"].to_numpy(dtype=float)
    costs = _fill(_("transport {amount} EUR/{unit}"),
                  amount=_number_text(frame["transport_cents"].to_numpy(dtype=float) / 100, 1), unit=unit)  # fmt: skip
    steps = _mapped(frame["pretreatment"],
                    lambda p: " + ".join(_(PRETREATMENT_WORDS[x]) if x in PRETREATMENT_WORDS else x
                                         for x in str(p).split("+")))  # fmt: skip
    extra = _where(pretreat > 0, _fill(", " + _("{step} {amount} EUR/{unit}"), step=steps,
                                       amount=_number_text(pretreat / 100, 0), unit=unit), none)  # fmt: skip
    paid = _where(frame["receiver_is_paid"].to_numpy(dtype=bool) & ~same_use,
                  _("the receiver gains only if paid to take it: a treatment outlet, check its permit"), none)  # fmt: skip
    intermediary = _text(frame["intermediary"])
    small_lot = _small_lot_reason(frame, unit, publics)
    co2e = frame["co2e_avoided_kg"].to_numpy(dtype=float)
    avoided = _where(co2e > 0, _fill(_("{kg} kg CO2e avoided per {unit}"), kg=_number_text(co2e, 0), unit=unit),
                     none)  # fmt: skip
    ranked = "rank" in frame.columns
    ranking = _ranking_reason(frame, unit, publics) if ranked else {}
    season = _season_reason(frame, unit, publics) if ranked else {}
    out = []
    for public in publics:
        parts = [outlet, what, condition[public], where_public if public else where]
        if not public:
            parts.append(_economics_reason(frame, unit))
        # whether the receiver gains only if paid compares its avoided cost with the transport and
        # pre-treatment costs the text gives: a threshold on its price, so never public
        parts += [_fill("{costs}{extra}", costs=costs, extra=extra), none if public else paid, intermediary,
                  small_lot[public]]  # fmt: skip
        if not public and "destination" in frame:
            # a stream already recovered today (its destination stated): the pair moves it from that
            # outlet, its value is not all new
            goes = _text(frame["destination"].fillna("").astype(str))
            parts.append(_where(~_equal(goes, ""), _fill(_("today it already goes to {destination}: this would move it "
                                                           "from that outlet, check the gain against it"),
                                                         destination=goes), none))  # fmt: skip
        parts.append(avoided)
        if ranked:
            parts = [ranking[public], *parts, season[public]]
        out.append(pd.Series(pd.array(_joined(parts).text(), dtype="str"), index=frame.index))
    return out


def _economics_reason(frame: pd.DataFrame, unit) -> Pieces:
    """What each side avoids per unit, and the receiver's gate fee (never public)."""
    size = len(frame)
    supplier = frame["supplier_avoided_cents"].to_numpy(dtype=float)
    gate = frame["gate_fee_cents"].to_numpy(dtype=float) if "gate_fee_cents" in frame else np.zeros(size)
    receiver = frame["receiver_avoided_cents"].to_numpy(dtype=float) + gate
    route = _mapped(frame["route"], lambda r: _(ROUTE_WORDS[r]) if r in ROUTE_WORDS else route_label(r))
    return _joined([
        _where(supplier > 0, _fill(_("the supplier avoids {amount} EUR/{unit} of {route}"),
                                   amount=_number_text(supplier / 100, 0), unit=unit, route=route), ""),
        _where(receiver > 0, _fill(_("the receiver avoids {amount} EUR/{unit} of virgin input"),
                                   amount=_number_text(receiver / 100, 0), unit=unit), ""),
        _where(gate > 0, _fill(_("the receiver's gate fee {amount} EUR/{unit} pays its treatment"),
                               amount=_number_text(gate / 100, 0), unit=unit), ""),
    ])  # fmt: skip


def _condition_joiner():
    """The function from a pair's ';'-joined condition ids to their texts (data/conditions.csv)
    in the current language, '; '-joined ('' where none applies)."""
    from symbiose.compat import load_knowledge_base

    by_id = {c.id: c for c in load_knowledge_base().conditions}
    french = get_language() == "fr"

    def joined(key) -> str:
        return "; ".join(dict.fromkeys(by_id[x].text(french) for x in str(key).split(";") if x in by_id))

    return joined


def condition_texts(ids) -> np.ndarray:
    """The conditions (data/conditions.csv) of each pair's ';'-joined condition ids, in the current
    language, '; '-joined (object array, '' where none applies): stated the same way in the
    suggestions' reasons and in ``matches.csv``."""
    return _mapped(pd.Series(ids).astype(str).to_numpy(dtype=object), _condition_joiner()).to_numpy(zero_copy_only=False)


def _condition_reason(frame: pd.DataFrame, publics: tuple[bool, ...]) -> dict[bool, Pieces | object]:
    """Per value of ``publics``: the conditions under which the use is allowed (data/conditions.csv),
    in the current language, and the cap on the quantity one of them sets (public: not said, a
    traded quantity capped at a share of the need would give the need's quantity away); empty
    where none applies."""
    if "conditions" not in frame.columns:
        return dict.fromkeys(publics, "")
    joined, prefix = _condition_joiner(), _("under condition: {condition}")
    said = _mapped(frame["conditions"], lambda key: prefix.format(condition=text) if (text := joined(key)) else "")
    share = frame["max_need_share"].to_numpy(dtype=float) if "max_need_share" in frame.columns else np.full(len(frame), np.nan)
    binding = frame["share_capped"].to_numpy(dtype=bool) if "share_capped" in frame.columns else np.zeros(len(frame), bool)
    out = {}
    for public in publics:
        capped = binding & np.isfinite(share) & (not public)
        out[public] = _joined([said, _where(capped, _fill(_("quantity capped at {share} % of the receiver's need"),
                                                          share=_number_text(np.nan_to_num(share) * 100, 0)), "")],
                              ", ") if capped.any() else said  # fmt: skip
    return out


def _small_lots(frame: pd.DataFrame, tradable_base) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: whether it trades less than one load a year of the vehicle that carries it, and
    the tonnes a year it trades (NaN for units that are not carried by truck)."""
    payload = frame["payload_t"].to_numpy(dtype=float) if "payload_t" in frame.columns else np.full(len(frame), np.nan)
    unit = _text(frame["unit"])
    per_year = np.asarray(tradable_base, dtype=float) / BASE_PER_UNIT
    tonnes = np.where(_equal(unit, "t") | _equal(unit, "m3"), per_year, np.nan)  # liquids at about 1 t/m3
    return np.isfinite(payload) & np.isfinite(tonnes) & (tonnes < payload), tonnes


def _small_lot_reason(frame: pd.DataFrame, unit, publics: tuple[bool, ...]) -> dict[bool, Pieces]:
    """Per value of ``publics``: a lot smaller than one load a year of the vehicle that carries
    it: such lots travel in a collector's round, not by a direct truck (a trip costs about the
    same whatever its load, CNR-COSTS). Stated, not priced: the collector's price replaces the
    direct transport."""
    payload = frame["payload_t"].to_numpy(dtype=float) if "payload_t" in frame.columns else np.full(len(frame), np.nan)
    small, tonnes = _small_lots(frame, frame["tradable_base"])
    out = {}
    for public in publics:
        if public:
            text = _("small lot: less than one truck load a year, usually collected in a collector's round")
        else:
            text = _fill(_("small lot: {quantity} t/yr is less than one load ({payload} t) of the vehicle that carries "
                           "it; such lots usually go through a collector's round, whose price replaces the direct "
                           "transport counted here"),
                         quantity=_number_text(np.where(small, tonnes, 0), 1), payload=_number_text(np.nan_to_num(payload), 0))  # fmt: skip
        out[public] = _where(small, text, "")
    return out


def _grouped(values):
    """Whole numbers with the language's thousands separator (``24 016`` in French), as Arrow
    strings: ``f"{v:,}"`` with the language's group symbol, written from groups of three digits."""
    import pyarrow as pa

    from symbiose.i18n import fmt_number

    separator = fmt_number(1000)[1]  # the language's group symbol (Babel's), once
    whole = np.rint(np.asarray(values, dtype=float)).astype(np.int64)
    if not len(whole):
        return pa.array([], type=pa.large_string())
    size = np.abs(whole)  # (|v| < 2**63 - 1: whole values of the amounts of a year)
    groups = [size % 1000]
    while (size >= 1000).any():
        size = size // 1000
        groups.append(size % 1000)
    top = np.zeros(len(whole), dtype=np.int64)  # the group of each number's leading digits
    for k in range(1, len(groups)):
        top[np.abs(whole) >= 1000**k] = k
    plain = pa.array([str(i) for i in range(1000)], type=pa.large_string())
    padded = pa.array([f"{i:03d}" for i in range(1000)], type=pa.large_string())
    pieces = [_where(whole < 0, "-", "")]
    for k in range(len(groups) - 1, -1, -1):
        at = pa.array(groups[k])
        pieces += [_where(top == k, plain.take(at), ""), _where(top > k, _fill(separator + "{g}", g=padded.take(at)), "")]
    return Pieces.concat(pieces, len(whole)).text()


def _ranking_reason(frame: pd.DataFrame, unit, publics: tuple[bool, ...]) -> dict[bool, Pieces]:
    """Per value of ``publics``: why the partner is where it is in the list: its total, value per
    unit and the share of the partner's quantity covered, and whether it passed larger pairs or
    stands behind smaller ones."""
    stream_side = _equal(frame["side"], "stream")
    rank = _number_text(frame["rank"], 0)
    first, behind, graded = (frame[name].to_numpy(dtype=bool) if name in frame else np.zeros(len(frame), bool)
                             for name in ("hierarchy_first", "hierarchy_behind", "graded"))  # fmt: skip
    why = _joined([
        # a pair placed by the hierarchy says so, not what the key would have said; a heat
        # supply's uses all stand at one level of it, so its pairs are placed by the grades
        _where(first & graded, _("ahead of pairs that score higher: it uses the heat at a higher grade (heat cascade)"),
               _where(first, _hierarchy_reason(frame, first), _where(
                   frame["ahead_of_larger"].to_numpy(dtype=bool),
                   _("ahead of larger pairs: it gains more per unit or covers more of its partner"), ""))),
        _where(behind & graded, _("behind pairs that score lower but use the heat at a higher grade (heat cascade)"),
               _where(behind, _("behind pairs that score lower but whose use comes earlier in the waste hierarchy"), _where(
                   frame["behind_smaller"].to_numpy(dtype=bool),
                   _("behind smaller pairs that gain more per unit or cover more of their partner"), ""))),
    ], ", ")  # fmt: skip
    out = {}
    for public in publics:
        if public:
            # before both sides are interested the partner's quantity is banded (symbiose.blinding):
            # its exact share would give it away (own quantity / share), so the rank alone
            said = _fill(_("rank {rank}"), rank=rank)
        else:
            share = _number_text(np.asarray(frame["partner_share"], dtype=float) * 100, 0)
            total = _grouped(frame["score"])
            value = _number_text(frame["value_cents"].to_numpy(dtype=float) / 100, 2)
            said = _where(stream_side,
                          _fill(_("rank {rank}: {total} EUR/yr at {value} EUR/{unit}, covers {share} % of the receiver's need"),
                                rank=rank, total=total, value=value, unit=unit, share=share),
                          _fill(_("rank {rank}: {total} EUR/yr at {value} EUR/{unit}, takes {share} % of the supplier's stream"),
                                rank=rank, total=total, value=value, unit=unit, share=share))  # fmt: skip
        out[public] = _joined([said, why], ", ")
    return out


def _hierarchy_reason(frame: pd.DataFrame, first: np.ndarray) -> Pieces:
    """For a pair placed ahead of better-scored ones: the level of the waste hierarchy its use
    stands at (public too: the level follows from the need's category, which is shown)."""
    if not first.any():
        return _where(first, "", "")
    level = _mapped(frame["hierarchy"], lambda v: _(HIERARCHY_NAMES[v]) if v in HIERARCHY_NAMES else v)
    return _fill(_("ahead of pairs that score higher: its use ({level}) comes earlier in the waste hierarchy"), level=level)


def _season_reason(frame: pd.DataFrame, unit, publics: tuple[bool, ...]) -> dict[bool, Pieces]:
    """Per value of ``publics``: the quantity that fits the months both exist (when less than the
    smaller quantity), and the storage it relies on (public: without the quantities, which would
    give the partner's away)."""
    qty = frame["tradable_base"].to_numpy(dtype=float)
    full = frame["full_quantity_base"].to_numpy(dtype=float)
    months = frame["storage_months"].to_numpy(dtype=float) if "storage_months" in frame.columns else np.zeros(len(frame))
    stored = _where(months > 0, _fill(_("with storage up to {months} months"), months=_number_text(months, 0)), "")
    out = {}
    for public in publics:
        if public:
            fits = _("only part of the quantity fits the months both exist")
        else:
            fits = _fill(_("{quantity} {unit} of {full} fit the months both exist"),
                         quantity=_grouped(qty / BASE_PER_UNIT), full=_grouped(full / BASE_PER_UNIT), unit=unit)  # fmt: skip
        out[public] = _joined([_where(qty < full, fits, ""), stored], ", ")
    return out


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


REASON_BLOCK_ROWS = 10_000


def _top(group: np.ndarray, score: np.ndarray, road_km: np.ndarray, s: np.ndarray, n: np.ndarray,
         top_n: int, level: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Arc positions of each group's ``top_n`` best, with their rank. Streams and needs are sorted
    by id, so their rows order the ids.

    Best: by :func:`hierarchy_fronts` of (``level``, score) when levels are given, then score,
    shortest road and ids; without levels (or with one level per group), by score alone."""
    order = np.lexsort((n, s, road_km, -score, group))
    if level is not None and len(order):
        front = hierarchy_fronts(group, level, score, top_n, order)
        if front is not None:  # the lists of two levels, each by front, stable: the key's order within one
            at = np.flatnonzero(front[order] > 0)
            mixed = order[at]
            lists = np.cumsum(np.r_[True, group[mixed][1:] != group[mixed][:-1]])
            order[at] = mixed[np.argsort(lists * (int(front.max()) + 1) + front[mixed], kind="stable")]
    grouped = group[order]
    starts = np.r_[0, np.flatnonzero(grouped[1:] != grouped[:-1]) + 1] if len(order) else np.zeros(0, np.int64)
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)])) + 1
    keep = rank <= top_n
    return order[keep], rank[keep]


def hierarchy_fronts(group: np.ndarray, level: np.ndarray, score: np.ndarray, top_n: int,
                     order: np.ndarray | None = None) -> np.ndarray | None:  # fmt: skip
    """The Pareto front of every pair of a list over two criteria: its use's level in the waste
    hierarchy (lower is better) and its ranking key (higher is better); None when no list holds
    two levels (the order is the key's alone). ``order``: the pairs sorted by list, then best
    key first (with the caller's tie-breaks; default key, then position).

    A pair dominated by none of its list is in front 1; a pair's front is one more than the
    highest front among the pairs that dominate it (non-dominated sorting, Deb et al. 2002,
    doi 10.1109/4235.996017). Ordering a list by front, then key, needs no weight between the
    two: a pair never stands behind one it beats on both, so a pair of a better level of the
    hierarchy (Directive 2008/98/EC art. 4) is never buried under more lucrative pairs of worse
    levels, and the best pair of each level is in the first front unless a better level has a
    more lucrative one. Pairs that lose money (key not positive) stand after every level. Only
    each level's ``top_n`` best pairs of a list can reach its ``top_n`` first places; the others
    get a front after all of them. Lists of one level keep front 0 (their order is the key's)."""
    group = np.asarray(group)
    level = np.where(score > 0, level, int(np.max(level, initial=0)) + 1).astype(np.int64)
    if order is None:
        order = np.lexsort((-score, group))
    if not len(order):
        return None
    top_n = min(top_n, len(order))
    # the lists that hold two levels or more (``order`` holds each list's pairs together)
    sorted_group = group[order]
    first = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    sizes = np.diff(np.r_[first, len(order)])
    mixed_list = np.minimum.reduceat(level[order], first) != np.maximum.reduceat(level[order], first)
    if not mixed_list.any():
        return None
    mixed = np.zeros(len(group), dtype=bool)
    mixed[order] = np.repeat(mixed_list, sizes)
    lists = np.repeat(np.arange(len(first)), sizes)[mixed[order]]
    order = order[mixed[order]]
    # each level's best top_n of a list, in the key's order (a stable sort by list, then level)
    order = order[np.argsort(lists * (int(level.max()) + 1) + level[order], kind="stable")]
    g, lv, sc = group[order], level[order], score[order]
    new_list = np.r_[True, (g[1:] != g[:-1]) | (lv[1:] != lv[:-1])]
    starts = np.flatnonzero(new_list)
    within = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    keep = within < top_n
    order, g, lv, sc, new_list = order[keep], g[keep], lv[keep], sc[keep], new_list[keep]
    # dense rank of the key within (list, level): equal keys of a level share a front
    step = np.r_[True, sc[1:] != sc[:-1]] & ~new_list
    dense = np.cumsum(step) - np.repeat(np.cumsum(step)[new_list], np.diff(np.r_[np.flatnonzero(new_list), len(sc)]))
    codes = np.cumsum(np.r_[True, g[1:] != g[:-1]]) - 1  # lists numbered in order
    front = np.zeros(len(order), dtype=np.int64)
    done = np.zeros(len(order), dtype=bool)
    big = 2 * (len(order) + top_n + 2)  # wider than any value of one list below
    for value in np.unique(lv):
        now = np.flatnonzero(lv == value)
        # the highest front among pairs of better levels of the same list whose key is at least
        # this pair's: pairs already placed and this level's, merged in (list, key desc) order,
        # placed pairs first on equal keys, with a running maximum that restarts at each list
        placed = np.flatnonzero(done & np.isin(codes, codes[now]))
        both = np.r_[placed, now]
        kind = np.r_[np.zeros(len(placed), np.int64), np.ones(len(now), np.int64)]
        merge = np.lexsort((kind, -sc[both], codes[both]))
        worth = np.where(kind[merge] == 0, front[both[merge]], 0) + codes[both[merge]] * big
        above = np.maximum.accumulate(worth) - codes[both[merge]] * big
        dominated_by = np.empty(len(both), dtype=np.int64)
        dominated_by[merge] = above
        h = 1 + dominated_by[len(placed):]
        # within the level, a pair is also dominated by the level's pairs of higher key
        d = dense[now]
        lists = codes[now]
        running = np.maximum.accumulate(h - d + top_n + lists * big) - lists * big - top_n
        front[now] = running + d
        done[now] = True
    out = np.where(mixed, int(front.max(initial=0)) + 1, 0)
    out[order] = front
    return out


def _rank_index(key: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Each key divided by its list's best (1 for the best key of a list, which the waste
    hierarchy may place after others; 3 decimals)."""
    if not len(key):
        return np.zeros(0)
    codes, uniques = pd.factorize(group)
    best = np.full(len(uniques), -np.inf)
    np.maximum.at(best, codes, key)
    return np.round(np.where((best[codes] > 0) & (key > 0), key / np.where(best[codes] > 0, best[codes], 1), 0.0), 3)


def _overtakes(score: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of lists in rank order: ranked ahead of a pair worth more per year, and ranked
    behind a pair worth less (the rows of a list are consecutive, best first)."""
    frame = pd.DataFrame({"g": group, "score": score})
    after = frame[::-1].groupby("g", sort=False)["score"].cummax()[::-1]
    after = frame.assign(a=after).groupby("g", sort=False)["a"].shift(-1)
    before = frame.groupby("g", sort=False)["score"].cummin()
    before = frame.assign(b=before).groupby("g", sort=False)["b"].shift(1)
    return ((after > score).fillna(False).to_numpy(dtype=bool), (before < score).fillna(False).to_numpy(dtype=bool))


COLUMNS = ["side", "stream_id", "need_id", "outlet", "hierarchy", "rank", "score", "rank_index", "distance_km", "road_km",
           "quantity", "unit", "share_covered", "in_optimum", "optimum_quantity", "value_eur_per_unit",
           "price_min_eur", "price_max_eur", "price_fair_eur", "receiver_is_paid", "breakeven_km",
           "supplier_gain_eur", "receiver_gain_eur", "reason", "reason_public"]  # fmt: skip
REASONS = ("reason", "reason_public")


@dataclass(frozen=True)
class SuggestionPlan:
    """The suggestions chosen, before any economics or text: per suggestion its arc (a row of
    ``candidates.arcs``), side, rank and what depends on its whole list (the rank index, the
    overtakes), and the optimum's quantity. :meth:`blocks` builds the table a block of rows at a
    time (economics, gains, reasons); at 100k streams the table with its reasons is over 1 GB,
    the plan about 30 MB. ``leads``: the suggestions through an intermediary, planned on their
    own arcs and ranked apart, each with the sentence its reason starts with (``prefix``)."""

    candidates: Candidates
    rows: np.ndarray
    rank: np.ndarray
    stream_side: np.ndarray
    rank_index: np.ndarray
    ahead_of_larger: np.ndarray
    behind_smaller: np.ndarray
    optimum_base: np.ndarray
    destination: np.ndarray  # per stream
    intermediary: np.ndarray  # per need
    prefix: np.ndarray | None = None
    leads: SuggestionPlan | None = None
    # per row: ranked ahead of a pair with a better key, because its use stands higher in the
    # waste hierarchy (:func:`hierarchy_fronts`)
    hierarchy_first: np.ndarray | None = None
    hierarchy_behind: np.ndarray | None = None  # behind a pair with a worse key, for the same reason

    def __len__(self) -> int:
        return len(self.rows) + (len(self.leads) if self.leads is not None else 0)

    def outlet_counts(self) -> dict[str, int]:
        """How many suggestions of each outlet (substitution, treatment, same use, intermediary)."""
        arcs = self.candidates.arcs
        same = _same_use(arcs)[self.rows]
        treated = (arcs["receiver_avoided_cents"].to_numpy(dtype=float)[self.rows] <= 0) & ~same
        counts = {"substitution": int((~treated & ~same).sum()), "treatment": int(treated.sum()),
                  "same_use": int(same.sum())}
        if self.leads is not None:
            counts["intermediary"] = len(self.leads)
        return counts

    def blocks(self, rows: int | None = None, *, reasons: bool = True) -> Iterator[pd.DataFrame]:
        """The table of :func:`suggest`, ``rows`` rows at a time (default
        :data:`REASON_BLOCK_ROWS`); at least one block, empty when there is no suggestion."""
        rows = rows or REASON_BLOCK_ROWS
        parts = [self] + ([self.leads] if self.leads is not None else [])
        done = False
        for part in parts:
            texts = (_text(part.destination), _text(part.intermediary))
            for start in range(0, len(part.rows), rows):
                yield part._block(slice(start, start + rows), reasons, texts)
                done = True
        if not done:
            yield pd.DataFrame(columns=COLUMNS)

    def with_optimum(self, allocation: Allocation) -> SuggestionPlan:
        """The plan with the allocation's quantities (planned without one, while it was being
        solved: nothing else in a plan depends on it; leads are never allocated)."""
        return dataclasses.replace(self, optimum_base=_optimum_base(self.candidates, allocation)[self.rows])

    def optimum_columns(self, start: int, stop: int) -> pd.DataFrame:
        """``in_optimum`` and ``optimum_quantity`` of the suggestions at positions
        ``start:stop`` of :meth:`table`'s order (the plan's rows, then the leads')."""
        base = self.optimum_base
        if self.leads is not None:
            base = np.concatenate([base, self.leads.optimum_base])
        base = base[start:stop]
        return pd.DataFrame({"in_optimum": base > 0, "optimum_quantity": base / BASE_PER_UNIT})

    def table(self, *, reasons: bool = True) -> pd.DataFrame:
        blocks = list(self.blocks(reasons=reasons))
        out = pd.concat(blocks, ignore_index=True) if len(blocks) > 1 else blocks[0]
        return out

    def _block(self, at: slice, reasons: bool, texts: tuple) -> pd.DataFrame:
        """Rows ``at`` of the table; ``texts``: the destination of each stream and the
        intermediary sentence of each need, as Arrow strings."""
        import pyarrow as pa

        candidates = self.candidates
        streams, needs = candidates.streams, candidates.needs
        stream_side = self.stream_side[at]
        res = pair_economics(candidates, self.rows[at])
        stream_share, need_share = res["stream_share"].to_numpy(), res["need_share"].to_numpy()
        res_s = res["s"].to_numpy(dtype=np.int64)
        res_n = res["n"].to_numpy(dtype=np.int64)
        tradable_units = res["tradable_base"].to_numpy() / BASE_PER_UNIT
        fair = res["price_fair_eur"].to_numpy()
        optimum = self.optimum_base[at]
        cents = {name: res[name].to_numpy() for name in ("supplier_avoided_cents", "receiver_avoided_cents",
                                                        "transport_cents", "pretreatment_cents", "value_cents")}  # fmt: skip
        res = _added(res, {
            "rank": self.rank[at], "side": _labels(stream_side, ("need", "stream")),
            "share_covered": np.where(stream_side, stream_share, need_share).round(3),
            "partner_share": np.where(stream_side, need_share, stream_share), "rank_index": self.rank_index[at],
            "ahead_of_larger": self.ahead_of_larger[at], "behind_smaller": self.behind_smaller[at],
            **{name: (getattr(self, name)[at] if getattr(self, name) is not None else np.zeros(len(res), dtype=bool))
               for name in ("hierarchy_first", "hierarchy_behind")},
            # a use of a graded resource (heat) by a supply of it: placed by grades (use_levels)
            "graded": _graded(candidates, res),
            # no level is claimed where the candidates know no hierarchy
            "hierarchy": (_labels(hierarchy_levels(candidates, res), HIERARCHY_LEVELS) if candidates.hierarchy
                          else _labels(np.zeros(len(res)), ("",))),
            "full_quantity_base": np.minimum(streams["quantity_base"].to_numpy()[res_s],
                                             needs["quantity_base"].to_numpy()[res_n]),
            # taken from the stream's column, as texts
            **{name: streams[name].array.take(res_s) for name in ("ewc_code", "material", "route")},
            "destination": pd.array(texts[0].take(pa.array(res_s)), dtype="str"),
            "intermediary": pd.array(texts[1].take(pa.array(res_n)), dtype="str"),
            "optimum_base": optimum,
            "supplier_gain_eur": np.round(tradable_units * (cents["supplier_avoided_cents"] / 100 + fair), 2),
            "receiver_gain_eur": np.round(tradable_units * ((cents["receiver_avoided_cents"] - cents["transport_cents"]
                                                             - cents["pretreatment_cents"]) / 100 - fair), 2),
            "quantity": tradable_units, "in_optimum": optimum > 0, "optimum_quantity": optimum / BASE_PER_UNIT,
            "value_eur_per_unit": np.round(cents["value_cents"] / 100, 2),
            "distance_km": res["distance_km"].to_numpy().round(2), "road_km": res["road_km"].to_numpy().round(2),
            **({"outlet": _labels(np.zeros(len(res)), ("intermediary",))} if self.prefix is not None else {}),
        })  # fmt: skip
        out = {c: res[c] for c in COLUMNS if c not in REASONS}
        for name in ("stream_id", "need_id", "unit"):  # astype(str), from the categories' texts
            out[name] = pd.array(_text(out[name]), dtype="str") if _text_categories(out[name]) else out[name].astype(str)
        for column, reason in zip(REASONS, _reason_columns(res) if reasons else (), strict=False):
            if self.prefix is not None:
                reason = Pieces.concat([_text(self.prefix[at]), "; ", _text(reason)], len(res)).text()
            out[column] = pd.array(reason, dtype="str")
        return pd.DataFrame(out, index=res.index)


def _added(frame: pd.DataFrame, columns: Mapping[str, object]) -> pd.DataFrame:
    """``frame`` with ``columns`` set, as setting them one by one would (a column it has keeps
    its place, the others follow in order), in one step."""
    new = {name: values for name, values in columns.items() if name not in frame.columns}
    if len(new) < len(columns):
        frame = frame.copy()
        for name in columns.keys() - new.keys():
            frame[name] = columns[name]
    return pd.concat([frame, pd.DataFrame(new, index=frame.index)], axis=1) if new else frame


def suggest(candidates: Candidates, allocation: Allocation | None = None, *, top_n: int = 5,
            implemented: Collection[tuple[str, str]] = (),
            available: Mapping[str, int] | None = None) -> pd.DataFrame:  # fmt: skip
    """Best ``top_n`` partners for every stream (side 'stream') and every need (side 'need').

    The best pairs are chosen first on the score alone; prices, gains and reasons are computed
    for the chosen ones only. ``implemented``: (stream id, need id) of the synergies in place,
    which are not suggested again. ``available``: per stream id, the base quantity the synergies
    in place leave (:func:`symbiose.catalogue.available_quantities`; a stream it does not list has
    nothing left): a stream is offered only that (None: its whole quantity).
    :func:`plan_suggestions` chooses them without building the table, which
    :func:`suggestion_blocks` then builds a block at a time.
    """
    return plan_suggestions(candidates, allocation, top_n=top_n, implemented=implemented,
                            available=available).table()  # fmt: skip


def _left_by_synergies(candidates: Candidates, available: Mapping[str, int]) -> Candidates:
    """The candidates with each stream's quantity cut to what the synergies in place leave."""
    streams = candidates.streams.copy()
    ids = streams["stream_id"].astype(str)
    left = ids.map(lambda x: available.get(x, 0)).to_numpy(dtype=np.int64)
    streams["quantity_base"] = np.minimum(streams["quantity_base"].to_numpy(dtype=np.int64), left)
    return dataclasses.replace(candidates, streams=streams)


def suggestion_blocks(table: pd.DataFrame | SuggestionPlan, rows: int | None = None) -> Iterator[pd.DataFrame]:
    """A suggestion table in blocks of ``rows`` rows (default :data:`REASON_BLOCK_ROWS`), with
    their reasons: built here, a block at a time, from a :class:`SuggestionPlan`. At least one
    block, empty when there is no suggestion."""
    if isinstance(table, SuggestionPlan):
        yield from table.blocks(rows)
        return
    rows = rows or REASON_BLOCK_ROWS
    for start in range(0, max(len(table), 1), rows):
        yield table.iloc[start:start + rows]


def plan_suggestions(candidates: Candidates, allocation: Allocation | None = None, *, top_n: int = 5,
                     implemented: Collection[tuple[str, str]] = (),
                     available: Mapping[str, int] | None = None,
                     intermediary: np.ndarray | None = None) -> SuggestionPlan:  # fmt: skip
    """The suggestions :func:`suggest` gives, chosen but not yet built (:class:`SuggestionPlan`).

    ``intermediary``: :func:`_intermediaries` of every need, when already found (the leads'
    plan shares the needs of the main one)."""
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    if available is not None:  # a stream committed to synergies in place offers only what they leave
        candidates = _left_by_synergies(candidates, available)
    arcs = candidates.arcs
    streams, needs = candidates.streams, candidates.needs
    leads = None
    if candidates.leads is not None and len(candidates.leads):
        intermediary = _intermediaries(candidates, np.arange(len(needs))) if intermediary is None else intermediary
        leads = _lead_plan(candidates, top_n, intermediary)
    if not len(arcs):
        none, nothing = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
        return SuggestionPlan(candidates, none, none, none.astype(bool), none.astype(float), none.astype(bool),
                              none.astype(bool), none, nothing, nothing, leads=leads)  # fmt: skip
    s = arcs["s"].to_numpy(dtype=np.int64)
    n = arcs["n"].to_numpy(dtype=np.int64)
    allowed = None
    barred = streams["quantity_base"].to_numpy()[s] <= 0  # nothing left of the stream to offer
    if implemented and len(arcs):
        pairs = pd.MultiIndex.from_arrays([arcs["stream_id"].astype(str), arcs["need_id"].astype(str)])
        barred |= pairs.isin(list(implemented))
    s_qty, n_qty = streams["quantity_base"].to_numpy()[s], needs["quantity_base"].to_numpy()[n]
    tradable = _tradable(arcs, s_qty, n_qty)
    # a small lot that today's outlet already puts to this use: its collector's round does what a
    # direct trip would, so moving it is no new synergy worth a call (the fourth grading's C13)
    same_use = _same_use(arcs)
    if same_use.any():
        barred |= same_use & _small_lots(arcs, tradable)[0]
    if barred.any():
        allowed = np.flatnonzero(~barred)  # the arcs that may be suggested
    value = arcs["value_cents"].to_numpy(dtype=float)
    score = _score(tradable, value)
    road = arcs["road_km"].to_numpy(dtype=float)
    # the share of each side covered, averaged: a pair that matters to both partners (the same
    # key in the stream's list and in the need's list)
    mutual = (tradable / np.maximum(s_qty, 1) + tradable / np.maximum(n_qty, 1)) / 2
    key = rank_key(score, value, mutual)
    del tradable, mutual, s_qty, n_qty
    # substitutions, treatment outlets and streams moved to the use they have today are ranked
    # apart: each has its own top N
    treatment = (arcs["receiver_avoided_cents"].to_numpy(dtype=float) <= 0).astype(np.int64)
    treatment = np.where(same_use, 2, treatment)
    stream_group, need_group = s * 3 + treatment, n * 3 + treatment
    # a stream's list follows the hierarchy of its receivers' uses, and a heat supply's the
    # grades of its receivers' (use_levels); a need's list, like the receiver's partners page
    # (bands only), goes by the key
    level = use_levels(candidates, arcs)
    if allowed is None:
        by_stream, stream_rank = _top(stream_group, key, road, s, n, top_n, level)
        by_need, need_rank = _top(need_group, key, road, s, n, top_n)
    else:
        a = allowed
        by_stream, stream_rank = _top(stream_group[a], key[a], road[a], s[a], n[a], top_n, level[a])
        by_need, need_rank = _top(need_group[a], key[a], road[a], s[a], n[a], top_n)
        by_stream, by_need = a[by_stream], a[by_need]
    rows = np.concatenate([by_stream, by_need])
    group = np.concatenate([stream_group[by_stream], 3 * len(streams) + need_group[by_need]])
    optimum = _optimum_base(candidates, allocation)
    ahead, behind = _overtakes(score[rows], group)
    # ahead of a better key, or behind a worse one: placed by the hierarchy
    first, behind_first = _overtakes(key[rows], group)
    return SuggestionPlan(
        candidates=candidates, rows=rows, rank=np.concatenate([stream_rank, need_rank]),
        stream_side=np.repeat([True, False], [len(by_stream), len(by_need)]),
        rank_index=_rank_index(np.concatenate([key[by_stream], key[by_need]]), group),
        ahead_of_larger=ahead, behind_smaller=behind, optimum_base=optimum[rows], hierarchy_first=first,
        hierarchy_behind=behind_first,
        destination=destinations(candidates, np.arange(len(streams))),
        intermediary=np.zeros(0, dtype=object) if not len(rows) else (
            _intermediaries(candidates, np.arange(len(needs))) if intermediary is None else intermediary),
        leads=leads,
    )  # fmt: skip


def hierarchy_levels(candidates: Candidates, arcs: pd.DataFrame) -> np.ndarray:
    """Per arc, the position of its use's level in the waste hierarchy (``candidates.hierarchy``
    by category; a category it lacks, or all when it is empty, stands with recycling into a
    material, as :meth:`symbiose.compat.KnowledgeBase.hierarchy_rank` puts it)."""
    unlisted = HIERARCHY_LEVELS.index(UNLISTED_LEVEL)
    if not candidates.hierarchy or not len(arcs):
        return np.full(len(arcs), unlisted, dtype=np.int64)
    codes, names = pd.factorize(arcs["category"].astype(str)) if not isinstance(
        arcs["category"].dtype, pd.CategoricalDtype) else (arcs["category"].cat.codes.to_numpy(),
                                                            arcs["category"].cat.categories)  # fmt: skip
    known = np.array([candidates.hierarchy.get(str(c), unlisted) for c in names] + [unlisted], dtype=np.int64)
    return known[np.asarray(codes, dtype=np.int64)]


def _grade_positions(candidates: Candidates, arcs: pd.DataFrame) -> np.ndarray:
    """Per arc, the position of its use among the grades its stream's resource serves (0 its
    own, 1 the next lower...; ``KnowledgeBase.served_by``), -1 where the use is not one of them
    (a stream of an ungraded resource, or a use that is not heat)."""
    out = np.full(len(arcs), -1, dtype=np.int64)
    if not candidates.grades or not len(arcs):
        return out
    material = candidates.streams["material"].to_numpy(dtype=object)[arcs["s"].to_numpy(dtype=np.int64)]
    rows = np.flatnonzero(np.isin(material, list(candidates.grades)))
    category = arcs["category"].to_numpy(dtype=object)[rows]
    out[rows] = [candidates.grades[m].index(c) if c in candidates.grades[m] else -1
                 for m, c in zip(material[rows], category, strict=True)]  # fmt: skip
    return out


def grade_steps(candidates: Candidates, arcs: pd.DataFrame) -> np.ndarray:
    """Per arc, how many grades below its own the use takes the stream's resource (steam to a
    hot-water need: 1; ``KnowledgeBase.grade_step``); 0 for streams of ungraded resources."""
    return np.maximum(_grade_positions(candidates, arcs), 0)


def _graded(candidates: Candidates, arcs: pd.DataFrame) -> np.ndarray:
    """Per arc, whether its use is one of the grades its stream's resource serves (heat to heat):
    the pairs whose place in a stream's list the grades decide."""
    return _grade_positions(candidates, arcs) >= 0


def use_levels(candidates: Candidates, arcs: pd.DataFrame) -> np.ndarray:
    """Per arc, the place of its use in the order a stream's list follows (lower is better):
    the waste hierarchy's level (:func:`hierarchy_levels`), then the grades the use lowers a
    graded resource by (:func:`grade_steps`): a heat supply is offered first to uses of its own
    grade, then to lower ones, as heat cascades from high to low temperature (to use heat at the
    highest temperature it can serve destroys the least exergy: Bejan, Tsatsaronis and Moran,
    *Thermal Design and Optimization*, Wiley 1996, section 3.6; ``KnowledgeBase.use_rank`` for
    one pair)."""
    return hierarchy_levels(candidates, arcs) * GRADE_SPAN + grade_steps(candidates, arcs)


def _optimum_base(candidates: Candidates, allocation: Allocation | None) -> np.ndarray:
    """Per arc, the quantity the allocation puts on it (base units; 0 without an allocation)."""
    arcs = candidates.arcs
    optimum = np.zeros(len(arcs), dtype=np.int64)
    if allocation is not None and len(allocation.flows):
        flows = allocation.flows
        # flows are one row per used pair: find each pair's arc by (s, n)
        width = len(candidates.needs) + 1
        s, n = arcs["s"].to_numpy(dtype=np.int64), arcs["n"].to_numpy(dtype=np.int64)
        flow_key = flows["s"].to_numpy(dtype=np.int64) * width + flows["n"].to_numpy(dtype=np.int64)
        at = pd.Index(s * width + n).get_indexer(flow_key)
        optimum[at[at >= 0]] = flows["flow_base"].to_numpy(dtype=np.int64)[at >= 0]
    return optimum


def destinations(candidates: Candidates, s: np.ndarray) -> np.ndarray:
    """Per pair, where its stream goes today (``destination``): an outside outlet as stated, a
    need of the network as that need's description and id; empty when none is stated."""
    streams, needs = candidates.streams, candidates.needs
    if "destination" not in streams:
        return np.full(len(s), "", dtype=object)
    ids = needs["need_id"].astype(str).to_numpy(dtype=object)
    named = dict(zip(ids, needs["description"].fillna("").astype(str).to_numpy(dtype=object) + " (" + ids + ")",
                     strict=True))  # fmt: skip
    goes = streams["destination"].fillna("").astype(str).to_numpy(dtype=object)
    return np.array([named.get(d, d) for d in goes], dtype=object)[s]  # per stream, not per pair


def _lead_plan(candidates: Candidates, top_n: int, intermediary: np.ndarray) -> SuggestionPlan:
    """Stream-side suggestions of raw residues that reach a standard-bound need only through an
    intermediary (``candidates.leads``): the intermediary's service counts as a pre-treatment, the
    reason names the standard and who makes it; ranked apart (``outlet`` 'intermediary')."""
    from symbiose.compat import load_knowledge_base

    leads = candidates.leads.copy()
    cost = leads["intermediary_cents"].to_numpy(dtype=float)
    leads["pretreatment_cents"] = leads["pretreatment_cents"].to_numpy(dtype=float) + cost
    leads["value_cents"] = leads["value_cents"].to_numpy(dtype=float) - cost
    step = leads["pretreatment"].astype(str)
    leads["pretreatment"] = np.where(step == "none", "intermediary", step + "+intermediary")
    plan = plan_suggestions(dataclasses.replace(candidates, arcs=leads, leads=None), None, top_n=top_n,
                            intermediary=intermediary)  # fmt: skip
    side = plan.stream_side  # the stream side only
    plan = dataclasses.replace(plan, rows=plan.rows[side], rank=plan.rank[side], stream_side=plan.stream_side[side],
                               rank_index=plan.rank_index[side], ahead_of_larger=plan.ahead_of_larger[side],
                               behind_smaller=plan.behind_smaller[side], optimum_base=plan.optimum_base[side],
                               hierarchy_first=plan.hierarchy_first[side],
                               hierarchy_behind=plan.hierarchy_behind[side])  # fmt: skip
    kb = load_knowledge_base()
    french = get_language() == "fr"
    required = dict(zip(candidates.needs["need_id"], candidates.needs["required_standards"], strict=True))

    stream_ids = leads["stream_id"].astype(str).to_numpy(dtype=object)[plan.rows]
    need_ids = leads["need_id"].astype(str).to_numpy(dtype=object)[plan.rows]
    code_of = dict(zip(candidates.streams["stream_id"], candidates.streams["ewc_code"].astype(str), strict=True))
    codes = sorted({code_of[x] for x in stream_ids} - {""})
    reach = kb.compatible_pairs([c for c in codes if len(c) == 6]).groupby("code")["category"].agg(set).to_dict()

    def sentence(need_id: str, stream_id: str) -> str:
        # the standard whose intermediary takes this residue (as the lead was built), cheapest first
        known = [kb.standards[x] for x in required.get(need_id, "").split(";") if x in kb.standards]
        code = code_of[stream_id]
        fits = [x for x in known if x.takes(code, reach.get(code, set()))] or known
        std = min(fits, key=lambda x: x.intermediary_cost_cents)
        return _("through an intermediary: the receiver requires {standard}; a {who} makes it (about {cost} "
                 "EUR/t, counted below)").format(standard=std.label_fr if french else std.label_en,
                                                 who=std.intermediary_fr if french else std.intermediary_en,
                                                 cost=_number_text(np.array([std.intermediary_cost_cents / 100]), 0)[0].as_py())  # fmt: skip

    keys = list(zip(need_ids, stream_ids, strict=True))
    said = {k: sentence(*k) for k in dict.fromkeys(keys)}
    return dataclasses.replace(plan, prefix=np.array([said[k] for k in keys], dtype=object))
