"""Texts written in Arrow from their pieces (symbiose.arrowtext) are the texts Python writes row
by row: joins that skip empty parts, choices, templates, quoting and escaping checks, grouped
and fixed numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from symbiose.arrowtext import Pieces, repeated, rows_holding, rows_starting
from symbiose.i18n import fmt_number, language
from symbiose.safe_output import escape_cell, escape_frame
from symbiose.suggestions import _fixed_text, _grouped, _joined

WORDS = ["", "", "a", "bé", "x, y", 'say "hi"', "=1+1", "-3", "line\nbreak", "\r", "'", "@home", "\tTab"]


def _random_texts(rng, size: int, missing: float = 0.0) -> list[str | None]:
    texts = [str(rng.choice(WORDS)) + str(rng.choice(WORDS)) for _ in range(size)]
    return [None if rng.random() < missing else t for t in texts]


def _arrow(texts) -> pa.Array:
    return pa.array(texts, type=pa.large_string())


def _plain_join(rows: list[list[str]], separator: str) -> list[str]:
    return [separator.join(x for x in row if x) for row in rows]


@pytest.mark.parametrize("seed", range(4))
def test_join_skips_empty_parts_as_python_does(seed):
    # random parts (many empty, some whole columns empty or literal) against "; ".join of the
    # non-empty ones, row by row; nested joins, choices and templates included
    rng = np.random.default_rng(seed)
    size = 500
    columns = [_random_texts(rng, size) for _ in range(rng.integers(2, 9))]
    columns.append([""] * size)
    literal = str(rng.choice(["", "lit", "x, y"]))
    parts = [_arrow(c) for c in columns] + [literal]
    got = Pieces.join(parts, "; ").text().to_pylist()
    assert got == _plain_join([[*row, literal] for row in zip(*columns, strict=True)], "; ")
    assert got == _joined(parts).text().to_pylist()  # the suggestions' joins are these
    # a join inside a choice inside a template inside a join
    chosen = rng.random(size) < 0.5
    inner = Pieces.join([_arrow(columns[0]), Pieces.where(chosen, _arrow(columns[1]), "")], ", ")
    outer = Pieces.join([Pieces.fill("<{a}|{b}>", a=inner, b=_arrow(columns[2])), Pieces.where(~chosen, "no", ""),
                         _arrow(columns[-1])])  # fmt: skip
    expected = []
    for a, b, c, yes in zip(columns[0], columns[1], columns[2], chosen, strict=True):
        first = ", ".join(x for x in [a, b if yes else ""] if x)
        expected.append("; ".join(x for x in [f"<{first}|{c}>", "" if yes else "no"] if x))
    assert outer.text().to_pylist() == expected


def test_pieces_of_no_rows_and_of_literals_only():
    assert Pieces.join([_arrow([]), "x"]).text().to_pylist() == []
    assert Pieces.fill("a{b}c", 3, b="-").text().to_pylist() == ["a-c"] * 3
    assert Pieces.where(np.array([True, False]), "yes", "").text().to_pylist() == ["yes", ""]
    assert Pieces.join([_arrow(["", ""]), _arrow(["", ""])]).text().to_pylist() == ["", ""]


def test_a_missing_text_makes_its_row_missing_where_it_is_used():
    # as a join of Arrow columns does: a missing value on a row where it is used leaves the row
    # missing, and a missing value not used (its choice not taken) changes nothing
    values = _arrow(["a", None, None, "d"])
    used = np.array([True, True, False, False])
    got = Pieces.fill("[{v}]", v=Pieces.where(used, values, "-")).text().to_pylist()
    assert got == ["[a]", None, "[-]", "[-]"]


def test_literal_runs_of_many_patterns():
    # runs of more literals than the counted patterns hold (over 16, over 62)
    rng = np.random.default_rng(7)
    size = 300
    for count in (3, 17, 70):
        masks = [rng.random(size) < 0.5 for _ in range(count)]
        pieces = Pieces.concat([Pieces.where(m, f"<{i}>", "") for i, m in enumerate(masks)], size)
        expected = ["".join(f"<{i}>" for i, m in enumerate(masks) if m[row]) for row in range(size)]
        assert pieces.text().to_pylist() == expected


def test_repeated_literal():
    mask = np.array([True, False, True, True])
    assert repeated(mask, "é;").to_pylist() == ["é;", "", "é;", "é;"]
    assert repeated(np.zeros(0, bool), "x").to_pylist() == []


@pytest.mark.parametrize("offset", [0, 3])
def test_rows_holding_and_starting_are_pythons_in_and_startswith(offset):
    rng = np.random.default_rng(11)
    texts = _random_texts(rng, 2000, missing=0.05)
    array = _arrow(texts).slice(offset)
    texts = texts[offset:]
    for chars in ('",\n\r', ";", "e"):
        assert rows_holding(array, chars).tolist() == [t is not None and any(c in t for c in chars) for t in texts]
    starts = "=+-@\t\r'"
    assert rows_starting(array, starts).tolist() == [t is not None and t[:1] != "" and t[0] in starts for t in texts]
    with pytest.raises(ValueError, match="ASCII"):
        rows_holding(array, "é")


def test_escaping_a_text_column_held_in_arrow_is_escaping_each_cell():
    rng = np.random.default_rng(5)
    texts = _random_texts(rng, 3000, missing=0.05)
    frame = pd.DataFrame({"arrow": pd.array(texts, dtype="str"), "object": pd.Series(texts, dtype=object)})
    out = escape_frame(frame)
    expected = [None if t is None else escape_cell(t) for t in texts]
    assert [None if pd.isna(x) else x for x in out["arrow"]] == expected
    assert [None if pd.isna(x) else x for x in out["object"]] == expected
    assert (frame["arrow"].fillna("") == pd.Series(texts).fillna("")).all()  # the input is left as it was


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_grouped_numbers_are_pythons_thousands_format(lang):
    rng = np.random.default_rng(2)
    values = np.concatenate([rng.normal(0, 1e6, 5000) * 10.0 ** rng.integers(-3, 8, 5000),
                             [0, 0.4, -0.4, -0.6, 999, 999.5, 1000, -1000, 1e15, -1e15, 123456789, 2.5, -2.5]])  # fmt: skip
    with language(lang):
        separator = fmt_number(1000)[1]
        got = _grouped(values).to_pylist()
    assert got == [f"{v:,}".replace(",", separator) for v in np.rint(values).astype(np.int64).tolist()]
    assert _grouped(np.zeros(0)).to_pylist() == []


def test_fixed_decimals_over_the_whole_range_of_doubles():
    # digits written in Arrow below 2**50 (in units of the last decimal), Python above and for ties
    rng = np.random.default_rng(4)
    values = np.concatenate([rng.normal(size=20000) * 10.0 ** rng.integers(-5, 18, 20000),
                             np.round(rng.normal(0, 1e4, 5000), 2), np.round(rng.normal(0, 1e3, 5000), 1) + 0.05,
                             [2.0**50 / 100, 2.0**50 / 10, 2.0**51, -(2.0**50), 1e15 + 0.5, -0.0, np.inf, -np.inf, np.nan]])  # fmt: skip
    for decimals in (0, 1, 2, 3):
        assert _fixed_text(values, decimals).to_pylist() == [f"{v:.{decimals}f}" for v in values.tolist()]
    assert _fixed_text(np.array([-1.25, 3.0]), 1, ",").to_pylist() == ["-1,2", "3,0"]
