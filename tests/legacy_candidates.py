"""The candidate search as it was before each need's own radius (issue 12), kept as a test oracle.

``legacy_pairs`` searches every key group with the largest radius any pair of the group could
need under the distance rule of :func:`symbiose.candidates.pair_max_km` (issue 10: a receiver's
own maximum replaces the default, rail or ship access extends the default to its break-even
reach), and ``legacy_accepted_code_quality`` resolved accepted codes pair by pair in Python. The
tests swap them into :mod:`symbiose.candidates` and check that the arcs are the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from symbiose.candidates import (
    DEFAULT_MAX_DISTANCE_KM,
    PAIR_COLUMNS,
    _accepts,
    _category_max_km,
    _key_reach_km,
    chord_for_km,
    unit_vectors,
)
from symbiose.compat import KnowledgeBase
from symbiose.params import MatchParameters


def legacy_pairs(offers, streams, needs, params: MatchParameters, kb: KnowledgeBase) -> pd.DataFrame:
    """Spatially pruned compatible pairs: offer row o (stream s and its KB attributes), need row n."""
    accepts = _accepts(needs)
    if not len(offers) or not len(accepts):
        return pd.DataFrame({c: np.zeros(0, np.int64) for c in PAIR_COLUMNS})
    s_xyz = unit_vectors(streams["lat"].to_numpy(), streams["lon"].to_numpy())
    n_xyz = unit_vectors(needs["lat"].to_numpy(), needs["lon"].to_numpy())
    found = []
    accepts_by_key = {key: grp["n"].to_numpy() for key, grp in accepts.groupby("key", sort=False)}
    accesses = {a for text in (*streams["freight_access"], *needs["freight_access"]) for a in text.split(";") if a}
    need_max = needs["max_distance_km"].to_numpy(dtype=float)
    for key, grp in offers.groupby("key", sort=False):
        n_rows = accepts_by_key.get(key)
        if n_rows is None:
            continue
        if key.startswith("cat:"):
            road_km = max(_category_max_km(kb, key[4:]), np.nanmax(grp["kb_max_km"].to_numpy(), initial=0))
            radius_road = _key_reach_km(kb, params, key[4:], road_km, accesses)
        else:
            # as far as any category allows: the exact limit is applied pair by pair afterwards
            radius_road = max([DEFAULT_MAX_DISTANCE_KM, *(_key_reach_km(kb, params, c, _category_max_km(kb, c), accesses)
                                                         for c in kb.categories)])  # fmt: skip
        # a receiver's own maximum replaces the default, so it may reach further
        radius_road = max(radius_road, np.nanmax(need_max[n_rows], initial=0.0))
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
    # a stream that meets several of a need's keys (a code and its prefix): keep the best quality
    order = np.lexsort((-quality, n, s))
    o, s, n = o[order], s[order], n[order]
    s_n = s * (len(needs) + 1) + n
    first = np.ones(len(s_n), dtype=bool)
    first[1:] = s_n[1:] != s_n[:-1]
    return pd.DataFrame({"o": o[first], "s": s[first], "n": n[first]})



def legacy_accepted_code_quality(offers, o, s, streams, need_cat, need_naf, kb: KnowledgeBase,
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
        pool: list = []
        if found is None and not need_cat[r]:
            uses = sector(naf[r])
            pool = [rule for rule in by_code.get(codes[i], []) if rule[2] in uses]
            found = max(pool) if pool else None
        if found is None and not need_cat[r] and by_code.get(codes[i]):
            pool = by_code[codes[i]]
            found = max(pool)  # the code's best known use
        if found is not None:
            quality[r], pretreat_per_t[r], cat, pretreatment[r] = found
            # issue 11: two categories equally good (quality and cost) leave the category unnamed
            tied = {rule[2] for rule in pool if rule[:2] == found[:2]}
            if not need_cat[r] and len(tied) <= 1:
                category[r] = cat  # its CO2e factors and distance apply
        else:
            quality[r] = 1.0
