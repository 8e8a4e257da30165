"""Typical flows of a sector (data/sector_streams.csv and sector_uses.csv) for pre-filling."""

from __future__ import annotations

import pandas as pd
import pytest

from symbiose.domain import normalize_ewc
from symbiose.errors import ValidationError
from symbiose.prefill import (
    load_sector_streams,
    sector_streams_path,
    typical_needs,
    typical_streams,
)
from symbiose.reference import ewc_entries, nace_codes


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(sector_streams_path(), dtype=str, keep_default_na=False)


def by_key(rows: list[dict]) -> dict[str, dict]:
    return {r["ewc_code"] or r["material"]: r for r in rows}


def test_every_code_exists_and_its_hazardous_mark_matches(table):
    entries = ewc_entries()
    coded = table[table["ewc_code"] != ""]
    assert len(coded) > 150
    for text in coded["ewc_code"]:
        entry = entries[normalize_ewc(text)]
        assert entry.hazardous == text.endswith("*"), text
    assert (table.loc[table["ewc_code"] == "", "material"] != "").all()


def test_every_prefix_is_a_nace_code(table):
    assert set(table["nace_prefix"]) <= set(nace_codes()["code"])
    # the territory's sectors are covered
    for naf in ("01.21Z", "11.01Z", "16.10A", "16.23Z", "16.24Z", "08.12Z", "41.20A", "43.99C",
                "01.11Z", "01.41Z", "10.51A", "10.11Z", "10.71C", "10.39A", "10.91Z", "35.21Z",
                "35.30Z", "45.20A", "25.62B", "22.29A", "38.21Z", "86.10Z", "85.20Z", "47.11F",
                "55.30Z", "20.14Z", "23.51Z", "24.10Z", "17.12Z"):  # fmt: skip
        assert typical_streams(naf), naf


def test_the_whole_table_loads():
    assert len(load_sector_streams()) == len(pd.read_csv(sector_streams_path()))


def test_a_distillery_gets_vinasses_marc_and_lees_in_the_season():
    rows = by_key(typical_streams("11.01Z"))
    assert rows["02 07 02"]["months"] == "11-3" and rows["02 07 02"]["unit"] == "m3"
    assert rows["02 07 04"]["months"] == "11-3"  # lees
    assert rows["02 07 01"]["months"] == "11-3"  # marc
    heat = rows["heat_hot_water"]  # condenser cooling water at 60-80 C
    assert heat["physical_state"] == "energy" and heat["unit"] == "MWh"
    # most specific first: the 11.01 rows come before the 11 rows
    assert typical_streams("11.01Z")[0]["nace_prefix"] == "11.01"
    assert {"ewc_code", "material", "description", "unit", "physical_state", "months"} <= set(
        rows["02 07 02"]
    )


def test_a_sawmill_and_a_garage():
    sawmill = by_key(typical_streams("16.10A"))
    assert {"03 01 05", "03 01 01"} <= set(sawmill)
    garage = by_key(typical_streams("4520A"))
    assert {"13 02 05*", "16 01 03"} <= set(garage)


def test_typical_needs_come_from_sector_uses():
    needs = {n["category"]: n for n in typical_needs("11.01Z")}
    assert needs["wine_byproduct_distillation"]["unit"] == "t"
    assert needs["heat_steam"]["unit"] == "MWh"
    assert "soil_amendment" in {n["category"] for n in typical_needs("01.21Z")}


def test_a_corrupted_copy_names_row_and_column(tmp_path, table):
    bad = table.copy()
    bad.loc[2, "ewc_code"] = "99 99 99"
    bad.loc[4, "unit"] = "barrels"
    bad.loc[5, "nace_prefix"] = "99.99"
    path = tmp_path / "sector_streams.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ValidationError) as info:
        load_sector_streams(path)
    found = {(p.file, p.row, p.column) for p in info.value.problems}
    assert {("sector_streams.csv", 4, "ewc_code"), ("sector_streams.csv", 6, "unit"),
            ("sector_streams.csv", 7, "nace_prefix")} <= found  # fmt: skip


def test_a_wrong_hazardous_mark_is_refused(tmp_path, table):
    bad = table.copy()
    row = bad.index[bad["ewc_code"] == "13 02 05*"][0]
    bad.loc[row, "ewc_code"] = "13 02 05"
    path = tmp_path / "sector_streams.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ValidationError, match="must end with"):
        load_sector_streams(path)


def test_unknown_naf_code_is_a_helpful_value_error():
    with pytest.raises(ValueError, match="not in the NAF"):
        typical_streams("99.99Z")
    with pytest.raises(ValueError, match="not a NACE/NAF code"):
        typical_needs("sawmill")
