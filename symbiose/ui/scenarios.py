"""Scenarios (planners): compare scenario files or an ad-hoc scenario, find opportunities for a
new processor, and test which synergies are robust."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
import pydeck as pdk
import streamlit as st

from symbiose.bundle import read_bundle
from symbiose.compare import Comparison
from symbiose.domain import Network, Role, format_ewc
from symbiose.errors import InfeasibleError, SymbioseError
from symbiose.i18n import N_, _, fmt_number, fmt_percent, fmt_quantity, get_language, ngettext
from symbiose.labels import per_year
from symbiose.matching import MatchResult
from symbiose.opportunity import find_opportunities, opportunities_frame, unserved_streams
from symbiose.params import MatchParameters
from symbiose.reference import data_dir
from symbiose.robustness import robustness
from symbiose.scenarios import Scenario, load_scenarios, resolve
from symbiose.ui import common, maps
from symbiose.ui.overview import ROLE_COLOURS

RUNS_KEY = "scenario_runs"
BASE_LABEL = N_("Stored network, default parameters")
CHANGE_WORDS = {"appears": N_("gained"), "disappears": N_("lost"), "changes": N_("changed")}


@dataclass(frozen=True)
class Run:
    scenario: Scenario
    network: Network
    params: MatchParameters
    result: MatchResult
    warning: str


def scenario_choices() -> dict[str, Scenario]:
    """Every scenario of scenarios/*.toml (each file and its variants), by label."""
    found: dict[str, Scenario] = {}
    folder = common.scenarios_dir()
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            for scenario in load_scenarios(path):
                found[f"{scenario.name} ({path.name}{scenario.source.partition('#')[1]}"
                      f"{scenario.source.partition('#')[2]})"] = scenario  # fmt: skip
        except SymbioseError as exc:
            st.warning(_("Scenario file skipped: {error}").format(error=exc))
    return found


def load_base(base: str) -> Network:
    if base == "database":
        return common.network()
    if base == "demo":
        return read_bundle(data_dir() / "demo", check_contacts=False)
    return read_bundle(base, check_contacts=False)


def adhoc_scenario() -> Scenario | None:
    """The ad-hoc scenario of the fields below, or None while one of them is not a number in its
    range (the reason is shown under the field)."""
    st.markdown(_("**Ad-hoc scenario** (from the stored network)"))
    c1, c2, c3 = st.columns(3)
    number = common.decimal_input
    transport = number(c1, _("Road freight (EUR/t.km)"), 0.15, "adhoc_transport", low=0.0, high=5.0)
    road = number(c2, _("Road factor (road km / straight km)"), 1.3, "adhoc_road", low=1.0, high=3.0)
    carbon = number(c3, _("Carbon price (EUR/t CO2e)"), 0.0, "adhoc_carbon", low=0.0, high=1000.0)
    c1, c2, _c3 = st.columns(3)
    radius = number(c1, _("Maximum road distance (km, 0 = none)"), 0.0, "adhoc_radius", low=0.0, high=500.0)
    landfill = number(c2, _("Landfill cost change (EUR/t)"), 0.0, "adhoc_landfill", low=-200.0, high=500.0)
    if None in (transport, road, carbon, radius, landfill):
        return None
    params = MatchParameters(
        transport_cost_eur_per_tkm=transport, road_factor=road, carbon_price_eur_per_t=carbon,
        max_distance_km=radius or None, route_cost_delta_eur={"landfill": landfill} if landfill else {},
    )  # fmt: skip
    description = _("freight {transport} EUR/t.km, road factor {road}, carbon {carbon} EUR/t, {radius}, "
                    "landfill {landfill} EUR/t").format(
        transport=fmt_number(transport, 2), road=fmt_number(road, 2), carbon=fmt_number(carbon),
        radius=_("radius {radius} km").format(radius=fmt_number(radius, 1)) if radius else _("no radius"),
        landfill=("+" if landfill > 0 else "") + fmt_number(landfill, 2))  # fmt: skip
    return Scenario(name=_("Ad hoc"), description=description, base="database", params=params)


def run_scenarios(scenarios: list[Scenario], *, use_stored: bool, progress=None) -> list[Run]:
    """Resolve and match every scenario; ``progress(done, total, name)`` is told before each."""
    runs, bases = [], {}
    for done, scenario in enumerate(scenarios):
        if progress is not None:
            progress(done, len(scenarios), scenario.name)
        base = "database" if use_stored else scenario.base
        if base not in bases:
            bases[base] = load_base(base)
        network, params = resolve(scenario, bases[base])
        result, warning = common.safe_run_match(network, params)
        runs.append(Run(scenario, network, params, result, warning))
    return runs


def indicator_frame(comparison: Comparison, *, rounded: bool = False) -> pd.DataFrame:
    """Long form for charts: one row per indicator and scenario, with translated labels;
    ``rounded``: as a planner reads them (:meth:`symbiose.compare.Comparison.table`)."""
    table = comparison.table(rounded=rounded)
    rows = [{"order": order, "indicator": _(label), "scenario": scenario.name, "value": float(table.at[label, scenario.name])}
            for order, label in enumerate(table.index) for scenario in comparison.scenarios]  # fmt: skip
    return pd.DataFrame(rows, columns=["order", "indicator", "scenario", "value"])


def comparison_table(comparison: Comparison, *, rounded: bool = False) -> pd.DataFrame:
    """Indicators by scenario and their differences to the first, whole numbers; ``rounded``: as
    a planner reads them (:meth:`symbiose.compare.Comparison.table`)."""
    return comparison.table(rounded=rounded).round(0)


def indicator_charts(comparison: Comparison, *, rounded: bool = False):
    """One small bar chart per indicator, a bar per scenario (Altair), numbers in the locale."""
    import altair as alt

    frame = indicator_frame(comparison, rounded=rounded)
    french = get_language() == "fr"
    locale = alt.Locale(number={"decimal": "," if french else ".", "thousands": "\u00a0" if french else ",",
                                "grouping": [3], "currency": ["", "\u00a0EUR"]})  # fmt: skip
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("value:Q", title=None, axis=alt.Axis(format=",.0f", labelOverlap=True)),
        y=alt.Y("scenario:N", title=None, sort=None, axis=alt.Axis(labels=False, ticks=False)),
        color=alt.Color("scenario:N", title=_("Scenario"), sort=None, legend=alt.Legend(orient="top", labelLimit=400)),
        tooltip=[alt.Tooltip("scenario:N", title=_("Scenario")), alt.Tooltip("indicator:N", title=_("indicator")),
                 alt.Tooltip("value:Q", title=_("value"), format=",.1f")],
    ).properties(width=230, height=18 * len(comparison.scenarios) + 10)  # fmt: skip
    chart = bars.facet(facet=alt.Facet("indicator:N", title=None, sort=alt.SortField("order"),
                                       header=alt.Header(labelFontWeight="bold", labelLimit=260)),
                       columns=3).resolve_scale(x="independent")  # fmt: skip
    return chart.configure(locale=locale)


def changes_frame(comparison: Comparison) -> pd.DataFrame:
    """Synergies gained, lost or changed in each scenario against the first, in words."""
    changes = comparison.synergy_changes()
    return pd.DataFrame({
        _("scenario"): changes["scenario"],
        _("change"): changes["change"].map(lambda c: _(CHANGE_WORDS.get(c, c))),
        _("supplier"): changes["supplier"],
        _("receiver"): changes["receiver"],
        _("before (/yr)"): changes["quantity_before"].round(1),
        _("after (/yr)"): changes["quantity_after"].round(1),
        _("unit"): changes["unit"].map(per_year),
    })  # fmt: skip


def compare_section(runs: list[Run]) -> None:
    comparison = Comparison([r.scenario for r in runs], [r.result for r in runs])
    for run in runs:
        if run.warning:
            st.warning(_("{label}: {value}").format(label=run.scenario.name, value=run.warning))
    st.subheader(_("Indicators (per year)"))
    rounded = not common.sees_companies()
    st.altair_chart(indicator_charts(comparison, rounded=rounded), width="content")
    st.caption(_("Δ columns: difference of the scenario to the first one, '{name}'.").format(name=runs[0].scenario.name))
    if rounded:
        st.caption(_("Quantities and money to two significant figures, as in the public report."))
    table = comparison_table(comparison, rounded=rounded)
    if rounded and table.isna().to_numpy().any():
        from symbiose.catalogue import anonymity_k

        st.caption(_("Empty: fewer than {k} suppliers or {k} receivers stand behind this figure in the scenario; "
                     "it is withheld, as in the public report.").format(k=anonymity_k()))  # fmt: skip
    table.index = [_(label) for label in table.index]
    first = table.columns[0]
    # each scenario next to its difference to the first one
    order = [first] + [c for name in table.columns[1:len(runs)] for c in (name, f"{name} - {first}")]
    table = table[[c for c in order if c in table.columns]]
    labels = {c: (f"Δ {c[: -len(first) - 3]}" if c.endswith(f" - {first}") else c) for c in table.columns}
    table.index.name = _("indicator (per year)")
    st.dataframe(table, key="comparison_table", height=36 * (len(table) + 1) + 3, column_config={
        "_index": st.column_config.TextColumn(_("indicator (per year)"), width=250),
        **{c: common.number(label) for c, label in labels.items()}})  # fmt: skip
    for note in comparison.solver_notes():
        st.caption(note)
    # the numbers to the precision they are shown, the differences headed « Δ B par rapport à A »
    common.csv_download(comparison.spreadsheet_table(side_by_side=True, rounded=rounded), _("Download the comparison (CSV)"),
                        _("comparison.csv"), key="comparison_csv")  # fmt: skip
    if len(runs) > 1:
        changes = changes_frame(comparison)
        st.subheader(_("Synergies gained and lost"))
        cols = st.columns(len(runs) - 1)
        for col, run in zip(cols, runs[1:], strict=True):
            mine = changes[changes[_("scenario")] == run.scenario.name]
            gained = int((mine[_("change")] == _("gained")).sum())
            lost = int((mine[_("change")] == _("lost")).sum())
            col.metric(run.scenario.name, ngettext("{n} synergy gained", "{n} synergies gained", gained).format(
                n=fmt_number(gained)), delta=gained - lost, help=ngettext("{n} synergy lost", "{n} synergies lost",
                                                                         lost).format(n=fmt_number(lost)))  # fmt: skip
            col.caption(ngettext("{n} synergy lost", "{n} synergies lost", lost).format(n=fmt_number(lost)))
        if common.sees_companies():  # the table names both companies of each pair, with its quantity
            st.dataframe(changes, hide_index=True, key="changes_table", column_config={
                _("before (/yr)"): common.number(_("before (/yr)")),
                _("after (/yr)"): common.number(_("after (/yr)")),
                _("unit"): st.column_config.TextColumn(_("unit"), width="small")})  # fmt: skip
    with st.expander(_("Scenario descriptions")):
        for run in runs:
            st.markdown(_("**{field}**: {message}").format(field=run.scenario.name,
                                                            message=run.scenario.description or _("(no description)")))
    scenario_outputs(runs, comparison)


def scenario_outputs(runs: list[Run], comparison: Comparison) -> None:
    """A map per scenario and the downloads: impact report (HTML, PDF), Excel, GeoJSON."""
    from symbiose.ui.overview import commune_points, company_points, flow_lines, network_map

    st.subheader(_("Map and report of a scenario"))
    names = [r.scenario.name for r in runs]
    c1, c2 = st.columns([3, 1])
    chosen = c1.selectbox(_("Scenario"), range(len(runs)), format_func=names.__getitem__, key="outputs_scenario")
    online = c2.toggle(_("Online map tiles (needs the Internet)"), value=False, key="outputs_online")
    run = runs[chosen]
    matches = run.result.matches()
    drawn = matches.sort_values("value_eur", ascending=False).head(150)
    if common.sees_companies():
        points = company_points(run.network, matches)
        st.pydeck_chart(network_map(points, flow_lines(run.network, drawn), online=online),
                        key=f"scenario_map_{chosen}")  # fmt: skip
        maps.legend([(colour, _(role)) for role, colour in ROLE_COLOURS.items()])
        st.caption(_("{drawn} of {total} flows drawn (those worth most).").format(drawn=len(drawn), total=len(matches)))
    else:  # communes only: no company's place, no pair
        st.pydeck_chart(network_map(commune_points(run.network), None, online=online), key=f"scenario_map_{chosen}")
    edition = report_edition(common.role())
    files = report_builders(run, comparison, edition=edition)  # built when a button is clicked, not on every run
    cols = st.columns(4)
    cols[0].download_button(_("Impact report (HTML)"), files["html"], file_name=_("impact_report.html"),
                            mime="text/html", key="download_html", icon=":material/description:")  # fmt: skip
    if "pdf" in files:
        cols[1].download_button(_("Impact report (PDF)"), files["pdf"], file_name=_("impact_report.pdf"),
                                mime="application/pdf", key="download_pdf", icon=":material/picture_as_pdf:")  # fmt: skip
    if "xlsx" in files:
        cols[2].download_button(_("Flows (Excel)"), files["xlsx"], file_name=_("flows.xlsx"), key="download_xlsx",
                                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                icon=":material/table:")  # fmt: skip
    if "geojson" in files:
        cols[3].download_button(_("Synergies (GeoJSON)"), files["geojson"], file_name=_("synergies.geojson"),
                                mime="application/geo+json", key="download_geojson", icon=":material/map:")  # fmt: skip
    if edition == "public":
        st.caption(_("The HTML report is the public edition: network indicators and flows grouped by material, no "
                     "company's name, place, prices or costs. The officer edition, the PDF, the Excel workbook and "
                     "the GeoJSON, which name companies and pairs, are for the network's officers."))  # fmt: skip


def report_edition(role: Role | None) -> str:
    """The edition of the impact report a role downloads from this page: the officer edition holds
    each company's prices and costs (company sheets, the suggestions' reasons), which only the
    network's officers see; everyone else gets the public edition (``symbiose report``'s default).
    No role is the open demo without accounts, where every page is an officer's."""
    return "officer" if role in (None, Role.OFFICER) else "public"


def report_builders(run: Run, comparison: Comparison, *, edition: str = "officer") -> dict[str, Callable[[], bytes]]:
    """One function per download of a scenario (html, pdf, xlsx, geojson) returning its bytes.

    Streamlit calls them on another thread when a button is clicked, so each one sets the
    language of the page that drew the button. The ``public`` edition (:func:`report_edition`)
    has the public HTML report only: the Excel workbook's suggestions sheet gives each side's
    avoided costs, and the PDF (its top flows) and the GeoJSON (every company at its place, every
    pair with its quantity and value) name companies and pairs.
    """
    import json
    import tempfile
    from pathlib import Path

    from symbiose.compat import load_knowledge_base
    from symbiose.i18n import language
    from symbiose.report import render_html, synergies_geojson, unmatched_frame, write_xlsx
    from symbiose.report_pdf import render_pdf

    code = get_language()
    title = _("{network}: industrial symbiosis impact report").format(network=run.scenario.name)

    def html() -> bytes:
        with language(code):
            if edition == "public":
                from symbiose.report_public import render_public_html

                return render_public_html(run.network, run.result, comparison=comparison).encode("utf-8")
            return render_html(run.network, run.result, comparison=comparison).encode("utf-8")

    def pdf() -> bytes:
        with language(code):
            return render_pdf(run.network, run.result, comparison=comparison, title=title)

    def xlsx() -> bytes:
        with language(code), tempfile.TemporaryDirectory() as folder:
            unmatched = unmatched_frame(run.result, load_knowledge_base().categories)
            return write_xlsx(run.result, Path(folder) / "flows.xlsx", unmatched).read_bytes()

    def geojson() -> bytes:
        return json.dumps(synergies_geojson(run.network, run.result.matches()), ensure_ascii=False).encode("utf-8")

    if edition == "public":
        return {"html": html}
    return {"html": html, "pdf": pdf, "xlsx": xlsx, "geojson": geojson}


def opportunity_section(runs: list[Run]) -> None:
    st.subheader(_("Opportunity finder"))
    st.caption(_("Wastes left without an outlet, and the commune where a new processor would capture the most "
                 "of them with the least transport."))  # fmt: skip
    names = [r.scenario.name for r in runs]
    c1, c2, c3 = st.columns(3)
    chosen = c1.selectbox(_("Scenario"), range(len(runs)), format_func=names.__getitem__, key="opp_scenario")
    radius = common.decimal_input(c2, _("Road radius of the processor (km)"), 30.0, "opp_radius", low=5.0, high=200.0)
    minimum = common.decimal_input(c3, _("Smallest unserved quantity (/yr)"), 100.0, "opp_min", low=0.0, high=1e6)
    if radius is None or minimum is None:
        return
    found = find_opportunities(runs[chosen].result, radius_km=radius, min_tonnes=minimum)
    if not found:
        st.info(_("No unserved waste above the threshold."))
        return
    frame = opportunities_frame(found)
    sees = common.sees_companies()
    if not sees:
        # a code left by fewer than k producers gives a company's own quantity and route cost, and
        # so does a site capturing fewer than k of them; how much of a code has no partner at all
        # may be one producer's stream
        from symbiose.catalogue import anonymity_k
        from symbiose.report_public import round_figures

        k = anonymity_k()
        kept = (frame["suppliers"] >= k) & (frame["captured_suppliers"] >= k)
        # the figures to two significant figures, as everywhere a planner reads the network's:
        # exact sums over a few producers give one of them to a planner who knows the others
        figures = ("unserved", "no_candidate", "captured", "tkm", "mean_km", "avoided_route_cost_eur")
        found = [replace(o, **{f: round_figures(getattr(o, f)) for f in figures})
                 for o, keep in zip(found, kept, strict=True) if keep]  # fmt: skip
        frame = opportunities_frame(found)
        st.caption(_("Wastes left by at least {k} producers, at sites capturing at least {k} of them, only; the "
                     "network's officers see every code.").format(k=k))  # fmt: skip
        if not len(frame):
            return
    frame.insert(0, "waste", [format_ewc(c) if c.isdigit() else common.words(c) for c in frame["code"]])
    columns = ["waste", "label", "unserved", "unit", "no_candidate", "suppliers", "site_name",
               "captured", "captured_suppliers", "mean_km", "avoided_route_cost_eur"]
    shown = frame[[c for c in columns if sees or c != "no_candidate"]].round(1)
    shown["unit"] = shown["unit"].map(per_year)
    st.dataframe(shown, hide_index=True, key="opportunities_table", column_config={
        "waste": st.column_config.TextColumn(_("waste code"), width="small"),
        "label": st.column_config.TextColumn(_("waste"), width="medium"),
        "unserved": common.number(_("unserved"), help=_("left on its current route, per year, whole network")),
        "unit": st.column_config.TextColumn(_("unit"), width="small"),
        "no_candidate": common.number(_("of which no partner at all")),
        "suppliers": common.number(_("producers")),
        "site_name": st.column_config.TextColumn(_("best commune for a processor")),
        "captured": common.number(_("captured there"), help=_("within {km} km by road").format(km=fmt_number(radius))),
        "captured_suppliers": common.number(_("from producers")),
        "mean_km": common.number(_("mean road (km)")),
        "avoided_route_cost_eur": common.number(_("their current cost (EUR/yr)"),
                                                help=_("what the captured producers pay today for their route")),
    })  # fmt: skip
    sites = frame.assign(lat=frame["site_lat"], lon=frame["site_lon"],
                         name=[f"{site}: {waste} {label[:40]}, {fmt_quantity(q, per_year(u), 0)}"
                               for site, waste, label, q, u in zip(frame["site_name"], frame["waste"], frame["label"],
                                                                   frame["captured"], frame["unit"], strict=True)],
                         label="", colour=[[200, 30, 60, 200]] * len(frame),
                         radius=(frame["captured"].clip(lower=1) ** 0.5) * 30)  # fmt: skip
    layers = [pdk.Layer("ScatterplotLayer", data=sites, get_position=["lon", "lat"], get_fill_color="colour",
                        get_radius="radius", radius_min_pixels=6, pickable=True)]  # fmt: skip
    legend = [([200, 30, 60, 200], _("best communes for a processor (larger = more captured)"))]
    points = sites.iloc[:0]
    if sees:  # the producers' sites: officers only (a planner sees communes, never a company's place)
        unserved = unserved_streams(runs[chosen].result)
        points = pd.DataFrame({"lat": unserved["lat"], "lon": unserved["lon"], "name": unserved["company_id"],
                               "label": "", "colour": [ROLE_COLOURS["not matched"]] * len(unserved)})  # fmt: skip
        layers.insert(0, pdk.Layer("ScatterplotLayer", data=points, get_position=["lon", "lat"],
                                   get_fill_color="colour", get_radius=250, radius_min_pixels=2))  # fmt: skip
        legend.append((ROLE_COLOURS["not matched"], _("producers of unserved streams")))
    view = maps.fit_view(pd.concat([points["lat"], sites["lat"]]), pd.concat([points["lon"], sites["lon"]]))
    maps.legend(legend)
    st.pydeck_chart(maps.deck(layers, view, tooltip={"text": "{name}"}), key="opportunity_map")
    with st.expander(_("Scenario file for the largest opportunity")):
        st.code(found[0].scenario_toml("database"), language="toml")


def robustness_section(runs: list[Run]) -> None:
    st.subheader(_("Robustness"))
    st.caption(_("Share of random draws (quantities varied) in which each synergy of the solution is still "
                 "used, and share of partner exits it survives."))  # fmt: skip
    names = [r.scenario.name for r in runs]
    with st.form("robustness_form"):
        c1, c2, c3, c4 = st.columns(4)
        chosen = c1.selectbox(_("Scenario"), range(len(runs)), format_func=names.__getitem__, key="rob_scenario")
        draws = c2.number_input(_("Draws"), 1, 200, 10, key="rob_draws")
        variation = c3.slider(_("Quantity variation (+/- %)"), 0, 90, 30, 5, key="rob_variation")
        exits = c4.checkbox(_("Test partner exits (slower)"), value=False, key="rob_exits")
        submitted = st.form_submit_button(_("Test robustness"))
    if not submitted:
        return
    run = runs[chosen]
    with st.spinner(_("Solving the varied networks...")):
        bar = st.progress(0.0)
        kwargs = {"draws": int(draws), "variation": variation / 100, "partner_exit": exits,
                  "progress": lambda done, total: bar.progress(done / total)}  # fmt: skip
        try:
            table = robustness(run.network, run.params, **kwargs)
        except InfeasibleError:
            relaxed = replace(run.params, rules=replace(run.params.rules, keep_implemented=False))
            table = robustness(run.network, relaxed, **kwargs)
    if not common.sees_companies():  # the table is by pair, named
        stable = (table["quantity_stability_pct"] >= 80).mean() if len(table) else 0
        st.metric(_("Synergies used in at least 80 % of the draws"), fmt_percent(stable))
        return
    names = {c.id: c.name for c in run.network.companies}
    table.insert(2, "supplier", table["supplier_id"].map(names))
    table.insert(3, "receiver", table["receiver_id"].map(names))
    table = table.drop(columns=["stream_id", "need_id", "supplier_id", "receiver_id"])
    if not exits:
        table = table.drop(columns=["exit_stability_pct", "exits_tested"])
    table["unit"] = table["unit"].map(per_year)
    stable = (table["quantity_stability_pct"] >= 80).mean() if len(table) else 0
    st.metric(_("Synergies used in at least 80 % of the draws"), fmt_percent(stable))
    st.dataframe(table.round(1), hide_index=True, key="robustness_table", column_config={
        "supplier": st.column_config.TextColumn(_("supplier")),
        "receiver": st.column_config.TextColumn(_("receiver")),
        "quantity": common.number(_("quantity (/yr)")),
        "unit": st.column_config.TextColumn(_("unit"), width="small"),
        "quantity_stability_pct": st.column_config.ProgressColumn(
            _("kept in draws"), format="%.0f%%", min_value=0, max_value=100,
            help=_("share of the {draws} draws (quantities +/- {variation} %) in which the pair is still used").format(
                draws=int(draws), variation=variation)),
        "exit_stability_pct": st.column_config.ProgressColumn(
            _("survives partner exits"), format="%.0f%%", min_value=0, max_value=100),
        "exits_tested": common.number(_("exits tested")),
        "mean_quantity_in_draws": common.number(_("mean quantity in draws (/yr)")),
    })  # fmt: skip


def page() -> None:
    st.title(_("Scenarios"))
    st.caption(_("Compare what the network could become: a new plant, a higher landfill tax, a smaller transport "
                 "radius. All figures per year."))  # fmt: skip
    with common.shows_errors():
        choices = scenario_choices()
        if choices:
            picked = st.multiselect(_("Scenario files (scenarios/*.toml)"), list(choices), key="scenario_files",
                                    placeholder=_("Choose scenarios"), select_all=False)  # fmt: skip
        else:
            picked = []
            st.info(_("No scenario file in scenarios/: build an ad-hoc scenario below."))
        use_stored = st.checkbox(_("Start every scenario from the stored network (instead of the base named in "
                                   "its file)"), value=True, key="use_stored")  # fmt: skip
        with st.container(border=True):
            include_adhoc = st.checkbox(_("Include the ad-hoc scenario"), value=not choices, key="include_adhoc")
            adhoc = adhoc_scenario()
        if st.button(_("Run and compare"), type="primary", key="run_scenarios"):
            scenarios = [Scenario(name=_(BASE_LABEL), description=_("today's network and default economics"),
                                  base="database")]  # fmt: skip
            scenarios += [choices[label] for label in picked]
            if include_adhoc and adhoc is None:
                st.error(_("The ad-hoc scenario has a field to correct (see above); nothing was run."))
                st.stop()
            if include_adhoc:
                scenarios.append(adhoc)
            bar = st.progress(0.0, text=_("Running {n} scenarios...").format(n=len(scenarios)))

            def progress(done: int, total: int, name: str) -> None:
                bar.progress(done / total, text=_("Scenario {i} of {n}: {name}").format(i=done + 1, n=total, name=name))

            st.session_state[RUNS_KEY] = run_scenarios(scenarios, use_stored=use_stored, progress=progress)
            bar.empty()
        runs = st.session_state.get(RUNS_KEY)
        if not runs:
            st.caption(_("Pick scenarios and press 'Run and compare'. The stored network with default parameters is "
                         "always the first column."))  # fmt: skip
            return
        compare_section(runs)
        st.divider()
        opportunity_section(runs)
        st.divider()
        robustness_section(runs)
