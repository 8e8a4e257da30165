"""Overview: indicators of the current optimum, a map of companies and flows, the top flows."""

from __future__ import annotations

import pandas as pd
import pydeck as pdk
import streamlit as st

from symbiose.domain import Network
from symbiose.matching import MatchResult
from symbiose.ui import common

ROLE_COLOURS = {  # RGBA
    "supplier": [230, 120, 20, 200],
    "receiver": [30, 120, 200, 200],
    "supplier and receiver": [120, 60, 170, 220],
    "not matched": [150, 150, 150, 140],
}


# OpenStreetMap-based light background (Carto, no token); without network the points and arcs
# are still drawn on a blank background
MAP_STYLE = pdk.map_styles.CARTO_LIGHT
FLOWS_ON_MAP = {"the 50 worth most": 50, "the 150 worth most": 150, "all": None}


def company_points(net: Network, matches: pd.DataFrame) -> pd.DataFrame:
    """One row per company with its role in the optimum and a colour."""
    suppliers, receivers = set(matches["supplier_id"]), set(matches["receiver_id"])
    rows = []
    for c in net.companies:
        role = ("supplier and receiver" if c.id in suppliers and c.id in receivers
                else "supplier" if c.id in suppliers else "receiver" if c.id in receivers
                else "not matched")  # fmt: skip
        rows.append({"id": c.id, "name": c.name, "commune": c.commune, "lat": c.latitude,
                     "lon": c.longitude, "role": role, "colour": ROLE_COLOURS[role],
                     "label": f" ({c.commune}, {role})"})  # fmt: skip
    return pd.DataFrame(rows)


def flow_lines(net: Network, matches: pd.DataFrame) -> pd.DataFrame:
    where = {c.id: (c.longitude, c.latitude) for c in net.companies}
    lines = matches.assign(
        source=matches["supplier_id"].map(where), target=matches["receiver_id"].map(where),
        label=matches["supplier"] + " -> " + matches["receiver"] + ": "
        + matches["quantity"].round(1).astype(str) + " " + matches["unit"] + "/yr ("
        + matches["category"].fillna("") + ")",
    )  # fmt: skip
    lines = lines[lines["supplier_id"] != lines["receiver_id"]]
    lines = lines.assign(name="", width=1 + 4 * (lines["quantity"].rank(pct=True)))
    return lines[["source", "target", "name", "label", "quantity", "value_eur", "width"]]


def network_map(points: pd.DataFrame, lines: pd.DataFrame | None = None, *,
                extra: list | None = None) -> pdk.Deck:  # fmt: skip
    layers = []
    if lines is not None and len(lines):
        layers.append(pdk.Layer(
            "ArcLayer", data=lines, get_source_position="source", get_target_position="target",
            get_source_color=[230, 120, 20, 160], get_target_color=[30, 120, 200, 160],
            get_width="width", pickable=True,
        ))  # fmt: skip
    layers.append(pdk.Layer(
        "ScatterplotLayer", data=points, get_position=["lon", "lat"], get_fill_color="colour",
        get_radius=350, radius_min_pixels=3, pickable=True,
    ))  # fmt: skip
    layers.extend(extra or [])
    view = pdk.ViewState(latitude=float(points["lat"].mean()) if len(points) else 45.45,
                         longitude=float(points["lon"].mean()) if len(points) else -0.43,
                         zoom=9.5, pitch=30)  # fmt: skip
    return pdk.Deck(layers=layers, initial_view_state=view, map_style=MAP_STYLE,
                    tooltip={"text": "{name}{label}"})  # fmt: skip


def indicators(result: MatchResult) -> None:
    k = result.kpis
    cols = st.columns(3)
    cols[0].metric("Synergies in the optimum", f"{k.synergies:,}")
    cols[1].metric("Companies involved", f"{k.companies_involved:,}")
    cols[2].metric("Exchanged (t/yr)", f"{k.matched_t:,.0f}",
                   help=f"plus {k.matched_m3:,.0f} m3/yr and {k.matched_mwh:,.0f} MWh/yr")
    cols = st.columns(3)
    cols[0].metric("CO2e avoided (t/yr)", f"{k.co2e_avoided_t:,.0f}",
                   help="Net of transport emissions")
    cols[1].metric("Net benefit (EUR/yr)", f"{k.net_benefit_eur:,.0f}")
    cols[2].metric("Left unmatched (t/yr)", f"{k.unmatched_t:,.0f}",
                   help=f"plus {k.unmatched_m3:,.0f} m3/yr and {k.unmatched_mwh:,.0f} MWh/yr")


def page() -> None:
    st.title("Overview")
    st.caption("The best allocation of the network's streams to its needs today (all figures per "
               "year, compared with each stream's current route and each receiver's virgin input).")
    with common.shows_errors():
        net = common.network()
        result, warning = common.match()
        if warning:
            st.warning(warning)
        indicators(result)
        matches = result.matches()
        st.subheader("Map")
        points = company_points(net, matches)
        shown = st.segmented_control("Flows drawn", list(FLOWS_ON_MAP), default="the 50 worth most",
                                     key="overview_flows") or "the 50 worth most"  # fmt: skip
        drawn = matches.sort_values("value_eur", ascending=False).head(FLOWS_ON_MAP[shown] or len(matches))
        st.pydeck_chart(network_map(points, flow_lines(net, drawn)))
        legend = " · ".join(f"{role}: {(points['role'] == role).sum()}" for role in ROLE_COLOURS)
        st.caption(f"Points: companies coloured by role in the optimum (orange supplier, blue receiver, "
                   f"purple both, grey not matched; {legend}). Arcs: flows of the optimum, from the "
                   f"supplier (orange end) to the receiver (blue end), wider for larger quantities; "
                   f"{len(drawn)} of {len(matches)} drawn. Hover for details.")  # fmt: skip
        st.subheader("Top flows")
        st.caption(f"The 25 flows worth most to the network, of {len(matches)} in the optimum.")
        top_flows(net, matches)
        with st.expander("Method"):
            st.write(result.kpis.method)


def top_flows(net: Network, matches: pd.DataFrame, n: int = 25) -> None:
    streams = {x.id: x.description for x in net.streams}
    needs = {x.id: x.description for x in net.needs}
    top = matches.sort_values("value_eur", ascending=False).head(n).copy()
    top["what"] = top["stream_id"].map(streams).fillna("").str.slice(0, 60)
    top["replaces"] = [common.words(c) if c else needs.get(i, "") for c, i in zip(top["category"], top["need_id"],
                                                                                 strict=True)]  # fmt: skip
    top["unit"] = top["unit"] + "/yr"
    top["quantity"] = top["quantity"].round(1)
    top["value_eur"] = top["value_eur"].round(0)
    st.dataframe(top[["supplier", "what", "receiver", "replaces", "quantity", "unit", "road_km", "value_eur",
                      "co2e_avoided_t"]], hide_index=True, column_config={
        "supplier": st.column_config.TextColumn("supplier", width="medium"),
        "what": st.column_config.TextColumn("what", width="medium", help="the supplier's stream"),
        "receiver": st.column_config.TextColumn("receiver", width="medium"),
        "replaces": st.column_config.TextColumn("replaces", width="medium", help="what the receiver buys today"),
        "quantity": common.number("quantity", "localized", help="exchanged per year, in the unit shown"),
        "unit": st.column_config.TextColumn("unit", width="small"),
        "road_km": common.number("road (km)", "%.1f", width="small"),
        "value_eur": common.number("net benefit (EUR/yr)", "localized",
                                   help="value to the network per year, net of transport"),
        "co2e_avoided_t": common.number("CO2e avoided (t/yr)", "%.1f",
                                        help="net of transport emissions"),
    })  # fmt: skip
