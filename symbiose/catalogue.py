"""The local resources catalogue ("Catalogue des ressources locales"): what the territory has
available, for companies and researchers who want to test a material, with no company in it.

Each row is one material in one zone: the streams of the same List of Waste code (or material,
for streams without a code) whose producers share a zone are merged. A row shows the family (the
List of Waste chapter), the code and its French label, the physical state, a quantity *band* of
what is still available per year (the stream minus what implemented synergies already take), the
months, and the zone. Never a company, an id, a description (free text may name someone), a cost
or an exact quantity.

The zone is as fine as anonymity allows (k producers *of the row's material*: :func:`anonymity_k`,
the ``SYMBIOSE_BLIND_K`` setting, 3 by default), for each material apart:

1. the commune, when at least k companies producing the material are in it;
2. else the postal-code area ("secteur postal 17500"), counting only the producers not already
   shown under their commune, when at least k remain there;
3. else the EPCI (intercommunality), likewise;
4. else the whole territory, likewise; producers still fewer than k are withheld (their rows
   are counted in :attr:`Catalogue.withheld`, not shown), since "somewhere else" would point at
   them.

So every row covers at least k producers of its material, and a reader who knows which communes
are listed on their own for a material learns nothing finer about its other producers. (Counting
the producers of any material would not do: a commune with three producers, one of them alone to
put out boiler ash, would show that one's ash and its quantity band under the commune's name.)

Pure: takes a :class:`~symbiose.domain.Network`; the commune table comes from
:mod:`symbiose.reference`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from symbiose.domain import Network, Stage, format_ewc, format_months
from symbiose.i18n import N_, _, fmt_number
from symbiose.units import from_base

DEFAULT_K = 3
ENV_K = "SYMBIOSE_BLIND_K"  # one k for the whole application: the Partners page's blind uses it too


def anonymity_k() -> int:
    """The fewest producers a zone shown must hold: ``SYMBIOSE_BLIND_K``, else 3."""
    import os

    raw = os.environ.get(ENV_K, "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_K
    except ValueError:
        return DEFAULT_K

# upper bounds of the quantity bands, per declared unit per year
BAND_LIMITS = (10, 100, 1_000, 10_000)

STATE_LABELS = {
    "solid": N_("solid"), "pasty": N_("pasty"), "liquid": N_("liquid"), "gas": N_("gas"),
    "energy": N_("energy"),
}  # fmt: skip

COLUMNS = ("key", "family", "code", "label", "state", "quantity_band", "unit", "months", "zone",
           "month_numbers")  # fmt: skip


def quantity_band(quantity: float, unit: str) -> str:
    """``quantity`` (per year, in ``unit``) as a band: ``100 à 1 000 t/an``, as the Partners page
    writes a range.

    >>> from symbiose.i18n import language
    >>> with language("en"):
    ...     quantity_band(250, "t"), quantity_band(3, "t"), quantity_band(50_000, "MWh")
    ('100 to 1,000 t/yr', 'under 10 t/yr', '10,000 MWh/yr or more')
    """
    per_year = _("{unit}/yr").format(unit=unit)
    if quantity < BAND_LIMITS[0]:
        return _("under {high} {unit}").format(high=fmt_number(BAND_LIMITS[0]), unit=per_year)
    for low, high in zip(BAND_LIMITS, BAND_LIMITS[1:], strict=False):
        if quantity < high:
            return _("{low} to {high} {unit}").format(low=fmt_number(low), high=fmt_number(high), unit=per_year)
    return _("{low} {unit} or more").format(low=fmt_number(BAND_LIMITS[-1]), unit=per_year)


def months_text(months: tuple[int, ...]) -> str:
    """Months as words in the current language: ``nov. – mars`` (empty tuple: all year).

    >>> from symbiose.i18n import language
    >>> with language("fr"):
    ...     months_text((1, 2, 3, 11, 12)), months_text(()), months_text((6, 8))
    ('nov. – mars', "toute l'année", 'juin, août')
    """
    from babel.dates import get_month_names

    from symbiose.i18n import get_language

    ranges = format_months(tuple(months))
    if not ranges:  # no month, or all twelve
        return _("all year")
    names = get_month_names("abbreviated", locale={"fr": "fr_FR"}.get(get_language(), "en_GB"))
    parts = []
    for part in ranges.split(","):
        ends = [names[int(m)] for m in part.split("-")]
        parts.append(" – ".join(ends))
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Zone:
    key: str  # "commune:17197", "postal:17500", "epci:200041523", "territory"
    label: str


@dataclass(frozen=True)
class Catalogue:
    """The public rows (:attr:`frame`) and, for the officer only, where each row comes from."""

    frame: pd.DataFrame
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # row key -> stream ids
    withheld: int = 0  # rows not shown: too few producers even at the coarsest zone
    k: int = DEFAULT_K

    def stream_ids(self, key: str) -> tuple[str, ...]:
        return self.sources.get(key, ())


def _commune_table() -> dict[str, dict[str, str]]:
    from symbiose.reference import communes

    table = communes()
    return {
        str(r.insee_code): {"postal": str(r.postal_code), "epci": str(r.epci_siren),
                            "epci_name": str(r.epci_name), "name": str(r.name)}
        for r in table.itertuples()
    }  # fmt: skip


def _zones(producers: dict[str, dict[str, str]], k: int) -> dict[str, Zone | None]:
    """Zone of each producing company (None: withheld), see the module docstring."""
    levels = (
        ("commune", lambda p: p["insee"] or p["commune"], lambda p: p["commune"]),
        ("postal", lambda p: p["postal"], lambda p: _("postal area {code}").format(code=p["postal"])),
        ("epci", lambda p: p["epci"], lambda p: p["epci_name"]),
        ("territory", lambda p: "all", lambda p: _("elsewhere in the territory")),
    )  # fmt: skip
    zones: dict[str, Zone | None] = {}
    remaining = dict(producers)
    for level, key_of, label_of in levels:
        groups: dict[str, list[str]] = defaultdict(list)
        for company_id, place in remaining.items():
            if key_of(place):
                groups[key_of(place)].append(company_id)
        for key, members in groups.items():
            if len(members) >= k:
                label = label_of(remaining[members[0]])
                zone = Zone("territory" if level == "territory" else f"{level}:{key}", label)
                for company_id in members:
                    zones[company_id] = zone
                    del remaining[company_id]
    for company_id in remaining:
        zones[company_id] = None
    return zones


def available_quantities(network: Network) -> dict[str, int]:
    """Per stream, the base quantity not already taken by implemented synergies (> 0 only)."""
    taken: dict[str, int] = defaultdict(int)
    streams = {s.id: s for s in network.streams}
    for synergy in network.synergies:
        if Stage(synergy.stage) is Stage.IMPLEMENTED and synergy.stream_id in streams:
            whole = streams[synergy.stream_id].quantity_base
            taken[synergy.stream_id] += whole if synergy.quantity_base is None else synergy.quantity_base
    left = {s.id: s.quantity_base - taken.get(s.id, 0) for s in network.streams}
    return {stream_id: q for stream_id, q in left.items() if q > 0}


def _material_label(material: str) -> str:
    """A stream without a code: the resource category's label in the current language."""
    from symbiose.compat import load_knowledge_base
    from symbiose.i18n import get_language

    category = load_knowledge_base().categories.get(material)
    if category is None:
        return material.replace("_", " ")
    return category.label_fr if get_language() == "fr" else category.label_en


def build_catalogue(network: Network, *, k: int = DEFAULT_K) -> Catalogue:
    """The catalogue of ``network`` with zones anonymous to ``k`` producers."""
    from symbiose.reference import ewc_entries, ewc_table

    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    available = available_quantities(network)
    streams = [s for s in network.streams if s.id in available]
    communes = _commune_table()
    companies = {c.id: c for c in network.companies}
    producers: dict[str, dict[str, str]] = {}
    for company_id in {s.company_id for s in streams}:
        company = companies.get(company_id)
        if company is None:
            continue
        ref = communes.get(company.insee_code, {})
        producers[company_id] = {
            "insee": company.insee_code,
            "commune": ref.get("name") or company.commune,
            "postal": ref.get("postal") or company.postal_code,
            "epci": ref.get("epci", ""),
            "epci_name": ref.get("epci_name", ""),
        }
    # zones per material: a row is shared by k producers *of its material* (Jonzac's three
    # producers hid nothing of the one that puts out boiler ash 10 01 01, whose band was then its own)
    # (and of its unit: a row's quantity is in one unit)
    makers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for stream in streams:
        makers[(stream.ewc_code or f"material:{stream.material}", str(stream.unit))].add(stream.company_id)
    zones_of = {what: _zones({c: producers[c] for c in ids if c in producers}, k) for what, ids in makers.items()}

    entries = ewc_entries()
    families = {  # the List of Waste sub-chapter ("02 01"): where the material comes from
        str(r.code): str(r.description_fr)
        for r in ewc_table().itertuples()
        if str(getattr(r, "level", "")) == "subchapter"
    }
    chapters = {str(r.code): str(r.description_fr).capitalize() for r in ewc_table().itertuples()
                if str(getattr(r, "level", "")) == "chapter"}  # fmt: skip
    grouped: dict[tuple[str, str, str], list] = defaultdict(list)
    fewer: list = []  # streams of a code with fewer than k producers even at the coarsest zone
    for stream in streams:
        what = stream.ewc_code or f"material:{stream.material}"
        zone = zones_of[(what, str(stream.unit))].get(stream.company_id)
        if zone is None:
            fewer.append(stream)
            continue
        grouped[(what, str(stream.unit), zone.key)].append((stream, zone))
    # those are listed by their List of Waste sub-chapter (« 10 01, several codes »), then chapter
    # (« 10 »), zoned again over the producers of the codes left; still fewer than k: withheld
    for digits in (4, 2):
        by_prefix: dict[tuple[str, str], set[str]] = defaultdict(set)
        for stream in fewer:
            if stream.ewc_code:
                by_prefix[(f"family:{stream.ewc_code[:digits]}", str(stream.unit))].add(stream.company_id)
        prefix_zones = {key: _zones({c: producers[c] for c in ids if c in producers}, k) for key, ids in by_prefix.items()}
        left = []
        for stream in fewer:
            what = f"family:{stream.ewc_code[:digits]}"
            zone = prefix_zones.get((what, str(stream.unit)), {}).get(stream.company_id) if stream.ewc_code else None
            if zone is None:
                left.append(stream)
            else:
                grouped[(what, str(stream.unit), zone.key)].append((stream, zone))
        fewer = left
    withheld_keys = {(stream.ewc_code or f"material:{stream.material}", stream.company_id) for stream in fewer}
    rows = []
    sources: dict[str, tuple[str, ...]] = {}
    for (what, unit, zone_key), members in sorted(grouped.items()):
        zone = members[0][1]
        code = members[0][0].ewc_code
        family_only = what.startswith("family:")
        entry = entries.get(code) if code and not family_only else None
        quantity = sum(from_base(available[s.id], s.unit) for s, _z in members)
        months: set[int] = set()
        if any(not s.months for s, _z in members):
            months = set()
            all_year = True
        else:
            all_year = False
            for s, _z in members:
                months.update(s.months)
        states = sorted({str(s.physical_state) for s, _z in members})
        key = f"{what}/{unit}@{zone_key}"
        sources[key] = tuple(sorted(s.id for s, _z in members))
        rows.append({
            "key": key,
            "family": (f"{format_ewc(code[:4])} {families.get(format_ewc(code[:4]), '')}".strip()
                       if code and what != f"family:{code[:2]}" else
                       f"{code[:2]} {chapters.get(code[:2], '')}".strip() if code else _("Other resources")),
            "code": ((format_ewc(what.removeprefix("family:")) + " " + _("(several codes)") if family_only
                      else format_ewc(code) + ("*" if entry is not None and entry.hazardous else "")) if code else ""),
            "label": (_("{n} codes, each with fewer than {k} producers").format(
                          n=len({s.ewc_code for s, _z in members}), k=k) if family_only
                      else entry.description_fr if entry is not None else _material_label(members[0][0].material)),
            "state": ", ".join(_(STATE_LABELS.get(st, st)) for st in states),
            "quantity_band": quantity_band(quantity, unit),
            "unit": unit,
            "months": months_text(() if all_year else tuple(sorted(months))),
            "month_numbers": tuple(range(1, 13)) if all_year else tuple(sorted(months)),
            "zone": zone.label,
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return Catalogue(frame, sources, len(withheld_keys), k)


def withheld_text(count: int) -> str:
    """Why some resources are missing, in the current language."""
    from symbiose.i18n import ngettext

    return ngettext(
        "{n} resource is not listed: too few producers in its area to keep it anonymous.",
        "{n} resources are not listed: too few producers in their area to keep them anonymous.",
        count,
    ).format(n=count)


def public_frame(catalogue: Catalogue) -> pd.DataFrame:
    """The rows as shown and exported, with the headers of the current language."""
    headers = {
        "family": _("family"), "code": _("List of Waste code"), "label": _("label"),
        "state": _("physical state"), "quantity_band": _("available per year"),
        "months": _("months"), "zone": _("zone"),
    }  # fmt: skip
    return catalogue.frame[list(headers)].rename(columns=headers)


def search(
    frame: pd.DataFrame, text: str = "", *, families=(), zones=(), states=(), months=()
) -> pd.DataFrame:
    """Rows whose family, code, label or zone contain every word of ``text`` (accents and case
    ignored), within the chosen families, zones and physical states, and available in at least
    one of the chosen ``months`` (1-12) (empty: all)."""
    from symbiose.reference import _fold

    shown = frame
    if families:
        shown = shown[shown["family"].isin(families)]
    if zones:
        shown = shown[shown["zone"].isin(zones)]
    if states:
        shown = shown[shown["state"].map(lambda v: any(s in v for s in states))]
    if months:
        wanted = set(months)
        shown = shown[shown["month_numbers"].map(lambda ms: bool(wanted & set(ms)))]
    words = _fold(text).split()
    if words:
        haystack = (shown["family"] + " " + shown["code"] + " " + shown["label"] + " " + shown["zone"]).map(_fold)
        shown = shown[haystack.map(lambda h: all(w in h for w in words))]
    return shown


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV for a spreadsheet of the current language (French: ``;``, decimal comma, BOM)."""
    from symbiose.i18n import csv_options

    options = csv_options()
    encoding = options.pop("encoding")
    return frame.to_csv(index=False, **options).encode(encoding)


def to_xlsx(frame: pd.DataFrame) -> bytes:
    """An .xlsx workbook with one sheet of the rows."""
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=_("Resources")[:31])
    return buffer.getvalue()
