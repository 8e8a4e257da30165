"""Scenarios: a base network plus changes, resolved by a pure function.

A scenario file (TOML) says which network it starts from and what changes::

    [scenario]
    name = "TGAP +20"
    description = "TGAP de l'enfouissement relevée de 20 EUR/t"
    name_en = "Landfill tax +20"  # optional: what an English session reads
    description_en = "Landfill tax raised by 20 EUR/t"
    base = "demo"                 # "demo", "database", or a bundle path relative to this file

    [parameters]                  # any field of symbiose.params.MatchParameters
    carbon_price_eur_per_t = 0
    [parameters.route_cost_delta_eur]
    landfill = 20                 # added to the route cost of every landfilled stream, EUR/unit

    [rules]                       # any field of symbiose.params.Rules
    max_partners_per_stream = 2

    [[add_company]]               # a virtual company: a new plant, a recycler to attract
    id = "X-METHA"
    name = "Projected methanisation plant"
    commune = "Jonzac"            # or insee_code / latitude + longitude
    freight_access = ["rail"]     # optional: bulk by rail ("rail") or ship ("port")
    [[add_company.needs]]
    id = "X-METHA-N1"
    category = "methanisation_feedstock"
    quantity = 30000
    unit = "t"

    remove_companies = ["C012"]

    [[scale]]                     # multiply quantities of streams/needs
    company = "C001"              # and/or ewc_code = "02 07 04", material/category = "..."
    applies_to = "streams"        # streams, needs or both
    factor = 1.5

    [[route_cost]]                # set what a route costs (EUR per unit), optionally per code
    route = "landfill"
    ewc_code = "17 09 04"
    eur_per_unit = 120

    [variants.radius_20km]        # named scenarios built from the same base with overrides
    name = "20 km radius"
    parameters = { max_distance_km = 20 }

A variant's tables are merged key by key into the file's (lists are replaced). Resolving never
changes the stored network: it returns a new :class:`~symbiose.domain.Network`.
"""

from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from symbiose.domain import (
    Company,
    Need,
    Network,
    PhysicalState,
    Route,
    Stream,
    parse_forms,
    parse_months,
    parse_states,
)
from symbiose.errors import ScenarioError
from symbiose.i18n import N_, _, get_language
from symbiose.params import MatchParameters, Rules
from symbiose.units import Unit, to_base, to_cents

TOP_KEYS = {"scenario", "parameters", "rules", "add_company", "remove_companies", "scale", "route_cost", "variants"}
SCENARIO_KEYS = {"name", "description", "name_en", "description_en", "base"}
COMPANY_KEYS = {"id", "name", "commune", "insee_code", "postal_code", "latitude", "longitude", "naf_code",
                "notes", "streams", "needs", "freight_access"}  # fmt: skip
STREAM_KEYS = {"id", "ewc_code", "material", "description", "quantity", "unit", "physical_state", "months",
               "route", "route_cost_eur_per_unit", "forms", "standards", "destination",
               "destination_category"}  # fmt: skip
NEED_KEYS = {"id", "category", "accepted_codes", "description", "quantity", "unit", "virgin_price_eur_per_unit",
             "max_distance_km", "months", "hazardous_permit", "accepted_states", "required_forms",
             "refused_forms", "required_standards", "gate_fee_eur_per_unit", "permit", "max_temperature_c",
             "approvals"}  # fmt: skip
SCALE_KEYS = {"company", "ewc_code", "material", "category", "applies_to", "factor"}
ROUTE_COST_KEYS = {"route", "ewc_code", "eur_per_unit"}


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario: where it starts from, its parameters and its network edits."""

    name: str
    description: str = ""
    base: str = "demo"
    params: MatchParameters = field(default_factory=MatchParameters)
    add_companies: tuple[dict, ...] = ()
    remove_companies: tuple[str, ...] = ()
    scale: tuple[dict, ...] = ()
    route_costs: tuple[dict, ...] = ()
    source: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)


class _Ctx:
    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError(_("{source}: key '{key}': {message}").format(source=self.source, key=key, message=message))

    def keys(self, table: Any, allowed: set[str], where: str) -> dict:
        if not isinstance(table, dict):
            raise self.fail(where, _('expected a table, got {name}').format(name=type(table).__name__))
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}" if where else unknown[0],
                            _('unknown key; expected one of: {items}').format(items=', '.join(sorted(allowed))))  # fmt: skip
        return table

    def number(self, value: Any, key: str, *, minimum: float | None = 0.0, integer: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(key, _('expected a number, got {value!r}').format(value=value))
        if minimum is not None and value < minimum:
            raise self.fail(key, _('must be >= {minimum:g}, got {value}').format(minimum=minimum, value=value))
        if integer and int(value) != value:
            raise self.fail(key, _('expected a whole number, got {value}').format(value=value))
        return value

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            raise self.fail(key, _('expected a text in quotes, got {value!r}').format(value=value))
        return value


def _params(raw: dict, ctx: _Ctx) -> MatchParameters:
    allowed = {f.name for f in fields(MatchParameters)} - {"rules"}
    table = ctx.keys(raw.get("parameters", {}), allowed, "parameters")
    values: dict[str, Any] = {}
    for key, value in table.items():
        path = f"parameters.{key}"
        if key == "route_cost_delta_eur":
            ctx.keys(value, {str(r) for r in Route}, path)
            values[key] = {r: ctx.number(v, f"{path}.{r}", minimum=None) for r, v in value.items()}
        elif key == "max_distance_km":
            number = ctx.number(value, path, minimum=0.0)
            values[key] = None if number == 0 else number
        elif key == "max_candidates_per_stream":
            values[key] = int(ctx.number(value, path, minimum=1, integer=True))
        else:
            values[key] = float(ctx.number(value, path, minimum=0.0))
    rules_table = ctx.keys(raw.get("rules", {}), {f.name for f in fields(Rules)}, "rules")
    rules: dict[str, Any] = {}
    for key, value in rules_table.items():
        path = f"rules.{key}"
        if key in {"keep_implemented", "exclude_abandoned"}:
            if not isinstance(value, bool):
                raise ctx.fail(path, _('expected true or false, got {value!r}').format(value=value))
            rules[key] = value
        elif key.startswith("max_partners"):
            number = ctx.number(value, path, minimum=0, integer=True)
            rules[key] = None if number == 0 else int(number)
        else:
            rules[key] = float(ctx.number(value, path, minimum=0.0))
    try:
        return MatchParameters(**values, rules=Rules(**rules))
    except ScenarioError as exc:
        raise ScenarioError(_('{source}: {exc}').format(source=ctx.source, exc=exc)) from None


def _deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_scenario(raw: dict, *, source: str = "scenario") -> Scenario:
    """Validate a scenario given as a dict (a parsed TOML file). Pure."""
    ctx = _Ctx(source)
    ctx.keys(raw, TOP_KEYS, "")
    head = ctx.keys(raw.get("scenario", {}), SCENARIO_KEYS, "scenario")
    params = _params(raw, ctx)
    adds = raw.get("add_company", [])
    if not isinstance(adds, list):
        raise ctx.fail("add_company", _("expected [[add_company]] tables"))
    for i, company in enumerate(adds):
        where = f"add_company[{i}]"
        ctx.keys(company, COMPANY_KEYS, where)
        for key in ("id", "name"):
            if key not in company:
                raise ctx.fail(f"{where}.{key}", _("is required"))
        for kind, allowed in (("streams", STREAM_KEYS), ("needs", NEED_KEYS)):
            items = company.get(kind, [])
            if not isinstance(items, list):
                raise ctx.fail(f"{where}.{kind}", _('expected [[add_company.{kind}]] tables').format(kind=kind))
            for j, item in enumerate(items):
                ctx.keys(item, allowed, f"{where}.{kind}[{j}]")
    removes = raw.get("remove_companies", [])
    if not isinstance(removes, list) or not all(isinstance(r, str) for r in removes):
        raise ctx.fail("remove_companies", _("expected a list of company ids in quotes"))
    scales = raw.get("scale", [])
    for i, item in enumerate(scales):
        where = f"scale[{i}]"
        ctx.keys(item, SCALE_KEYS, where)
        if "factor" not in item:
            raise ctx.fail(f"{where}.factor", _("is required (a number >= 0)"))
        ctx.number(item["factor"], f"{where}.factor")
        if item.get("applies_to", "both") not in {"streams", "needs", "both"}:
            raise ctx.fail(f"{where}.applies_to", _("expected streams, needs or both"))
    routes = raw.get("route_cost", [])
    for i, item in enumerate(routes):
        where = f"route_cost[{i}]"
        ctx.keys(item, ROUTE_COST_KEYS, where)
        if item.get("route") not in {str(r) for r in Route}:
            raise ctx.fail(f"{where}.route", _('expected one of {items}').format(items=', '.join(str(r) for r in Route)))
        ctx.number(item.get("eur_per_unit"), f"{where}.eur_per_unit", minimum=None)
    base = head.get("base", "demo")
    ctx.text(base, "scenario.base")
    # a scenario is written in French; ``name_en`` and ``description_en`` are what an English
    # session reads (each falls back to the French text)
    english = get_language() == "en"
    name = ctx.text(head.get("name", Path(source).stem), "scenario.name")
    description = ctx.text(head.get("description", ""), "scenario.description")
    name_en = ctx.text(head.get("name_en", ""), "scenario.name_en")
    description_en = ctx.text(head.get("description_en", ""), "scenario.description_en")
    return Scenario(
        name=name_en if english and name_en else name,
        description=description_en if english and description_en else description,
        base=base, params=params, add_companies=tuple(adds), remove_companies=tuple(removes),
        scale=tuple(scales), route_costs=tuple(routes), source=source, raw=raw,
    )  # fmt: skip


def read_scenario_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(_('{path}: no such scenario file').format(path=path)) from None
    except UnicodeDecodeError:
        raise ScenarioError(_('{path}: not a UTF-8 text file; save the scenario as UTF-8 TOML').format(path=path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(_('{path}: not valid TOML: {exc}').format(path=path, exc=exc)) from None


def load_scenarios(path: str | Path) -> list[Scenario]:
    """The scenario of a file followed by each of its named variants (``file.toml#variant`` for one)."""
    text = str(path)
    only = None
    if "#" in text:
        text, only = text.split("#", 1)
    raw = read_scenario_file(text)
    base_dir = Path(text).resolve().parent
    variants = raw.pop("variants", {}) or {}
    if not isinstance(variants, dict):
        raise ScenarioError(_("{text}: key 'variants': expected [variants.NAME] tables").format(text=text))
    out = []
    if only is None:
        out.append(_with_base_dir(parse_scenario(raw, source=text), base_dir))
    for name, override in variants.items():
        if only is not None and name != only:
            continue
        if not isinstance(override, dict):
            raise ScenarioError(_("{text}: key 'variants.{name}': expected a table").format(text=text, name=name))
        override = dict(override)
        head = {k: override.pop(k) for k in list(override) if k in SCENARIO_KEYS}
        merged = _deep_merge(raw, override)
        merged["scenario"] = {**merged.get("scenario", {}), "name": head.get("name", name),
                              "description": head.get("description", ""), "name_en": head.get("name_en", ""),
                              "description_en": head.get("description_en", ""), **head}  # fmt: skip
        out.append(_with_base_dir(parse_scenario(merged, source=f"{text}#{name}"), base_dir))
    if only is not None and not out:
        raise ScenarioError(_("{text}: no variant named '{only}'; found: {value}").format(text=text, only=only, value=', '.join(variants) or _('none')))
    return out


def _with_base_dir(scenario: Scenario, base_dir: Path) -> Scenario:
    if scenario.base in {"demo", "database"}:
        return scenario
    return replace(scenario, base=str((base_dir / scenario.base).resolve()))


def _locate(company: dict, ctx: _Ctx, where: str) -> tuple[float, float, str, str, str]:
    from symbiose.geo import GazetteerGeocoder, validate_coordinates

    if "latitude" in company or "longitude" in company:
        lat = ctx.number(company.get("latitude"), f"{where}.latitude", minimum=None)
        lon = ctx.number(company.get("longitude"), f"{where}.longitude", minimum=None)
        try:
            lat, lon = validate_coordinates(lat, lon)
        except ValueError as exc:
            raise ctx.fail(f"{where}.latitude", str(exc)) from None
        return lat, lon, company.get("commune", ""), company.get("insee_code", ""), company.get("postal_code", "")
    location = GazetteerGeocoder().locate(
        commune=company.get("commune", ""), postal_code=str(company.get("postal_code", "")),
        insee_code=str(company.get("insee_code", "")),
    )  # fmt: skip
    if location is None:
        raise ctx.fail(f"{where}.commune", _("commune '{value}' not found in Charente-Maritime; give its exact name, insee_code, or latitude and longitude").format(value=company.get('commune', '')))  # fmt: skip
    raw = location.raw or {}
    return (location.latitude, location.longitude, raw.get("name", company.get("commune", "")),
            raw.get("insee_code", ""), raw.get("postal_code", ""))  # fmt: skip


def _code(value: Any, ctx: _Ctx, key: str) -> str:
    from symbiose.reference import check_ewc_prefix

    try:
        return check_ewc_prefix(ctx.text(value, key))
    except ValueError as exc:
        raise ctx.fail(key, str(exc)) from None


def _virtual(company: dict, ctx: _Ctx, where: str, categories: set[str]):
    lat, lon, commune, insee, postal = _locate(company, ctx, where)
    cid = ctx.text(company["id"], f"{where}.id")
    new_company = Company(id=cid, name=ctx.text(company["name"], f"{where}.name"), latitude=lat, longitude=lon,
                          commune=commune, insee_code=insee, postal_code=postal,
                          naf_code=company.get("naf_code", ""), notes=company.get("notes", "scénario : entreprise virtuelle"),
                          freight_access=_freight_access(company.get("freight_access", []), ctx, f"{where}.freight_access"))  # fmt: skip
    streams, needs = [], []
    for j, item in enumerate(company.get("streams", [])):
        key = f"{where}.streams[{j}]"
        unit = _unit(item, ctx, key)
        code = _code(item["ewc_code"], ctx, f"{key}.ewc_code") if item.get("ewc_code") else ""
        if code and len(code) != 6:
            raise ctx.fail(f"{key}.ewc_code", _("a stream needs a full six-digit code"))
        material = _canonical(item.get("material", ""))
        if material and material not in categories:
            raise ctx.fail(f"{key}.material", _("unknown resource category '{material}'").format(material=material))
        if not code and not material:
            raise ctx.fail(f"{key}.ewc_code", _("give an ewc_code or a material"))
        streams.append(Stream(
            id=ctx.text(item.get("id", f"{cid}-S{j + 1}"), f"{key}.id"), company_id=cid,
            quantity_base=to_base(ctx.number(item.get("quantity"), f"{key}.quantity"), unit), unit=unit,
            ewc_code=code, material=material, description=item.get("description", ""),
            physical_state=_enum(PhysicalState, item.get("physical_state", "solid"), ctx, f"{key}.physical_state"),
            months=_months(item, ctx, key), route=_enum(Route, item.get("route", "other"), ctx, f"{key}.route"),
            route_cost_cents=to_cents(ctx.number(item.get("route_cost_eur_per_unit", 0), f"{key}.route_cost_eur_per_unit", minimum=None)),
            forms=_vocabulary(item, "forms", parse_forms, ctx, key), standards=_standards(item, "standards", ctx, key),
            destination=str(item.get("destination", "")),
            destination_category=_category_of(item, "destination_category", categories, ctx, key),
        ))  # fmt: skip
    for j, item in enumerate(company.get("needs", [])):
        key = f"{where}.needs[{j}]"
        unit = _unit(item, ctx, key)
        category = _canonical(item.get("category", ""))
        if category and category not in categories:
            raise ctx.fail(f"{key}.category", _("unknown resource category '{category}'; expected one of {items}").format(category=category, items=', '.join(sorted(categories))))  # fmt: skip
        codes = item.get("accepted_codes", [])
        if isinstance(codes, str):
            codes = [c for c in codes.replace("|", ",").split(",") if c.strip()]
        accepted = tuple(_code(c, ctx, f"{key}.accepted_codes") for c in codes)
        if not category and not accepted:
            raise ctx.fail(f"{key}.category", _("give a category or accepted_codes"))
        max_km = item.get("max_distance_km")
        needs.append(Need(
            id=ctx.text(item.get("id", f"{cid}-N{j + 1}"), f"{key}.id"), company_id=cid,
            quantity_base=to_base(ctx.number(item.get("quantity"), f"{key}.quantity"), unit), unit=unit,
            category=category, accepted_codes=accepted, description=item.get("description", ""),
            virgin_price_cents=to_cents(ctx.number(item.get("virgin_price_eur_per_unit", 0), f"{key}.virgin_price_eur_per_unit")),
            max_distance_km=None if max_km is None else ctx.number(max_km, f"{key}.max_distance_km", minimum=0.001),
            months=_months(item, ctx, key), hazardous_permit=bool(item.get("hazardous_permit", False)),
            accepted_states=_vocabulary(item, "accepted_states", parse_states, ctx, key),
            required_forms=_vocabulary(item, "required_forms", parse_forms, ctx, key),
            refused_forms=_vocabulary(item, "refused_forms", parse_forms, ctx, key),
            required_standards=_standards(item, "required_standards", ctx, key),
            gate_fee_cents=to_cents(ctx.number(item.get("gate_fee_eur_per_unit", 0), f"{key}.gate_fee_eur_per_unit")),
            permit=str(item.get("permit", "")),
            max_temperature_c=(None if item.get("max_temperature_c") is None
                               else ctx.number(item["max_temperature_c"], f"{key}.max_temperature_c", minimum=None)),
            approvals=_approvals(item, ctx, key),
        ))  # fmt: skip
    return new_company, streams, needs


def _unit(item: dict, ctx: _Ctx, key: str) -> Unit:
    if "quantity" not in item:
        raise ctx.fail(f"{key}.quantity", _("is required (per year, in the unit given by 'unit')"))
    try:
        return Unit.parse(item.get("unit", "t"))
    except ValueError as exc:
        raise ctx.fail(f"{key}.unit", str(exc)) from None


def _enum(kind, value, ctx: _Ctx, key: str):
    try:
        return kind(value)
    except ValueError:
        raise ctx.fail(key, _("'{value}' is not one of {items}").format(value=value, items=', '.join(str(v) for v in kind))) from None


def _vocabulary(item: dict, name: str, parse, ctx: _Ctx, key: str) -> tuple[str, ...]:
    """Forms or physical states, as a list or a ';'-separated text."""
    try:
        return parse(item.get(name, ""))
    except ValueError as exc:
        raise ctx.fail(f"{key}.{name}", str(exc)) from None


def _standards(item: dict, name: str, ctx: _Ctx, key: str) -> tuple[str, ...]:
    """Product standards by their ids in the knowledge base."""
    from symbiose.compat import load_knowledge_base

    return _known_ids(item, name, load_knowledge_base().standards, N_("product standard"), ctx, key)


def _known_ids(item: dict, name: str, known, what: str, ctx: _Ctx, key: str) -> tuple[str, ...]:
    """A list of ids (';'-separated text or a list), each one of ``known``."""
    value = item.get(name, ())
    found = tuple(x.strip() for x in (value.split(";") if isinstance(value, str) else value) if x.strip())
    unknown = [x for x in found if x not in known]
    if unknown:
        raise ctx.fail(f"{key}.{name}", _("unknown {what} '{value}'; use one of {items}").format(what=_(what), value=unknown[0], items=', '.join(known)))
    return found


def _approvals(item: dict, ctx: _Ctx, key: str) -> tuple[str, ...]:
    """Intake approvals by their ids in the knowledge base (intake_approvals.csv)."""
    from symbiose.compat import load_knowledge_base

    return _known_ids(item, "approvals", load_knowledge_base().approvals, N_("intake approval"), ctx, key)


def _category_of(item: dict, name: str, categories, ctx: _Ctx, key: str) -> str:
    """An optional resource category (aliases read as their current id)."""
    category = _canonical(str(item.get(name, "") or ""))
    if category and category not in categories:
        raise ctx.fail(f"{key}.{name}", _("unknown resource category '{category}'").format(category=category))
    return category


def _months(item: dict, ctx: _Ctx, key: str) -> tuple[int, ...]:
    try:
        return parse_months(item.get("months", ""))
    except ValueError as exc:
        raise ctx.fail(f"{key}.months", str(exc)) from None


def _matches(selector: dict, record, company_id: str, ctx: _Ctx, where: str) -> bool:
    if "company" in selector and selector["company"] != company_id:
        return False
    if "ewc_code" in selector:
        code = _code(selector["ewc_code"], ctx, f"{where}.ewc_code")
        if not getattr(record, "ewc_code", "").startswith(code):
            return False
    if "material" in selector and getattr(record, "material", None) != _canonical(selector["material"]):
        return False
    if "category" in selector and getattr(record, "category", None) != _canonical(selector["category"]):
        return False
    return True


def resolve(scenario: Scenario, base: Network) -> tuple[Network, MatchParameters]:
    """Apply a scenario's edits to a base network. Pure: ``base`` is not changed."""
    from symbiose.compat import load_knowledge_base

    ctx = _Ctx(scenario.source or scenario.name)
    categories = set(load_knowledge_base().categories)
    company_ids = {c.id for c in base.companies}
    for i, cid in enumerate(scenario.remove_companies):
        if cid not in company_ids:
            raise ctx.fail(f"remove_companies[{i}]", _("no company with id '{cid}' in the base network").format(cid=cid))
    removed = set(scenario.remove_companies)
    companies = [c for c in base.companies if c.id not in removed]
    streams = [s for s in base.streams if s.company_id not in removed]
    needs = [n for n in base.needs if n.company_id not in removed]
    synergies = list(base.synergies)
    kept_streams, kept_needs = {s.id for s in streams}, {n.id for n in needs}
    synergies = [y for y in synergies if y.stream_id in kept_streams and y.need_id in kept_needs]

    for i, item in enumerate(scenario.scale):
        where = f"scale[{i}]"
        if "company" in item and item["company"] not in company_ids:
            raise ctx.fail(f"{where}.company", _("no company with id '{company}' in the base network").format(company=item['company']))
        factor = float(item["factor"])
        applies = item.get("applies_to", "both")
        hit = 0
        if applies in {"streams", "both"}:
            new = []
            for s in streams:
                if _matches(item, s, s.company_id, ctx, where) and "category" not in item:
                    s = replace(s, quantity_base=int(round(s.quantity_base * factor)))
                    hit += 1
                new.append(s)
            streams = new
        if applies in {"needs", "both"}:
            new = []
            for n in needs:
                if _matches(item, n, n.company_id, ctx, where) and not ("ewc_code" in item or "material" in item):
                    n = replace(n, quantity_base=int(round(n.quantity_base * factor)))
                    hit += 1
                new.append(n)
            needs = new
        if hit == 0:
            raise ctx.fail(where, _("matches no stream or need of the base network; check company, code or category"))

    for i, item in enumerate(scenario.route_costs):
        where = f"route_cost[{i}]"
        cents = to_cents(float(item["eur_per_unit"]))
        code = _code(item["ewc_code"], ctx, f"{where}.ewc_code") if "ewc_code" in item else ""
        streams = [
            replace(s, route_cost_cents=cents)
            if str(s.route) == item["route"] and s.ewc_code.startswith(code) else s
            for s in streams
        ]

    added: set[str] = set()
    for i, company in enumerate(scenario.add_companies):
        where = f"add_company[{i}]"
        if company["id"] in company_ids:
            raise ctx.fail(f"{where}.id", _("'{id}' already exists in the base network; choose a new id").format(id=company['id']))
        if company["id"] in added:
            raise ctx.fail(f"{where}.id", _("'{id}' is added twice in this scenario; choose a new id").format(id=company['id']))
        added.add(company["id"])
        new_company, new_streams, new_needs = _virtual(company, ctx, where, categories)
        companies.append(new_company)
        streams.extend(new_streams)
        needs.extend(new_needs)
    ids = [s.id for s in streams] + [n.id for n in needs]
    if len(ids) != len(set(ids)):
        dup = sorted({x for x in ids if ids.count(x) > 1})[0]
        raise ctx.fail("add_company", _("id '{dup}' is used twice; stream and need ids must be unique").format(dup=dup))
    network = Network(tuple(companies), tuple(streams), tuple(needs), tuple(synergies), name=scenario.name)
    return network, scenario.params


def _canonical(name: str) -> str:
    """A category id with the aliases of renamed ones applied ('heat' -> 'heat_hot_water')."""
    from symbiose.compat import load_knowledge_base

    return load_knowledge_base().canonical_category(name) if name else name


def _freight_access(value, ctx: _Ctx, key: str) -> tuple[str, ...]:
    """A virtual site's bulk freight access: a list (or ';'-separated text) of rail and port."""
    from symbiose.domain import FREIGHT_ACCESS

    items = value.split(";") if isinstance(value, str) else list(value)
    out = tuple(dict.fromkeys(str(x).strip() for x in items if str(x).strip()))
    bad = [x for x in out if x not in FREIGHT_ACCESS]
    if bad:
        raise ctx.fail(key, _("'{value}' is not a freight access; use rail or port").format(value=bad[0]))
    return out
