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

import itertools
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


def chord_for_km(km):
    """Chord length on the unit sphere of a great-circle distance in km (vectorised)."""
    return 2.0 * np.sin(np.minimum(np.asarray(km, dtype=float) / EARTH_RADIUS_KM, np.pi) / 2.0)


def _search_chord(road_km, road_factor: float):
    """The k-d tree radius that holds every pair within ``road_km`` by road (with a margin)."""
    return chord_for_km((np.asarray(road_km, dtype=float) + 1e-9) / road_factor * (1 + 1e-9))


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
    arcs = _economics_by_chunks(offers, pairs, streams, needs, params, kb, forced)
    if excluded_pairs and len(arcs):
        keys = pd.MultiIndex.from_arrays([arcs["stream_id"], arcs["need_id"]])
        arcs = arcs[~keys.isin(list(excluded_pairs))].reset_index(drop=True)
    return Candidates(arcs=arcs, streams=streams, needs=needs, params=params)


def _category_max_km(kb: KnowledgeBase, category: str) -> float:
    cat = kb.categories.get(category)
    if cat is None or cat.max_distance_km is None or not np.isfinite(cat.max_distance_km):
        return DEFAULT_MAX_DISTANCE_KM
    return float(cat.max_distance_km)


def pair_max_km(rule_km, category_km, need_km, scenario_km: float | None = None) -> np.ndarray:
    """The furthest road distance a pair may span, in km (vectorised over pairs).

    ``rule_km``: the knowledge-base rule's own limit (NaN where the rule gives none, or where the
    pair does not come from a rule); ``category_km``: the receiving category's default;
    ``need_km``: the need's own maximum (NaN = none); ``scenario_km``: a scenario's global cap.
    The one place that decides a pair's reach: the spatial search asks it for the radius around
    each need (with the largest inputs the need may meet) and the filters for each pair.
    """
    rule_km = np.asarray(rule_km, dtype=float)
    limit = np.where(np.isfinite(rule_km), rule_km, np.asarray(category_km, dtype=float))
    limit = np.fmin(limit, np.asarray(need_km, dtype=float))
    if scenario_km is not None:
        limit = np.minimum(limit, scenario_km)
    return limit


PAIR_COLUMNS = ["o", "s", "n"]
NEED_CHUNK = 4096  # needs queried at once: bounds the lists of hits held in memory
RIVAL_CHUNK = 200_000  # pairs whose rival ways are looked up at once


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({c: np.zeros(0, np.int64) for c in PAIR_COLUMNS})


def _limits(key: str, grp: pd.DataFrame, kb: KnowledgeBase) -> set[tuple[float, float]]:
    """The distinct (rule limit, category default) the pairs of a key group may carry."""
    if key.startswith("cat:"):
        category_km = _category_max_km(kb, key[4:])
        return {(np.nan, category_km)} | {(float(r), category_km) for r in grp["kb_max_km"].to_numpy(dtype=float)}
    # an accepted code: the pair takes the need's category, else the one the code resolves to
    return {(np.nan, max([DEFAULT_MAX_DISTANCE_KM, *(_category_max_km(kb, c) for c in kb.categories)]))}


def _group_search_km(key: str, grp: pd.DataFrame, params: MatchParameters, kb: KnowledgeBase) -> float:
    """The furthest any pair of a key group may reach whatever the need (road km)."""
    return float(max(pair_max_km(r, c, np.inf, params.max_distance_km) for r, c in _limits(key, grp, kb)))


def _group_radius_km(key: str, grp: pd.DataFrame, need_km: np.ndarray, params: MatchParameters,
                     kb: KnowledgeBase) -> np.ndarray:  # fmt: skip
    """Per need of a key group: the furthest any of the group's offers may reach it (road km).

    An upper bound of :func:`pair_max_km` over the pairs the need may form in the group: its
    maximum over the distinct (rule limit, category default) the pairs may carry.
    """
    radius = np.full(len(need_km), -np.inf)
    for rule_km, category_km in _limits(key, grp, kb):
        radius = np.fmax(radius, pair_max_km(rule_km, category_km, need_km, params.max_distance_km))
    return radius


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
    need_cat = needs["category"].to_numpy(dtype=object)
    need_own_km = needs["max_distance_km"].to_numpy(dtype=float)
    found = []
    search_km = np.full(len(offers), np.nan)  # per offer: its group's reach whatever the need
    accepts_by_key = {key: grp["n"].to_numpy() for key, grp in accepts.groupby("key", sort=False)}
    for key, grp in offers.groupby("key", sort=False):
        n_rows = accepts_by_key.get(key)
        if n_rows is None:
            continue
        o_rows = grp.index.to_numpy()
        search_km[o_rows] = _group_search_km(key, grp, params, kb)
        if params.max_candidates_per_stream is None:
            g_rows, n_local = _within_reach(key, grp, n_rows, s_xyz, n_xyz, need_cat, need_own_km, params, kb)
        else:
            g_rows, n_local = _nearest(key, grp, n_rows, s_xyz, n_xyz, params, kb)
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


def _within_reach(key, grp, n_rows, s_xyz, n_xyz, need_cat, need_own_km, params, kb):
    """(group row, need position) of every offer within each need's own reach."""
    need_km = need_own_km[n_rows]
    if key.startswith("ewc:"):
        # a need with a category gives the pair its category's reach
        has_cat = need_cat[n_rows] != ""
        radius_km = _group_radius_km(key, grp, need_km, params, kb)
        for cat in set(need_cat[n_rows][has_cat]):
            rows = has_cat & (need_cat[n_rows] == cat)
            radius_km[rows] = pair_max_km(np.nan, _category_max_km(kb, cat), need_km[rows], params.max_distance_km)
    else:
        radius_km = _group_radius_km(key, grp, need_km, params, kb)
    reach = np.isfinite(radius_km) & (radius_km >= 0)
    chord = np.where(reach, _search_chord(np.where(reach, radius_km, 0.0), params.road_factor), -1.0)
    tree = cKDTree(s_xyz[grp["s"].to_numpy()])
    g_parts, n_parts = [], []
    targets = np.nonzero(reach)[0]
    for start in range(0, len(targets), NEED_CHUNK):
        local = targets[start:start + NEED_CHUNK]
        hits = tree.query_ball_point(n_xyz[n_rows[local]], chord[local], return_sorted=False)
        lengths = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
        if not lengths.sum():
            continue
        g_parts.append(np.fromiter(itertools.chain.from_iterable(hits), dtype=np.int64, count=int(lengths.sum())))
        n_parts.append(np.repeat(local, lengths))
    if not g_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    g_rows, n_local = np.concatenate(g_parts), np.concatenate(n_parts)
    order = np.lexsort((n_local, g_rows))  # offer by offer, as the nearest-k search gives them
    return g_rows[order], n_local[order]


def _nearest(key, grp, n_rows, s_xyz, n_xyz, params, kb):
    """(group row, need position) of each offer's nearest compatible needs within the group's
    largest reach (``max_candidates_per_stream``; the exact reach is applied pair by pair)."""
    radius = chord_for_km(_group_search_km(key, grp, params, kb) / params.road_factor * (1 + 1e-9))
    tree = cKDTree(n_xyz[n_rows])
    points = s_xyz[grp["s"].to_numpy()]
    k = min(params.max_candidates_per_stream, len(n_rows))
    _, hit = tree.query(points, k=k, distance_upper_bound=radius)
    hit = hit.reshape(len(grp), k)
    g_rows, cols = np.nonzero(hit < len(n_rows))
    return g_rows, hit[g_rows, cols]


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
    code), else the code's best known use; with no rule at all, quality 1. "Best" is the highest
    quality, then pre-treatment cost, category and pre-treatment name. Resolved once per distinct
    (code, need category, NAF code) by joins on the knowledge base's rules, then spread to pairs.
    """
    from_code = np.char.startswith(offers["key"].to_numpy(dtype=str)[o], "ewc:")
    rows = np.nonzero(from_code)[0]
    if not len(rows):
        return
    asked = pd.DataFrame({
        "code": streams["ewc_code"].to_numpy(dtype=object)[s[rows]],
        "need_category": need_cat[rows],
        "naf": pd.Series(need_naf[rows], dtype=object).fillna("").to_numpy(dtype=object),
    })  # fmt: skip
    combo = asked.groupby(["code", "need_category", "naf"], sort=False).ngroup().to_numpy()
    unique = asked.drop_duplicates(["code", "need_category", "naf"]).reset_index(drop=True)
    unique["combo"] = np.arange(len(unique))
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
                              ascending=False, kind="stable").drop_duplicates("combo")  # fmt: skip
    chosen = pd.concat([exact, open_], ignore_index=True)
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
    retag = hit & (need_cat[rows] == "")
    category[rows[retag]] = by_combo["category"][combo][retag]  # its CO2e factors and distance apply


def _sector_categories(kb: KnowledgeBase, naf: str) -> set[str]:
    """The categories a receiver's sector uses (none for a missing or malformed NAF code)."""
    from symbiose.compat import normalize_nace

    try:
        return kb.categories_for_nace(normalize_nace(naf)) if naf else set()
    except ValueError:
        return set()


ECONOMICS_CHUNK = 400_000  # pairs valued at once: the temporaries stay small on large networks


def _economics_by_chunks(offers, pairs, streams, needs, params, kb, forced) -> pd.DataFrame:
    """:func:`_economics` over blocks of pairs, concatenated: the same table, less memory."""
    if len(pairs) <= ECONOMICS_CHUNK:
        return _economics(offers, pairs, streams, needs, params, kb, forced)
    parts = [
        _economics(offers, pairs.iloc[i:i + ECONOMICS_CHUNK].reset_index(drop=True), streams, needs, params, kb,
                   forced[i:i + ECONOMICS_CHUNK])
        for i in range(0, len(pairs), ECONOMICS_CHUNK)
    ]  # fmt: skip
    arcs = pd.concat(parts, ignore_index=True)
    del parts
    for name in ("category", "unit"):  # categories of each block differ: the whole table's
        arcs[name] = arcs[name].astype(str).astype("category")
    s, n = arcs["s"].to_numpy(), arcs["n"].to_numpy()
    key = s * (len(needs) + 1) + n
    if len(key) > 1 and (np.diff(key) < 0).any():  # implemented pairs come last: canonical order
        arcs = arcs.iloc[np.lexsort((n, s))].reset_index(drop=True)
    return arcs


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
    max_km = pair_max_km(kb_max, cat_max, col(needs, "max_distance_km", n, float), params.max_distance_km)

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
    # streams and needs are sorted by id, so (s, n) order is the canonical (stream_id, need_id)
    # order; sorting the positions first builds the table once, in that order
    idx = idx[np.lexsort((n[idx], s[idx]))]
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
    return arcs
