"""The partners page as one company sees it, read through Streamlit's AppTest (shared by the
journey and the withdrawal tests)."""

from __future__ import annotations

import pytest
from databases import copy_database
from streamlit.testing.v1 import AppTest

from symbiose import db

TIMEOUT = 60


@pytest.fixture
def maker(demo_sqlite, tmp_path, monkeypatch):
    """A copy of the demo database made the app's, in English, without e-mail."""
    url = copy_database(demo_sqlite, tmp_path / "app.db")
    monkeypatch.setenv(db.ENV_DATABASE_URL, url)
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    for name in ("SYMBIOSE_SMTP_HOST", "SYMBIOSE_SMTP_PORT", "SYMBIOSE_OFFICER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    engine = db.make_engine(url)
    yield db.session_factory(engine)
    engine.dispose()


def partners_as(company_id: str) -> AppTest:
    at = AppTest.from_string("from symbiose.ui import common, partners\ncommon.engine()\npartners.page()\n",
                             default_timeout=TIMEOUT).run()  # fmt: skip
    at.selectbox(key="partner_company").set_value(company_id).run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [e.value for e in at.success] + [e.value for e in at.info] + [e.label for e in at.expander]
    return "\n".join(parts)


def button(at: AppTest, key: str):
    found = [b for b in at.button if b.key == key]
    assert found, f"no button {key}"
    return found[0]
