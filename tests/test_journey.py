"""The two-sided company journey: interest, requests received, accept or decline, notices, e-mail.

Pages run with AppTest on a copy of a real SQLite file holding the demo network; e-mail goes to a
real SMTP server (aiosmtpd) started on a free local port.
"""

from __future__ import annotations

import math
import socket
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
import partner_pages  # noqa: E402
from databases import copy_database  # noqa: E402
from partner_pages import button as _button  # noqa: E402
from partner_pages import partners_as, texts  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from symbiose import blinding, db, i18n  # noqa: E402
from symbiose.db import notifications  # noqa: E402
from symbiose.ui.partners import pair_key  # noqa: E402

TIMEOUT = 60
maker = partner_pages.maker  # the demo database made the app's (a fixture)




@pytest.fixture(scope="module")
def top_lists(demo, demo_result):
    """The pairs each side lists (its best by banded gain), as the Partners page chooses them."""
    from symbiose.compat import load_knowledge_base
    from symbiose.ui.partners import PARTNERS_PER_ITEM

    pairs = blinding.pair_table(demo_result.candidates)
    pipes = blinding.pipe_costs(load_knowledge_base())
    visible = pairs[[blinding.visible(r, pipes=pipes) for r in pairs.itertuples()]]
    companies = {c.id: c for c in demo.companies}

    def top(side: str, item_col: str, viewer_col: str, partner_col: str) -> set[tuple[str, str]]:
        out = set()
        for (_item, viewer), group in visible.groupby([item_col, viewer_col]):
            blind = blinding.ActivityBlind(demo.companies, companies[viewer], road_factor=1.3, k=3)
            banded = [blinding.band_pair(r, side, activity=blind.coarse(getattr(r, partner_col)), pipes=pipes)
                      for r in group.itertuples()]  # fmt: skip
            out |= {(p.stream_id, p.need_id) for p in blinding.ranked(banded)[:PARTNERS_PER_ITEM]}
        return out

    return (top(blinding.SUPPLIER, "stream_id", "supplier_id", "receiver_id"),
            top(blinding.RECEIVER, "need_id", "receiver_id", "supplier_id"))  # fmt: skip


def _with_companies(demo, stream_id: str, need_id: str) -> tuple[str, str, str, str]:
    supplier = next(s.company_id for s in demo.streams if s.id == stream_id)
    receiver = next(n.company_id for n in demo.needs if n.id == need_id)
    return stream_id, need_id, supplier, receiver


@pytest.fixture(scope="module")
def unseen_pair(demo, top_lists):
    """A pair in its supplier's top list whose receiver does not have it in its own top list."""
    supplier_top, receiver_top = top_lists
    unseen = sorted(supplier_top - receiver_top)
    assert unseen, "every supplier-side suggestion is also on its receiver's list"
    return (*_with_companies(demo, *unseen[0]), len(unseen), len(supplier_top))


@pytest.fixture(scope="module")
def receiver_listed(demo, top_lists):
    """A pair in its receiver's top list."""
    return _with_companies(demo, *sorted(top_lists[1])[0])


def test_interest_reaches_the_receiver_who_accepts_and_both_see_names(maker, unseen_pair, demo):
    stream_id, need_id, supplier, receiver, _n, _total = unseen_pair
    names = {c.id: c.name for c in demo.companies}
    b = partners_as(receiver)
    assert "Requests received (0)" in texts(b)
    assert not any(x.key == pair_key("interest", "receiver", stream_id, need_id) for x in b.button)  # not in its top list

    a = partners_as(supplier)
    _button(a, pair_key("interest", "supplier", stream_id, need_id)).click().run()
    assert not a.exception and names[receiver] not in texts(a)
    with maker() as s:
        notes = notifications.notices(s, company_id=receiver)
        assert [n.kind for n in notes] == ["interest"] and notes[0].detail["item_id"] == need_id
        assert notifications.unread_count(s, role="officer") == 1
        assert notifications.notices(s, company_id=supplier) == []

    b.run()
    shown = texts(b)
    assert "Requests received (1)" in shown and names[supplier] not in shown
    _button(b, pair_key("accept", "receiver", stream_id, need_id)).click().run()
    assert not b.exception
    assert names[supplier] in texts(b)
    a.run()
    assert names[receiver] in texts(a)
    assert "Requests received (0)" in texts(b)
    with maker() as s:
        assert [n.kind for n in notifications.notices(s, company_id=supplier)] == ["mutual"]
        assert [n.kind for n in notifications.notices(s, company_id=receiver)] == ["mutual", "interest"]
        synergy = next(x for x in db.load_network(s).synergies if (x.stream_id, x.need_id) == (stream_id, need_id))
        assert str(synergy.stage) == "in_discussion"


def test_decline_needs_a_reason_is_remembered_and_the_pair_is_not_proposed_again(maker, unseen_pair):
    from symbiose.matching import run_match
    from symbiose.ui import blind

    stream_id, need_id, supplier, receiver, _n, _total = unseen_pair
    with maker() as s, s.begin():
        blind.express_interest(s, db.load_network(s), stream_id, need_id, side="supplier", company_id=supplier,
                               actor="a")  # fmt: skip
    b = partners_as(receiver)
    key = pair_key("accept", "receiver", stream_id, need_id)
    with maker() as s:
        before = db.counts(s)
    _button(b, f"decline_{key}").click().run()  # no reason: refused, nothing stored
    assert b.error and "reason" in b.error[0].value
    with maker() as s:
        assert db.counts(s) == before
    b.text_input(key=f"why_{key}").set_value("we already buy from a cooperative")
    _button(b, f"decline_{key}").click().run()
    assert not b.exception and "Requests received (0)" in texts(b)
    with maker() as s:
        net = db.load_network(s)
        synergy = next(x for x in net.synergies if (x.stream_id, x.need_id) == (stream_id, need_id))
        assert str(synergy.stage) == "abandoned" and "cooperative" in synergy.abandoned_reason
        assert synergy.abandoned_reason.startswith("declined by the receiver: ")  # in the page's language
        told = notifications.notices(s, company_id=supplier)
        assert [n.kind for n in told] == ["declined"] and "cooperative" not in str(told[0].detail.get("item_id"))
    result = run_match(net)
    assert not ((result.candidates.arcs["stream_id"].astype(str) == stream_id)
                & (result.candidates.arcs["need_id"].astype(str) == need_id)).any()  # fmt: skip
    a = partners_as(supplier)
    assert not any(x.key == pair_key("interest", "supplier", stream_id, need_id) for x in a.button)


def test_notifications_page_badge_and_mark_read(maker, unseen_pair, monkeypatch):
    from symbiose.ui import blind

    stream_id, need_id, supplier, receiver, _n, _total = unseen_pair
    with maker() as s, s.begin():
        blind.express_interest(s, db.load_network(s), stream_id, need_id, side="supplier", company_id=supplier,
                               actor="a")  # fmt: skip
        db.create_user(s, "buyer", "a long enough passphrase", role="company", company_id=receiver)
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=TIMEOUT)
    with maker() as s:
        at.session_state["symbiose_user"] = db.authenticate(s, "buyer", "a long enough passphrase")
    at.run()
    assert not at.exception
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert "1 unread notification" in sidebar and "1 unread notifications" not in sidebar  # singular
    page = AppTest.from_string("from symbiose.ui import common, notices\ncommon.engine()\nnotices.page()\n",
                               default_timeout=TIMEOUT)  # fmt: skip
    with maker() as s:
        page.session_state["symbiose_user"] = db.authenticate(s, "buyer", "a long enough passphrase")
    page.run()
    assert not page.exception
    shown = "\n".join(m.value for m in page.markdown)
    assert f"need {need_id}" in shown and "Requests received" in shown
    page.button(key="notices_read").click().run()
    with maker() as s:
        assert notifications.unread_count(s, company_id=receiver) == 0
        assert notifications.unread_count(s, role="officer") == 1  # the officers' own are untouched


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    port = _free_port()
    controller = aiosmtpd.Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_notices_are_mailed_through_a_configured_smtp_server_and_not_otherwise(maker, unseen_pair, smtp_server,
                                                                               monkeypatch, demo):  # fmt: skip
    from symbiose.ui import blind

    port, received = smtp_server
    stream_id, need_id, supplier, receiver, _n, _total = unseen_pair
    outbox: list = []
    with maker() as s, s.begin():
        net = db.load_network(s)
        blind.express_interest(s, net, stream_id, need_id, side="supplier", company_id=supplier, actor="a",
                               outbox=outbox)  # fmt: skip
    assert blind.mail(outbox, net) == [] and received == []  # not configured: nothing sent

    monkeypatch.setenv("SYMBIOSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SYMBIOSE_SMTP_PORT", str(port))
    monkeypatch.setenv("SYMBIOSE_SMTP_FROM", "reseau@example.org")
    monkeypatch.setenv("SYMBIOSE_OFFICER_EMAIL", "officer@example.org")
    assert blind.mail(outbox, net) == []
    to = sorted(m["To"] for m in received)
    address = next(c.contact_email for c in demo.companies if c.id == receiver)
    assert to == sorted([address, "officer@example.org"])
    body = "\n".join(m.get_payload() for m in received)
    names = [c.name for c in demo.companies if c.id in (supplier, receiver)]
    assert need_id in body and not any(name in body for name in names)  # no identity in a mail
    assert all(m["From"] == "reseau@example.org" for m in received)

    monkeypatch.setenv("SYMBIOSE_SMTP_PORT", str(_free_port()))  # nobody listens there
    problems = blind.mail(outbox, net)
    assert problems and "could not be reached" in problems[0]


def test_incoming_interests_reach_receivers_outside_their_top_list(unseen_pair):
    """How many supplier-side suggestions are not on their receiver's own list (they now reach it
    through "Requests received")."""
    _s, _n, _a, _b, unseen, total = unseen_pair
    assert 0 < unseen <= total


def test_a_stage_change_notifies_both_companies_and_the_officers(maker, demo):
    from click.testing import CliRunner

    from symbiose.cli import main

    synergy = next(s for s in demo.synergies if str(s.stage) == "in_discussion")
    supplier = next(x.company_id for x in demo.streams if x.id == synergy.stream_id)
    receiver = next(x.company_id for x in demo.needs if x.id == synergy.need_id)
    url = str(maker.kw["bind"].url)
    result = CliRunner().invoke(main, ["--database", url, "synergy-stage", synergy.id, "implemented"])
    assert result.exit_code == 0, result.output
    with maker() as s:
        for company in (supplier, receiver):
            [notice] = notifications.notices(s, company_id=company)
            assert (notice.kind, notice.detail["from"], notice.detail["to"]) == ("stage", "in_discussion",
                                                                                 "implemented")  # fmt: skip
        assert [n.synergy_id for n in notifications.notices(s, role="officer")] == [synergy.id]


def _page_elements(at: AppTest) -> list[tuple[str, str]]:
    """Everything a company reads on its page, in order of type."""
    out = [("markdown", m.value) for m in at.markdown] + [("caption", c.value) for c in at.caption]
    out += [("subheader", x.value) for x in at.subheader] + [("expander", e.label) for e in at.expander]
    out += [("button", b.label) for b in at.button] + [("success", x.value) for x in at.success]
    return out + [("info", x.value) for x in at.info]


@pytest.mark.parametrize("side", ["supplier", "receiver"])
def test_hidden_values_within_their_bands_give_identical_rendered_pages(demo_sqlite, tmp_path, monkeypatch, unseen_pair,
                                                                         receiver_listed, side):  # fmt: skip
    """The same company's Partners page on two databases where one partner's hidden price (or route
    cost) and quantity differ within their bands: identical; in another band: different."""
    from sqlalchemy import text

    from symbiose.blinding import series_band

    stream_id, need_id, supplier, receiver = unseen_pair[:4] if side == "supplier" else receiver_listed
    table, item, viewer, money = (("needs", need_id, supplier, "virgin_price_cents") if side == "supplier"
                                  else ("streams", stream_id, receiver, "route_cost_cents"))  # fmt: skip
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")

    def page(name: str, change=None) -> list[tuple[str, str]]:
        url = copy_database(demo_sqlite, tmp_path / f"{name}.db")
        engine = db.make_engine(url)
        with engine.begin() as connection:
            cents, qty = connection.execute(text(f"SELECT {money}, quantity_base FROM {table} WHERE id = :i"),
                                            {"i": item}).one()  # fmt: skip
            if change is not None:
                new_cents, new_qty = change(cents, qty)
                connection.execute(text(f"UPDATE {table} SET {money} = :c, quantity_base = :q WHERE id = :i"),
                                   {"c": new_cents, "q": new_qty, "i": item})  # fmt: skip
        engine.dispose()
        monkeypatch.setenv(db.ENV_DATABASE_URL, url)
        at = partners_as(viewer)
        assert any(b.key == pair_key("interest", side, stream_id, need_id) for b in at.button)  # the pair is listed
        return _page_elements(at)

    def within(cents: int, qty: int) -> tuple[int, int]:
        money_band, qty_band = series_band(cents / 100), series_band(qty / 1000)
        new_cents = int(round((money_band.low + 0.37 * money_band.width) * 100))
        new_qty = int(round((qty_band.low + 0.61 * qty_band.width) * 1000)) if math.isfinite(qty_band.high) else qty * 2
        assert (new_cents, new_qty) != (cents, qty)
        assert series_band(new_cents / 100) == money_band and series_band(new_qty / 1000) == qty_band
        return new_cents, new_qty

    def outside(cents: int, qty: int) -> tuple[int, int]:
        return int(series_band(cents / 100).high * 100 * 3), qty

    base = page("base")
    assert page("within", within) == base
    assert page("outside", outside) != base


def test_an_officer_stage_change_on_the_pipeline_page_notifies_both_companies(maker, demo):
    synergy = next(y for y in demo.synergies if str(y.stage) == "suggested")
    supplier, receiver = _with_companies(demo, synergy.stream_id, synergy.need_id)[2:]
    at = AppTest.from_string("from symbiose.ui import common, pipeline\ncommon.engine()\npipeline.page()\n",
                             default_timeout=TIMEOUT).run()  # fmt: skip
    at.selectbox(key="stage_synergy").set_value(synergy.id)
    at.selectbox(key="stage_new").set_value("contacted")
    next(b for b in at.button if b.label == "Change the stage").click().run()  # the maker sets English
    assert not at.exception and not at.error
    with maker() as s:
        assert str(db.get_synergy(s, synergy.id).stage) == "contacted"
        for company in (supplier, receiver):
            assert [n.kind for n in notifications.notices(s, company_id=company)] == ["stage"]
        [officer] = notifications.notices(s, role="officer")
        assert officer.detail["from"] == "suggested" and officer.detail["to"] == "contacted"


def test_the_partners_page_is_french_by_default(maker, monkeypatch, unseen_pair):
    monkeypatch.delenv("SYMBIOSE_LANGUAGE")
    shown = texts(partners_as(unseen_pair[2]))
    assert "Demandes reçues (0)" in shown and "Partenaire n°1" in shown and "votre gain à partage égal" in shown
    assert " à " in shown and "EUR/an" in shown


def _revealed_line(at: AppTest, partner_name: str) -> str:
    """The line under a revealed partner's name: quantity, distance and price range."""
    lines = [m.value for m in at.markdown]
    (at_name,) = [i for i, line in enumerate(lines) if partner_name in line]
    return lines[at_name + 2]  # the name, what the partner puts out or takes in, then the figures


def test_a_revealed_pair_shows_the_quantity_agreed_on_its_synergy(maker, demo, demo_result):
    """SY006 (in discussion) was agreed at 675 MWh/yr; its pair's tradable quantity is 750 MWh/yr.
    The revealed pair read '750.0 MWh per year': the candidate's figure, not what the two agreed."""
    from symbiose.i18n import fmt_number
    from symbiose.suggestions import pair_economics

    synergy = next(y for y in demo.synergies if y.id == "SY006")
    stream_id, need_id, supplier, receiver = _with_companies(demo, synergy.stream_id, synergy.need_id)
    economics = pair_economics(demo_result.candidates)
    pair = economics[(economics["stream_id"].astype(str) == stream_id) & (economics["need_id"].astype(str) == need_id)]
    tradable = float(pair["tradable_base"].iloc[0]) / 1000
    agreed = synergy.quantity_base / 1000
    assert (agreed, tradable) == (675, 750)
    names = {c.id: c.name for c in demo.companies}
    unit = next(str(x.unit) for x in demo.streams if x.id == stream_id)
    for viewer, partner in ((supplier, receiver), (receiver, supplier)):
        line = _revealed_line(partners_as(viewer), names[partner])
        assert line.startswith(f"Quantity recorded on the synergy (agreed or planned): {fmt_number(agreed, 1)}\u00a0{unit} per year, "), line
        assert fmt_number(tradable, 1) not in line


def test_a_revealed_pair_without_an_agreed_quantity_shows_the_suggested_one_and_no_negative_zero(
        maker, demo, demo_result, monkeypatch):  # fmt: skip
    """S0017 -> N0005: heat its supplier gets rid of at no cost today, so the price range starts at
    zero (it read 'entre -0,00 EUR et 7,15 EUR'); both sides said yes without a quantity agreed."""
    from symbiose.i18n import fmt_number
    from symbiose.suggestions import pair_economics
    from symbiose.ui import blind

    stream_id, need_id, supplier, receiver = _with_companies(demo, "S0017", "N0005")
    economics = pair_economics(demo_result.candidates).set_index(["stream_id", "need_id"])
    row = economics.loc[(stream_id, need_id)]
    assert row["price_min_eur"] == 0 and row["price_max_eur"] > 0
    with maker() as s, s.begin():
        for side, company in (("supplier", supplier), ("receiver", receiver)):
            status = blind.express_interest(s, db.load_network(s), stream_id, need_id, side=side, company_id=company,
                                            actor=company)  # fmt: skip
    assert status.revealed
    with maker() as s:
        assert db.get_synergy(s, status.synergy_id).quantity_base is None
    monkeypatch.delenv("SYMBIOSE_LANGUAGE")  # French, as the network's users read it
    name = next(c.name for c in demo.companies if c.id == receiver)
    line = _revealed_line(partners_as(supplier), name)
    tradable = fmt_number(float(row["tradable_base"]) / 1000, 1)
    assert line.startswith(f"Quantité suggérée (aucune enregistrée pour l'instant) : {tradable}\u00a0MWh par an, "), line
    assert "entre 0,00\u00a0EUR et " in line and "-0,00" not in line


def test_a_revealed_price_range_says_who_pays_whom():
    """Boiler ash its supplier pays 124 EUR/t to landfill: both gain while the supplier pays the
    receiver 8,11 to 124,00 EUR/t. It read « un prix entre -124,00 EUR et -8,11 EUR par t
    (partage égal -66,06 EUR) », which a manager reads as nonsense."""
    from symbiose.ui.partners import price_words

    with i18n.language("fr"):
        paid_to_take = price_words(-124.0, -8.11, -66.055, "t").replace("\u00a0", " ")
        assert paid_to_take == ("les deux gagnent si le fournisseur paie au receveur entre 8,11 EUR et 124,00 EUR par t "
                                "(partage égal : le fournisseur paie 66,06 EUR)")  # fmt: skip
        sold = price_words(0.0, 7.15, 3.575, "MWh").replace("\u00a0", " ")
        assert sold.startswith("les deux gagnent si le receveur paie au fournisseur entre 0,00 EUR et 7,15 EUR par MWh")
        either = price_words(-5.0, 20.0, 7.5, "t").replace("\u00a0", " ")
        assert "du fournisseur au receveur de 5,00 EUR" in either and "du receveur au fournisseur de 20,00 EUR" in either
        assert "-" not in paid_to_take + sold + either


def _whole_page(at: AppTest) -> str:
    """Everything the browser receives for a page: every element's message (texts, labels, help,
    options, tables) with its widget id, which holds the key Streamlit also writes as a CSS class."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        if key := getattr(node, "key", None):
            out.append(str(key))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def _signed_in(maker, username: str, script: str | None = None) -> AppTest:
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = (AppTest.from_string(script, default_timeout=TIMEOUT) if script
          else AppTest.from_file(app, default_timeout=TIMEOUT))  # fmt: skip
    with maker() as s:
        at.session_state["symbiose_user"] = db.authenticate(s, username, "a long enough passphrase")
    at.run()
    assert not at.exception
    return at


NOTICES = "from symbiose.ui import common, notices\ncommon.engine()\nnotices.page()\n"


def test_a_company_reads_no_synergy_id_before_the_reveal(maker, unseen_pair, demo):
    """Synergy ids are issued one after the other (SY014, SY015...): a company that read the id of
    its pair ('Interest recorded (synergy SY014)', 'Synergy SY014 (need N0003) moved...') could
    count the network's activity between two of its own clicks. Before mutual interest neither
    side's pages (Partners through the app, with the sidebar, and Notifications: every text,
    label, option and widget key) hold the pair's synergy id, nor any id of a synergy the company
    has not been revealed."""
    import re

    from symbiose.blinding import is_mutual
    from symbiose.ui import blind

    stream_id, need_id, supplier, receiver = unseen_pair[:4]
    with maker() as s, s.begin():
        db.create_user(s, "fournisseur", "a long enough passphrase", role="company", company_id=supplier)
        db.create_user(s, "acheteur", "a long enough passphrase", role="company", company_id=receiver)

    def check(at: AppTest, company: str, synergy_id: str) -> None:
        page = _whole_page(at)
        assert synergy_id not in page
        with maker() as s:
            net = db.load_network(s)
        owners = {x.id: x.company_id for x in [*net.streams, *net.needs]}
        revealed = {y.id for y in net.synergies if is_mutual(y.stage)
                    and company in (owners[y.stream_id], owners[y.need_id])}  # fmt: skip
        assert set(re.findall(r"SY\d+", page)) <= revealed

    a = _signed_in(maker, "fournisseur")
    _button(a, pair_key("interest", "supplier", stream_id, need_id)).click().run()
    assert not a.exception and a.success  # "Interest recorded." with no id
    with maker() as s:
        status = blind.pair_status(s, db.load_network(s), stream_id, need_id)
    assert str(status.stage) == "contacted" and not status.revealed
    check(a, supplier, status.synergy_id)
    # what is read holds the widget keys (the withdrawal of this interest) and the sidebar
    assert f"withdraw_{pair_key('interest', 'supplier', stream_id, need_id)}" in _whole_page(a)
    b = _signed_in(maker, "acheteur")
    assert "Requests received (1)" in texts(b)
    assert pair_key("accept", "receiver", stream_id, need_id) in _whole_page(b)
    assert "1 unread notification" in _whole_page(b)
    check(b, receiver, status.synergy_id)

    # the officer closes the pair before the receiver answered: both companies are told, by stage
    with maker() as s, s.begin():
        net = db.load_network(s)
        moved = db.set_synergy_stage(s, status.synergy_id, "abandoned", reason="site closing", actor="agent")
        blind.notify_stage(s, net, moved, "contacted", reason="site closing")
    for username, company in (("fournisseur", supplier), ("acheteur", receiver)):
        notices = _signed_in(maker, username, NOTICES)
        shown = "\n".join(m.value for m in notices.markdown)
        assert "was abandoned" in shown  # the stage notice is there, without its id
        assert "site closing" not in shown  # the officer's reason stays with the officers
        check(notices, company, status.synergy_id)
        check(_signed_in(maker, username), company, status.synergy_id)


def test_a_refused_click_names_nothing_the_company_may_not_know(demo, unseen_pair):
    """A click refused because a record changed in between was shown as the database worded it:
    « synergy SY014 was changed by marie », « no need with id 'N0070' », naming a synergy's id
    (issued in sequence) or the hidden partner's need. Before both sides agree, such a message
    gives way to one that names nothing; the company's own mistakes are still told as they are."""
    from symbiose.errors import ValidationError
    from symbiose.ui.partners import names_hidden

    stream_id, need_id, supplier, receiver, _n, _total = unseen_pair
    name = next(c.name for c in demo.companies if c.id == receiver)
    for message in (f"no need with id '{need_id}'", "synergy SY014 was changed by marie at 10:42",
                    f"the need of {name} no longer takes this code", f"company {receiver} was deleted"):
        assert names_hidden(demo, message, stream_id, need_id, side="supplier"), message
    for message in ("say why you decline this pair (a reason is required; it stays with the officer)",
                    str(ValidationError("you have not said you are interested in this pair"))):
        assert not names_hidden(demo, message, stream_id, need_id, side="supplier"), message
    # once revealed, both sides know the synergy and each other: shown as it is
    revealed = next(y for y in demo.synergies if str(y.stage) in ("in_discussion", "implemented"))
    assert not names_hidden(demo, f"synergy {revealed.id} was changed by marie", revealed.stream_id,
                            revealed.need_id, side="supplier")  # fmt: skip
