"""Logistics and seasons of a pair: truck payload by bulk density, handling, seasonal overlap.

Three facts the cost per t.km alone misses (all vectorised over pairs):

* **Payload by bulk density.** A truck is full by weight or by volume, whichever comes first: a
  vehicle carries ``min(payload_t, volume_m3 x bulk density)`` tonnes. The road cost per t.km of
  :class:`~symbiose.params.MatchParameters` is for a full ``REFERENCE_PAYLOAD_T`` load, so a
  light material pays ``reference / effective payload`` times more per tonne (chips at
  0.30 t/m3 fill a 90 m3 moving-floor trailer at 25 t: no extra; straw at 0.15 t/m3 carries
  13.5 t: x 1.85). The vehicle is the one of ``data/road_vehicles.csv`` that takes the stream's
  physical state and carries the most.
* **Handling per trip.** Loading and unloading cost a truck's time at both ends, whatever the
  distance: ``handling_eur_per_trip / effective payload`` per tonne (75 EUR a trip, 3 EUR/t
  for a full 25 t load; CNR standard costs), which makes short trips cost what they do.
* **Seasonal overlap.** A stream and a need trade only in the months both exist: the tradable
  quantity is the sum over the common months of the smaller monthly quantity, each quantity
  spread evenly over its months as the allocation does (:func:`monthly_quantities`). A stream
  that keeps (``storage_months``) can be stored after production up to that many months (at
  most ``MAX_STORAGE_MONTHS``; the Landfill Directive allows storage before recovery up to three
  years): what it produces in months from which a need month is within reach meets what the need
  takes in months a production month reaches.

Bulk density, storage and the temperature of heat come from the stream or need when stated,
else from ``data/logistics_defaults.csv`` (per resource category, then per physical state),
each default with its source.

>>> monthly_quantities(np.array([1000]), np.array([0b111]))[0, :4].tolist()
[334, 333, 333, 0]
>>> seasonal_tradable(np.array([12000]), np.array([ALL]), np.array([3000]), np.array([0b111]),
...                   np.array([0])).tolist()
[3000]
>>> seasonal_tradable(np.array([12000]), np.array([0b111]), np.array([12000]), np.array([0b111 << 6]),
...                   np.array([0])).tolist()
[0]
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from symbiose.reference import data_dir

DATA = data_dir()  # the repository's data/ from source, the installed copy otherwise

ALL = (1 << 12) - 1
REFERENCE_PAYLOAD_T = 25.0  # the load the road cost per t.km is quoted for (CNR-2024: 40 t truck, 25 t)
MAX_STORAGE_MONTHS = 11  # a year's cycle: with 11 months of storage every month reaches every other


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A road vehicle for bulk: which physical states it takes, its payload and volume."""

    vehicle: str
    label_fr: str
    physical_states: tuple[str, ...]
    payload_t: float
    volume_m3: float
    handling_eur_per_trip: float
    source: str


@dataclass(frozen=True, slots=True)
class Defaults:
    """A default bulk density (t/m3), storage (months) and temperature (°C), each may be None."""

    bulk_density_t_per_m3: float | None
    storage_months: int | None
    temperature_c: float | None
    source: str


def _number(text: str) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


@lru_cache(maxsize=4)
def load_vehicles(path: str | None = None) -> tuple[Vehicle, ...]:
    """The road vehicles of ``data/road_vehicles.csv``."""
    with open(path or DATA / "road_vehicles.csv", encoding="utf-8", newline="") as f:
        return tuple(
            Vehicle(r["vehicle"], r["label_fr"], tuple(x for x in r["physical_states"].split(";") if x),
                    float(r["payload_t"]), float(r["volume_m3"]), float(r["handling_eur_per_trip"]), r["source"])
            for r in csv.DictReader(f)
        )  # fmt: skip


@lru_cache(maxsize=4)
def load_defaults(path: str | None = None) -> dict[str, Defaults]:
    """key (a category id, or ``state:<physical state>``) -> its defaults."""
    out = {}
    with open(path or DATA / "logistics_defaults.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            months = _number(r["storage_months"])
            out[r["key"]] = Defaults(_number(r["bulk_density_t_per_m3"]), None if months is None else int(months),
                                     _number(r["temperature_c"]), r["source"])  # fmt: skip
    return out


def default_of(name: str, category, state=None) -> np.ndarray:
    """Per row, the default ``name`` of its category, else of its physical state, else NaN."""
    table = load_defaults()
    category = np.asarray(category, dtype=object)

    def value(key: str) -> float:
        d = table.get(key)
        v = None if d is None else getattr(d, name)
        return np.nan if v is None else float(v)

    if not len(category):
        return np.zeros(0)
    # by hashing, once per distinct value (a sort of a million texts takes seconds)
    codes, cats = pd.factorize(category, use_na_sentinel=False)
    out = np.array([value(str(c)) for c in cats])[codes]
    if state is not None:
        s_codes, states = pd.factorize(np.asarray(state, dtype=object), use_na_sentinel=False)
        by_state = np.array([value("state:" + str(s)) for s in states])[s_codes]
        out = np.where(np.isnan(out), by_state, out)
    return out


def road_payload(state, density) -> tuple[np.ndarray, np.ndarray]:
    """Per row: (tonnes a trip carries, handling EUR per trip) with the best vehicle for its
    physical state: ``max over vehicles of min(payload_t, volume_m3 x density)``. An unknown
    density (NaN) is a dense material (full by weight); a state no vehicle takes (energy, gas)
    keeps the reference payload."""
    state = np.asarray(state, dtype=object).astype(str)
    density = np.asarray(density, dtype=float)
    best = np.zeros(len(state))
    handling = np.zeros(len(state))
    for v in load_vehicles():
        takes = np.isin(state, v.physical_states)
        carried = np.where(np.isfinite(density), np.minimum(v.payload_t, v.volume_m3 * np.nan_to_num(density)), v.payload_t)
        better = takes & (carried > best)
        handling = np.where(better, v.handling_eur_per_trip, handling)
        best = np.where(better, carried, best)
    none = best <= 0
    fallback = load_vehicles()[0].handling_eur_per_trip if load_vehicles() else 0.0
    return np.where(none, REFERENCE_PAYLOAD_T, best), np.where(none, fallback, handling)


def month_matrix(bits) -> np.ndarray:
    """n x 12 booleans from 12-bit month masks (bit 0 = January)."""
    bits = np.asarray(bits, dtype=np.int64)
    return ((bits[:, None] >> np.arange(12)) & 1).astype(bool)


def monthly_quantities(quantity, bits) -> np.ndarray:
    """n x 12 integer quantities: each spread evenly over its active months, the remainder to the
    first ones (the split of :func:`symbiose.optimize._split`)."""
    quantity = np.asarray(quantity, dtype=np.int64)
    on = month_matrix(bits)
    count = np.maximum(on.sum(axis=1), 1)
    base, rest = quantity // count, quantity % count
    order = np.cumsum(on, axis=1)  # 1 for the first active month, 2 for the second...
    return np.where(on, base[:, None] + (order <= rest[:, None]), 0).astype(np.int64)


def _rotate(bits: np.ndarray, months: int) -> np.ndarray:
    return ((bits << months) | (bits >> (12 - months))) & ALL


def reach_bits(bits, months) -> np.ndarray:
    """The months reachable from ``bits`` after 0..``months`` months of storage (circular)."""
    bits = np.asarray(bits, dtype=np.int64)
    months = np.clip(np.asarray(months, dtype=np.int64), 0, MAX_STORAGE_MONTHS)
    out = bits.copy()
    for k in range(1, int(months.max(initial=0)) + 1):
        out = np.where(months >= k, out | _rotate(bits, k), out)
    return out


def seasonal_tradable(s_qty, s_bits, n_qty, n_bits, storage_months) -> np.ndarray:
    """Per pair, the quantity a stream and a need can trade in a year (base units).

    Without storage: the sum over common months of the smaller monthly quantity (an all-year
    pair: the smaller yearly quantity). With storage of k months: also what is produced in
    months from which a need month is at most k months ahead, up to what the need takes in the
    months within k months after a production month; the larger of the two.
    """
    s_qty, n_qty = np.asarray(s_qty, dtype=np.int64), np.asarray(n_qty, dtype=np.int64)
    s_bits, n_bits = np.asarray(s_bits, dtype=np.int64), np.asarray(n_bits, dtype=np.int64)
    storage = np.clip(np.nan_to_num(np.asarray(storage_months, dtype=float)), 0, MAX_STORAGE_MONTHS).astype(np.int64)
    out = np.minimum(s_qty, n_qty)
    seasonal = (s_bits != ALL) | (n_bits != ALL)
    if not seasonal.any():
        return out
    i = np.nonzero(seasonal)[0]
    s_month = monthly_quantities(s_qty[i], s_bits[i])
    n_month = monthly_quantities(n_qty[i], n_bits[i])
    fresh = np.minimum(s_month, n_month).sum(axis=1)
    stored = storage[i] > 0
    if stored.any():
        k = storage[i]
        # need months reachable from production; production months that reach a need month
        n_reached = n_month * month_matrix(reach_bits(s_bits[i], k))
        back = np.zeros(len(i), dtype=np.int64)  # production months with a need month within k ahead
        for j in range(0, MAX_STORAGE_MONTHS + 1):
            ahead = ((n_bits[i] >> j) | (n_bits[i] << (12 - j))) & ALL  # month m is set if m + j is a need month
            back |= np.where(k >= j, ahead, 0)
        s_reaching = s_month * month_matrix(back)
        fresh = np.where(stored, np.maximum(fresh, np.minimum(s_reaching.sum(axis=1), n_reached.sum(axis=1))), fresh)
    out[i] = fresh
    return out
