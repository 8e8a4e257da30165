"""Candidate pairs: which needs each stream could feed, how far, and what one unit is worth.

Candidates are data: one row per (stream, need) pair in a DataFrame built by vectorised code.
Compatibility comes from the knowledge base (a waste code substitutes a resource category), from
a need's own accepted codes or prefixes, or from a stream's ``material`` equal to a need's
category. Distances are pruned over unit-sphere coordinates (exact chord bound for the
great-circle radius; a uniform grid on large networks, every pair directly on small ones), then
computed with vectorised haversine, never geopy in a loop.

Per unit of the stream's declared unit, an arc carries (all money in cents, CO2e in kg):

* ``supplier_avoided_cents``: the producer's current route cost (gate fee, TGAP, collection);
* ``receiver_avoided_cents``: ``quality`` x the receiver's virgin price;
* ``transport_cents``: cost per t.km x road km (heat: pipe cost per MWh.km);
* ``pretreatment_cents``: from the knowledge base;
* ``co2e_avoided_kg``: virgin production avoided + landfill avoided - truck emissions;
* ``value_cents``: the sum the network gains per unit, the solver's arc value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from symbiose import logistics
from symbiose.compat import KnowledgeBase, load_knowledge_base
from symbiose.compat import pipe_scale as compat_pipe_scale  # the local name is the arcs' array
from symbiose.domain import FORM_FACETS, FORMS, Network, PhysicalState, Route, month_mask
from symbiose.errors import ValidationError
from symbiose.geo import EARTH_RADIUS_KM, haversine_km
from symbiose.i18n import N_
from symbiose.memory import release_memory
from symbiose.params import MatchParameters
from symbiose.ranges import check_solver_range
from symbiose.reference import ewc_entries
from symbiose.units import Unit

DEFAULT_MAX_DISTANCE_KM = 100.0  # for a need that accepts codes outside any known category
ALL_MONTHS = (1 << 12) - 1


def unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (n x 3) for the spatial search."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def chord_for_km(km):
    """Chord length on the unit sphere of a great-circle distance in km (vectorised)."""
    return 2.0 * np.sin(np.minimum(np.asarray(km, dtype=float) / EARTH_RADIUS_KM, np.pi) / 2.0)


def _search_chord(road_km, road_factor: float):
    """The search radius (chord) that holds every pair within ``road_km`` by road (with a margin)."""
    return chord_for_km((np.asarray(road_km, dtype=float) + 1e-9) / road_factor * (1 + 1e-9))


def _mask_bits(months) -> int:
    """The twelve-bit mask of a set of months."""
    return _cached_bits("months", tuple(months))


def _companies(network: Network, what: str, records) -> dict:
    companies = {c.id: c for c in network.companies}
    missing = sorted({r.company_id for r in records} - set(companies))
    if missing:
        raise ValidationError(f"a {what} refers to company '{missing[0]}', which is not in the network; "
                              "add the company or correct the company_id")  # fmt: skip
    return companies


def _sorted_at_sites(network: Network, what: str, records) -> tuple[list, list]:
    """The streams or needs in id order, and the company of each."""
    companies = _companies(network, what, records)
    ordered = sorted(records, key=lambda x: x.id)
    return ordered, [companies[r.company_id] for r in ordered]


def _site_columns(records: list, sites: list) -> dict[str, list]:
    return {"company_id": [r.company_id for r in records], "lat": [c.latitude for c in sites],
            "lon": [c.longitude for c in sites]}  # fmt: skip


def _table(columns: dict[str, list]) -> pd.DataFrame:
    """A frame of equal-length columns; with no row, columns of objects (not inferred floats)."""
    if not len(next(iter(columns.values()))):
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame(columns)


def stream_table(network: Network) -> pd.DataFrame:
    """One row per stream with its company's location, hazard flag and month mask (built column
    by column: a national network has a hundred thousand streams)."""
    hazardous = {code: bool(entry.hazardous) for code, entry in ewc_entries().items()}
    streams, sites = _sorted_at_sites(network, "stream", network.streams)
    return _table({
        "stream_id": [s.id for s in streams], **_site_columns(streams, sites),
        "ewc_code": [s.ewc_code for s in streams], "material": [s.material for s in streams],
        "unit": [str(s.unit) for s in streams], "physical_state": [str(s.physical_state) for s in streams],
        "quantity_base": [s.quantity_base for s in streams],
        "hazardous": [bool(s.ewc_code) and hazardous.get(s.ewc_code, False) for s in streams],
        "month_bits": [_mask_bits(s.months) for s in streams], "route": [str(s.route) for s in streams],
        "route_cost_cents": [s.route_cost_cents for s in streams], "description": [s.description for s in streams],
        "freight_access": [";".join(c.freight_access) for c in sites],
        "bulk_density_t_per_m3": [_or_nan(s.bulk_density_t_per_m3) for s in streams],
        "storage_months": [_or_nan(s.storage_months) for s in streams],
        "temperature_c": [_or_nan(s.temperature_c) for s in streams], "naf_code": [c.naf_code or "" for c in sites],
        "form_bits": [_form_bits(s.forms) for s in streams], "standards": [";".join(s.standards) for s in streams],
        "destination": [s.destination for s in streams],
        "destination_category": [s.destination_category for s in streams],
    })  # fmt: skip


def storage_allowance(streams: pd.DataFrame, s: np.ndarray, category, piped) -> np.ndarray:
    """Per pair, the whole months its stream may be stored after production: stated, else the
    default of the pair's category (data/logistics_defaults.csv), 0 for piped flows (heat and
    water do not keep)."""
    storage = streams["storage_months"].to_numpy(dtype=float)[s]
    storage = np.where(np.isfinite(storage), storage, logistics.default_of("storage_months", category))
    return np.where(piped, 0, np.clip(np.nan_to_num(storage), 0, logistics.MAX_STORAGE_MONTHS)).astype(np.int64)


def _capacity(streams: pd.DataFrame, needs: pd.DataFrame, s: np.ndarray, n: np.ndarray, storage) -> np.ndarray:
    return logistics.seasonal_tradable(streams["quantity_base"].to_numpy(dtype=np.int64)[s],
                                       streams["month_bits"].to_numpy(dtype=np.int64)[s],
                                       needs["quantity_base"].to_numpy(dtype=np.int64)[n],
                                       needs["month_bits"].to_numpy(dtype=np.int64)[n], storage)  # fmt: skip


def arc_capacity(streams: pd.DataFrame, needs: pd.DataFrame, arcs: pd.DataFrame) -> np.ndarray:
    """The quantity each arc can trade in a year (base units), from the streams' and needs'
    quantities and months: the capacity the candidates give (seasonal overlap, and storage where
    the residue keeps). Planning tools that change quantities (symbiose.robustness) recompute it
    with this function so that their arcs follow the same rule."""
    if not len(arcs):
        return np.zeros(0, dtype=np.int64)
    s, n = arcs["s"].to_numpy(dtype=np.int64), arcs["n"].to_numpy(dtype=np.int64)
    piped = arcs["freight_mode"].astype(str).to_numpy() == "pipe"
    storage = storage_allowance(streams, s, arcs["category"].astype(str).to_numpy(dtype=object), piped)
    share = arcs["max_need_share"].to_numpy(dtype=float) if "max_need_share" in arcs.columns else None
    return _capped_capacity(streams, needs, s, n, storage, share)


def _capped_capacity(streams, needs, s, n, storage, share) -> np.ndarray:
    capacity = _capacity(streams, needs, s, n, storage)
    if share is not None:  # a condition's cap follows the need's quantity
        capacity = np.minimum(capacity, share_cap(needs, n, share))
    return capacity


@dataclass(frozen=True)
class PipedArcs:
    """The arcs whose transport is a pipe with a reference flow (:func:`piped_arcs`): their rows,
    their columns that decide a capacity, and what their cost per unit depends on."""

    rows: np.ndarray
    s: np.ndarray
    n: np.ndarray
    storage: np.ndarray  # months a residue keeps (:func:`storage_allowance`; a pipe's: none)
    share: np.ndarray | None  # the share of a need a condition allows (``max_need_share``)
    reference: np.ndarray
    exponent: np.ndarray
    scale: np.ndarray  # compat.pipe_scale at the arcs' own capacity


def piped_arcs(candidates: Candidates) -> PipedArcs | None:
    """The candidates' piped arcs whose cost per unit follows the flow (None: there is none);
    found once for every repricing of :func:`repriced_pipes`."""
    arcs = candidates.arcs
    if not len(arcs) or not candidates.pipes:
        return None
    rows = np.flatnonzero(arcs["freight_mode"].astype(str).to_numpy() == "pipe")
    rows = rows[np.isin(arcs["category"].astype(str).to_numpy(dtype=object)[rows], list(candidates.pipes))]
    if not len(rows):
        return None
    s, n = arcs["s"].to_numpy(dtype=np.int64)[rows], arcs["n"].to_numpy(dtype=np.int64)[rows]
    category = arcs["category"].astype(str).to_numpy(dtype=object)[rows]
    storage = storage_allowance(candidates.streams, s, category, np.ones(len(rows), dtype=bool))
    share = arcs["max_need_share"].to_numpy(dtype=float)[rows] if "max_need_share" in arcs.columns else None
    reference, exponent = (np.array([candidates.pipes[c][i] for c in category], dtype=float) for i in (0, 1))
    capacity = arcs["capacity_base"].to_numpy(dtype=float)[rows]
    scale = compat_pipe_scale(np.maximum(capacity, 1) / 1000, reference, exponent)
    return PipedArcs(rows, s, n, storage, share, reference, exponent, scale)


def repriced_pipes(candidates: Candidates, streams: pd.DataFrame, needs: pd.DataFrame,
                   piped: PipedArcs | None | str = "find") -> pd.DataFrame:  # fmt: skip
    """The arcs with each piped pair's transport charged on the capacity that ``streams`` and
    ``needs`` (new quantities, same rows) give it, and its value moved by the difference; other
    arcs as they were. A pipe's cost per unit falls as its flow grows (``compat.pipe_scale``), so
    a planning tool that changes quantities (symbiose.robustness) values the candidates' pipes
    as the candidates would for those quantities. It adds no pair: a pipe that pays only at a
    larger flow than the candidates were built with is not among them. ``piped``:
    :func:`piped_arcs` when already found (None: there is none)."""
    arcs = candidates.arcs
    piped = piped_arcs(candidates) if isinstance(piped, str) else piped
    if piped is None:
        return arcs
    capacity = _capped_capacity(streams, needs, piped.s, piped.n, piped.storage, piped.share)
    after = compat_pipe_scale(np.maximum(capacity, 1) / 1000, piped.reference, piped.exponent)
    transport = arcs["transport_cents"].to_numpy(dtype=float).copy()
    value = arcs["value_cents"].to_numpy(dtype=float).copy()
    before = transport[piped.rows]
    transport[piped.rows] = before * after / piped.scale
    value[piped.rows] -= transport[piped.rows] - before
    return arcs.assign(transport_cents=transport, value_cents=value)


def _withheld(kb: KnowledgeBase, naf_code, ewc_code, category) -> np.ndarray:
    """Per pair: a use the law withholds from this producer's residue (data/producer_restrictions.csv:
    a code from a sector never feeds a category, such as winemakers' lees and feed, CMO-1308)."""
    out = np.zeros(len(category), dtype=bool)
    if not kb.producer_restrictions or not len(out):
        return out
    naf = pd.Series(naf_code, dtype=object).fillna("").astype(str)
    code = pd.Series(ewc_code, dtype=object).fillna("").astype(str)
    cat = pd.Series(category, dtype=object).fillna("").astype(str)
    for r in kb.producer_restrictions:
        out |= (naf.str.startswith(r.nace_prefix) & code.str.startswith(r.ewc_prefix)
                & cat.str.startswith(r.category)).to_numpy(dtype=bool)  # fmt: skip
    return out


def _conditions(kb: KnowledgeBase, streams: pd.DataFrame, s: np.ndarray, category) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the conditions under which the use is allowed (data/conditions.csv: a
    registration, a characterisation, a share of the receiver's ration), as a bit per row of the
    table, and the smallest share of the need the pair may cover (NaN: no cap). The producer and
    code are checked once per stream, the category once per distinct category."""
    bits = np.zeros(len(s), dtype=np.int64)
    share = np.full(len(s), np.nan)
    if not kb.conditions or not len(s):
        return bits, share
    if len(kb.conditions) > 63:
        raise ValidationError("conditions.csv: more than 63 rows; merge conditions that say the same")
    naf = streams["naf_code"].fillna("").astype(str)
    code = streams["ewc_code"].fillna("").astype(str)
    cat_id, cat_names = pd.factorize(np.asarray(category, dtype=object))
    cat_names = pd.Series(cat_names, dtype=object).fillna("").astype(str)
    for i, c in enumerate(kb.conditions):
        by_stream = (naf.str.startswith(c.nace_prefix) & code.str.startswith(c.ewc_prefix)).to_numpy(dtype=bool)
        if not by_stream.any():
            continue
        hit = by_stream[s] & cat_names.str.startswith(c.category).to_numpy(dtype=bool)[cat_id]
        bits[hit] |= 1 << i
        if c.max_share_of_need is not None:
            share[hit] = np.fmin(share[hit], c.max_share_of_need)
    return bits, share


def condition_ids(kb: KnowledgeBase, bits: np.ndarray) -> np.ndarray:
    """The ids of the conditions of each bit mask, ';'-joined (object array, '' when none)."""
    unique, inverse = np.unique(np.asarray(bits, dtype=np.int64), return_inverse=True)
    names = [";".join(c.id for i, c in enumerate(kb.conditions) if int(u) >> i & 1) for u in unique.tolist()]
    return np.asarray(names, dtype=object)[inverse] if len(unique) else np.zeros(0, dtype=object)


def share_cap(needs: pd.DataFrame, n: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Per pair, the most a condition lets it trade (base units): that share of the need's
    quantity; no cap (int64 max) where the share is NaN."""
    qty = needs["quantity_base"].to_numpy(dtype=np.int64)[n]
    capped = np.floor(np.nan_to_num(share, nan=1.0) * qty).astype(np.int64)
    return np.where(np.isfinite(share), capped, np.iinfo(np.int64).max)


def _or_nan(value) -> float:
    return np.nan if value is None else float(value)



STATE_BITS = {state.value: 1 << i for i, state in enumerate(PhysicalState)}
ALL_STATES = sum(STATE_BITS.values())
FORM_BITS = {form: 1 << i for i, form in enumerate(FORMS)}
FACET_BITS = [sum(FORM_BITS[f] for f in forms) for forms in FORM_FACETS.values()]


def _form_bits(forms) -> int:
    return _cached_bits("forms", tuple(forms))


def _state_bits(states) -> int:
    return _cached_bits("states", tuple(states))


@functools.cache
def _cached_bits(kind: str, values: tuple) -> int:
    """The bit mask of months, forms or physical states, once per distinct tuple (a network
    repeats a few of them on thousands of rows)."""
    if kind == "months":
        return sum(1 << i for i, on in enumerate(month_mask(values)) if on)
    bits = FORM_BITS if kind == "forms" else STATE_BITS
    return sum(bits[v] for v in values)


def forms_meet(stream_bits: np.ndarray, required_bits: np.ndarray) -> np.ndarray:
    """Whether a stream's forms meet a requirement (vectorised): in every facet the requirement
    names, the stream has one of the forms it lists; a stream that states no form of that facet
    does not meet it (an unknown form is not assumed)."""
    ok = np.ones(len(stream_bits), dtype=bool)
    for facet in FACET_BITS:
        wanted = required_bits & facet
        ok &= (wanted == 0) | ((stream_bits & wanted) != 0)
    return ok


def need_table(network: Network) -> pd.DataFrame:
    """One row per need with its company's location and month mask (column by column)."""
    needs, sites = _sorted_at_sites(network, "need", network.needs)
    return _table({
        "need_id": [n.id for n in needs], **_site_columns(needs, sites),
        "category": [n.category for n in needs], "accepted_codes": [n.accepted_codes for n in needs],
        "unit": [str(n.unit) for n in needs], "quantity_base": [n.quantity_base for n in needs],
        "virgin_price_cents": [n.virgin_price_cents for n in needs],
        "max_distance_km": [np.nan if n.max_distance_km is None else float(n.max_distance_km) for n in needs],
        "month_bits": [_mask_bits(n.months) for n in needs], "hazardous_permit": [n.hazardous_permit for n in needs],
        "description": [n.description for n in needs], "naf_code": [c.naf_code for c in sites],
        "freight_access": [";".join(c.freight_access) for c in sites],
        "min_temperature_c": [_or_nan(n.min_temperature_c) for n in needs],
        "state_bits": [_state_bits(n.accepted_states) for n in needs],
        "required_form_bits": [_form_bits(n.required_forms) for n in needs],
        "refused_form_bits": [_form_bits(n.refused_forms) for n in needs],
        "required_standards": [";".join(n.required_standards) for n in needs],
        "gate_fee_cents": [n.gate_fee_cents for n in needs], "permit": [n.permit for n in needs],
        "max_temperature_c": [_or_nan(n.max_temperature_c) for n in needs],
        "approvals": [";".join(n.approvals) for n in needs],
    })  # fmt: skip


@dataclass(frozen=True)
class Candidates:
    """Candidate arcs with the stream and need tables they index into."""

    arcs: pd.DataFrame
    streams: pd.DataFrame
    needs: pd.DataFrame
    params: MatchParameters
    # pairs a raw residue could form only through an intermediary making the standard the need
    # requires (same columns as ``arcs``): suggested apart, never allocated
    leads: pd.DataFrame | None = None
    # per category, the position of its use in the waste hierarchy (0 best: re-use, then feed,
    # material, return to the soil, other recovery; ``KnowledgeBase.hierarchy_rank``)
    hierarchy: Mapping[str, int] = field(default_factory=dict)
    # per graded resource (heat), the categories a supply of it serves, its own grade first
    # (``KnowledgeBase.served_by``): a supplier's list prefers the highest grade (the heat cascade)
    grades: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # per piped category with a reference flow, (reference quantity a year, exponent or NaN):
    # what a pipe's cost per unit depends on (compat.pipe_scale; :func:`repriced_pipes`)
    pipes: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.arcs)


def _offers(streams: pd.DataFrame, kb: KnowledgeBase) -> pd.DataFrame:
    """(stream row, key, quality, pretreatment...) for every way a stream can be offered."""
    parts = []
    coded = streams[streams["ewc_code"] != ""]
    if len(coded):
        pairs = kb.compatible_pairs(coded["ewc_code"].unique())
        if len(pairs):
            kb_offers = coded[["ewc_code"]].reset_index().merge(
                pairs, left_on="ewc_code", right_on="code", how="inner"
            )
            parts.append(
                pd.DataFrame(
                    {
                        "s": kb_offers["index"].to_numpy(),
                        "key": "cat:" + kb_offers["category"],
                        "category": kb_offers["category"],
                        "quality": kb_offers["quality"].astype(float),
                        "pretreatment": kb_offers["pretreatment"],
                        "pretreatment_cents": kb_offers["pretreatment_cost_cents"].astype(float),
                        "kb_max_km": kb_offers["max_distance_km"].astype(float),
                        "basis": kb_offers["basis"],
                    }
                )
            )
        for width in (2, 4, 6):
            parts.append(
                pd.DataFrame(
                    {
                        "s": coded.index.to_numpy(),
                        "key": "ewc:" + coded["ewc_code"].str[:width],
                        "category": "",
                        "quality": 1.0,
                        "pretreatment": "none",
                        "pretreatment_cents": 0.0,
                        "kb_max_km": np.nan,
                        "basis": N_("the receiver accepts this waste code"),
                    }
                )
            )
    material = streams[streams["material"] != ""]
    if len(material):
        # a supply also serves the lower grades of its resource (steam serves hot water)
        served = material["material"].map(kb.served_by).explode()
        category = served.to_numpy(dtype=object)
        own = category == material["material"].loc[served.index].to_numpy(dtype=object)
        parts.append(
            pd.DataFrame(
                {
                    "s": served.index.to_numpy(),
                    "key": "cat:" + category,
                    "category": category,
                    "quality": 1.0,
                    "pretreatment": "none",
                    "pretreatment_cents": 0.0,
                    "kb_max_km": np.nan,
                    "basis": np.where(own, N_("same resource as the one the receiver uses"),
                                      N_("a higher grade of the resource the receiver uses")),
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            columns=["s", "key", "category", "quality", "pretreatment", "pretreatment_cents",
                     "kb_max_km", "basis"]
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def _accepts(needs: pd.DataFrame) -> pd.DataFrame:
    """(need row, key) for every way a need accepts a supply: its accepted codes if it lists any
    (its category, when given, only names what they replace: prices, CO2e, label), else its
    category. A line that lists its codes takes those codes and no other residue of the category
    (a RAP recycling line takes planings, not fly ash; a lees line takes lees, not marc)."""
    parts = []
    listed = needs["accepted_codes"].map(len).to_numpy() > 0
    by_cat = needs[(needs["category"] != "") & ~listed]
    parts.append(pd.DataFrame({"n": by_cat.index.to_numpy(), "key": "cat:" + by_cat["category"]}))
    codes = needs[["accepted_codes"]].explode("accepted_codes").dropna()
    if len(codes):
        parts.append(pd.DataFrame({"n": codes.index.to_numpy(), "key": "ewc:" + codes["accepted_codes"]}))
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def build_candidates(
    network: Network,
    params: MatchParameters | None = None,
    kb: KnowledgeBase | None = None,
    *,
    excluded_pairs: set[tuple[str, str]] | frozenset = frozenset(),
    forced_pairs: set[tuple[str, str]] | frozenset = frozenset(),
) -> Candidates:
    """Every compatible (stream, need) pair within distance, with its economics per unit.

    ``forced_pairs`` (implemented synergies) are kept whatever the filters say: they exist.
    """
    params = params or MatchParameters()
    check_solver_range(network)  # before any number becomes a numpy int64
    kb = kb or load_knowledge_base()
    streams = stream_table(network)
    needs = need_table(network)
    # ids renamed since the data was entered ('heat', 'animal_feed') read as their current ids
    if kb.aliases:
        streams["material"] = streams["material"].map(kb.canonical_category)
        streams["destination_category"] = streams["destination_category"].map(kb.canonical_category)
        needs["category"] = needs["category"].map(kb.canonical_category)
    # an exchange that happens today (a stream's destination is a need of the network) is the
    # counterfactual, not a new synergy: never a candidate unless followed as a synergy
    need_ids = set(needs["need_id"].to_numpy(dtype=object))  # (Arrow texts converted at once, not one by one)
    stated = streams["destination"].to_numpy(dtype=object)
    at = np.flatnonzero(stated != "")
    existing = {(sid, dest) for sid, dest in zip(streams["stream_id"].to_numpy(dtype=object)[at], stated[at], strict=True)
                if dest in need_ids} - set(forced_pairs)  # fmt: skip
    excluded_pairs = set(excluded_pairs) | existing
    offers = _offers(streams, kb)
    pairs = _pairs(offers, streams, needs, params, kb)
    release_memory()  # the spatial search's temporaries, before the economics
    forced = np.zeros(len(pairs), dtype=bool)
    if forced_pairs:
        offers, pairs, forced = _add_forced(offers, pairs, streams, needs, forced_pairs)
    arcs = _economics_by_chunks(offers, pairs, streams, needs, params, kb, forced)
    if excluded_pairs and len(arcs):
        keys = pd.MultiIndex.from_arrays([arcs["stream_id"], arcs["need_id"]])
        arcs = arcs[~keys.isin(list(excluded_pairs))].reset_index(drop=True)
    leads = None
    if "via_intermediary" in arcs and len(arcs) and arcs["via_intermediary"].any():
        via = arcs["via_intermediary"].to_numpy(dtype=bool)
        leads = arcs[via].reset_index(drop=True)
        arcs = arcs[~via].reset_index(drop=True)
    hierarchy = {c: kb.hierarchy_rank(c) for c in kb.categories}
    grades = {c: kb.served_by(c) for c, category in kb.categories.items() if category.serves}
    pipes = {c: (float(category.transport_reference_quantity), _or_nan(category.pipe_cost_exponent))
             for c, category in kb.categories.items() if category.transport_reference_quantity}  # fmt: skip
    return Candidates(arcs=arcs, streams=streams, needs=needs, params=params, leads=leads, hierarchy=hierarchy,
                      grades=grades, pipes=pipes)  # fmt: skip


def _category_max_km(kb: KnowledgeBase, category: str) -> float:
    cat = kb.categories.get(category)
    if cat is None or cat.max_distance_km is None or not np.isfinite(cat.max_distance_km):
        return DEFAULT_MAX_DISTANCE_KM
    return float(cat.max_distance_km)


def bulk_reach_km(road_limit_km, mode_cost_eur_per_t_km: float, handling_eur_per_t: float,
                  road_cost_eur_per_t_km: float):
    """Break-even reach of a bulk mode for a category whose road limit is ``road_limit_km``.

    A category's road limit is where trucking eats the value of a tonne
    (``road_limit_km * road cost``); a cheaper mode spends the same value on its handling at
    both ends plus its haulage, so it reaches ``(road_limit * road_cost - handling) / cost``
    (0 when the handling alone costs more). Rail at 0.05 EUR/t.km + 6 EUR/t with road at
    0.15: a 150 km road limit becomes (22.5 - 6) / 0.05 = 330 km; 35 km (aggregates) gives 0.
    """
    budget = np.asarray(road_limit_km, dtype=float) * road_cost_eur_per_t_km - handling_eur_per_t
    if mode_cost_eur_per_t_km <= 0:
        return np.where(budget > 0, np.inf, 0.0)
    return np.maximum(0.0, budget / mode_cost_eur_per_t_km)


def pair_max_km(rule_km, category_km, need_km, scenario_km: float | None = None, bulk_km=0.0) -> np.ndarray:
    """The furthest road distance a pair may span, in km (vectorised over pairs): the one rule.

    * the receiver's own stated maximum (``need_km``, NaN when not stated) wins, whether it
      extends or shortens the default: the receiver knows what it will pay to carry;
    * otherwise the default: the knowledge-base rule's own limit (``rule_km``, NaN when none),
      else the category's road limit (``category_km``), extended to the break-even reach of rail
      or ship where both sites have the access (``bulk_km``, 0 when none; :func:`bulk_reach_km`);
    * a scenario's global radius (``scenario_km``) caps everything.
    Pairs within the limit still need a positive value after transport to be kept.
    """
    rule_km = np.asarray(rule_km, dtype=float)
    default = np.where(np.isfinite(rule_km), rule_km, np.asarray(category_km, dtype=float))
    default = np.maximum(default, np.asarray(bulk_km, dtype=float))
    need = np.asarray(need_km, dtype=float)
    limit = np.where(np.isfinite(need), need, default)
    if scenario_km is not None:
        limit = np.minimum(limit, scenario_km)
    return limit


def _freight(kb: KnowledgeBase, params: MatchParameters) -> dict[str, tuple[float, float, float, str]]:
    """mode -> (EUR per t.km, handling EUR per t, kg CO2e per t.km, site access); road from params."""
    out = {"road": (params.transport_cost_eur_per_tkm, 0.0, params.truck_co2e_kg_per_tkm, "")}
    for m in kb.freight_modes.values():
        if m.mode != "road":
            out[m.mode] = (m.cost_eur_per_t_km, m.handling_eur_per_t, m.co2e_kg_per_t_km, m.access)
    return out


def _key_reach_km(kb: KnowledgeBase, params: MatchParameters, category: str, road_km: float,
                  accesses: set[str]) -> float:  # fmt: skip
    """Largest default reach of a category in a network whose sites have ``accesses``."""
    cat = kb.categories.get(category)
    best = road_km
    if cat is None:
        return best
    for mode, (cost, handling, _, access) in _freight(kb, params).items():
        if mode != "road" and mode in cat.freight_modes and access in accesses:
            best = max(best, float(bulk_reach_km(road_km, cost, handling, params.transport_cost_eur_per_tkm)))
    return best


PAIR_COLUMNS = ["o", "s", "n"]
NEED_CHUNK = 4096  # needs queried at once: bounds the lists of hits held in memory
# up to this many (offer, need) pairs in all key groups together, every pair's distance is
# computed (10 to 40 ns a pair: at most about 0.05 s); beyond it a grid per group
DIRECT_PAIRS = 2_000_000
RIVAL_CHUNK = 200_000  # pairs whose rival ways are looked up at once


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({c: np.zeros(0, np.int64) for c in PAIR_COLUMNS})


def _stream_accesses(streams: pd.DataFrame) -> set[str]:
    """Every freight access some stream's site has (rail, port...)."""
    return {a for text in streams["freight_access"] for a in text.split(";") if a}


def _group_default_km(key: str, grp: pd.DataFrame, kb: KnowledgeBase) -> float:
    """A category group's largest road default: its rules' own limits and the category's."""
    return float(max(_category_max_km(kb, key[4:]), np.nanmax(grp["kb_max_km"].to_numpy(dtype=float), initial=0)))


def _code_reach_km(kb: KnowledgeBase, params: MatchParameters, accesses: set[str]) -> float:
    """A need accepting codes without a category: as far as any category's default may reach."""
    return max([DEFAULT_MAX_DISTANCE_KM, *(_key_reach_km(kb, params, c, _category_max_km(kb, c), accesses)
                                           for c in kb.categories)])  # fmt: skip


def _group_search_km(key: str, grp: pd.DataFrame, n_rows: np.ndarray, needs: pd.DataFrame,
                     params: MatchParameters, kb: KnowledgeBase, accesses: set[str]) -> float:  # fmt: skip
    """The largest effective limit of a key group (road km): its default extended by rail or ship
    where the network's sites have the access, or a need's own maximum when larger (that one
    replaces the default), capped by the scenario. Rival ways and the nearest-k search use it."""
    if key.startswith("cat:"):
        default = _key_reach_km(kb, params, key[4:], _group_default_km(key, grp, kb), accesses)
    else:
        default = _code_reach_km(kb, params, accesses)
    own = needs["max_distance_km"].to_numpy(dtype=float)[n_rows]
    return float(pair_max_km(np.nan, max(default, np.nanmax(own, initial=0.0)), np.nan, params.max_distance_km))


def _need_radius_km(key: str, grp: pd.DataFrame, n_rows: np.ndarray, needs: pd.DataFrame,
                    params: MatchParameters, kb: KnowledgeBase, stream_access: set[str]) -> np.ndarray:  # fmt: skip
    """Per need of a key group: the furthest any of the group's offers may reach it (road km).

    An upper bound of :func:`pair_max_km` over the pairs the need may form in the group: its own
    maximum when stated, else the group's largest default extended by the bulk modes both the
    need's site and some stream's site can use.
    """
    need_km = needs["max_distance_km"].to_numpy(dtype=float)[n_rows]
    need_access = needs["freight_access"].to_numpy(dtype=object)[n_rows]
    need_cat = needs["category"].to_numpy(dtype=object)[n_rows]
    cache: dict[tuple[str, str], float] = {}

    def default(category: str, access_text: str) -> float:
        if (category, access_text) not in cache:
            accesses = {a for a in access_text.split(";") if a} & stream_access
            if key.startswith("cat:"):
                km = _key_reach_km(kb, params, category, _group_default_km(key, grp, kb), accesses)
            elif category:  # an accepted code: the pair takes the need's category
                km = _key_reach_km(kb, params, category, _category_max_km(kb, category), accesses)
            else:  # else the category the code resolves to
                km = _code_reach_km(kb, params, accesses)
            cache[(category, access_text)] = km
        return cache[(category, access_text)]

    cats = np.full(len(n_rows), key[4:], dtype=object) if key.startswith("cat:") else need_cat
    default_km = np.fromiter((default(c, a) for c, a in zip(cats, need_access, strict=True)),
                             dtype=float, count=len(n_rows))  # fmt: skip
    return pair_max_km(np.nan, default_km, need_km, params.max_distance_km)


def _pairs(offers, streams, needs, params: MatchParameters, kb: KnowledgeBase) -> pd.DataFrame:
    """Spatially pruned compatible pairs: offer row o (stream s and its KB attributes), need row n.

    By default each need is searched within its own reach (:func:`pair_max_km`), so the pairs
    looked at are about the arcs kept; with ``max_candidates_per_stream``, each stream keeps its
    nearest compatible needs within the group's largest reach.
    """
    accepts = _accepts(needs)
    if not len(offers) or not len(accepts):
        return _empty_pairs()
    s_xyz = unit_vectors(streams["lat"].to_numpy(), streams["lon"].to_numpy())
    n_xyz = unit_vectors(needs["lat"].to_numpy(), needs["lon"].to_numpy())
    found = []
    search_km = np.full(len(offers), np.nan)  # per offer: its group's largest effective limit
    accepts_by_key = {key: grp["n"].to_numpy() for key, grp in accepts.groupby("key", sort=False)}
    stream_access = _stream_accesses(streams)
    accesses = stream_access | {a for text in needs["freight_access"] for a in text.split(";") if a}
    offer_counts = offers["key"].value_counts()
    need_counts = accepts["key"].value_counts().reindex(offer_counts.index, fill_value=0)
    direct = int((offer_counts * need_counts).sum()) <= DIRECT_PAIRS  # small networks: no k-d tree
    for key, grp in offers.groupby("key", sort=False):
        n_rows = accepts_by_key.get(key)
        if n_rows is None:
            continue
        o_rows = grp.index.to_numpy()
        search_km[o_rows] = _group_search_km(key, grp, n_rows, needs, params, kb, accesses)
        if params.max_candidates_per_stream is None:
            radius_km = _need_radius_km(key, grp, n_rows, needs, params, kb, stream_access)
            g_rows, n_local = _within_reach(grp, n_rows, s_xyz, n_xyz, radius_km, params.road_factor, direct)
        else:
            g_rows, n_local = _nearest(grp, n_rows, s_xyz, n_xyz, search_km[o_rows[0]], params)
        found.append((o_rows[g_rows], n_rows[n_local]))
    if not found:
        return _empty_pairs()
    o = np.concatenate([f[0] for f in found]).astype(np.int64)
    n = np.concatenate([f[1] for f in found]).astype(np.int64)
    if params.max_candidates_per_stream is None:
        o, n = _with_rivals(o, n, offers, accepts, s_xyz, n_xyz, search_km, params.road_factor)
    s = offers["s"].to_numpy(np.int64)[o]
    quality = offers["quality"].to_numpy(float)[o]
    # a need that accepts a code explicitly and also by category: keep the best quality (ties: the
    # offer whose key came first, then the first offer)
    key_rank = pd.factorize(offers["key"])[0][o]
    order = np.lexsort((o, key_rank, -quality, n, s))
    o, s, n = o[order], s[order], n[order]
    s_n = s * (len(needs) + 1) + n
    first = np.ones(len(s_n), dtype=bool)
    first[1:] = s_n[1:] != s_n[:-1]
    return pd.DataFrame({"o": o[first], "s": s[first], "n": n[first]})


def _with_rivals(o, n, offers, accepts, s_xyz, n_xyz, search_km, road_factor):
    """Add, for a need that accepts a found stream in several ways (by category and by code), the
    other ways within their group's reach: one way is kept per pair (the best quality), and it
    must be chosen among the same ways whatever the need's own radius."""
    ways = np.bincount(accepts["n"].to_numpy(np.int64), minlength=len(n_xyz))
    multi = ways[n] >= 2
    if not multi.any():
        return o, n
    width = len(n_xyz) + 1
    pair_key = np.unique(offers["s"].to_numpy(np.int64)[o[multi]] * width + n[multi])
    key_id, _ = pd.factorize(pd.concat([offers["key"], accepts["key"]], ignore_index=True))
    n_keys = int(key_id.max()) + 1
    accepted = pd.DataFrame({"n": accepts["n"].to_numpy(np.int64), "k": key_id[len(offers):]})
    ways_of_stream = pd.DataFrame({"c": offers["s"].to_numpy(np.int64) * n_keys + key_id[:len(offers)],
                                   "o": np.arange(len(offers))})  # fmt: skip
    found_o, found_n = [o], [n]
    for start in range(0, len(pair_key), RIVAL_CHUNK):  # bounded memory on large networks
        chunk = pair_key[start:start + RIVAL_CHUNK]
        wanted = pd.DataFrame({"s": chunk // width, "n": chunk % width}).merge(accepted, on="n")
        rivals = pd.DataFrame({"c": wanted["s"].to_numpy() * n_keys + wanted["k"].to_numpy(),
                               "n": wanted["n"].to_numpy()}).merge(ways_of_stream, on="c")  # fmt: skip
        r_o, r_n = rivals["o"].to_numpy(np.int64), rivals["n"].to_numpy(np.int64)
        r_s = offers["s"].to_numpy(np.int64)[r_o]
        chord = np.linalg.norm(s_xyz[r_s] - n_xyz[r_n], axis=1)
        seen = chord <= chord_for_km(search_km[r_o] / road_factor * (1 + 1e-9))
        found_o.append(r_o[seen])
        found_n.append(r_n[seen])
    return np.concatenate(found_o), np.concatenate(found_n)


def _within_reach(grp, n_rows, s_xyz, n_xyz, radius_km: np.ndarray, road_factor: float, direct: bool):
    """(group row, need position) of every offer within each need's reach (``radius_km``);
    ``direct``: every pair's distance computed, else a grid (the same pairs either way)."""
    reach = np.isfinite(radius_km) & (radius_km >= 0)
    chord = np.where(reach, _search_chord(np.where(reach, radius_km, 0.0), road_factor), -1.0)
    points = s_xyz[grp["s"].to_numpy()]
    targets = np.nonzero(reach)[0]
    if direct:
        g_rows, n_local = _within_chord_directly(points, n_xyz[n_rows[targets]], chord[targets])
        n_local = targets[n_local]
    else:
        g_rows, n_local = _within_chord_by_grid(points, n_xyz[n_rows], chord, targets)
    order = np.lexsort((n_local, g_rows))  # offer by offer, as the nearest-k search gives them
    return g_rows[order], n_local[order]


def _within_chord_directly(points: np.ndarray, centres: np.ndarray, chord: np.ndarray):
    """(point, centre) of every point within its centre's chord, every pair computed: on small
    groups this costs less than sorting the points into a grid.

    The test is a k-d tree's own: the squared distance summed coordinate by coordinate, in
    that order, against the squared radius (scipy's ``query_ball_point`` with p = 2), so both
    find the same pairs to the last bit.
    """
    p_parts, c_parts = [], []
    step = max(1, DIRECT_PAIRS // max(len(points), 1) // 4)  # a few million pairs at once
    for start in range(0, len(centres), step):
        c = centres[start:start + step]
        d2 = (points[None, :, 0] - c[:, None, 0]) ** 2
        d2 += (points[None, :, 1] - c[:, None, 1]) ** 2
        d2 += (points[None, :, 2] - c[:, None, 2]) ** 2
        local, point = np.nonzero(d2 <= (chord[start:start + step] ** 2)[:, None])
        p_parts.append(point)
        c_parts.append(local + start)
    if not p_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(p_parts).astype(np.int64), np.concatenate(c_parts).astype(np.int64)


GRID_CHECKS = 1_000_000  # (point, centre) pairs of neighbouring cells checked at once (about 60 MB)


def _within_chord_by_grid(points: np.ndarray, centres: np.ndarray, chord: np.ndarray, targets: np.ndarray):
    """(point, centre position) of every point within the chord of each centre of ``targets``,
    by a uniform grid: the same pairs as :func:`_within_chord_directly`, in any order.

    Centres are taken by classes of chord (powers of two); a class's cells are cubes a little
    wider than its largest chord, so every point within a centre's chord lies in one of the 27
    cells around the centre's (each coordinate differs by at most the chord, under a cell's side).
    The points of those cells are found by binary search in the points sorted by cell, and each
    pair is tested as the direct search tests it. Sorting and searching are numpy's: no k-d tree,
    so no scipy.spatial on the default path (0.4 s of a process's start on its own).
    """
    if not len(targets) or not len(points):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    wanted = chord[targets]
    level = np.ceil(np.log2(np.maximum(wanted, 2.0**-16))).astype(np.int64)
    p_parts, c_parts = [], []
    for lv in np.unique(level):
        members = targets[level == lv]
        side = float(np.clip(chord[members].max(), 2.0**-16, 2.0)) * (1 + 1e-9)
        p_parts_lv, c_parts_lv = _grid_class(points, centres, chord, members, side)
        p_parts += p_parts_lv
        c_parts += c_parts_lv
    if not p_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(p_parts), np.concatenate(c_parts)


def _grid_class(points, centres, chord, members, side: float):
    width = int(np.ceil(2.0 / side)) + 4  # cells per axis over the unit sphere's [-1, 1] and a margin

    def cells(xyz):
        c = np.floor(xyz / side).astype(np.int64) + width // 2
        return (c[:, 0] * width + c[:, 1]) * width + c[:, 2]

    point_cell = cells(points)
    order = np.argsort(point_cell, kind="stable")
    sorted_cells = point_cell[order]
    offsets = np.array([(dx * width + dy) * width + dz for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)])
    p_parts, c_parts = [], []
    for first_member in range(0, len(members), NEED_CHUNK):  # the 27 cells of a few thousand centres at once
        chunk = members[first_member:first_member + NEED_CHUNK]
        near = cells(centres[chunk])[:, None] + offsets[None, :]  # the 27 cells around each centre
        lo = np.searchsorted(sorted_cells, near, side="left")
        counts = np.searchsorted(sorted_cells, near, side="right") - lo
        per_centre = counts.sum(axis=1)
        cumulative = np.cumsum(per_centre)
        stops = np.searchsorted(cumulative, np.arange(GRID_CHECKS, cumulative[-1], GRID_CHECKS), side="right")
        start = 0
        for stop in [*np.unique(stops[stops > 0]).tolist(), len(chunk)]:  # about GRID_CHECKS pairs at once
            if stop <= start:
                continue
            cnt, first = counts[start:stop].ravel(), lo[start:stop].ravel()
            total = int(cnt.sum())
            if total:
                run = np.repeat(first - np.r_[0, np.cumsum(cnt)[:-1]], cnt) + np.arange(total)
                point = order[run]
                centre = np.repeat(chunk[start:stop], per_centre[start:stop])
                c = centres[centre]
                d2 = (points[point, 0] - c[:, 0]) ** 2
                d2 += (points[point, 1] - c[:, 1]) ** 2
                d2 += (points[point, 2] - c[:, 2]) ** 2
                keep = d2 <= chord[centre] ** 2
                p_parts.append(point[keep].astype(np.int64))
                c_parts.append(centre[keep].astype(np.int64))
            start = stop
    return p_parts, c_parts


def _nearest(grp, n_rows, s_xyz, n_xyz, search_km: float, params: MatchParameters):
    """(group row, need position) of each offer's nearest compatible needs within the group's
    largest reach (``max_candidates_per_stream``; the exact reach is applied pair by pair)."""
    from scipy.spatial import cKDTree

    radius = chord_for_km(search_km / params.road_factor * (1 + 1e-9))
    tree = cKDTree(n_xyz[n_rows])
    points = s_xyz[grp["s"].to_numpy()]
    k = min(params.max_candidates_per_stream, len(n_rows))
    _, hit = tree.query(points, k=k, distance_upper_bound=radius)
    hit = hit.reshape(len(grp), k)
    g_rows, cols = np.nonzero(hit < len(n_rows))
    return g_rows, hit[g_rows, cols]


def _add_forced(offers, pairs, streams, needs, forced_pairs):
    """Add implemented synergies missing from the pairs (beyond a radius, say).

    A pair the knowledge base knows keeps the offer the pairing gives it inside the filters (its
    rule's quality and pre-treatment: valued as a free one would be, so a scenario's radius does
    not change what an implemented synergy is worth); any other gets an offer of its own."""
    s_of = {sid: i for i, sid in enumerate(streams["stream_id"])}
    n_of = {nid: i for i, nid in enumerate(needs["need_id"])}
    wanted = {(s_of[a], n_of[b]) for a, b in forced_pairs if a in s_of and b in n_of}
    present = set(zip(pairs["s"].tolist(), pairs["n"].tolist(), strict=True))
    extra = sorted(wanted - present)
    if extra:
        # the way _pairs keeps one offer per pair: best quality, then the key seen first, then
        # the first offer
        accepts = _accepts(needs)
        keys_of = accepts.groupby("n")["key"].agg(set).to_dict() if len(accepts) else {}
        key_rank = pd.factorize(offers["key"])[0]
        offer_s, offer_key = offers["s"].to_numpy(np.int64), offers["key"].to_numpy(dtype=object)
        offer_quality = offers["quality"].to_numpy(dtype=float)
        known = []
        for a, b in extra:
            ways = [o for o in np.nonzero(offer_s == a)[0] if offer_key[o] in keys_of.get(b, ())]
            if ways:
                known.append((min(ways, key=lambda o: (-offer_quality[o], key_rank[o], o)), a, b))
        if known:
            pairs = pd.concat([pairs, pd.DataFrame(known, columns=["o", "s", "n"])], ignore_index=True)
            extra = [pair for pair in extra if pair not in {(a, b) for _o, a, b in known}]
    if extra:
        new_offers = pd.DataFrame({
            "s": [a for a, _ in extra], "key": "forced",
            "category": [needs["category"].iat[b] for _, b in extra], "quality": 1.0,
            "pretreatment": "none", "pretreatment_cents": 0.0, "kb_max_km": np.nan,
            "basis": N_("an implemented synergy"),
        })  # fmt: skip
        first = len(offers)
        offers = pd.concat([offers, new_offers], ignore_index=True)
        add = pd.DataFrame({"o": np.arange(first, first + len(extra)), "s": [a for a, _ in extra],
                            "n": [b for _, b in extra]})  # fmt: skip
        pairs = pd.concat([pairs, add], ignore_index=True)
    width = len(needs) + 1
    wanted_keys = np.array([a * width + b for a, b in wanted], dtype=np.int64)
    keys = pairs["s"].to_numpy(np.int64) * width + pairs["n"].to_numpy(np.int64)
    return offers, pairs, np.isin(keys, wanted_keys)


def _accepted_code_quality(offers, o, s, streams, need_cat, need_naf, kb: KnowledgeBase,
                           quality: np.ndarray, pretreat_per_t: np.ndarray,
                           category: np.ndarray, pretreatment: np.ndarray) -> None:  # fmt: skip
    """A need that accepts a code explicitly still gets the knowledge base's quality for it.

    The receiver's acceptance says the pair is legal and wanted, not that one tonne of the waste
    replaces one tonne of its usual input: with the need's category, the rule for (code, category)
    applies; without one, the best rule among the categories the receiver's sector uses (its NAF
    code), else the code's best known use; with no rule at all, quality 1. "Best" is the highest
    quality, then pre-treatment cost; when two categories tie, the pair keeps no category (the need should
    state its own: no alphabetical order chooses its use). Resolved once per distinct
    (code, need category, NAF code) by joins on the knowledge base's rules, then spread to pairs.
    """
    from_code = offers["key"].str.startswith("ewc:").to_numpy(dtype=bool)[o]
    rows = np.nonzero(from_code)[0]
    if not len(rows):
        return
    # the distinct (code, need category, NAF code) in order of first appearance, by integer keys
    code_id, codes = pd.factorize(streams["ewc_code"].to_numpy(dtype=object), use_na_sentinel=False)
    cat_id, cats = pd.factorize(need_cat[rows], use_na_sentinel=False)
    naf_id, nafs = pd.factorize(need_naf[rows], use_na_sentinel=False)
    key = (code_id[s[rows]].astype(np.int64) * len(cats) + cat_id) * len(nafs) + naf_id
    combo, _ = pd.factorize(key)
    _, first = np.unique(combo, return_index=True)
    unique = pd.DataFrame({
        "code": np.asarray(codes, dtype=object)[code_id[s[rows[first]]]],
        "need_category": np.asarray(cats, dtype=object)[cat_id[first]],
        "naf": pd.Series(np.asarray(nafs, dtype=object)[naf_id[first]], dtype=object).fillna("").to_numpy(dtype=object),
        "combo": np.arange(len(first)),
    })  # fmt: skip
    rules = kb.compatible_pairs(sorted(set(unique["code"])))[
        ["code", "category", "quality", "pretreatment_cost_cents", "pretreatment"]
    ]
    # with the need's category: the rule for (code, category)
    exact = unique[unique["need_category"] != ""].merge(
        rules, left_on=["code", "need_category"], right_on=["code", "category"], how="inner"
    )
    # without: the best rule among the sector's categories, else the best rule of the code
    open_ = unique[unique["need_category"] == ""].merge(rules, on="code", how="inner")
    uses = pd.DataFrame(
        [(naf, cat) for naf in sorted(set(open_["naf"])) for cat in _sector_categories(kb, naf)],
        columns=["naf", "category"],
    ).assign(in_sector=True)
    open_ = open_.merge(uses, on=["naf", "category"], how="left")
    open_["in_sector"] = open_["in_sector"].fillna(False).astype(bool)
    open_ = open_.sort_values(["combo", "in_sector", "quality", "pretreatment_cost_cents", "category", "pretreatment"],
                              ascending=False, kind="stable")  # fmt: skip
    # two categories equally good: the need's use is not known, and no alphabetical order may
    # choose it; the quality and pre-treatment hold, the category stays unnamed (state it)
    tie_keys = ["combo", "in_sector", "quality", "pretreatment_cost_cents"]
    best = open_.drop_duplicates("combo")
    ties = open_.merge(best[tie_keys], on=tie_keys).groupby("combo")["category"].nunique()
    open_ = best.copy()
    open_["ambiguous"] = open_["combo"].map(ties).fillna(1).to_numpy() > 1
    chosen = pd.concat([exact.assign(ambiguous=False), open_], ignore_index=True)
    found = np.zeros(len(unique), dtype=bool)
    found[chosen["combo"].to_numpy()] = True
    by_combo = {name: np.empty(len(unique), dtype=object) for name in ("category", "pretreatment")}
    q = np.ones(len(unique))
    pc = np.zeros(len(unique))
    at = chosen["combo"].to_numpy()
    q[at] = chosen["quality"].to_numpy(dtype=float)
    pc[at] = chosen["pretreatment_cost_cents"].to_numpy(dtype=float)
    for name in by_combo:
        by_combo[name][at] = chosen[name].to_numpy(dtype=object)
    hit = found[combo]
    quality[rows] = q[combo]  # quality 1 where no rule applies
    pretreat_per_t[rows[hit]] = pc[combo][hit]
    pretreatment[rows[hit]] = by_combo["pretreatment"][combo][hit]
    ambiguous = np.zeros(len(unique), dtype=bool)
    ambiguous[at] = chosen["ambiguous"].to_numpy(dtype=bool)
    retag = hit & (unique["need_category"].to_numpy(dtype=object) == "")[combo] & ~ambiguous[combo]
    category[rows[retag]] = by_combo["category"][combo][retag]  # its CO2e factors and distance apply


def _sector_categories(kb: KnowledgeBase, naf: str) -> set[str]:
    """The categories a receiver's sector uses (none for a missing or malformed NAF code)."""
    from symbiose.compat import normalize_nace

    try:
        return kb.categories_for_nace(normalize_nace(naf)) if naf else set()
    except ValueError:
        return set()


ECONOMICS_CHUNK = 400_000  # pairs valued at once: the temporaries stay small on large networks


CATEGORY_COLUMNS = ("category", "unit", "pretreatment", "conditions")


def sorted_categorical(codes: np.ndarray, names) -> pd.Categorical:
    """``pd.Categorical(names[codes])`` (code -1: missing) without hashing a text per row: the
    categories are the distinct names used, sorted, as pandas infers them from the texts."""
    codes = np.asarray(codes, dtype=np.int64)
    name_codes, distinct = pd.factorize(np.asarray(list(names), dtype=object))  # names may repeat
    codes = np.where(codes >= 0, name_codes[np.maximum(codes, 0)] if len(name_codes) else -1, -1)
    distinct = np.asarray(distinct, dtype=object)
    used = np.unique(codes[codes >= 0])
    order = np.argsort(distinct[used], kind="stable")  # the names themselves, as pandas sorts them
    rank = np.full(len(distinct) + 1, -1, dtype=np.int64)  # the last slot: missing stays missing
    rank[used[order]] = np.arange(len(used))
    return pd.Categorical.from_codes(rank[codes], categories=pd.Index(distinct[used[order]].tolist()))


def _economics_by_chunks(offers, pairs, streams, needs, params, kb, forced) -> pd.DataFrame:
    """:func:`_economics` over blocks of pairs, concatenated: the same table, less memory."""
    if len(pairs) <= ECONOMICS_CHUNK:
        return _economics(offers, pairs, streams, needs, params, kb, forced)
    # each block kept as separate columns, and the columns joined one at a time, each block's
    # column freed as it is joined: the table is never held twice (pd.concat of the blocks would)
    parts = []
    for i in range(0, len(pairs), ECONOMICS_CHUNK):
        block = _economics(offers, pairs.iloc[i:i + ECONOMICS_CHUNK].reset_index(drop=True), streams, needs, params,
                           kb, forced[i:i + ECONOMICS_CHUNK])  # fmt: skip
        parts.append({name: block[name].copy() for name in block.columns})
        del block
    columns = {}
    for name in list(parts[0]):
        blocks = [part.pop(name) for part in parts]
        if name in CATEGORY_COLUMNS:  # each block has its own categories: the sorted union's, codes renumbered
            union = pd.Index(sorted(set().union(*(b.cat.categories.tolist() for b in blocks))))
            blocks = [b.cat.set_categories(union) for b in blocks]
        columns[name] = pd.concat(blocks, ignore_index=True)
        del blocks
    del parts
    arcs = pd.DataFrame(columns, copy=False)
    del columns
    s, n = arcs["s"].to_numpy(), arcs["n"].to_numpy()
    key = s * (len(needs) + 1) + n
    if len(key) > 1 and (np.diff(key) < 0).any():  # implemented pairs come last: canonical order
        arcs = arcs.iloc[np.lexsort((n, s))].reset_index(drop=True)
    return arcs


def _fits(s, n, streams, needs, category: np.ndarray, kb: KnowledgeBase) -> tuple[np.ndarray, np.ndarray]:
    """Whether each pair's stream fits the receiver's line (vectorised over pairs).

    * physical state: among the need's accepted states, else its category's default
      (``form_rules.csv`` rows without a prefix), else any;
    * forms: the need's required forms met (:func:`forms_meet`) and none of its refused forms
      stated; and the forms and states of the most specific ``form_rules.csv`` row whose prefix
      starts the stream's code, for the pair's category (and none of that row's refused forms);
    * standards: a need that requires product standards takes only a stream stating one of them.

    Returns (fits apart from the standards, meets the need's standards).
    """
    state = streams["physical_state"].map(STATE_BITS).to_numpy(dtype=np.int64)[s]
    forms = streams["form_bits"].to_numpy(dtype=np.int64)[s]
    accepted = needs["state_bits"].to_numpy(dtype=np.int64)[n]
    default_states = {r.category: _state_bits(r.states) for r in kb.form_rules if not r.ewc_prefix and r.states}
    cat_id, cat_names = pd.factorize(np.asarray(category, dtype=object))  # once: the pairs' categories
    per_name = np.array([default_states.get(c, ALL_STATES) for c in cat_names], dtype=np.int64)
    accepted = np.where(accepted != 0, accepted, per_name[cat_id])
    ok = (state & accepted) != 0
    required = needs["required_form_bits"].to_numpy(dtype=np.int64)[n]
    refused = needs["refused_form_bits"].to_numpy(dtype=np.int64)[n]
    ok &= forms_meet(forms, required) & ((forms & refused) == 0)
    # the code rules: the most specific prefix of each (code, category) decides; resolved once per
    # distinct (code, category), then spread to the pairs
    coded = [r for r in kb.form_rules if r.ewc_prefix]
    if coded:
        code_id, code_names = pd.factorize(streams["ewc_code"])
        key = code_id[s].astype(np.int64) * (len(cat_names) + 1) + cat_id
        unique, combo = np.unique(key, return_inverse=True)
        u_code = np.asarray(code_names, dtype=str)[unique // (len(cat_names) + 1)]
        u_cat = np.asarray(cat_names, dtype=object)[unique % (len(cat_names) + 1)]
        u_states = np.full(len(unique), ALL_STATES, dtype=np.int64)
        u_forms = np.zeros(len(unique), dtype=np.int64)
        u_refused = np.zeros(len(unique), dtype=np.int64)
        for rule in sorted(coded, key=lambda r: len(r.ewc_prefix)):
            hit = (u_cat == rule.category) & np.char.startswith(u_code, rule.ewc_prefix)
            u_states[hit] = _state_bits(rule.states) or ALL_STATES
            u_forms[hit] = _form_bits(rule.forms)
            u_refused[hit] = _form_bits(rule.refused)
        ok &= ((state & u_states[combo]) != 0) & forms_meet(forms, u_forms[combo])
        ok &= (forms & u_refused[combo]) == 0  # a refused form stated by the stream
    wanted = needs["required_standards"].to_numpy(dtype=object)
    standard_ok = np.ones(len(s), dtype=bool)
    if (wanted != "").any():  # a bit per standard named in the network, per row
        have = streams["standards"].to_numpy(dtype=object)
        names = sorted({x for text in [*wanted, *have] for x in text.split(";") if x})
        bit = {name: 1 << i for i, name in enumerate(names[:63])}
        if len(names) > 63:
            raise ValidationError("more than 63 distinct product standards in one network; merge synonyms")
        to_bits = lambda texts: np.fromiter((sum(bit[x] for x in t.split(";") if x) for t in texts),  # noqa: E731
                                            dtype=np.int64, count=len(texts))  # fmt: skip
        need_bits, stream_bits = to_bits(wanted)[n], to_bits(have)[s]
        standard_ok = (need_bits == 0) | ((need_bits & stream_bits) != 0)
    return ok, standard_ok


def _approval_missing(kb: KnowledgeBase, s: np.ndarray, n: np.ndarray, streams: pd.DataFrame,
                      needs: pd.DataFrame, category) -> np.ndarray:  # fmt: skip
    """Per pair: its code needs an intake approval to reach its category (``intake_approvals.csv``:
    catering waste to composting or biogas, an animal by-product plant approval) that the
    receiver does not hold (its ``approvals``). Resolved per distinct code and per need, then
    spread to the pairs."""
    out = np.zeros(len(s), dtype=bool)
    if not kb.intake_approvals or not len(s):
        return out
    code_id, codes = pd.factorize(streams["ewc_code"].astype(str))
    codes = np.asarray(codes, dtype=str)
    held = needs["approvals"].astype(str).to_numpy(dtype=object)
    category = np.asarray(category, dtype=object)
    for row in kb.intake_approvals:  # a handful of rows, each a vectorised mask over the pairs
        by_code = np.char.startswith(codes, row.ewc_prefix) if len(codes) else np.zeros(0, dtype=bool)
        if not by_code.any():
            continue
        holds = np.fromiter((row.approval in text.split(";") for text in held), dtype=bool, count=len(held))
        out |= by_code[code_id[s]] & np.isin(category, row.categories) & ~holds[n]
    return out


def _intermediary_cents(s: np.ndarray, n: np.ndarray, streams: pd.DataFrame, needs: pd.DataFrame,
                        kb: KnowledgeBase) -> np.ndarray:  # fmt: skip
    """Per pair, the cheapest intermediary service (cents per t) among the standards the need
    requires (``product_standards.csv``) whose intermediary takes the stream's residue: its code
    has a rule to a category the intermediary takes in (``intake_categories``, and
    ``intake_ewc_prefixes`` when given). NaN when none does, or the need requires none."""
    out = np.full(len(s), np.nan)
    wanted = needs["required_standards"].to_numpy(dtype=object)
    names = sorted({x for text in wanted for x in text.split(";") if x in kb.standards})
    if not names or not len(s):
        return out
    codes = streams["ewc_code"].astype(str).to_numpy(dtype=object)
    code_id, distinct = pd.factorize(codes)
    valid = [c for c in distinct if len(c) == 6 and c.isdigit()]
    reach: dict[str, set[str]] = {c: set() for c in distinct}
    if valid:
        pairs = kb.compatible_pairs(valid)
        for code, group in pairs.groupby("code")["category"]:
            reach[code] = set(group)
    for name in names:  # a handful of standards, each a vectorised mask over the pairs
        std = kb.standards[name]
        takes = np.array([std.takes(c, reach[c]) for c in distinct], dtype=bool)
        requires = np.fromiter((name in text.split(";") for text in wanted), dtype=bool, count=len(wanted))
        hit = requires[n] & takes[code_id[s]]
        out = np.where(hit & ~(out <= std.intermediary_cost_cents), float(std.intermediary_cost_cents), out)
    return out


def _economics(offers, pairs, streams, needs, params: MatchParameters, kb: KnowledgeBase,
               forced: np.ndarray | None = None) -> pd.DataFrame:  # fmt: skip
    """Filter pairs by the rules of the trade and compute their value per unit (numpy arrays)."""
    columns = ["stream_id", "need_id", "s", "n", "category", "quality", "pretreatment", "basis",
               "distance_km", "road_km", "max_km", "supplier_avoided_cents", "receiver_avoided_cents",
               "transport_cents", "pretreatment_cents", "co2e_avoided_kg", "value_cents",
               "capacity_base", "month_bits", "freight_mode", "transport_co2e_kg", "forced_only",
               "handling_cents", "payload_t", "storage_months", "gate_fee_cents", "via_intermediary",
               "intermediary_cents", "unit", "conditions", "max_need_share", "same_use"]  # fmt: skip
    if not len(pairs):
        return pd.DataFrame(columns=columns)
    s = pairs["s"].to_numpy(dtype=np.int64)
    n = pairs["n"].to_numpy(dtype=np.int64)
    o = pairs["o"].to_numpy(dtype=np.int64)
    col = lambda table, name, rows, dtype=None: table[name].to_numpy(dtype=dtype)[rows]  # noqa: E731
    straight = haversine_km(col(streams, "lat", s, float), col(streams, "lon", s, float),
                            col(needs, "lat", n, float), col(needs, "lon", n, float))  # fmt: skip
    road = straight * params.road_factor

    # the receiving category decides transport mode, CO2 factors and default distance
    cat_ids = list(kb.categories)
    pair_cat = offers["category"].to_numpy(dtype=object)[o]
    need_cat = col(needs, "category", n, object)
    category_names = np.where(pair_cat != "", pair_cat, need_cat).astype(object)
    quality = offers["quality"].to_numpy(dtype=float)[o]
    pretreat_per_t = offers["pretreatment_cents"].to_numpy(dtype=float)[o]
    pretreatment = offers["pretreatment"].to_numpy(dtype=object)[o]
    _accepted_code_quality(offers, o, s, streams, need_cat, col(needs, "naf_code", n, object), kb,
                           quality, pretreat_per_t, category_names, pretreatment)  # fmt: skip
    category = pd.Categorical(category_names, categories=[*cat_ids, ""])
    code = category.codes  # -1 never happens: "" is a category; unknown ids map to -1 -> defaults
    def per_category(values: list[float], default: float) -> np.ndarray:
        table = np.array([*values, default, default], dtype=float)
        return table[np.where(code < 0, len(values) + 1, code)]
    cats = [kb.categories[c] for c in cat_ids]
    cat_max = per_category([_category_max_km(kb, c) for c in cat_ids], DEFAULT_MAX_DISTANCE_KM)
    pipe_eur = per_category([c.transport_cost_eur_per_unit_km or np.nan for c in cats], np.nan)
    pipe_ref = per_category([c.transport_reference_quantity or np.nan for c in cats], np.nan)
    pipe_exp = per_category([np.nan if c.pipe_cost_exponent is None else c.pipe_cost_exponent for c in cats], np.nan)
    virgin_co2 = per_category([c.virgin_co2e_kg_per_unit for c in cats], 0.0)
    landfill_co2 = per_category([c.landfill_co2e_kg_per_t for c in cats], 0.0)

    kb_max = offers["kb_max_km"].to_numpy(dtype=float)[o]
    default_km = np.where(np.isfinite(kb_max), kb_max, cat_max)

    # freight: road, or rail / ship when the category travels in bulk and both sites have access
    freight = _freight(kb, params)
    modes = list(freight)
    mode_ok = np.zeros((len(modes), len(s)), dtype=bool)
    mode_ok[0] = True  # road
    reach = np.zeros(len(s))
    for i, mode in enumerate(modes[1:], start=1):
        cost, handling, _, access = freight[mode]
        s_has = streams["freight_access"].str.contains(access, regex=False).to_numpy(dtype=bool)
        n_has = needs["freight_access"].str.contains(access, regex=False).to_numpy(dtype=bool)
        if not (s_has.any() and n_has.any()):
            continue  # nobody ships this way: road only (the common case)
        allowed = per_category([float(mode in c.freight_modes) for c in cats], 0.0) > 0
        mode_ok[i] = allowed & s_has[s] & n_has[n]
        reach = np.where(mode_ok[i], np.maximum(reach, bulk_reach_km(default_km, cost, handling,
                                                                      params.transport_cost_eur_per_tkm)), reach)  # fmt: skip
    max_km = pair_max_km(kb_max, cat_max, col(needs, "max_distance_km", n, float), params.max_distance_km, reach)

    s_unit, n_unit = col(streams, "unit", s, object), col(needs, "unit", n, object)
    is_m3, is_mwh = s_unit == str(Unit.M3), s_unit == str(Unit.MWH)
    mass = (s_unit == str(Unit.T)) | is_m3
    n_mass = (n_unit == str(Unit.T)) | (n_unit == str(Unit.M3))
    unit_ok = (s_unit == n_unit) | ((params.liquid_density_t_per_m3 == 1.0) & mass & n_mass)
    s_bits, n_bits = col(streams, "month_bits", s, np.int64), col(needs, "month_bits", n, np.int64)
    common_months = s_bits & n_bits
    piped = np.isfinite(pipe_eur) | is_mwh
    # a residue that keeps may be stored after production (heat and piped flows do not keep)
    state = col(streams, "physical_state", s, object)
    storage = storage_allowance(streams, s, category_names, piped)
    stored_reach = (logistics.reach_bits(s_bits, storage) & n_bits) != 0
    # the rules an implemented synergy must obey too (symbiose.stages); distance and value may not
    lawful = (
        unit_ok
        & (~col(streams, "hazardous", s, bool) | col(needs, "hazardous_permit", n, bool))
        & ((common_months != 0) | stored_reach)
        & (col(streams, "company_id", s, object) != col(needs, "company_id", n, object))
        & ~_withheld(kb, col(streams, "naf_code", s, object), col(streams, "ewc_code", s, object), category_names)
        & ~_approval_missing(kb, s, n, streams, needs, category_names)
    )
    # heat reaches a need only hot enough: the stream's temperature (stated, else its grade's
    # lowest) at least the need's stated minimum
    s_temp = col(streams, "temperature_c", s, float)
    s_temp = np.where(np.isfinite(s_temp), s_temp,
                      logistics.default_of("temperature_c", col(streams, "material", s, object)))  # fmt: skip
    hot_enough = ~(s_temp < col(needs, "min_temperature_c", n, float))  # NaN on either side: no limit
    # and cooling water only cold enough: at most the need's stated maximum (a condenser cools
    # nothing with warm water, BREF-ICS); NaN on either side: no limit
    cool_enough = ~(s_temp > col(needs, "max_temperature_c", n, float))
    fit, standard_ok = _fits(s, n, streams, needs, category_names, kb)
    keep = (road <= max_km + 1e-9) & lawful & hot_enough & cool_enough & fit

    tonnes_per_unit = np.where(is_m3, params.liquid_density_t_per_m3, 1.0)
    # the quantity the pair can trade: the months both exist (and storage where the residue keeps),
    # within the share of the need a condition allows (conditions.csv)
    condition_bits, need_share = _conditions(kb, streams, s, category_names)
    capacity = np.minimum(_capacity(streams, needs, s, n, storage), share_cap(needs, n, need_share))
    # a pipe is a fixed cost per km: below its reference flow, each unit carries more of it; above
    # it, a larger pipe costs more per km, far less than in proportion (compat.pipe_scale), over
    # the quantity the pair delivers in the season both exist
    pipe_scale = compat_pipe_scale(np.maximum(capacity, 1) / 1000, pipe_ref, pipe_exp)
    # a truck is full by weight or by volume: light bulk pays more per tonne, and each trip pays
    # its loading and unloading
    density = col(streams, "bulk_density_t_per_m3", s, float)
    density = np.where(np.isfinite(density), density, logistics.default_of("bulk_density_t_per_m3", category_names, state))
    payload_t, handling_trip = logistics.road_payload(state, density)
    if params.handling_eur_per_trip is not None:
        handling_trip = np.full(len(s), float(params.handling_eur_per_trip))
    handling_t = np.stack([handling_trip / payload_t if m == "road" else np.full(len(s), freight[m][1]) for m in modes])
    haul_t = np.stack([freight[m][0] * road * (logistics.REFERENCE_PAYLOAD_T / payload_t if m == "road" else 1.0)
                       for m in modes])  # fmt: skip
    per_t = np.where(mode_ok, handling_t + haul_t, np.inf)
    chosen = np.argmin(per_t, axis=0) if mode_ok[1:].any() else np.zeros(len(s), dtype=np.int64)
    co2_per_tkm = np.array([freight[m][2] for m in modes])[chosen]
    co2_per_tkm = np.where(chosen == 0, co2_per_tkm * logistics.REFERENCE_PAYLOAD_T / payload_t, co2_per_tkm)
    # mode codes: 0 road, 1.. bulk modes, len(modes) pipe
    mode_code = np.where(piped, len(modes), chosen)
    at = np.arange(len(s))
    handling_cents = np.where(piped, 0.0, handling_t[chosen, at] * tonnes_per_unit * 100)
    transport_cents = np.where(
        piped,
        np.nan_to_num(pipe_eur) * road * 100 * pipe_scale,
        per_t[chosen, at] * tonnes_per_unit * 100,
    )
    route = col(streams, "route", s, object)
    supplier = col(streams, "route_cost_cents", s, float)
    for name, delta in params.route_cost_delta_eur.items():
        supplier = supplier + np.where(route == name, delta * 100, 0.0)
    # a treatment outlet is paid to take the waste: its gate fee pays its treatment, a cost to the
    # network where a substitution saves the receiver its virgin input
    gate_fee = col(needs, "gate_fee_cents", n, float)
    receiver = quality * col(needs, "virgin_price_cents", n, float) - gate_fee
    # today's outlet already puts the stream to this use (its destination category is the pair's):
    # the fate is the same, so the pair is worth only the difference from today's route (the
    # producer's route cost against transport and any gate fee), with no virgin input and no CO2e
    # counted as avoided (only the truck's): the input it saves here, the stream's present
    # recycler buys elsewhere
    same_use = (col(streams, "destination_category", s, object) == category_names) & (category_names != "")
    if forced is not None:
        same_use &= ~forced  # an implemented synergy is today's route itself: valued as it is
    receiver = np.where(same_use, -gate_fee, receiver)
    pretreat = pretreat_per_t * tonnes_per_unit
    landfilled = route == str(Route.LANDFILL)
    truck = np.where(piped, 0.0, co2_per_tkm * road * tonnes_per_unit)
    co2e = quality * virgin_co2 + np.where(landfilled, landfill_co2 * tonnes_per_unit, 0.0) - truck
    co2e = np.where(same_use, -truck, co2e)  # the truck of the move only: the use is today's
    carbon_cents_per_kg = params.carbon_price_eur_per_t * 100 / 1000
    value = supplier + receiver - transport_cents - pretreat + carbon_cents_per_kg * co2e
    # a raw residue that fits a standard-bound need but does not meet its standard: a lead through
    # an intermediary that makes the product, worth the pair's value less the intermediary's service
    intermediary = _intermediary_cents(s, n, streams, needs, kb) * tonnes_per_unit
    lead = keep & ~standard_ok & np.isfinite(intermediary) & (value - np.nan_to_num(intermediary) > 0)
    keep &= standard_ok & (value > 0)
    passed = keep.copy()
    if forced is not None and forced.any():
        keep |= forced & lawful
    keep &= capacity > 0
    lead &= (capacity > 0) & ~keep

    idx = np.nonzero(keep | lead)[0]
    # the months of storage a pair's quantity relies on (0 where the common months suffice)
    storage_used = np.zeros(len(s), dtype=np.int64)
    kept_stored = idx[storage[idx] > 0]
    if len(kept_stored):
        fresh = logistics.seasonal_tradable(col(streams, "quantity_base", s[kept_stored], np.int64), s_bits[kept_stored],
                                            col(needs, "quantity_base", n[kept_stored], np.int64), n_bits[kept_stored],
                                            np.zeros(len(kept_stored)))  # fmt: skip
        storage_used[kept_stored] = np.where(capacity[kept_stored] > fresh, storage[kept_stored], 0)
    # streams and needs are sorted by id, so (s, n) order is the canonical (stream_id, need_id)
    # order; sorting the positions first builds the table once, in that order
    idx = idx[np.lexsort((n[idx], s[idx]))]
    stream_ids = streams["stream_id"].to_numpy(dtype=object)
    need_ids = needs["need_id"].to_numpy(dtype=object)
    def categorical(name: str) -> pd.Categorical:
        codes = pd.Categorical(offers[name].to_numpy(dtype=object))
        return pd.Categorical.from_codes(codes.codes[o][idx], categories=codes.categories)

    def texts(codes: np.ndarray, names, values: Callable[[], np.ndarray]) -> pd.Categorical:
        # the kept pairs' texts as categories, from integer codes (an empty table as pandas makes it)
        return sorted_categorical(codes, names) if len(idx) else pd.Categorical(values())

    unit_codes, unit_names = pd.factorize(streams["unit"].to_numpy(dtype=object))
    pre_codes, pre_names = pd.factorize(pretreatment[idx], use_na_sentinel=False)
    cond_bits, cond_of = np.unique(condition_bits[idx], return_inverse=True)

    arcs = pd.DataFrame({
        "stream_id": pd.Categorical.from_codes(s[idx], categories=pd.Index(stream_ids)) if len(stream_ids) else [],
        "need_id": pd.Categorical.from_codes(n[idx], categories=pd.Index(need_ids)) if len(need_ids) else [],
        "s": s[idx], "n": n[idx],
        "category": texts(code[idx], [*cat_ids, ""], lambda: np.asarray(category.astype(object))[idx]),
        "quality": quality[idx], "pretreatment": texts(pre_codes, [str(v) for v in pre_names], lambda: pretreatment[idx].astype(str)),
        "basis": categorical("basis"), "distance_km": straight[idx],
        "road_km": road[idx], "max_km": max_km[idx], "supplier_avoided_cents": supplier[idx],
        "receiver_avoided_cents": receiver[idx], "transport_cents": transport_cents[idx],
        "pretreatment_cents": pretreat[idx], "co2e_avoided_kg": co2e[idx], "value_cents": value[idx],
        "capacity_base": capacity[idx], "month_bits": common_months[idx],
        "freight_mode": pd.Categorical.from_codes(mode_code[idx], categories=[*modes, "pipe"]),
        "transport_co2e_kg": truck[idx],
        "forced_only": ~passed[idx],
        "handling_cents": handling_cents[idx], "payload_t": np.where(piped, np.nan, payload_t)[idx],
        "storage_months": storage_used[idx],
        "gate_fee_cents": gate_fee[idx],
        "via_intermediary": lead[idx],
        "intermediary_cents": np.where(lead[idx], np.nan_to_num(intermediary[idx]), 0.0),
        "unit": texts(unit_codes[s[idx]], unit_names, lambda: s_unit[idx]),
        "conditions": texts(cond_of, condition_ids(kb, cond_bits), lambda: condition_ids(kb, condition_bits[idx])),
        "max_need_share": need_share[idx],
        "same_use": same_use[idx],
    })  # fmt: skip
    return arcs
