"""Overview: indicators of the current optimum, a map of companies and flows, the top flows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from symbiose.domain import Network
from symbiose.i18n import _, fmt_datetime, fmt_number, fmt_quantity, ngettext
from symbiose.labels import category_label, per_year
from symbiose.matching import MatchResult
from symbiose.ui import common, maps

ROLE_COLOURS = maps.ROLE_COLOURS
FLOWS_ON_MAP = {"50": 50, "150": 150, "all": None}


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
                     "label": f" ({c.commune}, {_(role)})"})  # fmt: skip
    return pd.DataFrame(rows, columns=["id", "name", "commune", "lat", "lon", "role", "colour", "label"])


def flow_lines(net: Network, matches: pd.DataFrame) -> pd.DataFrame:
    where = {c.id: (c.longitude, c.latitude) for c in net.companies}
    labels = [
        f"{s} → {r}: {fmt_quantity(q, per_year(u))} ({category_label(c)})"
        for s, r, q, u, c in zip(matches["supplier"], matches["receiver"], matches["quantity"],
                                 matches["unit"], matches["category"].fillna(""), strict=True)
    ]  # fmt: skip
    lines = matches.assign(source=matches["supplier_id"].map(where), target=matches["receiver_id"].map(where),
                           label=labels)  # fmt: skip
    lines = lines[lines["supplier_id"] != lines["receiver_id"]]
    lines = lines.assign(name="", width=1 + 4 * (lines["quantity"].rank(pct=True)))
    return lines[["source", "target", "name", "label", "quantity", "value_eur", "width"]]


def network_map(points: pd.DataFrame, lines: pd.DataFrame | None = None, *, extra: list | None = None,
                online: bool = False):  # fmt: skip
    """Companies (coloured by role) and flows (arcs) on the offline background."""
    import pydeck as pdk

    layers = []
    if lines is not None and len(lines):
        layers.append(pdk.Layer(
            "ArcLayer", data=lines, get_source_position="source", get_target_position="target",
            get_source_color=[230, 120, 20, 180], get_target_color=[30, 120, 200, 180],
            get_width="width", pickable=True, id="flows",
        ))  # fmt: skip
    layers.append(pdk.Layer(
        "ScatterplotLayer", data=points, get_position=["lon", "lat"], get_fill_color="colour",
        get_line_color=[255, 255, 255, 255], stroked=True, line_width_min_pixels=1,
        get_radius=350, radius_min_pixels=4, pickable=True, id="companies",
    ))  # fmt: skip
    layers.extend(extra or [])
    return maps.deck(layers, maps.fit_view(points["lat"], points["lon"]), online=online)


def indicators(result: MatchResult, *, rounded: bool = False) -> None:
    """The optimum's indicators; ``rounded``: to two significant figures, as the public report
    gives them (exact totals less the groups listed would give back a group withheld)."""
    from symbiose.report_public import fmt_figures

    k = result.kpis

    def n(value: float) -> str:
        return fmt_figures(value) if rounded else fmt_number(value)

    cols = st.columns(3)
    cols[0].metric(_("Synergies in the optimum"), fmt_number(k.synergies))
    cols[1].metric(_("Companies involved"), fmt_number(k.companies_involved))
    cols[2].metric(_("Exchanged (t/yr)"), n(k.matched_t),
                   help=_("plus {m3} m3/yr and {mwh} MWh/yr").format(m3=n(k.matched_m3), mwh=n(k.matched_mwh)))  # fmt: skip
    cols = st.columns(3)
    cols[0].metric(_("CO2e avoided (t/yr)"), n(k.co2e_avoided_t), help=_("Net of transport emissions"))
    cols[1].metric(_("Net benefit (EUR/yr)"), n(k.net_benefit_eur))
    cols[2].metric(_("Left unmatched (t/yr)"), n(k.unmatched_t),
                   help=_("plus {m3} m3/yr and {mwh} MWh/yr").format(m3=n(k.unmatched_m3), mwh=n(k.unmatched_mwh)))  # fmt: skip


def commune_points(net: Network) -> pd.DataFrame:
    """One point per commune at its reference centre, with how many companies it holds: the map a
    planner sees (no company's name or place)."""
    from symbiose.reference import communes

    centres = {r.name: (r.latitude, r.longitude) for r in communes().itertuples()}
    counts: dict[str, int] = {}
    for c in net.companies:
        if c.commune in centres:
            counts[c.commune] = counts.get(c.commune, 0) + 1
    colour = ROLE_COLOURS["not matched"]
    rows = [{"id": name, "name": name, "commune": name, "lat": centres[name][0], "lon": centres[name][1],
             "role": "", "colour": colour,
             "label": " " + ngettext("({n} company)", "({n} companies)", n).format(n=n)}
            for name, n in sorted(counts.items())]  # fmt: skip
    return pd.DataFrame(rows, columns=["id", "name", "commune", "lat", "lon", "role", "colour", "label"])


def commune_map_section(net: Network) -> None:
    st.subheader(_("Map"))
    online = st.toggle(_("Online map tiles (needs the Internet)"), value=False, key="overview_online")
    points = commune_points(net)
    st.pydeck_chart(network_map(points, None, online=online), key="overview_map")
    st.caption(_("The communes of the network's companies, with how many each holds; companies and their flows "
                 "are shown by name to the network's officers only."))  # fmt: skip


def map_section(net: Network, matches: pd.DataFrame) -> None:
    st.subheader(_("Map"))
    points = company_points(net, matches)
    c1, c2, c3 = st.columns([2, 2, 1])
    categories = sorted(c for c in matches["category"].dropna().unique() if c)
    picked = c1.multiselect(_("Resource categories"), categories, format_func=category_label,
                            placeholder=_("All categories"), key="overview_categories", select_all=False)  # fmt: skip
    names = dict(zip(points["id"], points["name"], strict=True))
    company = c2.selectbox(_("Company"), [""] + sorted(names, key=names.get),
                           format_func=lambda i: names.get(i, _("All companies")), key="overview_company")  # fmt: skip
    online = c3.toggle(_("Online map tiles (needs the Internet)"), value=False, key="overview_online")
    shown_labels = {"50": _("the 50 worth most"), "150": _("the 150 worth most"), "all": _("all")}
    shown = st.segmented_control(_("Flows drawn"), list(FLOWS_ON_MAP), format_func=shown_labels.__getitem__,
                                 default="50", key="overview_flows") or "50"  # fmt: skip
    selected = matches
    if picked:
        selected = selected[selected["category"].isin(picked)]
    if company:
        selected = selected[(selected["supplier_id"] == company) | (selected["receiver_id"] == company)]
    drawn = selected.sort_values("value_eur", ascending=False).head(FLOWS_ON_MAP[shown] or len(selected))
    if picked or company:
        involved = set(drawn["supplier_id"]) | set(drawn["receiver_id"]) | ({company} if company else set())
        points = points[points["id"].isin(involved)]
    st.pydeck_chart(network_map(points, flow_lines(net, drawn), online=online), key="overview_map")
    maps.legend([(colour, f"{_(role)} ({(points['role'] == role).sum()})") for role, colour in ROLE_COLOURS.items()])
    st.caption(_("Arcs: flows of the optimum, from the supplier (orange end) to the receiver (blue end), wider "
                 "for larger quantities; {drawn} of {total} drawn. Hover for details. Background: communes "
                 "of Charente-Maritime (Haute-Saintonge shaded), IGN Admin Express, Licence Ouverte.").format(
                     drawn=len(drawn), total=len(matches)))  # fmt: skip


def page() -> None:
    st.title(_("Overview"))
    st.caption(_("The best allocation of the network's streams to its needs today (all figures per year, "
                 "compared with each stream's current route and each receiver's virgin input)."))  # fmt: skip
    with common.shows_errors():
        net = common.network()
        refresh = st.session_state.pop("overview_refresh", False)
        result, warning, computed_at = common.match_with_time(refresh=refresh)
        c1, c2 = st.columns([4, 1])
        c1.caption(_("Last computed: {when}").format(when=fmt_datetime(computed_at)))
        if c2.button(_("Recompute"), key="overview_recompute", icon=":material/refresh:"):
            st.session_state["overview_refresh"] = True
            st.rerun()
        if warning:
            st.warning(warning)
        public = not common.sees_companies()  # a planner: no company, no pair
        indicators(result, rounded=public)
        matches = result.matches()
        if public:
            commune_map_section(net)
            grouped_flows(result)
        else:
            map_section(net, matches)
            st.subheader(_("Top flows"))
            st.caption(_("The 25 flows worth most to the network, of {n} in the optimum.").format(n=len(matches)))
            top_flows(net, matches)
        with st.expander(_("Method")):
            st.write(_(result.kpis.method))


def grouped_flows_frame(result: MatchResult) -> pd.DataFrame:
    """The optimum's flows grouped by waste code (or material) and receiving use, only the groups
    with at least k suppliers and k receivers, quantities to two significant figures: the public
    report's table."""
    from symbiose.catalogue import anonymity_k
    from symbiose.compat import load_knowledge_base
    from symbiose.report import flows_with_sides
    from symbiose.report_public import material_flows

    rows = material_flows(flows_with_sides(result), load_knowledge_base().categories, anonymity_k())
    return pd.DataFrame({
        _("waste or material"): [r["code"] for r in rows],
        _("use"): [r["use"] for r in rows],
        _("synergies"): [r["synergies"] for r in rows],
        _("quantity"): [fmt_quantity(r["quantity"], per_year(r["unit"])) for r in rows],
        _("CO2e avoided (t/yr)"): [r["co2e_t"] for r in rows],
    })  # fmt: skip


def grouped_flows(result: MatchResult) -> None:
    from symbiose.catalogue import anonymity_k

    st.subheader(_("Flows by material"))
    st.caption(_("The optimum's flows grouped by waste or material and use, where at least {k} suppliers and {k} "
                 "receivers stand behind a group, to two significant figures (as in the public report).").format(
                     k=anonymity_k()))  # fmt: skip
    st.dataframe(grouped_flows_frame(result), hide_index=True, key="grouped_flows")


def top_flows_frame(net: Network, matches: pd.DataFrame, n: int = 25) -> pd.DataFrame:
    """The ``n`` flows worth most, with names, units and the key figures first."""
    streams = {x.id: x.description for x in net.streams}
    needs = {x.id: x.description for x in net.needs}
    top = matches.sort_values("value_eur", ascending=False).head(n)
    return pd.DataFrame({
        _("supplier"): top["supplier"],
        _("receiver"): top["receiver"],
        _("quantity"): [fmt_quantity(q, per_year(u)) for q, u in zip(top["quantity"], top["unit"], strict=True)],
        _("road (km)"): top["road_km"].round(1),
        _("net benefit (EUR/yr)"): top["value_eur"].round(0),
        _("CO2e avoided (t/yr)"): top["co2e_avoided_t"].round(1),
        _("replaces"): [category_label(c) if c else needs.get(i, "")
                        for c, i in zip(top["category"], top["need_id"], strict=True)],
        _("what"): top["stream_id"].map(streams).fillna("").str.slice(0, 60),
    })  # fmt: skip


def top_flows(net: Network, matches: pd.DataFrame, n: int = 25) -> None:
    frame = top_flows_frame(net, matches, n)
    st.dataframe(frame, hide_index=True, key="top_flows", column_config={
        _("supplier"): st.column_config.TextColumn(_("supplier"), width=190),
        _("receiver"): st.column_config.TextColumn(_("receiver"), width=190),
        _("quantity"): st.column_config.TextColumn(_("quantity"), width=120,
                                                   help=_("exchanged per year, in the unit shown")),
        _("road (km)"): common.number(_("road (km)"), width=85),
        _("net benefit (EUR/yr)"): common.number(_("net benefit (EUR/yr)"), width=150,
                                                 help=_("value to the network per year, net of transport")),
        _("CO2e avoided (t/yr)"): common.number(_("CO2e avoided (t/yr)"), width=135,
                                                help=_("net of transport emissions")),
        _("replaces"): st.column_config.TextColumn(_("replaces"), help=_("what the receiver buys today")),
        _("what"): st.column_config.TextColumn(_("what"), help=_("the supplier's stream")),
    })  # fmt: skip
    # the spreadsheet gets numbers it can add up: the quantity and its unit in two columns, the
    # description whole
    top = matches.sort_values("value_eur", ascending=False).head(n)
    sheet = frame.copy()
    sheet[_("quantity")] = top["quantity"].round(1).to_numpy()
    sheet.insert(sheet.columns.get_loc(_("quantity")) + 1, _("unit"), [per_year(u) for u in top["unit"]])
    sheet[_("what")] = top["stream_id"].map({x.id: x.description for x in net.streams}).fillna("").to_numpy()
    common.csv_download(sheet, _("Download the top flows (CSV)"), _("top_flows.csv"), key="top_flows_csv")
    st.caption(ngettext("({n} flow)", "({n} flows)", len(frame)).format(n=len(frame)))
