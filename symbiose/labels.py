"""Names people read for the codes of the data model, in the current language.

The data model stores stable English codes (``land_spreading``, ``in_discussion``,
``methanisation_feedstock``); screens, reports and messages show them through these functions:

>>> from symbiose.i18n import language
>>> with language("fr"):
...     route_label("landfill"), stage_label("in_discussion"), state_label("pasty")
('enfouissement', 'en discussion', 'pâteux')
>>> with language("en"):
...     category_label("wood_fuel")
'Wood fuel (chips, sawdust, offcuts)'

An unknown code is shown as words (``some_code`` -> ``some code``), never hidden.
"""

from __future__ import annotations

from functools import cache

from symbiose.domain import PhysicalState, Role, Route, Stage
from symbiose.i18n import N_, _, get_language, ngettext
from symbiose.units import Unit

#: The levels of the waste hierarchy (``symbiose.compat.HIERARCHY_LEVELS``), best first.
HIERARCHY_NAMES = {"reuse": N_("preparing for re-use"), "food": N_("human food"), "feed": N_("animal feed"),
                   "material": N_("recycling into a material"), "return_to_soil": N_("return to the soil"),
                   "other_recovery": N_("other recovery (energy, backfilling)")}  # fmt: skip

ROUTE_NAMES = {
    Route.LANDFILL: N_("landfill"),
    Route.INCINERATION: N_("incineration"),
    Route.RECOVERY: N_("recovery"),
    Route.LAND_SPREADING: N_("land spreading"),
    Route.STORAGE: N_("storage"),
    Route.OTHER: N_("other"),
}
STAGE_NAMES = {
    Stage.SUGGESTED: N_("suggested"),
    Stage.CONTACTED: N_("contacted"),
    Stage.IN_DISCUSSION: N_("in discussion"),
    Stage.IMPLEMENTED: N_("implemented"),
    Stage.ABANDONED: N_("abandoned"),
}
STATE_NAMES = {
    PhysicalState.SOLID: N_("solid"),
    PhysicalState.PASTY: N_("pasty"),
    PhysicalState.LIQUID: N_("liquid"),
    PhysicalState.GAS: N_("gas"),
    PhysicalState.ENERGY: N_("energy"),
}
ROLE_NAMES = {
    Role.OFFICER: N_("officer"),
    Role.COMPANY: N_("company"),
    Role.PLANNER: N_("planner"),
    Role.RESEARCHER: N_("researcher"),
}
UNIT_YEAR = {Unit.T: N_("t/yr"), Unit.M3: N_("m3/yr"), Unit.MWH: N_("MWh/yr")}


def words(value: object) -> str:
    """``biofuel_feedstock`` -> ``biofuel feedstock``; ``None``/NaN -> ``''``."""
    return "" if value is None or value != value else str(value).replace("_", " ")


def _lookup(names: dict, value: object) -> str:
    if value is None or value != value or value == "":
        return ""
    for code, name in names.items():
        if str(code) == str(value):
            return _(name)
    return words(value)


def route_label(value: object) -> str:
    """Where a stream goes today: ``landfill`` -> ``enfouissement``."""
    return _lookup(ROUTE_NAMES, value)


def stage_label(value: object) -> str:
    """A pipeline stage: ``in_discussion`` -> ``en discussion``."""
    return _lookup(STAGE_NAMES, value)


def state_label(value: object) -> str:
    """A physical state: ``pasty`` -> ``pâteux``."""
    return _lookup(STATE_NAMES, value)


def role_label(value: object) -> str:
    """An account role: ``officer`` -> ``chargé(e) de mission``."""
    return _lookup(ROLE_NAMES, value)


def per_year(unit: object) -> str:
    """``t`` -> ``t/an``."""
    return _lookup(UNIT_YEAR, unit) if str(unit) in {str(u) for u in Unit} else f"{unit}/{_('yr')}"


def yearly_quantity(quantity_base: int | None, unit: object) -> str:
    """A synergy's stored yearly quantity in its stream's unit: ``1 234,5 t/an``."""
    from symbiose.i18n import fmt_decimal
    from symbiose.units import BASE_PER_UNIT

    if quantity_base is None:
        return _("(empty)")
    return f"{fmt_decimal(quantity_base / BASE_PER_UNIT, 3)}\u00a0{per_year(unit)}"


def synergy_change_text(scenario: str, change: str, n: int) -> str:
    """``TGAP +50 EUR/t: 1 synergy disappears`` for a comparison's ``appears`` / ``disappears`` /
    ``changes``: the verb agrees with the count (« 1 synergie disparaît »)."""
    if change == "appears":
        text = ngettext("{scenario}: {n} synergy appears", "{scenario}: {n} synergies appear", n)
    elif change == "disappears":
        text = ngettext("{scenario}: {n} synergy disappears", "{scenario}: {n} synergies disappear", n)
    else:
        text = ngettext("{scenario}: {n} synergy changes quantity", "{scenario}: {n} synergies change quantity", n)
    return text.format(scenario=scenario, n=n)


@cache
def _categories() -> dict[str, tuple[str, str]]:
    from symbiose.compat import load_knowledge_base

    return {c.id: (c.label_fr, c.label_en) for c in load_knowledge_base().categories.values()}


def category_label(value: object) -> str:
    """A resource category in the current language (from ``data/resource_categories.csv``)."""
    if value is None or value != value or value == "":
        return ""
    names = _categories().get(str(value))
    if names is None:
        return words(value)
    french, english = names
    return (french or english) if get_language() == "fr" else (english or french)


def basis_label(value: object) -> str:
    """Why the knowledge base links a code to a category, in the current language.

    A basis reads ``words [SOURCE;KEYS]`` (``data/compatibility.csv``'s basis and source): the
    words go through the catalogue (``symbiose/locale/fr/basis.po``), the source keys stay as
    they are (they name entries of ``knowledge_sources.csv``). English is the identity.
    """
    if value is None or value != value or value == "":
        return ""
    text = str(value)
    head, sep, sources = text.rpartition(" [")
    if sep and sources.endswith("]") and "[" not in sources:
        return f"{_(head)} [{sources}"
    return _(text)


def knowledge_texts(kb=None) -> dict[str, list[str]]:
    """The English texts of the knowledge base that a French user reads, by file and column, each
    once in file order (each needs its French in ``symbiose/locale/fr/basis.po``): the basis of
    a rule (in the reasons of a suggestion), the typical flows of a sector (companies page) and the
    source of a CO2e factor (reports)."""
    from symbiose.compat import load_knowledge_base
    from symbiose.prefill import load_sector_streams

    kb = kb or load_knowledge_base()
    streams = load_sector_streams(kb=kb)
    return {
        "compatibility.csv basis": list(dict.fromkeys(r.basis for r in kb.rules)),
        # the typical flows of a sector (companies page): shown, and copied into a new stream
        "sector_streams.csv description": list(dict.fromkeys(s.description for s in streams)),
        "sector_streams.csv basis": list(dict.fromkeys(s.basis for s in streams)),
        "sector_uses.csv basis": list(dict.fromkeys(u.basis for u in kb.sector_uses)),
        # the CO2e factors' sources in the reports
        "resource_categories.csv co2e_source": list(
            dict.fromkeys(c.co2e_source for c in kb.categories.values() if c.co2e_source)
        ),
    }


def vocabulary(enum: type) -> str:
    """The words a file or form may use for ``enum`` (Route, Stage, PhysicalState), in the current
    language: ``enfouissement, incinération, valorisation, épandage, stockage, autre``."""
    names = {Route: ROUTE_NAMES, Stage: STAGE_NAMES, PhysicalState: STATE_NAMES, Role: ROLE_NAMES}.get(enum)
    return choices(names) if names else ""


def choices(names: dict) -> str:
    """The accepted words of a vocabulary in the current language: ``enfouissement, ...``."""
    return ", ".join(_(name) for name in names.values())


#: Fields as the forms label them (symbiose/ui/companies.py) and the audit log names them
FIELD_LABELS = {
    "id": N_("Identifier"), "company_id": N_("Company"), "name": N_("Name"), "naf_code": N_("Activity code (NAF)"),
    "ewc_code": N_("Waste code (EWC)"), "quantity": N_("Quantity per year"), "unit": N_("Unit"),
    "physical_state": N_("Physical state"), "route": N_("Current route"),
    "route_cost_eur_per_unit": N_("Current route cost (EUR per unit)"),
    "virgin_price_eur_per_unit": N_("Virgin input price (EUR per unit)"),
    "max_distance_km": N_("Maximum road distance (km)"), "accepted_codes": N_("Accepted waste codes"),
    "months": N_("Months"), "hazardous_permit": N_("Holds a hazardous-waste permit"),
    "commune": N_("Commune"), "postal_code": N_("Postal code"), "insee_code": N_("INSEE code"),
    "latitude": N_("Latitude"), "longitude": N_("Longitude"), "siret": N_("SIRET"), "address": N_("Address"),
    "contact_name": N_("Contact name"), "contact_email": N_("Contact e-mail"), "contact_phone": N_("Contact phone"),
    "notes": N_("Notes"), "company": N_("Company"), "material": N_("Material"), "description": N_("Description"),
    "category": N_("Resource category"), "freight_access": N_("Freight access (rail, port)"),
    "bulk_density_t_per_m3": N_("Bulk density (t per m3)"), "storage_months": N_("Storage (months it keeps)"),
    "temperature_c": N_("Temperature (°C)"), "min_temperature_c": N_("Minimum temperature (°C)"),
    "forms": N_("Forms (shape, condition, moisture)"), "standards": N_("Product standards met"),
    "destination": N_("Current destination (a need id of the network or an outside outlet)"),
    "accepted_states": N_("Physical states the line takes"), "required_forms": N_("Forms required"),
    "refused_forms": N_("Forms refused"), "required_standards": N_("Product standard required (one of)"),
    "gate_fee_eur_per_unit": N_("Gate fee charged to take it (EUR per unit)"),
    "permit": N_("Treatment permit (ICPE heading, approval)"),
    "destination_category": N_("Use of today's outlet (resource category)"),
    "max_temperature_c": N_("Maximum temperature (°C)"),
    "approvals": N_("Intake approvals held"),
}  # fmt: skip


FORM_WORDS = {
    "sawdust": N_("sawdust"), "shavings": N_("shavings"), "chips": N_("chips"), "bark": N_("bark"),
    "offcuts": N_("offcuts"), "logs": N_("logs"), "straw": N_("straw"), "husks": N_("husks"), "film": N_("film"),
    "fruit_vegetables": N_("fruit and vegetables"), "powder": N_("powder"), "slurry": N_("slurry"),
    "clean": N_("clean"), "soiled": N_("soiled"), "fresh": N_("fresh"), "dry": N_("dry"),
}  # fmt: skip


def vocabulary_label(field: str, value: str) -> str:
    """A form, physical state or product standard as the form shows it, in the current language."""
    if field in ("forms", "required_forms", "refused_forms"):
        return _(FORM_WORDS[value]) if value in FORM_WORDS else value
    if field == "accepted_states":
        return state_label(value)
    from symbiose.compat import load_knowledge_base

    if field == "approvals":
        approval = load_knowledge_base().approvals.get(value)
        if approval is None:
            return value
        return approval.label_fr if get_language() == "fr" else approval.label_en
    standard = load_knowledge_base().standards.get(value)
    if standard is None:
        return value
    return standard.label_fr if get_language() == "fr" else standard.label_en
