"""Column-wise reading of a bundle's clean rows: the fast path of :func:`symbiose.bundle.read_import`.

A bundle of a hundred thousand rows repeats its codes, units, categories and prices, and most of
its rows are clean. Here each column of a CSV table is read at once: every distinct cell value is
read once, by the row parser's own function on a row holding that one cell (its problems are
counted, not kept), and numbers written plainly (``1234.5``) are read as that parser reads them,
``float`` of the text. A row whose every cell, and every check across its cells (a stream's
quantity within its unit's range, a company's place), passes gives its record directly.

Every other row is read by the row-by-row parser of :mod:`symbiose.bundle`, which alone reports
problems: a cell that reports a problem, a check across cells that fails, an id seen before, the
row of a stored record that takes stored values, a workbook's typed cells. The problems, their
order, their wording and their hints are therefore those of the row-by-row parser, and so are
the records (``read_import(..., columnwise=False)`` reads every row that way; the tests compare
the two on corrupted bundles).
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Callable, Collection
from itertools import repeat
from typing import Any

from symbiose import bundle as b
from symbiose.bundle import _Row, _Table
from symbiose.domain import Company, Need, PhysicalState, Route, Stream, parse_forms, parse_states
from symbiose.geo import METROPOLITAN_FRANCE_BBOX, validate_coordinates
from symbiose.i18n import N_
from symbiose.logistics import MAX_STORAGE_MONTHS
from symbiose.ranges import max_quantity_base, price_problem
from symbiose.units import Unit, to_base, to_cents

_BAD = object()
"""A cell value the row parser reports a problem on."""
_PLAIN_COLUMN = re.compile(rf"(?:{b._PLAIN_DECIMAL.pattern})(?:\n(?:{b._PLAIN_DECIMAL.pattern}))*")
"""Cells joined by newlines, each one a plain number (:data:`symbiose.bundle._PLAIN_DECIMAL`)."""


class Columns:
    """A CSV table's cells column by column, with the rows that hold a problem cell."""

    def __init__(
        self, table: _Table, index: dict[str, int], positions: list[tuple[str, ...]], regular: bool
    ) -> None:
        self.table = table
        self.size = len(table.rows)
        # an empty table has no positions: every column reads as absent
        self.raw: dict[str, tuple[str, ...]] = {name: positions[p] for name, p in index.items()} if positions else {}
        self.bad: set[int] = set()  # positions of rows with a cell read with a problem
        self.regular = regular  # no row longer than the header
        self.ids = self.texts("id")

    def texts(self, column: str) -> list[str]:
        """The cells' texts, as :meth:`symbiose.bundle._Row.text` gives them."""
        cells = self.raw.get(column)
        if cells is None:
            return [""] * self.size
        joined = "".join(cells)
        if "\u00a0" in joined or "'" in joined:  # spaces to replace, or an escaped formula
            return list(map(b._cell_text, cells))
        return list(map(str.strip, cells))

    def values(
        self, column: str, parse: Callable[..., Any], *args: Any,
        plain: Callable[[float], Any] | None = None,
    ) -> list[Any]:  # fmt: skip
        """``parse(row, column, *args)`` of each cell, read once per distinct value; the rows of
        a value that reports a problem are put in :attr:`bad`. ``plain(number)``: the value of a
        cell written as a plain number (``float`` of its text, as the row parser reads it), or
        ``_BAD`` when the row parser is to decide."""
        cells = self.raw.get(column)
        if cells is None:  # an absent column: an empty cell on every row
            value = self._probe(column, "", parse, args)
            if value is _BAD:
                self.bad.update(range(self.size))
            return [value] * self.size
        if plain is float:
            joined = "\n".join(cells)
            if joined.count("\n") == len(cells) - 1 and _PLAIN_COLUMN.fullmatch(joined):
                return list(map(float, cells))  # every cell a plain number, taken as it is
        distinct = set(cells)
        results: dict[str, Any] = {}
        if plain is not None:
            numbers = list(filter(b._PLAIN_DECIMAL.fullmatch, distinct))
            results = dict(zip(numbers, map(plain, map(float, numbers)), strict=True))
        for text in distinct:
            if results.get(text, _BAD) is _BAD:
                results[text] = self._probe(column, text, parse, args)
        values = list(map(results.__getitem__, cells))
        if _BAD in results.values():
            self.bad.update(i for i, value in enumerate(values) if value is _BAD)
        return values

    def _probe(self, column: str, text: str, parse: Callable[..., Any], args: tuple) -> Any:
        problems = b.ProblemLog(0, 0)  # counted only; no hint computed
        try:
            value = parse(_Row(self.table, 0, [text], {column: 0}, problems, {}, [column]), column, *args)
        except Exception:  # noqa: BLE001 - the row parser meets it again, if it reads this cell
            return _BAD
        return _BAD if len(problems) else value

    def require(self, texts: list[Any], known: Collection[str] | None = None) -> None:
        """Rows whose text is empty, or not in ``known``, are read row by row."""
        if all(texts) and (known is None or all(map(known.__contains__, set(texts)))):
            return
        self.bad.update(
            i for i, text in enumerate(texts) if not text or (known is not None and text not in known)
        )  # fmt: skip


def columns(table: _Table, index: dict[str, int]) -> Columns | None:
    """The table's columns, or None when a cell is not text (a workbook's numbers and dates)."""
    width = len(table.headers)
    lists = [cells for _, cells in table.rows]
    lengths = set(map(len, lists))
    if lengths - {width}:  # short rows (missing cells read empty), long rows
        lists = [cells if len(cells) == width else [*cells[:width], *[""] * (width - len(cells))]
                 for cells in lists]  # fmt: skip
    positions = list(zip(*lists, strict=True))
    if any(set(map(type, cells)) - {str} for cells in positions):
        return None
    return Columns(table, index, positions, max(lengths, default=0) <= width)


def reader(table: _Table, index: dict[str, int], **context: Any) -> Any:
    """What :func:`symbiose.bundle._rows` takes as ``clean``: ``ids`` (the id of each row) and
    ``record(position)``, the record of a row read without problem, or None."""
    cells = columns(table, index)
    if cells is None:
        return None
    build = {"companies": _companies, "streams": _streams, "needs": _needs}[table.name]
    return _Clean(cells, build(cells, **context))


class _Clean:
    """``ids``, ``record(position)``; ``complete``: every row gives its record (``records``),
    no row is longer than the header, no two rows share an id and none is an example."""

    __slots__ = ("ids", "record", "records", "complete")

    def __init__(self, cells: Columns, built: list[Any] | Callable[[int], Any]) -> None:
        self.ids = cells.ids
        self.records: list[Any] = built if isinstance(built, list) else []
        self.record: Callable[[int], Any] = built.__getitem__ if isinstance(built, list) else built
        joined = "\n".join(self.ids).upper()
        self.complete = (
            isinstance(built, list) and cells.regular and not cells.bad
            and len(set(self.ids)) == cells.size
            and not any(prefix in joined for prefix in b.EXAMPLE_PREFIXES)
        )  # fmt: skip


def _records(cls: type, *columns: Any) -> list[Any]:
    """``list(map(cls, *columns))``: one record per row, its fields taken from the columns in
    order. A frozen dataclass with slots and without ``__post_init__`` (a domain record) is
    built field by field, each slot set on every record at once as its ``__init__`` would set
    it (``object.__setattr__``): less than half the time of calling ``__init__`` on each row."""
    fields = dataclasses.fields(cls)
    if (hasattr(cls, "__post_init__") or "__slots__" not in cls.__dict__ or len(columns) != len(fields)
            or not all(f.init for f in fields)):  # fmt: skip
        return list(map(cls, *columns))
    size = len(columns[0])
    records = list(map(object.__new__, repeat(cls, size)))
    for field, column in zip(fields, columns, strict=True):
        deque(map(cls.__dict__[field.name].__set__, records, column), maxlen=0)
    return records


def _clean(records: list[Any], bad: set[int]) -> list[Any]:
    """The records built for every row, None for a row to read row by row."""
    for position in bad:
        records[position] = None
    return records


# --------------------------------------------------------------------------------------------
# Checks of one cell, as the row parsers make them (the probe counts their problems)


def _number(row: _Row, column: str, minimum: float | None = None, strictly_positive: bool = False) -> Any:
    return row.number_value(column, minimum=minimum, strictly_positive=strictly_positive)


def _price(row: _Row, column: str, minimum: float | None) -> Any:
    """A price, route cost or gate fee: a number within the plausible range."""
    value = row.number_value(column, minimum=minimum, what=N_("euros per unit"))
    if value is not None and (price_problem(to_cents(value)) or b.too_precise(value, 2)):
        row.problem(column, "")
    return value


def _plain_price(minimum: float | None) -> Callable[[float], Any]:
    def plain(value: float) -> Any:
        fine = (minimum is None or value >= minimum) and price_problem(to_cents(value)) is None
        return value if fine and not b.too_precise(value, 2) else _BAD

    return plain


def _density(row: _Row, column: str) -> Any:
    """As :func:`symbiose.bundle._logistics_cells` reads a bulk density."""
    value = row.number_value(column, strictly_positive=True)
    if value is not None and not 0.01 <= value <= 5:
        row.problem(column, "")
    return None if value is None else float(value)


def _storage(row: _Row, column: str) -> Any:
    """As :func:`symbiose.bundle._logistics_cells` reads a storage in months."""
    value = row.number_value(column, minimum=0)
    if value is not None and (value != int(value) or value > MAX_STORAGE_MONTHS):
        row.problem(column, "")
    return None if value is None else int(value)


def _plain_density(value: float) -> Any:
    return float(value) if value > 0 and 0.01 <= value <= 5 else _BAD


def _plain_storage(value: float) -> Any:
    return int(value) if 0 <= value <= MAX_STORAGE_MONTHS and value == int(value) else _BAD


def _plain_temperature(value: float) -> Any:
    return float(value) if -50 <= value <= 1000 else _BAD


def _plain_quantity(value: float) -> Any:
    return to_base(value, Unit.T) if value >= 0 and not b.too_precise(value, 3) else _BAD


def _known_company(cells: Columns, known: Collection[str]) -> list[str]:
    company_ids = cells.texts("company_id")
    cells.require(company_ids, known)
    return company_ids


def _quantities(cells: Columns) -> tuple[list[Any], list[Any]]:
    """Quantities (base units) and units; rows beyond their unit's plausible range are bad."""
    quantities = cells.values("quantity", b._quantity, plain=_plain_quantity)
    units = cells.values("unit", _Row._unit)
    if not cells.bad.issuperset(range(cells.size)):
        limits = {unit: max_quantity_base(unit) for unit in Unit}  # as symbiose.ranges checks
        cells.bad.update(
            i for i, (q, u) in enumerate(zip(quantities, units, strict=True))
            if q is not _BAD and u is not _BAD and q > limits[u]
        )  # fmt: skip
    return quantities, units


def _cents(values: list[Any]) -> list[int]:
    """``to_cents(value or 0)`` of each value (a bad one gives 0: its row is read row by row)."""
    cents = {value: to_cents(value or 0) for value in set(values) if value is not _BAD}
    return [cents.get(value, 0) for value in values]


# --------------------------------------------------------------------------------------------
# The three tables


def _companies(cells: Columns, locator: Any) -> list[Any] | Callable[[int], Company | None]:
    """Mirrors :func:`symbiose.bundle._parse_company` for a row without problem. A row placed
    by its coordinates alone is read at once; a row naming a commune or an INSEE code is placed
    when its turn comes (the locator is asked in the order of the rows, as row by row)."""
    ids, names = cells.ids, cells.texts("name")
    cells.require(ids)
    cells.require(names)
    sirets = cells.values("siret", b._siret)
    nafs = cells.values("naf_code", b._naf)
    postal_codes = cells.values("postal_code", b._postal_code)
    insees = cells.values("insee_code", b._insee_code)
    communes = cells.texts("commune")
    lat_texts, lon_texts = cells.texts("latitude"), cells.texts("longitude")
    lats = cells.values("latitude", _number, plain=float)
    lons = cells.values("longitude", _number, plain=float)
    freight = cells.values("freight_access", b._freight_access)
    address, contact = cells.texts("address"), cells.texts("contact_name")
    email, phone = cells.values("contact_email", b._email), cells.values("contact_phone", b._phone)
    notes = cells.texts("notes")
    bad = cells.bad
    placed = [bool(insee or commune) for insee, commune in zip(insees, communes, strict=True)]
    lat_min, lat_max, lon_min, lon_max = METROPOLITAN_FRANCE_BBOX
    for i, (place, lat_text, lon_text, lat, lon) in enumerate(
        zip(placed, lat_texts, lon_texts, lats, lons, strict=True)
    ):
        if place or i in bad:
            continue  # placed when its turn comes
        if not (lat_text and lon_text):
            bad.add(i)  # no place, or half the coordinates
        elif not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max) and _coordinates(lat, lon) is None:
            # inside the bounding box the pair is valid and not swapped: validate_coordinates
            # gives it back unchanged; outside, it decides
            bad.add(i)
    records: list[Any] = _records(
        Company, ids, names, lats, lons, communes, insees, postal_codes, nafs, sirets, address,
        contact, email, phone, notes, freight,
    )  # fmt: skip
    for i, place in enumerate(placed):
        if place:
            records[i] = _PLACE
    records = _clean(records, bad)
    if not any(placed):
        return records
    fold = b.reference.fold_name

    def company(i: int) -> Company | None:
        found = records[i]
        if found is not _PLACE:
            return found
        xy = None
        if lat_texts[i] or lon_texts[i]:
            xy = _coordinates(lats[i], lons[i]) if lat_texts[i] and lon_texts[i] else None
            if xy is None:
                return None
        insee, commune, postal_code = insees[i], communes[i], postal_codes[i]
        place = None
        if insee:
            place = locator.locate(insee_code=insee)
            if place is None and xy is None:
                return None
            if place is not None and commune and fold(commune) != fold(place.raw["name"]):
                return None
        else:
            place = locator.locate(commune=commune, postal_code=postal_code)
            if place is None and postal_code:
                place = locator.locate(commune=commune)
            if place is None and xy is None:
                return None
        if xy is None and place is not None:
            xy = (float(place.latitude), float(place.longitude))
        commune, insee, postal_code = b.placed_names(place, commune, insee, postal_code)
        if xy is None:
            return None
        return Company(
            ids[i], names[i], xy[0], xy[1], commune, insee, postal_code, nafs[i], sirets[i],
            address[i], contact[i], email[i], phone[i], notes[i], freight[i],
        )  # fmt: skip

    return company


_PLACE = object()
"""A company row placed by its commune or INSEE code, read when its turn comes."""


def _coordinates(lat: Any, lon: Any) -> tuple[float, float] | None:
    """As :func:`symbiose.bundle._parse_company` checks a row's coordinates; None: a problem."""
    if lat is _BAD or lon is _BAD:
        return None
    try:
        return validate_coordinates(lat, lon)
    except b.GeocodingError:
        return None


def _common(cells: Columns, known: Collection[str], first: tuple, second: tuple) -> tuple:
    """The columns a stream and a need read alike: ids, companies, the two columns of which at
    least one must be given (``(name, parser)`` each: code and material, or category and
    accepted codes), quantities and units."""
    ids = cells.ids
    cells.require(ids)
    company_ids = _known_company(cells, known)
    firsts, seconds = cells.values(*first), cells.values(*second)
    given = [bool(x or y) for x, y in zip(cells.texts(first[0]), cells.texts(second[0]), strict=True)]
    cells.require(given)
    quantities, units = _quantities(cells)
    return ids, company_ids, firsts, seconds, quantities, units


def _streams(cells: Columns, known: Collection[str]) -> list[Stream | None]:
    """Mirrors :func:`symbiose.bundle._parse_stream` for a row without problem."""
    ids, company_ids, ewcs, materials, quantities, units = _common(
        cells, known, ("ewc_code", b._ewc), ("material", b._category)
    )
    states = cells.values("physical_state", _Row._known_choice, PhysicalState, PhysicalState.SOLID)
    months = cells.values("months", _Row._months)
    routes = cells.values("route", _Row._known_choice, Route, Route.OTHER)
    costs = _cents(cells.values("route_cost_eur_per_unit", _price, None, plain=_plain_price(None)))
    densities = cells.values("bulk_density_t_per_m3", _density, plain=_plain_density)
    storages = cells.values("storage_months", _storage, plain=_plain_storage)
    temperatures = cells.values("temperature_c", b._temperature, plain=_plain_temperature)
    forms = cells.values("forms", b._vocabulary, parse_forms)
    standards = cells.values("standards", b._standards)
    destination_categories = cells.values("destination_category", b._category)
    description, notes, destination = cells.texts("description"), cells.texts("notes"), cells.texts("destination")
    records = _records(
        Stream, ids, company_ids, quantities, units, ewcs, materials, description, states, months,
        routes, costs, notes, densities, storages, temperatures, forms, standards, destination,
        destination_categories,
    )  # fmt: skip
    return _clean(records, cells.bad)


def _needs(cells: Columns, known: Collection[str]) -> list[Need | None]:
    """Mirrors :func:`symbiose.bundle._parse_need` for a row without problem."""
    ids, company_ids, categories, codes, quantities, units = _common(
        cells, known, ("category", b._category), ("accepted_codes", b._accepted_codes)
    )
    prices = _cents(cells.values("virgin_price_eur_per_unit", _price, 0, plain=_plain_price(0)))
    distances = cells.values(
        "max_distance_km", _number, None, True, plain=lambda value: value if value > 0 else _BAD
    )
    months = cells.values("months", _Row._months)
    permits = cells.values("hazardous_permit", _Row._boolean)
    minimums = cells.values("min_temperature_c", b._temperature, plain=_plain_temperature)
    maximums = cells.values("max_temperature_c", b._temperature, plain=_plain_temperature)
    if any(m is not None for m in maximums):
        cells.bad.update(
            i for i, (low, high) in enumerate(zip(minimums, maximums, strict=True))
            if low is not None and high is not None and low is not _BAD and high is not _BAD and high < low
        )  # fmt: skip
    approvals = cells.values("approvals", b._approvals)
    states = cells.values("accepted_states", b._vocabulary, parse_states)
    required = cells.values("required_forms", b._vocabulary, parse_forms)
    refused = cells.values("refused_forms", b._vocabulary, parse_forms)
    standards = cells.values("required_standards", b._standards)
    fees = _cents(cells.values("gate_fee_eur_per_unit", _price, 0, plain=_plain_price(0)))
    description, notes, permit = cells.texts("description"), cells.texts("notes"), cells.texts("permit")
    records = _records(
        Need, ids, company_ids, quantities, units, categories, codes, description, prices,
        distances, months, permits, notes, minimums, states, required, refused, standards, fees,
        permit, maximums, approvals,
    )  # fmt: skip
    return _clean(records, cells.bad)
