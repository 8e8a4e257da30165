"""The shareable reason (``reason_public``, ``motif_partage``) attacked: a partner who reads it,
knows the public parameters (the freight rate per t.km) and its own data, tries to solve it back
into the pair's value per unit, hence into the other side's price or route cost."""

from __future__ import annotations

import re

import numpy as np
import pytest

from symbiose.i18n import language

NUMBER = re.compile(r"-?\d[\d\u202f\u00a0 ]*(?:,\d+)?")


def _numbers(text: str) -> list[float]:
    return [float(m.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", "."))
            for m in NUMBER.findall(text)]  # fmt: skip


@pytest.fixture(scope="module")
def suggestions(demo_result):
    from symbiose.suggestions import suggest

    with language("fr"):
        return suggest(demo_result.candidates, demo_result.allocation)


def test_no_number_of_the_public_reason_solves_back_into_the_value(suggestions, demo_result):
    """Every number N of the public text is tried as a break-even distance: (N - road km) x the
    cost per km (public: the text's transport cost over its road km) would be the value per unit.
    Before the fix the break-even gave every row's value to within a cent or two a unit."""
    # leads through an intermediary state the intermediary's public price, which may equal a
    # break-even by chance; a value under half a km's transport cannot be told from zero
    rows = suggestions[np.isfinite(suggestions["breakeven_km"]) & (suggestions["road_km"] > 1)
                       & (suggestions["outlet"] != "intermediary")]  # fmt: skip
    slope = rows["value_eur_per_unit"] / (rows["breakeven_km"] - rows["road_km"])
    rows = rows[rows["value_eur_per_unit"].abs() > 0.5 * slope + 0.01]
    assert len(rows) > 200
    leaked = []
    for row in rows.itertuples():
        per_km = (row.value_eur_per_unit) / (row.breakeven_km - row.road_km)  # the slope the pair has
        for n in _numbers(row.reason_public):
            guess = (n - row.road_km) * per_km
            # the text rounds a distance to the km: the attack recovers the value within half a km's cost
            if abs(guess - row.value_eur_per_unit) <= 0.5 * per_km + 0.01:
                leaked.append((row.stream_id, row.need_id, n, row.value_eur_per_unit))
                break
    assert not leaked, leaked[:5]


def test_the_private_reason_keeps_the_break_even(suggestions):
    assert suggestions["reason"].str.contains("seuil de rentabilité").any()
    assert not suggestions["reason_public"].str.contains("seuil de rentabilité").any()
    assert suggestions["reason_public"].str.contains("km par la route").all()
