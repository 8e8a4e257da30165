"""Files a French user downloads or writes read in French (sheets, headers, words, oui/non,
decimal commas), English on request; and what they import back gives the same database.

On real SQLite files (a copy of the demo database), through click's CliRunner and the functions
the pages' download buttons call.
"""

from __future__ import annotations

import re

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


# ------------------------------------------------------------------------- 4. the audit log in words

OFFICER_PW = "garance-et-seugne-17"


@pytest.fixture
def audited_db(demo_sqlite, tmp_path, monkeypatch):
    """A copy of the demo with an officer and a planner account, a need edited twice through the
    form path (price 54,99 then 57,50 EUR/t, quantity 1 234,567 then 1 300,5 t) and a stage move."""
    from dataclasses import replace

    from databases import with_users

    from symbiose import db

    path = with_users(demo_sqlite, tmp_path / "audit.db", [("agent", OFFICER_PW, "officer"),
                                                           ("elu", "plan-climat-haute-saintonge", "planner")])  # fmt: skip
    url = f"sqlite:///{path}"
    monkeypatch.setenv(db.ENV_DATABASE_URL, url)
    engine = db.make_engine(url)
    maker = db.session_factory(engine)
    with maker() as s:
        network = db.load_network(s)
    followed = {y.need_id for y in network.synergies}
    need = next(n for n in network.needs if str(n.unit) == "t" and n.id not in followed)
    for price, quantity in ((5499, 1_234_567), (5750, 1_300_500)):
        with maker() as s, s.begin():
            version = db.record_state(s, "needs", need.id).version
            db.save_record(s, "needs", replace(need, virgin_price_cents=price, quantity_base=quantity),
                           actor="agent", expected_version=version,
                           columns=["virgin_price_eur_per_unit", "quantity"])  # fmt: skip
    engine.dispose()
    return url, need.id


def test_the_journal_of_the_pipeline_page_reads_in_french_words_and_units(audited_db):
    from streamlit.testing.v1 import AppTest

    from symbiose import db

    url, need_id = audited_db
    script = "from symbiose.ui import common, pipeline\ncommon.engine()\npipeline.page()\n"
    page = AppTest.from_string(script, default_timeout=90)
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s, s.begin():
        page.session_state["symbiose_user"] = db.authenticate(s, "agent", OFFICER_PW)
    engine.dispose()
    page.run()
    assert not page.exception
    journal = next(d.value for d in page.dataframe if "détail" in d.value.columns)
    edits = journal[(journal["id"] == need_id) & (journal["action"] == "modification")]
    assert set(edits["objet"]) == {"besoin"} and len(edits) == 2
    newest = edits["détail"].iloc[0]
    assert "par le formulaire" in newest
    assert "Prix de l'intrant vierge : 54,99 → 57,50\u00a0EUR/t" in newest
    assert "Quantité : 1\u00a0234,567 → 1\u00a0300,5\u00a0t/an" in newest
    planner = journal[journal["id"] == "elu"]["détail"].iloc[0]
    assert planner == "Rôle : planificateur"  # no 'company_id: None'
    every = " ".join(journal["détail"]) + " ".join(journal["action"]) + " ".join(journal["objet"])
    for code in ("virgin_price_cents", "quantity_base", "changed", "via:", "role:", "company_id", "None",
                 "edit", "create", "need", "user"):  # fmt: skip
        assert code not in every.split(" ") and f"{code}:" not in every, code


def test_audit_show_reads_in_french_and_in_english_on_request(audited_db):
    url, need_id = audited_db
    invoke(url, "synergy-stage", "SY010", "contacted", "--quantity", "12,5")
    french = invoke(url, "audit", "show", "--limit", "6").stdout
    assert "modification" in french and "besoin" in french and " edit " not in french and " need " not in french
    assert "Prix de l'intrant vierge : 54,99 → 57,50\u00a0EUR/t" in french
    assert "Étape : " in french and "→ contactée" in french and "Quantité : 12,5\u00a0" in french
    assert '{"' not in french and "_cents" not in french and "quantity_base" not in french
    english = invoke(url, "audit", "show", "--limit", "6", "--entity", "need", language="en").stdout
    assert " edit " in english and " need " in english
    assert "Virgin input price: 54.99 → 57.50\u00a0EUR/t" in english and "Quantity: 1,234.567 → 1,300.5\u00a0t/yr" in english


AUDIT_DETAILS = [  # (action, entity, detail, unit): every kind of entry the application writes
    ("create", "synergy", {"stream_id": "S1", "need_id": "N1", "stage": "contacted", "quantity_base": 120000}, "t"),
    ("stage", "synergy", {"from": "contacted", "to": "abandoned", "reason": "trop humide"}, "t"),
    ("stage", "synergy", {"from": "suggested", "to": "contacted", "via": "import"}, None),
    ("interest", "synergy", {"side": "supplier", "company_id": "C001", "stream_id": "S1", "need_id": "N1"}, None),
    ("withdraw", "synergy", {"side": "receiver", "company_id": "C002", "stream_id": "S1", "need_id": "N1",
                             "reason": "plus besoin"}, None),
    ("decline", "synergy", {"side": "receiver", "company_id": "C002", "stream_id": "S1", "need_id": "N1",
                            "reason": "trop loin"}, None),
    ("delete", "company", {"name": "Scierie", "streams": 3, "needs": 1}, None),
    ("create", "user", {"role": "company", "company_id": "C001"}, None),
    ("role", "user", {"from": "officer", "to": "planner", "company_id": None}, None),
    ("import", "import", {"name": "reseau", "companies": {"created": 1, "updated": 2, "unchanged": 3},
                          "changes": [{}, {}]}, None),
    ("import", "network", {"companies": {"created": 1, "updated": 0, "unchanged": 0}}, None),
    ("undo", "import", {"deleted": 2, "restored": 5}, None),
    ("legal", "synergy", {"before": None, "after": {"path": "by_product", "checks": {"a": True, "b": False},
                                                   "notes": "contrat"}}, None),
    ("request", "sample_request", {"item": "k1", "requester": "Marie", "organisation": "Labo"}, None),
    ("decide", "sample_request", {"from": "new", "to": "declined", "note": "pas dispo"}, None),
    ("edit", "stream", {"via": "form", "changed": {
        "unit": ["t", "m3"], "quantity_base": [1000, 2500], "route_cost_cents": [1000, -500],
        "route": ["landfill", "recovery"], "physical_state": ["solid", "pasty"], "months": ["", "11-3"],
        "forms": ["", "sawdust;dry"], "ewc_code": ["030105", "030104"], "material": ["", "heat_hot_water"]}}, "m3"),
    ("edit", "need", {"via": "form", "changed": {
        "hazardous_permit": [False, True], "category": ["wood_fuel", "aggregates"], "max_distance_km": [None, 40.5],
        "gate_fee_cents": [0, 1250], "accepted_states": ["solid", "solid;pasty"]}}, "t"),
]  # fmt: skip


def test_every_kind_of_audit_entry_reads_in_words():
    import doctest

    import symbiose.db.audit_text
    from symbiose.db.audit_text import action_label, detail_text, entity_label

    assert doctest.testmod(symbiose.db.audit_text).failed == 0
    with i18n.language("fr"):
        texts = {(a, e): detail_text(a, e, d, unit=u) for a, e, d, u in AUDIT_DETAILS}
        words = {action_label(a) for a, *_ in AUDIT_DETAILS} | {entity_label(e) for _a, e, *_ in AUDIT_DETAILS}
    assert not {"create", "edit", "stage", "decline", "withdraw", "legal", "decide", "request", "undo",
                "stream", "need", "company", "user", "sample_request"} & words  # fmt: skip
    every = " · ".join(texts.values())
    for code in ("_cents", "quantity_base", "changed", "via", "company_id", "None", "supplier", "receiver",
                 "contacted", "abandoned", "planner", "officer", "landfill", "recovery", "solid", "pasty",
                 "wood_fuel", "aggregates", "heat_hot_water", "by_product", "True", "False"):  # fmt: skip
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", every), code
    assert "{" not in every and "[" not in every
    edit = texts[("edit", "stream")]
    assert "Unité : t → m3" in edit and "Quantité : 1\u00a0t/an → 2,5\u00a0m3/an" in edit
    assert "Coût de la filière actuelle : 10,00\u00a0EUR/t → -5,00\u00a0EUR/m3" in edit
    assert "Mois : toute l'année → nov. – mars" in edit and "03 01 05 → 03 01 04" in edit
    assert "Distance routière maximale : (vide) → 40,5\u00a0km" in texts[("edit", "need")]
    assert texts[("role", "user")] == "Rôle : chargé(e) de mission → planificateur"
    assert texts[("stage", "synergy")] == "Étape : suggérée → contactée · par un import"
    with i18n.language("en"):
        assert detail_text("role", "user", {"from": "officer", "to": "planner", "company_id": None}) == \
            "Role: officer → planner"


# ------------------------------------------------------------------------- 5. public report, comparison CSV


def test_the_public_report_shows_rounded_values_without_a_false_decimal(demo_db, tmp_path):
    out = tmp_path / "public"
    invoke(demo_db, "report", "--out", str(out))  # the public edition, the default
    html = (out / "report.html").read_text(encoding="utf-8")
    # the values rounded to two significant figures: indicators, flows by material, wastes left
    rounded_parts = [html[html.index('<section id="indicators">'):html.index("<p class=\"note\">")],
                     html[html.index('<section id="flows">'):html.index('<section id="unmatched">')],
                     html[html.index('<section id="unmatched">'):html.index("<footer>")]]  # fmt: skip
    cells = re.findall(r'<td class="n">([^<]*)</td>', "".join(rounded_parts))
    rounded = [c for c in cells if re.fullmatch(r"-?\d[\d\u00a0]*(,\d+)?( \S+)?", c.strip())]
    assert len(rounded) > 20
    # two significant figures: 3 958 t CO2e/yr reads 4 000, a group's 547 t reads 550, never 4 000,0
    assert not [c for c in cells if re.search(r"\d,0+(\s|$)", c)], [c for c in cells if re.search(r"\d,0+(\s|$)", c)]
    assert re.search(r'<div class="value">4\u00a0000 <small>t CO2e/an</small>', html)
    indicators = re.findall(r"<tr><td>([^<]*)</td><td class=\"n\">([^<]*)</td>", html)
    co2e = dict(indicators)["CO2e évité, net du transport"]
    assert co2e == "4\u00a0000"
    import doctest

    import symbiose.report_public

    assert doctest.testmod(symbiose.report_public).failed == 0  # fmt_figures: 0,34 stays 0,34


def test_the_comparison_csv_counts_whole_without_minus_zero_and_clear_delta_headers(demo_result, tmp_path):
    import csv
    import io
    from dataclasses import replace

    from symbiose.compare import Comparison
    from symbiose.scenarios import Scenario

    kpis = demo_result.kpis
    # a scenario a hair below the first: differences that round to zero (-0.2 MWh, -0.04 t CO2e)
    other = replace(demo_result, kpis=replace(kpis, matched_mwh=kpis.matched_mwh - 0.2,
                                              co2e_avoided_t=kpis.co2e_avoided_t - 0.04))  # fmt: skip
    comparison = Comparison([Scenario(name="Réseau enregistré", description="", base="database"),
                             Scenario(name="TGAP +25", description="", base="database")], [demo_result, other])  # fmt: skip
    with i18n.language("fr"):  # symbiose compare --out: comparison.csv
        written = comparison.write(tmp_path / "cmp")[0].read_text(encoding="utf-8-sig").splitlines()
    assert written[0].endswith(";Δ TGAP +25 par rapport à Réseau enregistré")
    assert f"synergies;{kpis.synergies};{kpis.synergies};0" in written
    with i18n.language("fr"):
        frame = comparison.spreadsheet_table(side_by_side=True)  # the page's download
        options = i18n.csv_options()
        text = frame.to_csv(index=False, sep=options["sep"], decimal=options["decimal"])
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["indicateur (par an)", "Réseau enregistré", "TGAP +25",
                       "Δ TGAP +25 par rapport à Réseau enregistré"]  # fmt: skip
    by_label = {row[0]: row[1:] for row in rows[1:]}
    assert by_label["synergies"] == [str(kpis.synergies), str(kpis.synergies), "0"]  # 304, not 304,0
    assert by_label["échangé (MWh/an)"][2] == "0" and by_label["CO2e évité, net (t/an)"][2] == "0,0"
    assert not any(c.startswith("-0") and not c.strip("-0,") for row in rows for c in row)
    assert not any(re.fullmatch(r"-?\d+,0", c) for label, row in by_label.items() if "CO2e" not in label for c in row)
    with i18n.language("en"):
        english = comparison.spreadsheet_table()
    assert list(english.columns)[-1] == "Δ TGAP +25 vs Réseau enregistré"
    assert english.iloc[0, 1] == str(kpis.synergies)


# ------------------------------------------------------------------------- 6. decimal commas at the import

COMPANIES_FR = "identifiant;raison_sociale;commune;latitude;longitude\nC001;Scierie;Montendre;45,2847;-0,4071\n"


def _streams_folder(folder, *quantities: str):
    """A French bundle (';') whose streams have these quantities, in one column."""
    folder.mkdir()
    (folder / "entreprises.csv").write_text(COMPANIES_FR, encoding="utf-8")
    rows = "".join(f"S{i};C001;03 01 05;{q};t;65,5\n" for i, q in enumerate(quantities, start=1))
    (folder / "flux.csv").write_text("identifiant;id_entreprise;code_dechet;quantite;unite;cout_filiere\n" + rows,
                                     encoding="utf-8")  # fmt: skip
    return folder


def test_the_value_an_import_message_suggests_is_accepted(tmp_path):
    from symbiose import db

    url = f"sqlite:///{tmp_path / 'import.db'}"
    invoke(url, "init")
    refused = invoke(url, "import", str(_streams_folder(tmp_path / "a", "12,3456789", "1200,5")), "--yes", code=1)
    (hint,) = re.findall(r"écrivez (\S+)", refused.stderr)
    assert hint == "12,3460", refused.stderr  # not 12,346, which a file may read as 12 346
    for written in (hint, "12,346"):  # what the message says, and the value rounded as a French user writes it
        folder = _streams_folder(tmp_path / f"b{len(written)}", written, "1200,5")
        invoke(url, "import", str(folder), "--yes")
        engine = db.make_engine(url)
        with db.session_factory(engine)() as s:
            stream = next(x for x in db.load_network(s).streams if x.id == "S1")
        engine.dispose()
        assert stream.quantity_base == 12_346, written  # 12,346 t in kilograms, never 12 346 t
    # alone, the suggested value is accepted too: nothing in the file says how its commas read
    invoke(url, "import", str(_streams_folder(tmp_path / "c", "12,3460")), "--yes")


@pytest.mark.parametrize("columnwise", [True, False])
def test_a_comma_of_three_digits_reads_as_decimal_only_where_the_column_says_so(tmp_path, columnwise):
    from symbiose.bundle import read_import
    from symbiose.errors import ImportValidationError

    def quantities(*cells: str):
        folder = _streams_folder(tmp_path / f"f{len(list(tmp_path.iterdir()))}", *cells)
        try:
            network = read_import(folder, columnwise=columnwise).network
        except ImportValidationError as exc:
            return [p.message for p in exc.problems]
        return [s.quantity_base / 1000 for s in network.streams]

    # the column writes decimal commas elsewhere (12,5; 0,5; 1 234,5; 1.234,5; 1234,567): 12,346 is 12.346
    for other in ("12,5", "0,5", "1 234,5", "1.234,5", "1234,567", "12,3460"):
        assert quantities("12,346", other, "80")[0] == 12.346, other
    # nothing says so, or the column mixes conventions: refused as ambiguous, never guessed
    for cells in (("12,346",), ("12,346", "1,234"), ("12,346", "80"), ("12,346", "12,5", "7.5"),
                  ("12,346", "12,5", "1,234.5")):  # fmt: skip
        problems = quantities(*cells)
        assert any("ambigu" in p for p in problems), (cells, problems)
    # a price column's decimal commas say nothing of the quantities' commas
    assert any("ambigu" in p for p in quantities("1,500", "2,000"))


@pytest.mark.parametrize("written", ["1 234,5678", "10 000,0005"])
def test_a_large_quantity_with_one_decimal_too_many_is_refused_not_rounded(tmp_path, written):
    """The precision check's tolerance grew with the value: 1 234,5678 t passed and was stored as
    1 234,568 t (a change no one was told of), and 10 000,0005 t as 10 000 t."""
    url = f"sqlite:///{tmp_path / 'import.db'}"
    invoke(url, "init")
    refused = invoke(url, "import", str(_streams_folder(tmp_path / "a", written, "1200,5")), "--yes", code=1)
    assert "décimales" in refused.stderr and "quantite" in refused.stderr, refused.stderr


def test_a_price_with_a_third_decimal_is_refused_at_any_size():
    from symbiose.bundle import too_precise

    assert too_precise(12345.678, 2) and too_precise(10000.0005, 3) and too_precise(1234.5678, 3)
    for kept in (12345.67, 1234.568, 0.001, 1e9 + 0.125, 987654.32):
        assert not too_precise(kept, 3 if kept in (1234.568, 0.001, 1e9 + 0.125) else 2), kept
