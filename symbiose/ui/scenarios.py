"""Scenarios (planners): compare scenario files or an ad-hoc scenario, find opportunities for a
new processor, and test which synergies are robust."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import pydeck as pdk
import streamlit as st

from symbiose.bundle import read_bundle
from symbiose.compare import Comparison
from symbiose.domain import Network, format_ewc
from symbiose.errors import InfeasibleError, SymbioseError
from symbiose.matching import MatchResult
from symbiose.opportunity import find_opportunities, opportunities_frame
from symbiose.params import MatchParameters
from symbiose.reference import data_dir
from symbiose.robustness import robustness
from symbiose.scenarios import Scenario, load_scenarios, resolve
from symbiose.ui import common
from symbiose.ui.overview import MAP_STYLE, ROLE_COLOURS

RUNS_KEY = "scenario_runs"
BASE_LABEL = "Stored network, default parameters"


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
            st.warning(f"Scenario file skipped: {exc}")
    return found


def load_base(base: str) -> Network:
    if base == "database":
        return common.network()
    if base == "demo":
        return read_bundle(data_dir() / "demo")
    return read_bundle(base)


def adhoc_scenario() -> Scenario:
    st.markdown("**Ad-hoc scenario** (from the stored network)")
    c1, c2, c3 = st.columns(3)
    transport = c1.number_input("Road freight (EUR/t.km)", 0.0, 5.0, 0.15, 0.01, key="adhoc_transport")
    road = c2.number_input("Road factor (road km / straight km)", 1.0, 3.0, 1.3, 0.05, key="adhoc_road")
    carbon = c3.number_input("Carbon price (EUR/t CO2e)", 0.0, 1000.0, 0.0, 10.0, key="adhoc_carbon")
    c1, c2, _ = st.columns(3)
    radius = c1.number_input("Maximum road distance (km, 0 = none)", 0.0, 500.0, 0.0, 5.0, key="adhoc_radius")
    landfill = c2.number_input("Landfill cost change (EUR/t)", -200.0, 500.0, 0.0, 5.0, key="adhoc_landfill")
    params = MatchParameters(
        transport_cost_eur_per_tkm=transport, road_factor=road, carbon_price_eur_per_t=carbon,
        max_distance_km=radius or None, route_cost_delta_eur={"landfill": landfill} if landfill else {},
    )  # fmt: skip
    description = (f"freight {transport:g} EUR/t.km, road factor {road:g}, carbon {carbon:g} EUR/t, "
                   f"radius {radius:g} km, landfill {landfill:+g} EUR/t")  # fmt: skip
    return Scenario(name="Ad hoc", description=description, base="database", params=params)


def run_scenarios(scenarios: list[Scenario], *, use_stored: bool) -> list[Run]:
    runs, bases = [], {}
    for scenario in scenarios:
        base = "database" if use_stored else scenario.base
        if base not in bases:
            bases[base] = load_base(base)
        network, params = resolve(scenario, bases[base])
        result, warning = common.safe_run_match(network, params)
        runs.append(Run(scenario, network, params, result, warning))
    return runs


def compare_section(runs: list[Run]) -> None:
    comparison = Comparison([r.scenario for r in runs], [r.result for r in runs])
    for run in runs:
        if run.warning:
            st.warning(f"{run.scenario.name}: {run.warning}")
    st.subheader("Indicators (per year)")
    st.caption(f"Δ columns: difference of the scenario to the first one, '{runs[0].scenario.name}'.")
    table = comparison.table().round(0)
    first = table.columns[0]
    # each scenario next to its difference to the first one
    order = [first] + [c for name in table.columns[1:len(runs)] for c in (name, f"{name} - {first}")]
    table = table[[c for c in order if c in table.columns]]
    labels = {c: (f"Δ {c[: -len(first) - 3]}" if c.endswith(f" - {first}") else c) for c in table.columns}
    st.dataframe(table, key="comparison_table", height=36 * (len(table) + 1) + 3, column_config={
        "indicator": st.column_config.TextColumn("indicator (per year)", width=250),
        **{c: common.number(label, "localized") for c, label in labels.items()}})  # fmt: skip
    if len(runs) > 1:
        changes = comparison.synergy_changes()
        st.subheader("Synergies that appear, disappear or change")
        counts = changes.groupby(["scenario", "change"]).size().unstack(fill_value=0) if len(changes) else None
        if counts is not None:
            st.dataframe(counts)
        st.dataframe(changes.drop(columns=["stream_id", "need_id"]).round(1), hide_index=True, key="changes_table",
                     column_config={
                         "quantity_before": common.number("before (/yr)", "localized"),
                         "quantity_after": common.number("after (/yr)", "localized"),
                         "unit": st.column_config.TextColumn("unit", width="small")})  # fmt: skip
    with st.expander("Scenario descriptions"):
        for run in runs:
            st.markdown(f"**{run.scenario.name}**: {run.scenario.description or '(no description)'}")


def opportunity_section(runs: list[Run]) -> None:
    st.subheader("Opportunity finder")
    st.caption("Wastes left without an outlet, and the commune where a new processor would capture "
               "the most of them with the least transport.")
    names = [r.scenario.name for r in runs]
    c1, c2, c3 = st.columns(3)
    chosen = c1.selectbox("Scenario", range(len(runs)), format_func=names.__getitem__, key="opp_scenario")
    radius = c2.number_input("Road radius of the processor (km)", 5.0, 200.0, 30.0, 5.0, key="opp_radius")
    minimum = c3.number_input("Smallest unserved quantity (/yr)", 0.0, 1e6, 100.0, 50.0, key="opp_min")
    found = find_opportunities(runs[chosen].result, radius_km=radius, min_tonnes=minimum)
    if not found:
        st.info("No unserved waste above the threshold.")
        return
    frame = opportunities_frame(found)
    frame.insert(0, "waste", [format_ewc(c) if c.isdigit() else common.words(c) for c in frame["code"]])
    shown = frame[["waste", "label", "unserved", "unit", "no_candidate", "suppliers", "site_name",
                   "captured", "captured_suppliers", "mean_km", "avoided_route_cost_eur"]].round(1)
    shown["unit"] = shown["unit"] + "/yr"
    st.dataframe(shown, hide_index=True, key="opportunities_table", column_config={
        "waste": st.column_config.TextColumn("waste code", width="small"),
        "label": st.column_config.TextColumn("waste", width="medium"),
        "unserved": common.number("unserved", "localized", help="left on its current route, per year, whole network"),
        "unit": st.column_config.TextColumn("unit", width="small"),
        "no_candidate": common.number("of which no partner at all", "localized"),
        "suppliers": common.number("producers", "%d"),
        "site_name": st.column_config.TextColumn("best commune for a processor"),
        "captured": common.number("captured there", "localized", help=f"within {radius:g} km by road"),
        "captured_suppliers": common.number("from producers", "%d"),
        "mean_km": common.number("mean road (km)", "%.1f"),
        "avoided_route_cost_eur": common.number("their current cost (EUR/yr)", "localized",
                                                help="what the captured producers pay today for their route"),
    })  # fmt: skip
    sites = frame.assign(lat=frame["site_lat"], lon=frame["site_lon"],
                         name=frame["site_name"] + ": " + frame["waste"] + " " + frame["label"].str[:40] + ", "
                         + frame["captured"].round(0).map("{:,.0f}".format) + " " + frame["unit"] + "/yr",
                         label="", colour=[[200, 30, 60, 200]] * len(frame),
                         radius=(frame["captured"].clip(lower=1) ** 0.5) * 30)  # fmt: skip
    streams = runs[chosen].result.candidates.streams
    points = pd.DataFrame({"lat": streams["lat"], "lon": streams["lon"], "name": streams["company_id"],
                           "label": "", "colour": [ROLE_COLOURS["not matched"]] * len(streams)})  # fmt: skip
    layers = [
        pdk.Layer("ScatterplotLayer", data=points, get_position=["lon", "lat"], get_fill_color="colour",
                  get_radius=250, radius_min_pixels=2),
        pdk.Layer("ScatterplotLayer", data=sites, get_position=["lon", "lat"], get_fill_color="colour",
                  get_radius="radius", radius_min_pixels=6, pickable=True),
    ]  # fmt: skip
    view = pdk.ViewState(latitude=float(points["lat"].mean()), longitude=float(points["lon"].mean()), zoom=9)
    st.caption("Map: red circles are the best communes for a processor (larger = more captured), grey "
               "points the producers of unserved streams. Hover a circle for details.")
    st.pydeck_chart(pdk.Deck(layers=layers, initial_view_state=view, map_style=MAP_STYLE,
                             tooltip={"text": "{name}"}))  # fmt: skip
    with st.expander("Scenario file for the largest opportunity"):
        st.code(found[0].scenario_toml("database"), language="toml")


def robustness_section(runs: list[Run]) -> None:
    st.subheader("Robustness")
    st.caption("Share of random draws (quantities varied) in which each synergy of the solution is "
               "still used, and share of partner exits it survives.")
    names = [r.scenario.name for r in runs]
    with st.form("robustness_form"):
        c1, c2, c3, c4 = st.columns(4)
        chosen = c1.selectbox("Scenario", range(len(runs)), format_func=names.__getitem__, key="rob_scenario")
        draws = c2.number_input("Draws", 1, 200, 10, key="rob_draws")
        variation = c3.slider("Quantity variation (+/- %)", 0, 90, 30, 5, key="rob_variation")
        exits = c4.checkbox("Test partner exits (slower)", value=False, key="rob_exits")
        submitted = st.form_submit_button("Test robustness")
    if not submitted:
        return
    run = runs[chosen]
    with st.spinner("Solving the varied networks..."):
        bar = st.progress(0.0)
        kwargs = {"draws": int(draws), "variation": variation / 100, "partner_exit": exits,
                  "progress": lambda done, total: bar.progress(done / total)}  # fmt: skip
        try:
            table = robustness(run.network, run.params, **kwargs)
        except InfeasibleError:
            relaxed = replace(run.params, rules=replace(run.params.rules, keep_implemented=False))
            table = robustness(run.network, relaxed, **kwargs)
    names = {c.id: c.name for c in run.network.companies}
    table.insert(2, "supplier", table["supplier_id"].map(names))
    table.insert(3, "receiver", table["receiver_id"].map(names))
    table = table.drop(columns=["stream_id", "need_id", "supplier_id", "receiver_id"])
    if not exits:
        table = table.drop(columns=["exit_stability_pct", "exits_tested"])
    stable = (table["quantity_stability_pct"] >= 80).mean() if len(table) else 0
    st.metric("Synergies used in at least 80 % of the draws", f"{stable:.0%}")
    st.dataframe(table.round(1), hide_index=True, key="robustness_table", column_config={
        "quantity": common.number("quantity (/yr)", "localized"),
        "unit": st.column_config.TextColumn("unit", width="small"),
        "quantity_stability_pct": st.column_config.ProgressColumn(
            "kept in draws", format="%.0f%%", min_value=0, max_value=100,
            help=f"share of the {int(draws)} draws (quantities +/- {variation} %) in which the pair is still used"),
        "exit_stability_pct": st.column_config.ProgressColumn(
            "survives partner exits", format="%.0f%%", min_value=0, max_value=100),
        "exits_tested": common.number("exits tested", "%d"),
        "mean_quantity_in_draws": common.number("mean quantity in draws (/yr)", "localized"),
    })  # fmt: skip


def page() -> None:
    st.title("Scenarios")
    st.caption("Compare what the network could become: a new plant, a higher landfill tax, a smaller "
               "transport radius. All figures per year.")
    with common.shows_errors():
        choices = scenario_choices()
        if choices:
            picked = st.multiselect("Scenario files (scenarios/*.toml)", list(choices), key="scenario_files")
        else:
            picked = []
            st.info("No scenario file in scenarios/: build an ad-hoc scenario below.")
        use_stored = st.checkbox("Start every scenario from the stored network (instead of the base "
                                 "named in its file)", value=True, key="use_stored")  # fmt: skip
        with st.container(border=True):
            include_adhoc = st.checkbox("Include the ad-hoc scenario", value=not choices, key="include_adhoc")
            adhoc = adhoc_scenario()
        if st.button("Run and compare", type="primary", key="run_scenarios"):
            scenarios = [Scenario(name=BASE_LABEL, description="today's network and default economics",
                                  base="database")]  # fmt: skip
            scenarios += [choices[label] for label in picked]
            if include_adhoc:
                scenarios.append(adhoc)
            with st.spinner(f"Running {len(scenarios)} scenarios..."):
                st.session_state[RUNS_KEY] = run_scenarios(scenarios, use_stored=use_stored)
        runs = st.session_state.get(RUNS_KEY)
        if not runs:
            st.caption("Pick scenarios and press 'Run and compare'. The stored network with default "
                       "parameters is always the first column.")
            return
        compare_section(runs)
        st.divider()
        opportunity_section(runs)
        st.divider()
        robustness_section(runs)
