"""The blind: what one company may learn about a suggested partner before both sides are interested.

A company sees its own data exactly and its partner's data only in *bands*. The rule that makes
the blind provable is the order of the computation: the partner's hidden values (the receiver's
virgin price, the supplier's route cost, the partner's quantity, the road distance) are first
replaced by their band, and every figure shown is then computed from those bands and the viewer's
own data. Two partners whose hidden values fall in the same bands therefore give the same page,
and no equation over the page recovers a hidden value more precisely than its band.

Bands (defined once, here):

* money per unit (EUR per t, m3 or MWh) and quantities per year: the 1-2-5 series
  (0, 1, 2, 5, 10, 20, 50, ...), a geometric band of ratio 2 to 2.5; negative values mirrored;
* road distance: 0-5, 5-15, 15-30, 30-50, 50-100, 100-150, 150-200, 200-300, 300-500 and over
  500 km;
* activity: the partner's NAF/NACE code climbed from sub-class to class, group, division and
  section until at least ``k`` companies of the network (the partner included) share it *and* lie
  in the distance band shown from the viewer; when even the section is shared by fewer, the
  distance shown is widened to "0 to" its band's upper edge, then to the next edges up to 500 km,
  and the climb starts again; failing that, the activity is not shown. Only companies that put
  out the pair's waste code (or take in its category) count, and the distance shown without an
  activity is widened until ``k`` of them lie in it. ``k`` is :data:`DEFAULT_K` or the
  ``SYMBIOSE_BLIND_K`` setting.

What a company gains at the equal-split price is half the pair's value per unit (see
:mod:`symbiose.suggestions`): ``(route cost + quality x virgin price - transport - pre-treatment)
/ 2``. Shown as the interval of that expression over the partner's bands; the per-year figure is
that interval times the band of the tradable quantity. The ranking of a company's partners and
the choice of the partners shown use those banded figures only (ties broken by a hash of the pair's
ids), so the order does not leak more than the bands.

Mutual interest: both sides said so, which moves the synergy to ``in_discussion``
(:data:`MUTUAL_STAGES`); a pair at ``contacted`` has one side's interest only.

This module is pure (no database, no Streamlit).
"""

from __future__ import annotations

import bisect
import hashlib
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from symbiose.compat import pipe_scale
from symbiose.domain import Company, Stage
from symbiose.geo import haversine_km
from symbiose.i18n import N_, _, fmt_number
from symbiose.logistics import REFERENCE_PAYLOAD_T

SUPPLIER, RECEIVER = "supplier", "receiver"
MUTUAL_STAGES = frozenset({Stage.IN_DISCUSSION, Stage.IMPLEMENTED})
DEFAULT_K = 3
ENV_K = "SYMBIOSE_BLIND_K"

DISTANCE_EDGES_KM: tuple[float, ...] = (0.0, 5.0, 15.0, 30.0, 50.0, 100.0, 150.0, 200.0, 300.0, 500.0)
"""Edges of the road-distance bands. A pair is shown only when it pays over its whole band, so the
last, open band (over 500 km) is never shown; the bands beyond 100 km let a bulk material that
travels far (paper for pulping, used oil, panels' wood) be shown."""
SERIES_EDGES: tuple[float, ...] = (0.0,) + tuple(m * 10.0**e for e in range(0, 10) for m in (1, 2, 5))
LEVELS = ("subclass", "class", "group", "division", "section")
LEVEL_WORDS = {"subclass": N_("sub-class"), "class": N_("class"), "group": N_("group"),
               "division": N_("division"), "section": N_("section")}  # fmt: skip


def k_anonymity() -> int:
    """The smallest number of companies a shown activity must match (setting ``SYMBIOSE_BLIND_K``)."""
    raw = os.environ.get(ENV_K, "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_K
    except ValueError:
        return DEFAULT_K


def is_mutual(stage: Stage | str | None) -> bool:
    """Whether a synergy's stage means both sides said they are interested (names may be shown)."""
    return stage is not None and Stage(stage) in MUTUAL_STAGES


# --------------------------------------------------------------------------------- bands


@dataclass(frozen=True, slots=True, order=True)
class Band:
    """A half-open interval ``[low, high)``; ``high`` may be infinite."""

    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value < self.high or (value == self.low == self.high)

    @property
    def width(self) -> float:
        return self.high - self.low


def _band(value: float, edges: Sequence[float]) -> Band:
    if not math.isfinite(value):
        raise ValueError(f"cannot band {value!r}")
    if value < 0:
        mirrored = _band(-value, edges)
        # (-high, -low]: the same width on the other side of zero
        return Band(-mirrored.high, -mirrored.low)
    i = bisect.bisect_right(edges, value) - 1
    high = edges[i + 1] if i + 1 < len(edges) else math.inf
    return Band(edges[i], high)


def series_band(value: float) -> Band:
    """The 1-2-5 band of a money-per-unit or quantity-per-year value."""
    return _band(value, SERIES_EDGES)


def distance_band(road_km: float) -> Band:
    return _band(max(0.0, road_km), DISTANCE_EDGES_KM)


def distance_index(road_km: np.ndarray | float) -> np.ndarray:
    """The distance band number of each road distance (0 = 0-5 km ... 9 = over 500 km)."""
    return np.searchsorted(DISTANCE_EDGES_KM, np.maximum(0.0, np.asarray(road_km, dtype=float)), side="right") - 1


# --------------------------------------------------------------------------------- activity


@cache
def _nace_sections() -> dict[str, str]:
    from symbiose.reference import nace_codes

    table = nace_codes()
    divisions = table[table["level"] == "division"]
    return dict(zip(divisions["code"].astype(str), divisions["section"].astype(str), strict=True))


@cache
def _nace_labels() -> dict[str, tuple[str, str]]:
    from symbiose.reference import nace_codes, naf_codes

    table = nace_codes()
    labels = {str(c): (str(en), str(fr)) for c, en, fr in zip(table["code"], table["label_en"], table["label_fr"],
                                                                strict=True)}  # fmt: skip
    naf = naf_codes()
    for code, label in zip(naf["naf_code"], naf["label_fr_naf"], strict=True):
        labels[str(code)] = (str(label), str(label))
    return labels


def activity_levels(naf_code: str) -> dict[str, str]:
    """The codes of a NAF sub-class at each level: ``16.10A`` -> sub-class 16.10A, class 16.10,
    group 16.1, division 16, section C (missing levels are left out).

    >>> activity_levels("16.10A")
    {'subclass': '16.10A', 'class': '16.10', 'group': '16.1', 'division': '16', 'section': 'C'}
    """
    code = (naf_code or "").strip().upper()
    if not code:
        return {}
    out: dict[str, str] = {}
    if len(code) == 6 and code[-1].isalpha():
        out["subclass"] = code
    if len(code) >= 5 and code[2] == ".":
        out["class"] = code[:5]
    if len(code) >= 4 and code[2] == ".":
        out["group"] = code[:4]
    if code[:2].isdigit():
        out["division"] = code[:2]
        section = _nace_sections().get(code[:2])
        if section:
            out["section"] = section
    return out


def activity_label(level: str, code: str) -> str:
    """``division 16: Wood and products of wood...`` in the current language."""
    from symbiose.i18n import get_language

    en, fr = _nace_labels().get(code, ("", ""))
    label = fr if get_language() == "fr" else en
    word = _(LEVEL_WORDS[level])
    if label.isupper():  # the sections are written in capitals in the nomenclature
        label = label[0] + label[1:].lower()
    return _("{level} {code}: {label}").format(level=word, code=code, label=label) if label else f"{word} {code}"


class Activity(NamedTuple):
    """The activity shown for a partner: a NAF/NACE level and code, and the distance bands shown
    with it (``near``..``far``, indices of :data:`DISTANCE_EDGES_KM`; the partner's own band
    unless it had to be widened for enough companies to share the activity)."""

    level: str
    code: str
    near: int
    far: int

    @property
    def widened(self) -> bool:
        return self.near != self.far

    def distance(self) -> Band:
        return range_band(self.near, self.far)


def range_band(near: int, far: int) -> Band:
    """The distance shown for the bands ``near``..``far`` (indices of :data:`DISTANCE_EDGES_KM`)."""
    edges = DISTANCE_EDGES_KM
    return Band(edges[near], edges[far + 1] if far + 1 < len(edges) else math.inf)


class ActivityBlind:
    """Coarse activities of the partners shown to one viewer, each shared by at least ``k``
    companies of the network lying in the distance range shown from the viewer.

    The partner's own distance band is tried first, at every level from sub-class to section;
    then "0 to" its band's upper edge, then "0 to" each next edge (up to 500 km). When none reaches
    ``k``, no activity is shown.

    With the network's streams and needs, and the material a pair shows (``what``: the
    supplier's waste code, the receiver's category), only the companies that put out that code
    (or take in that category) count: « division 35, 0 to 30 km, boiler bottom ash 10 01 01 » is
    shared by three companies of division 35 but one producer of 10 01 01, which a neighbour
    names at once. The distance shown without an activity is widened the same way
    (:meth:`shown_range`).
    """

    def __init__(
        self, companies: Sequence[Company], viewer: Company, *, road_factor: float, k: int,
        streams: Sequence[Any] = (), needs: Sequence[Any] = (),
    ) -> None:  # fmt: skip
        others = [c for c in companies if c.id != viewer.id]
        self.k = k
        lat = np.array([c.latitude for c in others], dtype=float)
        lon = np.array([c.longitude for c in others], dtype=float)
        road = haversine_km(viewer.latitude, viewer.longitude, lat, lon) * road_factor if others else np.array([])
        self.band_of = dict(zip((c.id for c in others), distance_index(road).tolist(), strict=True))
        self.levels = {c.id: activity_levels(c.naf_code) for c in others}
        self.holders: dict[tuple[str, str], set[str]] = {}
        for stream in streams:
            self.holders.setdefault((SUPPLIER, _code_word(stream.ewc_code, stream.material)), set()).add(stream.company_id)
        for need in needs:
            self.holders.setdefault((RECEIVER, _category_word(need.category)), set()).add(need.company_id)

    def _peers(self, near: int, far: int, what: tuple[str, str] | None) -> list[str]:
        holders = self.holders.get(what, set()) if what is not None and self.holders else None
        return [c for c, b in self.band_of.items() if near <= b <= far and (holders is None or c in holders)]

    def shown_range(self, company_id: str, what: tuple[str, str] | None = None) -> tuple[int, int]:
        """The narrowest distance range (of :meth:`ranges`) in which at least ``k`` companies put
        out (take in) ``what``; the widest when none does."""
        tried = self.ranges(company_id)
        return next((r for r in tried if len(self._peers(*r, what)) >= self.k), tried[-1])

    def ranges(self, company_id: str) -> list[tuple[int, int]]:
        """Distance ranges tried for a partner, narrowest first."""
        band = self.band_of.get(company_id, -1)
        last_finite = len(DISTANCE_EDGES_KM) - 2
        out = [(band, band)]
        out += [(0, far) for far in range(max(band, 0), last_finite + 1) if (0, far) != (band, band)]
        return out

    def band(self, row, side: str, *, pipes: dict | None = None) -> BandedPair:
        """One row of :func:`pair_table` as the viewer reads it on ``side``: the partner's
        activity and distance hidden among the companies that put out (take in) what the pair
        shows (the Partners page, and a company's sheet of the officer report)."""
        partner_id = row.receiver_id if side == SUPPLIER else row.supplier_id
        what = (RECEIVER, str(row.category_word)) if side == SUPPLIER else (SUPPLIER, str(row.code_word))
        activity = self.coarse(partner_id, what)
        shown = None if activity is not None else self.shown_range(partner_id, what)
        return band_pair(row, side, activity=activity, pipes=pipes, shown=shown)

    def coarse(self, company_id: str, what: tuple[str, str] | None = None) -> Activity | None:
        """The finest activity shared by at least ``k`` companies in the distance shown (that put
        out or take in ``what``, ``(side of the partner, code or category)``), or None."""
        mine = self.levels.get(company_id, {})
        for near, far in self.ranges(company_id):
            peers = self._peers(near, far, what)
            for level in LEVELS:
                code = mine.get(level)
                if code is not None and sum(self.levels[p].get(level) == code for p in peers) >= self.k:
                    return Activity(level, code, near, far)
        return None


# --------------------------------------------------------------------------------- one pair


@dataclass(frozen=True, slots=True)
class BandedPair:
    """One candidate pair as one side may see it: its own values exactly, the partner's in bands.

    Money in EUR per unit of the stream's unit, quantities in that unit per year.
    """

    side: str  # the viewer's side: "supplier" or "receiver"
    stream_id: str
    need_id: str
    unit: str
    own_quantity: float
    own_value_eur: float  # supplier: its route cost; receiver: quality x its virgin price
    partner_value: Band  # supplier sees the receiver's quality x virgin price; receiver the route cost
    partner_quantity: Band
    distance: Band
    transport_eur_per_km: tuple[float, float]  # (at the largest, at the smallest tradable quantity)
    pretreatment_eur: float
    what: str  # the partner's stream code or need category (codes only, never free text)
    activity: Activity | None
    handling_eur: float = 0.0  # loading and unloading per unit (public: the vehicle table, CNR-COSTS)
    # the stream's outlet already puts it to this use today (the supplier's own data): the
    # receiver's purchase does not count, only the difference from today's route
    same_use: bool = False
    # the supplier's own resource when it is a material (heat, water, gas; its own data): a heat
    # supply's list prefers the uses of the highest grade (``KnowledgeBase.use_rank``)
    supply: str = ""

    def gain_per_unit(self) -> Band:
        """Interval of the viewer's gain per unit at the equal-split price, over the bands."""
        rate_low, rate_high = self.transport_eur_per_km
        fixed = self.pretreatment_eur + self.handling_eur
        low = (self.own_value_eur + self.partner_value.low - rate_high * self.distance.high - fixed) / 2
        high = (self.own_value_eur + self.partner_value.high - rate_low * self.distance.low - fixed) / 2
        # a pair is suggested only when it is worth something (public rule of the matcher)
        return Band(max(0.0, low) if math.isfinite(low) else 0.0, max(0.0, high))

    def is_treatment(self) -> bool:
        """Whether the receiver replaces no purchase (net of its gate fee): a treatment outlet, ranked
        and shown apart from substitutions."""
        return not self.same_use and (self.own_value_eur if self.side == "receiver" else self.partner_value.high) <= 0

    def tradable(self) -> Band:
        return Band(min(self.own_quantity, self.partner_quantity.low), min(self.own_quantity, self.partner_quantity.high))

    def gain_per_year(self) -> Band:
        unit, qty = self.gain_per_unit(), self.tradable()
        high = unit.high * qty.high if qty.high > 0 else 0.0
        return Band(unit.low * qty.low, high)

    def order_key(self) -> tuple:
        """Substitutions first, then treatment outlets; within each, best first, from bands only;
        ties broken by a hash of the pair's ids."""
        year, unit = self.gain_per_year(), self.gain_per_unit()
        tie = hashlib.blake2b(f"{self.stream_id}\x1f{self.need_id}".encode(), digest_size=8).hexdigest()
        return (self.is_treatment(), -year.low, -year.high, -unit.low, self.distance.low, tie)


def band_pair(
    row, side: str, *, activity: Activity | None, pipes: dict | None = None, shown: tuple[int, int] | None = None,
) -> BandedPair:  # fmt: skip
    """Band the partner's values of one row of :func:`symbiose.blinding.pair_table`.

    After this call nothing of the partner is known beyond its bands. ``shown``: the distance
    range shown when no activity is (:meth:`ActivityBlind.shown_range`).
    """
    if side not in (SUPPLIER, RECEIVER):
        raise ValueError(f"side must be '{SUPPLIER}' or '{RECEIVER}', got {side!r}")
    if side == RECEIVER:  # the supplier's truck load and handling come from its hidden density and state
        row = _Typical(row)
    supplier_eur = float(row.supplier_avoided_cents) / 100
    receiver_eur = float(row.receiver_avoided_cents) / 100
    quality = float(row.quality)
    if side == SUPPLIER:
        own_value, own_qty, partner_qty = supplier_eur, row.stream_quantity, row.need_quantity
        # the receiver's virgin price is the secret: banded, then multiplied by the public quality
        price = series_band(float(row.virgin_price_cents) / 100)
        # a treatment outlet's gate fee is what the receiver charges: its side is quality x price
        # less the fee, as the candidates count it; the fee is the receiver's own figure, so it
        # is banded like its price (the exact fee could be solved back from the gain shown)
        gate = gate_band(row)
        partner = Band(quality * price.low - gate.high, quality * price.high - gate.low)
        what = row.category_word
    else:
        own_value, own_qty, partner_qty = receiver_eur, row.need_quantity, row.stream_quantity
        partner = series_band(supplier_eur)
        what = row.code_word
    distance = distance_band(float(row.road_km))
    if activity is not None and activity.widened:
        distance = activity.distance()
    elif activity is None and shown is not None and shown[0] != shown[1]:
        distance = range_band(*shown)
    qty_band = series_band(float(partner_qty))
    rates = _transport_rates(row, Band(min(own_qty, qty_band.low), min(own_qty, qty_band.high)), pipes or {})
    return BandedPair(
        side=side, stream_id=str(row.stream_id), need_id=str(row.need_id), unit=str(row.unit),
        own_quantity=float(own_qty), own_value_eur=own_value, partner_value=partner,
        partner_quantity=qty_band, distance=distance, transport_eur_per_km=rates,
        pretreatment_eur=float(row.pretreatment_cents) / 100, what=str(what), activity=activity,
        handling_eur=float(getattr(row, "handling_cents", 0.0)) / 100,
        same_use=bool(getattr(row, "same_use", False)),
        supply=str(row.material) if side == SUPPLIER else "",
    )  # fmt: skip


def visible(row, *, pipes: dict | None = None) -> bool:
    """Whether a pair may be shown at all: worth something for *every* value in both partners'
    bands (route cost, virgin price, both quantities) and the distance band.

    The matcher keeps a pair when its exact value is positive; showing exactly those would tell a
    company that its partner's price is above the level that makes the pair pay. Deciding on the
    bands of both sides instead makes the pair's presence a function of bands too, the same one on
    both sides of the pair. The truck's load and handling are the category's typical ones
    (:func:`_typical_logistics`): the supplier's own would make a pair's presence tell its density.
    """
    row = _Typical(row)
    route = series_band(float(row.supplier_avoided_cents) / 100)
    price = series_band(float(row.virgin_price_cents) / 100)
    distance = distance_band(float(row.road_km))
    if not math.isfinite(distance.high):
        return False
    smallest = min(series_band(float(row.stream_quantity)).low, series_band(float(row.need_quantity)).low)
    largest = max(series_band(float(row.stream_quantity)).high, series_band(float(row.need_quantity)).high)
    rate = max(_transport_rates(row, Band(smallest, largest), pipes or {}))
    fixed = (float(row.pretreatment_cents) + float(getattr(row, "handling_cents", 0.0))) / 100
    # a treatment outlet's gate fee is a cost of the pair like the pre-treatment, over its band:
    # left out, a pair would be shown that is not worth something for every route cost in the
    # supplier's band, and its being shown would narrow that band
    low = route.low + float(row.quality) * price.low - gate_band(row).high - rate * distance.high - fixed
    return low > 0


def gate_band(row) -> Band:
    """A treatment outlet's gate fee in its band (EUR per unit); no fee, no band."""
    gate = float(getattr(row, "gate_fee_cents", 0.0)) / 100
    return series_band(gate) if gate > 0 else Band(0.0, 0.0)


def _transport_rates(row, tradable: Band, pipes: dict) -> tuple[float, float]:
    """Transport cost per unit and km at the largest and the smallest tradable quantity.

    Trucks: the public cost per t.km (times t per unit), for a full reference load: a light
    material that fills the truck before its weight limit pays reference / payload times more
    (symbiose.logistics; the loading and unloading per trip is a fixed cost per unit, apart).
    Pipes: the cost per km of the pipe the flow needs, spread over the flow (``compat.pipe_scale``:
    falling as the flow grows), so the rate depends on the tradable quantity, taken at its band's
    ends. The candidates charge it on the pair's seasonal capacity, which may be smaller than the
    tradable band's low end when the two sides share few months: the page does not show seasons,
    so for such pairs the band is too low (a known limit, noted in KNOWLEDGE_BASE.md).
    """
    pipe = pipes.get(str(row.category))
    if pipe is None:
        rate = float(row.transport_rate_eur_per_km)
        return rate, rate
    cost_eur_per_unit_km, reference, exponent = pipe

    def at(quantity: float) -> float:
        return cost_eur_per_unit_km * float(pipe_scale(max(quantity, 1e-3), reference, exponent))

    return at(tradable.high if math.isfinite(tradable.high) else tradable.low), at(tradable.low)


def pair_table(candidates) -> pd.DataFrame:
    """Candidate pairs with what :func:`band_pair` reads (exact values: the edge bands them)."""
    arcs = candidates.arcs
    streams, needs = candidates.streams, candidates.needs
    s = arcs["s"].to_numpy(dtype=np.int64)
    n = arcs["n"].to_numpy(dtype=np.int64)
    road = arcs["road_km"].to_numpy(dtype=float)
    out = pd.DataFrame({
        "stream_id": arcs["stream_id"].astype(str).to_numpy(), "need_id": arcs["need_id"].astype(str).to_numpy(),
        "supplier_id": streams["company_id"].to_numpy()[s], "receiver_id": needs["company_id"].to_numpy()[n],
        "unit": arcs["unit"].astype(str).to_numpy(), "category": arcs["category"].astype(str).to_numpy(),
        "quality": arcs["quality"].to_numpy(dtype=float), "road_km": road,
        "supplier_avoided_cents": arcs["supplier_avoided_cents"].to_numpy(dtype=float),
        "receiver_avoided_cents": arcs["receiver_avoided_cents"].to_numpy(dtype=float),
        "virgin_price_cents": needs["virgin_price_cents"].to_numpy(dtype=float)[n],
        "transport_cents": arcs["transport_cents"].to_numpy(dtype=float),
        "pretreatment_cents": arcs["pretreatment_cents"].to_numpy(dtype=float),
        "stream_quantity": streams["quantity_base"].to_numpy(dtype=float)[s] / 1000,
        "need_quantity": needs["quantity_base"].to_numpy(dtype=float)[n] / 1000,
        "ewc_code": streams["ewc_code"].to_numpy()[s], "material": streams["material"].to_numpy()[s],
        "pretreatment": arcs["pretreatment"].astype(str).to_numpy(),
    })  # fmt: skip
    # a stream moved to the use it has today: no purchase of the receiver counts (candidates)
    same = arcs["same_use"].to_numpy(dtype=bool) if "same_use" in arcs.columns else np.zeros(len(arcs), dtype=bool)
    out["same_use"] = same
    out["virgin_price_cents"] = np.where(same, 0.0, out["virgin_price_cents"].to_numpy(dtype=float))
    unit = out["unit"].to_numpy()
    tpu = np.where(unit == "m3", candidates.params.liquid_density_t_per_m3, 1.0)
    # heat without a pipe cost travels for free (candidates: a piped unit is not trucked)
    # a truck's cost per t.km is for a full reference load: light bulk pays reference / payload
    # more per tonne, and each trip's loading and unloading apart (as in the candidates)
    payload = arcs["payload_t"].to_numpy(dtype=float) if "payload_t" in arcs.columns else np.full(len(arcs), np.nan)
    light = np.where(np.isfinite(payload) & (payload > 0), REFERENCE_PAYLOAD_T / np.where(payload > 0, payload, 1), 1.0)
    road_mode = arcs["freight_mode"].astype(str).to_numpy() == "road" if "freight_mode" in arcs.columns else True
    out["transport_rate_eur_per_km"] = np.where(
        unit == "MWh", 0.0, candidates.params.transport_cost_eur_per_tkm * tpu * np.where(road_mode, light, 1.0)
    )
    out["handling_cents"] = arcs["handling_cents"].to_numpy(dtype=float) if "handling_cents" in arcs.columns else 0.0
    _typical_logistics(out, candidates.params, tpu, road_mode)
    out["gate_fee_cents"] = arcs["gate_fee_cents"].to_numpy(dtype=float) if "gate_fee_cents" in arcs.columns else 0.0
    out["category_word"] = [_category_word(c) for c in out["category"]]
    out["code_word"] = [_code_word(c, m) for c, m in zip(out["ewc_code"], out["material"], strict=True)]
    return out


def _typical_logistics(out: pd.DataFrame, params, tonnes_per_unit: np.ndarray, road_mode) -> None:
    """``typical_rate_eur_per_km`` and ``typical_handling_cents``: a road pair's truck load and
    handling as the receiving category's usual bulk density and the unit's usual state (liquid in
    m3, solid in t) give them, instead of the supplier's own density and state, which are not
    shown: the gain a receiver reads, and whether a pair is shown at all, depend on public values
    only (with the supplier's own, its page's gain moved with its bulk density, read back to about
    0.05 t/m3). Other modes and pipes keep their rates, public by mode."""
    from symbiose import logistics

    unit = out["unit"].to_numpy()
    state = np.where(unit == "m3", "liquid", "solid").astype(object)
    density = logistics.default_of("bulk_density_t_per_m3", out["category"].to_numpy(dtype=object))
    payload, handling_trip = logistics.road_payload(state, density)
    if params.handling_eur_per_trip is not None:
        handling_trip = np.full(len(out), float(params.handling_eur_per_trip))
    road = np.broadcast_to(np.asarray(road_mode, dtype=bool), (len(out),)) & (unit != "MWh")
    light = logistics.REFERENCE_PAYLOAD_T / payload
    out["typical_rate_eur_per_km"] = np.where(
        road, params.transport_cost_eur_per_tkm * tonnes_per_unit * light, out["transport_rate_eur_per_km"].to_numpy())
    out["typical_handling_cents"] = np.where(road, handling_trip / payload * tonnes_per_unit * 100,
                                             out["handling_cents"].to_numpy(dtype=float))  # fmt: skip


class _Typical:
    """A row of :func:`pair_table` read with its typical logistics (:func:`_typical_logistics`)."""

    NAMES = {"transport_rate_eur_per_km": "typical_rate_eur_per_km", "handling_cents": "typical_handling_cents"}

    def __init__(self, row) -> None:
        self._row = row

    def __getattr__(self, name: str):
        typical = self.NAMES.get(name)
        if typical is not None and hasattr(self._row, typical):
            return getattr(self._row, typical)
        return getattr(self._row, name)


def _category_word(category: str) -> str:
    """The need's category id: named in the page's language when shown (:func:`_what_text`)."""
    return category


def _code_word(ewc_code: str, material: str) -> str:
    """A stream's List of Waste code, or its material (codes only: free text could name the
    company); named in the page's language when shown (:func:`_what_text`)."""
    return ewc_code or material


def pipe_costs(kb) -> dict[str, tuple[float, float | None, float | None]]:
    """Per piped category (heat, water, gases): (EUR per unit.km, reference quantity per year,
    the exponent of its cost per km above it), as the candidates charge them (compat.pipe_scale)."""
    return {
        cid: (float(c.transport_cost_eur_per_unit_km), c.transport_reference_quantity, c.pipe_cost_exponent)
        for cid, c in kb.categories.items()
        if c.transport_cost_eur_per_unit_km
    }


# --------------------------------------------------------------------------------- the view


def outward(band: Band, figures: int = 2) -> Band:
    """The band widened to ``figures`` significant figures (easier to read, never narrower)."""

    def step(x: float) -> float:
        return 10.0 ** (math.floor(math.log10(abs(x))) - figures + 1) if x else 1.0

    low = math.floor(band.low / step(band.low)) * step(band.low) if band.low > 0 else band.low
    high = math.ceil(band.high / step(band.high)) * step(band.high) if 0 < band.high < math.inf else band.high
    return Band(low, high)


def _range(band: Band, unit: str, digits: int = 0) -> str:
    """``9 to 25 EUR/t``, ``more than 500 t/yr``, ``2 500 t/yr`` (a band narrowed to one value)."""
    low = fmt_number(band.low, digits)
    if not math.isfinite(band.high):
        return _("more than {low} {unit}").format(low=low, unit=unit)
    high = fmt_number(band.high, digits)
    if high == low:
        return f"{low}\u00a0{unit}"
    return _("{low} to {high} {unit}").format(low=low, high=high, unit=unit)


def _quantity_text(band: Band, unit: str) -> str:
    """The tradable quantity: the viewer's own quantity when it is the smaller (exact, to 0.1),
    else the partner's band (its edges are round numbers of the 1-2-5 series)."""
    digits = 1 if band.low < 100 else 0
    if band.low == band.high:
        return f"{fmt_number(band.low, digits)}\u00a0{unit}"
    return _range(outward(band, 3), unit, digits)


def distance_text(band: Band) -> str:
    if not math.isfinite(band.high):
        return _("over {km} km").format(km=fmt_number(band.low))
    return _("{low} to {high} km").format(low=fmt_number(band.low), high=fmt_number(band.high))


def _what_text(what: str) -> str:
    """A resource category, or a List of Waste code with its label (and its hazard star), in the
    current language."""
    from symbiose.compat import load_knowledge_base
    from symbiose.domain import format_ewc
    from symbiose.i18n import get_language
    from symbiose.labels import category_label
    from symbiose.reference import ewc_entries

    if not what:
        return _("unspecified resource")
    if what in load_knowledge_base().categories:
        return category_label(what)
    entry = ewc_entries().get(what)
    if entry is None:
        return what.replace("_", " ")
    label = (entry.description_fr if get_language() == "fr" else "") or entry.description_en
    return f"{format_ewc(what)}{'*' if entry.hazardous else ''} {label}"


def view(pair: BandedPair) -> dict[str, str]:
    """What the Partners page shows of a pair before mutual interest: every value is a string
    computed from the bands and the viewer's own data."""
    activity = activity_label(pair.activity.level, pair.activity.code) if pair.activity else _("activity not shown (too few companies)")
    return {
        "side": pair.side,
        "stream_id": pair.stream_id if pair.side == SUPPLIER else "",
        "need_id": pair.need_id if pair.side == RECEIVER else "",
        "what": _what_text(pair.what),
        "activity": activity,
        "distance": distance_text(pair.distance),
        "quantity": _quantity_text(pair.tradable(), _("{unit}/yr").format(unit=pair.unit)),
        "gain_per_unit": _range(outward(pair.gain_per_unit()), _("EUR/{unit}").format(unit=pair.unit),
                                2 if pair.gain_per_unit().high < 10 else 0),
        "gain_per_year": _range(outward(pair.gain_per_year()), _("EUR/yr")),
    }


def ranked(pairs: Iterable[BandedPair]) -> list[BandedPair]:
    """The pairs in the order a side sees them: :meth:`BandedPair.order_key`, and on a supplier's
    list, the waste hierarchy of the receivers' uses and a heat supply's grades as
    :mod:`symbiose.suggestions` orders them (Pareto fronts over the level of the use, public as
    the need's category, and the place by bands; a pair that gains nothing even at the top of its
    bands after every level)."""
    ordered = sorted(pairs, key=BandedPair.order_key)
    if len(ordered) < 2 or ordered[0].side != SUPPLIER:
        return ordered  # a receiver's list goes by bands, as a need's list of suggestions by the key
    from symbiose.compat import load_knowledge_base

    rank = load_knowledge_base().use_rank
    level = np.array([rank(p.what.replace(" ", "_"), p.supply) for p in ordered], dtype=np.int64)  # the category's words
    if len(set(level.tolist())) < 2:
        return ordered
    from symbiose.suggestions import hierarchy_fronts

    size = len(ordered)
    place = np.arange(size)
    worth = np.array([p.gain_per_year().high > 0 for p in ordered])
    group = np.array([p.is_treatment() for p in ordered], dtype=np.int64)
    key = np.where(worth, size - place, 0).astype(float)  # the band order as a key, higher better
    front = hierarchy_fronts(group, level, key, size)
    if front is None:
        return ordered
    return [ordered[i] for i in np.lexsort((place, front, group))]
