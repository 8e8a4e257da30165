"""The application's trust features with AppTest: sign-in hardening, roles (a researcher sees only
the catalogue), sessions that end, the catalogue without company identity, sample requests, and
the legal path with its checklist. Each test runs on a copy of a SQLite file holding the demo."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from databases import copy_database, with_users  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from symbiose import db  # noqa: E402
from symbiose.i18n import _  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 60
OFFICER_PW = "garance-et-seugne-17"
RESEARCHER_PW = "essais-de-sciure-2026"
PLANNER_PW = "plan-climat-haute-saintonge"


@pytest.fixture(scope="module")
def demo_db(demo_sqlite, tmp_path_factory) -> Path:
    """The demo with an officer and a researcher account (copied for each test)."""
    users = [("agent", OFFICER_PW, "officer"), ("labo", RESEARCHER_PW, "researcher"), ("elu", PLANNER_PW, "planner")]
    return with_users(demo_sqlite, tmp_path_factory.mktemp("trust") / "demo.db", users)


@pytest.fixture
def maker(demo_db, tmp_path, monkeypatch):
    url = copy_database(demo_db, tmp_path / "app.db")
    monkeypatch.setenv(db.ENV_DATABASE_URL, url)
    engine = db.make_engine(url)
    yield db.session_factory(engine)
    engine.dispose()


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").set_value(username)
    at.text_input(key="login_password").set_value(password)
    return next(b for b in at.button if b.label == _("Sign in")).click().run()


def signed_in_app(maker, username: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    with maker() as s, s.begin():
        at.session_state["symbiose_user"] = db.authenticate(s, username, password)
    return at.run()


def page_texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [e.value for e in at.success] + [e.value for e in at.info] + [e.value for e in at.error]
    parts += [e.value for e in at.warning]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv(index=False))
    return "\n".join(parts)


def test_lockout_in_the_sign_in_page(maker):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    for i in range(5):
        sign_in(at, "agent", f"wrong-{i}")
        assert at.error[0].value == _("Unknown user name or wrong password.")
    sign_in(at, "agent", OFFICER_PW)  # the right password, but the name is locked now
    assert not at.exception
    assert "30 s" in at.error[0].value
    assert "symbiose_user" not in at.session_state


def test_researcher_sees_only_the_catalogue_and_no_company(maker, demo):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    sign_in(at, "labo", RESEARCHER_PW)
    assert not at.exception and at.session_state["symbiose_user"].username == "labo"
    at = signed_in_app(maker, "labo", RESEARCHER_PW)  # a new visit lands on the first page
    assert not at.exception
    assert at.title[0].value == _("Local resources catalogue")
    assert not at.metric  # no overview, no pipeline
    shown = page_texts(at)
    for company in demo.companies:
        for value in (company.name, company.contact_email, company.contact_phone, company.id):
            assert value not in shown, value
    for stream in demo.streams:
        assert stream.id not in shown
    offered = navigation_paths(at.session_state["symbiose_user"])
    assert offered == ["", "catalogue", "login"]  # "" is the hidden home page, which opens the first


def navigation_paths(user) -> list[str]:
    """The url paths of the pages ``ui.pages()`` offers to ``user`` (run as a tiny app)."""
    script = (
        "import streamlit as st\nfrom symbiose import ui\n"
        "st.session_state['paths'] = [p.url_path for p in ui.pages()]\n"
    )
    at = AppTest.from_string(script, default_timeout=TIMEOUT)
    at.session_state["symbiose_user"] = user
    at.run()
    assert not at.exception
    return at.session_state["paths"]


def test_a_planner_sees_no_company_nor_any_pair(maker, demo):
    """A planner read every company's name at its exact place, the 25 flows worth most (supplier,
    receiver, quantity, value; pairs the two companies had not been told of), the synergies each
    scenario gains and loses by name, opportunities of one producer, and downloaded the PDF and the
    GeoJSON that name them all. A planner now sees the network, its communes and flows grouped by
    material with at least k companies on each side."""
    at = signed_in_app(maker, "elu", PLANNER_PW)
    assert not at.exception and at.title[0].value == _("Overview")
    assert at.metric  # the network's indicators
    shown = page_texts(at)
    maps = [e.proto.json for e in at.get("deck_gl_json_chart")]
    assert maps, sorted({node.type for node in at.main})  # the map of communes
    shown += "\n".join(maps)
    for company in demo.companies:  # (the demo's companies stand at their commune's centre: no test of places)
        assert company.name not in shown and f'"{company.id}"' not in shown, company.name
    assert not [b for b in at.get("download_button")]  # the top flows CSV was by pair
    (grouped,) = [d.value for d in at.dataframe]  # flows by material, k companies on each side
    assert len(grouped) > 0 and len(grouped.columns) == 5
    # the indicators to two significant figures, as the public report: exact totals less the
    # groups listed would give back a group withheld
    benefit = next(m.value for m in at.metric if m.label == _("Net benefit (EUR/yr)"))
    assert benefit.replace("\xa0", "").replace("\u202f", "").endswith("0000"), benefit


def test_demoted_officer_loses_the_officer_session(maker):
    at = signed_in_app(maker, "agent", OFFICER_PW)
    assert not at.exception
    with maker() as s, s.begin():
        db.create_user(s, "chef", "deuxieme-agent-17", role="officer")
        db.set_role(s, "agent", "researcher", actor="chef")
    at.run()
    assert not at.exception
    assert "symbiose_user" not in at.session_state
    assert at.title[0].value == _("Sign in")
    assert at.warning and "session" in at.warning[0].value.lower()


def test_sample_request_reaches_the_officer_and_is_decided(maker):
    researcher = signed_in_app(maker, "labo", RESEARCHER_PW)
    researcher.text_input(key="catalogue_search").set_value("sciure").run()
    assert not researcher.exception
    item = researcher.selectbox(key="sample_item")
    assert item.options, "the search found sawdust in the demo catalogue"
    researcher.text_input(key="sample_org").set_value("Université de La Rochelle")
    researcher.text_input(key="sample_email").set_value("not-an-address")
    next(b for b in researcher.button if b.label == _("Send the request")).click().run()
    assert researcher.error or researcher.table  # the bad address is refused
    with maker() as s:
        assert db.list_sample_requests(s) == []
    researcher.text_input(key="sample_email").set_value("labo@univ-lr.fr")
    next(b for b in researcher.button if b.label == _("Send the request")).click().run()
    assert not researcher.exception and researcher.success
    with maker() as s:
        (request,) = db.list_sample_requests(s)
        assert request.requester == "labo" and request.status == "new"
        assert [e.action for e in db.audit_entries(s, entity="sample_request")] == ["request"]

    script = "from symbiose.ui import common, catalogue\ncommon.engine()\ncatalogue.requests_page()\n"
    page = AppTest.from_string(script, default_timeout=TIMEOUT)
    with maker() as s, s.begin():
        officer = db.authenticate(s, "agent", OFFICER_PW)
    page.session_state["symbiose_user"] = officer
    assert "sample-requests" in navigation_paths(officer)
    page.run()
    assert not page.exception
    assert "Université de La Rochelle" in page_texts(page)
    assert "**" in "".join(m.value for m in page.markdown)  # the producers, named for the officer
    page.radio(key="request_decision").set_value("declined")
    next(b for b in page.button if b.label == _("Record the decision")).click().run()
    assert page.error  # declining needs a note
    page.text_input(key="request_note").set_value("le producteur ne souhaite pas d'échantillons")
    next(b for b in page.button if b.label == _("Record the decision")).click().run()
    assert not page.exception and page.success
    with maker() as s:
        (request,) = db.list_sample_requests(s)
        assert request.status == "declined" and request.decided_by == "agent"


def test_requests_page_refuses_a_researcher(maker):
    script = "from symbiose.ui import common, catalogue\ncommon.engine()\ncatalogue.requests_page()\n"
    page = AppTest.from_string(script, default_timeout=TIMEOUT)
    with maker() as s, s.begin():
        page.session_state["symbiose_user"] = db.authenticate(s, "labo", RESEARCHER_PW)
    page.run()
    assert page.error and not page.dataframe


def test_officer_fills_the_legal_checklist_in_the_pipeline(maker):
    script = "from symbiose.ui import common, pipeline\ncommon.engine()\npipeline.page()\n"
    page = AppTest.from_string(script, default_timeout=TIMEOUT)
    with maker() as s, s.begin():
        page.session_state["symbiose_user"] = db.authenticate(s, "agent", OFFICER_PW)
    page.run()
    assert not page.exception
    page.selectbox(key="legal_synergy").set_value("SY001").run()  # sawdust toward wood fuel
    texts = page_texts(page)
    assert _("By-product") in texts and "2910" in texts
    page.selectbox(key="pipeline_legal_path").set_value("by_product").run()
    page.checkbox(key="pipeline_legal_by_product_bp_certain_use").check()
    page.checkbox(key="pipeline_legal_by_product_bp_integral_part").check()
    page.text_area(key="pipeline_legal_notes").set_value("contrat 2021-03")
    next(b for b in page.button if b.label == _("Save the checklist")).click().run()
    assert not page.exception and page.success
    with maker() as s:
        stored = db.get_legal_check(s, "SY001")
        assert stored.path.value == "by_product" and stored.done == 2
        assert stored.notes == "contrat 2021-03" and stored.updated_by == "agent"
        (entry,) = db.audit_entries(s, entity="synergy", entity_id="SY001", limit=1)
        assert entry.action == "legal" and entry.detail["before"] is None
        report = db.verify_chain(s)
    page.button(key="audit_verify").click().run()
    assert page.success[-1].value == report.describe() and report.ok


def test_hazardous_code_toward_a_receiver_without_permit_is_flagged(maker):
    from symbiose.ui.legal import render_legal_path  # noqa: F401  (the function the page calls)

    script = (
        "from symbiose.ui import common\nfrom symbiose.ui.legal import render_legal_path\n"
        "from dataclasses import replace\n"
        "net = common.network()\n"
        "y = next(y for y in net.synergies if y.id == 'SY009')\n"
        "stream = next(s for s in net.streams if s.id == y.stream_id)\n"
        "need = next(n for n in net.needs if n.id == y.need_id)\n"
        "render_legal_path(stream, replace(need, hazardous_permit=False))\n"
    )
    page = AppTest.from_string(script, default_timeout=TIMEOUT).run()
    assert not page.exception
    assert page.error and "(*)" in page.error[0].value


def test_companies_that_have_met_see_their_legal_path(maker, demo):
    """SY001 is implemented (the two companies have met): the supplier's Partners page shows the
    legal path of that exchange, read-only, with the checklist the officer keeps."""
    synergy = next(y for y in demo.synergies if y.id == "SY001")
    supplier = next(s for s in demo.streams if s.id == synergy.stream_id).company_id
    with maker() as s, s.begin():
        db.save_legal_check(s, "SY001", "by_product", {"bp_certain_use": True}, actor="agent")
        db.create_user(s, "scierie", "sciure-et-copeaux-17", role="company", company_id=supplier)
    at = signed_in_app(maker, "scierie", "sciure-et-copeaux-17")
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert _("Legal path of this exchange") in labels
    texts = page_texts(at)
    assert "2910" in texts and texts.count("☑") == 1  # the one item the officer ticked
    assert not any(b.label == _("Save the checklist") for b in at.button)  # read-only


def scenarios_compared(maker, username: str, password: str) -> AppTest:
    """The scenarios page of a signed-in user after 'Run and compare' (the stored network alone)."""
    script = "from symbiose.ui import common, scenarios\ncommon.engine()\nscenarios.page()\n"
    page = AppTest.from_string(script, default_timeout=TIMEOUT)
    with maker() as s, s.begin():
        page.session_state["symbiose_user"] = db.authenticate(s, username, password)
    page.run()
    page.button(key="run_scenarios").click().run()
    assert not page.exception
    return page


def test_a_planners_opportunity_finder_holds_no_company_nor_its_place(maker, demo):
    """The opportunity finder's map sent a planner's browser one point per stream of the network,
    each with its company's id at the company's stored coordinates (C001 at 45.43058, -0.41737).
    A planner now gets the best communes only, for wastes of at least k producers captured from
    at least k of them; an officer still sees the producers of unserved streams."""
    import json

    from symbiose.reference import communes

    centres = {(round(r.latitude, 5), round(r.longitude, 5)) for r in communes().itertuples()}
    places = {(round(c.latitude, 5), round(c.longitude, 5)) for c in demo.companies} - centres
    assert len(places) > 100  # the demo's companies stand at their own sites, not their communes' centres

    def opportunity_map(username, password):
        page = scenarios_compared(maker, username, password)
        charts = [e.proto.json for e in page.get("deck_gl_json_chart")]
        # the finder's map is the one with the best communes, sized by what they capture
        (chart,) = [c for c in charts if '"radius"' in c]
        return page, chart, charts

    def points(chart: str) -> set:
        found = set()
        for layer in json.loads(chart)["layers"]:
            for row in layer.get("data", []):
                if isinstance(row, dict) and "lat" in row:
                    found.add((round(float(row["lat"]), 5), round(float(row["lon"]), 5)))
        return found

    planner, chart, charts = opportunity_map("elu", PLANNER_PW)
    shown = page_texts(planner) + "\n".join(charts)
    for company in demo.companies:
        assert company.name not in shown and f'"{company.id}"' not in shown, company.id
    assert not set().union(*(points(c) for c in charts)) & places
    assert points(chart)  # the best communes
    officer, chart, _charts = opportunity_map("agent", OFFICER_PW)
    assert points(chart) & places  # the officer's map still has the producers of unserved streams


def test_a_planners_scenario_figures_are_rounded_as_on_the_overview(maker):
    """The overview gives a planner the network's figures to two significant figures (exact totals
    less the flows grouped by material would give back a withheld group: one pair's tonnes and
    value); the scenarios page gave the same planner the exact totals (169 723 t, 3 621 249 EUR)."""
    from symbiose.compare import COUNTS
    from symbiose.report_public import round_figures

    def comparison(username, password):
        page = scenarios_compared(maker, username, password)
        (table,) = [d.value for d in page.dataframe if _("synergies") in d.value.index]
        return table

    from symbiose.compare import INDICATORS

    counts = {_(label) for key, label, _spec in INDICATORS if key in COUNTS}
    planner = comparison("elu", PLANNER_PW)
    figures = planner[~planner.index.isin(counts)]
    assert figures.size >= 13  # one scenario: thirteen figures
    assert all(round_figures(v) == v for v in figures.to_numpy().ravel()), figures
    officer = comparison("agent", OFFICER_PW)
    exact = officer[~officer.index.isin(counts)].to_numpy().ravel()
    assert any(round_figures(v) != v for v in exact)  # the officer's figures are exact


def test_a_planners_rounded_differences_are_those_of_the_figures_shown(demo_result):
    """The planner's comparison read 170 000 and 180 000 t with a difference of 16 000 (the exact
    totals' difference, rounded apart: a third figure, inconsistent with the two shown and telling
    more of them), and CO2e « 4000,0 » (two significant figures written to 0.1 t)."""
    from dataclasses import replace

    from symbiose import i18n
    from symbiose.compare import COUNTS, INDICATORS, Comparison, format_table
    from symbiose.report_public import round_figures
    from symbiose.scenarios import Scenario

    kpis = demo_result.kpis
    other = replace(demo_result, kpis=replace(kpis, matched_t=kpis.matched_t + 15_990, co2e_avoided_t=kpis.co2e_avoided_t + 0.004,
                                              receiver_savings_eur=kpis.receiver_savings_eur + 1e-9))  # fmt: skip
    comparison = Comparison([Scenario(name="A", description="", base="database"),
                             Scenario(name="B", description="", base="database")], [demo_result, other])  # fmt: skip
    table = comparison.table(rounded=True)
    figures = [label for key, label, _spec in INDICATORS if key not in COUNTS]
    assert (table.loc[figures, "B - A"] == table.loc[figures, "B"] - table.loc[figures, "A"]).all()
    assert all(round_figures(v) == v for v in table.loc[figures, ["A", "B"]].to_numpy().ravel())
    with i18n.language("fr"):
        sheet = comparison.spreadsheet_table(rounded=True).set_index("indicateur (par an)")
        co2e = sheet.loc["CO2e évité, net (t/an)"].tolist()
        assert co2e[0] == f"{round_figures(kpis.co2e_avoided_t):.0f}" and not co2e[0].endswith(",0"), co2e
        text = format_table(comparison)  # the terminal's table: a float's residue is no change
    receivers = next(line for line in text.splitlines() if line.startswith("économies des receveurs"))
    assert "(+0)" not in receivers and "(0)" in receivers, receivers


def test_a_scenario_figure_of_fewer_than_k_companies_is_withheld_from_a_planner(demo, demo_result):
    """A planner's ad-hoc scenario of 0,5 km keeps a handful of pairs: the public report's
    scenario section read « échangé (m3/an) 15 040 », one distillery's volume to a digester, and
    the exact net benefit the same report rounds above. Rounded and withheld now, in the table,
    the CSV and the public report; the officer's report keeps the exact figures."""
    import math
    from dataclasses import replace

    from symbiose import i18n
    from symbiose.compare import Comparison, thin_figures
    from symbiose.matching import run_match
    from symbiose.report_public import render_public_html
    from symbiose.scenarios import Scenario

    tight = run_match(demo, replace(demo_result.candidates.params, max_distance_km=0.5))
    liquid = tight.matches()[tight.matches()["unit"].astype(str) == "m3"]
    assert 0 < liquid["supplier_id"].nunique() < 3, liquid  # the case: one or two suppliers of m3
    exact_m3 = f"{tight.kpis.matched_m3:,.0f}".replace(",", "\u00a0")
    comparison = Comparison([Scenario(name="Réseau", description="", base="database"),
                             Scenario(name="0,5 km", description="", base="database")], [demo_result, tight])  # fmt: skip
    assert "matched_m3" in thin_figures(tight, 3) and "matched_m3" not in thin_figures(demo_result, 3)
    table = comparison.table(rounded=True)
    assert math.isnan(table.at["exchanged (m3/yr)", "0,5 km"]) and math.isnan(table.at["exchanged (m3/yr)", "0,5 km - Réseau"])
    assert not math.isnan(table.at["exchanged (m3/yr)", "Réseau"])
    with i18n.language("fr"):
        sheet = comparison.spreadsheet_table(rounded=True).set_index("indicateur (par an)")
        html = render_public_html(demo, demo_result, comparison=comparison)
    assert sheet.loc["échangé (m3/an)", "0,5 km"] == "—"
    assert exact_m3 not in html and f"{demo_result.kpis.net_benefit_eur:,.0f}".replace(",", "\u00a0") not in html
    assert comparison.table().at["exchanged (m3/yr)", "0,5 km"] == tight.kpis.matched_m3  # the officer's


def test_a_planners_opportunities_and_comparison_file_are_rounded_too(maker, demo_result):
    """The planner's opportunity table gave 69 840,5 m3 unserved, 8 560 t captured and the
    producers' current cost to the euro (sums over three producers give one of them to a planner
    who knows the other two), the scenario file quantity = 8560.0, and the comparison CSV the
    exact totals the page had rounded."""
    from symbiose.compare import COUNTS, INDICATORS, Comparison
    from symbiose.report_public import round_figures
    from symbiose.scenarios import Scenario

    page = scenarios_compared(maker, "elu", PLANNER_PW)
    (table,) = [d.value for d in page.dataframe if "site_name" in d.value.columns]
    figures = [c for c in ("unserved", "captured", "mean_km", "avoided_route_cost_eur") if c in table.columns]
    assert len(figures) == 4 and len(table) > 0 and "no_candidate" not in table.columns
    assert all(round_figures(v) == v for c in figures for v in table[c]), table[figures]
    (toml,) = [c.value for c in page.code]
    quantity = float(next(line for line in toml.splitlines() if line.startswith("quantity =")).split("=")[1])
    assert round_figures(quantity) == quantity, toml
    officer = scenarios_compared(maker, "agent", OFFICER_PW)
    (exact,) = [d.value for d in officer.dataframe if "site_name" in d.value.columns]
    assert any(round_figures(v) != v for v in exact["avoided_route_cost_eur"])

    comparison = Comparison([Scenario(name="A", description="", base="database")], [demo_result])
    sheet = comparison.spreadsheet_table(rounded=True)
    rows = [_(label) for key, label, _spec in INDICATORS if key not in COUNTS]
    values = [float(v.replace(",", ".")) for v in sheet.set_index(sheet.columns[0]).loc[rows].iloc[:, 0]]
    assert all(round_figures(v) == v for v in values) and len(values) >= 13
