"""What the Partners page's blind shows and hides on the demo network (figures for the docs).

Usage:
    python scripts/blind_figures.py

Prints: candidate pairs and those shown on a page (worth it for every value of both sides'
bands); the suggestions' one-sidedness (supplier-side suggestions absent from the receiver's
own list) against the new banded lists; the level at which partners' activities are shown (k = 3,
same distance band). The leak itself is measured by ``tests/test_blind.py``.
"""

from __future__ import annotations

import collections

import numpy as np

from symbiose import blinding
from symbiose.bundle import read_bundle
from symbiose.compat import load_knowledge_base
from symbiose.matching import run_match
from symbiose.reference import data_dir

SHOWN_PER_ITEM = 5


def main() -> None:
    network = read_bundle(data_dir() / "demo")
    result = run_match(network)
    pairs = blinding.pair_table(result.candidates)
    pipes = blinding.pipe_costs(load_knowledge_base())
    visible = np.array([blinding.visible(row, pipes=pipes) for row in pairs.itertuples()])
    print(f"candidate pairs {len(pairs)}, shown on a page (worth it over both sides' bands) {visible.sum()}")
    old = result.suggestions
    supplier_side = old[old["side"] == "stream"]
    receiver_side = set(zip(old.loc[old["side"] == "need", "stream_id"], old.loc[old["side"] == "need", "need_id"],
                            strict=True))  # fmt: skip
    absent = sum(pair not in receiver_side for pair in zip(supplier_side["stream_id"], supplier_side["need_id"],
                                                            strict=True))  # fmt: skip
    print(f"old lists: supplier-side suggestions {len(supplier_side)}, absent from the receiver's list {absent}")
    companies = {c.id: c for c in network.companies}
    k = blinding.k_anonymity()
    levels: collections.Counter = collections.Counter()
    top: dict[str, set] = {}
    sides = ((blinding.SUPPLIER, "stream_id", "supplier_id", "receiver_id"),
             (blinding.RECEIVER, "need_id", "receiver_id", "supplier_id"))  # fmt: skip
    for side, item, viewer, partner in sides:
        blinds: dict[str, blinding.ActivityBlind] = {}
        shown: set = set()
        for (_item, viewer_id), group in pairs[visible].groupby([item, viewer]):
            blind = blinds.setdefault(viewer_id, blinding.ActivityBlind(
                network.companies, companies[viewer_id], road_factor=result.candidates.params.road_factor, k=k))
            banded = [blinding.band_pair(row, side, activity=blind.coarse(getattr(row, partner)), pipes=pipes)
                      for row in group.itertuples()]  # fmt: skip
            best = blinding.ranked(banded)[:SHOWN_PER_ITEM]
            shown |= {(p.stream_id, p.need_id) for p in best}
            levels.update((p.activity.level + (" (distance widened)" if p.activity.widened else ""))
                          if p.activity else "not shown" for p in best)  # fmt: skip
        top[side] = shown
    missing = len(top[blinding.SUPPLIER] - top[blinding.RECEIVER])
    print(f"banded lists: supplier-side {len(top[blinding.SUPPLIER])}, absent from the receiver's own list "
          f"{missing} (an interest reaches it under 'Requests received')")  # fmt: skip
    print(f"activity level of the partners shown (k = {k}):", dict(levels))


if __name__ == "__main__":
    main()
