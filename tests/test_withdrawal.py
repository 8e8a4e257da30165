"""An interest withdrawn before the other side answered: the migration that lets a notice say so,
what the blind then honours (requests received, the stage, the history), and the Partners page.

Real databases (SQLite files, and PostgreSQL when the server answers), pages with AppTest on a copy
of a SQLite file holding the demo network.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from symbiose import db


def _notice(engine, kind: str, company_id: str | None = "C001") -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO notifications (created_at, company_id, role, kind, synergy_id, detail) "
            "VALUES ('2026-12-01 10:00:00', :c, :r, :k, 'SY001', '{}')"),
            {"c": company_id, "r": None if company_id else "officer", "k": kind})  # fmt: skip


def _kinds(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT kind FROM notifications ORDER BY id")).scalars())


def test_an_older_database_upgrades_to_notices_of_a_withdrawn_interest_and_goes_back(database_url):
    from alembic import command

    from symbiose.db.engine import alembic_config, current_revision

    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine, "0010")  # a database of the previous version, with its notices
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO companies (id, name, latitude, longitude, commune, insee_code, postal_code, naf_code, "
                "siret, address, contact_name, contact_email, contact_phone, notes) VALUES "
                "('C001', 'A', 45, 0, '', '', '', '', '', '', '', '', '', '')"))  # fmt: skip
        _notice(engine, "interest")
        _notice(engine, "stage", company_id=None)
        with pytest.raises(IntegrityError):  # the older schema refuses the new kind
            _notice(engine, "withdrawn")
        db.upgrade(engine)
        assert current_revision(engine) == "0011"
        assert _kinds(engine) == ["interest", "stage"]  # the older notices are kept
        _notice(engine, "withdrawn")
        _notice(engine, "withdrawn", company_id=None)
        with pytest.raises(IntegrityError):  # the constraint is still there, with one more kind
            _notice(engine, "forgotten")
        assert _kinds(engine) == ["interest", "stage", "withdrawn", "withdrawn"]
        with db.session_factory(engine)() as s:  # and the application reads them
            from symbiose.db import notifications

            assert [n.kind for n in notifications.notices(s, company_id="C001")] == ["withdrawn", "interest"]

        command.downgrade(alembic_config(engine), "0010")  # back: the notices the older one cannot hold go
        assert _kinds(engine) == ["interest", "stage"]
        with pytest.raises(IntegrityError):
            _notice(engine, "withdrawn")
        db.upgrade(engine)
        _notice(engine, "withdrawn")
        assert _kinds(engine)[-1] == "withdrawn"
    finally:
        engine.dispose()


# ---- the Partners page ---------------------------------------------------------------------------

pytest.importorskip("streamlit")
import partner_pages  # noqa: E402
from partner_pages import button as _button  # noqa: E402
from partner_pages import partners_as, texts  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from symbiose.db import notifications  # noqa: E402
from symbiose.i18n import language  # noqa: E402
from symbiose.notify import notice_text  # noqa: E402
from symbiose.ui import blind  # noqa: E402
from symbiose.ui.partners import pair_key  # noqa: E402

TIMEOUT = 60
maker = partner_pages.maker  # the demo database made the app's (a fixture)
SUPPLIER = "C001"




def _first_suggested_pair(at: AppTest, net) -> tuple[str, str, str]:
    """The pair of the supplier's first 'I'm interested' button, found through the keys (the
    test holds the server's secret): (stream, need, key)."""
    keys = {pair_key("interest", "supplier", x.id, n.id): (x.id, n.id)
            for x in net.streams if x.company_id == SUPPLIER for n in net.needs}  # fmt: skip
    for button in at.button:
        if button.key in keys:
            stream_id, need_id = keys[button.key]
            if not any(y.stream_id == stream_id and y.need_id == need_id for y in net.synergies):
                return stream_id, need_id, button.key
    raise AssertionError(f"{SUPPLIER} has no suggested receiver without a synergy")


def test_a_company_withdraws_its_interest_the_partner_is_told_that_only_and_the_officer_keeps_the_history(
        maker, demo):  # fmt: skip
    with maker() as s:
        net = db.load_network(s)
    a = partners_as(SUPPLIER)
    stream_id, need_id, key = _first_suggested_pair(a, net)
    receiver = next(n.company_id for n in net.needs if n.id == need_id)
    names = {c.id: c.name for c in net.companies}
    _button(a, key).click().run()
    assert not a.exception
    with maker() as s:
        status = blind.pair_status(s, db.load_network(s), stream_id, need_id)
    assert status.supplier_interested and str(status.stage) == "contacted"
    b = partners_as(receiver)
    assert "Requests received (1)" in texts(b)

    # the supplier takes it back, with a reason for the officer
    a.run()
    assert any(e.label == "Withdraw my interest" for e in a.expander)
    a.text_input(key=f"withdraw_why_{key}").set_value("budget frozen until spring")
    _button(a, f"withdraw_{key}").click().run()
    assert not a.exception and not a.error
    assert a.success and a.success[0].value.startswith("Interest withdrawn.")
    assert _button(a, key).label == "I'm interested"  # it may say so again

    with maker() as s:
        net = db.load_network(s)
        status = blind.pair_status(s, net, stream_id, need_id)
        assert not status.supplier_interested and not status.receiver_interested
        assert str(status.stage) == "suggested"  # no side is interested any more
        assert blind.incoming(s, net, receiver) == []
        # the officer's record: the withdrawal in the audit log, the move back in the stage history
        actions = [(e.action, e.detail.get("side"), e.detail.get("company_id"), e.detail.get("reason"))
                   for e in reversed(db.audit_entries(s, entity="synergy", entity_id=status.synergy_id))
                   if e.action in ("interest", "withdraw")]  # fmt: skip
        assert actions == [("interest", "supplier", SUPPLIER, None),
                           ("withdraw", "supplier", SUPPLIER, "budget frozen until spring")]  # fmt: skip
        last = db.stage_history(s, status.synergy_id)[-1]
        assert (str(last.from_stage), str(last.to_stage)) == ("contacted", "suggested")
        assert last.reason == "interest withdrawn by the supplier: budget frozen until spring"
        # the receiver is told that an interest was withdrawn, and nothing else
        told = notifications.notices(s, company_id=receiver)
        assert [n.kind for n in told] == ["withdrawn", "interest"]
        assert set(told[0].detail) == {"side", "item_kind", "item_id"} and told[0].detail["item_id"] == need_id
        assert set(told[1].detail) == {"side", "item_kind", "item_id"}  # nor does the interest name the company
        assert notice_text(told[0]) == (f"A company that had said it was interested in your need {need_id} "
                                        "has withdrawn its interest.")  # fmt: skip
        with language("fr"):
            assert notice_text(told[0]) == (f"Une entreprise qui s'était dite intéressée par votre besoin {need_id} "
                                            "a retiré son intérêt.")  # fmt: skip
        assert notifications.notices(s, company_id=SUPPLIER) == []
        officer = notifications.notices(s, role="officer")[0]
        assert officer.kind == "withdrawn" and officer.detail["company_id"] == SUPPLIER
        assert notice_text(officer, for_officer=True) == (f"Synergy {status.synergy_id}: the supplier "
                                                          f"{SUPPLIER} withdrew its interest.")  # fmt: skip

    b.run()
    shown = texts(b)
    assert not b.exception and "Requests received (0)" in shown
    assert names[SUPPLIER] not in shown and stream_id not in shown and status.synergy_id not in shown
    assert not any(x.key == pair_key("accept", "receiver", stream_id, need_id) for x in b.button)

    # interested again: a new request reaches the receiver
    _button(a, key).click().run()
    with maker() as s:
        net = db.load_network(s)
        status = blind.pair_status(s, net, stream_id, need_id)
        assert status.supplier_interested and str(status.stage) == "contacted"
        assert [i.need_id for i in blind.incoming(s, net, receiver)] == [need_id]


def test_only_a_standing_one_sided_interest_can_be_withdrawn(maker, demo):
    """Nothing to withdraw without an interest; after mutual interest the synergy is the officer's to
    close (the Partners page offers no withdrawal then); the receiver's side withdraws as the
    supplier's does."""
    from symbiose.errors import ValidationError

    synergy = next(y for y in demo.synergies if str(y.stage) == "suggested")  # followed by the officer
    stream_id, need_id = synergy.stream_id, synergy.need_id
    supplier = next(x.company_id for x in demo.streams if x.id == stream_id)
    receiver = next(x.company_id for x in demo.needs if x.id == need_id)
    with maker() as s, s.begin():
        with pytest.raises(ValidationError, match="no interest to withdraw"):
            blind.withdraw_interest(s, db.load_network(s), stream_id, need_id, side="receiver", company_id=receiver,
                                    actor="r")  # fmt: skip
    with maker() as s, s.begin():
        blind.express_interest(s, db.load_network(s), stream_id, need_id, side="receiver", company_id=receiver,
                               actor="r")  # fmt: skip
    with maker() as s, s.begin():
        with pytest.raises(ValidationError, match="no interest to withdraw"):  # the supplier never said so
            blind.withdraw_interest(s, db.load_network(s), stream_id, need_id, side="supplier", company_id=supplier,
                                    actor="s")  # fmt: skip
        outbox: list = []
        status = blind.withdraw_interest(s, db.load_network(s), stream_id, need_id, side="receiver",
                                         company_id=receiver, actor="r", outbox=outbox)  # fmt: skip
    assert (status.synergy_id, str(status.stage), status.receiver_interested) == (synergy.id, "suggested", False)
    assert sorted((n.kind, n.company_id or "") for n in outbox) == [("withdrawn", ""), ("withdrawn", supplier)]
    with maker() as s:
        assert db.stage_history(s, synergy.id)[-1].reason == "interest withdrawn by the receiver"

    with maker() as s, s.begin():
        for side, company in (("supplier", supplier), ("receiver", receiver)):
            status = blind.express_interest(s, db.load_network(s), stream_id, need_id, side=side,
                                            company_id=company, actor=company)  # fmt: skip
    assert status.revealed and str(status.stage) == "in_discussion"
    with maker() as s, s.begin():
        with pytest.raises(ValidationError, match="officer to close"):
            blind.withdraw_interest(s, db.load_network(s), stream_id, need_id, side="supplier", company_id=supplier,
                                    actor="s")  # fmt: skip
    at = partners_as(supplier)
    assert not any(e.label == "Withdraw my interest" for e in at.expander)


def test_a_click_made_while_the_other_side_acts_is_applied_or_refused_never_dropped(maker, demo):
    """The receiver has « Accept » on screen while the supplier withdraws; its click then vanished
    (the rerun no longer drew the button): no interest, no word. And a withdrawal confirmed after
    the receiver had accepted said nothing of coming too late. Each click now reaches its action."""
    from symbiose.i18n import _

    with maker() as s:
        net = db.load_network(s)
    a = partners_as(SUPPLIER)
    stream_id, need_id, key = _first_suggested_pair(a, net)
    receiver = next(n.company_id for n in net.needs if n.id == need_id)
    _button(a, key).click().run()
    b = partners_as(receiver)
    accept = _button(b, pair_key("accept", "receiver", stream_id, need_id))
    a.run()
    _button(a, f"withdraw_{key}").click().run()  # the supplier withdraws, the receiver's page is stale
    assert not a.exception and a.success[0].value.startswith("Interest withdrawn.")
    accept.click().run()
    assert not b.exception and not b.error
    assert b.success and b.success[0].value.startswith("Interest recorded."), [e.value for e in b.success]
    with maker() as s:
        status = blind.pair_status(s, db.load_network(s), stream_id, need_id)
    assert status.receiver_interested and not status.supplier_interested and str(status.stage) == "contacted"

    # the other order: the receiver's withdrawal, on a page read before the supplier accepted
    b.run()
    (withdraw,) = [x for x in b.button if (x.key or "").startswith("withdraw_")]
    supplier = partners_as(SUPPLIER)
    _button(supplier, pair_key("accept", "supplier", stream_id, need_id)).click().run()
    assert not supplier.exception and supplier.success[0].value.startswith("Interest recorded.")
    withdraw.click().run()
    assert not b.exception
    told = "\n".join(e.value for e in b.error)
    assert _("both sides are interested already")[:30] in told, told
    with maker() as s:
        assert str(blind.pair_status(s, db.load_network(s), stream_id, need_id).stage) == "in_discussion"
