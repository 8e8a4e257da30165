"""The impact report: one printable HTML file, with CSV, Excel and GeoJSON exports.

:func:`build_report` runs the matcher (unless given a result) and writes into a folder:

* ``report.html``: one self-contained page (inline CSS and SVG, no script, no external resource)
  with the indicators per year and their method, a map of the sites and synergies, the largest
  flows, the pipeline by stage, the scenario comparison, the wastes left without an outlet and one
  printable sheet per company involved;
* ``matches.csv``, ``suggestions.csv`` and ``kpis.json`` (as ``symbiose match --out``);
* ``matches.xlsx`` with the sheets ``kpis``, ``matches``, ``suggestions`` and ``unmatched``
  (in French: ``indicateurs``, ``appariements``, ``suggestions``, ``sans_debouche``, as the CSV files
  read);
* ``synergies.geojson`` (companies involved and one line per matched pair) and
  ``companies.geojson`` (every company), RFC 7946: WGS 84, ``[longitude, latitude]``.

This is the confidential *officer* edition; :mod:`symbiose.report_public` writes the *public*
one (``build_report(..., edition="public")``, the default of ``symbiose report``). Company sheets
name a partner only after mutual interest (both sides said so: stage ``in_discussion`` or
``implemented``, :data:`symbiose.blinding.MUTUAL_STAGES`; ``contacted`` is one side only);
otherwise the partner is shown as the company's Partners page shows it (:class:`SheetBlind`).

>>> project(45.5, -0.5, MapFrame(lat_min=45.0, lat_max=46.0, lon_min=-1.0, lon_max=0.0,
...                              scale=100.0, width=100.0, height=100.0, margin=0.0))
(35.05, 50.0)
>>> nice_scale_km(37.0)
20
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from symbiose.blinding import MUTUAL_STAGES
from symbiose.domain import Network, Stage, format_ewc
from symbiose.i18n import N_, _, fmt_date, fmt_decimal, fmt_number, get_language
from symbiose.labels import category_label, per_year, route_label, stage_label, synergy_change_text
from symbiose.params import MatchParameters
from symbiose.units import BASE_PER_UNIT

KM_PER_DEGREE = 6371.0088 * math.pi / 180  # one degree of great circle, mean Earth radius

# Indicator rows of the report: (Kpis field, label, unit, format). All per year.
INDICATOR_ROWS: list[tuple[str, str, str, str]] = [
    ("synergies", N_("Synergies (matched stream-need pairs)"), "", "{:,.0f}"),
    ("same_use_synergies", N_("of which streams already recovered today, moved to the same use"), "", "{:,.0f}"),
    ("companies_involved", N_("Companies involved"), "", "{:,.0f}"),
    ("matched_t", N_("Exchanged, solids and sludges"), N_("t/yr"), "{:,.0f}"),
    ("matched_m3", N_("Exchanged, liquids"), N_("m3/yr"), "{:,.0f}"),
    ("matched_mwh", N_("Exchanged, energy (heat)"), N_("MWh/yr"), "{:,.0f}"),
    ("diverted_t", N_("Taken from landfill or incineration"), N_("t/yr"), "{:,.0f}"),
    ("diverted_m3", N_("Liquids taken from landfill or incineration"), N_("m3/yr"), "{:,.0f}"),
    ("virgin_saved_t", N_("Virgin material saved (quality-weighted)"), N_("t/yr"), "{:,.0f}"),
    ("tkm", N_("Road transport"), N_("t.km/yr"), "{:,.0f}"),
    ("co2e_avoided_t", N_("CO2e avoided, net of transport"), N_("t CO2e/yr"), "{:,.1f}"),
    ("co2e_virgin_avoided_t", N_("of which virgin production avoided"), N_("t CO2e/yr"), "{:,.1f}"),
    ("co2e_landfill_avoided_t", N_("of which landfill emissions avoided"), N_("t CO2e/yr"), "{:,.1f}"),
    ("co2e_transport_t", N_("minus truck emissions"), N_("t CO2e/yr"), "{:,.1f}"),
    ("supplier_savings_eur", N_("Suppliers' avoided disposal costs"), N_("EUR/yr"), "{:,.0f}"),
    ("receiver_savings_eur", N_("Receivers' avoided virgin purchases"), N_("EUR/yr"), "{:,.0f}"),
    ("transport_cost_eur", N_("Transport cost"), N_("EUR/yr"), "{:,.0f}"),
    ("pretreatment_cost_eur", N_("Pre-treatment cost"), N_("EUR/yr"), "{:,.0f}"),
    ("net_benefit_eur", N_("Net benefit for the network"), N_("EUR/yr"), "{:,.0f}"),
    ("same_use_eur", N_("of which streams already recovered today (the difference from today's route only)"),
     N_("EUR/yr"), "{:,.0f}"),
    ("unmatched_t", N_("Left on current route, solids and sludges"), N_("t/yr"), "{:,.0f}"),
    ("unmatched_m3", N_("Left on current route, liquids"), N_("m3/yr"), "{:,.0f}"),
    ("unmatched_mwh", N_("Left on current route, energy"), N_("MWh/yr"), "{:,.0f}"),
    ("unmet_need_t", N_("Needs still bought virgin"), N_("t/yr"), "{:,.0f}"),
]
HEADLINE = ["net_benefit_eur", "co2e_avoided_t", "diverted_t", "synergies"]
DISCLOSED_STAGES = MUTUAL_STAGES  # partners named in company sheets only after mutual interest
UNIT_COLOURS = {"t": "#8c5a2b", "m3": "#2b6f9e", "MWh": "#c2402a"}
ROLE_COLOURS = {"supplier": "#e08a1e", "receiver": "#2f8f4e", "both": "#6a3d9a", "none": "#ffffff"}
ROLE_WORDS = {"supplier": N_("supplier"), "receiver": N_("receiver"), "both": N_("supplier and receiver"),
              "none": N_("not matched")}  # fmt: skip
LOWER_IS_BETTER = {"tkm", "transport_cost_eur", "unmatched_t"}  # a fall is good news
TOP_FLOWS = 15
TOP_UNMATCHED = 10
TOP_SUGGESTIONS = 5


def fmt(value, spec: str = "{:,.0f}") -> str:
    """A number for people in the current language (``5 384 503``, ``3 473,3`` in French):
    thousands separated, ``spec``'s decimals, no '-0', a dash for missing values."""
    if value is None:
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "—" if math.isnan(number) else "∞"
    digits = re.search(r"\.(\d+)f", spec)
    text = fmt_number(number, int(digits.group(1)) if digits else 0)
    if text.lstrip("-").strip("0,.\u00a0") == "":
        text = text.lstrip("-")
    return text


def fmt_delta(value, spec: str = "{:,.0f}") -> str:
    text = fmt(value, spec)
    return f"+{text}" if text not in {"—", "∞"} and float(value) > 0 and text.strip("0,.\u00a0") else text


def code_text(ewc_code: str, material: str) -> str:
    """A stream's List of Waste code, or its material named in the reader's language (heat,
    water or gas: not the id ``heat_hot_water``)."""
    return format_ewc(ewc_code) if ewc_code else (category_label(material) or material)


# ---------------------------------------------------------------------------------------------
# map


@dataclass(frozen=True)
class MapFrame:
    """Equirectangular projection of a latitude/longitude box onto SVG pixels.

    x = (lon - lon_min) x cos(mid latitude) x scale, y = (lat_max - lat) x scale, so that one
    pixel is the same distance east-west and north-south in the middle of the box.
    """

    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float
    scale: float  # pixels per degree of latitude
    width: float
    height: float
    margin: float

    @property
    def cos_lat(self) -> float:
        return math.cos(math.radians((self.lat_min + self.lat_max) / 2))

    @property
    def px_per_km(self) -> float:
        return self.scale / KM_PER_DEGREE

    @classmethod
    def fit(cls, lats: Sequence[float], lons: Sequence[float], *, width: float = 760.0,
            max_height: float = 760.0, margin: float = 24.0, pad: float = 0.04) -> MapFrame:  # fmt: skip
        lat_min, lat_max = float(min(lats)), float(max(lats))
        lon_min, lon_max = float(min(lons)), float(max(lons))
        span = max(lat_max - lat_min, (lon_max - lon_min) * math.cos(math.radians((lat_min + lat_max) / 2)), 0.02)
        lat_pad = max(lat_max - lat_min, 0.02) * pad + span * 0.01
        lat_min, lat_max = lat_min - lat_pad, lat_max + lat_pad
        cos_lat = math.cos(math.radians((lat_min + lat_max) / 2))
        lon_pad = max(lon_max - lon_min, 0.02 / cos_lat) * pad + span * 0.01 / cos_lat
        lon_min, lon_max = lon_min - lon_pad, lon_max + lon_pad
        dx = (lon_max - lon_min) * cos_lat
        dy = lat_max - lat_min
        scale = min((width - 2 * margin) / dx, (max_height - 2 * margin) / dy)
        return cls(lat_min, lat_max, lon_min, lon_max, scale, dx * scale + 2 * margin, dy * scale + 2 * margin, margin)

    def contains(self, lat: float, lon: float) -> bool:
        return self.lat_min <= lat <= self.lat_max and self.lon_min <= lon <= self.lon_max


def project(lat: float, lon: float, frame: MapFrame) -> tuple[float, float]:
    x = frame.margin + (lon - frame.lon_min) * frame.cos_lat * frame.scale
    y = frame.margin + (frame.lat_max - lat) * frame.scale
    return round(x, 2), round(y, 2)


def nice_scale_km(max_km: float) -> int:
    """The largest round length (1, 2, 5 x 10^k km) not longer than ``max_km``."""
    best = 1
    for power in range(0, 5):
        for step in (1, 2, 5):
            length = step * 10**power
            if length <= max_km:
                best = length
    return best


def line_width(quantity: float, max_quantity: float) -> float:
    """Stroke width in pixels: area-like (square root) scaling, 0.6 to 6 px."""
    if max_quantity <= 0:
        return 0.6
    return round(0.6 + 5.4 * math.sqrt(max(quantity, 0.0) / max_quantity), 2)


def map_svg(companies: pd.DataFrame, matches: pd.DataFrame, communes: pd.DataFrame | None = None,
            *, title: str = "") -> str:  # fmt: skip
    """The map as an inline SVG string (text escaped).

    ``companies``: id, name, latitude, longitude, role ('supplier', 'receiver', 'both', 'none');
    ``matches``: supplier_id, receiver_id, quantity, unit; ``communes``: name, latitude,
    longitude, population_municipale (drawn as grey dots where they fall in the frame).
    """
    if not len(companies):
        no_site = escape(_("No site to map."))
        return f'<p class="note">{no_site}</p>'
    frame = MapFrame.fit(companies["latitude"].tolist(), companies["longitude"].tolist())
    legend_w = 260.0
    width, height = frame.width + legend_w, max(frame.height, 330.0)
    parts = [
        f'<svg class="map" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" role="img" '
        'font-family="DejaVu Sans, Arial, Helvetica, sans-serif" '
        f'aria-label="{escape(title or _("Map of the sites and synergies"))}">',
        f'<rect x="0" y="0" width="{frame.width:.0f}" height="{frame.height:.0f}" fill="#f7f7f2" stroke="#bbb"/>',
    ]
    # communes: grey dots (their names go on top of everything at the end)
    towns = []
    if communes is not None and len(communes):
        inside = communes[[frame.contains(a, o) for a, o in zip(communes["latitude"], communes["longitude"], strict=True)]]
        parts.append('<g class="communes" fill="#a9a9a9">')
        for row in inside.itertuples():
            x, y = project(row.latitude, row.longitude, frame)
            parts.append(f'<circle cx="{x}" cy="{y}" r="2"><title>{escape(str(row.name))}</title></circle>')
        parts.append("</g>")
        if "population_municipale" in inside.columns:
            towns = list(inside.sort_values("population_municipale", ascending=False).head(8).itertuples())
    # synergies: lines, the largest drawn last (on top)
    where = {r.id: (r.latitude, r.longitude) for r in companies.itertuples()}
    max_q = matches.groupby("unit")["quantity"].max().to_dict() if len(matches) else {}
    parts.append('<g class="synergies" fill="none" stroke-linecap="round" stroke-opacity="0.55">')
    for row in matches.sort_values("quantity").itertuples():
        if row.supplier_id not in where or row.receiver_id not in where:
            continue
        x1, y1 = project(*where[row.supplier_id], frame)
        x2, y2 = project(*where[row.receiver_id], frame)
        colour = UNIT_COLOURS.get(row.unit, "#555")
        w = line_width(row.quantity, max_q.get(row.unit, 0.0))
        label = f"{row.supplier} → {row.receiver}: {fmt(row.quantity)} {per_year(row.unit)}"
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" stroke-width="{w}">'
                     f"<title>{escape(label)}</title></line>")  # fmt: skip
    parts.append("</g>")
    # companies: circles, involved ones on top
    parts.append('<g class="companies" stroke="#333" stroke-width="0.8">')
    ordered = companies.assign(_o=(companies["role"] != "none").astype(int)).sort_values(["_o", "id"])
    for row in ordered.itertuples():
        x, y = project(row.latitude, row.longitude, frame)
        r = 3.0 if row.role == "none" else 4.5
        parts.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{ROLE_COLOURS.get(row.role, "#fff")}">'
                     f"<title>{escape(str(row.name))} ({escape(_(ROLE_WORDS.get(row.role, row.role)))})</title>"
                     "</circle>")  # fmt: skip
    parts.append("</g>")
    if towns:
        parts.append('<g class="towns" font-size="12" fill="#444" stroke="#ffffff" stroke-width="3" '
                     'paint-order="stroke" stroke-linejoin="round">')
        for row in towns:
            x, y = project(row.latitude, row.longitude, frame)
            right = x > frame.width - 110
            anchor = ' text-anchor="end"' if right else ""
            parts.append(f'<text x="{x - 6 if right else x + 6}" y="{y - 6}"{anchor}>{escape(str(row.name))}</text>')
        parts.append("</g>")
    # scale bar and north arrow
    km = nice_scale_km((frame.width - 2 * frame.margin) / 4 / frame.px_per_km)
    bar = km * frame.px_per_km
    x0, y0 = frame.margin, frame.height - frame.margin + 8
    parts.append(
        f'<g class="scalebar" font-size="11" fill="#222"><rect x="{x0 - 4}" y="{y0 - 22}" width="{bar + 48:.1f}" '
        f'height="22" fill="#ffffff" fill-opacity="0.8"/>'
        f'<path d="M{x0},{y0 - 10} v6 h{bar:.2f} v-6" fill="none" stroke="#222" stroke-width="1.5"/>'
        f'<text x="{x0 + bar + 6:.1f}" y="{y0 - 4}">{km} km</text></g>'
    )
    nx, ny = frame.width - 22, 34
    parts.append(f'<g class="north" font-size="12" text-anchor="middle"><path d="M{nx},{ny - 22} l6,16 h-12 z" '
                 f'fill="#333"/><text x="{nx}" y="{ny + 8}">N</text></g>')  # fmt: skip
    # legend
    lx, ly = frame.width + 16, 18
    title_text = escape(_("Legend"))
    legend = [f'<g class="legend" font-size="12" fill="#222"><text x="{lx}" y="{ly}" font-weight="bold">'
              f'{title_text}</text>']
    ly += 20
    for role, label in ROLE_WORDS.items():
        text = escape(_("company: {role}").format(role=_(label)))
        legend.append(f'<circle cx="{lx + 6}" cy="{ly - 4}" r="{3.0 if role == "none" else 4.5}" '
                      f'fill="{ROLE_COLOURS[role]}" stroke="#333" stroke-width="0.8"/>'
                      f'<text x="{lx + 18}" y="{ly}">{text}</text>')  # fmt: skip
        ly += 18
    text = escape(_("commune (Haute-Saintonge)"))
    legend.append(f'<circle cx="{lx + 6}" cy="{ly - 4}" r="2" fill="#a9a9a9"/>'
                  f'<text x="{lx + 18}" y="{ly}">{text}</text>')  # fmt: skip
    ly += 26
    heading, note = escape(_("Synergies per year")), escape(_("width grows with √quantity"))
    legend.append(f'<text x="{lx}" y="{ly}" font-weight="bold">{heading}</text>'
                  f'<text x="{lx}" y="{ly + 15}" font-size="11" fill="#555">{note}</text>')
    ly += 34
    for unit, q in sorted(max_q.items()):
        colour = UNIT_COLOURS.get(unit, "#555")
        for share in (1.0, 0.1):
            w = line_width(q * share, q)
            legend.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 40}" y2="{ly - 4}" stroke="{colour}" '
                          f'stroke-width="{w}" stroke-linecap="round"/>'
                          f'<text x="{lx + 50}" y="{ly}">{fmt(q * share)} {escape(per_year(unit))}</text>')  # fmt: skip
            ly += 18
    legend.append("</g>")
    parts.extend(legend)
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# tables behind the report


def company_roles(network: Network, matches: pd.DataFrame) -> dict[str, str]:
    """'supplier', 'receiver', 'both' or 'none' for every company, from the matched pairs."""
    suppliers = set(matches["supplier_id"]) if len(matches) else set()
    receivers = set(matches["receiver_id"]) if len(matches) else set()
    roles = {}
    for c in network.companies:
        s, r = c.id in suppliers, c.id in receivers
        roles[c.id] = "both" if s and r else "supplier" if s else "receiver" if r else "none"
    return roles


def companies_frame(network: Network, matches: pd.DataFrame) -> pd.DataFrame:
    roles = company_roles(network, matches)
    return pd.DataFrame(
        [(c.id, c.name, c.commune, c.naf_code, c.latitude, c.longitude, roles[c.id]) for c in network.companies],
        columns=["id", "name", "commune", "naf_code", "latitude", "longitude", "role"],
    )


def flows_with_sides(result) -> pd.DataFrame:
    """Matched pairs with each partner's side of the savings (EUR/yr, at a price of 0 between them).

    The supplier avoids its current route cost; the receiver avoids its virgin purchase
    (x quality) and pays transport and pre-treatment. The two sides add up to the pair's value
    (before any carbon price and fixed link cost).
    """
    matches = result.matches()
    flows = result.allocation.flows
    if not len(matches):
        return matches.assign(supplier_side_eur=[], receiver_side_eur=[], ewc_code=[], material=[],
                              stream_description=[], need_description=[])  # fmt: skip
    money = flows[["stream_id", "need_id", "supplier_avoided_cents", "receiver_avoided_cents",
                   "transport_cents", "pretreatment_cents"]]  # fmt: skip
    out = matches.merge(money, on=["stream_id", "need_id"], how="left", validate="1:1")
    out["supplier_side_eur"] = (out["quantity"] * out["supplier_avoided_cents"] / 100).round(2)
    out["receiver_side_eur"] = (
        out["quantity"] * (out["receiver_avoided_cents"] - out["transport_cents"] - out["pretreatment_cents"]) / 100
    ).round(2)
    streams = result.candidates.streams.set_index("stream_id")
    needs = result.candidates.needs.set_index("need_id")
    out["ewc_code"] = out["stream_id"].map(streams["ewc_code"])
    out["material"] = out["stream_id"].map(streams["material"])
    out["stream_description"] = out["stream_id"].map(streams["description"])
    out["need_description"] = out["need_id"].map(needs["description"])
    return out


def unmatched_frame(result, kb_categories: dict) -> pd.DataFrame:
    """Wastes left on their current route by code (per year), largest first, with their producers."""
    from symbiose.opportunity import unserved_streams
    from symbiose.reference import ewc_entries

    rows = pd.DataFrame(result.kpis.unmatched_by_code, columns=["code", "unit", "quantity"])
    if not len(rows):
        return rows.assign(label=[], producers=[], no_partner=[])
    left = unserved_streams(result)
    producers = left.groupby(["code", "unit"])["company_id"].nunique()
    no_partner = left[~left["has_candidate"]].groupby(["code", "unit"])["left"].sum()
    key = pd.MultiIndex.from_frame(rows[["code", "unit"]])
    rows["producers"] = producers.reindex(key).fillna(0).astype(int).to_numpy()
    rows["no_partner"] = no_partner.reindex(key).fillna(0.0).to_numpy()
    entries = ewc_entries()

    def label(code: str) -> str:
        if code in entries:
            entry = entries[code]
            return (entry.description_fr if get_language() == "fr" else entry.description_en) or entry.description_en
        return category_label(code)

    rows["label"] = rows["code"].map(label)
    return rows


def _slug(text: str, seen: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "company"
    slug, i = base, 1
    while slug in seen:
        i += 1
        slug = f"{base}-{i}"
    seen.add(slug)
    return slug


def _category_label(category: str, kb_categories: dict) -> str:
    """A resource category in the current language (``kb_categories`` kept for the callers)."""
    return category_label(category) if category else ""


def _naf_labels() -> dict[str, str]:
    from symbiose.reference import naf_codes

    table = naf_codes()
    return dict(zip(table["naf_code"], table["label_fr_naf"], strict=True))


def _by(records: list[dict], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for r in records:
        grouped.setdefault(r[key], []).append(r)
    return grouped


class SheetBlind:
    """What a company's Partners page shows of a pair before mutual interest, for its sheet.

    The same blind as :meth:`symbiose.ui.partners.PartnerView.banded` (:meth:`ActivityBlind.band`): the candidate pairs of
    :func:`symbiose.blinding.pair_table`, shown only when :func:`symbiose.blinding.visible`, the
    partner's activity from an :class:`~symbiose.blinding.ActivityBlind` of the viewer counting the
    companies that put out (take in) the pair's material, and :func:`symbiose.blinding.view` of the
    banded pair.
    """

    def __init__(self, network: Network, result) -> None:
        from symbiose import blinding
        from symbiose.compat import load_knowledge_base

        self.network = network
        self.road_factor = result.candidates.params.road_factor
        self.k = blinding.k_anonymity()
        self.pipes = blinding.pipe_costs(load_knowledge_base())
        self.rows = {(r.stream_id, r.need_id): r for r in blinding.pair_table(result.candidates).itertuples()}
        self._visible: dict[tuple[str, str], bool] = {}
        self._blinds: dict[str, object] = {}

    def visible(self, stream_id: str, need_id: str) -> bool:
        """Whether the Partners page lists the pair at all."""
        from symbiose import blinding

        key = (stream_id, need_id)
        if key not in self._visible:
            row = self.rows.get(key)
            self._visible[key] = row is not None and blinding.visible(row, pipes=self.pipes)
        return self._visible[key]

    def view(self, viewer_id: str, stream_id: str, need_id: str, side: str) -> dict[str, str] | None:
        """The pair as ``viewer_id`` reads it on its Partners page (``side``: ``supplier`` or
        ``receiver``), or None when the page does not list it."""
        from symbiose import blinding

        if not self.visible(stream_id, need_id):
            return None
        row = self.rows[(stream_id, need_id)]
        blind = self._blinds.get(viewer_id)
        if blind is None:
            viewer = self.network.company(viewer_id)
            blind = self._blinds[viewer_id] = blinding.ActivityBlind(
                self.network.companies, viewer, road_factor=self.road_factor, k=self.k,
                streams=self.network.streams, needs=self.network.needs)  # fmt: skip
        return blinding.view(blind.band(row, side, pipes=self.pipes))


def matched_cells(quantity: float, revealed: float, hidden: Sequence[float], unit: str) -> dict:
    """An own stream's (need's) quantity matched and left, for its sheet: exact when every partner
    is revealed; else a range, each quantity matched with a partner not yet revealed counted by its
    1-2-5 band (it may be the partner's own quantity), capped at the company's own quantity."""
    from symbiose.blinding import series_band

    if not hidden:
        return {"matched": revealed, "left": max(quantity - revealed, 0.0), "matched_text": "", "left_text": ""}
    bands = [series_band(q) for q in hidden]
    low = min(quantity, revealed + sum(min(quantity, b.low) for b in bands))
    high = min(quantity, revealed + sum(min(quantity, b.high) for b in bands))

    def span(a: float, b: float) -> str:
        return fmt(a) if fmt(a) == fmt(b) else _("{low} to {high} {unit}").format(low=fmt(a), high=fmt(b), unit=unit)

    return {"matched": None, "left": None, "matched_text": span(low, high),
            "left_text": span(max(quantity - high, 0.0), max(quantity - low, 0.0))}  # fmt: skip


def company_sheets(network: Network, result, flows: pd.DataFrame, kb_categories: dict) -> list[dict]:
    """One dict per company involved in a matched pair, a pipeline synergy or a suggestion.

    Partners are named only for pairs with mutual interest (:data:`DISCLOSED_STAGES`). A sheet is
    made to be handed to its company: a partner not yet revealed is shown as the company's Partners
    page shows it (:class:`SheetBlind`: coarse activity, distance, quantity and gain in bands, no
    exact figure of the partner), and a suggestion that page does not list is left out.
    """
    from symbiose.blinding import RECEIVER, SUPPLIER
    from symbiose.reference import fold_name

    companies = {c.id: c for c in network.companies}
    streams = result.candidates.streams
    needs = result.candidates.needs
    stream_company = dict(zip(streams["stream_id"], streams["company_id"], strict=True))
    need_company = dict(zip(needs["need_id"], needs["company_id"], strict=True))
    disclosed = {(s.stream_id, s.need_id) for s in network.synergies if s.stage in DISCLOSED_STAGES}
    naf = _naf_labels()
    blind = SheetBlind(network, result)

    def revealed(stream_id: str, need_id: str) -> bool:
        """Both sides interested, or one company on both sides (its own partner)."""
        own = stream_company.get(stream_id)
        return (stream_id, need_id) in disclosed or (own is not None and own == need_company.get(need_id))

    def partner_text(viewer_id: str, partner_id: str, stream_id: str, need_id: str, side: str) -> dict:
        """The partner's name once both sides agreed; else what the viewer's Partners page shows
        (``banded``: :func:`symbiose.blinding.view`, None when that page does not list the pair)."""
        partner = companies.get(partner_id)
        if partner is not None and revealed(stream_id, need_id):
            name = f"{partner.name} ({partner.commune})" if partner.commune else partner.name
            return {"text": name, "hidden": False, "banded": None}
        banded = blind.view(viewer_id, stream_id, need_id, side)
        text = banded["activity"] if banded else _("not shown before both sides are interested")
        return {"text": text, "hidden": True, "banded": banded}

    stream_text = {r.stream_id: (code_text(r.ewc_code, r.material), r.description) for r in streams.itertuples()}

    # suggestions seen from each side: the supplier for side 'stream', the receiver for side 'need'
    sugg = result.suggestions
    if len(sugg):
        as_supplier = sugg[sugg["side"] == "stream"].assign(
            company_id=lambda d: d["stream_id"].map(stream_company), partner_id=lambda d: d["need_id"].map(need_company),
            gain=lambda d: d["supplier_gain_eur"], direction=_("gives"), viewer_side=SUPPLIER)  # fmt: skip
        as_receiver = sugg[sugg["side"] == "need"].assign(
            company_id=lambda d: d["need_id"].map(need_company), partner_id=lambda d: d["stream_id"].map(stream_company),
            gain=lambda d: d["receiver_gain_eur"], direction=_("receives"), viewer_side=RECEIVER)  # fmt: skip
        both = pd.concat([as_supplier, as_receiver], ignore_index=True)
        # a hidden partner the Partners page does not list is not on the sheet either
        listed = [revealed(s, n) or blind.visible(s, n) for s, n in zip(both["stream_id"], both["need_id"], strict=True)]
        both = both[np.asarray(listed, dtype=bool)]
        # substitutions first, treatment outlets after (ranked apart); each list's first before any
        # list's second, so that every stream and need shows its best partner as its list (and the
        # waste hierarchy, on a stream's list) places it, then by the pair's total
        both["treatment_last"] = both["outlet"].isin(["treatment", "same_use"]) if "outlet" in both else False
        best = (both
                .sort_values(["company_id", "treatment_last", "rank", "score", "road_km", "stream_id", "need_id"],
                             ascending=[True, True, True, False, True, True, True])
                .groupby("company_id", sort=False).head(TOP_SUGGESTIONS))  # fmt: skip
        sugg_by = _by(best.to_dict("records"), "company_id")
    else:
        sugg_by = {}
    flow_records = flows.to_dict("records")
    flows_by: dict[str, list[dict]] = {}
    for f in flow_records:
        flows_by.setdefault(f["supplier_id"], []).append(f)
        if f["receiver_id"] != f["supplier_id"]:
            flows_by.setdefault(f["receiver_id"], []).append(f)
    streams_by = _by(streams.to_dict("records"), "company_id")
    needs_by = _by(needs.to_dict("records"), "company_id")
    used_s: dict[str, list[tuple[float, bool]]] = {}
    used_n: dict[str, list[tuple[float, bool]]] = {}
    for f in flow_records:
        shown = revealed(f["stream_id"], f["need_id"])
        used_s.setdefault(f["stream_id"], []).append((float(f["quantity"]), shown))
        used_n.setdefault(f["need_id"], []).append((float(f["quantity"]), shown))

    def matched(quantity: float, used: list[tuple[float, bool]], unit: str) -> dict:
        return matched_cells(quantity, sum(q for q, shown in used if shown), [q for q, shown in used if not shown],
                             unit)  # fmt: skip

    involved = set(flows_by) | set(sugg_by)
    for s in network.synergies:
        involved.update(x for x in (stream_company.get(s.stream_id), need_company.get(s.need_id)) if x)

    sheets = []
    seen: set[str] = set()
    for cid in sorted((i for i in involved if i in companies), key=lambda i: (fold_name(companies[i].name), i)):
        c = companies[cid]
        my_streams = []
        for row in streams_by.get(cid, []):
            q = row["quantity_base"] / BASE_PER_UNIT
            my_streams.append({"id": row["stream_id"], "code": code_text(row["ewc_code"], row["material"]),
                               "description": row["description"], "quantity": q, "unit": row["unit"],
                               "route": route_label(row["route"]), "route_cost_eur": row["route_cost_cents"] / 100,
                               **matched(q, used_s.get(row["stream_id"], []), row["unit"])})  # fmt: skip
        my_needs = []
        for row in needs_by.get(cid, []):
            q = row["quantity_base"] / BASE_PER_UNIT
            accepted = ", ".join(format_ewc(a) for a in row["accepted_codes"])
            cells = matched(q, used_n.get(row["need_id"], []), row["unit"])
            my_needs.append({"id": row["need_id"],
                             "what": _category_label(row["category"], kb_categories) or accepted,
                             "description": row["description"], "quantity": q, "unit": row["unit"],
                             "virgin_price_eur": row["virgin_price_cents"] / 100, "matched": cells["matched"],
                             "matched_text": cells["matched_text"], "unmet": cells["left"],
                             "unmet_text": cells["left_text"]})  # fmt: skip
        my_flows = []
        for f in flows_by.get(cid, []):
            gives = f["supplier_id"] == cid
            gain = (f["supplier_side_eur"] if gives else 0.0) + (f["receiver_side_eur"] if f["receiver_id"] == cid else 0.0)
            partner = partner_text(cid, f["receiver_id"] if gives else f["supplier_id"], f["stream_id"], f["need_id"],
                                   SUPPLIER if gives else RECEIVER)  # fmt: skip
            flow = {"direction": _("gives") if gives else _("receives"), "stream_id": f["stream_id"],
                    "need_id": f["need_id"], "code": code_text(f["ewc_code"], f["material"]),
                    "what": f["stream_description"], "category": _category_label(f["category"], kb_categories),
                    "partner": partner, "quantity": f["quantity"], "unit": f["unit"], "road_km": f["road_km"],
                    "gain_eur": gain, "co2e_t": f["co2e_avoided_t"]}  # fmt: skip
            if partner["hidden"]:  # none of the partner's exact figures: the bands of its Partners page
                flow.update(quantity=None, road_km=None, gain_eur=None, co2e_t=None)
                if not gives:  # the supplier's own words about its stream could name it: codes only
                    flow.update(code="", what=partner["banded"]["what"] if partner["banded"] else flow["code"])
            my_flows.append(flow)
        my_flows.sort(key=lambda f: (f["partner"]["hidden"], -(f["gain_eur"] or 0.0), f["stream_id"], f["need_id"]))
        my_sugg = []
        for r in sugg_by.get(cid, []):
            partner = partner_text(cid, r["partner_id"], r["stream_id"], r["need_id"], r["viewer_side"])
            row = {"direction": r["direction"], "stream_id": r["stream_id"], "need_id": r["need_id"],
                   "code": stream_text[r["stream_id"]][0], "what": stream_text[r["stream_id"]][1],
                   "partner": partner, "quantity": r["quantity"], "unit": r["unit"], "road_km": r["road_km"],
                   "breakeven_km": r["breakeven_km"], "gain_eur": r["gain"], "price_fair_eur": r["price_fair_eur"],
                   "in_optimum": bool(r["in_optimum"]),
                   "treatment": r.get("outlet") == "treatment"}  # fmt: skip
            if partner["hidden"]:
                row.update(quantity=None, road_km=None, breakeven_km=None, gain_eur=None, price_fair_eur=None)
                if r["viewer_side"] == RECEIVER:
                    row.update(code="", what=partner["banded"]["what"])
            my_sugg.append(row)
        shown_flows = [f for f in my_flows if not f["partner"]["hidden"]]
        sheets.append({
            "id": cid, "anchor": _slug(f"company-{cid}", seen), "name": c.name, "commune": c.commune,
            "naf_code": c.naf_code, "naf_label": naf.get(c.naf_code.strip().upper(), ""),
            "streams": my_streams, "needs": my_needs, "flows": my_flows, "suggestions": my_sugg,
            "gain_eur": sum(f["gain_eur"] for f in shown_flows),
            "co2e_t": sum(f["co2e_t"] for f in shown_flows),
            "hidden_flows": len(my_flows) - len(shown_flows),
            "any_hidden": any(x["partner"]["hidden"] for x in (*my_flows, *my_sugg)),
        })  # fmt: skip
    return sheets


def pipeline(network: Network, result, matches: pd.DataFrame) -> dict:
    """Counts by stage (every stage, in pipeline order) and one row per synergy."""
    companies = {c.id: c.name for c in network.companies}
    streams = {s.id: s for s in network.streams}
    needs = {n.id: n for n in network.needs}
    optimum = matches.set_index(["stream_id", "need_id"])["quantity"].to_dict() if len(matches) else {}
    counts = {str(stage): 0 for stage in Stage}
    rows = []
    order = {str(stage): i for i, stage in enumerate(Stage)}
    for s in sorted(network.synergies, key=lambda s: (order.get(str(s.stage), 99), s.id)):
        counts[str(s.stage)] = counts.get(str(s.stage), 0) + 1
        stream, need = streams.get(s.stream_id), needs.get(s.need_id)
        unit = str(stream.unit) if stream else ""
        rows.append({
            "id": s.id, "stage": stage_label(s.stage),
            "supplier": companies.get(stream.company_id, "?") if stream else "?",
            "receiver": companies.get(need.company_id, "?") if need else "?",
            "code": code_text(stream.ewc_code, stream.material) if stream else s.stream_id,
            "what": stream.description if stream else "",
            "quantity": None if s.quantity_base is None else s.quantity_base / BASE_PER_UNIT, "unit": unit,
            "optimum": optimum.get((s.stream_id, s.need_id)),
            "created_on": fmt_date(s.created_on) if s.created_on else "",
            "updated_on": fmt_date(s.updated_on) if s.updated_on else "",
            "notes": "; ".join(x for x in (s.abandoned_reason, s.notes) if x),
        })  # fmt: skip
    return {"counts": [(stage_label(k), v) for k, v in counts.items()], "rows": rows, "total": len(rows)}


def comparison_view(comparison, *, rounded: bool = False) -> dict:
    """The scenario comparison table with formatted values and signed differences; ``rounded``:
    as the public edition gives them (:meth:`symbiose.compare.Comparison.table`)."""
    from symbiose.compare import COUNTS, INDICATORS

    table = comparison.table(rounded=rounded)
    formats = {label: f for _key, label, f in INDICATORS}
    lower_is_better = {label for key, label, _spec in INDICATORS if key in LOWER_IS_BETTER}
    names = [s.name for s in comparison.scenarios]
    diff_cols = [c for c in table.columns if c not in names]
    rows = []
    counts = {label for key, label, _spec in INDICATORS if key in COUNTS}
    for label, row in table.iterrows():
        f = formats.get(label, "{:,.2f}")
        if rounded and label not in counts:
            f = "{:,.0f}"  # two significant figures of 4 000 t: no « 4 000,0 »
        sign = -1.0 if label in lower_is_better else 1.0
        rows.append({"label": _(label), "cells": [fmt(row[n], f) for n in names],
                     "deltas": [(fmt_delta(row[c], f), sign * float(row[c])) for c in diff_cols]})  # fmt: skip
    changes = comparison.synergy_changes()
    summary = []
    if len(changes):
        for (scenario, change), group in changes.groupby(["scenario", "change"]):
            summary.append(synergy_change_text(scenario, change, len(group)))
    from symbiose.compare import delta_label

    first = names[0] if names else ""
    headers = [delta_label(c[: -len(first) - 3], first) if c.endswith(f" - {first}") else c for c in diff_cols]
    return {"names": names, "diff_cols": headers, "rows": rows, "changes": summary,
            "scenarios": [(s.name, s.description) for s in comparison.scenarios]}  # fmt: skip


def factor_sources(result, kb_categories: dict, flows: pd.DataFrame) -> list[dict]:
    """CO2e factors used by the matched categories, with their sources."""
    used = sorted(set(flows["category"])) if len(flows) else []
    rows = []
    for cat in used:
        c = kb_categories.get(cat)
        if c is None:
            continue
        rows.append({"category": category_label(c.id), "unit": str(c.unit), "virgin": c.virgin_co2e_kg_per_unit,
                     "landfill": c.landfill_co2e_kg_per_t, "source": _(c.co2e_source)})  # fmt: skip
    return rows


# ---------------------------------------------------------------------------------------------
# files


def _json_safe(value):
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _point(lat: float, lon: float) -> dict:
    return {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}


def synergies_geojson(network: Network, matches: pd.DataFrame) -> dict:
    """Companies involved (points) and matched pairs (lines), coordinates [lon, lat]."""
    roles = company_roles(network, matches)
    stages = {(s.stream_id, s.need_id): str(s.stage) for s in network.synergies}
    where = {c.id: c for c in network.companies}
    features = []
    for c in network.companies:
        if roles[c.id] != "none":
            features.append({"type": "Feature", "id": c.id, "geometry": _point(c.latitude, c.longitude),
                             "properties": {"kind": "company", "id": c.id, "name": c.name, "commune": c.commune,
                                            "role": roles[c.id]}})  # fmt: skip
    for row in matches.itertuples():
        a, b = where[row.supplier_id], where[row.receiver_id]
        props = {"kind": "synergy", "stream_id": row.stream_id, "need_id": row.need_id,
                 "supplier_id": row.supplier_id, "receiver_id": row.receiver_id,
                 "quantity": row.quantity, "unit": row.unit, "distance_km": row.distance_km,
                 "road_km": row.road_km, "category": row.category, "value_eur": row.value_eur,
                 "co2e_avoided_t": row.co2e_avoided_t, "stage": stages.get((row.stream_id, row.need_id))}  # fmt: skip
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [
            _point(a.latitude, a.longitude)["coordinates"], _point(b.latitude, b.longitude)["coordinates"]]},
            "properties": {k: _json_safe(v) for k, v in props.items()}})  # fmt: skip
    return {"type": "FeatureCollection", "name": network.name or "synergies", "features": features}


def companies_geojson(network: Network, matches: pd.DataFrame) -> dict:
    """Every company as a point (no contact details)."""
    roles = company_roles(network, matches)
    features = [
        {"type": "Feature", "id": c.id, "geometry": _point(c.latitude, c.longitude),
         "properties": {"id": c.id, "name": c.name, "commune": c.commune, "insee_code": c.insee_code,
                        "naf_code": c.naf_code, "role": roles[c.id],
                        "streams": sum(s.company_id == c.id for s in network.streams),
                        "needs": sum(n.company_id == c.id for n in network.needs)}}
        for c in network.companies
    ]  # fmt: skip
    return {"type": "FeatureCollection", "name": network.name or "companies", "features": features}


def _write_json(path: Path, payload: dict) -> Path:
    path.write_text(json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=1) + "\n", encoding="utf-8")
    return path


def _cell_value(value):
    """A value openpyxl writes as it is: None for missing, Python numbers, text for the rest."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | str):
        return value
    return str(value)


def kpis_frame(kpis) -> pd.DataFrame:
    values = kpis.as_dict()
    rows = [(key, _(label), values[key], _(unit) if unit else "") for key, label, unit, _spec in INDICATOR_ROWS]
    rows.append(("method", _("Method and counterfactual"), _(kpis.method), ""))
    return pd.DataFrame(rows, columns=["key", "indicator", "value", "unit"])


#: Sheets of ``matches.xlsx``: the programs' names, and the French spreadsheet's
XLSX_SHEETS = {"kpis": "indicateurs", "matches": "appariements", "suggestions": "suggestions",
               "unmatched": "sans_debouche"}  # fmt: skip


def xlsx_sheets(result, unmatched: pd.DataFrame, *, machine: bool = False) -> dict[str, pd.DataFrame]:
    """The sheets of ``matches.xlsx`` by name. In French (unless ``machine``) as the CSV files of
    the same run read (:func:`symbiose.result_files.spreadsheet_frame`): French sheet names and
    column names, coded words, categories and months in words, ``oui``/``non``; the indicators
    without their program keys. In English, or with ``machine``, the programs' names and codes."""
    from symbiose.result_files import machine_format, spreadsheet_frame

    sheets = {
        "kpis": kpis_frame(result.kpis),
        "matches": result.matches(),
        "suggestions": result.suggestions,
        "unmatched": unmatched[["code", "label", "quantity", "unit", "producers", "no_partner"]],
    }
    if machine_format(machine):
        return sheets
    sheets["kpis"] = sheets["kpis"].drop(columns="key")
    return {XLSX_SHEETS[name]: spreadsheet_frame(frame) for name, frame in sheets.items()}


def write_xlsx(result, path: Path, unmatched: pd.DataFrame, *, machine: bool = False) -> Path:
    """matches.xlsx: kpis, matches, suggestions, unmatched (text never turned into formulas), in
    the reader's language as :func:`xlsx_sheets` gives them."""
    sheets = xlsx_sheets(result, unmatched, machine=machine)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    from symbiose.safe_output import escape_cell

    wb = Workbook(write_only=True)
    for name, frame in sheets.items():
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
        columns = list(frame.columns)
        for j, column in enumerate(columns, start=1):
            values = frame[column]
            longest = int(values.head(500).astype(str).str.len().max()) if len(values) else 0
            ws.column_dimensions[get_column_letter(j)].width = min(max(len(str(column)), longest) + 2, 60)
        ws.append([str(c) for c in columns])
        for record in frame.itertuples(index=False, name=None):
            row = []
            for value in record:
                value = _cell_value(value)
                if isinstance(value, str):
                    cell = WriteOnlyCell(ws, value=escape_cell(value))
                    cell.data_type = "s"  # user text stays text, never a formula
                    value = cell
                row.append(value)
            ws.append(row)
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# HTML


def _figures(value) -> str:
    from symbiose.report_public import fmt_figures

    return fmt_figures(value)


@cache
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v, d=0: fmt(v, f"{{:,.{d}f}}")
    env.filters["signed"] = lambda v, d=0: fmt_delta(v, f"{{:,.{d}f}}")
    # a quantity recorded on a synergy, every decimal kept (2,5 t read « 2 t »; 1,234 t « 1 t »)
    env.filters["recorded"] = lambda v: "—" if v is None else fmt_decimal(float(v), 3)
    env.filters["figures"] = _figures  # a value rounded to significant figures (public edition)
    # ``_("text {name}", name=value)``: translated in the language current at rendering time
    env.globals["_"] = lambda message, **values: _(message).format(**values) if values else _(message)
    return env


def render_html(network: Network, result, *, comparison=None, today: date | None = None) -> str:
    """The report as one HTML string."""
    from markupsafe import Markup

    from symbiose.compat import load_knowledge_base
    from symbiose.reference import haute_saintonge_communes

    kb_categories = load_knowledge_base().categories
    kpis = result.kpis
    values = kpis.as_dict()
    matches = result.matches()
    flows = flows_with_sides(result)
    companies = companies_frame(network, matches)
    try:
        communes = haute_saintonge_communes()
    except (OSError, ValueError):  # another territory without the packaged table
        communes = None
    indicators = [{"key": k, "label": _(label), "unit": _(unit) if unit else "", "value": fmt(values[k], f),
                   "sub": label.startswith(("of which", "minus"))} for k, label, unit, f in INDICATOR_ROWS]  # fmt: skip
    by_key = {i["key"]: i for i in indicators}
    top = flows.sort_values(["value_eur", "stream_id", "need_id"], ascending=[False, True, True]).head(TOP_FLOWS)
    top_rows = [{"supplier": r.supplier, "receiver": r.receiver, "code": code_text(r.ewc_code, r.material),
                 "what": r.stream_description, "category": _category_label(r.category, kb_categories),
                 "quantity": r.quantity, "unit": r.unit, "road_km": r.road_km, "distance_km": r.distance_km,
                 "value_eur": r.value_eur, "co2e_t": r.co2e_avoided_t} for r in top.itertuples()]  # fmt: skip
    unmatched = unmatched_frame(result, kb_categories)
    params = result.candidates.params
    context = {
        "title": _("{network}: industrial symbiosis impact report").format(network=network.name or _("Network")),
        "network_name": network.name or _("Network"), "lang": get_language(),
        "today": fmt_date(today or date.today()),
        "n_companies": len(network.companies), "n_streams": len(network.streams), "n_needs": len(network.needs),
        "headline": [by_key[k] for k in HEADLINE], "indicators": indicators, "method": _(kpis.method),
        "params": params, "factors": factor_sources(result, kb_categories, flows),
        "map": Markup(map_svg(companies, matches, communes, title=_("Map of {network}").format(
            network=network.name or _("the network")))),
        "n_matches": len(matches), "top_flows": top_rows,
        "pipeline": pipeline(network, result, matches),
        "comparison": comparison_view(comparison) if comparison is not None else None,
        "unmatched": unmatched.head(TOP_UNMATCHED).to_dict("records"), "n_unmatched": len(unmatched),
        "sheets": company_sheets(network, result, flows, kb_categories),
        "backend": result.allocation.backend, "status": result.allocation.status,
    }  # fmt: skip
    return _environment().get_template("report.html.j2").render(**context)


def build_report(
    network: Network,
    out_dir: str | Path,
    *,
    params: MatchParameters | None = None,
    scenario_files: Iterable[str] = (),
    load_base: Callable[[str], Network] | None = None,
    result=None,
    edition: str = "public",
) -> list[Path]:
    """Write report.html and the exports into ``out_dir``; return the paths written.

    ``edition``: ``"public"`` (no company data: report.html and kpis.json only) or ``"officer"``
    (the confidential report with company sheets and every export); see :mod:`symbiose.report_public`.

    ``result`` (a :class:`~symbiose.matching.MatchResult` of ``network``) skips the matching run;
    otherwise the network is matched with ``params``. Each scenario file is resolved from the
    base its ``base`` key names, loaded by ``load_base`` (by default: the network reported on).
    """
    from symbiose.matching import run_match
    from symbiose.report_public import EDITIONS
    from symbiose.safe_output import atomic_folder, moved

    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}, got {edition!r}")
    if result is None:
        result = run_match(network, params)

    with atomic_folder(out_dir) as out:
        paths = _write_report(network, result, out, scenario_files, load_base, edition)
    return moved(paths, out, Path(out_dir))


def _write_report(network, result, out: Path, scenario_files, load_base, edition: str) -> list[Path]:
    from symbiose.compat import load_knowledge_base
    from symbiose.matching import write_outputs
    from symbiose.report_public import render_public_html

    comparison = None
    scenario_files = list(scenario_files)
    if scenario_files:
        from symbiose.compare import compare_scenarios

        comparison = compare_scenarios(scenario_files, load_base or (lambda base: network))
    if edition == "public":
        report = out / "report.html"
        report.write_text(render_public_html(network, result, comparison=comparison), encoding="utf-8")
        from symbiose.catalogue import anonymity_k
        from symbiose.report_public import public_kpis

        kpis = out / "kpis.json"
        values = public_kpis(result, load_knowledge_base().categories, anonymity_k())
        kpis.write_text(json.dumps(values, indent=2, ensure_ascii=False, default=float) + "\n", encoding="utf-8")
        return [report, kpis]
    html = render_html(network, result, comparison=comparison)
    report = out / "report.html"
    report.write_text(html, encoding="utf-8")
    paths = [report]
    paths += write_outputs(result, out)
    matches = result.matches()
    unmatched = unmatched_frame(result, load_knowledge_base().categories)
    paths.append(write_xlsx(result, out / "matches.xlsx", unmatched))
    paths.append(_write_json(out / "synergies.geojson", synergies_geojson(network, matches)))
    paths.append(_write_json(out / "companies.geojson", companies_geojson(network, matches)))
    if comparison is not None:
        paths += comparison.write(out)
    return paths
