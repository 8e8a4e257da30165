"""The packaged reference tables load, validate, and hold what their provenance says."""

import pytest

from symbiose import reference
from symbiose.errors import ValidationError

pytestmark = pytest.mark.usefixtures("english")  # these tests read the messages' English text


def test_list_of_waste_counts_in_english_and_french():
    table = reference.ewc_table()
    assert len(table) == 973
    assert (table["level"] == "chapter").sum() == 20
    assert (table["level"] == "subchapter").sum() == 111
    entries = reference.ewc_entries()
    assert len(entries) == 842
    assert sum(e.hazardous for e in entries.values()) == 408
    assert all(e.description_fr for e in entries.values())
    assert entries["130205"].hazardous and not entries["020704"].hazardous
    assert "marc" not in entries["020704"].description_en.lower()  # the code says the origin
    assert entries["170802"].description_fr.lower().startswith("matériaux de construction à base de gypse")


def test_ewc_lookups_explain_what_is_wrong():
    assert reference.is_hazardous("17 06 05*")
    assert reference.check_ewc_prefix("02 07") == "0207"
    with pytest.raises(ValueError, match="not in the European List of Waste"):
        reference.ewc_entry("02 07 98")  # 02 07 99 exists, 02 07 98 does not
    with pytest.raises(ValueError, match="chapter or sub-chapter"):
        reference.ewc_entry("0207")


def test_nomenclatures_and_communes():
    assert len(reference.naf_codes()) == 732
    nace = reference.nace_codes()
    assert len(nace) == 996
    assert (nace["level"] == "class").sum() == 615
    assert reference.naf_label("16.10A").lower().startswith("sciage")
    assert len(reference.haute_saintonge_communes()) == 129
    communes = reference.communes()
    assert len(communes) == 462
    assert communes["in_cdc_haute_saintonge"].sum() == 129
    jonzac = communes.set_index("insee_code").loc["17197"]
    assert jonzac["name"] == "Jonzac" and 45.3 < jonzac["latitude"] < 45.5 and -0.5 < jonzac["longitude"] < -0.3


def test_emission_factors_and_exchanges():
    factors = reference.emission_factors()
    assert len(factors) == 458
    assert (factors["factor_2025"] >= 0).all()
    assert len(reference.maestri_exchanges()) == 300


def test_corrupted_list_of_waste_is_reported_with_row_and_column(tmp_path, monkeypatch):
    source = reference.reference_path("ewc_codes.csv").read_text(encoding="utf-8").splitlines()
    source[3] = source[3].replace('"010101"', '"010199"')  # code_compact no longer matches code
    (tmp_path / "reference").mkdir()
    for name in ("ewc_codes.csv", "ewc_codes_fr.csv"):
        (tmp_path / "reference" / name).write_text(
            "\n".join(source) if name == "ewc_codes.csv" else reference.reference_path(name).read_text("utf-8"),
            encoding="utf-8",
        )
    monkeypatch.setattr(reference, "data_dir", lambda: tmp_path)
    reference.ewc_table.cache_clear()
    try:
        with pytest.raises(ValidationError, match=r"ewc_codes.csv, row 4, column 'code_compact'"):
            reference.ewc_table()
    finally:
        reference.ewc_table.cache_clear()
