"""Typical flows of a sector, to pre-fill a company's streams and needs for an officer to confirm.

Two tables in ``data/`` (documented in ``data/KNOWLEDGE_BASE.md``):

* ``sector_streams.csv``: what a NACE sector (prefix such as ``11.01`` or ``41``) typically puts
  out: a List of Waste code (or a ``material`` such as ``heat`` or ``process_water`` for flows
  without a waste code), a description, the unit, the physical state, the usual months and the
  basis of the row;
* ``sector_uses.csv`` (read through :func:`symbiose.compat.load_knowledge_base`): the resource
  categories a sector typically uses.

Nothing here is stored: the rows are suggestions, ready to be copied into the stream or need
form, where the officer enters the quantity and saves through the usual validation.

>>> [s["ewc_code"] for s in typical_streams("16.10A")][:2]
['03 01 05', '03 01 01']
>>> next(s for s in typical_streams("11.01Z") if s["ewc_code"] == "02 07 02")["months"]
'11-3'
>>> "soil_amendment" in [n["category"] for n in typical_needs("01.21Z")]
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from symbiose.compat import KnowledgeBase, _read_csv, load_knowledge_base, normalize_nace
from symbiose.domain import PhysicalState, format_ewc, format_months, normalize_ewc, parse_months
from symbiose.errors import Problem, ValidationError
from symbiose.reference import data_dir, ewc_entries, nace_codes
from symbiose.units import Unit

STREAM_COLUMNS = (
    "nace_prefix", "ewc_code", "material", "description", "unit", "physical_state",
    "typical_months", "basis",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TypicalStream:
    """A flow a sector typically puts out (one row of ``sector_streams.csv``)."""

    nace_prefix: str
    ewc_code: str  # compact six digits, or '' when ``material`` is set
    material: str  # resource category for flows without a waste code (heat, process_water)
    description: str
    unit: Unit
    physical_state: PhysicalState
    months: tuple[int, ...]
    basis: str

    @property
    def key(self) -> str:
        return self.ewc_code or self.material

    def as_row(self) -> dict[str, str]:
        """The stream columns of a bundle, as text (quantity left for the officer)."""
        hazardous = bool(self.ewc_code) and ewc_entries()[self.ewc_code].hazardous
        code = format_ewc(self.ewc_code) + ("*" if hazardous else "") if self.ewc_code else ""
        return {
            "ewc_code": code,
            "material": self.material,
            "description": self.description,
            "unit": str(self.unit),
            "physical_state": str(self.physical_state),
            "months": format_months(self.months),
            "nace_prefix": self.nace_prefix,
            "basis": self.basis,
        }


def sector_streams_path() -> Path:
    return data_dir() / "sector_streams.csv"


@cache
def _default_kb() -> KnowledgeBase:
    return load_knowledge_base()


def load_sector_streams(
    path: Path | str | None = None, kb: KnowledgeBase | None = None
) -> tuple[TypicalStream, ...]:
    """Load and validate ``sector_streams.csv`` (the packaged one by default); cached.

    Raises :class:`~symbiose.errors.ValidationError` listing every problem (file, row, column).
    """
    return _load(Path(path or sector_streams_path()).resolve(), kb or _default_kb())


@cache
def _load(path: Path, kb: KnowledgeBase) -> tuple[TypicalStream, ...]:
    table = _read_csv(path, STREAM_COLUMNS)
    name, problems, rows, seen = path.name, [], [], {}
    known_nace = set(nace_codes()["code"])
    entries = ewc_entries()
    for row in table:
        r = row.line
        before = len(problems)

        def bad(column: str, message: str, r: int = r) -> None:
            problems.append(Problem(name, r, column, message))

        prefix = row["nace_prefix"]
        if prefix not in known_nace:
            bad("nace_prefix", f"'{prefix}' is not a NACE Rev.2 code; write it as in "
                "nace_rev2.csv ('01', '08.1', '11.01')")  # fmt: skip
        code, material = "", row["material"]
        if row["ewc_code"]:
            try:
                code = normalize_ewc(row["ewc_code"])
            except ValueError as exc:
                bad("ewc_code", str(exc))
            else:
                entry = entries.get(code)
                if entry is None:
                    bad("ewc_code", f"'{row['ewc_code']}' is not a six-digit code of the "
                        "European List of Waste")  # fmt: skip
                elif entry.hazardous != row["ewc_code"].endswith("*"):
                    mark = "must end with '*'" if entry.hazardous else "must not end with '*'"
                    bad("ewc_code", f"'{row['ewc_code']}' {mark}: the official list marks it "
                        f"{'hazardous' if entry.hazardous else 'non-hazardous'}")  # fmt: skip
        if bool(row["ewc_code"]) == bool(material):
            bad("material", "give either a waste code or a material (heat, process_water), "
                "not both or neither")  # fmt: skip
        elif material and material not in kb.categories:
            bad("material", f"unknown material '{material}'; use an id of "
                "resource_categories.csv (heat, process_water...)")  # fmt: skip
        if not row["description"]:
            bad("description", "is empty; say what the residue is")
        try:
            unit = Unit.parse(row["unit"])
        except ValueError as exc:
            bad("unit", str(exc))
        try:
            state = PhysicalState(row["physical_state"].lower())
        except ValueError:
            bad("physical_state", f"'{row['physical_state']}' is not one of "
                f"{', '.join(s.value for s in PhysicalState)}")  # fmt: skip
        try:
            months = parse_months(row["typical_months"])
        except ValueError as exc:
            bad("typical_months", str(exc))
        if not row["basis"]:
            bad("basis", "is empty; cite the source of the row")
        if len(problems) > before:
            continue
        key = (prefix, code or material)
        if key in seen:
            bad("ewc_code" if code else "material",
                f"{key[1]} is already given for {prefix} on row {seen[key]}; keep one row")  # fmt: skip
            continue
        seen[key] = r
        rows.append(
            TypicalStream(prefix, code, material, row["description"], unit, state, months,
                          row["basis"])
        )  # fmt: skip
    if problems:
        raise ValidationError(problems)
    return tuple(rows)


def _check_code(naf_code: str) -> str:
    """The dotted NACE class of a NAF/NACE code; ``ValueError`` with a helpful message."""
    code = normalize_nace(naf_code)
    if code not in set(nace_codes()["code"]):
        raise ValueError(
            f"'{naf_code}' is not in the NAF rév.2 / NACE Rev.2 list; check the code on the "
            "company's Kbis or at avis-situation-sirene.insee.fr (e.g. '11.01Z', '16.10A')"
        )
    return code


def _specific_first(prefixes: list[str]) -> list[str]:
    return sorted(dict.fromkeys(prefixes), key=lambda p: -len(p.replace(".", "")))


def typical_streams(
    naf_code: str, path: Path | str | None = None, kb: KnowledgeBase | None = None
) -> list[dict[str, str]]:
    """The flows a company of this NAF/NACE code typically puts out, as stream-form rows.

    Rows whose prefix matches the code, most specific prefix first, one per waste code or
    material (the most specific row wins). Each dict holds the bundle's stream columns
    (``ewc_code``, ``material``, ``description``, ``unit``, ``physical_state``, ``months``)
    plus ``nace_prefix`` and ``basis``; the quantity is left for the officer.
    """
    code = _check_code(naf_code)
    rows = [s for s in load_sector_streams(path, kb) if code.startswith(s.nace_prefix)]
    order = {p: i for i, p in enumerate(_specific_first([s.nace_prefix for s in rows]))}
    out: dict[str, dict[str, str]] = {}
    for stream in sorted(rows, key=lambda s: order[s.nace_prefix]):  # stable: file order kept
        out.setdefault(stream.key, stream.as_row())
    return list(out.values())


def typical_needs(naf_code: str, kb: KnowledgeBase | None = None) -> list[dict[str, str]]:
    """The resource categories a company of this code typically uses, as need-form rows.

    From ``sector_uses.csv``: ``category``, ``unit`` (the category's), ``description`` (the
    category label), plus ``nace_prefix`` and ``basis``. Most specific prefix first.
    """
    code = _check_code(naf_code)
    kb = kb or _default_kb()
    uses = [u for u in kb.sector_uses if code.startswith(u.nace_prefix)]
    order = {p: i for i, p in enumerate(_specific_first([u.nace_prefix for u in uses]))}
    out: dict[str, dict[str, str]] = {}
    for use in sorted(uses, key=lambda u: order[u.nace_prefix]):
        category = kb.categories[use.category]
        out.setdefault(use.category, {
            "category": use.category,
            "unit": str(category.unit),
            "description": category.label_en,
            "nace_prefix": use.nace_prefix,
            "basis": use.basis,
        })  # fmt: skip
    return list(out.values())


__all__ = [
    "TypicalStream",
    "load_sector_streams",
    "typical_needs",
    "typical_streams",
]
