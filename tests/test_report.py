"""The impact report and its exports, on a hand-made network and on the demo network."""

from __future__ import annotations

import json
import math
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from symbiose.domain import Company, Need, Network, Route, Stage, Stream, Synergy
from symbiose.report import INDICATOR_ROWS, MapFrame, build_report, nice_scale_km, project
from symbiose.units import Unit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class TagChecker(HTMLParser):
    """Tags balanced (every non-void element closed in order), ids unique, sections and SVG seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.company_sections: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "section" and "company" in (attrs.get("class") or "").split():
            self.company_sections.append(attrs["id"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}> at {self.getpos()}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse_html(text: str) -> TagChecker:
    checker = TagChecker()
    checker.feed(text)
    checker.close()
    return checker


# Five companies of Haute-Saintonge; names and descriptions carry markup and a formula to check
# that user text is escaped in the HTML and stays text in Excel.
NASTY = "Scierie <b>& Fils"


def small_network() -> Network:
    companies = (
        Company("C1", NASTY, 45.28593, -0.38618, commune="Montendre", naf_code="16.10A"),
        Company("C2", "Chaufferie de Jonzac", 45.4413, -0.42366, commune="Jonzac", naf_code="35.30Z"),
        Company("C3", "Carrière de Pons", 45.57627, -0.55935, commune="Pons", naf_code="08.12Z"),
        Company("C4", "=Terrassements du Sud", 45.43, -0.44, commune="Jonzac", naf_code="43.12A"),
        Company("C5", "Garage sans débouché", 45.35, -0.30, commune="Montlieu-la-Garde", naf_code="45.20A"),
    )
    streams = (
        Stream("S1", "C1", 1_000_000, Unit.T, ewc_code="030105", description="Sawdust <b>&amp;",
               route=Route.OTHER, route_cost_cents=1000),
        Stream("S2", "C4", 3_000_000, Unit.T, ewc_code="170504", description="Excavated soil",
               route=Route.LANDFILL, route_cost_cents=2500),
        Stream("S3", "C5", 50_000, Unit.T, ewc_code="160103", description="End-of-life tyres",
               route=Route.LANDFILL, route_cost_cents=9000),
    )  # fmt: skip
    needs = (
        Need("N1", "C2", 800_000, Unit.T, category="wood_fuel", description="Chips for the heat network",
             virgin_price_cents=4000),
        Need("N2", "C3", 5_000_000, Unit.T, category="backfill", description="Quarry restoration",
             virgin_price_cents=800),
    )  # fmt: skip
    synergies = (
        Synergy("SY1", "S1", "N1", Stage.IMPLEMENTED, quantity_base=800_000, created_on=date(2024, 3, 1),
                notes="walking-floor <script>alert(1)</script>"),
        Synergy("SY2", "S2", "N2", Stage.CONTACTED, created_on=date(2025, 1, 15)),
    )  # fmt: skip
    return Network(companies, streams, needs, synergies, name="Réseau <test> & co")


@pytest.fixture(scope="module", autouse=True)
def english():
    """These tests read the English report (SYMBIOSE_LANGUAGE=en); test_french.py reads the French one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SYMBIOSE_LANGUAGE", "en")
        yield


@pytest.fixture(scope="module")
def small_report(tmp_path_factory, english) -> tuple[Network, Path, list[Path]]:
    network = small_network()
    out = tmp_path_factory.mktemp("report")
    return network, out, build_report(network, out, edition="officer")


def test_files_written(small_report):
    _, out, paths = small_report
    names = {p.name for p in paths}
    assert {"report.html", "matches.csv", "kpis.json", "matches.xlsx", "synergies.geojson",
            "companies.geojson"} <= names  # fmt: skip
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)


def test_small_network_matches_both_synergies(small_report):
    _, out, _ = small_report
    matches = pd.read_csv(out / "matches.csv")
    # S1 -> N1: 800 t (the need's size); S2 -> N2: 3,000 t (the stream's size)
    pairs = dict(zip(zip(matches["stream_id"], matches["need_id"], strict=True), matches["quantity"], strict=True))
    assert pairs[("S1", "N1")] == pytest.approx(800)
    assert pairs[("S2", "N2")] == pytest.approx(3000)


def test_html_is_well_formed_and_self_contained(small_report):
    _, out, _ = small_report
    html = (out / "report.html").read_text(encoding="utf-8")
    checker = parse_html(html)
    assert checker.errors == []
    assert checker.stack == []
    assert len(checker.ids) == len(set(checker.ids)), "duplicate ids"
    assert "svg" in checker.tags and "circle" in checker.tags and "line" in checker.tags
    lowered = html.lower()
    assert "<script" not in lowered
    assert "http" not in lowered  # no external resource (nor any link) at all
    assert "@import" not in lowered and "url(" not in lowered
    assert "@media print" in html and "page-break-before" in html


def test_user_text_is_escaped(small_report):
    _, out, _ = small_report
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<b>" not in html
    assert "Scierie &lt;b&gt;&amp; Fils" in html
    assert "Réseau &lt;test&gt; &amp; co" in html
    assert "Sawdust &lt;b&gt;&amp;amp;" in html  # the literal '&amp;' typed by a user stays visible
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_html_shows_indicators_with_units_and_method(small_report):
    _, out, _ = small_report
    html = (out / "report.html").read_text(encoding="utf-8")
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    for key, _, unit, spec in INDICATOR_ROWS:
        assert spec.format(kpis[key]) in html, key
        if unit:
            assert unit in html
    assert kpis["method"].split(".")[0] in html  # "Per year"
    assert "Counterfactual" in html
    assert "DESNZ" in html  # CO2e factor sources
    assert kpis["synergies"] == 2


def test_html_has_a_sheet_per_involved_company(small_report):
    network, out, _ = small_report
    html = (out / "report.html").read_text(encoding="utf-8")
    checker = parse_html(html)
    matches = pd.read_csv(out / "matches.csv")
    involved = set(matches["supplier_id"]) | set(matches["receiver_id"])
    assert involved == {"C1", "C2", "C3", "C4"}
    assert {f"company-{c}" for c in involved} <= set(checker.company_sections)
    assert "company-C5" not in checker.company_sections  # no partner, no suggestion, no synergy
    # partner names only after mutual interest: SY2 is at "contacted" (one side only), not named
    assert "Carrière de Pons (Pons)" not in html
    assert "Culture de la vigne" not in html


def test_html_pipeline_top_flows_and_unmatched(small_report):
    _, out, _ = small_report
    html = (out / "report.html").read_text(encoding="utf-8")
    text = " ".join(parse_html(html).text)
    assert "implemented" in text and "contacted" in text
    assert "SY1" in text and "SY2" in text
    assert "16 01 03" in text  # the tyres have no outlet
    assert "End-of-life tyres" in html or "End-of-life" in text or "tyres" in text
    assert "km" in text  # scale bar


def test_geojson(small_report):
    network, out, _ = small_report
    matches = pd.read_csv(out / "matches.csv")
    data = json.loads((out / "synergies.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    lines = [f for f in data["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    assert len(lines) == len(matches)
    assert {p["properties"]["id"] for p in points} == {"C1", "C2", "C3", "C4"}
    for f in data["features"]:
        coords = f["geometry"]["coordinates"]
        for lon, lat in coords if f["geometry"]["type"] == "LineString" else [coords]:
            assert -2 <= lon <= 1 and 45 <= lat <= 46.5  # [lon, lat] order (RFC 7946)
    where = {c.id: [c.longitude, c.latitude] for c in network.companies}
    for f in lines:
        p = f["properties"]
        assert set(p) >= {"stream_id", "need_id", "quantity", "unit", "distance_km", "value_eur", "co2e_avoided_t"}
        supplier = {"S1": "C1", "S2": "C4"}[p["stream_id"]]
        assert f["geometry"]["coordinates"][0] == pytest.approx(where[supplier])
    roles = {p["properties"]["id"]: p["properties"]["role"] for p in points}
    assert roles == {"C1": "supplier", "C2": "receiver", "C3": "receiver", "C4": "supplier"}
    companies = json.loads((out / "companies.geojson").read_text(encoding="utf-8"))
    assert companies["type"] == "FeatureCollection"
    assert len(companies["features"]) == len(network.companies)
    assert all(f["geometry"]["type"] == "Point" for f in companies["features"])


def test_xlsx(small_report):
    _, out, _ = small_report
    matches = pd.read_csv(out / "matches.csv")
    wb = openpyxl.load_workbook(out / "matches.xlsx")
    assert {"kpis", "matches", "suggestions", "unmatched"} <= set(wb.sheetnames)
    assert wb["matches"].max_row - 1 == len(matches)
    # a name starting with '=' stays text, never a formula: escaped with an apostrophe (OWASP)
    cells = [c for row in wb["matches"].iter_rows() for c in row if c.value == "'=Terrassements du Sud"]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not [c for row in wb["matches"].iter_rows() for c in row if str(c.value).startswith("=")]
    assert "'=Terrassements du Sud" in set(matches.astype(str).to_numpy().ravel())
    kpis = {r[0]: r[2] for r in wb["kpis"].iter_rows(min_row=2, values_only=True)}
    assert kpis["synergies"] == 2
    assert "method" in kpis


def test_scenario_comparison(tmp_path):
    network = small_network()
    scenario = tmp_path / "tgap.toml"
    scenario.write_text(
        '[scenario]\nname = "TGAP +20"\nbase = "small"\n'
        "[parameters.route_cost_delta_eur]\nlandfill = 20\n"
        '[variants.short]\nname = "10 km radius"\nparameters = { max_distance_km = 10 }\n',
        encoding="utf-8",
    )
    paths = build_report(network, tmp_path / "out", scenario_files=[str(scenario)], load_base=lambda base: network,
                         edition="officer")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert parse_html(html).errors == []
    assert 'id="scenarios"' in html
    assert "TGAP +20" in html and "10 km radius" in html
    assert "Δ 10 km radius vs TGAP +20" in html  # the difference column
    assert any(p.name == "comparison.csv" for p in paths)


def test_empty_network(tmp_path):
    paths = build_report(Network(name="empty"), tmp_path, edition="officer")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert parse_html(html).errors == []
    assert json.loads((tmp_path / "synergies.geojson").read_text())["features"] == []
    assert len(paths) >= 6


def test_projection_and_scale():
    frame = MapFrame.fit([45.0, 46.0], [-1.0, 0.0], width=500, max_height=500, margin=0, pad=0)
    # one km is the same number of pixels east-west and north-south in the middle of the box
    x0, y0 = project(45.5, -0.5, frame)
    x1, _ = project(45.5, -0.5 + 1 / (111.195 * math.cos(math.radians(45.5))), frame)
    _, y1 = project(45.5 + 1 / 111.195, -0.5, frame)
    assert x1 - x0 == pytest.approx(y0 - y1, rel=0.02)
    assert y0 > project(45.9, -0.5, frame)[1]  # north is up
    assert nice_scale_km(37) == 20 and nice_scale_km(4.9) == 2 and nice_scale_km(0.5) == 1


DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


@pytest.mark.skipif(not (DEMO / "companies.csv").exists(), reason="demo network not built")
def test_demo_report(tmp_path):
    from symbiose.bundle import read_bundle

    network = read_bundle(DEMO)
    paths = build_report(network, tmp_path, edition="officer")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    checker = parse_html(html)
    assert checker.errors == [] and checker.stack == []
    assert "<script" not in html.lower()
    assert 'src="http' not in html and 'href="http' not in html and "url(" not in html
    matches = pd.read_csv(tmp_path / "matches.csv")
    involved = set(matches["supplier_id"]) | set(matches["receiver_id"])
    assert {f"company-{c}" for c in involved} <= set(checker.company_sections)
    data = json.loads((tmp_path / "synergies.geojson").read_text(encoding="utf-8"))
    lines = [f for f in data["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == len(matches)
    hs = {c.id for c in network.companies if c.commune and 45 <= c.latitude <= 46.5}
    for f in data["features"]:
        if f["geometry"]["type"] == "Point" and f["properties"]["id"] in hs:
            lon, lat = f["geometry"]["coordinates"]
            assert -2 <= lon <= 1 and 45 <= lat <= 46.5
    wb = openpyxl.load_workbook(tmp_path / "matches.xlsx", read_only=True)
    assert {"kpis", "matches", "suggestions", "unmatched"} <= set(wb.sheetnames)
    assert sum(1 for _ in wb["matches"].iter_rows()) - 1 == len(matches)
    assert len(paths) >= 7


def test_a_companys_best_suggestions_take_each_lists_first_before_any_second(demo, demo_result):
    """The report's top suggestions of a company: every list's first (as the list orders it, the
    waste hierarchy included) before any list's second, substitutions before treatment outlets."""
    from symbiose.compat import load_knowledge_base
    from symbiose.i18n import _
    from symbiose.report import company_sheets, flows_with_sides

    sheets = company_sheets(demo, demo_result, flows_with_sides(demo_result), load_knowledge_base().categories)
    sugg = demo_result.suggestions
    rank = {(r.side, r.stream_id, r.need_id): r.rank for r in sugg.itertuples()}
    seen = 0
    for sheet in sheets:
        shown = [s for s in sheet["suggestions"] if not s["treatment"]]
        ranks = [rank[("stream" if s["direction"] == _("gives") else "need", s["stream_id"], s["need_id"])]
                 for s in shown]  # fmt: skip
        assert ranks == sorted(ranks), sheet["id"]
        seen += len(set(ranks)) > 1
    assert seen > 5  # companies whose top holds firsts and seconds


def test_a_synergys_recorded_quantity_reads_with_its_decimals(tmp_path):
    """A synergy recorded at 2,5 t read « 2 t » in the officer's pipeline table (and 1,234 t « 1 t »),
    while the pipeline page and `symbiose list synergies` give 2,5."""
    from dataclasses import replace

    network = small_network()
    (first, *others) = network.synergies
    network = replace(network, synergies=(replace(first, quantity_base=2_500), *others))
    (html,) = [p for p in build_report(network, tmp_path, edition="officer") if p.name == "report.html"]
    text = html.read_text(encoding="utf-8")
    assert f"<td class=\"n\">2.5 {next(s.unit for s in network.streams if s.id == first.stream_id)}</td>" in text
