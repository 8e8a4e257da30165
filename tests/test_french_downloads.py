"""Files a French user downloads or writes read in French (sheets, headers, words, oui/non,
decimal commas), English on request; and what they import back gives the same database.

On real SQLite files (a copy of the demo database), through click's CliRunner and the functions
the pages' download buttons call.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from symbiose import i18n
from symbiose.cli import main

# words of the programs' format that a French spreadsheet must not show
ENGLISH_CODES = {"aggregates", "paper_fibre", "material", "stream", "need", "True", "False", "landfill", "solid"}


@pytest.fixture
def demo_db(demo_sqlite, tmp_path) -> str:
    from databases import copy_database

    return copy_database(demo_sqlite, tmp_path / "demo.db")


def invoke(url: str, *args: str, language: str = "fr", code: int = 0):
    result = CliRunner().invoke(main, ["--database", url, *args], env={"SYMBIOSE_LANGUAGE": language})
    assert result.exit_code == code, (result.output, result.exception)
    return result


def _sheets(path_or_bytes) -> dict[str, list[tuple]]:
    """Every sheet of a workbook: its rows of values (header first)."""
    import io

    import openpyxl

    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    workbook = openpyxl.load_workbook(source, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def _texts(rows: list[tuple]) -> set[str]:
    return {v for row in rows[1:] for v in row if isinstance(v, str)}


# ------------------------------------------------------------------------- 1. Excel downloads


def test_the_officer_report_workbook_reads_in_french_as_its_csv_files(demo_db, tmp_path):
    import pandas as pd

    out = tmp_path / "rapport"
    invoke(demo_db, "report", "--edition", "officer", "--out", str(out))
    sheets = _sheets(out / "matches.xlsx")
    assert list(sheets) == ["indicateurs", "appariements", "suggestions", "sans_debouche"]
    matches_csv = pd.read_csv(out / "matches.csv", sep=";", decimal=",", encoding="utf-8-sig")
    # the same French column names as matches.csv, and the same words
    assert list(sheets["appariements"][0]) == list(matches_csv.columns)
    assert sheets["appariements"][0][:3] == ("id_flux", "id_besoin", "id_fournisseur")
    shown = _texts(sheets["appariements"])
    assert {"oui", "non"} & shown and "Granulats recyclés" in shown
    assert set(matches_csv["categorie"]) <= shown and set(matches_csv["en_place"]) <= {"oui", "non"}
    suggestions = sheets["suggestions"]
    assert suggestions[0][:5] == ("cote", "id_flux", "id_besoin", "debouche", "hierarchie_dechets")
    assert {"flux", "besoin", "recyclage matière"} <= _texts(suggestions)
    assert sheets["indicateurs"][0] == ("indicateur", "valeur", "unite")
    assert sheets["sans_debouche"][0] == ("code_dechet", "libelle", "quantite", "unite", "producteurs",
                                          "quantite_sans_candidat")  # fmt: skip
    assert "02 07 02" in _texts(sheets["sans_debouche"])  # a code as the List of Waste prints it
    for name, rows in sheets.items():
        assert not _texts(rows) & ENGLISH_CODES, (name, _texts(rows) & ENGLISH_CODES)
        assert not set(rows[0]) & {"stream_id", "value_eur", "key", "quantity"}, name
    # English: the programs' names and codes, as the English CSV files
    english = tmp_path / "report"
    invoke(demo_db, "report", "--edition", "officer", "--out", str(english), language="en")
    sheets = _sheets(english / "matches.xlsx")
    assert list(sheets) == ["kpis", "matches", "suggestions", "unmatched"]
    assert sheets["matches"][0][:2] == ("stream_id", "need_id") and "aggregates" in _texts(sheets["matches"])
    assert sheets["kpis"][0] == ("key", "indicator", "value", "unit")


def test_the_scenarios_page_flows_workbook_is_french(demo, demo_result):
    """« Flux (Excel) » of the Scenarios page, built as its button builds it."""
    from symbiose.compare import Comparison
    from symbiose.scenarios import Scenario
    from symbiose.ui.scenarios import Run, report_builders

    scenario = Scenario(name="Aujourd'hui", description="", base="database")
    run = Run(scenario, demo, None, demo_result, "")
    for language, names, header in (("fr", ["indicateurs", "appariements", "suggestions", "sans_debouche"], "id_flux"),
                                    ("en", ["kpis", "matches", "suggestions", "unmatched"], "stream_id")):  # fmt: skip
        with i18n.language(language):
            build = report_builders(run, Comparison([scenario], [demo_result]))["xlsx"]
        sheets = _sheets(build())
        assert list(sheets) == names and sheets[names[1]][0][0] == header
        if language == "fr":
            assert not _texts(sheets["appariements"]) & ENGLISH_CODES
            assert {"oui", "non"} >= {row[15] for row in sheets["appariements"][1:]}  # en_place
