"""Network bundles: CSV folders and Excel workbooks <-> :class:`symbiose.domain.Network`.

The format is described in ``docs/DATA_FORMAT.md`` (the contract) and, for officers, in
``docs/IMPORT.md``. Reading is forgiving about French spreadsheet habits (``;`` separators,
decimal commas, Windows-1252, UTF-8 with BOM, French headers, ``oui/non``) and strict about
content: every problem of every file is collected with its file, row and column, then one
:class:`~symbiose.errors.ImportValidationError` lists them all, and nothing is returned.

Writing is canonical: English headers in the documented order, ``,`` separators, UTF-8 without
BOM, ``.`` decimals printed exactly (``12.5``, ``0.001``), rows sorted by id. Writing, reading
and writing again gives byte-identical files.

>>> _format_cell(_decimal_from_int(12500, 3))
'12.5'
>>> _format_cell(_decimal_from_int(6525, 2))
'65.25'
"""

from __future__ import annotations

import csv
import difflib
import functools
import gc
import io
import os
import re
import zipfile
from collections.abc import Collection, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

from symbiose import reference
from symbiose.contacts import email_problem, phone_problem
from symbiose.domain import (
    FORM_ALIASES,
    Company,
    Need,
    Network,
    PhysicalState,
    Route,
    Stage,
    Stream,
    Synergy,
    format_ewc,
    format_months,
    parse_forms,
    parse_months,
    parse_states,
)
from symbiose.errors import GeocodingError, ImportValidationError, Problem
from symbiose.geo import default_gazetteer, validate_coordinates
from symbiose.i18n import N_, _, fmt_decimal, fmt_input_number, fmt_number, ngettext, quoted
from symbiose.limits import Limits, limits
from symbiose.logistics import MAX_STORAGE_MONTHS
from symbiose.ranges import price_problem, quantity_problem
from symbiose.safe_output import atomic_folder, escape_cell, unescape_cell
from symbiose.units import Unit, parse_decimal, to_base, to_cents

# --------------------------------------------------------------------------------------------
# Vocabulary and columns

@cache
def resource_categories() -> dict[str, Unit]:
    """Resource category ids (``needs.category``, ``streams.material``) with their usual unit,
    from the knowledge base (data/resource_categories.csv, documented in docs/DATA_FORMAT.md)."""
    return dict(_category_units())


@functools.cache
def _category_units() -> dict[str, Unit]:
    """:func:`resource_categories`, built once (read on every row of a bundle): do not modify."""
    from symbiose.compat import load_knowledge_base

    return {cid: Unit(cat.unit) for cid, cat in load_knowledge_base().categories.items()}


@functools.cache
def _category_names() -> dict[str, str]:
    """Category ids by the key of their French and English labels (« Bois-énergie (plaquettes,
    sciures, chutes) »): a French export writes the label, and the import reads it back."""
    from symbiose.compat import load_knowledge_base

    names: dict[str, str] = {}
    for cid, category in load_knowledge_base().categories.items():
        for label in (category.label_fr, category.label_en):
            if label:
                names.setdefault(_key(label), cid)
    return names


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a bundle table: canonical name, French aliases (the first one is the
    template header), whether it is required."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def french(self) -> str:
        return self.aliases[0] if self.aliases else self.name


TABLES: dict[str, tuple[Column, ...]] = {
    "companies": (
        Column("id", ("identifiant",), True),
        Column("name", ("raison_sociale", "nom"), True),
        Column("siret", ("siret",)),
        Column("naf_code", ("code_naf", "naf", "code_ape", "ape")),
        Column("address", ("adresse",)),
        Column("postal_code", ("code_postal", "cp")),
        Column("commune", ("commune", "ville")),
        Column("insee_code", ("code_insee", "insee")),
        Column("latitude", ("latitude", "lat")),
        Column("longitude", ("longitude", "lon", "lng")),
        Column("contact_name", ("contact",)),
        Column("contact_email", ("email", "courriel", "mail")),
        Column("contact_phone", ("telephone", "tel")),
        Column("notes", ("remarques", "commentaires")),
        Column("freight_access", ("acces_fret", "fret")),
    ),
    "streams": (
        Column("id", ("identifiant",), True),
        Column("company_id", ("id_entreprise",), True),
        Column("ewc_code", ("code_dechet", "code_ced", "code_nomenclature")),
        Column("material", ("matiere",)),
        Column("description", ("description",)),
        Column("quantity", ("quantite",), True),
        Column("unit", ("unite",), True),
        Column("physical_state", ("etat_physique", "etat")),
        Column("months", ("mois",)),
        Column("route", ("filiere_actuelle", "filiere")),
        Column("route_cost_eur_per_unit", ("cout_filiere_eur_par_unite", "cout_filiere")),
        Column("notes", ("remarques", "commentaires")),
        Column("bulk_density_t_per_m3", ("masse_volumique_vrac_t_par_m3", "masse_volumique", "densite_vrac")),
        Column("storage_months", ("stockage_mois", "mois_de_stockage", "stockage")),
        Column("temperature_c", ("temperature_c", "temperature")),
        Column("forms", ("formes", "forme")),
        Column("standards", ("normes", "norme")),
        Column("destination", ("destination_actuelle", "exutoire_actuel")),
        Column("destination_category", ("categorie_destination", "usage_actuel")),
    ),
    "needs": (
        Column("id", ("identifiant",), True),
        Column("company_id", ("id_entreprise",), True),
        Column("category", ("categorie",)),
        Column("accepted_codes", ("codes_acceptes",)),
        Column("description", ("description",)),
        Column("quantity", ("quantite",), True),
        Column("unit", ("unite",), True),
        Column(
            "virgin_price_eur_per_unit",
            ("prix_matiere_vierge_eur_par_unite", "prix_matiere_vierge"),
        ),
        Column("max_distance_km", ("distance_max_km", "distance_max")),
        Column("months", ("mois",)),
        Column("hazardous_permit", ("autorisation_dangereux",)),
        Column("notes", ("remarques", "commentaires")),
        Column("min_temperature_c", ("temperature_min_c", "temperature_minimale")),
        Column("max_temperature_c", ("temperature_max_c", "temperature_maximale")),
        Column("accepted_states", ("etats_acceptes",)),
        Column("required_forms", ("formes_exigees",)),
        Column("refused_forms", ("formes_refusees",)),
        Column("required_standards", ("normes_exigees",)),
        Column("gate_fee_eur_per_unit", ("redevance_eur_par_unite", "redevance")),
        Column("permit", ("autorisation", "arrete_icpe")),
        Column("approvals", ("agrements", "agrement")),
    ),
    "synergies": (
        Column("id", ("identifiant",), True),
        Column("stream_id", ("id_flux",), True),
        Column("need_id", ("id_besoin",), True),
        Column("stage", ("etape", "statut")),
        Column("quantity", ("quantite",)),
        Column("abandoned_reason", ("motif_abandon",)),
        Column("created_on", ("cree_le", "date_creation")),
        Column("updated_on", ("mis_a_jour_le", "date_mise_a_jour")),
        Column("notes", ("remarques", "commentaires")),
    ),
}
"""The four tables, columns in the documented order."""

TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "companies": ("entreprises", "etablissements"),
    "streams": ("flux", "gisements"),
    "needs": ("besoins",),
    "synergies": (),
}
"""French names accepted for files (``entreprises.csv``) and sheets."""

TABLE_FRENCH = {"companies": "entreprises", "streams": "flux", "needs": "besoins"}
MAIN_TABLES = ("companies", "streams", "needs")

PHYSICAL_STATE_ALIASES = {
    "solide": PhysicalState.SOLID,
    "pateux": PhysicalState.PASTY,
    "pateuse": PhysicalState.PASTY,
    "boue": PhysicalState.PASTY,
    "liquide": PhysicalState.LIQUID,
    "gaz": PhysicalState.GAS,
    "gazeux": PhysicalState.GAS,
    "energie": PhysicalState.ENERGY,
    "chaleur": PhysicalState.ENERGY,
}
ROUTE_ALIASES = {
    "enfouissement": Route.LANDFILL,
    "decharge": Route.LANDFILL,
    "isdnd": Route.LANDFILL,
    "isdi": Route.LANDFILL,
    "isdd": Route.LANDFILL,
    "incineration": Route.INCINERATION,
    "valorisation": Route.RECOVERY,
    "recyclage": Route.RECOVERY,
    "epandage": Route.LAND_SPREADING,
    "epandage_agricole": Route.LAND_SPREADING,
    "land_application": Route.LAND_SPREADING,
    "stockage": Route.STORAGE,
    "autre": Route.OTHER,
}
STAGE_ALIASES = {
    "suggere": Stage.SUGGESTED,
    "suggeree": Stage.SUGGESTED,
    "suggestion": Stage.SUGGESTED,
    "idee": Stage.SUGGESTED,
    "contacte": Stage.CONTACTED,
    "contactee": Stage.CONTACTED,
    "en_discussion": Stage.IN_DISCUSSION,
    "discussion": Stage.IN_DISCUSSION,
    "mise_en_oeuvre": Stage.IMPLEMENTED,
    "mis_en_oeuvre": Stage.IMPLEMENTED,
    "realise": Stage.IMPLEMENTED,
    "realisee": Stage.IMPLEMENTED,
    "en_place": Stage.IMPLEMENTED,
    "abandonne": Stage.ABANDONED,
    "abandonnee": Stage.ABANDONED,
}
_CHOICE_ALIASES: dict[type[Any], dict[str, Any]] = {
    PhysicalState: PHYSICAL_STATE_ALIASES, Route: ROUTE_ALIASES, Stage: STAGE_ALIASES,
}
TRUE_WORDS = frozenset({"true", "vrai", "oui", "yes", "1", "o", "y", "x"})
FALSE_WORDS = frozenset({"false", "faux", "non", "no", "0", "n", ""})


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """Vocabulary key: accents, case, hyphens and spaces do not matter ('En discussion')."""
    text = str(text).replace("œ", "oe").replace("Œ", "oe")
    return "_".join(reference.fold_name(text).replace("_", " ").split())


def stage_from_text(text: str) -> Stage | None:
    """A synergy stage from its code (``in_discussion``) or a French name (« en discussion »,
    « mise en œuvre », « abandonnée »), as the import reads it; None when it is neither."""
    key = _key(text)
    return next((s for s in Stage if s.value == key), None) or STAGE_ALIASES.get(key)


def _header_key(text: str) -> str:
    """Header key: like :func:`_key` without separators and without a '(unit)' suffix."""
    text = re.sub(r"\(.*?\)|\[.*?\]", "", str(text))
    return _key(text).replace("_", "")


# --------------------------------------------------------------------------------------------
# Raw tables, as read from CSV or Excel

Cell = str | int | float | bool | datetime | date | None


@dataclass
class _Table:
    name: str  # canonical table name
    label: str  # how problems name the file: 'streams.csv', "net.xlsx, sheet 'flux'"
    headers: list[str]
    rows: list[tuple[int, list[Cell]]]  # (spreadsheet row number, cells)
    separator: str = ""  # a CSV file's column separator ("" for a workbook's sheet)
    decimal_commas: dict[str, bool] = field(default_factory=dict)  # see _uses_decimal_commas


def _cell_text(value: Cell) -> str:
    if type(value) is str:
        text = (value.replace("\u00a0", " ") if "\u00a0" in value else value).strip()
        return unescape_cell(text) if text[:1] == "'" else text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\u00a0", " ").strip()


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_AMBIGUOUS_DECIMAL = re.compile(r"^[+-]?[1-9]\d{0,2},\d{3}$")
"""'1,234': one thousand two hundred and thirty-four, or one point two three four?"""
_PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,15})?")
"""A number :func:`~symbiose.units.parse_decimal` reads as ``float`` does (no comma, no space)."""
_NUMBER_TEXT = re.compile(r"[+-]?[0-9][0-9 .,]*")
"""A cell written as a number (digits, spaces, points and commas), however it is grouped."""


def _uses_decimal_commas(table: _Table, column: str) -> bool:
    """Whether the file writes the numbers of ``column`` with a decimal comma, evidently: at least
    one of its cells has a comma that can only be a decimal comma (``12,5``, ``0,346``,
    ``1234,567``, ``1 234,5``, ``1.234,5``), and none has a decimal point or a comma that groups
    thousands (``12.5``, ``1,234.5``, ``1,234,567``). Such a column reads ``12,346`` as 12.346:
    a thousands comma there would contradict the file's own other cells. A column without
    that evidence (every comma ambiguous, or the conventions mixed) reads it as nothing: the
    cell is refused as ambiguous (:meth:`_Row._number`), never guessed. Computed once per column
    of a file, when an ambiguous cell is met."""
    known = table.decimal_commas.get(column)
    if known is not None:
        return known
    names = {_header_key(n): c.name for c in TABLES.get(table.name, ()) for n in (c.name, *c.aliases)}
    position = next((i for i, h in enumerate(table.headers) if names.get(_header_key(h)) == column), None)
    evidence = False
    contrary = position is None
    for _row_number, cells in table.rows if position is not None else ():
        cell = cells[position] if position < len(cells) else None
        if cell.__class__ is not str:
            continue  # a workbook's typed number says nothing of how text is written
        text = _cell_text(cell)
        if "," not in text and "." not in text or not _NUMBER_TEXT.fullmatch(text):
            continue
        if _AMBIGUOUS_DECIMAL.match(text):
            continue
        commas, point = text.count(","), text.rfind(".")
        if commas == 1 and text.rfind(",") > point:  # 12,5 or 1.234,5: a decimal comma
            evidence = True
        else:  # 12.5, 1,234.5, 1,234,567: a decimal point, or commas grouping thousands
            contrary = True
            break
    table.decimal_commas[column] = known = evidence and not contrary
    return known


def _detect_separator(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _decode(data: bytes, label: str, problems: list[Problem]) -> str | None:
    if data.startswith(b"PK\x03\x04"):
        problems.append(Problem(label, None, None, _(
            "this is an Excel workbook (or another zip file) with a .csv name; give the .xlsx "
            "workbook itself, or open it in Excel and save each sheet as 'CSV (séparateur: "
            "point-virgule)'"
        )))  # fmt: skip
        return None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        problems.append(Problem(label, None, None, _(
            "this is an old Excel (.xls) file with a .csv name; open it in Excel and save it "
            "as .xlsx or as CSV"
        )))  # fmt: skip
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    text: str | None = None
    if b"\x00" not in data:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            mixed = _mixed_encoding_line(data)
            if mixed is not None:
                problems.append(Problem(label, mixed, None, _(
                    "this line is written in Windows-1252 while other lines are UTF-8 (accented "
                    "letters would come out garbled, like 'Ã‰'); save the whole file again as "
                    "'CSV UTF-8' (or retype the line in the same spreadsheet)"
                )))  # fmt: skip
                return None
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = None
    if text is not None:
        controls = len(_CONTROL_CHARS.findall(text))
        if controls <= max(2, len(text) // 1000):
            return text
    problems.append(Problem(label, None, None, _(
        "this is not a text (CSV) file; save the spreadsheet as CSV (UTF-8 or Windows) or "
        "give the .xlsx workbook instead"
    )))  # fmt: skip
    return None


def _mixed_encoding_line(data: bytes) -> int | None:
    """The first line (1-based) that is not UTF-8 in a file where other lines hold UTF-8
    accented letters; None when the file is plainly Windows-1252 (or ASCII)."""
    first_bad: int | None = None
    utf8_seen = False
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_seen = True
        except UnicodeDecodeError:
            first_bad = first_bad or number
        if utf8_seen and first_bad:
            return first_bad
    return None


def _too_big(path: Path, label: str, problems: list[Problem], limit: Limits) -> bool:
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.append(Problem(label, None, None, _("cannot be read ({reason})").format(
            reason=exc.strerror)))  # fmt: skip
        return True
    if size > limit.max_file_bytes:
        problems.append(Problem(label, None, None, _(
            "the file is {size} bytes, more than the {limit} bytes accepted; split it, or raise "
            "SYMBIOSE_LIMIT_MAX_FILE_BYTES"
        ).format(size=fmt_number(size), limit=fmt_number(limit.max_file_bytes))))  # fmt: skip
        return True
    return False


def _read_csv(path: Path, table: str, problems: list[Problem]) -> _Table | None:
    label = path.name
    limit = limits()
    if _too_big(path, label, problems, limit):
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(label, None, None, _("cannot be read ({reason})").format(
            reason=exc.strerror)))  # fmt: skip
        return None
    if not data.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        problems.append(Problem(label, None, None, _(
            "the file is empty; it needs at least a header line with the column names "
            "(see the templates: symbiose templates)"
        )))  # fmt: skip
        return None
    text = _decode(data, label, problems)
    if text is None:
        return None
    separator = None
    first_line = text.split("\n", 1)[0].strip()
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        separator = first_line[4]  # Excel's 'sep=;' hint line, not shown as a row by Excel
        text = text.split("\n", 1)[1] if "\n" in text else ""
    first = next((line for line in text.splitlines() if line.strip()), "")
    separator = separator or _detect_separator(first)
    csv.field_size_limit(max(limit.max_cell_chars + 1, 1024))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    read = _records_to_table(table, label, reader, problems, limit, text_only=True)
    if read is not None:
        read.separator = separator
    return read


class _TooLong(Exception):
    pass


def _guarded(records: Iterable[Iterable[Cell]]) -> Iterator[Iterable[Cell]]:
    """CSV records, turning the csv module's 'field larger than field limit' into _TooLong."""
    iterator = iter(records)
    while True:
        try:
            yield next(iterator)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _TooLong(str(exc)) from None


def _records_to_table(
    table: str, label: str, records: Iterable[Iterable[Cell]], problems: list[Problem],
    limit: Limits, offset: int = 0, check_cells: bool = False, text_only: bool = False,
) -> _Table:  # fmt: skip
    headers: list[str] | None = None
    rows: list[tuple[int, list[Cell]]] = []
    number = offset
    too_long = _(
        "a cell holds more than {limit} characters (the most a spreadsheet cell holds); "
        "shorten it, or raise SYMBIOSE_LIMIT_MAX_CELL_CHARS"
    ).format(limit=fmt_number(limit.max_cell_chars))
    try:
        for number, record in enumerate(_guarded(records), start=1 + offset):
            if number > limit.max_rows + 1 + offset:
                # past the row limit, counting empty rows: a stray cell far below the data (in
                # a sheet that does not declare its size), or a table too long
                problems.append(Problem(label, number, None, _(
                    "the table goes on past row {limit} (empty rows counted); delete the empty "
                    "rows and stray cells after the data, or split the file, or raise "
                    "SYMBIOSE_LIMIT_MAX_ROWS"
                ).format(limit=fmt_number(limit.max_rows + 1))))  # fmt: skip
                break
            cells = list(record)
            if len(cells) > limit.max_columns:
                if any(_cell_text(c) for c in cells[limit.max_columns :]):
                    problems.append(Problem(label, number, None, _(
                        "the row has {n} columns, more than the {limit} accepted; delete the "
                        "columns that are not part of the format"
                    ).format(n=fmt_number(len(cells)), limit=fmt_number(limit.max_columns))))  # fmt: skip
                    break
                cells = cells[: limit.max_columns]
            # a CSV field longer than the limit already stopped the csv module (field_size_limit)
            if check_cells and any(isinstance(c, str) and len(c) > limit.max_cell_chars for c in cells):
                problems.append(Problem(label, number, None, too_long))
                continue
            # a CSV record is text: blank when its cells joined are only spaces (no cell text)
            if not ("".join(cells).strip() if text_only else any(_cell_text(c) for c in cells)):
                continue
            if headers is None:
                headers = [_cell_text(c) for c in cells]
                continue
            rows.append((number, cells))
    except _TooLong:
        problems.append(Problem(label, number + 1, None, too_long))
    return _Table(table, label, headers or [], rows)


def _table_for_name(stem: str) -> str | None:
    key = _key(stem)
    for table, aliases in TABLE_ALIASES.items():
        if key == table or key in aliases:
            return table
    return None


def _zip_problem(path: Path, limit: Limits) -> str | None:
    """Why an xlsx (a zip file) must not be opened: too big once unzipped, or a part compressed
    far more than a spreadsheet ever is (a zip bomb). Read from the zip's directory only."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return None  # openpyxl reports it below, with the usual message
    total = sum(info.file_size for info in infos)
    if total > limit.max_unzipped_bytes:
        return _(
            "the workbook unzips to {size} bytes, more than the {limit} accepted; split it, or "
            "raise SYMBIOSE_LIMIT_MAX_UNZIPPED_BYTES"
        ).format(size=fmt_number(total), limit=fmt_number(limit.max_unzipped_bytes))
    for info in infos:
        if info.file_size > 1024 * 1024 and (
            info.file_size > limit.max_compression_ratio * max(info.compress_size, 1)
        ):
            return _(
                "part '{part}' of the workbook is compressed {ratio} times (a spreadsheet is "
                "compressed at most a few dozen times); this file is not opened. Save it again "
                "from Excel"
            ).format(part=info.filename, ratio=fmt_number(info.file_size / max(info.compress_size, 1)))
    return None


def _read_workbook(path: Path, problems: list[Problem]) -> list[_Table]:
    import openpyxl

    label = path.name
    limit = limits()
    if _too_big(path, label, problems, limit):
        return []
    refused = _zip_problem(path, limit)
    if refused is not None:
        problems.append(Problem(label, None, None, refused))
        return []
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        problems.append(Problem(label, None, None, _(
            "cannot be opened as an Excel workbook ({reason}); save it again "
            "from Excel as .xlsx, or give a folder of CSV files"
        ).format(reason=exc.__class__.__name__)))  # fmt: skip
        return []
    try:
        tables: list[_Table] = []
        seen: dict[str, str] = {}
        for sheet in workbook.worksheets:
            table = _table_for_name(sheet.title)
            if table is None:
                continue
            if table in seen:
                problems.append(Problem(label, None, None, _(
                    "sheets '{first}' and '{second}' both hold the {table} table; keep only one"
                ).format(first=seen[table], second=sheet.title, table=_(table))))  # fmt: skip
                continue
            seen[table] = sheet.title
            sheet_label = _("{file}, sheet '{sheet}'").format(file=label, sheet=sheet.title)
            rows, columns = sheet.max_row or 0, sheet.max_column or 0
            if rows > limit.max_rows + 1 or columns > limit.max_columns:
                problems.append(Problem(sheet_label, None, None, _(
                    "the sheet declares {rows} rows and {columns} columns (up to cell {cell}), "
                    "more than the {max_rows} rows and {max_columns} columns accepted; delete the "
                    "empty rows and columns after the data (or the stray cell far below it)"
                ).format(
                    rows=fmt_number(rows), columns=fmt_number(columns),
                    cell=f"{openpyxl.utils.get_column_letter(min(columns, 16384) or 1)}{rows}",
                    max_rows=fmt_number(limit.max_rows), max_columns=fmt_number(limit.max_columns),
                )))  # fmt: skip
                continue
            tables.append(_records_to_table(
                table, sheet_label,
                # no max_col: a sheet that does not declare its size would be padded to it
                sheet.iter_rows(values_only=True), problems, limit, check_cells=True,
            ))  # fmt: skip
        if not any(t in MAIN_TABLES for t in seen):
            found = ", ".join(f"'{s}'" for s in workbook.sheetnames) or _("none")
            problems.append(Problem(label, None, None, _(
                "no sheet named companies, streams or needs (found: {found}); rename the sheets "
                "to companies / streams / needs (or entreprises / flux / besoins), optionally "
                "synergies"
            ).format(found=found)))  # fmt: skip
        return tables
    finally:
        workbook.close()


def _table_for_headers(path: Path) -> str | None:
    """The table a CSV file of another name holds, from its header line: the only table knowing
    every column (``symbiose list streams --format csv > s.csv`` imports back)."""
    scratch: list[Problem] = []
    table = _read_csv(path, "companies", scratch) if path.suffix.lower() == ".csv" else None
    if table is None or scratch or not table.headers:
        return None
    keys = {_header_key(h) for h in table.headers if h}
    fitting = [
        name for name, columns in TABLES.items()
        if keys <= {_header_key(n) for c in columns for n in (c.name, *c.aliases)}
    ]  # fmt: skip
    return fitting[0] if len(fitting) == 1 else None


def _load_tables(path: Path, problems: list[Problem]) -> list[_Table]:
    if not path.exists():
        problems.append(Problem(path.name or str(path), None, None, _(
            "'{path}' does not exist; give a folder of CSV files or an .xlsx workbook"
        ).format(path=path)))  # fmt: skip
        return []
    if path.is_dir():
        files: dict[str, Path] = {}
        for child in sorted(path.iterdir()):
            if child.is_file() and child.suffix.lower() == ".csv":
                table = _table_for_name(child.stem)
                if table is not None and table in files:
                    # entreprises.csv beside companies.csv: which one the officer meant is not
                    # for the program to guess (one was silently left out)
                    problems.append(Problem(path.name, None, None, _(
                        "files '{first}' and '{second}' both hold the {table} table; keep only one"
                    ).format(first=files[table].name, second=child.name, table=table)))  # fmt: skip
                elif table is not None:
                    files[table] = child
        if not any(t in files for t in MAIN_TABLES):
            found = ", ".join(sorted(c.name for c in path.iterdir())) or _("nothing")
            problems.append(Problem(path.name, None, None, _(
                "the folder holds no companies.csv, streams.csv or needs.csv (found: {found}); "
                "name the files companies.csv, streams.csv, needs.csv (or entreprises.csv, "
                "flux.csv, besoins.csv), optionally synergies.csv"
            ).format(found=found)))  # fmt: skip
            return []
        tables = [_read_csv(files[t], t, problems) for t in TABLES if t in files]
        return [t for t in tables if t is not None]
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path, problems)
    if suffix == ".xls":
        problems.append(Problem(path.name, None, None, _(
            "old Excel .xls files are not read; open it in Excel and save it as .xlsx"
        )))  # fmt: skip
        return []
    table_name = _table_for_name(path.stem) or _table_for_headers(path)
    if table_name is None:
        problems.append(Problem(path.name, None, None, _(
            "a single file must be named companies.csv, streams.csv, needs.csv or synergies.csv "
            "(or entreprises / flux / besoins) so that its content is known; or give the folder "
            "or an .xlsx workbook"
        )))  # fmt: skip
        return []
    table = _read_csv(path, table_name, problems)
    return [table] if table is not None else []


# --------------------------------------------------------------------------------------------
# Row access with problem collection


@dataclass
class _Row:
    table: _Table
    number: int
    cells: list[Cell]
    index: dict[str, int]  # canonical column -> position
    problems: list[Problem]
    memo: dict[tuple, Any] = field(default_factory=dict)  # shared by the rows of a table
    count_at_start: int = field(init=False)
    names: list[str | None] | None = None  # canonical column at each position (None: not read)
    values: dict[str | None, Cell] = field(init=False)  # canonical column -> cell given

    def __post_init__(self) -> None:
        self.count_at_start = len(self.problems)
        self.values = dict(zip(self.names or _position_names(self.index), self.cells, strict=False))

    @property
    def ok(self) -> bool:
        return len(self.problems) == self.count_at_start

    @property
    def hints(self) -> bool:
        """Whether a costly hint ('did you mean ...?') is worth computing: the problem will be
        among those shown."""
        return len(self.problems) < getattr(self.problems, "hints", len(self.problems) + 1)

    def header(self, column: str) -> str:
        """The column as the file names it; a column the file lacks as the reader's templates
        name it (its French header in French)."""
        position = self.index.get(column)
        if position is None or position >= len(self.table.headers):
            return _template_header(self.table, column)
        return self.table.headers[position]

    def raw(self, column: str) -> Cell:
        return self.values.get(column)

    def text(self, column: str) -> str:
        return _cell_text(self.values.get(column))

    def cached(self, parse: Any, column: str, *args: Any) -> Any:
        """``parse(self, column, *args)``, a pure function of the column's cell: a cell value
        already read without problem in this table gives the same result without reading it
        again (a bundle repeats its codes, units and prices on thousands of rows). A value that
        reported a problem is read again on each row, so that every row gets its own problems
        (and hints) exactly as without the cache."""
        raw = self.values.get(column)
        key = (parse, column, args, raw.__class__, raw)
        memo = self.memo
        if key in memo:
            return memo[key]
        before = len(self.problems)
        value = parse(self, column, *args)
        if len(self.problems) == before:
            memo[key] = value
        return value

    def problem(self, column: str | None, message: str) -> None:
        header = self.header(column) if column else None
        self.problems.append(Problem(self.table.label, self.number, header, message))

    def required(self, column: str, what: str) -> str:
        value = self.text(column)
        if not value:
            self.empty(column, what)
        return value

    def empty(self, column: str, what: str) -> None:
        if column not in self.index:
            self.problem(column, _(
                "column {column} is missing, and '{id}' is a new record: add the column (it is "
                "needed to create a record)"
            ).format(column=self.header(column), id=self.text("id") or "?"))  # fmt: skip
        else:
            self.problem(column, _("is empty; give {what}").format(what=_(what)))

    def number_value(
        self, column: str, *, required: bool = False, minimum: float | None = None,
        strictly_positive: bool = False, what: str = N_("a number"),
    ) -> float | None:  # fmt: skip
        return self.cached(_Row._number, column, required, minimum, strictly_positive, what)

    def _number(
        self, column: str, required: bool, minimum: float | None, strictly_positive: bool, what: str
    ) -> float | None:
        raw = self.raw(column)
        text = _cell_text(raw)
        if not text:
            if required:
                self.empty(column, what)
            return None
        if raw.__class__ is str and _PLAIN_DECIMAL.fullmatch(text):
            value = float(text)  # what parse_decimal gives, without its clean-up
        elif (not isinstance(raw, int | float) and _AMBIGUOUS_DECIMAL.match(text)
              and not _uses_decimal_commas(self.table, column)):  # fmt: skip
            whole, part = text.lstrip("+-").split(",")
            if what == N_("euros per unit"):  # kept to the cent: the decimal reading is written 12,35
                cents = f"{round(float(f'{whole}.{part}'), 2):.2f}".replace(".", ",")
                self.problem(column, _(
                    "'{text}' is ambiguous: {thousands} (comma as thousands separator) or {decimal} (decimal "
                    "comma, finer than the cent Symbiose keeps)? Write {thousands} for the first, {cents} for the "
                    "second, to the cent"
                ).format(text=text, thousands=whole + part, decimal=f"{whole}.{part}", cents=cents))  # fmt: skip
                return None
            self.problem(column, _(
                "'{text}' is ambiguous: {thousands} (comma as thousands separator) or {decimal} "
                "(decimal comma)? Write {thousands_plain} for the first, {decimal_long} for the "
                "second"
            ).format(
                text=text, thousands=whole + part, decimal=f"{whole}.{part}",
                thousands_plain=whole + part, decimal_long=f"{whole},{part}0",
            ))  # fmt: skip
            return None
        else:
            try:
                value = parse_decimal(raw if isinstance(raw, int | float) else text)  # type: ignore[arg-type]
            except ValueError:
                self.problem(column, _("'{text}' is not a number; write {what} such as 1234,5 or 1234.5").format(
                    text=text, what=_(what)))  # fmt: skip
                return None
        if strictly_positive and value <= 0:
            self.problem(column, _("{text} must be greater than 0").format(text=text))
            return None
        if minimum is not None and value < minimum:
            self.problem(column, _("{text} is negative; give {what} (0 or more)").format(text=text, what=_(what)))
            return None
        return value

    def months(self, column: str) -> tuple[int, ...]:
        return self.cached(_Row._months, column)

    def _months(self, column: str) -> tuple[int, ...]:
        raw = self.raw(column)
        if isinstance(raw, datetime | date):
            self.problem(column, _(
                "Excel turned the months into a date ({date}); format the column as "
                "text, or write months as 'nov-mar' or '11,12,1,2,3'"
            ).format(date=_cell_text(raw)))  # fmt: skip
            return ()
        try:
            return parse_months(self.text(column))
        except ValueError as exc:
            self.problem(column, _("{problem} (months are written like '11-3', '1,2,3' or 'nov-mar')").format(problem=exc))
            return ()

    def boolean(self, column: str) -> bool:
        return self.cached(_Row._boolean, column)

    def _boolean(self, column: str) -> bool:
        text = _key(self.text(column))
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        self.problem(column, _("'{text}' is not yes or no; write oui/non or true/false").format(text=self.text(column)))
        return False

    def choice(self, column: str, enum: type[Any], aliases: dict[str, Any], default: Any) -> Any:
        if _CHOICE_ALIASES.get(enum) is aliases:
            return self.cached(_Row._known_choice, column, enum, default)
        return self._choice(column, enum, aliases, default)

    def _known_choice(self, column: str, enum: type[Any], default: Any) -> Any:
        return self._choice(column, enum, _CHOICE_ALIASES[enum], default)

    def _choice(self, column: str, enum: type[Any], aliases: dict[str, Any], default: Any) -> Any:
        text = self.text(column)
        if not text:
            return default
        key = _key(text)
        values = {member.value: member for member in enum}
        if key in values:
            return values[key]
        if key in aliases:
            return aliases[key]
        from symbiose.i18n import _
        from symbiose.labels import vocabulary

        # the accepted words in the reader's language (French ones are read back as aliases)
        allowed = vocabulary(enum) or ", ".join(values)
        self.problem(column, _("'{text}' is not one of: {allowed}").format(text=text, allowed=allowed))
        return default

    def unit(self) -> Unit | None:
        return self.cached(_Row._unit, "unit")

    def _unit(self, column: str) -> Unit | None:
        text = self.required("unit", N_("the unit: t, m3 or MWh"))
        if not text:
            return None
        try:
            return Unit.parse(text)
        except ValueError as exc:
            self.problem("unit", str(exc))
            return None


def _position_names(index: dict[str, int]) -> list[str | None]:
    """The canonical column at each position of a row (None where no column is read)."""
    names: list[str | None] = [None] * (max(index.values(), default=-1) + 1)
    for column, position in index.items():
        names[position] = column
    return names


def _column_index(table: _Table, problems: list[Problem]) -> dict[str, int] | None:
    by_key: dict[str, Column] = {}
    for column in TABLES[table.name]:
        for name in (column.name, *column.aliases):
            by_key.setdefault(_header_key(name), column)
    index: dict[str, int] = {}
    for position, header in enumerate(table.headers):
        column = by_key.get(_header_key(header))
        if column is None:
            if header:
                problems.append(Problem(table.label, 1, header, _unknown_column(table, header)))
            continue
        if column.name in index:
            first = table.headers[index[column.name]]
            problems.append(Problem(table.label, 1, header, _(
                "column '{header}' repeats column '{first}' ({name}); keep only one"
            ).format(header=header, first=first, name=column.name)))  # fmt: skip
            continue
        index[column.name] = position
    missing = [c for c in TABLES[table.name] if c.name == "id" and c.name not in index]
    for column in missing:
        names = _(" or ").join(quoted(n) for n in dict.fromkeys((column.name, *column.aliases)))
        found = ", ".join(quoted(h) for h in table.headers if h) or _("none")
        problems.append(Problem(table.label, 1, column.name, _(
            "required column missing: add a column {names} (columns found: {found})"
        ).format(names=names, found=found)))  # fmt: skip
    return None if missing else index


def _french_headers(table: _Table) -> bool:
    """Whether the file names its columns as the French templates do (more of its headers are
    French headers than canonical names): problems then name columns the same way."""
    # asked for each problem on a column the file lacks, maybe on every row: computed once a file
    return _headers_are_french(table.name, tuple(table.headers))


@lru_cache(maxsize=64)
def _headers_are_french(name: str, headers: tuple[str, ...]) -> bool:
    columns = TABLES.get(name, ())
    french_keys = {_header_key(c.french) for c in columns if c.french != c.name}
    canonical_keys = {_header_key(c.name) for c in columns}
    keys = [_header_key(h) for h in headers if h]
    french = sum(k in french_keys for k in keys)
    return french > 0 and french >= sum(k in canonical_keys for k in keys)


def _template_header(table: _Table, column: str) -> str:
    """A column the file lacks, named as the file names its columns (French or canonical)."""
    if not _french_headers(table):
        return column
    return next((c.french for c in TABLES.get(table.name, ()) if c.name == column), column)


def _unknown_column(table: _Table, header: str) -> str:
    # the columns named as the file names its own (the French templates' headers, or canonical)
    shown = (lambda c: c.french) if _french_headers(table) else (lambda c: c.name)
    names = {_header_key(n): shown(c) for c in TABLES[table.name] for n in (c.name, *c.aliases)}
    close = difflib.get_close_matches(_header_key(header), names, n=1, cutoff=0.6)
    if close:
        return _(
            "unknown column '{header}': did you mean {name}? Rename the column (or delete it); "
            "nothing is imported while a column is not understood"
        ).format(header=header, name=names[close[0]])
    return _(
        "unknown column '{header}' for the {table} table (columns: {columns}); rename or delete "
        "it; nothing is imported while a column is not understood"
    ).format(header=header, table=_(table.name), columns=", ".join(shown(c) for c in TABLES[table.name]))


EXAMPLE_PREFIXES = ("EXEMPLE-", "EXAMPLE-")
"""Ids of the templates' example rows: such rows are skipped, never stored."""

LOCATION_COLUMNS = frozenset({"commune", "postal_code", "insee_code", "latitude", "longitude"})
"""A company's place: given together or not at all (a new commune is not mixed with the
stored coordinates)."""


def is_example_id(value: str) -> bool:
    return value.upper().startswith(EXAMPLE_PREFIXES)


def _rows(
    table: _Table, index: dict[str, int], problems: list[Problem],
    stored: dict[str, list[OutCell]] | None = None, notices: list[str] | None = None,
    clean: Any = None, seen: dict[str, int] | None = None,
) -> Iterator[Any]:  # fmt: skip
    """The rows of a table; a row of a stored record gets the stored value of every column the
    file does not have, so that an absent column leaves the stored value alone.

    ``clean`` (from :mod:`symbiose.bundle_columns`) gives the record of a row read without
    problem column by column: such a row, unless its id is already in ``seen``, comes out as its
    record (its id put in ``seen``); every other row comes out as a :class:`_Row`."""
    columns = TABLES[table.name]
    absent = [i for i, c in enumerate(columns) if c.name not in index]
    if table.name == "companies" and LOCATION_COLUMNS & set(index):
        absent = [i for i in absent if columns[i].name not in LOCATION_COLUMNS]
    full = dict(index)
    width = len(table.headers)
    for extra, position in enumerate(absent):
        full[columns[position].name] = len(table.headers) + extra
    memo: dict[tuple, Any] = {}  # cell values read without problem (see _Row.cached)
    names, full_names = _position_names(index), _position_names(full)
    ids = clean.ids if clean is not None else None
    short = _short_rows(table, width, problems)
    present = [(i, index[c.name]) for i, c in enumerate(columns) if c.name in index and c.name != "id"]
    place = [position for i, position in present if columns[i].name in LOCATION_COLUMNS] if table.name == "companies" else []
    kept_rows: list[tuple[int, str, list[str]]] = []  # rows whose empty cells kept stored values
    moved_rows: list[str] = []  # companies moved with their old coordinates left as they were
    updates = bool(stored) and ids is not None and any(record_id in stored for record_id in ids)  # type: ignore[operator]
    if clean is not None and clean.complete and not seen and not updates and (not stored or not absent) and not short:
        # every row read column by column, with its own id and none an example: all at once
        seen.update(zip(ids, (number for number, _ in table.rows), strict=True))  # type: ignore[union-attr]
        yield from clean.records
        return
    for at, (number, cells) in enumerate(table.rows):
        if ids is not None:
            record_id = ids[at]
        else:
            record_id = _cell_text(cells[index["id"]]) if index["id"] < len(cells) else ""
        if is_example_id(record_id):
            if notices is not None:
                notices.append(_(
                    "{file}, row {row}: example row {id} skipped (rows whose id starts with "
                    "EXEMPLE- are never imported)"
                ).format(file=table.label, row=number, id=record_id))  # fmt: skip
            continue
        if number in short:
            continue
        if len(cells) > width and any(_cell_text(c) for c in cells[width:]):
            if table.separator == ",":
                hint = _("a number with a decimal comma, or a comma in a note, in a file separated by commas? Put "
                         "such cells in quotes (\"1,5\"), or separate the columns with ';'")  # fmt: skip
            elif table.separator:
                sep = _("tab") if table.separator == "\t" else table.separator
                hint = _("a '{sep}' inside a cell (a note, a description)? Put that cell in quotes, or write it "
                         "without '{sep}'").format(sep=sep)  # fmt: skip
            else:
                hint = _("cells to the right of the last heading: give them a heading, or delete them")
            problems.append(Problem(table.label, number, None, _(
                "this row has {cells} cells but the header has {columns} columns: {hint}"
            ).format(cells=len(cells), columns=width, hint=hint)))  # fmt: skip
            continue
        previous = (stored or {}).get(record_id)
        stale, left = _stale_place(cells, index, previous) if place and previous is not None else ("", ())
        if left:  # the old commune's codes and coordinates, left as exported: the new commune places it
            cells = [None if position in left else cell for position, cell in enumerate(cells)]
        if stale:
            moved_rows.append(_(
                "{file}, row {row} ({id}): the commune changed ({old} -> {new}) but the latitude and longitude are "
                "the stored ones, of the old place: the company is placed at the centre of {new}; give its own "
                "coordinates if you know them"
            ).format(file=table.label, row=number, id=record_id, old=previous[_COMPANY_AT["commune"]] or "?",
                     new=stale))  # fmt: skip
        kept = _kept_cells(cells, present, place, previous) if previous is not None else []
        if kept:
            kept_rows.append((number, record_id, [
                _("{column}: {value}").format(column=table.headers[position], value=_kept_value(table.name, columns[i].name, previous[i]))  # type: ignore[index]
                for i, position in kept if _noticed(previous[i])  # type: ignore[index]
            ]))
        if previous is None or not (absent or kept or left):
            if clean is not None and record_id not in seen:  # type: ignore[operator]
                record = clean.record(at)
                if record is not None:
                    seen[record_id] = number  # type: ignore[index]
                    yield record
                    continue
            yield _Row(table, number, cells, index, problems, memo, names)
            continue
        padded = list(cells[:width]) + [None] * (width - len(cells))
        for i, position in kept:
            padded[position] = _stored_cell(previous[i])
        padded += [_stored_cell(previous[position]) for position in absent]
        yield _Row(table, number, padded, full, problems, memo, full_names)
    if notices is not None:
        notices.extend(moved_rows)
        notices.extend(_kept_notices(table, kept_rows))


_COMPANY_AT = {c.name: i for i, c in enumerate(TABLES["companies"])}


def _stale_place(cells: list[Cell], index: dict[str, int], previous: list[OutCell]) -> tuple[str, tuple[int, ...]]:
    """A stored company's row whose commune changed while its other place cells are still the
    stored ones: the new commune when the latitude and longitude are those stored (else ""),
    and the positions of the cells left as they were (INSEE code, postal code, coordinates),
    which the new commune replaces. An officer who moves a company in an exported spreadsheet
    types the new commune and leaves the rest, which is the old place's: read as given, the
    company would sit at its old place under its new commune's name (or be refused for an
    INSEE code of the old commune)."""

    def text(column: str) -> str:
        position = index.get(column)
        return _cell_text(cells[position]) if position is not None and position < len(cells) else ""

    def same(column: str) -> bool:
        stored = previous[_COMPANY_AT[column]]
        if column not in ("latitude", "longitude"):
            return text(column) != "" and text(column) == str(stored or "")
        raw = cells[index[column]] if index[column] < len(cells) else None
        try:
            value = float(raw) if isinstance(raw, int | float) else parse_decimal(text(column))
        except (TypeError, ValueError):
            return False
        return stored is not None and abs(float(value) - float(stored)) <= 1e-6

    commune = text("commune")
    if not commune or reference.fold_name(commune) == reference.fold_name(str(previous[_COMPANY_AT["commune"]] or "")):
        return "", ()
    left = [c for c in ("insee_code", "postal_code") if c in index and same(c)]
    coordinates = "latitude" in index and "longitude" in index and same("latitude") and same("longitude")
    if coordinates:
        left += ["latitude", "longitude"]
    return (commune if coordinates else ""), tuple(index[c] for c in left)


def _kept_cells(
    cells: list[Cell], present: list[tuple[int, int]], place: list[int], previous: list[OutCell]
) -> list[tuple[int, int]]:
    """The (column, position) of the empty cells of a stored record's row whose stored value is
    not empty: an empty cell leaves the stored value alone, as an absent column does. An officer
    who leaves blank what a company did not say, in a file that has the column for other rows,
    must not set a stored route cost to 0 or a stored price to nothing (importers of CRMs do the
    same: a blank does not overwrite). A company's place counts as one cell: its columns are kept
    when all of them are empty, and read as given otherwise (a new commune is not mixed with
    the stored coordinates)."""
    width = len(cells)
    kept = [
        (i, position) for i, position in present
        if (position >= width or not _cell_text(cells[position])) and _stored_cell(previous[i]) not in ("", None)
    ]  # fmt: skip
    if place and kept and any(position < width and _cell_text(cells[position]) for position in place):
        kept = [(i, position) for i, position in kept if position not in place]
    return kept


_SILENT_KEPT = frozenset({"", "0", "false", "solid"})
"""Stored values that an empty cell would read as anyway: keeping them needs no word."""


def _kept_value(table: str, column: str, value: OutCell) -> str:
    """A kept value as the preview shows values: numbers and words in the reader's language."""
    from symbiose.db.imports import shown_field

    text = _format_cell(value)
    if isinstance(value, Decimal | float):
        return fmt_input_number(text)
    return quoted(shown_field(table, column, "", text)[2])


def _noticed(value: OutCell) -> bool:
    return _format_cell(value) not in _SILENT_KEPT


def _kept_notices(table: _Table, kept_rows: list[tuple[int, str, list[str]]], shown: int = 10) -> list[str]:
    rows = [(number, record_id, cells) for number, record_id, cells in kept_rows if cells]
    notices = [_(
        "{file}, row {row} ({id}): empty cells keep the stored values ({cells}); an empty cell never erases "
        "a stored value: write the new value to change it (0 for a number), or clear it in the record's form "
        "in the application"
    ).format(file=table.label, row=number, id=record_id, cells="; ".join(cells)) for number, record_id, cells in rows[:shown]]  # fmt: skip
    if len(rows) > shown:
        notices.append(ngettext(
            "{file}: {n} more row's empty cells keep the stored values too",
            "{file}: {n} more rows' empty cells keep the stored values too", len(rows) - shown,
        ).format(file=table.label, n=len(rows) - shown))  # fmt: skip
    return notices


def _short_rows(table: Any, width: int, problems: list[Problem]) -> set[int]:
    """Rows of a delimited file with fewer cells than its header: a line cut short (a truncated
    file, a separator deleted) would read its last cells as empty and erase stored values, or
    read a cut number (650 cut to 65). A spreadsheet's rows may end early (its empty cells are
    not stored); a CSV line holds every column, empty ones as ';;'."""
    if not table.separator:
        return set()
    short = {number: len(cells) for number, cells in table.rows
             if len(cells) < width and any(_cell_text(c) for c in cells)}  # fmt: skip
    for number, cells in sorted(short.items()):
        problems.append(Problem(table.label, number, None, _(
            "this row has {cells} cells but the header has {columns} columns: a line cut short (a file "
            "saved before it was complete, a separator deleted)? Complete the row, writing an empty cell "
            "as nothing between two separators ('{sep}{sep}')"
        ).format(cells=cells, columns=width, sep="\t" if table.separator == "\t" else table.separator)))  # fmt: skip
    return set(short)


def _stored_cell(value: OutCell) -> Cell:
    return value if isinstance(value, float) else _format_cell(value)


def _code_text(raw: Cell) -> str:
    """A waste code as text, restoring the leading zero a spreadsheet dropped (20704)."""
    text = _cell_text(raw)
    if text.isdigit() and len(text) % 2 == 1:
        text = "0" + text
    return text


def _category(row: _Row, column: str) -> str:
    text = row.text(column)
    if not text:
        return ""
    from symbiose.compat import load_knowledge_base

    key = load_knowledge_base().canonical_category(_key(text))  # old ids such as 'heat' still read
    categories = _category_units()
    if key in categories:
        return key
    if (named := _category_names().get(key)) is not None:  # its label, as a French export writes it
        return named
    close = difflib.get_close_matches(key, categories, n=1) if row.hints else []
    hint = _(" (did you mean '{id}'?)").format(id=close[0]) if close else ""
    row.problem(column, _(
        "'{text}' is not a resource category{hint}; use one of the ids listed in "
        "docs/DATA_FORMAT.md, such as wood_fuel, methanisation_feedstock, aggregates, heat_hot_water"
    ).format(text=text, hint=hint))  # fmt: skip
    return ""


def _check_id(row: _Row, seen: dict[str, int], what: str) -> str:
    value = row.required("id", N_("an identifier, such as C001"))
    if value:
        if value in seen:
            row.problem("id", _(
                "id '{value}' is already used on row {row}; give each {what} its own id"
            ).format(value=value, row=seen[value], what=_(what)))  # fmt: skip
        else:
            seen[value] = row.number
    return value


# --------------------------------------------------------------------------------------------
# Table parsers


class _Locator(Protocol):
    def locate(
        self, commune: str = "", postal_code: str = "", insee_code: str = ""
    ) -> Any: ...  # pragma: no cover


_SIRET_SPACES = re.compile(r"[\s.\u00a0]")
_NAF_RE = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")


def placed_names(place, commune: str, insee: str, postal_code: str) -> tuple[str, str, str]:
    """A company's commune as the gazetteer names it, and the INSEE and postal codes it gives
    where the row gave none (``place`` None: as given)."""
    if place is None:
        return commune, insee, postal_code
    return (place.raw.get("name", commune), insee or place.raw.get("insee_code", ""),
            postal_code or place.raw.get("postal_code", ""))  # fmt: skip


def _parse_company(row: _Row, seen: dict[str, int], locator: _Locator) -> Company | None:
    company_id = _check_id(row, seen, N_("company"))
    name = row.required("name", N_("the company or establishment name"))
    siret = row.cached(_siret, "siret")
    naf = row.cached(_naf, "naf_code")
    postal_code = row.cached(_postal_code, "postal_code")
    insee = row.cached(_insee_code, "insee_code")
    commune = row.text("commune")

    coordinates: tuple[float, float] | None = None
    lat_text, lon_text = row.text("latitude"), row.text("longitude")
    if lat_text or lon_text:
        if not (lat_text and lon_text):
            missing = "longitude" if lat_text else "latitude"
            row.problem(missing, _(
                "is empty while the {given} is given; give both, or neither to place the company at "
                "its commune's centre"
            ).format(given=row.header("latitude" if lat_text else "longitude")))  # fmt: skip
        else:
            lat = row.number_value("latitude", what=N_("decimal degrees"))
            lon = row.number_value("longitude", what=N_("decimal degrees"))
            if lat is not None and lon is not None:
                try:
                    coordinates = validate_coordinates(lat, lon)
                except GeocodingError as exc:
                    row.problem("latitude", str(exc))

    place = None
    if insee:
        place = locator.locate(insee_code=insee)
        if place is None and coordinates is None:
            row.problem("insee_code", _(
                "INSEE code '{insee}' is not a commune of the gazetteer (Charente-Maritime); "
                "check it, or give latitude and longitude"
            ).format(insee=insee))  # fmt: skip
        elif (
            place is not None
            and commune
            and (reference.fold_name(commune) != reference.fold_name(place.raw["name"]))
        ):
            row.problem("commune", _(
                "INSEE code {insee} is {name}, not '{commune}'; correct one of them"
            ).format(insee=insee, name=place.raw["name"], commune=commune))  # fmt: skip
    elif commune:
        place = locator.locate(commune=commune, postal_code=postal_code)
        if place is None and postal_code:
            place = locator.locate(commune=commune)
        if place is None and coordinates is None:
            # the closest names cost a scan of the gazetteer: only for problems that are shown
            close = getattr(locator, "closest_names", lambda _: [])(commune) if row.hints else []
            hint = _(": did you mean {names}?").format(names=_(" or ").join(quoted(c) for c in close)) if close else ""
            row.problem("commune", _(
                "'{commune}' is not a commune of the gazetteer (Charente-Maritime){hint}; "
                "check the spelling, or give its INSEE code, or latitude and longitude"
            ).format(commune=commune, hint=hint))  # fmt: skip
    elif coordinates is None and (lat_text or lon_text) == "":
        row.problem("commune", _(
            "no location: give a commune (or its INSEE code), or latitude and longitude"
        ))  # fmt: skip

    if coordinates is None and place is not None:
        coordinates = (float(place.latitude), float(place.longitude))
    commune, insee, postal_code = placed_names(place, commune, insee, postal_code)
    if not row.ok or coordinates is None:
        return None
    return Company(
        id=company_id, name=name, latitude=coordinates[0], longitude=coordinates[1],
        commune=commune, insee_code=insee, postal_code=postal_code, naf_code=naf, siret=siret,
        address=row.text("address"), contact_name=row.text("contact_name"),
        contact_email=row.cached(_email, "contact_email"), contact_phone=row.cached(_phone, "contact_phone"),
        notes=row.text("notes"), freight_access=row.cached(_freight_access, "freight_access"),
    )  # fmt: skip


def _siret(row: _Row, column: str) -> str:
    siret = _SIRET_SPACES.sub("", row.text(column))
    if siret.isdigit() and len(siret) == 13:
        # a SIRET whose leading zero a spreadsheet dropped, taking it for a number
        row.problem(column, _(
            "'{text}' has 13 digits: a SIRET has 14 digits, and a spreadsheet drops the leading zero of a "
            "number; write 0{text}, and format the column as text so that it keeps it"
        ).format(text=siret))  # fmt: skip
    elif siret and not (siret.isdigit() and len(siret) == 14):
        row.problem(column, _(
            "'{text}' is not a SIRET number; a SIRET has 14 digits (9 of the SIREN "
            "and 5 of the establishment); leave it empty if unknown"
        ).format(text=row.text(column)))  # fmt: skip
    return siret


_CHECK_CONTACTS: ContextVar[bool] = ContextVar("symbiose_check_contacts", default=True)
"""Whether a read checks the contacts' e-mail and telephone (``check_contacts`` of
:func:`read_import`): about 0.1 ms a company and 0.06 s of imports, for details a match never
reads."""


def _email(row: _Row, column: str) -> str:
    """A contact's e-mail address, as written (see :mod:`symbiose.contacts`)."""
    text = row.text(column)
    if _CHECK_CONTACTS.get() and (problem := email_problem(text)):
        row.problem(column, problem)
    return text


def _phone(row: _Row, column: str) -> str:
    """A contact's telephone number, as written (see :mod:`symbiose.contacts`)."""
    text = row.text(column)
    if _CHECK_CONTACTS.get() and (problem := phone_problem(text)):
        row.problem(column, problem)
    return text


def _naf(row: _Row, column: str) -> str:
    naf = row.text(column).upper().replace(" ", "")
    if naf:
        match = _NAF_RE.match(naf)
        naf = f"{match.group(1)}.{match.group(2)}{match.group(3)}" if match else naf
        if naf not in _naf_set():
            row.problem(column, _(
                "'{text}' is not a NAF rév.2 code; write the sub-class like "
                "16.10A (see the company's avis de situation INSEE), or leave it empty"
            ).format(text=row.text(column)))  # fmt: skip
    return naf


def _postal_code(row: _Row, column: str) -> str:
    postal_code = row.text(column)
    if postal_code.isdigit() and len(postal_code) == 4:
        postal_code = "0" + postal_code
    if postal_code and not (postal_code.isdigit() and len(postal_code) == 5):
        row.problem(column, _("'{code}' is not a French postal code (5 digits)").format(code=postal_code))
    return postal_code


def _insee_code(row: _Row, column: str) -> str:
    insee = row.text(column).upper()
    if insee.isdigit() and len(insee) == 4:
        insee = "0" + insee
    if insee and not re.fullmatch(r"\d[\dAB]\d{3}", insee):
        row.problem(column, _("'{code}' is not an INSEE commune code (5 characters, 17197)").format(code=insee))
        insee = ""
    return insee


def _freight_access(row: _Row, column: str = "freight_access") -> tuple[str, ...]:
    """'rail', 'port', 'rail;port' (also 'fer', 'quai', 'rail, port'): bulk modes of the site."""
    from symbiose.domain import FREIGHT_ACCESS
    from symbiose.i18n import _

    words = {"rail": "rail", "fer": "rail", "ferroviaire": "rail", "port": "port", "quai": "port",
             "fluvial": "port", "maritime": "port"}  # fmt: skip
    found = []
    for part in re.split(r"[;,/+ ]+", row.text(column).lower()):
        if not part:
            continue
        if words.get(part) not in FREIGHT_ACCESS:
            row.problem(column, _(
                "'{value}' is not a freight access; write rail, port or rail;port (or leave empty)"
            ).format(value=part))  # fmt: skip
            continue
        if words[part] not in found:
            found.append(words[part])
    return tuple(found)


def _company_ref(row: _Row, known: Collection[str], companies_label: str) -> str:
    company_id = row.required("company_id", N_("the id of the company (from companies)"))
    if company_id and company_id not in known:
        row.problem("company_id", _(
            "company '{id}' is neither in {file} nor already stored; add it there or correct the id"
        ).format(id=company_id, file=companies_label))  # fmt: skip
    return company_id


def too_precise(value: float, places: int) -> bool:
    """More decimals than Symbiose keeps (``places``): storing it would round it silently (12,3456 t
    kept as 12,346 t; 10 000,0005 t kept as 10 000 t, a change lost)."""
    scaled = float(value) * 10**places
    # the float's own error only (a billionth of the value): a tolerance of a millionth let
    # 1 234,5678 t through (0,2 of a kilogram under 1,2 allowed), stored as 1 234,568
    return abs(scaled - round(scaled)) > max(1e-6, 1e-9 * abs(scaled))


def _precision_problem(row: _Row, column: str, value: float, places: int) -> bool:
    if not too_precise(value, places):
        return False
    kept = fmt_decimal(round(float(value), places), places)
    what = _("to the kilogram for tonnes") if places == 3 else _("to the cent")
    if _AMBIGUOUS_DECIMAL.match(kept):  # 12,346 would be refused as ambiguous: 12,3460 is not
        row.problem(column, _(
            "{value} has more decimals than Symbiose keeps ({places} after the comma: {what}); write {kept} (the "
            "last 0 tells a decimal comma from a thousands separator), or the value in another unit"
        ).format(value=fmt_decimal(float(value), 9), places=places, kept=kept + "0", what=what))  # fmt: skip
        return True
    row.problem(column, _(
        "{value} has more decimals than Symbiose keeps ({places} after the comma: {what}); write {kept}, "
        "or the value in another unit"
    ).format(value=fmt_decimal(float(value), 9), places=places, kept=kept, what=what))  # fmt: skip
    return True


def _quantity(row: _Row, column: str = "quantity", required: bool = True) -> int | None:
    value = row.number_value(
        column, required=required, minimum=0, what=N_("the quantity per year, a number")
    )
    if value is None or _precision_problem(row, column, value, 3):
        return None
    return to_base(value, Unit.T)


def _check_ranges(row: _Row, quantity: int | None, unit: Unit | None, price_column: str,
                  price: float | None) -> None:  # fmt: skip
    """Plausible ranges (:mod:`symbiose.ranges`): the row and the column are named."""
    if quantity is not None and unit is not None and (message := quantity_problem(quantity, unit)):
        row.problem("quantity", message)
    if price is not None and (message := price_problem(to_cents(price))):
        row.problem(price_column, message)
    elif price is not None:
        _precision_problem(row, price_column, price, 2)


def _ewc(row: _Row, column: str) -> str:
    """A stream's waste code, checked against the list (``''`` when the cell is empty)."""
    ewc_text = _code_text(row.raw(column))
    ewc = ""
    if ewc_text:
        try:
            ewc = reference.ewc_entry(ewc_text).code
        except ValueError as exc:
            row.problem(column, str(exc))
    return ewc


def _parse_stream(
    row: _Row, seen: dict[str, int], known: Collection[str], companies_label: str
) -> Stream | None:
    stream_id = _check_id(row, seen, N_("stream"))
    company_id = _company_ref(row, known, companies_label)
    ewc = row.cached(_ewc, "ewc_code")
    material = row.cached(_category, "material")
    if not row.text("ewc_code") and not row.text("material"):
        row.problem("ewc_code", _(
            "a stream needs a waste code (ewc_code, e.g. 03 01 05) or a resource category "
            "(material, e.g. heat); give one of them"
        ))  # fmt: skip
    quantity = row.cached(_quantity, "quantity")
    unit = row.unit()
    state = row.choice("physical_state", PhysicalState, PHYSICAL_STATE_ALIASES, PhysicalState.SOLID)
    months = row.months("months")
    route = row.choice("route", Route, ROUTE_ALIASES, Route.OTHER)
    cost = row.number_value("route_cost_eur_per_unit", what=N_("euros per unit"))
    _check_ranges(row, quantity, unit, "route_cost_eur_per_unit", cost)
    density, storage, temperature = _logistics_cells(row)
    forms = row.cached(_vocabulary, "forms", parse_forms)
    standards = row.cached(_standards, "standards")
    destination_category = row.cached(_category, "destination_category")
    if not row.ok or quantity is None or unit is None:
        return None
    return Stream(
        id=stream_id, company_id=company_id, quantity_base=quantity, unit=unit, ewc_code=ewc,
        material=material, description=row.text("description"), physical_state=state,
        months=months, route=route, route_cost_cents=to_cents(cost or 0),
        notes=row.text("notes"), bulk_density_t_per_m3=density, storage_months=storage, temperature_c=temperature,
        forms=forms, standards=standards, destination=row.text("destination"),
        destination_category=destination_category,
    )  # fmt: skip


def _logistics_cells(row: _Row) -> tuple[float | None, int | None, float | None]:
    """A stream's optional bulk density (t/m3, 0.01-5), storage (whole months 0-11) and
    temperature (°C, -50 to 1000); empty cells keep the defaults of symbiose.logistics."""
    density = row.number_value("bulk_density_t_per_m3", strictly_positive=True, what=N_("tonnes per m3"))
    if density is not None and not 0.01 <= density <= 5:
        row.problem("bulk_density_t_per_m3", _(
            "{value} t/m3 is not a bulk density; write tonnes per cubic metre between 0.01 and 5 (wood "
            "chips about 0.3, water 1, aggregates 1.6)"
        ).format(value=fmt_decimal(float(density), 3)))  # fmt: skip
        density = None
    storage = row.number_value("storage_months", minimum=0, what=N_("a number of months"))
    if storage is not None and (storage != int(storage) or storage > MAX_STORAGE_MONTHS):
        row.problem("storage_months", _(
            "{value} is not a number of months; write a whole number from 0 (used as produced) to {most}"
        ).format(value=fmt_decimal(float(storage), 3), most=MAX_STORAGE_MONTHS))  # fmt: skip
        storage = None
    temperature = row.cached(_temperature, "temperature_c")
    return (None if density is None else float(density), None if storage is None else int(storage), temperature)


def _temperature(row: _Row, column: str) -> float | None:
    value = row.number_value(column, what=N_("degrees Celsius"))
    if value is not None and not -50 <= value <= 1000:
        row.problem(column, _("{value} °C is out of range; write degrees Celsius between -50 and 1000").format(
            value=fmt_decimal(float(value), 2)))  # fmt: skip
        return None
    return None if value is None else float(value)


_CODE_SPLIT = re.compile(r"[,;|/]+")


def _parse_need(
    row: _Row, seen: dict[str, int], known: Collection[str], companies_label: str
) -> Need | None:
    need_id = _check_id(row, seen, N_("need"))
    company_id = _company_ref(row, known, companies_label)
    category = row.cached(_category, "category")
    codes = row.cached(_accepted_codes, "accepted_codes")
    if not row.text("category") and not row.text("accepted_codes"):
        row.problem("category", _(
            "a need needs a resource category (category, e.g. wood_fuel) or accepted waste codes "
            "(accepted_codes, e.g. 0301); give one of them"
        ))  # fmt: skip
    quantity = row.cached(_quantity, "quantity")
    unit = row.unit()
    price = row.number_value("virgin_price_eur_per_unit", minimum=0, what=N_("euros per unit"))
    distance = row.number_value("max_distance_km", strictly_positive=True, what=N_("a distance in km"))
    months = row.months("months")
    permit = row.boolean("hazardous_permit")
    min_temperature = row.cached(_temperature, "min_temperature_c")
    max_temperature = row.cached(_temperature, "max_temperature_c")
    if min_temperature is not None and max_temperature is not None and max_temperature < min_temperature:
        row.problem("max_temperature_c", _(
            "the maximum temperature {high} °C is below the minimum {low} °C; swap them or leave one empty"
        ).format(high=fmt_decimal(max_temperature, 2), low=fmt_decimal(min_temperature, 2)))  # fmt: skip
        max_temperature = None
    approvals = row.cached(_approvals, "approvals")
    _check_ranges(row, quantity, unit, "virgin_price_eur_per_unit", price)
    states = row.cached(_vocabulary, "accepted_states", parse_states)
    required = row.cached(_vocabulary, "required_forms", parse_forms)
    refused = row.cached(_vocabulary, "refused_forms", parse_forms)
    standards = row.cached(_standards, "required_standards")
    gate_fee = row.number_value("gate_fee_eur_per_unit", minimum=0, what=N_("euros per unit"))
    _check_ranges(row, None, None, "gate_fee_eur_per_unit", gate_fee)
    if not row.ok or quantity is None or unit is None:
        return None
    return Need(
        id=need_id, company_id=company_id, quantity_base=quantity, unit=unit, category=category,
        accepted_codes=codes, description=row.text("description"),
        virgin_price_cents=to_cents(price or 0), max_distance_km=distance, months=months,
        hazardous_permit=permit, notes=row.text("notes"), min_temperature_c=min_temperature,
        accepted_states=states, required_forms=required,
        refused_forms=refused, required_standards=standards, gate_fee_cents=to_cents(gate_fee or 0),
        permit=row.text("permit"), max_temperature_c=max_temperature, approvals=approvals,
    )  # fmt: skip


def _accepted_codes(row: _Row, column: str) -> tuple[str, ...]:
    """A need's accepted waste codes and chapters, in the order given, without repeats."""
    codes: list[str] = []
    codes_text = _code_text(row.raw(column))
    for token in _CODE_SPLIT.split(codes_text):
        token = _code_text(token.strip())
        if not token:
            continue
        try:
            code = reference.check_ewc_prefix(token)
        except ValueError as exc:
            row.problem("accepted_codes", _("{problem}; accepted codes are six-digit waste codes or "
                                            "2/4-digit chapters such as 0201, separated by ','").format(problem=exc))  # fmt: skip
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _approvals(row: _Row, column: str) -> tuple[str, ...]:
    """Intake approvals a receiver holds, by their ids in ``intake_approvals.csv``."""
    from symbiose.compat import load_knowledge_base

    known = load_knowledge_base().approvals
    found = []
    for token in _CODE_SPLIT.split(row.text(column)):
        token = token.strip().lower().replace(" ", "_").replace("-", "_")
        if not token:
            continue
        if token not in known:
            row.problem(column, _("'{token}' is not a known intake approval; use one of {known}").format(
                token=token, known=", ".join(known)))  # fmt: skip
        elif token not in found:
            found.append(token)
    return tuple(found)


def _vocabulary(row: _Row, column: str, parse) -> tuple[str, ...]:
    """A list of a controlled vocabulary (forms, physical states); the row's problem otherwise."""
    from symbiose.domain import FORMS, PhysicalState

    choices = FORMS if parse is parse_forms else tuple(s.value for s in PhysicalState)
    try:
        return parse(row.text(column))
    except ValueError:
        row.problem(column, _("'{value}' is not allowed in this column; use one or more of {choices}, "
                              "separated by ';'").format(value=row.text(column), choices=", ".join(choices)))  # fmt: skip
        return ()


def _standards(row: _Row, column: str) -> tuple[str, ...]:
    """Product standards by their ids in the knowledge base (``product_standards.csv``)."""
    from symbiose.compat import load_knowledge_base

    known = load_knowledge_base().standards
    compact = {re.sub(r"[\s_\-.]", "", k): k for k in known}  # 'NF U 44-051' reads nf_u44_051
    found = []
    for token in _CODE_SPLIT.split(row.text(column)):
        token = compact.get(re.sub(r"[\s_\-.]", "", token.strip().lower()), token.strip())
        if not token:
            continue
        if token not in known:
            row.problem(column, _("'{value}' is not a known product standard; use one of {choices}").format(
                value=token, choices=", ".join(known)))
        elif token not in found:
            found.append(token)
    return tuple(found)


def _date(row: _Row, column: str) -> date | None:
    raw = row.raw(column)
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = row.text(column)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    row.problem(column, _("'{text}' is not a date; write 2026-03-31 or 31/03/2026").format(text=text))
    return None


def _parse_synergy(
    row: _Row,
    seen: dict[str, int],
    streams: Collection[str],
    needs: Collection[str],
) -> Synergy | None:
    synergy_id = _check_id(row, seen, N_("synergy"))
    stream_id = row.required("stream_id", N_("the id of the stream (from streams)"))
    if stream_id and stream_id not in streams:
        row.problem("stream_id", _(
            "stream '{id}' is neither in streams nor already stored; correct the id"
        ).format(id=stream_id))  # fmt: skip
    need_id = row.required("need_id", N_("the id of the need (from needs)"))
    if need_id and need_id not in needs:
        row.problem("need_id", _(
            "need '{id}' is neither in needs nor already stored; correct the id"
        ).format(id=need_id))  # fmt: skip
    stage = row.choice("stage", Stage, STAGE_ALIASES, Stage.SUGGESTED)
    quantity = _quantity(row, required=False)
    created, updated = _date(row, "created_on"), _date(row, "updated_on")
    if not row.ok:
        return None
    return Synergy(
        id=synergy_id, stream_id=stream_id, need_id=need_id, stage=stage, quantity_base=quantity,
        abandoned_reason=row.text("abandoned_reason"), created_on=created, updated_on=updated,
        notes=row.text("notes"),
    )  # fmt: skip


@cache
def _naf_set() -> frozenset[str]:
    return frozenset(reference.naf_codes()["naf_code"])


# --------------------------------------------------------------------------------------------
# Public reader


@dataclass(frozen=True)
class BundleFile:
    """What :func:`read_import` read: the records, the columns each table had, and notices
    (example rows skipped)."""

    network: Network
    columns: dict[str, tuple[str, ...]]
    notices: tuple[str, ...] = ()
    # where each record was read, for problems found after reading (texts too long to store):
    # per table, the file's label, the row of each id, and each column's header as written
    labels: dict[str, str] = field(default_factory=dict)
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def locate(self, table: str, record_id: str, column: str) -> tuple[str, int | None, str]:
        """(file label, row, header) of a record's cell, as the user wrote them."""
        return (self.labels.get(table, f"{table}.csv"), self.rows.get(table, {}).get(record_id),
                self.headers.get(table, {}).get(column, column))  # fmt: skip


class ProblemLog(list[Problem]):
    """A list of problems that keeps the first ``keep`` and counts the rest (``len`` is the
    total), so that a file of a million bad rows costs neither memory nor minutes."""

    def __init__(self, keep: int, hints: int | None = None) -> None:
        super().__init__()
        self.keep = keep
        self.hints = keep if hints is None else hints  # problems given a costly hint
        self.total = 0

    def append(self, problem: Problem) -> None:  # type: ignore[override]
        self.total += 1
        if super().__len__() < self.keep:
            super().append(problem)

    def __len__(self) -> int:
        return self.total


def read_bundle(
    path: str | Path,
    *,
    known_company_ids: Collection[str] = (),
    known_stream_ids: Collection[str] = (),
    known_need_ids: Collection[str] = (),
    geocoder: _Locator | None = None,
    stored: Network | None = None,
    check_contacts: bool = True,
) -> Network:
    """Read a network bundle: a folder of CSV files, one CSV file, or an .xlsx workbook.

    ``known_*_ids`` are records already stored, which the files may refer to (a streams-only
    file for companies imported earlier). ``stored`` is the stored network: a row of a stored
    record takes the stored value of each column the file lacks (see :func:`read_import`).
    ``geocoder`` places companies without coordinates (default: the offline gazetteer; anything
    with ``locate(commune, postal_code, insee_code)``). Raises :class:`ImportValidationError`
    listing every problem found; returns the network with every table sorted by id, named after
    the file or folder. ``check_contacts=False`` takes the contacts' e-mail and telephone as
    written, unchecked: a run that only matches (``symbiose match --bundle``, scenarios) never
    reads them, and an import into the database checks them.
    """
    return read_import(
        path, known_company_ids=known_company_ids, known_stream_ids=known_stream_ids,
        known_need_ids=known_need_ids, geocoder=geocoder, stored=stored, check_contacts=check_contacts,
    ).network  # fmt: skip


def read_import(
    path: str | Path,
    *,
    known_company_ids: Collection[str] = (),
    known_stream_ids: Collection[str] = (),
    known_need_ids: Collection[str] = (),
    geocoder: _Locator | None = None,
    stored: Network | None = None,
    columnwise: bool = True,
    check_contacts: bool = True,
) -> BundleFile:
    """Read a bundle as an import: like :func:`read_bundle`, with what the files held.

    Import semantics: a column absent from a file leaves the stored value alone (the row of a
    stored record takes the stored value of each absent column; a company's place, commune to
    coordinates, counts as one column); a new record needs the required columns; a column that
    is not part of the format is an error naming the closest known column; rows whose id starts
    with ``EXEMPLE-`` / ``EXAMPLE-`` (the templates' examples) are skipped with a notice.

    ``columnwise`` (the default) reads the clean rows of the companies, streams and needs of
    CSV files column by column (:mod:`symbiose.bundle_columns`); ``False`` reads every row
    with the row-by-row parser. Both give the same records, or the same problems.
    """
    # A large bundle becomes a million small objects that all live on and hold no cycle: the
    # cycle collector, which would walk the growing heap again and again (a third of the reading
    # time), waits until the records are read.
    collecting = gc.isenabled()
    gc.disable()
    checking = _CHECK_CONTACTS.set(check_contacts)
    try:
        return _read_import(
            Path(path), known_company_ids=known_company_ids, known_stream_ids=known_stream_ids,
            known_need_ids=known_need_ids, geocoder=geocoder, stored=stored, columnwise=columnwise,
        )  # fmt: skip
    finally:
        _CHECK_CONTACTS.reset(checking)
        if collecting:
            gc.enable()


def _read_import(
    path: Path, *, known_company_ids: Collection[str], known_stream_ids: Collection[str],
    known_need_ids: Collection[str], geocoder: _Locator | None, stored: Network | None,
    columnwise: bool,
) -> BundleFile:  # fmt: skip
    """:func:`read_import`, the cycle collector aside."""
    limit = limits()
    problems: list[Problem] = ProblemLog(limit.max_problems_kept, limit.max_problems_shown)
    notices: list[str] = []
    locator: _Locator = geocoder if geocoder is not None else default_gazetteer()
    tables = {t.name: t for t in _load_tables(path, problems)}
    indexes = {name: _column_index(t, problems) for name, t in tables.items()}
    stored_rows: dict[str, dict[str, list[OutCell]]] = {}
    if stored is not None:
        for name, cells in _network_rows(stored).items():
            stored_rows[name] = {str(row[0]): row for row in cells}
        known_company_ids = {*known_company_ids, *(c.id for c in stored.companies)}
        known_stream_ids = {*known_stream_ids, *(s.id for s in stored.streams)}
        known_need_ids = {*known_need_ids, *(n.id for n in stored.needs)}

    def rows(name: str, seen: dict[str, int] | None = None, **context: Any) -> Iterator[Any]:
        index = indexes.get(name)
        if index is None:
            return
        clean = None
        if columnwise and seen is not None:
            from symbiose import bundle_columns

            clean = bundle_columns.reader(tables[name], index, **context)
        yield from _rows(tables[name], index, problems, stored_rows.get(name), notices, clean, seen)

    companies: list[Company] = []
    company_rows: dict[str, int] = {}
    for row in rows("companies", company_rows, locator=locator):
        company = _parse_company(row, company_rows, locator) if row.__class__ is _Row else row
        if company is not None:
            companies.append(company)
    if "companies" in tables and indexes["companies"] is None:
        known_companies: Collection[str] = _AnyId()  # avoid a cascade of errors
    else:
        known_companies = set(known_company_ids) | set(company_rows)
    companies_label = tables["companies"].label if "companies" in tables else "companies.csv"

    streams: list[Stream] = []
    stream_rows: dict[str, int] = {}
    for row in rows("streams", stream_rows, known=known_companies):
        stream = _parse_stream(row, stream_rows, known_companies, companies_label) if row.__class__ is _Row else row
        if stream is not None:
            streams.append(stream)
    new_streams = [x for x in streams if x.id not in stored_rows.get("streams", {})]
    if new_streams and indexes.get("streams") is not None and "physical_state" in indexes["streams"]:
        # the column is there: only the new streams whose cell is empty took the default
        position = indexes["streams"]["physical_state"]
        cells = dict(tables["streams"].rows)

        def state_cell(stream_id: str) -> str:
            row = cells.get(stream_rows.get(stream_id, -1), [])
            return _cell_text(row[position]) if position < len(row) else ""

        new_streams = [x for x in new_streams if not state_cell(x.id)]
        if new_streams:
            notices.append(ngettext(
                "{file}: the new stream {ids} has no physical state: taken as solid; fill its physical_state "
                "(etat_physique) cell if it is not",
                "{file}: the new streams {ids} have no physical state: taken as solid; fill their physical_state "
                "(etat_physique) cells for those that are not",
                len(new_streams)).format(file=tables["streams"].label,
                                         ids=", ".join(x.id for x in new_streams[:10]) + (" ..." if len(new_streams) > 10 else "")))  # fmt: skip
    elif new_streams and indexes.get("streams") is not None:
        # the default state decides which inlets take a stream (form_rules.csv): say it
        notices.append(ngettext(
            "{file}: no physical_state column: the new stream is taken as solid; add the column "
            "(physical_state or etat_physique: solid, liquid, pasty, gas) if it is not",
            "{file}: no physical_state column: the {n} new streams are taken as solid; add the column "
            "(physical_state or etat_physique: solid, liquid, pasty, gas) for those that are not",
            len(new_streams)).format(file=tables["streams"].label, n=len(new_streams)))  # fmt: skip
    needs: list[Need] = []
    need_rows: dict[str, int] = {}
    for row in rows("needs", need_rows, known=known_companies):
        need = _parse_need(row, need_rows, known_companies, companies_label) if row.__class__ is _Row else row
        if need is not None:
            needs.append(need)

    synergies: list[Synergy] = []
    synergy_rows: dict[str, int] = {}
    known_streams: Collection[str] = set(known_stream_ids) | set(stream_rows)
    known_needs: Collection[str] = set(known_need_ids) | set(need_rows)
    if "streams" in tables and indexes["streams"] is None:
        known_streams = _AnyId()
    if "needs" in tables and indexes["needs"] is None:
        known_needs = _AnyId()
    for row in rows("synergies"):
        synergy = _parse_synergy(row, synergy_rows, known_streams, known_needs)
        if synergy is not None:
            synergies.append(synergy)

    _unit_problems(streams, needs, tables, indexes, stream_rows, need_rows, problems)
    if problems:
        raise ImportValidationError(problems)
    network = Network(
        companies=tuple(companies), streams=tuple(streams), needs=tuple(needs),
        synergies=tuple(synergies), name=path.stem,
    ).sorted()  # fmt: skip
    columns = {
        name: tuple(c.name for c in TABLES[name] if c.name in (indexes.get(name) or {}))
        for name in tables
    }
    record_rows = {"companies": company_rows, "streams": stream_rows, "needs": need_rows,
                   "synergies": synergy_rows}  # fmt: skip
    return BundleFile(
        network, columns, tuple(notices),
        labels={name: table.label for name, table in tables.items()},
        rows={name: record_rows[name] for name in tables if name in record_rows},
        headers={name: {column: tables[name].headers[position] for column, position in index.items()}
                 for name, index in indexes.items() if index is not None},
    )  # fmt: skip


def _unit_problems(streams: list[Stream], needs: list[Need], tables: dict, indexes: dict, stream_rows: dict[str, int],
                   need_rows: dict[str, int], problems: list[Problem]) -> None:  # fmt: skip
    """A unit that does not fit what the row names: the matcher would never pair such a record
    (wood fuel in MWh, hot water in t, a waste code in MWh), and the import said nothing."""
    from symbiose.labels import category_label
    from symbiose.stages import units_comparable

    categories = _category_units()
    mass = (Unit.T, Unit.M3)
    for name, records, rows, column in (("streams", streams, stream_rows, "material"),
                                        ("needs", needs, need_rows, "category")):  # fmt: skip
        if name not in tables:
            continue
        index = indexes.get(name) or {}
        header = tables[name].headers[index["unit"]] if "unit" in index else "unit"
        named = tables[name].headers[index[column]] if column in index else column
        for record in records:
            category = getattr(record, column)
            if category:
                fits = category not in categories or units_comparable(record.unit, categories[category])
                if fits:
                    continue
                message = _(
                    "{unit} does not fit {category} ({id}), counted in {expected}: write {expected}, or choose "
                    "the category that is counted in {unit}"
                ).format(unit=record.unit.value, category=category_label(category), id=category,
                         expected=categories[category].value)  # fmt: skip
            elif record.unit in mass:
                continue
            else:
                message = _(
                    "a waste code names a material, counted in t or m3, not {unit}: write t or m3, or for heat, "
                    "water or a gas give its resource category ({column}, e.g. heat_hot_water) instead of a code"
                ).format(unit=record.unit.value, column=named)  # fmt: skip
            problems.append(Problem(tables[name].label, rows.get(record.id), header, message))


class _AnyId(frozenset[str]):
    """Accepts every id: used when the referenced table could not be read at all."""

    def __contains__(self, item: object) -> bool:
        return True


# --------------------------------------------------------------------------------------------
# Writers

OutCell = str | Decimal | float | None


def _decimal_from_int(value: int, places: int) -> Decimal:
    return Decimal(value).scaleb(-places)


def _format_cell(value: OutCell, decimal_comma: bool = False) -> str:
    """The text of a cell in a CSV file. Text that a spreadsheet would run as a formula is
    escaped (:func:`symbiose.safe_output.escape_cell`); with a decimal comma, '1,234' (which
    reads as one thousand two hundred and thirty-four too) is written '1,2340'."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    else:
        return escape_cell(value)
    if not decimal_comma:
        return text
    text = text.replace(".", ",")
    return text + "0" if _AMBIGUOUS_DECIMAL.match(text) else text


def _excel_cell(value: OutCell) -> str | int | float | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        normalized = value.normalize()
        return int(normalized) if normalized == normalized.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return escape_cell(value)


def _money(cents: int) -> Decimal:
    return _decimal_from_int(cents, 2)


def _ewc_out(code: str) -> str:
    if not code:
        return ""
    entry = reference.ewc_entries().get(code)
    return format_ewc(code) + ("*" if entry is not None and entry.hazardous else "")


def _company_cells(c: Company) -> list[OutCell]:
    return [
        c.id, c.name, c.siret, c.naf_code, c.address, c.postal_code, c.commune, c.insee_code,
        float(c.latitude), float(c.longitude), c.contact_name, c.contact_email, c.contact_phone,
        c.notes, ";".join(c.freight_access),
    ]  # fmt: skip


def _stream_cells(s: Stream) -> list[OutCell]:
    return [
        s.id, s.company_id, _ewc_out(s.ewc_code), s.material, s.description,
        _decimal_from_int(s.quantity_base, 3), str(s.unit), str(s.physical_state),
        format_months(s.months), str(s.route), _money(s.route_cost_cents), s.notes,
        _optional(s.bulk_density_t_per_m3), None if s.storage_months is None else Decimal(s.storage_months),
        _optional(s.temperature_c),
        ";".join(s.forms), ";".join(s.standards), s.destination, s.destination_category,
    ]  # fmt: skip


def _optional(value: float | None) -> OutCell:
    """An optional number as written back (None: an empty cell)."""
    return None if value is None else float(value)


def _need_cells(n: Need) -> list[OutCell]:
    return [
        n.id, n.company_id, n.category, ",".join(n.accepted_codes), n.description,
        _decimal_from_int(n.quantity_base, 3), str(n.unit), _money(n.virgin_price_cents),
        None if n.max_distance_km is None else float(n.max_distance_km), format_months(n.months),
        "true" if n.hazardous_permit else "false", n.notes, _optional(n.min_temperature_c),
        _optional(n.max_temperature_c), ";".join(n.accepted_states),
        ";".join(n.required_forms), ";".join(n.refused_forms), ";".join(n.required_standards),
        _money(n.gate_fee_cents) if n.gate_fee_cents else None, n.permit, ";".join(n.approvals),
    ]  # fmt: skip


def _synergy_cells(s: Synergy) -> list[OutCell]:
    return [
        s.id, s.stream_id, s.need_id, str(s.stage),
        None if s.quantity_base is None else _decimal_from_int(s.quantity_base, 3),
        s.abandoned_reason, s.created_on.isoformat() if s.created_on else "",
        s.updated_on.isoformat() if s.updated_on else "", s.notes,
    ]  # fmt: skip


_RECORD_CELLS = {
    "companies": _company_cells, "streams": _stream_cells, "needs": _need_cells,
    "synergies": _synergy_cells,
}  # fmt: skip


def record_texts(table: str, record: Any) -> dict[str, str]:
    """A record as the texts of its canonical CSV row, by column (not escaped: for a screen)."""
    cells = _RECORD_CELLS[table](record)
    return {
        column.name: value if isinstance(value, str) else _format_cell(value)
        for column, value in zip(TABLES[table], cells, strict=True)
    }


def _network_rows(network: Network) -> dict[str, list[list[OutCell]]]:
    net = network.sorted()
    return {
        "companies": [_company_cells(c) for c in net.companies],
        "streams": [_stream_cells(s) for s in net.streams],
        "needs": [_need_cells(n) for n in net.needs],
        "synergies": [_synergy_cells(s) for s in net.synergies],
    }


def _write_csv(
    path: Path, headers: list[str], rows: list[list[OutCell]], *, french: bool = False
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=";" if french else ",", lineterminator="\r\n" if french else "\n"
    )
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_format_cell(v, decimal_comma=french) for v in row])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig" if french else "utf-8"))
    return path


def _write_workbook(path: Path, sheets: dict[str, tuple[list[str], list[list[OutCell]]]]) -> Path:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, (headers, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_excel_cell(v) for v in row])
        for position, header in enumerate(headers, start=1):
            letter = openpyxl.utils.get_column_letter(position)
            sheet.column_dimensions[letter].width = max(12, min(40, len(header) + 2))
        sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        workbook.save(partial)
        os.replace(partial, path)  # a workbook appears whole, or the previous one stays
    finally:
        partial.unlink(missing_ok=True)
    return path


def table_csv(network: Network, table: str, *, french: bool = False) -> str:
    """One table of ``network`` as the text of its bundle CSV file (what ``symbiose list TABLE
    --format csv`` prints): the import format, so that the output imports back unchanged.
    ``french``: as :func:`write_bundle` writes it in French (French headers and words, ``;``,
    decimal commas and a BOM)."""
    headers = [c.french if french else c.name for c in TABLES[table]]
    rows = _network_rows(network)[table]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_format_cell(v, decimal_comma=french) for v in (_french_row(table, row) if french else row)])
    return ("\ufeff" if french else "") + buffer.getvalue()


FORM_COLUMNS = {"forms", "required_forms", "refused_forms"}
CATEGORY_COLUMNS = {"category", "material", "destination_category"}


def _french_words(names: dict[Any, str], aliases: dict[str, Any]) -> dict[str, str]:
    """The word a French file writes for each value: the word the application shows
    (« mise en œuvre », « pâteux ») where the import reads it back, else the first French alias
    the import knows (« balles » for the form the forms call « balles et menues pailles »)."""
    from symbiose.i18n import language

    first = {str(value): word for word, value in reversed(list(aliases.items()))}
    with language("fr"):
        shown = {str(value): _(name) for value, name in names.items()}
    return {
        value: word if (_key(word) == value or str(aliases.get(_key(word), "")) == value) else first.get(value, value)
        for value, word in shown.items()
    } | {value: word for value, word in first.items() if value not in shown}  # fmt: skip


@functools.cache
def _french_vocabulary() -> dict[str, dict[str, str]]:
    from symbiose.labels import FORM_WORDS, ROUTE_NAMES, STAGE_NAMES, STATE_NAMES

    states = _french_words(STATE_NAMES, PHYSICAL_STATE_ALIASES)
    forms = _french_words(FORM_WORDS, FORM_ALIASES)
    return {"stage": _french_words(STAGE_NAMES, STAGE_ALIASES), "route": _french_words(ROUTE_NAMES, ROUTE_ALIASES),
            "physical_state": states, "accepted_states": states, **dict.fromkeys(FORM_COLUMNS, forms)}  # fmt: skip


@functools.cache
def _french_categories() -> dict[str, str]:
    from symbiose.compat import load_knowledge_base

    return {cid: category.label_fr for cid, category in load_knowledge_base().categories.items()
            if category.label_fr and _category_names().get(_key(category.label_fr)) == cid}  # fmt: skip


def _french_row(table: str, row: list[OutCell]) -> list[OutCell]:
    """A row as a French file writes it: stages, routes, states and forms in the application's
    French words, categories by their French label, booleans oui/non; the import reads each back."""
    out = list(row)
    vocabulary = _french_vocabulary()
    for position, column in enumerate(TABLES[table]):
        value = out[position]
        if not isinstance(value, str) or not value:
            continue
        if (words := vocabulary.get(column.name)) is not None:
            out[position] = ";".join(words.get(v, v) for v in value.split(";"))
        elif column.name in CATEGORY_COLUMNS:
            out[position] = _french_categories().get(value, value)
        elif value in ("true", "false"):
            out[position] = "oui" if value == "true" else "non"
    return out


def write_bundle(network: Network, path: str | Path, *, french: bool = False) -> list[Path]:
    """Write a network as a folder of four CSV files, or as a workbook if ``path`` ends .xlsx.

    Canonical form: English headers in the documented order, ``,`` separator, UTF-8 without
    BOM, exact ``.`` decimals, rows sorted by id. Returns the files written. ``french``: for an
    officer's spreadsheet, the files or sheets, headers, stages, routes, states, forms and
    booleans in the French words the import reads (``entreprises``, ``quantite``,
    ``mise en œuvre``, ``pâteux``, ``oui``...), resource categories by their French label
    (``Bois-énergie (plaquettes, sciures, chutes)``); CSV files with ``;``, decimal commas (never
    an ambiguous ``1,234``: ``1,2340``) and a byte-order mark, as the French templates. Waste
    codes stay codes. Either form imports back unchanged.
    """
    path = Path(path)
    rows = _network_rows(network)
    if french:
        sheets = {TABLE_FRENCH.get(n, n): ([c.french for c in TABLES[n]], [_french_row(n, r) for r in rows[n]])
                  for n in TABLES}  # fmt: skip
    else:
        sheets = {n: ([c.name for c in columns], rows[n]) for n, columns in TABLES.items()}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return [_write_workbook(path, sheets)]
    # the other language's files of an earlier export would hold the same tables: not kept
    other = {f"{TABLE_FRENCH.get(n, n) if not french else n}.csv" for n in TABLES} - {f"{t}.csv" for t in sheets}
    with atomic_folder(path, replaced=other) as work:
        for title, (headers, table_rows) in sheets.items():
            _write_csv(work / f"{title}.csv", headers, table_rows, french=french)
    return [path / f"{title}.csv" for title in sheets]


# --------------------------------------------------------------------------------------------
# Templates

EXAMPLE_NOTE = {
    "fr": "EXEMPLE : ligne ignorée à l'import (identifiant EXEMPLE-), à remplacer par vos données",
    "en": "EXAMPLE: skipped by the import (id EXAMPLE-), replace it with your data",
}


def _template_rows(language: str) -> dict[str, list[OutCell]]:
    fr = language == "fr"
    note = EXAMPLE_NOTE["fr" if fr else "en"]
    prefix = EXAMPLE_PREFIXES[0] if fr else EXAMPLE_PREFIXES[1]
    return {
        "companies": [
            f"{prefix}C001", "Scierie Exemple" if fr else "Example sawmill", "", "16.10A",
            "1 route des Bois", "17500", "Jonzac", "17197", None, None, "", "", "", note, "",
        ],
        "streams": [
            f"{prefix}S0001", f"{prefix}C001", "03 01 05", "", "Sciure et copeaux" if fr else "Sawdust and chips",
            Decimal("1234.5"), "t", "solide" if fr else "solid", "11-3",
            "enfouissement" if fr else "landfill", Decimal("65.5"), note, Decimal("0.25"), Decimal("6"), None,
            "sciure, propre, sec" if fr else "sawdust, clean, dry", "", "", "",
        ],
        "needs": [
            f"{prefix}N0001", f"{prefix}C001", "wood_fuel", "0301", "Chaufferie bois" if fr else "Wood boiler",
            Decimal("2000"), "t", Decimal("25"), 40.0, "10-4", "non" if fr else "false", note, None, None,
            "solide" if fr else "solid", "", "souillé" if fr else "soiled", "", None, "", "",
        ],
        "synergies": [
            f"{prefix}Y0001", f"{prefix}S0001", f"{prefix}N0001", "suggere" if fr else "suggested", Decimal("500"), "",
            "2026-01-15", "", note,
        ],
    }  # fmt: skip


def write_templates(path: str | Path, *, language: str = "fr") -> list[Path]:
    """Empty templates for officers: a header and one example row per table.

    ``language="fr"``: French headers, ``;`` separator, decimal commas and a UTF-8 BOM (what
    Excel in France opens directly); ``"en"``: the canonical form. A path ending ``.xlsx`` gives
    one workbook (one sheet per table); otherwise a folder of CSV files. The example rows have
    ids starting ``EXEMPLE-`` (``EXAMPLE-``), which the importer skips: a template imported as
    it is changes nothing, and an example can never overwrite a real record.
    """
    if language not in ("fr", "en"):
        raise ValueError(f"language must be 'fr' or 'en', got {language!r}")
    path = Path(path)
    fr = language == "fr"
    examples = _template_rows(language)
    sheets = {}
    for name, columns in TABLES.items():
        headers = [c.french if fr else c.name for c in columns]
        title = TABLE_FRENCH.get(name, name) if fr else name
        sheets[title] = (headers, [examples[name]])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return [_write_workbook(path, sheets)]
    with atomic_folder(path) as work:
        for title, (headers, rows) in sheets.items():
            _write_csv(work / f"{title}.csv", headers, rows, french=fr)
    return [path / f"{title}.csv" for title in sheets]
