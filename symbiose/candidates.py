"""Candidate pairs: which needs each stream could feed, how far, and what one unit is worth.

Candidates are data: one row per (stream, need) pair in a DataFrame built by vectorised code.
Compatibility comes from the knowledge base (a waste code substitutes a resource category), from
a need's own accepted codes or prefixes, or from a stream's ``material`` equal to a need's
category. Distances are pruned with a k-d tree over unit-sphere coordinates (exact chord bound
for the great-circle radius), then computed with vectorised haversine, never geopy in a loop.

Per unit of the stream's declared unit, an arc carries (all money in cents, CO2e in kg):

* ``supplier_avoided_cents``: the producer's current route cost (gate fee, TGAP, collection);
* ``receiver_avoided_cents``: ``quality`` x the receiver's virgin price;
* ``transport_cents``: cost per t.km x road km (heat: pipe cost per MWh.km);
* ``pretreatment_cents``: from the knowledge base;
* ``co2e_avoided_kg``: virgin production avoided + landfill avoided - truck emissions;
* ``value_cents``: the sum the network gains per unit, the solver's arc value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from symbiose.compat import KnowledgeBase, load_knowledge_base
from symbiose.domain import Network, Route, month_mask
from symbiose.errors import ValidationError
from symbiose.geo import EARTH_RADIUS_KM, haversine_km
from symbiose.params import MatchParameters
from symbiose.ranges import check_solver_range
from symbiose.reference import ewc_entries
from symbiose.units import Unit

DEFAULT_MAX_DISTANCE_KM = 100.0  # for a need that accepts codes outside any known category
ALL_MONTHS = (1 << 12) - 1


def unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (n x 3) for k-d tree queries."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def chord_for_km(km: float) -> float:
    """Chord length on the unit sphere of a great-circle distance in km."""
    return 2.0 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2.0)


def _mask_bits(months: tuple[int, ...]) -> int:
    return sum(1 << i for i, on in enumerate(month_mask(months)) if on)


def _companies(network: Network, what: str, records) -> dict:
    companies = {c.id: c for c in network.companies}
    missing = sorted({r.company_id for r in records} - set(companies))
    if missing:
        raise ValidationError(f"a {what} refers to company '{missing[0]}', which is not in the network; "
                              "add the company or correct the company_id")  # fmt: skip
    return companies


def stream_table(network: Network) -> pd.DataFrame:
    """One row per stream with its company's location, hazard flag and month mask."""
    companies = _companies(network, "stream", network.streams)
    entries = ewc_entries()
    rows = []
    for s in sorted(network.streams, key=lambda x: x.id):
        c = companies[s.company_id]
        entry = entries.get(s.ewc_code) if s.ewc_code else None
        rows.append(
            (s.id, s.company_id, c.latitude, c.longitude, s.ewc_code, s.material, str(s.unit),
             str(s.physical_state), s.quantity_base, bool(entry and entry.hazardous),
             _mask_bits(s.months), str(s.route), s.route_cost_cents, s.description)
        )  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=["stream_id", "company_id", "lat", "lon", "ewc_code", "material", "unit",
                 "physical_state", "quantity_base", "hazardous", "month_bits", "route",
                 "route_cost_cents", "description"],
    )  # fmt: skip


def need_table(network: Network) -> pd.DataFrame:
    """One row per need with its company's location and month mask."""
    companies = _companies(network, "need", network.needs)
    rows = []
    for n in sorted(network.needs, key=lambda x: x.id):
        c = companies[n.company_id]
        rows.append(
            (n.id, n.company_id, c.latitude, c.longitude, n.category, n.accepted_codes,
             str(n.unit), n.quantity_base, n.virgin_price_cents,
             np.nan if n.max_distance_km is None else float(n.max_distance_km),
             _mask_bits(n.months), n.hazardous_permit, n.description, c.naf_code)
        )  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=["need_id", "company_id", "lat", "lon", "category", "accepted_codes", "unit",
                 "quantity_base", "virgin_price_cents", "max_distance_km", "month_bits",
                 "hazardous_permit", "description", "naf_code"],
    )  # fmt: skip


@dataclass(frozen=True)
class Candidates:
    """Candidate arcs with the stream and need tables they index into."""

    arcs: pd.DataFrame
    streams: pd.DataFrame
    needs: pd.DataFrame
    params: MatchParameters

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
                        "basis": "the receiver accepts this waste code",
                    }
                )
            )
    material = streams[streams["material"] != ""]
    if len(material):
        parts.append(
            pd.DataFrame(
                {
                    "s": material.index.to_numpy(),
                    "key": "cat:" + material["material"],
                    "category": material["material"],
                    "quality": 1.0,
                    "pretreatment": "none",
                    "pretreatment_cents": 0.0,
                    "kb_max_km": np.nan,
                    "basis": "same resource as the one the receiver uses",
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
    """(need row, key) for every way a need accepts a supply."""
    parts = []
    by_cat = needs[needs["category"] != ""]
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
    offers = _offers(streams, kb)
    pairs = _pairs(offers, streams, needs, params, kb)
    forced = np.zeros(len(pairs), dtype=bool)
    if forced_pairs:
        offers, pairs, forced = _add_forced(offers, pairs, streams, needs, forced_pairs)
    arcs = _economics(offers, pairs, streams, needs, params, kb, forced)
    if excluded_pairs and len(arcs):
        keys = pd.MultiIndex.from_arrays([arcs["stream_id"], arcs["need_id"]])
        arcs = arcs[~keys.isin(list(excluded_pairs))].reset_index(drop=True)
    return Candidates(arcs=arcs, streams=streams, needs=needs, params=params)


def _category_max_km(kb: KnowledgeBase, category: str) -> float:
    cat = kb.categories.get(category)
    if cat is None or cat.max_distance_km is None or not np.isfinite(cat.max_distance_km):
        return DEFAULT_MAX_DISTANCE_KM
    return float(cat.max_distance_km)


PAIR_COLUMNS = ["o", "s", "n"]


def _pairs(offers, streams, needs, params: MatchParameters, kb: KnowledgeBase) -> pd.DataFrame:
    """Spatially pruned compatible pairs: offer row o (stream s and its KB attributes), need row n."""
    accepts = _accepts(needs)
    if not len(offers) or not len(accepts):
        return pd.DataFrame({c: np.zeros(0, np.int64) for c in PAIR_COLUMNS})
    s_xyz = unit_vectors(streams["lat"].to_numpy(), streams["lon"].to_numpy())
    n_xyz = unit_vectors(needs["lat"].to_numpy(), needs["lon"].to_numpy())
    found = []
    accepts_by_key = {key: grp["n"].to_numpy() for key, grp in accepts.groupby("key", sort=False)}
    for key, grp in offers.groupby("key", sort=False):
        n_rows = accepts_by_key.get(key)
        if n_rows is None:
            continue
        if key.startswith("cat:"):
            radius_road = max(_category_max_km(kb, key[4:]), np.nanmax(grp["kb_max_km"].to_numpy(), initial=0))
        else:
            # as far as any category allows: the exact limit is applied pair by pair afterwards
            radius_road = max([DEFAULT_MAX_DISTANCE_KM, *(_category_max_km(kb, c) for c in kb.categories)])
        if params.max_distance_km is not None:
            radius_road = min(radius_road, params.max_distance_km)
        radius = chord_for_km(radius_road / params.road_factor * (1 + 1e-9))
        tree = cKDTree(n_xyz[n_rows])
        points = s_xyz[grp["s"].to_numpy()]
        if params.max_candidates_per_stream is None:
            # every compatible need within reach: adding a need never removes a candidate
            hits = tree.query_ball_point(points, radius, return_sorted=False)
            lengths = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
            g_rows = np.repeat(np.arange(len(grp)), lengths)
            n_local = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits]) if lengths.sum() else np.zeros(0, np.int64)
        else:
            k = min(params.max_candidates_per_stream, len(n_rows))
            _, hit = tree.query(points, k=k, distance_upper_bound=radius)
            hit = hit.reshape(len(grp), k)
            g_rows, cols = np.nonzero(hit < len(n_rows))
            n_local = hit[g_rows, cols]
        found.append((grp.index.to_numpy()[g_rows], n_rows[n_local]))
    if not found:
        return pd.DataFrame({c: np.zeros(0, np.int64) for c in PAIR_COLUMNS})
    o = np.concatenate([f[0] for f in found]).astype(np.int64)
    n = np.concatenate([f[1] for f in found]).astype(np.int64)
    s = offers["s"].to_numpy(np.int64)[o]
    quality = offers["quality"].to_numpy(float)[o]
    # a need that accepts a code explicitly and also by category: keep the best quality
    order = np.lexsort((-quality, n, s))
    o, s, n = o[order], s[order], n[order]
    s_n = s * (len(needs) + 1) + n
    first = np.ones(len(s_n), dtype=bool)
    first[1:] = s_n[1:] != s_n[:-1]
    return pd.DataFrame({"o": o[first], "s": s[first], "n": n[first]})


def _add_forced(offers, pairs, streams, needs, forced_pairs):
    """Add implemented synergies missing from the pairs, as offers of their own."""
    s_of = {sid: i for i, sid in enumerate(streams["stream_id"])}
    n_of = {nid: i for i, nid in enumerate(needs["need_id"])}
    wanted = {(s_of[a], n_of[b]) for a, b in forced_pairs if a in s_of and b in n_of}
    present = set(zip(pairs["s"].tolist(), pairs["n"].tolist(), strict=True))
    extra = sorted(wanted - present)
    if extra:
        new_offers = pd.DataFrame({
            "s": [a for a, _ in extra], "key": "forced",
            "category": [needs["category"].iat[b] for _, b in extra], "quality": 1.0,
            "pretreatment": "none", "pretreatment_cents": 0.0, "kb_max_km": np.nan,
            "basis": "an implemented synergy",
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
    code), else the code's best known use; with no rule at all, quality 1.
    """
    from symbiose.compat import normalize_nace

    from_code = np.char.startswith(offers["key"].to_numpy(dtype=str)[o], "ewc:")
    rows = np.nonzero(from_code)[0]
    if not len(rows):
        return
    codes = streams["ewc_code"].to_numpy(dtype=object)[s[rows]]
    table = kb.compatible_pairs(sorted(set(codes)))
    by_code: dict[str, list[tuple[float, float, str, str]]] = {}
    for c, cat, q, pc, pt in zip(table["code"], table["category"], table["quality"],
                                 table["pretreatment_cost_cents"], table["pretreatment"], strict=True):  # fmt: skip
        by_code.setdefault(c, []).append((q, pc, cat, pt))
    exact = {(c, rule[2]): rule for c, rules in by_code.items() for rule in rules}
    naf = need_naf
    sector_cache: dict[str, set[str]] = {}

    def sector(code: str) -> set[str]:
        if code not in sector_cache:
            try:
                sector_cache[code] = kb.categories_for_nace(normalize_nace(code)) if code else set()
            except ValueError:
                sector_cache[code] = set()
        return sector_cache[code]

    for i, r in enumerate(rows):
        found = exact.get((codes[i], need_cat[r]))
        if found is None and not need_cat[r]:
            uses = sector(naf[r])
            fitting = [rule for rule in by_code.get(codes[i], []) if rule[2] in uses]
            found = max(fitting) if fitting else None
        if found is None and not need_cat[r] and by_code.get(codes[i]):
            found = max(by_code[codes[i]])  # the code's best known use
        if found is not None:
            quality[r], pretreat_per_t[r], cat, pretreatment[r] = found
            if not need_cat[r]:
                category[r] = cat  # its CO2e factors and distance apply
        else:
            quality[r] = 1.0


def _economics(offers, pairs, streams, needs, params: MatchParameters, kb: KnowledgeBase,
               forced: np.ndarray | None = None) -> pd.DataFrame:  # fmt: skip
    """Filter pairs by the rules of the trade and compute their value per unit (numpy arrays)."""
    columns = ["stream_id", "need_id", "s", "n", "category", "quality", "pretreatment", "basis",
               "distance_km", "road_km", "max_km", "supplier_avoided_cents", "receiver_avoided_cents",
               "transport_cents", "pretreatment_cents", "co2e_avoided_kg", "value_cents",
               "capacity_base", "month_bits", "unit"]  # fmt: skip
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
    virgin_co2 = per_category([c.virgin_co2e_kg_per_unit for c in cats], 0.0)
    landfill_co2 = per_category([c.landfill_co2e_kg_per_t for c in cats], 0.0)

    kb_max = offers["kb_max_km"].to_numpy(dtype=float)[o]
    max_km = np.where(np.isfinite(kb_max), kb_max, cat_max)
    max_km = np.fmin(max_km, col(needs, "max_distance_km", n, float))
    if params.max_distance_km is not None:
        max_km = np.minimum(max_km, params.max_distance_km)

    s_unit, n_unit = col(streams, "unit", s, object), col(needs, "unit", n, object)
    is_m3, is_mwh = s_unit == str(Unit.M3), s_unit == str(Unit.MWH)
    mass = (s_unit == str(Unit.T)) | is_m3
    n_mass = (n_unit == str(Unit.T)) | (n_unit == str(Unit.M3))
    unit_ok = (s_unit == n_unit) | ((params.liquid_density_t_per_m3 == 1.0) & mass & n_mass)
    common_months = col(streams, "month_bits", s, np.int64) & col(needs, "month_bits", n, np.int64)
    # the rules an implemented synergy must obey too (symbiose.stages); distance and value may not
    lawful = (
        unit_ok
        & (~col(streams, "hazardous", s, bool) | col(needs, "hazardous_permit", n, bool))
        & (common_months != 0)
        & (col(streams, "company_id", s, object) != col(needs, "company_id", n, object))
    )
    keep = (road <= max_km + 1e-9) & lawful

    tonnes_per_unit = np.where(is_m3, params.liquid_density_t_per_m3, 1.0)
    piped = np.isfinite(pipe_eur) | is_mwh
    capacity = np.minimum(col(streams, "quantity_base", s, np.int64), col(needs, "quantity_base", n, np.int64))
    # a pipe is a fixed cost per km: below its reference flow, each unit carries more of it
    # (spread over the quantity the pair can exchange)
    pipe_scale = np.where(np.isfinite(pipe_ref),
                          np.maximum(1.0, np.nan_to_num(pipe_ref) * 1000 / np.maximum(capacity, 1)), 1.0)  # fmt: skip
    transport_cents = np.where(
        piped,
        np.nan_to_num(pipe_eur) * road * 100 * pipe_scale,
        params.transport_cost_eur_per_tkm * road * tonnes_per_unit * 100,
    )
    route = col(streams, "route", s, object)
    supplier = col(streams, "route_cost_cents", s, float)
    for name, delta in params.route_cost_delta_eur.items():
        supplier = supplier + np.where(route == name, delta * 100, 0.0)
    receiver = quality * col(needs, "virgin_price_cents", n, float)
    pretreat = pretreat_per_t * tonnes_per_unit
    landfilled = route == str(Route.LANDFILL)
    truck = np.where(piped, 0.0, params.truck_co2e_kg_per_tkm * road * tonnes_per_unit)
    co2e = quality * virgin_co2 + np.where(landfilled, landfill_co2 * tonnes_per_unit, 0.0) - truck
    carbon_cents_per_kg = params.carbon_price_eur_per_t * 100 / 1000
    value = supplier + receiver - transport_cents - pretreat + carbon_cents_per_kg * co2e
    keep &= value > 0
    passed = keep.copy()
    if forced is not None and forced.any():
        keep |= forced & lawful
    keep &= capacity > 0

    idx = np.nonzero(keep)[0]
    stream_ids = streams["stream_id"].to_numpy(dtype=object)
    need_ids = needs["need_id"].to_numpy(dtype=object)
    def categorical(name: str) -> pd.Categorical:
        codes = pd.Categorical(offers[name].to_numpy(dtype=object))
        return pd.Categorical.from_codes(codes.codes[o][idx], categories=codes.categories)

    arcs = pd.DataFrame({
        "stream_id": pd.Categorical.from_codes(s[idx], categories=pd.Index(stream_ids)) if len(stream_ids) else [],
        "need_id": pd.Categorical.from_codes(n[idx], categories=pd.Index(need_ids)) if len(need_ids) else [],
        "s": s[idx], "n": n[idx],
        "category": pd.Categorical(np.asarray(category.astype(object))[idx]),
        "quality": quality[idx], "pretreatment": categorical("pretreatment"),
        "basis": categorical("basis"), "distance_km": straight[idx],
        "road_km": road[idx], "max_km": max_km[idx], "supplier_avoided_cents": supplier[idx],
        "receiver_avoided_cents": receiver[idx], "transport_cents": transport_cents[idx],
        "pretreatment_cents": pretreat[idx], "co2e_avoided_kg": co2e[idx], "value_cents": value[idx],
        "capacity_base": capacity[idx], "month_bits": common_months[idx],
        "forced_only": ~passed[idx],
        "unit": pd.Categorical(s_unit[idx]),
    })  # fmt: skip
    # streams and needs are sorted by id, so (s, n) order is the canonical (stream_id, need_id) order
    order = np.lexsort((arcs["n"].to_numpy(), arcs["s"].to_numpy()))
    return arcs.iloc[order].reset_index(drop=True)
