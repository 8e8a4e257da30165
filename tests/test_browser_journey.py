"""The two-sided journey in a real browser: a supplier says it is interested, the receiver finds
the request under "Requests received", accepts, and both see each other's name.

Chromium driven by Playwright against ``streamlit run app.py`` (the ``server`` and ``chromium``
fixtures of conftest.py).
"""

from __future__ import annotations

import pytest
from servers import UI_KEY_SECRET
from test_browser import _no_exception
from test_journey import top_lists, unseen_pair  # noqa: F401 - the pair fixtures

from symbiose.ui.partners import pair_key

pytestmark = pytest.mark.browser


def fr(message: str, **values) -> str:
    """A message as the application shows it by default (French)."""
    from symbiose.i18n import _, language

    with language("fr"):
        return _(message).format(**values) if values else _(message)


def _choose_company(page, company_id: str, name: str) -> None:
    from playwright.sync_api import expect

    box = page.get_by_test_id("stSelectbox").filter(has_text=fr("Company")).first
    box.click()
    page.keyboard.type(f"{company_id} ")
    page.keyboard.press("Enter")
    from symbiose.i18n import language, ngettext

    with language("fr"):
        puts_out = ngettext("What {name} puts out ({n} stream)", "What {name} puts out ({n} streams)", 2)
    puts_out = puts_out.split(" (")[0].format(name=name)
    expect(page.get_by_role("heading", name=puts_out, exact=False)).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)


def _click(page, key: str) -> None:
    from playwright.sync_api import expect

    button = page.locator(f".st-key-{key} button").first
    if not button.is_visible():  # a stream after the first one: its list is in a closed expander
        page.get_by_test_id("stExpander").filter(has=page.locator(f".st-key-{key}")).first.locator("summary").first.click()
        expect(button).to_be_visible()
    button.scroll_into_view_if_needed()
    button.click()
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)


def _see(page, text: str) -> None:
    """``text`` is on the page and visible, opening the closed expander (a stream's or a need's
    list after the first) that holds it."""
    from playwright.sync_api import expect

    item = page.get_by_test_id("stMain").get_by_text(text, exact=False).first
    expect(item).to_be_attached(timeout=90_000)
    if not item.is_visible():
        page.get_by_test_id("stExpander").filter(has=page.get_by_text(text, exact=False)).first.locator("summary").first.click()
    expect(item).to_be_visible(timeout=90_000)


def test_interest_request_accept_and_names_in_chromium(server, chromium, new_page, unseen_pair, demo):  # noqa: F811
    from playwright.sync_api import expect

    stream_id, need_id, supplier, receiver, _n, _total = unseen_pair
    names = {c.id: c.name for c in demo.companies}
    page = new_page(chromium)  # a failure leaves a screenshot in tmp_path
    page.set_default_timeout(90_000)  # the machine may be loaded: each rerun recomputes a page
    page.goto(f"{server}/partners?lang=fr", wait_until="domcontentloaded")  # French labels below
    expect(page.get_by_role("heading", name=fr("Partners"), exact=True)).to_be_visible(timeout=120_000)
    _choose_company(page, supplier, names[supplier])
    _click(page, pair_key("interest", "supplier", stream_id, need_id, secret=UI_KEY_SECRET.encode()))
    expect(page.get_by_text(fr("Interest recorded."), exact=False)).to_be_visible(timeout=90_000)
    main = page.get_by_test_id("stMain")
    assert names[receiver] not in main.inner_text()

    _choose_company(page, receiver, names[receiver])
    expect(page.get_by_role("heading", name=fr("Requests received ({n})", n=1))).to_be_visible(timeout=90_000)
    assert names[supplier] not in main.inner_text()
    _no_exception(page, "requests received")
    _click(page, pair_key("accept", "receiver", stream_id, need_id, secret=UI_KEY_SECRET.encode()))
    expect(page.get_by_text(fr("Both sides are interested: identities revealed."), exact=False).first).to_be_visible(timeout=90_000)
    _see(page, names[supplier])

    _choose_company(page, supplier, names[supplier])
    _see(page, names[receiver])
    _no_exception(page, "names revealed")
