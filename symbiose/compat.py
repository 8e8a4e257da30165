"""The compatibility knowledge base: which waste codes can substitute which resource categories.

Three CSV tables in ``data/`` (documented in ``data/KNOWLEDGE_BASE.md``):

* ``resource_categories.csv``: one row per resource category (``wood_fuel``, ``aggregates``...)
  with its unit, default maximum road distance and CO2e factors;
* ``compatibility.csv``: rules "a waste code (or a 2/4-digit prefix of the List of Waste)
  can feed this category", with a quality (0-1], a pre-treatment and its cost, and a basis;
* ``sector_uses.csv``: which categories a receiving NACE sector uses.

They are read once (cached) and validated as they load: a problem raises
:class:`~symbiose.errors.ValidationError` naming the file, row and column.

Resolution rules:

* for a given code and category, the **most specific** matching prefix wins (a six-digit row
  overrides its sub-chapter, which overrides its chapter);
* a **hazardous** (``*``) code is never covered by a chapter or sub-chapter prefix: it must be
  named by its six digits, and only towards categories whose receivers can hold a permit for
  it (:data:`HAZARDOUS_CATEGORIES`).

>>> kb = load_knowledge_base()
>>> [(r.category, r.quality) for r in kb.rules_for_code("02 07 04")][:2]
[('wine_byproduct_distillation', 0.9), ('compost_feedstock', 0.7)]
>>> kb.categories["glass_cullet"].virgin_co2e_kg_per_unit
579.58
>>> sorted(kb.categories_for_nace("23.51Z"))
['alternative_fuel', 'cement_raw_material', 'gypsum']
>>> "soil_amendment" in kb.categories_for_nace("01.21Z")
True
>>> pairs = kb.compatible_pairs(["170508", "17 05 08"])
>>> pairs[["code", "category", "pretreatment_cost_cents", "max_distance_km"]].values.tolist()
[['170508', 'aggregates', 500, 35.0], ['170508', 'backfill', 0, 30.0]]
>>> normalize_nace("3511"), normalize_nace("231"), normalize_nace("16.10A")
('35.11', '23.1', '16.10')
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from symbiose.errors import Problem, ValidationError
from symbiose.reference import check_ewc_prefix, data_dir, ewc_entries, nace_codes
from symbiose.units import Unit

#: Categories a hazardous (*) waste code may feed: receivers that can hold the permit for it
#: (regeneration, co-incineration, metal refining, chemical reuse, drum reconditioning).
HAZARDOUS_CATEGORIES = frozenset(
    {
        "alternative_fuel",
        "oil_regeneration",
        "solvent_regeneration",
        "chemical_feedstock",
        "scrap_metal",
        "cement_raw_material",
        "industrial_gas",
        "pallets_packaging_reuse",
    }
)

CATEGORY_COLUMNS = (
    "id", "label_en", "label_fr", "unit", "max_distance_km", "virgin_co2e_kg_per_unit",
    "co2e_source", "landfill_co2e_kg_per_t", "transport_cost_eur_per_unit_km", "notes",
)  # fmt: skip
RULE_COLUMNS = (
    "ewc_prefix", "category", "quality", "pretreatment", "pretreatment_cost_eur_per_t",
    "max_distance_km", "basis", "source",
)  # fmt: skip
SOURCE_COLUMNS = ("key", "citation", "url")
ALIAS_COLUMNS = ("alias", "category", "note")
FREIGHT_COLUMNS = (
    "mode", "access", "cost_eur_per_t_km", "handling_eur_per_t", "co2e_kg_per_t_km", "co2e_source",
    "cost_source",
)  # fmt: skip
REASON_COLUMNS = ("ewc_code", "reason", "source")
SECTOR_COLUMNS = ("nace_prefix", "category", "basis")
RESTRICTION_COLUMNS = ("nace_prefix", "ewc_prefix", "category", "basis", "source")
CONDITION_COLUMNS = ("id", "nace_prefix", "ewc_prefix", "category", "condition_fr", "condition_en",
                     "max_share_of_need", "source")  # fmt: skip
HIERARCHY_COLUMNS = ("category", "level", "basis", "source")
#: The levels of the waste hierarchy a use can stand at, best first (``waste_hierarchy.csv``):
#: preparing for re-use, human food and animal feed (for food, before other uses), recycling into a
#: material, return to the soil (compost, digestion, amendments), other recovery (energy, backfilling).
HIERARCHY_LEVELS = ("reuse", "food", "feed", "material", "return_to_soil", "other_recovery")
UNLISTED_LEVEL = "material"  # the level of a category ``waste_hierarchy.csv`` does not list
#: More than the grades a resource can be lowered by (steam serves hot water and low-temperature
#: heat: two); the loader refuses a longer ``serves`` list
GRADE_SPAN = 4
APPROVAL_COLUMNS = ("ewc_prefix", "categories", "approval", "label_fr", "label_en", "basis", "source")
PAIR_COLUMNS = [
    "code", "category", "quality", "pretreatment", "pretreatment_cost_cents", "max_distance_km",
    "basis",
]  # fmt: skip

_CATEGORY_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class ResourceCategory:
    """A resource a receiver uses, with its unit, reach and CO2e factors."""

    id: str
    label_en: str
    label_fr: str
    unit: Unit
    max_distance_km: float  # default furthest sensible road (or pipe) distance
    virgin_co2e_kg_per_unit: float  # kg CO2e avoided per unit of virgin input replaced
    co2e_source: str
    landfill_co2e_kg_per_t: float  # landfill factor of the waste family feeding the category
    transport_cost_eur_per_unit_km: float | None  # pipe cost for heat; None for trucked ones
    notes: str
    # the yearly quantity a pipe's cost per unit.km was computed for: a pipe is a fixed cost per
    # km, so a smaller flow pays proportionally more per unit (None: the cost is linear)
    transport_reference_quantity: float | None = None
    # lower grades a supply of this resource also serves (steam serves hot water, never the reverse)
    serves: tuple[str, ...] = ()
    # how it travels: "pipe", or trucks plus bulk "rail"/"ship" where both sites have the access
    freight_modes: tuple[str, ...] = ("road",)
    # above the reference flow, a pipe's cost per km grows as the flow to this power (a larger
    # pipe costs more per metre, far less than in proportion); None: as the flow (flat per unit)
    pipe_cost_exponent: float | None = None

    @property
    def piped(self) -> bool:
        return "pipe" in self.freight_modes


def pipe_scale(quantity, reference, exponent):
    """How many times a pipe's cost per unit.km (``transport_cost_eur_per_unit_km``, computed for
    ``reference`` units a year) a flow of ``quantity`` units a year pays, vectorised over numpy
    arrays (``reference``, ``exponent`` NaN or None where they do not apply):

    * below the reference flow, the pipe is a fixed cost per km spread over fewer units:
      ``reference / quantity``;
    * above it, a larger pipe costs more per km, as the flow to ``exponent`` (0.23 for district
      heating pipes, ``HOTMAPS-2020``), so each unit pays ``(reference / quantity) ** (1 - exponent)``;
      without an exponent, the same as at the reference flow (1);
    * without a reference, 1.
    """
    q = np.maximum(np.asarray(quantity, dtype=float), 1e-9)
    ref = np.asarray(np.nan if reference is None else reference, dtype=float)
    b = np.asarray(np.nan if exponent is None else exponent, dtype=float)
    ratio = np.where(np.isfinite(ref), np.nan_to_num(ref) / q, 1.0)
    above = np.where(np.isfinite(b), ratio ** (1.0 - np.nan_to_num(b)), 1.0)
    return np.where(ratio >= 1.0, ratio, above)


@dataclass(frozen=True, slots=True)
class FreightMode:
    """A way of carrying bulk: cost per t.km, handling per t at the two ends, CO2e per t.km.

    ``access`` is the company attribute both sites need (``rail``, ``port``); empty for road.
    """

    mode: str
    access: str
    cost_eur_per_t_km: float
    handling_eur_per_t: float
    co2e_kg_per_t_km: float
    co2e_source: str
    cost_source: str


@dataclass(frozen=True, slots=True)
class Source:
    """A general reference that rules cite by ``key`` (documented in KNOWLEDGE_BASE.md)."""

    key: str
    citation: str
    url: str


@dataclass(frozen=True, slots=True)
class CompatibilityRule:
    """Wastes whose code starts with ``ewc_prefix`` can feed ``category``."""

    ewc_prefix: str  # compact, 2, 4 or 6 digits
    category: str
    quality: float  # (0, 1]: how good a substitute; share of the virgin price avoided
    pretreatment: str
    pretreatment_cost_cents: int  # per tonne
    max_distance_km: float | None  # override of the category default
    basis: str
    source: str = ""  # citation keys of knowledge_sources.csv, ';'-separated

    def covers(self, code: str, hazardous: bool) -> bool:
        """Whether the rule applies to a compact six-digit code (see the module rules)."""
        if len(self.ewc_prefix) < 6 and hazardous:
            return False
        return code.startswith(self.ewc_prefix)


@dataclass(frozen=True, slots=True)
class FormRule:
    """What physical states and forms a category's line takes (``form_rules.csv``).

    Without a prefix: the default physical states of the category's receivers (a need states its
    own to override it). With a waste-code prefix: the states and forms a stream of that code must
    have to feed the category, and the forms it must not state (``refused``: film to a pallet
    line); the most specific prefix wins; an empty list restricts nothing.
    """

    ewc_prefix: str  # '' for the category default
    category: str
    states: tuple[str, ...]
    forms: tuple[str, ...]
    basis: str
    source: str
    refused: tuple[str, ...] = ()  # optional column ``refused_forms``


@dataclass(frozen=True, slots=True)
class ProductStandard:
    """A product standard a need may require, and who turns a raw residue into it."""

    id: str
    label_fr: str
    label_en: str
    intermediary_fr: str
    intermediary_en: str
    intermediary_cost_cents: int  # per tonne, order of magnitude of the intermediary's service
    source: str
    # what the intermediary takes in: a residue reaches the standard through it only when its code
    # has a rule to one of these categories (None: the column is absent, any residue, as before)
    intake_categories: tuple[str, ...] | None = None
    # and, when given, only codes starting with one of these List of Waste prefixes
    intake_ewc_prefixes: tuple[str, ...] = ()

    def takes(self, ewc_code: str, categories: set[str]) -> bool:
        """Whether the intermediary takes a residue of this code, whose rules reach ``categories``."""
        if self.intake_categories is not None and not categories & set(self.intake_categories):
            return False
        return not self.intake_ewc_prefixes or ewc_code.startswith(self.intake_ewc_prefixes)


@dataclass(frozen=True, slots=True)
class IntakeApproval:
    """Codes (a List of Waste prefix) that reach some categories only at a receiver holding an
    approval (``intake_approvals.csv``): catering waste to composting or biogas needs a plant
    approved for animal by-products (Reg. (EC) 1069/2009 art. 24(1)(g))."""

    ewc_prefix: str
    categories: tuple[str, ...]
    approval: str
    label_fr: str
    label_en: str
    basis: str
    source: str


@dataclass(frozen=True, slots=True)
class SectorUse:
    """A receiving sector (NACE prefix such as ``23.51`` or ``01``) uses a category."""

    nace_prefix: str
    category: str
    basis: str


@dataclass(frozen=True, slots=True)
class ProducerRestriction:
    """A stream of a code (prefix) from a producer of a sector (NACE prefix) never feeds a
    category (every category whose id starts with ``category``): a use the law withholds from
    that producer's residue, such as wine lees, which are withdrawn under supervision and not
    fed although brewer's yeast of the same code is."""

    nace_prefix: str
    ewc_prefix: str
    category: str
    basis: str
    source: str


@dataclass(frozen=True, slots=True)
class Condition:
    """A use the law or practice allows only under a condition (not a ban): a stream of a code
    (prefix), from a producer of a sector (NACE prefix; empty: any producer), feeding a category
    (every category whose id starts with ``category``). The condition is stated in the pair's
    reason; ``max_share_of_need`` (optional) caps the pair at that share of the need's quantity
    (fresh marc kept to about 10 % of a digester's ration)."""

    id: str
    nace_prefix: str
    ewc_prefix: str
    category: str
    condition_fr: str
    condition_en: str
    max_share_of_need: float | None
    source: str

    def text(self, french: bool) -> str:
        return self.condition_fr if french else self.condition_en


def normalize_nace(text: str) -> str:
    """A NACE/NAF code in dotted form: '3511' -> '35.11', '231' -> '23.1', '01.21Z' -> '01.21'.

    Accepts NAF sub-classes (the final letter is dropped), undotted codes of 2-4 digits as
    published in many databases, and a trailing '*'. Raises ``ValueError`` otherwise.
    """
    raw = str(text).strip().upper().rstrip("*").strip()
    compact = re.sub(r"[A-Z]$", "", raw.replace(".", "").replace(" ", ""))
    if not re.fullmatch(r"\d{2,4}", compact):
        raise ValueError(
            f"'{text}' is not a NACE/NAF code; write it like '35.11', '3511', '23.1' or '16.10A'"
        )
    return compact if len(compact) == 2 else f"{compact[:2]}.{compact[2:]}"


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Categories, compatibility rules and sector uses, validated and indexed."""

    categories: dict[str, ResourceCategory]
    rules: tuple[CompatibilityRule, ...]
    sector_uses: tuple[SectorUse, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # old category id -> current id
    freight_modes: dict[str, FreightMode] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    producer_restrictions: tuple[ProducerRestriction, ...] = ()
    form_rules: tuple[FormRule, ...] = ()
    standards: dict[str, ProductStandard] = field(default_factory=dict)
    conditions: tuple[Condition, ...] = ()
    intake_approvals: tuple[IntakeApproval, ...] = ()
    hierarchy: dict[str, str] = field(default_factory=dict)  # category -> level of HIERARCHY_LEVELS
    _by_prefix: dict[str, tuple[CompatibilityRule, ...]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        index: dict[str, list[CompatibilityRule]] = {}
        for rule in self.rules:
            index.setdefault(rule.ewc_prefix, []).append(rule)
        self._by_prefix.update({k: tuple(v) for k, v in index.items()})

    def hierarchy_rank(self, category: str) -> int:
        """The position of the category's level in :data:`HIERARCHY_LEVELS` (0 is best); a
        category ``waste_hierarchy.csv`` does not list stands with recycling into a material."""
        return HIERARCHY_LEVELS.index(self.hierarchy.get(self.canonical_category(category), UNLISTED_LEVEL))

    def grade_step(self, supply: str, category: str) -> int:
        """How many grades below its own a use takes a supply of a graded resource (steam to a
        steam need 0, to hot water 1, to low-temperature heat 2); 0 for any other supply."""
        served = self.served_by(self.canonical_category(supply)) if supply else ()
        category = self.canonical_category(category)
        return served.index(category) if len(served) > 1 and category in served else 0

    def use_rank(self, category: str, supply: str = "") -> int:
        """The place of a use in the order a supplier's list follows (lower is better): the waste
        hierarchy's level first (:meth:`hierarchy_rank`), then, for a graded resource (heat), the
        grades the use lowers it by (:meth:`grade_step`: the heat cascade, use heat at the
        highest grade it can serve). :func:`use_levels` in :mod:`symbiose.suggestions` is the
        same order for arrays of arcs."""
        return self.hierarchy_rank(category) * GRADE_SPAN + self.grade_step(supply, category)

    def canonical_category(self, name: str) -> str:
        """The current id of a category, following the aliases of renamed ones ('heat').

        Returns the name unchanged when it is neither a category nor an alias (the caller
        reports it).
        """
        return self.aliases.get(name, name)

    @property
    def approvals(self) -> dict[str, IntakeApproval]:
        """The approval ids of ``intake_approvals.csv``, each with its first row (its labels)."""
        out: dict[str, IntakeApproval] = {}
        for row in self.intake_approvals:
            out.setdefault(row.approval, row)
        return out

    def approval_needed(self, ewc_code: str, category: str) -> str:
        """The approval a receiver needs to take this code for this category ('' if none)."""
        for row in self.intake_approvals:
            if ewc_code.startswith(row.ewc_prefix) and category in row.categories:
                return row.approval
        return ""

    def served_by(self, category: str) -> tuple[str, ...]:
        """The categories a supply of ``category`` can feed: itself, then the lower grades."""
        cat = self.categories.get(category)
        return (category, *(cat.serves if cat else ()))

    def rules_for_code(self, ewc_code: str) -> list[CompatibilityRule]:
        """The rules that apply to a six-digit code, one per category (most specific prefix).

        Sorted by decreasing quality, then category. Raises ``ValueError`` for a code that is
        not in the List of Waste.
        """
        return list(_rules_for_code(self, check_ewc_prefix(ewc_code)))

    def rules_frame(self) -> pd.DataFrame:
        """All rules as a DataFrame (for vectorised joins); ``max_distance_km`` NaN = default."""
        return pd.DataFrame(
            {
                "ewc_prefix": [r.ewc_prefix for r in self.rules],
                "category": [r.category for r in self.rules],
                "quality": [r.quality for r in self.rules],
                "pretreatment": [r.pretreatment for r in self.rules],
                "pretreatment_cost_cents": [r.pretreatment_cost_cents for r in self.rules],
                "max_distance_km": [
                    math.nan if r.max_distance_km is None else r.max_distance_km for r in self.rules
                ],
                "basis": [r.basis for r in self.rules],
            }
        )

    def categories_for_nace(self, nace_code: str, *, include_subsectors: bool = False) -> set[str]:
        """Resource categories a company of this NACE/NAF code typically uses.

        A sector row applies when its prefix is a prefix of the code ('01' covers '01.21Z').
        With ``include_subsectors``, rows of finer sub-sectors also count: useful when only a
        division or group is known ('20' then covers what '20.15' uses).
        """
        code = normalize_nace(nace_code)
        found = set()
        for use in self.sector_uses:
            if code.startswith(use.nace_prefix) or (
                include_subsectors and use.nace_prefix.startswith(code)
            ):
                found.add(use.category)
        return found

    def compatible_pairs(self, codes: Iterable[str]) -> pd.DataFrame:
        """Every category each distinct six-digit code can feed.

        Columns: ``code`` (compact), ``category``, ``quality``, ``pretreatment``,
        ``pretreatment_cost_cents`` (per tonne), ``max_distance_km`` (the rule's override or
        else the category default) and ``basis`` (the rule's words and its source keys in
        brackets, resolved in KNOWLEDGE_BASE.md). Codes that feed nothing have no row.
        """
        records = []
        for compact in dict.fromkeys(check_ewc_prefix(c) for c in codes):
            if len(compact) != 6:
                raise ValueError(f"'{compact}' is a prefix; give six-digit waste codes")
            for rule in _rules_for_code(self, compact):
                max_km = rule.max_distance_km
                if max_km is None:
                    max_km = self.categories[rule.category].max_distance_km
                records.append(
                    (compact, rule.category, rule.quality, rule.pretreatment,
                     rule.pretreatment_cost_cents, float(max_km), f"{rule.basis} [{rule.source}]")
                )  # fmt: skip
        return pd.DataFrame.from_records(records, columns=PAIR_COLUMNS)


def _producer_keys(problems: list, name: str, r: int, row: dict, known: set, categories: dict, *,
                   any_producer: bool = False) -> str | None:  # fmt: skip
    """Check a row's (nace_prefix, ewc_prefix, category) keys; the compact code prefix, or None
    after adding the problems found. ``any_producer``: an empty NACE prefix means any producer."""
    ok = True
    if not (any_producer and not row["nace_prefix"]) and row["nace_prefix"] not in known:
        problems.append(Problem(name, r, "nace_prefix", f"'{row['nace_prefix']}' is not a NACE Rev.2 code; "
                                "write it as in nace_rev2.csv ('01', '11.0', '11.02')"))  # fmt: skip
        ok = False
    prefix = None
    try:
        prefix = check_ewc_prefix(row["ewc_prefix"])
    except ValueError as exc:
        problems.append(Problem(name, r, "ewc_prefix", str(exc)))
        ok = False
    if not row["category"] or not any(c.startswith(row["category"]) for c in categories):
        problems.append(Problem(name, r, "category", f"'{row['category']}' starts no category id of "
                                "resource_categories.csv"))  # fmt: skip
        ok = False
    return prefix if ok else None


def _load_producer_restrictions(
    path: Path, categories: dict[str, ResourceCategory], sources: dict[str, Source]
) -> tuple[ProducerRestriction, ...]:
    if not path.exists():
        return ()
    table = _read_csv(path, RESTRICTION_COLUMNS)
    name, problems, out = path.name, [], []
    known = set(nace_codes()["code"])
    for row in table:
        r = row.line
        prefix = _producer_keys(problems, name, r, row, known, categories)
        keys = _cited(problems, name, r, row, sources)
        if prefix is not None and keys:
            out.append(ProducerRestriction(row["nace_prefix"], prefix, row["category"], row["basis"], ";".join(keys)))
    if problems:
        raise ValidationError(problems)
    return tuple(out)


def _load_conditions(
    path: Path, categories: dict[str, ResourceCategory], sources: dict[str, Source]
) -> tuple[Condition, ...]:
    if not path.exists():
        return ()
    table = _read_csv(path, CONDITION_COLUMNS)
    name, problems, out, seen = path.name, [], [], set()
    known = set(nace_codes()["code"])
    for row in table:
        r = row.line
        ok = True
        if not _CATEGORY_ID.match(row["id"]) or row["id"] in seen:
            problems.append(Problem(name, r, "id", f"'{row['id']}' must be a new lower_case id"))
            ok = False
        seen.add(row["id"])
        prefix = _producer_keys(problems, name, r, row, known, categories, any_producer=True)
        ok = ok and prefix is not None
        if not row["condition_fr"] or not row["condition_en"]:
            problems.append(Problem(name, r, "condition_fr", "state the condition in French and in English"))
            ok = False
        share = None
        if row["max_share_of_need"]:
            share = _number(problems, name, r, "max_share_of_need", row["max_share_of_need"])
            if share is not None and not 0 < share <= 1:
                problems.append(Problem(name, r, "max_share_of_need", f"{share} is not a share; write a "
                                        "number above 0 and at most 1 (0.10 for 10 %) or leave it empty"))  # fmt: skip
                share = None
            if share is None:
                ok = False
        keys = [k.strip() for k in row["source"].split(";") if k.strip()]
        if not keys or any(k not in sources for k in keys):
            problems.append(Problem(name, r, "source", "cite keys of knowledge_sources.csv"))
            ok = False
        if ok:
            out.append(Condition(row["id"], row["nace_prefix"], prefix, row["category"], row["condition_fr"],
                                 row["condition_en"], share, ";".join(keys)))  # fmt: skip
    if problems:
        raise ValidationError(problems)
    return tuple(out)


@cache
def _rules_for_code(kb: KnowledgeBase, compact: str) -> tuple[CompatibilityRule, ...]:
    entry = ewc_entries().get(compact)
    hazardous = entry.hazardous if entry else False
    best: dict[str, CompatibilityRule] = {}
    for width in (6, 4, 2):
        for rule in kb._by_prefix.get(compact[:width], ()):
            if rule.covers(compact, hazardous) and rule.category not in best:
                best[rule.category] = rule
    return tuple(sorted(best.values(), key=lambda r: (-r.quality, r.category)))


# ---------------------------------------------------------------------------- loading


class Row(dict):
    """One row of a knowledge-base table: its cells by column, and ``line``, its row number as
    a spreadsheet shows it (the header is row 1; blank rows count)."""

    line: int = 0


def _blank(cells: list[str]) -> bool:
    return all(not c.strip() for c in cells) and len(cells) <= 1


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[Row]:
    """The rows of a knowledge-base table, as dicts of stripped text (the standard library's
    reader: these files are small, and pandas would cost a tenth of a second to read them all)."""
    name = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except FileNotFoundError:
        raise ValidationError(Problem(name, None, None, f"file not found at {path}")) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ValidationError(
            Problem(name, None, None, f"cannot be read as UTF-8 CSV ({exc}); re-save it as CSV")
        ) from None
    first = next((i for i, cells in enumerate(records) if not _blank(cells)), len(records))
    header = [c.strip() for c in records[first]] if first < len(records) else []
    header_row = first + 1
    twice = sorted({c for c in header if c and header.count(c) > 1})
    if twice:
        raise ValidationError([Problem(name, header_row, c, "appears twice in the header row; keep one") for c in twice])
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValidationError(
            [Problem(name, header_row, c, "missing column; add it to the header row") for c in missing]
        )
    rows, problems = [], []
    for line, cells in enumerate(records[first + 1 :], start=header_row + 1):
        if _blank(cells):
            continue
        if len(cells) > len(header):
            problems.append(Problem(name, line, None, f"has {len(cells)} fields for {len(header)} columns; "
                                                      "put a field holding a comma in double quotes"))  # fmt: skip
            continue
        row = Row(zip(header, [c.strip() for c in cells] + [""] * (len(header) - len(cells)), strict=True))
        row.line = line
        rows.append(row)
    if problems:
        raise ValidationError(problems)
    return rows


def _number(
    problems: list[Problem], name: str, row: int, column: str, text: str, *,
    optional: bool = False, low: float = 0.0, low_open: bool = False, high: float | None = None,
) -> float | None:  # fmt: skip
    if text == "":
        if optional:
            return None
        problems.append(Problem(name, row, column, "is empty; give a number"))
        return None
    try:
        value = (
            float(text.replace(",", "."))
            if text.count(",") == 1 and "." not in text
            else float(text)
        )
    except ValueError:
        problems.append(Problem(name, row, column, f"'{text}' is not a number"))
        return None
    bound = f"> {low:g}" if low_open else f">= {low:g}"
    if (
        not math.isfinite(value)
        or value < low
        or (low_open and value == low)
        or (high is not None and value > high)
    ):
        expected = bound + (f" and <= {high:g}" if high is not None else "")
        problems.append(
            Problem(name, row, column, f"{value:g} is out of range; expected {expected}")
        )
        return None
    return value


def _load_categories(path: Path) -> dict[str, ResourceCategory]:
    table = _read_csv(path, CATEGORY_COLUMNS)
    name, problems, out, lines = path.name, [], {}, {}
    for row in table:
        r = row.line
        cid = row["id"]
        if not _CATEGORY_ID.match(cid):
            problems.append(Problem(name, r, "id", f"'{cid}' must be lower_case_with_underscores"))
            continue
        if cid in out:
            problems.append(Problem(name, r, "id", f"'{cid}' appears twice; keep one row"))
            continue
        try:
            unit = Unit.parse(row["unit"])
        except ValueError as exc:
            problems.append(Problem(name, r, "unit", str(exc)))
            continue
        max_km = _number(
            problems, name, r, "max_distance_km", row["max_distance_km"], low_open=True
        )
        virgin = _number(
            problems, name, r, "virgin_co2e_kg_per_unit", row["virgin_co2e_kg_per_unit"]
        )
        landfill = _number(
            problems, name, r, "landfill_co2e_kg_per_t", row["landfill_co2e_kg_per_t"]
        )
        pipe = _number(
            problems, name, r, "transport_cost_eur_per_unit_km",
            row["transport_cost_eur_per_unit_km"], optional=True,
        )  # fmt: skip
        reference = _number(
            problems, name, r, "transport_reference_quantity",
            row.get("transport_reference_quantity", ""), optional=True, low_open=True,
        )  # fmt: skip
        exponent = _number(
            problems, name, r, "pipe_cost_exponent", row.get("pipe_cost_exponent", ""),
            optional=True, high=1.0,
        )  # fmt: skip
        if exponent is not None and not row.get("transport_reference_quantity", "").strip():
            problems.append(Problem(name, r, "pipe_cost_exponent",
                                    "needs a transport_reference_quantity, the flow it scales from"))  # fmt: skip
        if not row["co2e_source"]:
            problems.append(Problem(name, r, "co2e_source", "is empty; cite the factor used"))
        serves = tuple(x.strip() for x in row.get("serves", "").split(";") if x.strip())
        if len(serves) >= GRADE_SPAN:
            problems.append(Problem(name, r, "serves", f"lists {len(serves)} lower grades; at most {GRADE_SPAN - 1}"))
        modes = tuple(x.strip() for x in row.get("freight_modes", "").split(";") if x.strip())
        if max_km is None or virgin is None or landfill is None:
            continue
        out[cid] = ResourceCategory(
            cid,
            row["label_en"],
            row["label_fr"],
            unit,
            max_km,
            virgin,
            row["co2e_source"],
            landfill,
            pipe,
            row["notes"],
            reference,
            serves,
            modes or (("pipe",) if pipe is not None else ("road",)),
            exponent,
        )
        lines[cid] = r
    for cid, category in out.items():
        unknown = [x for x in category.serves if x not in out]
        if unknown:
            problems.append(Problem(name, lines[cid], "serves", f"unknown category '{unknown[0]}'"))
    if problems:
        raise ValidationError(problems)
    return out


def _load_rules(
    path: Path, categories: dict[str, ResourceCategory], sources: dict[str, Source] | None = None
) -> tuple[CompatibilityRule, ...]:
    table = _read_csv(path, RULE_COLUMNS)
    name, problems, rules, seen = path.name, [], [], {}
    entries = ewc_entries()
    for row in table:
        r = row.line
        bad = False
        try:
            prefix = check_ewc_prefix(row["ewc_prefix"])
        except ValueError as exc:
            problems.append(Problem(name, r, "ewc_prefix", str(exc)))
            prefix, bad = "", True
        category = row["category"]
        if category not in categories:
            problems.append(
                Problem(name, r, "category", f"unknown category '{category}'; use an id of "
                        "resource_categories.csv")
            )  # fmt: skip
            bad = True
        elif (
            len(prefix) == 6 and entries[prefix].hazardous and category not in HAZARDOUS_CATEGORIES
        ):
            problems.append(
                Problem(name, r, "category", f"hazardous code {prefix} cannot feed '{category}'; "
                        f"hazardous codes may only feed {', '.join(sorted(HAZARDOUS_CATEGORIES))}")
            )  # fmt: skip
            bad = True
        quality = _number(problems, name, r, "quality", row["quality"], low_open=True, high=1.0)
        cost = _number(
            problems, name, r, "pretreatment_cost_eur_per_t", row["pretreatment_cost_eur_per_t"]
        )
        max_km = _number(
            problems, name, r, "max_distance_km", row["max_distance_km"], optional=True,
            low_open=True,
        )  # fmt: skip
        if not row["pretreatment"]:
            problems.append(Problem(name, r, "pretreatment", "is empty; write 'none' if none"))
            bad = True
        if not row["basis"]:
            problems.append(Problem(name, r, "basis", "is empty; say what the rule is about"))
            bad = True
        keys = [k.strip() for k in row["source"].split(";") if k.strip()]
        if not keys:
            problems.append(Problem(name, r, "source", "is empty; cite a general source by its key "
                                    "in knowledge_sources.csv (a BREF, a regulation, a guide)"))  # fmt: skip
            bad = True
        elif sources is not None:
            unknown = [k for k in keys if k not in sources]
            if unknown:
                problems.append(
                    Problem(name, r, "source", f"unknown source key '{unknown[0]}'; add it to "
                            "knowledge_sources.csv (documented exchanges such as MAESTRI are test "
                            "data, not a source)")
                )  # fmt: skip
                bad = True
        if (prefix, category) in seen and not bad:
            problems.append(
                Problem(name, r, "ewc_prefix", f"{prefix} -> {category} already given on row "
                        f"{seen[(prefix, category)]}; keep one row")
            )  # fmt: skip
            bad = True
        if bad or quality is None or cost is None:
            continue
        seen[(prefix, category)] = r
        rules.append(
            CompatibilityRule(
                prefix,
                category,
                quality,
                row["pretreatment"],
                round(cost * 100),
                max_km,
                row["basis"],
                ";".join(keys),
            )
        )
    if problems:
        raise ValidationError(problems)
    return tuple(rules)


def _load_hierarchy(path: Path, categories: dict[str, ResourceCategory], sources: dict[str, Source],
                    strict: bool = True) -> dict[str, str]:  # fmt: skip
    """Category -> its level of the waste hierarchy; every row cites known sources. Not
    ``strict`` (a categories table of the user's own): rows of categories it lacks are skipped."""
    table = _read_csv(path, HIERARCHY_COLUMNS)
    out: dict[str, str] = {}
    problems = []
    for row in table:
        r = row.line
        if row["category"] not in categories:
            if not strict:
                continue
            problems.append(Problem(path.name, r, "category", f"unknown category '{row['category']}'"))
        elif row["category"] in out:
            problems.append(Problem(path.name, r, "category", f"'{row['category']}' appears twice; keep one row"))
        if row["level"] not in HIERARCHY_LEVELS:
            problems.append(Problem(path.name, r, "level", f"'{row['level']}' is not one of {', '.join(HIERARCHY_LEVELS)}"))
        _cited(problems, path.name, r, row, sources)
        out.setdefault(row["category"], row["level"])
    if problems:
        raise ValidationError(problems)
    return out


def _load_sources(path: Path) -> dict[str, Source]:
    table = _read_csv(path, SOURCE_COLUMNS)
    out: dict[str, Source] = {}
    problems = []
    for row in table:
        if not row["key"] or not row["citation"]:
            problems.append(Problem(path.name, row.line, "citation", "give a key and a citation"))
        elif row["key"] in out:
            problems.append(Problem(path.name, row.line, "key", f"'{row['key']}' appears twice"))
        else:
            out[row["key"]] = Source(row["key"], row["citation"], row["url"])
    if problems:
        raise ValidationError(problems)
    return out


def _load_aliases(path: Path, categories: dict[str, ResourceCategory]) -> dict[str, str]:
    table = _read_csv(path, ALIAS_COLUMNS)
    out: dict[str, str] = {}
    for row in table:
        if row["category"] not in categories or row["alias"] in categories:
            raise ValidationError(Problem(path.name, row.line, "category", (
                f"alias '{row['alias']}' must name a retired id and point to a current category"
            )))  # fmt: skip
        out[row["alias"]] = row["category"]
    return out


def _load_freight(path: Path) -> dict[str, FreightMode]:
    table = _read_csv(path, FREIGHT_COLUMNS)
    out: dict[str, FreightMode] = {}
    problems: list[Problem] = []
    for row in table:
        r = row.line
        cost = _number(problems, path.name, r, "cost_eur_per_t_km", row["cost_eur_per_t_km"])
        handling = _number(problems, path.name, r, "handling_eur_per_t", row["handling_eur_per_t"])
        co2 = _number(problems, path.name, r, "co2e_kg_per_t_km", row["co2e_kg_per_t_km"])
        if cost is None or handling is None or co2 is None:
            continue
        out[row["mode"]] = FreightMode(row["mode"], row["access"], cost, handling, co2,
                                       row["co2e_source"], row["cost_source"])  # fmt: skip
    if problems:
        raise ValidationError(problems)
    if "road" not in out:
        raise ValidationError(Problem(path.name, None, "mode", "a 'road' row is required"))
    return out


def load_no_outlet_reasons(path: Path | str | None = None) -> dict[str, tuple[str, str]]:
    """Why a non-hazardous List of Waste entry has no outlet: compact code -> (reason, source)."""
    path = Path(path or data_dir() / "no_outlet_reasons.csv")
    table = _read_csv(path, REASON_COLUMNS)
    out = {}
    for row in table:
        try:
            code = check_ewc_prefix(row["ewc_code"])
        except ValueError as exc:
            raise ValidationError(Problem(path.name, row.line, "ewc_code", str(exc))) from None
        if not row["reason"] or not row["source"]:
            raise ValidationError(Problem(path.name, row.line, "reason", "give a reason and a source"))
        out[code] = (row["reason"], row["source"])
    return out


FORM_RULE_COLUMNS = ("ewc_prefix", "category", "states", "forms", "basis", "source")
STANDARD_COLUMNS = ("id", "label_fr", "label_en", "intermediary_fr", "intermediary_en",
                    "intermediary_cost_eur_per_t", "source")  # fmt: skip


def _load_form_rules(path: Path, categories: dict[str, ResourceCategory],
                     sources: dict[str, Source]) -> tuple[FormRule, ...]:  # fmt: skip
    from symbiose.domain import parse_forms, parse_states

    if not path.exists():
        return ()
    table = _read_csv(path, FORM_RULE_COLUMNS)
    name, problems, out, seen = path.name, [], [], set()
    for row in table:
        r = row.line
        prefix = ""
        if row["ewc_prefix"]:
            try:
                prefix = check_ewc_prefix(row["ewc_prefix"])
            except ValueError as exc:
                problems.append(Problem(name, r, "ewc_prefix", str(exc)))
                continue
        if row["category"] not in categories:
            problems.append(Problem(name, r, "category", f"unknown category '{row['category']}'"))
            continue
        try:
            states = parse_states(row["states"])
        except ValueError as exc:
            problems.append(Problem(name, r, "states", str(exc)))
            continue
        try:
            forms = parse_forms(row["forms"])
        except ValueError as exc:
            problems.append(Problem(name, r, "forms", str(exc)))
            continue
        try:  # optional column: older files without it refuse nothing
            refused = parse_forms(row.get("refused_forms", ""))
        except ValueError as exc:
            problems.append(Problem(name, r, "refused_forms", str(exc)))
            continue
        if refused and not prefix:
            problems.append(Problem(name, r, "refused_forms", "refused forms need a waste-code prefix; "
                                    "give ewc_prefix or leave refused_forms empty"))  # fmt: skip
            continue
        keys = [k.strip() for k in row["source"].split(";") if k.strip()]
        unknown = [k for k in keys if k not in sources]
        if not keys or unknown:
            problems.append(Problem(name, r, "source", "cite a key of knowledge_sources.csv"
                                    + (f" ('{unknown[0]}' is unknown)" if unknown else "")))  # fmt: skip
            continue
        if (prefix, row["category"]) in seen:
            problems.append(Problem(name, r, "ewc_prefix", "given twice for this category; keep one row"))
            continue
        seen.add((prefix, row["category"]))
        out.append(FormRule(prefix, row["category"], states, forms, row["basis"], ";".join(keys), refused))
    if problems:
        raise ValidationError(problems)
    return tuple(out)


def _load_standards(path: Path, sources: dict[str, Source],
                    categories: dict[str, ResourceCategory] | None = None) -> dict[str, ProductStandard]:  # fmt: skip
    if not path.exists():
        return {}
    table = _read_csv(path, STANDARD_COLUMNS)
    has_intake = bool(table) and "intake_categories" in table[0]
    out: dict[str, ProductStandard] = {}
    problems: list[Problem] = []
    for row in table:
        r = row.line
        if not _CATEGORY_ID.match(row["id"]) or row["id"] in out:
            problems.append(Problem(path.name, r, "id", f"'{row['id']}' must be a new lower_case id"))
            continue
        cost = _number(problems, path.name, r, "intermediary_cost_eur_per_t", row["intermediary_cost_eur_per_t"])
        keys = [k.strip() for k in row["source"].split(";") if k.strip()]
        if not keys or any(k not in sources for k in keys):
            problems.append(Problem(path.name, r, "source", "cite keys of knowledge_sources.csv"))
            continue
        intake: tuple[str, ...] | None = None
        if has_intake:  # an empty cell: the intermediary turns no residue into the standard
            intake = tuple(x.strip() for x in row["intake_categories"].split(";") if x.strip())
            unknown = [x for x in intake if categories is not None and x not in categories]
            if unknown:
                problems.append(Problem(path.name, r, "intake_categories",
                                        f"unknown category '{unknown[0]}'; use ids of resource_categories.csv"))  # fmt: skip
                continue
        try:
            prefixes = tuple(check_ewc_prefix(x) for x in row.get("intake_ewc_prefixes", "").split(";") if x.strip())
        except ValueError as exc:
            problems.append(Problem(path.name, r, "intake_ewc_prefixes", f"{exc}; write List of Waste codes or prefixes"))
            continue
        if cost is None:
            continue
        out[row["id"]] = ProductStandard(row["id"], row["label_fr"], row["label_en"], row["intermediary_fr"],
                                         row["intermediary_en"], round(cost * 100), ";".join(keys),
                                         intake, prefixes)  # fmt: skip
    if problems:
        raise ValidationError(problems)
    return out


def _row_prefix(problems: list[Problem], name: str, r: int, row: dict) -> str | None:
    """A row's ``ewc_prefix`` (compact), or None with the row's problem."""
    try:
        return check_ewc_prefix(row["ewc_prefix"])
    except ValueError as exc:
        problems.append(Problem(name, r, "ewc_prefix", str(exc)))
        return None


def _cited(problems: list[Problem], name: str, r: int, row: dict, sources: dict[str, Source]) -> list[str]:
    """A row's source keys, when it gives a basis and cites only keys of knowledge_sources.csv;
    else no key, with the row's problem."""
    keys = [k.strip() for k in row["source"].split(";") if k.strip()]
    if not row["basis"] or not keys or any(k not in sources for k in keys):
        problems.append(Problem(name, r, "source", "give a basis and cite a source key of knowledge_sources.csv"))
        return []
    return keys


def _load_intake_approvals(path: Path, categories: dict[str, ResourceCategory],
                           sources: dict[str, Source]) -> tuple[IntakeApproval, ...]:  # fmt: skip
    if not path.exists():
        return ()
    table = _read_csv(path, APPROVAL_COLUMNS)
    name, problems, out = path.name, [], []
    for row in table:
        r = row.line
        ok = True
        prefix = _row_prefix(problems, name, r, row)
        cats = tuple(x.strip() for x in row["categories"].split(";") if x.strip())
        unknown = [x for x in cats if x not in categories]
        if not cats or unknown:
            problems.append(Problem(name, r, "categories", f"'{unknown[0] if unknown else ''}' is not a category; "
                                    "list ids of resource_categories.csv separated by ';'"))  # fmt: skip
            ok = False
        if not _CATEGORY_ID.match(row["approval"]) or not row["label_fr"] or not row["label_en"]:
            problems.append(Problem(name, r, "approval", "give a lower_case approval id and its French and "
                                    "English labels"))  # fmt: skip
            ok = False
        keys = _cited(problems, name, r, row, sources)
        if ok and prefix is not None and keys:
            out.append(IntakeApproval(prefix, cats, row["approval"], row["label_fr"], row["label_en"], row["basis"],
                                      ";".join(keys)))  # fmt: skip
    if problems:
        raise ValidationError(problems)
    return tuple(out)


def _load_sector_uses(path: Path, categories: dict[str, ResourceCategory]) -> tuple[SectorUse, ...]:
    table = _read_csv(path, SECTOR_COLUMNS)
    name, problems, uses = path.name, [], []
    known = set(nace_codes()["code"])
    for row in table:
        r = row.line
        prefix, category = row["nace_prefix"], row["category"]
        ok = True
        if prefix not in known:
            problems.append(
                Problem(name, r, "nace_prefix", f"'{prefix}' is not a NACE Rev.2 code; write it "
                        "as in nace_rev2.csv ('01', '23.5', '23.51')")
            )  # fmt: skip
            ok = False
        if category not in categories:
            problems.append(Problem(name, r, "category", f"unknown category '{category}'"))
            ok = False
        if ok:
            uses.append(SectorUse(prefix, category, row["basis"]))
    if problems:
        raise ValidationError(problems)
    return tuple(uses)


@cache
def load_knowledge_base(
    compatibility_path: Path | str | None = None,
    categories_path: Path | str | None = None,
    sector_uses_path: Path | str | None = None,
) -> KnowledgeBase:
    """Load and validate the three tables (the packaged ones by default); cached."""
    base = data_dir()
    categories = _load_categories(Path(categories_path or base / "resource_categories.csv"))
    sources = _load_sources(base / "knowledge_sources.csv")
    rules = _load_rules(Path(compatibility_path or base / "compatibility.csv"), categories, sources)
    uses = _load_sector_uses(Path(sector_uses_path or base / "sector_uses.csv"), categories)
    aliases = _load_aliases(base / "category_aliases.csv", categories)
    freight = _load_freight(base / "freight_modes.csv")
    restrictions = _load_producer_restrictions(base / "producer_restrictions.csv", categories, sources)
    form_rules = _load_form_rules(base / "form_rules.csv", categories, sources)
    standards = _load_standards(base / "product_standards.csv", sources, categories)
    conditions = _load_conditions(base / "conditions.csv", categories, sources)
    approvals = _load_intake_approvals(base / "intake_approvals.csv", categories, sources)
    hierarchy = _load_hierarchy(base / "waste_hierarchy.csv", categories, sources, strict=categories_path is None)
    return KnowledgeBase(categories, rules, uses, aliases, freight, sources, producer_restrictions=restrictions,
                         form_rules=form_rules, standards=standards, conditions=conditions,
                         intake_approvals=approvals, hierarchy=hierarchy)  # fmt: skip


__all__ = [
    "HAZARDOUS_CATEGORIES",
    "HIERARCHY_LEVELS",
    "CompatibilityRule",
    "Condition",
    "FormRule",
    "FreightMode",
    "IntakeApproval",
    "ProducerRestriction",
    "ProductStandard",
    "Source",
    "load_no_outlet_reasons",
    "KnowledgeBase",
    "ResourceCategory",
    "SectorUse",
    "load_knowledge_base",
    "normalize_nace",
]
