"""The command line, run in-process with click's CliRunner on a real SQLite file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbiose.cli import main
from symbiose.db.engine import head_revision
from symbiose.reference import data_dir

pytest.importorskip("symbiose.bundle")

needs_demo = pytest.mark.skipif(
    not (data_dir() / "demo" / "companies.csv").is_file(), reason="data/demo is not written yet"
)

COMPANIES = (
    "id,name,commune,latitude,longitude\n"
    "C001,Scierie de Montendre,Montendre,45.2847,-0.4071\n"
    "C002,Chaufferie bois de Jonzac,Jonzac,45.4460,-0.4340\n"
)
STREAMS = (
    "id,company_id,ewc_code,quantity,unit,months,route,route_cost_eur_per_unit\n"
    'S0001,C001,03 01 05,"1200,5",t,11-3,landfill,95\n'
)
NEEDS = "id,company_id,category,quantity,unit,virgin_price_eur_per_unit\nN0001,C002,wood_fuel,10000,t,42\n"
SYNERGIES = "id,stream_id,need_id,stage,quantity\nY0001,S0001,N0001,contacted,1000\n"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def db(tmp_path) -> str:
    """A new SQLite database, created by `symbiose init` (other commands do not create one)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert CliRunner().invoke(main, ["--database", url, "init"]).exit_code == 0
    return url


def run(runner: CliRunner, db: str, *args: str, code: int = 0):
    result = runner.invoke(main, ["--database", db, *args])
    assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def write_bundle_folder(folder: Path, **tables: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in tables.items():
        (folder / f"{name}.csv").write_text(content, encoding="utf-8")
    return folder


def table_counts(runner, db) -> str:
    return run(runner, db, "init").stdout.splitlines()[-1]


def test_help_on_every_command(runner):
    assert runner.invoke(main, ["--help"]).exit_code == 0
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Utilisation :" in result.output  # French by default


def test_init_creates_and_migrates(runner, db, tmp_path):
    result = run(runner, db, "init")
    assert f"{head_revision()})" in result.stdout
    assert (tmp_path / "cli.db").is_file()
    assert "0 entreprises" in run(runner, db, "init").stdout  # a second init is harmless (messages in French)


def test_import_list_stage_and_export(runner, db, tmp_path, monkeypatch):
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")  # an officer's session, in French
    folder = write_bundle_folder(
        tmp_path / "bundle", companies=COMPANIES, streams=STREAMS, needs=NEEDS, synergies=SYNERGIES
    )
    result = run(runner, db, "import", str(folder), "--yes")
    assert "entreprises" in result.stdout and "5 créés" in result.stdout
    assert "2 entreprises, 1 flux, 1 besoins, 1 synergies" in table_counts(runner, db)
    assert "Rien n'a changé." in run(runner, db, "import", str(folder), "--yes").stdout

    table = run(runner, db, "list", "streams").stdout
    assert "S0001" in table and "03 01 05" in table and "1\u00a0200,5" in table  # French number format
    listed = run(runner, db, "list", "companies", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(listed.removeprefix("\ufeff")), delimiter=";"))
    assert [r["identifiant"] for r in rows] == ["C001", "C002"] and rows[0]["commune"] == "Montendre"

    failed = run(runner, db, "synergy-stage", "Y0001", "abandoned", code=1)
    assert "reason" in failed.stderr and failed.stdout == ""
    moved = run(runner, db, "synergy-stage", "Y0001", "abandoned", "--reason", "trop humide")
    assert "Synergie Y0001 : abandonnée" in moved.stdout  # the stage named in French
    assert "trop humide" in run(runner, db, "list", "synergies").stdout
    assert "aucune synergie" in run(runner, db, "synergy-stage", "Y9", "contacted", code=1).stderr
    run(runner, db, "synergy-stage", "Y0001", "signed", code=2)  # usage error

    out = tmp_path / "out"
    written = run(runner, db, "export", str(out)).stdout.split()
    assert {Path(p).name for p in written} >= {"entreprises.csv", "flux.csv", "besoins.csv"}  # French
    # what was exported imports back without any change
    assert "Rien n'a changé." in run(runner, db, "import", str(out), "--yes").stdout
    workbook = tmp_path / "reseau.xlsx"
    run(runner, db, "export", str(workbook))
    assert workbook.stat().st_size > 0
    assert "Rien n'a changé." in run(runner, db, "import", str(workbook), "--yes").stdout


def test_listed_dates_are_written_as_the_reader_reads_them(runner, db, tmp_path, monkeypatch):
    """`list synergies` and `synergy-history` printed 2026-03-15 in French; a French reader reads
    15/03/2026 (the times in the network's time zone), and CSV for a program keeps ISO dates."""
    import re
    from datetime import datetime

    from symbiose.i18n import local_time

    synergies = SYNERGIES.replace("quantity\n", "quantity,created_on,updated_on\n").replace(
        "1000\n", "1000,2021-03-15,31/12/2022\n")  # fmt: skip
    folder = write_bundle_folder(tmp_path / "b", companies=COMPANIES, streams=STREAMS, needs=NEEDS,
                                 synergies=synergies)  # fmt: skip
    run(runner, db, "import", str(folder), "--yes")
    run(runner, db, "synergy-stage", "Y0001", "in_discussion")
    today = local_time(datetime.now().astimezone()).date()
    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    for language in ("fr", "en"):  # English writes its own dates the same way (en_GB)
        monkeypatch.setenv("SYMBIOSE_LANGUAGE", language)
        listed = run(runner, db, "list", "synergies").stdout
        assert "15/03/2021" in listed and not iso.search(listed), listed
        history = run(runner, db, "synergy-history", "Y0001").stdout
        assert re.search(rf"{today:%d/%m/%Y} \d\d:\d\d", history) and not iso.search(history), history
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")
    rows = list(csv.DictReader(io.StringIO(run(runner, db, "synergy-history", "Y0001", "--format", "csv").stdout),
                               delimiter=";"))  # fmt: skip
    assert re.fullmatch(rf"{today:%Y-%m-%d} \d\d:\d\d", rows[-1]["when"])
    exported = run(runner, db, "list", "synergies", "--format", "csv").stdout  # the import format
    assert ";2021-03-15;" in exported


def test_bad_import_exits_1_lists_every_problem_and_changes_nothing(runner, db, tmp_path):
    good = write_bundle_folder(tmp_path / "good", companies=COMPANIES, streams=STREAMS)
    run(runner, db, "import", str(good), "--yes")
    before = table_counts(runner, db)
    bad = write_bundle_folder(
        tmp_path / "bad",
        companies=COMPANIES.replace("Montendre,45.2847", "Montendre,45.2847").replace(
            "Scierie de Montendre", "RENAMED"
        ),
        streams=STREAMS + "S0002,C404,03 01 05,12,t,,landfill,0\n"
        "S0003,C001,03 01 05,douze,t,,landfill,0\n",
    )
    result = run(runner, db, "import", str(bad), "--yes", code=1)
    assert "C404" in result.stderr and "douze" in result.stderr
    assert "rien n'a été modifié" in result.stderr
    assert result.stdout == ""
    assert table_counts(runner, db) == before
    assert "RENAMED" not in run(runner, db, "list", "companies").stdout


def test_list_on_an_empty_database(runner, db):
    assert "(aucun élément : synergies)" in run(runner, db, "list", "synergies").stdout
    assert run(runner, db, "list", "needs", "--format", "csv").stdout.startswith("\ufeffidentifiant;")
    run(runner, db, "list", "trucks", code=2)


def test_templates(runner, db, tmp_path):
    fr = run(runner, db, "templates", str(tmp_path / "fr")).stdout.split()
    assert len(fr) == 4
    en = run(runner, db, "templates", str(tmp_path / "en"), "--language", "en").stdout.split()
    assert all(Path(p).is_file() for p in fr + en)
    # the templates' example rows are skipped: a template imported as it is changes nothing
    for folder in ("fr", "en"):
        result = run(runner, db, "import", str(tmp_path / folder))
        assert "Rien n'a changé." in result.stdout and "EX" in result.stdout


def test_unreachable_database_is_a_clean_error(runner):
    result = runner.invoke(
        main, ["--database", "postgresql+psycopg://nobody@127.0.0.1:1/none", "list", "companies"]
    )
    assert result.exit_code == 1
    assert "failed" in result.stderr and "Traceback" not in result.output


@needs_demo
def test_load_demo_twice_changes_nothing(runner, db, tmp_path):
    first = run(runner, db, "load-demo")
    assert "Réseau de démonstration chargé" in first.stdout and "337" in first.stdout
    after_first = table_counts(runner, db)
    export_first = tmp_path / "first"
    run(runner, db, "export", str(export_first))
    second = run(runner, db, "load-demo")
    assert "Rien n'a changé." in second.stdout
    assert table_counts(runner, db) == after_first
    export_second = tmp_path / "second"
    run(runner, db, "export", str(export_second))
    for path in sorted(export_first.iterdir()):
        assert path.read_bytes() == (export_second / path.name).read_bytes(), path.name


@needs_demo
def test_commands_on_postgresql(runner, postgres_url, tmp_path):
    """The same commands on the PostgreSQL server (a fresh schema), as `--database URL`."""
    assert f"{head_revision()})" in run(runner, postgres_url, "init").stdout
    run(runner, postgres_url, "load-demo")
    assert "Rien n'a changé." in run(runner, postgres_url, "load-demo").stdout
    assert "etape" in run(runner, postgres_url, "list", "synergies").stdout
    out = tmp_path / "pg-export"
    run(runner, postgres_url, "export", str(out))
    assert "Rien n'a changé." in run(runner, postgres_url, "import", str(out), "--yes").stdout


def test_user_add(runner, db, tmp_path, monkeypatch):
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    folder = write_bundle_folder(tmp_path / "bundle", companies=COMPANIES)
    run(runner, db, "import", str(folder), "--yes")
    added = run(
        runner,
        db,
        "user-add",
        "scierie",
        "--role",
        "company",
        "--company",
        "C001",
        "--password",
        "bois-sec-de-chene",
    )
    assert "scierie" in added.stdout and "C001" in added.stdout
    assert (
        "taken"
        in run(
            runner, db, "user-add", "scierie", "--role", "officer", "--password", "other-long-pass", code=1
        ).stderr
    )
    assert (
        "C404"
        in run(
            runner,
            db,
            "user-add",
            "x",
            "--role",
            "company",
            "--company",
            "C404",
            "--password",
            "other-long-pass",
            code=1,
        ).stderr
    )


def test_account_commands_and_the_actor_is_never_free_text(runner, db, tmp_path, monkeypatch):
    import getpass

    from symbiose.i18n import _

    monkeypatch.delenv("SYMBIOSE_PASSWORD", raising=False)
    folder = write_bundle_folder(tmp_path / "bundle", companies=COMPANIES, streams=STREAMS,
                                 needs=NEEDS, synergies=SYNERGIES)  # fmt: skip
    run(runner, db, "import", str(folder), "--yes")
    assert "--actor" not in run(runner, db, "import", "--help").stdout
    weak = run(runner, db, "user-add", "marie", "--role", "officer", "--password", "soleil", code=1)
    assert "12" in weak.stderr
    run(runner, db, "user-add", "marie", "--role", "officer", "--password", "garance-et-seugne-17")
    run(runner, db, "user-add", "elu", "--role", "planner", "--password", "plan-climat-2030")
    last = run(runner, db, "user-delete", "marie", "--yes", code=1)
    assert "marie" in last.stderr
    # signed with an account: its password is asked on the terminal
    result = runner.invoke(main, ["--database", db, "--user", "marie", "synergy-stage", "Y0001",
                                  "in_discussion"], input="garance-et-seugne-17\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    refused = runner.invoke(main, ["--database", db, "--user", "marie", "user-role", "elu",
                                   "researcher"], input="wrong-password\n")  # fmt: skip
    message = _("Error: unknown user name or wrong password; nothing was changed.")
    assert refused.exit_code == 1 and message in refused.output
    run(runner, db, "user-role", "elu", "researcher")
    listed = run(runner, db, "user-list").stdout
    assert "chercheur" in listed and "marie" in listed and "researcher" not in listed  # the role in French
    shown = run(runner, db, "audit", "show", "--limit", "50").stdout
    assert "marie" in shown  # the stage change, signed by the account
    assert f"os:{getpass.getuser()}" in shown  # the other changes, by the operating-system user


def test_audit_verify_names_the_first_broken_entry(runner, db, tmp_path):
    import sqlite3

    folder = write_bundle_folder(tmp_path / "bundle", companies=COMPANIES, streams=STREAMS,
                                 needs=NEEDS, synergies=SYNERGIES)  # fmt: skip
    run(runner, db, "import", str(folder), "--yes")
    run(runner, db, "synergy-stage", "Y0001", "in_discussion")
    run(runner, db, "synergy-stage", "Y0001", "implemented")

    intact = run(runner, db, "audit", "verify").stdout
    from symbiose.i18n import ngettext

    intact_text = ngettext("Audit log intact: {n} entry, chain head {head}.",
                           "Audit log intact: {n} entries, chain head {head}.", 3)  # fmt: skip
    assert intact_text.split("{head}")[0].format(n=3) in intact
    path = db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        tampered = connection.execute("SELECT id FROM audit_log ORDER BY id").fetchall()[1][0]
        try:
            connection.execute("UPDATE audit_log SET actor = 'quelqu''un'")
        except sqlite3.IntegrityError as exc:  # the trigger refuses it
            assert "append-only" in str(exc)
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("UPDATE audit_log SET detail = '{}' WHERE id = ?", (tampered,))
    broken = run(runner, db, "audit", "verify", code=1)
    assert f" {tampered}" in broken.stderr and "Traceback" not in broken.stderr


@needs_demo
def test_catalogue_export_names_no_company(runner, db, tmp_path):
    import pandas as pd

    from symbiose.bundle import read_bundle
    from symbiose.reference import data_dir

    run(runner, db, "load-demo")
    out = tmp_path / "out" / "ressources.csv"
    run(runner, db, "catalogue", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it in UTF-8
    text = data.decode("utf-8-sig")
    demo = read_bundle(data_dir() / "demo")
    assert len(text.splitlines()) > 50  # rows of k producers of a material or (sub-)chapter
    for company in demo.companies:
        for value in (company.name, company.contact_email, company.contact_phone, f"{company.id};"):
            assert value not in text
    workbook = tmp_path / "ressources.xlsx"
    run(runner, db, "catalogue", str(workbook))
    assert len(pd.read_excel(workbook)) == len(text.splitlines()) - 1


def test_a_question_asks_o_n_in_french_and_takes_oui(runner, db):
    # Click's own confirm asks [y/N] and takes only y or yes: a French user's "oui" was a no
    run(runner, db, "user-add", "marie", "--role", "officer", "--password", "garance-et-seugne-17")
    run(runner, db, "user-add", "elu", "--role", "planner", "--password", "plan-climat-2030")
    kept = runner.invoke(main, ["--database", db, "user-delete", "elu"], input="non\n")
    assert kept.exit_code == 1 and "[o/N]" in kept.output
    assert "elu" in run(runner, db, "user-list").stdout
    again = runner.invoke(main, ["--database", db, "user-delete", "elu"], input="peut-être\noui\n")
    assert again.exit_code == 0, again.output
    assert "Erreur : saisie invalide" in again.output  # asked again, not taken as a no
    assert "elu" not in run(runner, db, "user-list").stdout.split()


def test_a_stage_may_be_named_in_french(runner, db, tmp_path):
    # an officer types the stage as the application shows it: « contactée », « en discussion »
    folder = write_bundle_folder(tmp_path / "bundle", companies=COMPANIES, streams=STREAMS,
                                 needs=NEEDS, synergies=SYNERGIES)  # fmt: skip
    run(runner, db, "import", str(folder), "--yes")
    moved = run(runner, db, "synergy-stage", "Y0001", "en discussion")
    assert "Synergie Y0001 : en discussion" in moved.stdout
    back = run(runner, db, "synergy-stage", "Y0001", "contactée", code=1)
    assert "revenir de l'étape « en discussion » à « contactée »" in back.stderr
    wrong = run(runner, db, "synergy-stage", "Y0001", "bidule", code=2)
    assert "« bidule » n'est pas une étape" in wrong.stderr and "en discussion" in wrong.stderr
