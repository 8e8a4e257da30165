"""A company's contact e-mail and telephone are checked in imports and forms (symbiose.contacts):
each problem names the file, row and column (the field, in a form) and shows a valid value, and
nothing is stored."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from databases import copy_database

from symbiose import db
from symbiose.bundle import read_bundle
from symbiose.cli import main
from symbiose.contacts import email_problem, phone_problem
from symbiose.i18n import language
from symbiose.reference import data_dir

TIMEOUT = 60


def test_what_people_write_is_taken_and_a_mistake_is_told_with_a_valid_example():
    for text in ("", "marie.dupont@scierie-jonzac.fr", "élodie.mérand@mairie-jonzac.fr", "contact@example.org",
                 "Jean-Luc.O'Neil+devis@cuma.agri.fr"):  # fmt: skip
        assert email_problem(text) is None, text
    for text in ("", "05 36 49 12 34", "05.36.49.12.34", "0536491234", "05-36-49-12-34", "+33 5 36 49 12 34",
                 "+33 (0)5 36 49 12 34", "0033 5 36 49 12 34", "06 12 34 56 78", "0262 12 34 56",
                 "+32 2 555 12 12", "+44 20 7946 0958"):  # fmt: skip
        assert phone_problem(text) is None, text
    with language("fr"):
        told = {text: email_problem(text) for text in (
            "marie.dupont", "marie@dupont@scierie.fr", "marie dupont@scierie.fr", "marie@scierie..fr",
            "marie@scierie", "marie.dupont@", "@scierie.fr")}  # fmt: skip
        told |= {text: phone_problem(text) for text in (
            "05 36 49", "05 36 49 12 3", "05 36 49 12 34 / 06 12 34 56 78", "standard", "+33 5 36 49 12 3")}  # fmt: skip
    assert told["marie.dupont"] == (
        "« marie.dupont » n'est pas une adresse e-mail : il manque l'@ ; écrivez-la comme prenom.nom@entreprise.fr")
    for text, problem in told.items():
        assert problem and f"« {text} »" in problem, text
        assert "prenom.nom@entreprise.fr" in problem or "05 36 49 12 34" in problem, problem
    # an extension or a second number: the message says what to do with it (it said « not a number »)
    for text in ("05 36 49 12 34 poste 12", "05 36 49 12 34 / 06 12 34 56 78", "05 36 49 12 34 ; 06 12 34 56 78"):
        with language("fr"):
            assert "un seul numéro, sans poste" in phone_problem(text), text
    with language("en"):
        assert "firstname.lastname@company.fr" in email_problem("marie@scierie")
        assert "+33 5 36 49 12 34" in phone_problem("12")


def test_every_demo_contact_passes_and_the_demo_imports_cleanly():
    demo = read_bundle(data_dir() / "demo")
    assert len(demo.companies) > 100
    for company in demo.companies:
        assert company.contact_email and email_problem(company.contact_email) is None, company.id
        assert company.contact_phone and phone_problem(company.contact_phone) is None, company.id


COMPANIES = (
    "id,name,commune,contact_email,contact_phone\n"
    "C001,Scierie de Montendre,Montendre,scierie@example.fr,05 36 49 12 34\n"
    "C002,Chaufferie de Jonzac,Jonzac,chaufferie@example.fr,+33 5 36 49 12 35\n"
)


def _run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, (result.output, result.exception)
    return result


def test_an_import_names_the_file_row_and_column_of_a_bad_contact_and_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")
    url = f"sqlite:///{tmp_path / 'contacts.db'}"
    _run("--database", url, "init")
    good = tmp_path / "good"
    good.mkdir()
    (good / "companies.csv").write_text(COMPANIES, encoding="utf-8")
    _run("--database", url, "import", str(good), "--yes")
    before = _run("--database", url, "list", "companies", "--format", "csv").stdout

    bad = tmp_path / "entreprises"
    bad.mkdir()  # a French spreadsheet: French headers, ';'
    (bad / "entreprises.csv").write_text(
        "identifiant;raison_sociale;commune;courriel;telephone\n"
        "C001;Scierie de Montendre;Montendre;scierie@example;05 36 49 12 34\n"
        "C002;Chaufferie de Jonzac;Jonzac;chaufferie@example.fr;05 36 49\n"
        "C003;Nouvelle;Jonzac;nouvelle.example.fr;0546\n",
        encoding="utf-8")  # fmt: skip
    failed = _run("--database", url, "import", str(bad), "--yes", code=1)
    told = failed.stderr
    assert "entreprises.csv, ligne 2, colonne « courriel » : « scierie@example » n'est pas une adresse e-mail" in told
    assert "entreprises.csv, ligne 3, colonne « telephone » : « 05 36 49 » n'est pas un numéro de téléphone" in told
    assert "ligne 4, colonne « courriel » : « nouvelle.example.fr » n'est pas une adresse e-mail : il manque l'@" in told
    assert "ligne 4, colonne « telephone »" in told
    assert told.count("prenom.nom@entreprise.fr") == 2 and told.count("05 36 49 12 34") == 2
    assert _run("--database", url, "list", "companies", "--format", "csv").stdout == before
    rows = list(csv.DictReader(io.StringIO(before.removeprefix("\ufeff")), delimiter=";"))
    assert [r["email"] for r in rows] == ["scierie@example.fr", "chaufferie@example.fr"]  # French headers


@pytest.fixture
def app_url(demo_sqlite, tmp_path, monkeypatch) -> str:
    url = copy_database(demo_sqlite, tmp_path / "app.db")
    monkeypatch.setenv(db.ENV_DATABASE_URL, url)
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")
    return url


def test_the_company_form_names_a_bad_contact_in_french_and_saves_nothing(app_url):
    from streamlit.testing.v1 import AppTest

    def stored():
        engine = db.make_engine(app_url)
        with db.session_factory(engine)() as s:
            company = next(c for c in db.load_network(s).companies if c.id == "C001")
            version = db.record_state(s, "companies", "C001").version
        engine.dispose()
        return company, version

    before = stored()
    script = "from symbiose.ui import common, companies\ncommon.engine()\ncompanies.page()\n"
    at = AppTest.from_string(script, default_timeout=TIMEOUT).run()
    at.selectbox(key="edit_companies").set_value("C001").run()
    at.text_input(key="companies_C001_contact_email").set_value("thierry.tardoumet@example")
    at.text_input(key="companies_C001_contact_phone").set_value("05 36 49 00")
    next(b for b in at.button if b.label == "Enregistrer l'entreprise").click().run()
    assert not at.exception and at.error
    message = at.error[0].value
    assert message.startswith("Le formulaire comporte 2 problèmes ; rien n'a été enregistré")
    assert "**Courriel du contact** : « thierry.tardoumet@example » n'est pas une adresse e-mail" in message
    assert "prenom.nom@entreprise.fr" in message
    assert "**Téléphone du contact** : « 05 36 49 00 » n'est pas un numéro de téléphone" in message
    assert "05 36 49 12 34" in message and "companies.csv" not in message
    assert stored() == before

    at.text_input(key="companies_C001_contact_email").set_value("t.tardoumet@seugne-geothermie.fr")
    at.text_input(key="companies_C001_contact_phone").set_value("+33 5 36 49 00 99")
    next(b for b in at.button if b.label == "Enregistrer l'entreprise").click().run()
    assert not at.exception and not at.error
    company, version = stored()
    assert (company.contact_email, company.contact_phone) == ("t.tardoumet@seugne-geothermie.fr", "+33 5 36 49 00 99")
    assert version == before[1] + 1


def test_a_match_on_a_bundle_neither_checks_nor_loads_the_contact_checks(tmp_path):
    """The checks cost the demo's match about 0.1 s (the two libraries, then 0.1 ms a company)
    for details a match never reads: a run on a bundle takes them as written, and the import into
    the database still refuses a bad one."""
    import shutil
    import subprocess
    import sys

    bundle = tmp_path / "bundle"
    shutil.copytree(data_dir() / "demo", bundle)
    companies = (bundle / "companies.csv").read_text(encoding="utf-8")
    (bundle / "companies.csv").write_text(companies.replace("thierry.tardoumet@example.org", "thierry.tardoumet"),
                                          encoding="utf-8")  # fmt: skip
    assert "thierry.tardoumet," in (bundle / "companies.csv").read_text(encoding="utf-8")
    _run("match", "--bundle", str(bundle), "--out", str(tmp_path / "out"))
    url = f"sqlite:///{tmp_path / 'contacts.db'}"
    _run("--database", url, "init")
    failed = _run("--database", url, "import", str(bundle), "--yes", code=1)
    assert "thierry.tardoumet" in failed.stderr and "@" in failed.stderr
    script = ("import sys\nfrom symbiose.cli_match import load_base\nload_base('demo')\n"
              "print(sorted(m for m in ('phonenumbers', 'email_validator') if m in sys.modules))")  # fmt: skip
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
