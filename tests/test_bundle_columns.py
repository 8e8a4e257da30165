"""The column-wise reading of bundles (symbiose.bundle_columns) against the row-by-row parser.

``read_import`` reads the clean CSV rows of companies, streams and needs column by column and
leaves every other row to the row-by-row parser; ``read_import(..., columnwise=False)`` reads
every row row by row. On the demo and on a synthetic bundle, corrupted at random in the ways
officers' spreadsheets go wrong, both must give the same records and notices, or the same
problems (file, row, column, message, in the same order), in French and in English.
"""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest

from symbiose.bundle import TABLES, _records_to_table, read_bundle, read_import
from symbiose.domain import Stream
from symbiose.errors import ImportValidationError
from symbiose.i18n import language
from symbiose.reference import data_dir
from symbiose.units import Unit

BAD_VALUES = (
    "", " ", "abc", "-5", "-0", "0", "1,5", "1 234,5", "1.234,5", "1,234", "1\u00a0234", "12 t", "1e5",
    "nan", "inf", "99999999999", "150000", "-150000", "0.001", "0.004", "20000000", "kg", "tonnes",
    "T", "MWH", "m³", "solide", "liquid", "plasma", "boue", "landfill", "enfouissement", "xx",
    "oui", "non", "maybe", "11-3", "13", "nov-mar", "2024-01-05", "16.10A", "1610A", "99.99Z",
    "17197", "1719", "99999", "17500", "Jonzac", "Jonsac", "Paris", "45.4", "-0.4", "0.4", "200",
    "-200", "'=1+2", "'12", "\u00a012\u00a0", " 12 ", "C001", "C999", "EXEMPLE-X1", "03 01 05",
    "030105", "30105", "99 99 99", "0301", "02,03", "wood_fuel", "heat", "woodfuel", "sawdust;clean",
    "gloop", "rail", "rail;port", "train", "nf_u44_051", "NF U 44-051", "5", "6", "12", "0.5",
    "-60", "1200", "12345678901234", "123", "a\nb", "L'Isle", "S0001", "N0001", "C0000001",
    "prenom.nom@entreprise.fr", "a@b", "05 36 49 12 34", "+33 5 36 49 12 34", "05 36 49",
)  # fmt: skip
FRENCH = {c.name: c.french for columns in TABLES.values() for c in columns}


def _read(folder: Path) -> dict[str, list[list[str]]]:
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            tables[path.stem] = list(csv.reader(f))
    return tables


def corrupt(tables: dict[str, list[list[str]]], rng: random.Random) -> tuple[dict, str]:
    """A copy of ``tables`` (name -> header and rows) with a few random mistakes, and the
    separator to write it with."""
    tables = {name: [list(row) for row in rows] for name, rows in tables.items()}
    names = [n for n in tables if n != "synergies"]
    for _ in range(rng.choice((1, 1, 2, 3, 6))):
        name = rng.choice(names)
        header, rows = tables[name][0], tables[name][1:]
        if not rows:
            continue
        row = rng.choice(rows)
        column = rng.randrange(len(header))
        kind = rng.randrange(14)
        if kind <= 4:  # a bad value, sometimes on many rows
            value = rng.choice(BAD_VALUES)
            for target in rng.sample(rows, min(len(rows), rng.choice((1, 1, 3, 40)))):
                if column < len(target):
                    target[column] = value
        elif kind == 5:  # a value of another row of the column (repeated ids, references)
            other = rng.choice(rows)
            if column < len(row) and column < len(other):
                row[column] = other[column]
        elif kind == 6:  # a dropped column
            for line in tables[name]:
                if column < len(line):
                    del line[column]
        elif kind == 7:  # French headers
            tables[name][0] = [FRENCH.get(h, h) for h in header]
        elif kind == 8:  # an extra column, known or not, with or without values
            extra = rng.choice(("remarques", "colour", "", "notes", "quantite"))
            for line in tables[name]:
                line.append(extra if line is header else rng.choice(("", "x", "1")))
        elif kind == 9:  # a repeated row
            rows.insert(rng.randrange(len(rows)), list(row))
            tables[name][1:] = rows
        elif kind == 10:  # extra cells, or a short row
            if rng.random() < 0.5:
                row.extend(rng.choice(([""], ["x"], ["1", "5"])))
            else:
                del row[rng.randrange(len(row)) :]
        elif kind == 11:  # a company reference that does not exist, or an example row
            row[0 if rng.random() < 0.3 else min(1, len(row) - 1)] = rng.choice(("C999", "EXEMPLE-1", "example-2"))
        elif kind == 12:  # blank rows, or a cell of spaces and non-breaking spaces
            rows.insert(rng.randrange(len(rows)), [""] * len(header))
            row[column] = f"\u00a0{row[column]} " if column < len(row) else row[-1:]
            tables[name][1:] = rows
        else:  # a column emptied
            for target in rows:
                if column < len(target):
                    target[column] = ""
    return tables, rng.choice((",", ",", ";"))


def write(tables: dict[str, list[list[str]]], separator: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f, delimiter=separator).writerows(rows)
    return folder


def outcome(path: Path, **kwargs: object) -> tuple:
    """What reading gives: the records and what the files held, or the problems."""
    try:
        read = read_import(path, **kwargs)  # type: ignore[arg-type]
    except ImportValidationError as exc:
        return ("problems", exc.total, [(p.file, p.row, p.column, p.message) for p in exc.problems])
    return ("read", read.network, read.columns, read.notices, read.labels, read.rows, read.headers)


def synthetic(folder: Path, n: int = 300) -> Path:
    """A bundle like the benchmark's (companies placed by coordinates, streams and needs with
    codes, categories, prices): 2n companies, n streams, n needs."""
    rng = random.Random(n)
    companies = [["id", "name", "latitude", "longitude"]] + [
        [f"C{i:05d}", f"Site {i}", f"{rng.uniform(43, 50):.6f}", f"{rng.uniform(-1.5, 6):.6f}"]
        for i in range(2 * n)
    ]  # fmt: skip
    codes = ("020602", "010508", "040107", "170504", "")
    streams = [["id", "company_id", "ewc_code", "material", "quantity", "unit", "route",
                "route_cost_eur_per_unit"]] + [
        [f"S{i:05d}", f"C{i:05d}", code, "" if code else "wood_fuel", str(rng.randint(1, 3000)),
         "t", rng.choice(("landfill", "incineration", "")), str(rng.randint(0, 150))]
        for i, code in ((i, rng.choice(codes)) for i in range(n))
    ]  # fmt: skip
    needs = [["id", "company_id", "category", "accepted_codes", "quantity", "unit",
              "virgin_price_eur_per_unit", "max_distance_km"]] + [
        [f"N{i:05d}", f"C{n + i:05d}", "" if codes_ else "wood_fuel", codes_,
         str(rng.randint(1, 3000)), "t", str(rng.randint(0, 90)), str(rng.randint(5, 80))]
        for i, codes_ in ((i, rng.choice(("020602", "010508,020703", "", "0201"))) for i in range(n))
    ]  # fmt: skip
    return write({"companies": companies, "streams": streams, "needs": needs}, ",", folder)


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("bases")
    demo = root / "demo"
    shutil.copytree(data_dir() / "demo", demo)
    return {"demo": _read(demo), "synthetic": _read(synthetic(root / "synthetic"))}


@pytest.mark.parametrize("seed", range(40))
def test_columnwise_reading_gives_what_the_row_parser_gives(bases, tmp_path, seed):
    rng = random.Random(seed)
    base = "demo" if seed % 2 else "synthetic"
    tables, separator = corrupt(bases[base], rng)
    folder = write(tables, separator, tmp_path / "bundle")
    kwargs: dict = {}
    if seed % 5 == 0 and base == "demo":  # an import over the stored demo: absent columns kept
        kwargs["stored"] = read_bundle(data_dir() / "demo")
    for code in ("fr", "en"):
        with language(code):
            fast, slow = outcome(folder, **kwargs), outcome(folder, columnwise=False, **kwargs)
        assert fast == slow, (base, seed, code)


@pytest.mark.parametrize("table", ["companies", "streams", "needs"])
def test_every_column_takes_every_kind_of_mistake(bases, tmp_path, table):
    """Column by column, the demo's rows each get another value of BAD_VALUES (bad ones, and
    good ones written another way: 1610A, 17500, « solide »): the same problems, or the same
    records, column-wise and row by row."""
    header = bases["demo"][table][0]
    for column in range(len(header)):
        tables = {name: [list(row) for row in rows] for name, rows in bases["demo"].items()}
        for offset, row in enumerate(tables[table][1:]):
            row[column] = BAD_VALUES[(offset + column) % len(BAD_VALUES)]
        folder = write(tables, ",", tmp_path / f"{table}-{column}")
        assert outcome(folder) == outcome(folder, columnwise=False), header[column]
        # one kind of value on every row but one: read once for all of them
        for row in tables[table][2:]:
            row[column] = tables[table][1][column]
        folder = write(tables, ",", tmp_path / f"{table}-{column}-same")
        assert outcome(folder) == outcome(folder, columnwise=False), header[column]


def test_the_corruptions_reach_both_outcomes(bases, tmp_path):
    """The random corruptions give problems of many kinds and clean reads too (a check that
    the comparison above is not made only on reads that fail at once)."""
    outcomes = []
    for seed in range(40):
        tables, separator = corrupt(bases["demo" if seed % 2 else "synthetic"], random.Random(seed))
        outcomes.append(outcome(write(tables, separator, tmp_path / str(seed))))
    read = [o for o in outcomes if o[0] == "read"]
    problems = [p for o in outcomes if o[0] == "problems" for p in o[2]]
    assert len(read) >= 4  # seed 15 writes a number as a contact's e-mail: a problem since they are checked
    assert len({p[2] for p in problems}) >= 8  # problems on many columns


def test_clean_rows_are_read_column_by_column(bases, tmp_path):
    """On a clean bundle, every record comes from the column-wise reading, equal to the row
    parser's; a row with a problem among clean ones is left to the row parser."""
    folder = write(bases["synthetic"], ",", tmp_path / "clean")
    assert outcome(folder) == outcome(folder, columnwise=False)
    from symbiose import bundle, bundle_columns

    table = bundle._read_csv(folder / "streams.csv", "streams", [])
    index = bundle._column_index(table, [])
    clean = bundle_columns.reader(table, index, known={row[1] for _, row in table.rows})
    assert all(isinstance(clean.record(i), Stream) for i in range(len(table.rows)))
    table.rows[5][1][4] = "1 234,5"  # a number the row parser reads (a thousands space, a comma)
    table.rows[6][1][4] = "-3"  # a negative quantity: a problem
    clean = bundle_columns.reader(table, index, known={row[1] for _, row in table.rows})
    assert clean.record(5).quantity_base == 1_234_500  # read once, by the row parser's function
    assert clean.record(6) is None  # left to the row parser, which reports it
    assert isinstance(clean.record(7), Stream)


def test_records_built_column_by_column_equal_the_constructed_ones():
    from symbiose.bundle_columns import _records

    columns = (["S1", "S2"], ["C1", "C2"], [1000, 2000], [Unit.T, Unit.M3], ["020602", ""])
    built = _records(Stream, *columns, *([default] * 2 for default in _stream_defaults()))
    assert built == [Stream(*args) for args in zip(*columns, strict=True)]
    assert hash(built[0]) == hash(Stream("S1", "C1", 1000, Unit.T, "020602"))


def _stream_defaults() -> list:
    import dataclasses

    return [f.default for f in dataclasses.fields(Stream)][5:]


def test_blank_csv_rows_are_skipped_as_before():
    """A CSV row of spaces (and non-breaking spaces) is blank; an apostrophe is not."""
    from symbiose.limits import limits

    records = [["id", "name"], [" ", "\u00a0"], ["'", ""], ["C1", "A"]]
    table = _records_to_table("companies", "companies.csv", records, [], limits(), text_only=True)
    assert [number for number, _ in table.rows] == [3, 4]
