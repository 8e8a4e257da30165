"""The main path in a real browser: `streamlit run app.py` driven by Chromium through Playwright.

The server (``server`` in conftest.py, one per module, English) and the browser are shared by the
tests of this module; each test opens its own browser context. Skipped when /usr/bin/chromium or
the playwright package is missing. Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

import re

import pytest
from servers import streamlit_app

pytestmark = pytest.mark.browser


def _no_exception(page, where: str) -> None:
    """No traceback on the page: neither Streamlit's exception box nor Python's text."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stException")).to_have_count(0)
    body = page.locator("section.stMain, [data-testid='stMain']").first.inner_text()
    assert "Traceback (most recent call last)" not in body, where


def _go(page, title: str, heading: str) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text=title).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=30_000)
    # wait for the script run to finish (the status widget disappears)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)


def test_main_path_in_chromium(server, chromium, new_page, tmp_path):
    """Overview metrics, then every page of the main path, without any exception text."""
    from playwright.sync_api import expect

    page = new_page(chromium)
    page.goto(server, wait_until="domcontentloaded")
    metric = page.get_by_test_id("stMetric").filter(has_text="Synergies in the optimum")
    expect(metric).to_be_visible(timeout=40_000)
    value = metric.get_by_test_id("stMetricValue").inner_text()
    assert int(value.replace(",", "")) > 0
    expect(page.get_by_test_id("stMetric")).to_have_count(6)
    for label in ("Net benefit (EUR/yr)", "CO2e avoided (t/yr)", "Exchanged (t/yr)"):
        expect(page.get_by_test_id("stMetric").filter(has_text=label)).to_be_visible()
    expect(page.get_by_role("heading", name="Top flows")).to_be_visible()
    _no_exception(page, "overview")
    page.screenshot(path=str(tmp_path / "overview.png"))  # what the window shows

    _go(page, "Companies & flows", "Companies & flows")
    expect(page.get_by_text("Streams: what companies put out")).to_be_visible()
    _no_exception(page, "companies")

    from symbiose.i18n import _, language

    with language("en"):  # this server speaks English (SYMBIOSE_LANGUAGE above)
        heading, interested = _("Partners"), _("I'm interested")
        first = _("**Partner #{n}** — {activity}, {distance} by road").split("—")[0].strip("* ").format(n=1)
    _go(page, "Partners", heading)
    expect(page.get_by_text(first, exact=False).first).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name=interested, exact=True).first).to_be_visible()
    _no_exception(page, "partners")

    _go(page, "Pipeline", "Pipeline")
    expect(page.get_by_test_id("stMetric").filter(has_text="Implemented")).to_be_visible()
    _no_exception(page, "pipeline")

    _go(page, "Scenarios", "Scenarios")
    page.get_by_role("button", name="Run and compare").click()
    expect(page.get_by_role("heading", name="Indicators (per year)")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Opportunity finder")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    _no_exception(page, "scenarios")
    assert (tmp_path / "overview.png").stat().st_size > 10_000


def test_import_preview_confirm_and_undo_in_chromium(server, server_database, chromium, new_page, tmp_path):
    """An officer uploads a one-column change, sees the preview, confirms, then undoes it."""
    from playwright.sync_api import expect

    from symbiose import db
    from symbiose.i18n import _, language

    with language("fr"):  # the application's default language
        preview_label, confirm_label, undo_label = _("Preview the import"), _("Confirm the import"), _("Undo")
        undone_message = _("Import {id} undone: {counts}.")
    change = tmp_path / "flux.csv"
    change.write_text("identifiant;quantite\nS0001;4321\n", encoding="utf-8")

    def quantity() -> int:
        engine = db.make_engine(server_database)
        try:
            with db.session_factory(engine)() as s:
                return next(x.quantity_base for x in db.load_network(s).streams if x.id == "S0001")
        finally:
            engine.dispose()

    page = new_page(chromium)
    page.goto(f"{server}/companies?lang=fr", wait_until="domcontentloaded")  # the officer reads French
    expect(page.get_by_role("tab").nth(4)).to_be_visible(timeout=40_000)
    before = quantity()
    page.get_by_role("tab").nth(4).click()
    page.locator("input[type=file]").set_input_files(str(change))
    page.get_by_role("button", name=preview_label).click()
    confirm = page.get_by_role("button", name=confirm_label)
    expect(confirm).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
    assert quantity() == before  # the preview wrote nothing
    confirm.click()
    expect(page.get_by_test_id("stAlert").filter(has_text="I20")).to_be_visible(timeout=30_000)
    assert quantity() == 4_321_000
    page.get_by_role("button", name=undo_label).first.click()
    # the undo's own message, naming the import (the confirmation's message names it too)
    pattern = re.escape(undone_message.split("{counts}")[0]).replace(r"\{id\}", r"I20\d{6}-\d{6}-[0-9a-f]{4}")
    expect(page.get_by_test_id("stAlert").filter(has_text=re.compile(pattern))).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    named = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"I20\d{6}-\d{6}-[0-9a-f]{4}"))
    expect(named).to_have_count(1)  # the undo's message alone names the import now
    _no_exception(page, "import")
    assert quantity() == before


def test_researcher_signs_in_and_sees_only_the_anonymous_catalogue(chromium, new_page, tmp_path):
    """A researcher account, in a real browser: sign in, the catalogue is the only page, and the
    page's text holds no company name, e-mail or phone of the demo network. (Its own server: an
    account ends the open demo mode the other tests of this module use.)"""
    from playwright.sync_api import expect

    from symbiose import db
    from symbiose.i18n import _

    url = f"sqlite:///{tmp_path / 'researcher.db'}"
    engine = db.ensure_database(url)
    with db.session_factory(engine)() as s, s.begin():
        db.load_demo(s)
        db.create_user(s, "labo", "essais-de-sciure-2026", role="researcher")
        demo = db.load_network(s)
    engine.dispose()
    with streamlit_app(tmp_path, url) as base:
        page = new_page(chromium)
        page.goto(f"{base}/?lang=fr", wait_until="domcontentloaded")  # labels below are French
        page.get_by_label(_("User name")).fill("labo")
        page.get_by_label(_("Password"), exact=True).fill("essais-de-sciure-2026")
        page.get_by_role("button", name=_("Sign in")).click()
        _go(page, _("Local resources"), _("Local resources catalogue"))
        links = page.get_by_test_id("stSidebarNav").get_by_role("link")
        expect(links).to_have_count(2)  # the catalogue and the sign-in page, nothing else
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=20_000)
        _no_exception(page, "catalogue")
        body = page.locator("section.stMain, [data-testid='stMain']").first.inner_text()
        for company in demo.companies:
            for value in (company.name, company.contact_email, company.contact_phone):
                assert not value or value not in body, value


def test_the_company_form_in_french_shows_what_is_stored_and_saves_it_unchanged_in_chromium(
        server, server_database, chromium, new_page):  # fmt: skip
    """Numbers read 45,43753 in a French form; after a company moved, the browser kept the old
    latitude, and a second save 'without a change' put the company back at its old place."""
    from playwright.sync_api import expect

    from symbiose import db
    from symbiose.i18n import _, fmt_input_number, language

    def stored(company_id):
        engine = db.make_engine(server_database)
        with db.session_factory(engine)() as s:
            found = next(c for c in db.load_network(s).companies if c.id == company_id)
            version = db.record_state(s, "companies", company_id).version
        engine.dispose()
        return found, version

    page = new_page(chromium)
    page.goto(f"{server}/companies?lang=fr", wait_until="domcontentloaded")
    expect(page.get_by_role("tab").nth(1)).to_be_visible(timeout=40_000)
    import dataclasses

    engine = db.make_engine(server_database)
    with db.session_factory(engine)() as s, s.begin():
        company = next(c for c in db.load_network(s).companies if c.commune == "Jonzac")
        # a note imported with a line break: a one-line box glued its lines and saved them so
        company = dataclasses.replace(company, notes="Remarque ; et\nsaut de ligne")
        db.save_record(s, "companies", company, actor="test", columns=["notes"],
                       expected_version=db.record_state(s, "companies", company.id).version)
    engine.dispose()
    with language("fr"):
        to_edit, save_label = _("Company to edit"), _("Save the company")
        field = {name: page.get_by_role("textbox", name=_(label), exact=True) for name, label in (
            ("latitude", "Latitude"), ("commune", "Commune"), ("insee", "INSEE code"), ("postal", "Postal code"),
            ("notes", "Notes"))}  # fmt: skip
        french = fmt_input_number

    def settle():
        page.wait_for_timeout(500)
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
        # a rerun after a save may leave the old form's fields on screen for a moment
        expect(field["latitude"]).to_have_count(1, timeout=30_000)

    page.get_by_role("tab").nth(1).click()
    box = page.get_by_role("combobox", name=to_edit)
    box.click()
    box.fill(company.id)
    page.get_by_role("option").filter(has_text=company.id).first.click()
    with language("fr"):
        expect(field["latitude"]).to_have_value(french(repr(company.latitude)))
    assert "," in field["latitude"].input_value()
    before = stored(company.id)
    page.get_by_role("button", name=save_label).click()
    settle()
    assert stored(company.id) == before  # saved without a change: nothing written
    assert field["notes"].input_value() == "Remarque ; et\nsaut de ligne"
    field["notes"].fill(field["notes"].input_value() + " (vu le 02/12)")
    page.get_by_role("button", name=save_label).click()
    settle()
    assert stored(company.id)[0].notes == "Remarque ; et\nsaut de ligne (vu le 02/12)"
    before = stored(company.id)

    field["commune"].fill("Montendre")
    field["insee"].fill("")
    field["postal"].fill("")
    page.get_by_role("button", name=save_label).click()
    settle()
    moved, version = stored(company.id)
    assert moved.latitude != company.latitude and moved.postal_code == "17130"
    with language("fr"):
        expect(field["latitude"]).to_have_value(french(repr(moved.latitude)))
    expect(field["postal"]).to_have_value("17130")
    page.get_by_role("button", name=save_label).click()
    settle()
    assert stored(company.id) == (moved, version)
    _no_exception(page, "companies")


def test_pipeline_boxes_show_the_new_stage_after_a_move_in_chromium(server, server_database, chromium, new_page):
    """After a move, the synergy box read the stage just left, the form kept the move, reason and
    quantity just sent, and the next click put the box back on the first synergy of the list."""
    from playwright.sync_api import expect

    from symbiose import db

    page = new_page(chromium)
    page.goto(f"{server}/pipeline", wait_until="domcontentloaded")  # loads the demo when alone
    expect(page.get_by_role("heading", name="Change a stage")).to_be_visible(timeout=40_000)
    engine = db.make_engine(server_database)
    with db.session_factory(engine)() as s:
        synergy = next(y for y in db.load_network(s).synergies if str(y.stage) == "suggested")
    engine.dispose()
    synergy_box, stage_box = (page.get_by_role("combobox", name=name) for name in ("Synergy", "New stage"))
    quantity = page.get_by_role("textbox", name="Agreed quantity per year (optional, in the stream's unit)")
    reason = page.get_by_role("textbox", name="Reason (required to abandon, go back or reopen)")
    synergy_box.first.click()
    synergy_box.first.fill(synergy.id)
    page.get_by_role("option").filter(has_text=f"{synergy.id} (Suggested)").click()
    expect(stage_box).to_have_value("Contacted (forward)", timeout=30_000)
    quantity.fill("12")
    reason.fill("premier appel")
    page.get_by_role("button", name="Change the stage").click()
    expect(page.get_by_test_id("stAlert").filter(has_text=f"Synergy {synergy.id} is now Contacted.")).to_be_visible(
        timeout=30_000)  # fmt: skip
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    expect(synergy_box.first).to_have_value(re.compile(rf"^{synergy.id} \(Contacted\)"))
    expect(stage_box).to_have_value("In discussion (forward)")
    expect(quantity).to_have_value("")
    expect(reason).to_have_value("")
    page.get_by_role("button", name="Check the audit chain").click()  # another run
    expect(page.get_by_test_id("stAlert").filter(has_text="chain")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    expect(synergy_box.first).to_have_value(re.compile(rf"^{synergy.id} \(Contacted\)"))
    _no_exception(page, "pipeline")
