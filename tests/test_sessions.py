"""Sign-ins that survive a reload, a bookmark and a second tab, and end on sign-out; the
land-spreading route accepted by the schema (both on SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from databases import copy_database, with_users
from sqlalchemy import text

from symbiose import db
from symbiose.domain import Route

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_a_token_opens_its_account_until_it_expires_or_is_ended(session):
    user = db.create_user(session, "officer1", "Seugne-Jonzac-2026", role="officer")
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    token = db.start_login_session(session, user, lifetime=timedelta(hours=1), now=now)
    session.commit()
    assert db.login_session_user(session, token, now=now + timedelta(minutes=59)) == user
    assert db.login_session_user(session, token, now=now + timedelta(minutes=61)) is None  # expired
    assert db.login_session_user(session, token[:-1] + ("A" if token[-1] != "A" else "B"), now=now) is None
    assert db.login_session_user(session, "", now=now) is None
    # the database holds the token's hash, never the token: what it stores does not open a session
    stored = session.execute(text("SELECT token_hash FROM login_sessions")).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()] and token not in stored
    assert db.login_session_user(session, stored[0], now=now) is None
    assert db.end_login_session(session, token) is True
    assert db.login_session_user(session, token, now=now) is None  # ended on the server
    assert db.end_login_session(session, token) is False


def test_ending_every_sign_in_of_an_account(session):
    user = db.create_user(session, "planner1", "Seugne-Jonzac-2026", role="planner")
    tokens = [db.start_login_session(session, user) for _ in range(2)]
    assert db.end_user_login_sessions(session, "planner1") == 2
    assert all(db.login_session_user(session, t) is None for t in tokens)


def test_land_spreading_is_a_stored_route(session):
    from test_db import small_network

    network = small_network()
    stream = replace(network.streams[0], route=Route.LAND_SPREADING)
    network = replace(network, streams=(stream, *network.streams[1:]))
    db.save_network(session, network)
    session.commit()
    loaded = db.load_network(session)
    assert next(s for s in loaded.streams if s.id == stream.id).route is Route.LAND_SPREADING


# ---------------------------------------------------------------------------- in the app


@pytest.fixture(scope="module")
def demo_db(demo_sqlite, tmp_path_factory) -> Path:
    """The demo with one officer account (copied for each test)."""
    return with_users(demo_sqlite, tmp_path_factory.mktemp("sessions") / "demo.db",
                      [("officer1", "Seugne-Jonzac-2026", "officer")])  # fmt: skip


@pytest.fixture
def app_url(demo_db, tmp_path, monkeypatch) -> str:
    url = copy_database(demo_db, tmp_path / "app.db")
    monkeypatch.setenv(db.ENV_DATABASE_URL, url)
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    return url


def _signed_in(token: str | None = None, *, monkeypatch=None, address: str | None = None):
    """A new run of the app: with ``token`` in the browser's cookie (AppTest has no cookies: the
    one reading function is given the token, as a browser would send it), or ``address`` as the
    page address's ``?session=``."""
    from streamlit.testing.v1 import AppTest

    from symbiose.ui import common

    if monkeypatch is not None:
        monkeypatch.setattr(common, "_cookie_token", lambda: token)
    at = AppTest.from_file(APP, default_timeout=60)
    if address:
        at.query_params["session"] = address
    return at.run()


def test_sign_in_survives_a_reload_and_a_second_tab_and_sign_out_ends_it(app_url, monkeypatch):
    from symbiose.ui import common

    at = _signed_in()
    assert not at.metric  # only the sign-in page
    at.text_input(key="login_username").set_value("officer1")
    at.text_input(key="login_password").set_value("Seugne-Jonzac-2026")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    token = at.session_state[common.TOKEN_KEY]
    assert token and "session" not in at.query_params  # never in the page's address

    second = _signed_in(token, monkeypatch=monkeypatch)  # a reload or a second tab: the cookie holds it
    assert not second.exception
    assert any(m.label == "Synergies in the optimum" for m in second.metric)
    assert "officer1" in "".join(c.value for c in second.sidebar.caption)

    from streamlit.testing.v1 import AppTest

    login = AppTest.from_string(
        "from symbiose.ui import common, login\ncommon.engine()\nlogin.page()\n", default_timeout=60
    )
    login.run()
    login.button(key="logout").click().run()
    assert not login.exception

    after = _signed_in(token, monkeypatch=monkeypatch)  # the old cookie no longer opens anything
    assert not after.metric
    assert any(b.label == "Sign in" for b in after.button)


def test_an_address_with_a_token_opens_nothing_and_loses_it(app_url):
    """An address copied with an older ``?session=`` (pasted in an e-mail, kept in a proxy's log)
    does not sign its reader in, and the token is taken out of the address."""
    at = _signed_in()
    at.text_input(key="login_username").set_value("officer1")
    at.text_input(key="login_password").set_value("Seugne-Jonzac-2026")
    next(b for b in at.button if b.label == "Sign in").click().run()
    from symbiose.ui import common

    token = at.session_state[common.TOKEN_KEY]
    pasted = _signed_in(address=token)
    assert not pasted.exception and not pasted.metric
    assert any(b.label == "Sign in" for b in pasted.button)
    assert "session" not in pasted.query_params


def test_a_forged_token_opens_nothing(app_url, monkeypatch):
    at = _signed_in("not-a-token-anyone-issued", monkeypatch=monkeypatch)
    assert not at.exception and not at.metric
