"""The main path in French in a real browser (Debian's Chromium, fr-FR locale), offline.

`symbiose serve` is started for real (on 127.0.0.1, Streamlit's developer toolbar hidden);
the browser may reach that address only: every other request is refused and recorded. The test
walks the pages in French, checks that no English word of the interface shows, that the map
draws its shipped background (sea and land colours in the map's canvas) with no network, and
that there is no Deploy button. Skipped when /usr/bin/chromium or playwright is missing.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from servers import free_port, require_chromium, stop, wait_healthy
from test_french import english_words_in

from symbiose import db

SEA, LAND = (205, 226, 240), (246, 243, 236)  # symbiose.ui.maps.SEA / LAND

pytestmark = pytest.mark.browser


@pytest.fixture
def served(tmp_path):
    """`symbiose serve` on a free port, French, on an empty database (the demo is loaded)."""
    yield from _serve(tmp_path)


@pytest.fixture
def served_with_account(tmp_path):
    """The same with one officer account (so pages need a sign-in)."""
    url = f"sqlite:///{tmp_path / 'fr.db'}"
    engine = db.ensure_database(url)
    with db.session_factory(engine)() as s, s.begin():
        db.load_demo(s)
        db.create_user(s, "marie", "Seugne-Jonzac-2026", role="officer")
    engine.dispose()
    yield from _serve(tmp_path)


def _serve(tmp_path):
    require_chromium()
    port = free_port()
    env = {**os.environ, "SYMBIOSE_LANGUAGE": "fr", "STREAMLIT_SERVER_HEADLESS": "true"}
    log = (tmp_path / "serve.log").open("w")
    command = [sys.executable, "-m", "symbiose.cli", "--database", f"sqlite:///{tmp_path / 'fr.db'}", "serve",
               "--port", str(port)]  # fmt: skip
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, tmp_path / "serve.log")
        yield base
    finally:
        stop(proc)
        log.close()


def _settled(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=40_000)


def _main_text(page) -> str:
    return page.locator("[data-testid='stMain']").first.inner_text()


def _assert_french(page, where: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stException")).to_have_count(0)
    text = _main_text(page) + "\n" + page.get_by_test_id("stSidebar").inner_text()
    found = english_words_in(text)
    assert not found, f"{where}: English words on a French page: {found}"


def _map_colours(page) -> set[tuple[int, int, int]]:
    """The colours drawn in the first map's canvas (a screenshot of the element)."""
    from PIL import Image

    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas#deckgl-overlay").first
    canvas.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1500)  # deck.gl draws on the next animation frames
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    return {c for _n, c in image.getcolors(maxcolors=1 << 20)}


def _near(colours: set[tuple[int, int, int]], target: tuple[int, int, int], tolerance: int = 6) -> bool:
    return any(all(abs(a - b) <= tolerance for a, b in zip(c, target, strict=True)) for c in colours)


def test_main_path_in_french_offline(served, chromium_webgl, new_page):
    from playwright.sync_api import expect

    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(served) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page = new_page(chromium_webgl, locale="fr-FR", viewport={"width": 1440, "height": 1000})
    page.context.route("**/*", only_local)
    page.goto(served, wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Vue d'ensemble", exact=True)).to_be_visible(timeout=60_000)
    metric = page.get_by_test_id("stMetric").filter(has_text="Synergies de l'optimum")
    expect(metric).to_be_visible(timeout=60_000)
    _settled(page)
    assert int(metric.get_by_test_id("stMetricValue").inner_text().replace("\u00a0", "").replace(" ", "")) > 0
    expect(page.get_by_role("heading", name="Principaux flux")).to_be_visible()
    _assert_french(page, "vue d'ensemble")
    colours = _map_colours(page)
    # no base map under the layers: the shipped background is all there is
    expect(page.locator("[data-testid='stDeckGlJsonChart'] .mapboxgl-canvas")).to_have_count(0)
    assert _near(colours, SEA) and _near(colours, LAND), "the map has no sea/land background"
    expect(page.get_by_text("Deploy", exact=True)).to_have_count(0)  # Streamlit's button hidden

    for title, heading in (("Entreprises et flux", "Entreprises et flux"),
                           ("Suivi des synergies", "Suivi des synergies")):  # fmt: skip
        page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text=title).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=30_000)
        _settled(page)
        _assert_french(page, heading)

    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text="Scénarios").click()
    expect(page.get_by_role("heading", name="Scénarios", exact=True)).to_be_visible(timeout=30_000)
    _settled(page)
    page.get_by_role("button", name="Calculer et comparer").click()
    expect(page.get_by_role("heading", name="Indicateurs (par an)")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Recherche d'opportunités")).to_be_visible(timeout=60_000)
    _settled(page)
    _assert_french(page, "scénarios")
    expect(page.get_by_role("button", name="Rapport d'impact (PDF)")).to_be_visible()
    # the address of a page works when typed or bookmarked
    page.goto(f"{served}/scenarios", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Scénarios", exact=True)).to_be_visible(timeout=30_000)
    # online tiles are an option, off by default: no tile server was even asked
    assert not [u for u in outside if "basemaps" in u or "tile" in u], outside


def test_a_sign_in_survives_a_reload_and_a_second_tab_until_sign_out(served_with_account, chromium, new_page):
    from playwright.sync_api import expect

    page = new_page(chromium, locale="fr-FR", viewport={"width": 1440, "height": 1000})
    page.goto(served_with_account, wait_until="domcontentloaded")
    page.get_by_label("User name").or_(page.get_by_label("Nom d'utilisateur")).fill("marie")
    page.get_by_label("Password", exact=True).or_(page.get_by_label("Mot de passe", exact=True)).fill(
        "Seugne-Jonzac-2026")
    page.get_by_test_id("stFormSubmitButton").get_by_role("button").click()
    signed_in = page.get_by_test_id("stMain").get_by_text("marie")
    expect(signed_in.first).to_be_visible(timeout=60_000)
    _settled(page)
    assert "session=" not in page.url  # the address holds no token: copied, it opens nothing
    page.reload(wait_until="domcontentloaded")  # a reload keeps the sign-in (the cookie)
    expect(signed_in.first).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stFormSubmitButton")).to_have_count(0)
    pasted = new_page(chromium, locale="fr-FR")  # the address opened elsewhere (no cookie): signed out
    pasted.goto(page.url, wait_until="domcontentloaded")
    expect(pasted.get_by_test_id("stFormSubmitButton")).to_be_visible(timeout=60_000)
    expect(pasted.get_by_test_id("stMain").get_by_text("marie")).to_have_count(0)
    second = page.context.new_page()  # a second tab opened on a page's address, without the token
    second.goto(f"{served_with_account}/scenarios", wait_until="domcontentloaded")
    expect(second.get_by_role("heading", name="Scénarios", exact=True)).to_be_visible(timeout=60_000)
    _settled(second)
    # sign out in the second tab: the first one, reloaded, is signed out too
    second.goto(f"{served_with_account}/login", wait_until="domcontentloaded")
    expect(second.get_by_test_id("stMain").get_by_text("marie").first).to_be_visible(timeout=60_000)
    _settled(second)
    second.locator(".st-key-logout button").click()
    expect(second.get_by_test_id("stFormSubmitButton")).to_be_visible(timeout=60_000)
    page.reload(wait_until="domcontentloaded")
    expect(page.get_by_test_id("stFormSubmitButton")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Scénarios", exact=True)).to_have_count(0)


def test_streamlits_own_texts_read_in_french(served, chromium, new_page):
    """The file uploader's button and size limit, and the hint under a field, are Streamlit's own
    English texts; a French page hides them and draws French ones (what a user sees: the text of
    the page and the content drawn after the hidden English)."""
    from playwright.sync_api import expect

    page = new_page(chromium, locale="fr-FR", viewport={"width": 1440, "height": 1000})
    page.goto(f"{served}/companies", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Entreprises et flux", exact=True)).to_be_visible(timeout=60_000)
    _settled(page)
    page.get_by_role("tab", name="Import / export").click()
    dropzone = page.get_by_test_id("stFileUploaderDropzone").first
    expect(dropzone).to_be_visible(timeout=30_000)
    shown = dropzone.inner_text()
    assert "Upload" not in shown and "MB per file" not in shown, shown
    drawn = dropzone.evaluate(
        """zone => [...zone.querySelectorAll('[data-testid="stMarkdownContainer"], '
                                         + '[data-testid="stFileUploaderDropzoneInstructions"] > div')]
                    .map(e => getComputedStyle(e, '::after').content)"""
    )  # fmt: skip
    assert drawn == ['"Choisir des fichiers"', '"50 Mo par fichier au plus"'], drawn  # symbiose serve's limit
    # the « Stop » of a running page: drawn as « Arrêter » by a rule of the page (a run is too short to catch)
    stop = page.evaluate(
        """() => [...document.styleSheets].flatMap(sheet => { try { return [...sheet.cssRules]; } catch (e) { return []; } })
                  .filter(rule => (rule.selectorText || '').includes('stStatusWidget') && rule.style.content)
                  .map(rule => rule.style.content)"""
    )  # fmt: skip
    assert stop == ['"Arrêter"'], stop
    page.get_by_role("tab", name="Parcourir").click()
    field = page.get_by_test_id("stMain").get_by_role("textbox").first
    field.fill("Jonzac")
    page.wait_for_timeout(500)
    instructions = page.get_by_test_id("InputInstructions")
    assert instructions.count() == 0 or not instructions.first.is_visible()
    assert "Press Enter" not in page.get_by_test_id("stMain").inner_text()
    # a list's dropdown offers its options, without Streamlit's English « Select all »
    page.get_by_test_id("stMain").get_by_test_id("stMultiSelect").first.click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible(timeout=10_000)
    assert "Select all" not in options.all_inner_texts(), options.all_inner_texts()[:3]
