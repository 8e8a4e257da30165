"""The command line's result files: for a French spreadsheet by default, in the programs' format
with --machine-readable (or in English), the same figures in both."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from symbiose.cli import main
from symbiose.i18n import gettext, language
from symbiose.result_files import FRENCH_HEADERS, VALUE_WORDS

ROOT = Path(__file__).resolve().parent.parent
FRENCH = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}


def _run(tmp_path: Path, *args: str, language: str = "fr") -> None:
    result = CliRunner(env={"SYMBIOSE_LANGUAGE": language}).invoke(
        main, ["--database", f"sqlite:///{tmp_path / 'unused.db'}", *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def match_files(tmp_path_factory):
    """``symbiose match --bundle data/demo --out`` in French, French with --machine-readable,
    and English."""
    base = tmp_path_factory.mktemp("results")
    runs = {"fr": ("fr", ()), "machine": ("fr", ("--machine-readable",)), "en": ("en", ())}
    for name, (lang, extra) in runs.items():
        _run(base, "match", "--bundle", str(ROOT / "data" / "demo"), "--out", str(base / name), *extra,
             language=lang)  # fmt: skip
    return base


@pytest.mark.parametrize("name", ["matches.csv", "suggestions.csv"])
def test_machine_readable_is_the_programs_format(match_files, name):
    """--machine-readable in French: the English run's columns and figures (comma, decimal
    point, True/False, codes), its texts (reasons, conditions) in French."""
    machine = (match_files / "machine" / name).read_bytes()
    english = (match_files / "en" / name).read_bytes()
    assert not machine.startswith(b"\xef\xbb\xbf")
    assert machine.split(b"\n", 1)[0] == english.split(b"\n", 1)[0]
    assert machine.split(b"\n", 1)[0].startswith(b"stream_id,need_id" if name == "matches.csv" else b"side,")
    ours = pd.read_csv(match_files / "machine" / name, keep_default_na=False)
    theirs = pd.read_csv(match_files / "en" / name, keep_default_na=False)
    texts = {"reason", "reason_public", "conditions"}
    pd.testing.assert_frame_equal(ours.drop(columns=list(texts & set(ours.columns))),
                                  theirs.drop(columns=list(texts & set(theirs.columns))))  # fmt: skip
    if "reason" in ours.columns:
        assert ours["reason"].str.contains("rang").all() and theirs["reason"].str.contains("rank").all()


@pytest.mark.parametrize("name", ["matches.csv", "suggestions.csv"])
def test_french_files_open_as_columns_in_a_french_spreadsheet(match_files, name):
    raw = (match_files / "fr" / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(match_files / "fr" / name, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    width = len(rows[0])
    assert width > 10 and all(len(row) == width for row in rows)  # every row splits into the columns
    english = pd.read_csv(match_files / "machine" / name, keep_default_na=False)
    french = pd.read_csv(match_files / "fr" / name, keep_default_na=False, **FRENCH)
    assert list(french.columns) == [FRENCH_HEADERS.get(c, c) for c in english.columns]
    assert len(french) == len(english) > 100
    # the same figures: every number column reads back equal with decimal commas
    for column in english.columns:
        if pd.api.types.is_float_dtype(english[column]) or pd.api.types.is_integer_dtype(english[column]):
            np.testing.assert_allclose(french[FRENCH_HEADERS.get(column, column)].to_numpy(dtype=float),
                                       english[column].to_numpy(dtype=float), err_msg=column)  # fmt: skip
    # booleans and coded words in French
    for column in english.columns:
        if set(english[column].astype(str)) <= {"True", "False"}:
            assert set(french[FRENCH_HEADERS[column]]) <= {"oui", "non"}, column
    for column, words in VALUE_WORDS.items():
        if column in english.columns:
            with language("fr"):
                coded = {code for code, word in words.items() if gettext(word) != code}
            assert coded & set(english[column]), column
            assert not set(french[FRENCH_HEADERS[column]]) & coded, column
    if "category" in english.columns:  # categories by their French names
        assert "aggregates" in set(english["category"])
        assert "Granulats recyclés" in set(french["categorie"])


def test_french_months_cannot_be_read_as_numbers(match_files):
    """'6,7' in a French spreadsheet would be the number 6.7: months are written in words."""
    french = pd.read_csv(match_files / "fr" / "matches.csv", dtype=str, keep_default_na=False, **FRENCH)
    english = pd.read_csv(match_files / "machine" / "matches.csv", dtype=str, keep_default_na=False)
    assert (english["months"].str.contains(",")).any()
    assert not french["mois"].str.fullmatch(r"[\d,.\s]+").any()
    assert "toute l'année" in set(french["mois"])


def test_robustness_and_opportunities_in_both_formats(tmp_path):
    demo = str(ROOT / "data" / "demo")
    _run(tmp_path, "robustness", "--draws", "2", "--bundle", demo, "--out", str(tmp_path / "r_fr"))
    _run(tmp_path, "robustness", "--draws", "2", "--bundle", demo, "--out", str(tmp_path / "r_en"), "--machine-readable")
    french = pd.read_csv(tmp_path / "r_fr" / "robustness.csv", **FRENCH)
    english = pd.read_csv(tmp_path / "r_en" / "robustness.csv")
    assert list(french.columns) == [FRENCH_HEADERS.get(c, c) for c in english.columns]
    np.testing.assert_allclose(french["stabilite_quantites_pct"], english["quantity_stability_pct"])
    _run(tmp_path, "opportunities", "--bundle", demo, "--out", str(tmp_path / "o_fr"))
    _run(tmp_path, "opportunities", "--bundle", demo, "--out", str(tmp_path / "o_en"), "--machine-readable")
    french = pd.read_csv(tmp_path / "o_fr" / "opportunities.csv", dtype={"code_dechet": str}, **FRENCH)
    english = pd.read_csv(tmp_path / "o_en" / "opportunities.csv", dtype={"code": str})
    assert len(french) == len(english) > 0
    # waste codes as the List of Waste prints them
    assert french["code_dechet"].tolist() == [f"{c[:2]} {c[2:4]} {c[4:]}" for c in english["code"]]
    np.testing.assert_allclose(french["capte"], english["captured"])
    # road work to the tonne-km, distances to 100 m (they read 134053,55898359805 and 15,660462498083884)
    assert (english["tkm"] == english["tkm"].round()).all() and (french["tkm"] == english["tkm"]).all()
    assert (english["mean_km"] == english["mean_km"].round(1)).all()


def _late_frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "side": rng.choice(["stream", "need"], rows), "stream_id": [f"S{i:04d}" for i in range(rows)],
        "quantity": rng.random(rows) * 1000, "in_optimum": rng.random(rows) < 0.3,
        "optimum_quantity": np.round(rng.random(rows) * 100, 3),
        "reason": rng.choice(["a; b, c", 'say "yes"', "=1+2", "line\nbreak", ""], rows),
    })  # fmt: skip


@pytest.mark.parametrize("machine", [True, False])
@pytest.mark.parametrize("names", [("in_optimum", "optimum_quantity"), ("side", "stream_id"), ("reason",)])
@pytest.mark.parametrize("ready_after", [0, 2, 99])
def test_late_columns_give_the_same_bytes(tmp_path, monkeypatch, machine, names, ready_after):
    """Blocks written while their late columns are unknown (held, then completed) give the file
    the plain writer gives of the completed blocks, for late columns first, inside or last."""
    import symbiose.result_files as rf

    monkeypatch.setattr(rf, "LATE_PENDING_BYTES", 2_000)  # also flush held blocks for their size
    full = _late_frame(530, seed=len(names) + ready_after)
    blocks = [full.iloc[i:i + 100].reset_index(drop=True) for i in range(0, len(full), 100)]
    placeholder = [b.assign(**{n: b[n].iloc[::-1].to_numpy() for n in names}) for b in blocks]  # wrong values
    asked = []

    def ready() -> bool:
        asked.append(1)
        return len(asked) > ready_after

    late = rf.LateColumns(names, ready=ready, values=lambda a, b: full[list(names)].iloc[a:b].reset_index(drop=True))
    with language("fr"):
        rf.write_result_blocks_late(placeholder, tmp_path / "late.csv", late, machine=machine)
        rf.write_result_blocks(blocks, tmp_path / "plain.csv", machine=machine)
    assert (tmp_path / "late.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


@pytest.mark.parametrize("machine", [False, True])
def test_solving_beside_the_suggestions_writes_the_same_files(tmp_path, monkeypatch, machine):
    """``match_to_folder`` with the solve in a child process (forced on the demo) against the
    plain sequence: the same three files, byte for byte, and the same result."""
    from symbiose.bundle import read_bundle
    from symbiose.matching import match_to_folder, run_match, write_outputs

    monkeypatch.setenv("SYMBIOSE_WORKERS", "2")
    network = read_bundle(ROOT / "data" / "demo")
    with language("fr"):
        forked, _paths = match_to_folder(network, None, tmp_path / "forked", machine=machine, background_arcs=0)
        plain = run_match(network, None, reasons=False)
        write_outputs(plain, tmp_path / "plain", machine=machine)
    assert forked.allocation.objective_cents == plain.allocation.objective_cents
    assert forked.kpis == plain.kpis
    for name in ("matches.csv", "suggestions.csv", "kpis.json"):
        assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_a_terminal_is_told_each_step_of_a_long_match(tmp_path):
    """On a terminal, stderr shows the steps in French with the seconds elapsed; stdout (and a
    file or a pipe) gets the results alone."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    env = {**os.environ, "SYMBIOSE_LANGUAGE": "fr"}
    proc = subprocess.run([sys.executable, "-m", "symbiose.cli", "--database", f"sqlite:///{tmp_path / 'x.db'}",
                           "match", "--bundle", str(ROOT / "data" / "demo"), "--out", str(tmp_path / "out")],
                          stdout=subprocess.PIPE, stderr=follower, env=env, cwd=ROOT, timeout=300)  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode == 0
    shown_text = shown.decode("utf-8")
    for step in ("Lecture du réseau", "Recherche des paires candidates", "Affectation des flux aux besoins",
                 "Écriture des fichiers"):  # fmt: skip
        assert step in shown_text, shown_text
    assert " s] " in shown_text
    assert "Lecture du réseau" not in proc.stdout.decode("utf-8")
