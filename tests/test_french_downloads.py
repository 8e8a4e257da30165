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


# ------------------------------------------------------------------------- 2. symbiose export


def _network(url: str):
    from symbiose import db

    engine = db.make_engine(url)
    try:
        with db.session_factory(engine)() as s:
            return db.load_network(s)
    finally:
        engine.dispose()


def test_the_export_is_french_by_default_and_imports_back_to_the_same_database(demo_db, tmp_path):
    import csv

    stored = _network(demo_db)
    folder, workbook = tmp_path / "export", tmp_path / "reseau.xlsx"
    written = invoke(demo_db, "export", str(folder)).stdout.split()
    assert sorted(p.rsplit("/", 1)[-1] for p in written) == ["besoins.csv", "entreprises.csv", "flux.csv",
                                                             "synergies.csv"]  # fmt: skip
    data = (folder / "flux.csv").read_bytes()
    assert data.startswith("\ufeff".encode())  # Excel reads the accents
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert list(rows[0])[:6] == ["identifiant", "id_entreprise", "code_dechet", "matiere", "description", "quantite"]
    words = {v for row in rows for v in row.values()}
    assert {"enfouissement", "solide"} <= words and not words & {"landfill", "solid", "true", "false"}
    assert any("," in row["quantite"] for row in rows)  # decimal commas
    needs = list(csv.DictReader((folder / "besoins.csv").read_text("utf-8-sig").splitlines(), delimiter=";"))
    assert {r["autorisation_dangereux"] for r in needs} <= {"oui", "non"}
    stages = {r["etape"] for r in csv.DictReader((folder / "synergies.csv").read_text("utf-8-sig").splitlines(),
                                                 delimiter=";")}  # fmt: skip
    assert stages and not stages & {"suggested", "contacted", "in_discussion", "implemented", "abandoned"}
    invoke(demo_db, "export", str(workbook))
    sheets = _sheets(workbook)
    assert list(sheets) == ["entreprises", "flux", "besoins", "synergies"] and sheets["flux"][0][0] == "identifiant"
    # each one imported into an empty database gives the stored network, every value of it
    for source in (folder, workbook):
        fresh = f"sqlite:///{tmp_path / (source.stem + '.db')}"
        invoke(fresh, "init")
        invoke(fresh, "import", str(source), "--yes")
        assert _network(fresh) == stored, source
        # and imported again over the database it came from, nothing changes
        assert "Rien n'a changé." in invoke(demo_db, "import", str(source), "--yes").stdout
    assert _network(demo_db) == stored


def test_an_english_export_stays_available(demo_db, tmp_path):
    for args, language in (((), "en"), (("--language", "en"), "fr")):
        folder = tmp_path / f"export-{language}"
        invoke(demo_db, "export", str(folder), *args, language=language)
        assert sorted(p.name for p in folder.iterdir()) == ["companies.csv", "needs.csv", "streams.csv",
                                                            "synergies.csv"]  # fmt: skip
        head = (folder / "streams.csv").read_text("utf-8").splitlines()[0]
        assert head.startswith("id,company_id,ewc_code,material")
    # a French export over an English one replaces it (two files of one table would not import)
    invoke(demo_db, "export", str(tmp_path / "export-en"))
    assert sorted(p.name for p in (tmp_path / "export-en").iterdir()) == ["besoins.csv", "entreprises.csv",
                                                                          "flux.csv", "synergies.csv"]  # fmt: skip
    assert "Rien n'a changé." in invoke(demo_db, "import", str(tmp_path / "export-en"), "--yes").stdout


# ------------------------------------------------------------------------- 3. symbiose list --format csv


def test_a_listed_table_as_csv_has_french_headers_and_words_and_imports_back(demo_db, tmp_path):
    import csv

    text = invoke(demo_db, "list", "streams", "--format", "csv").stdout
    rows = list(csv.DictReader(text.removeprefix("\ufeff").splitlines(), delimiter=";"))
    assert list(rows[0])[:3] == ["identifiant", "id_entreprise", "code_dechet"]
    words = {v for row in rows for v in row.values()}
    assert "enfouissement" in words and not words & {"landfill", "solid", "recovery"}
    needs = invoke(demo_db, "list", "needs", "--format", "csv").stdout
    assert needs.startswith("\ufeffidentifiant;id_entreprise;categorie") and ";non;" in needs
    assert ";false;" not in needs and ";true;" not in needs
    for table in ("companies", "streams", "needs", "synergies"):  # saved under any name, it imports back
        path = tmp_path / f"liste-{table}.csv"
        path.write_text(invoke(demo_db, "list", table, "--format", "csv").stdout, encoding="utf-8")
        assert "Rien n'a changé." in invoke(demo_db, "import", str(path), "--yes").stdout, table
    english = invoke(demo_db, "list", "streams", "--format", "csv", language="en").stdout
    assert english.startswith("id,company_id,ewc_code") and ",landfill," in english
