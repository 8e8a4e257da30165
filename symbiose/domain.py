"""Domain values: companies, streams, needs, synergies and the network that holds them.

All values are frozen dataclasses with no I/O. Quantities are integers in the base unit of the
declared unit (see :mod:`symbiose.units`), money is integer cents per declared unit.

Glossary (one name per quantity):

* ``quantity_base``: quantity per year in base units (kg for t, L for m3, kWh for MWh);
* ``route_cost_cents``: what the producer pays today, per declared unit, to get rid of a stream
  by its current route (gate fee + TGAP + collection);
* ``virgin_price_cents``: what the receiver pays today, per declared unit, for the virgin input;
* ``max_distance_km``: road distance beyond which a need does not want a supply;
* ``months``: the months (1-12) in which a stream exists or a need consumes; empty = all year;
* ``bulk_density_t_per_m3``: tonnes per cubic metre of a stream as loaded in bulk (None: the
  default of its category or physical state, :mod:`symbiose.logistics`);
* ``storage_months``: how many months a stream keeps once produced (0: delivered when produced;
  None: its category's default);
* ``temperature_c`` / ``min_temperature_c``: the temperature a heat stream is delivered at and
  the lowest a heat need can use (None: not stated, the grade of its category alone applies);
* ``max_temperature_c``: the highest temperature a need can take (cooling water: a condenser
  cools nothing with warm water; None: no limit);
* ``destination_category``: the resource category today's outlet puts a stream to (recovered
  paper collected for a paper mill: ``paper_fibre``); a pair to that same use is not new value;
* ``approvals``: the intake approvals a receiver holds (``data/intake_approvals.csv``: the
  animal by-product approval a digester or composter needs for catering waste).

>>> normalize_ewc("02 01 03")
'020103'
>>> normalize_ewc("17.05.03*")
'170503'
>>> format_ewc("170503")
'17 05 03'
>>> parse_months("nov-mar")
(1, 2, 3, 11, 12)
>>> format_months((1, 2, 3, 11, 12))
'11-3'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from symbiose.i18n import _
from symbiose.units import Unit


class PhysicalState(StrEnum):
    SOLID = "solid"
    PASTY = "pasty"  # sludges, marc, pastes
    LIQUID = "liquid"
    GAS = "gas"
    ENERGY = "energy"  # heat, steam


#: The controlled vocabulary of forms, by facet: a stream states the forms it has, a need the
#: forms its line requires or refuses. A requirement holds when, in every facet it names, the
#: stream has one of the forms listed (``sawdust;shavings;dry`` = sawdust or shavings, and dry).
FORM_FACETS: dict[str, tuple[str, ...]] = {
    "shape": ("sawdust", "shavings", "chips", "bark", "offcuts", "logs", "straw", "husks", "film",
              "fruit_vegetables", "powder", "slurry"),
    "condition": ("clean", "soiled"),
    "moisture": ("fresh", "dry"),
}  # fmt: skip
FORMS: tuple[str, ...] = tuple(f for values in FORM_FACETS.values() for f in values)
FORM_ALIASES = {
    "sciure": "sawdust", "sciures": "sawdust", "copeaux": "shavings", "plaquettes": "chips",
    "ecorce": "bark", "ecorces": "bark", "chutes": "offcuts", "buches": "logs", "paille": "straw",
    "pailles": "straw", "balles": "husks", "menues_pailles": "husks", "film": "film", "films": "film", "fruits_legumes": "fruit_vegetables",
    "poudre": "powder", "lisier": "slurry", "propre": "clean", "souille": "soiled", "sale": "soiled",
    "frais": "fresh", "sec": "dry", "seche": "dry",
}  # fmt: skip


def parse_forms(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Forms from ``'sciure; sec'`` or a list: canonical ids in vocabulary order; ValueError else.

    >>> parse_forms("sec, sciure")
    ('sawdust', 'dry')
    """
    if text is None:
        return ()
    tokens = re.split(r"[,;|/]+", text) if isinstance(text, str) else list(text)
    found = set()
    for token in tokens:
        key = token.strip().lower()
        if not key:
            continue
        folded = (key.replace("é", "e").replace("è", "e").replace("ê", "e").replace("û", "u")
                  .replace("ç", "c").replace(" ", "_").replace("-", "_"))  # fmt: skip
        form = folded if folded in FORMS else FORM_ALIASES.get(folded)
        if form is None:
            raise ValueError(_("'{token}' is not a known form; use {forms}").format(token=token.strip(), forms=", ".join(FORMS)))
        found.add(form)
    return tuple(f for f in FORMS if f in found)


def parse_states(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Physical states from ``'solide; pâteux'`` or a list, in canonical order (ValueError else).

    >>> parse_states("pâteux, solid")
    ('solid', 'pasty')
    """
    if text is None:
        return ()
    tokens = re.split(r"[,;|/]+", text) if isinstance(text, str) else list(text)
    found = set()
    french = {"solide": "solid", "pateux": "pasty", "pateuse": "pasty", "boue": "pasty",
              "liquide": "liquid", "gaz": "gas", "gazeux": "gas", "energie": "energy", "chaleur": "energy"}
    for token in tokens:
        key = token.strip().lower().replace("â", "a").replace("é", "e")
        if not key:
            continue
        state = key if key in {s.value for s in PhysicalState} else french.get(key)
        if state is None:
            raise ValueError(f"'{token.strip()}' is not a physical state; use solid, pasty, liquid, gas "
                             "or energy")  # fmt: skip
        found.add(state)
    return tuple(s.value for s in PhysicalState if s.value in found)


class Route(StrEnum):
    """Where a stream goes today (the counterfactual of a synergy)."""

    LANDFILL = "landfill"
    INCINERATION = "incineration"
    RECOVERY = "recovery"
    LAND_SPREADING = "land_spreading"  # épandage on farmland under a spreading plan
    STORAGE = "storage"
    OTHER = "other"


class Stage(StrEnum):
    """Pipeline stage of a synergy, from idea to implementation."""

    SUGGESTED = "suggested"
    CONTACTED = "contacted"
    IN_DISCUSSION = "in_discussion"
    IMPLEMENTED = "implemented"
    ABANDONED = "abandoned"


class Role(StrEnum):
    OFFICER = "officer"
    COMPANY = "company"
    PLANNER = "planner"
    RESEARCHER = "researcher"  # a visitor who reads the local resources catalogue, nothing else


_EWC_RE = re.compile(r"^\d{2}(\d{2}(\d{2})?)?$")


def normalize_ewc(text: str) -> str:
    """Compact form of a List of Waste code or prefix: digits only ('02 01 03*' -> '020103').

    Accepts 2-digit chapters and 4-digit sub-chapters (used as prefixes by needs). Raises
    ``ValueError`` for anything else. Whether the code exists is checked against the reference
    list by :func:`symbiose.reference.ewc_entry`.
    """
    compact = re.sub(r"[\s.\-_*#]", "", str(text))
    if not _EWC_RE.match(compact):
        raise ValueError(_(
            "'{text}' is not a European List of Waste code; write six digits like '02 01 03' "
            "(or a 2- or 4-digit prefix like '02' or '02 01' for a need)"
        ).format(text=text))
    return compact


def format_ewc(code: str) -> str:
    """'020103' -> '02 01 03' (the spaced form of the official list)."""
    return " ".join(code[i : i + 2] for i in range(0, len(code), 2))


MONTH_NAMES = {
    "jan": 1, "janv": 1, "janvier": 1, "january": 1,
    "feb": 2, "fev": 2, "fév": 2, "févr": 2, "fevr": 2, "février": 2, "fevrier": 2, "february": 2,
    "mar": 3, "mars": 3, "march": 3,
    "apr": 4, "avr": 4, "avril": 4, "april": 4,
    "may": 5, "mai": 5,
    "jun": 6, "juin": 6, "june": 6,
    "jul": 7, "juil": 7, "juillet": 7, "july": 7,
    "aug": 8, "aou": 8, "aoû": 8, "août": 8, "aout": 8, "august": 8,
    "sep": 9, "sept": 9, "septembre": 9, "september": 9,
    "oct": 10, "octobre": 10, "october": 10,
    "nov": 11, "novembre": 11, "november": 11,
    "dec": 12, "déc": 12, "décembre": 12, "decembre": 12, "december": 12,
}  # fmt: skip


def _month(token: str) -> int:
    token = token.strip().lower().rstrip(".")
    if token.isdigit() and 1 <= int(token) <= 12:
        return int(token)
    if token in MONTH_NAMES:
        return MONTH_NAMES[token]
    raise ValueError(_("'{token}' is not a month; use 1-12 or a month name such as 'nov'").format(token=token))


def parse_months(text: str | Iterable[int] | None) -> tuple[int, ...]:
    """Read a set of months: '11-3' (wraps over the new year), '1,2,3', 'nov-mar', ''.

    Returns the sorted months; an empty tuple means all year.
    """
    if text is None:
        return ()
    if not isinstance(text, str):
        months = sorted({int(m) for m in text})
        if any(not 1 <= m <= 12 for m in months):
            raise ValueError(f"months must be between 1 and 12, got {months}")
        return () if len(months) == 12 else tuple(months)
    text = text.strip()
    if not text or text.lower() in {"all", "toute l'année", "toute l'annee", "année", "annee"}:
        return ()
    months: set[int] = set()
    for part in re.split(r"[,;|/\s]+", text):
        if not part:
            continue
        if "-" in part:
            start_s, end_s = part.split("-", 1)
            start, end = _month(start_s), _month(end_s)
            m = start
            while True:
                months.add(m)
                if m == end:
                    break
                m = m % 12 + 1
        else:
            months.add(_month(part))
    return () if len(months) == 12 else tuple(sorted(months))


def format_months(months: tuple[int, ...]) -> str:
    """Shortest range notation of a month set ('' for all year), readable by parse_months."""
    if not months:
        return ""
    active = set(months)
    # find a start month whose predecessor is inactive, then walk the circle
    starts = [m for m in range(1, 13) if m in active and ((m - 2) % 12 + 1) not in active]
    ranges = []
    for start in starts:
        end = start
        while (end % 12 + 1) in active and (end % 12 + 1) != start:
            end = end % 12 + 1
        ranges.append(str(start) if start == end else f"{start}-{end}")
    return ",".join(ranges)


def month_mask(months: tuple[int, ...]) -> list[bool]:
    """Twelve booleans, True for an active month (all True for an all-year value)."""
    if not months:
        return [True] * 12
    return [m in months for m in range(1, 13)]


@dataclass(frozen=True, slots=True)
class Company:
    """An establishment of the network."""

    id: str
    name: str
    latitude: float
    longitude: float
    commune: str = ""
    insee_code: str = ""
    postal_code: str = ""
    naf_code: str = ""
    siret: str = ""
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    notes: str = ""
    # bulk freight the site can ship or receive beyond road: "rail" (a siding), "port" (a quay)
    freight_access: tuple[str, ...] = ()


#: Values of ``Company.freight_access``.
FREIGHT_ACCESS = ("rail", "port")


@dataclass(frozen=True, slots=True)
class Stream:
    """What a company puts out: a waste, a by-product, surplus heat or water.

    ``ewc_code`` is the compact List of Waste code; ``material`` names a resource category
    directly (for surplus heat, steam or water that carry no waste code). At least one is set.
    """

    id: str
    company_id: str
    quantity_base: int
    unit: Unit
    ewc_code: str = ""
    material: str = ""
    description: str = ""
    physical_state: PhysicalState = PhysicalState.SOLID
    months: tuple[int, ...] = ()
    route: Route = Route.OTHER
    route_cost_cents: int = 0
    notes: str = ""
    bulk_density_t_per_m3: float | None = None
    storage_months: int | None = None
    temperature_c: float | None = None
    forms: tuple[str, ...] = ()  # of FORMS: sawdust, chips, clean, soiled, fresh, dry...
    standards: tuple[str, ...] = ()  # product standards it meets (ids of product_standards.csv)
    # where it goes today: a need id of the network (an existing exchange, never suggested anew)
    # or the name of an outside outlet
    destination: str = ""
    # the resource category today's outlet puts it to (a category id; empty: not stated): a pair
    # to that same use moves the stream from one recycler to another, it is not new value
    destination_category: str = ""


@dataclass(frozen=True, slots=True)
class Need:
    """What a company takes in: a resource category and/or the waste codes it accepts."""

    id: str
    company_id: str
    quantity_base: int
    unit: Unit
    category: str = ""
    accepted_codes: tuple[str, ...] = ()  # compact codes or 2/4-digit prefixes
    description: str = ""
    virgin_price_cents: int = 0
    max_distance_km: float | None = None
    months: tuple[int, ...] = ()
    hazardous_permit: bool = False
    notes: str = ""
    min_temperature_c: float | None = None
    # the physical states its line takes (empty: the category's default, else any)
    accepted_states: tuple[str, ...] = ()
    required_forms: tuple[str, ...] = ()  # see FORM_FACETS for how a requirement holds
    refused_forms: tuple[str, ...] = ()  # none of these may be stated by the stream
    # product standards of which the supply must meet one (compost NF U 44-051...): a raw
    # residue reaches such a need only through an intermediary that makes the product
    required_standards: tuple[str, ...] = ()
    # a treatment outlet paid to take waste: its gate fee per unit (cents) and its permit
    gate_fee_cents: int = 0
    permit: str = ""
    # the highest temperature it can take (cooling water); None: no limit
    max_temperature_c: float | None = None
    # intake approvals it holds (ids of data/intake_approvals.csv, such as the animal by-product
    # approval of a digester): a code that needs one reaches it only if it holds it
    approvals: tuple[str, ...] = ()

    def accepts_code(self, ewc_code: str) -> bool:
        return any(ewc_code.startswith(prefix) for prefix in self.accepted_codes)


@dataclass(frozen=True, slots=True)
class Synergy:
    """A pair stream -> need followed through the pipeline."""

    id: str
    stream_id: str
    need_id: str
    stage: Stage = Stage.SUGGESTED
    quantity_base: int | None = None
    abandoned_reason: str = ""
    created_on: date | None = None
    updated_on: date | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Network:
    """A whole network: what the matcher, the scenarios and the exports work on."""

    companies: tuple[Company, ...] = ()
    streams: tuple[Stream, ...] = ()
    needs: tuple[Need, ...] = ()
    synergies: tuple[Synergy, ...] = ()
    name: str = ""
    _company_index: dict = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]

    def company(self, company_id: str) -> Company:
        index = self._company_index
        if index is None:
            index = {c.id: c for c in self.companies}
            object.__setattr__(self, "_company_index", index)
        return index[company_id]

    def sorted(self) -> Network:
        """The same network with every table sorted by id (a canonical order)."""
        return Network(
            companies=tuple(sorted(self.companies, key=lambda c: c.id)),
            streams=tuple(sorted(self.streams, key=lambda s: s.id)),
            needs=tuple(sorted(self.needs, key=lambda n: n.id)),
            synergies=tuple(sorted(self.synergies, key=lambda s: s.id)),
            name=self.name,
        )
