"""Accounts that resist abuse, and the tamper-evident audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from symbiose import db
from symbiose.db import accounts
from symbiose.domain import Company, Network, Role
from symbiose.errors import NotFoundError, ValidationError

GOOD = "copeaux-de-chene-42"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Messages matched below are the English ids (the French ones are tested in test_i18n)."""
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")


def one_company(session_maker) -> None:
    net = Network(companies=(Company("C001", "Scierie", 45.4, -0.4),))
    with session_maker() as s, s.begin():
        db.save_network(s, net, actor="test")


# ------------------------------------------------------------------ passwords


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("x", "12"),
        ("short-1", "12"),
        ("password1234", "common"),  # on the list once the digits are removed
        ("sunshine2024!", "common"),
        ("aaaaaaaaaaaaaa", "common"),
        ("marie-the-officer", "user name"),
    ],
)
def test_password_policy_refuses(password, why):
    from symbiose.i18n import language

    with language("en"):
        problems = accounts.password_problems(password, "marie")
    assert any(why in p for p in problems), problems


def test_password_policy_accepts_a_long_uncommon_password():
    assert accounts.password_problems("vinasse-de-cognac-2026", "marie") == []
    assert len(accounts.common_passwords()) > 8000  # the shipped list (data/common_passwords.txt)


def test_same_scrypt_work_for_unknown_and_known_names(session_maker, monkeypatch):
    """The reported leak: an unknown name answered in 0.12 ms (no scrypt), a wrong password in
    29 ms. Now exactly one scrypt of the production cost runs in every case."""
    with session_maker() as s, s.begin():
        db.create_user(s, "marie", GOOD, role="officer")
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(kwargs["n"])
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    for name, password in [("nobody", GOOD), ("marie", "wrong-password"), ("marie", GOOD)]:
        calls.clear()
        with session_maker() as s, s.begin():
            db.authenticate(s, name, password)
        assert calls == [accounts.SCRYPT_N], (name, calls)


# ------------------------------------------------------------------ lockout


def test_lockout_after_repeated_failures_holds_across_sessions(session_maker):
    with session_maker() as s, s.begin():
        db.create_user(s, "marie", GOOD, role="officer")
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for i in range(accounts.FREE_FAILURES):
        with session_maker() as s, s.begin():  # a new session each time: stored, not in memory
            assert db.authenticate(s, "marie", f"wrong-{i}", now=t0) is None
    with session_maker() as s, s.begin(), pytest.raises(db.AccountLockedError):
        db.authenticate(s, "marie", GOOD, now=t0 + timedelta(seconds=29))  # even the right one
    with session_maker() as s, s.begin():  # 30 s later: one more failure doubles the lock
        assert db.authenticate(s, "MARIE", "wrong-again", now=t0 + timedelta(seconds=31)) is None
    with session_maker() as s, s.begin(), pytest.raises(db.AccountLockedError):
        db.authenticate(s, "marie", GOOD, now=t0 + timedelta(seconds=31 + 59))
    with session_maker() as s, s.begin():
        user = db.authenticate(s, "marie", GOOD, now=t0 + timedelta(seconds=31 + 61))
    assert user is not None and user.username == "marie"
    with session_maker() as s, s.begin():  # success reset the count
        assert db.authenticate(s, "marie", "wrong", now=t0 + timedelta(seconds=200)) is None
        assert db.authenticate(s, "marie", GOOD, now=t0 + timedelta(seconds=201)) is not None


def test_an_unknown_name_locks_exactly_like_a_known_one(session_maker):
    """Otherwise the lockout itself would tell which names exist."""
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for i in range(accounts.FREE_FAILURES):
        with session_maker() as s, s.begin():
            db.authenticate(s, "ghost", f"wrong-{i}", now=t0)
    with session_maker() as s, s.begin(), pytest.raises(db.AccountLockedError):
        db.authenticate(s, "ghost", GOOD, now=t0)


def test_lock_grows_and_is_capped():
    assert accounts.lock_duration(4) == timedelta(0)
    assert accounts.lock_duration(5) == timedelta(seconds=30)
    assert accounts.lock_duration(6) == timedelta(seconds=60)
    assert accounts.lock_duration(40) == timedelta(minutes=15)


# ------------------------------------------------------------------ roles and sessions


def test_sessions_end_when_the_account_is_deleted_demoted_or_repassworded(session_maker):
    one_company(session_maker)
    with session_maker() as s, s.begin():
        boss = db.create_user(s, "boss", GOOD, role="officer")
        marie = db.create_user(s, "marie", "garance-et-seugne-17!", role="officer")
        company = db.create_user(s, "scierie", "bois-sec-de-chene", role="company", company_id="C001")
    with session_maker() as s:
        assert db.session_user(s, marie) == marie
    with session_maker() as s, s.begin():
        demoted = db.set_role(s, "marie", "planner", actor="boss")
    with session_maker() as s:
        assert db.session_user(s, marie) is None  # the officer session is gone
        assert db.session_user(s, demoted).role is Role.PLANNER
    with session_maker() as s, s.begin():
        db.set_password(s, "marie", "a-new-long-passphrase", actor="marie")
    with session_maker() as s:
        assert db.session_user(s, demoted) is None
    with session_maker() as s, s.begin():
        db.delete_user(s, "scierie", actor="boss")
    with session_maker() as s:
        assert db.session_user(s, company) is None
        assert db.session_user(s, boss) == boss
        actions = [(e.action, e.entity_id) for e in db.audit_entries(s, entity="user")]
    assert ("role", "marie") in actions and ("delete", "scierie") in actions


def test_the_last_officer_can_be_neither_deleted_nor_demoted(session_maker):
    with session_maker() as s, s.begin():
        db.create_user(s, "boss", GOOD, role="officer")
        db.create_user(s, "elu", "plan-climat-2030", role="planner")
    for change in (
        lambda s: db.delete_user(s, "boss", actor="t"),
        lambda s: db.set_role(s, "boss", "planner", actor="t"),
    ):
        with session_maker() as s, s.begin(), pytest.raises(ValidationError, match="last officer"):
            change(s)
    with session_maker() as s, s.begin():
        db.create_user(s, "second", "deuxieme-agent-17", role="officer")
        db.delete_user(s, "boss", actor="second")  # allowed now
    with session_maker() as s:
        assert [u.username for u in db.list_users(s)] == ["elu", "second"]
    with session_maker() as s, s.begin(), pytest.raises(NotFoundError):
        db.delete_user(s, "boss", actor="second")


def test_deleting_every_account_never_reopens_the_open_demo_mode(session_maker):
    with session_maker() as s:
        assert db.open_demo_mode(s)  # a database that never had an account
    with session_maker() as s, s.begin():
        db.create_user(s, "elu", "plan-climat-2030", role="planner")
    with session_maker() as s, s.begin():
        assert not db.open_demo_mode(s)
        db.delete_user(s, "elu", actor="t")  # not an officer: allowed
    with session_maker() as s:
        assert db.list_users(s) == []
        assert not db.open_demo_mode(s)


# ------------------------------------------------------------------ the audit chain


def entries(session_maker) -> db.ChainReport:
    with session_maker() as s:
        return db.verify_chain(s)


def write_some(session_maker, n: int = 3) -> None:
    with session_maker() as s, s.begin():
        for i in range(n):
            db.record_audit(s, "t", "note", "test", str(i), {"i": i, "texte": "déchets"})


def test_chain_is_intact_after_writes(session_maker):
    write_some(session_maker)
    report = entries(session_maker)
    assert report.ok and report.entries == 3 and len(report.head_hash) == 64


def test_database_refuses_update_and_delete_of_the_audit_log(session_maker):
    write_some(session_maker)
    statements = ["UPDATE audit_log SET actor = 'evil'", "DELETE FROM audit_log"]
    with session_maker() as s:
        if s.get_bind().dialect.name == "postgresql":
            statements.append("TRUNCATE audit_log")
    for statement in statements:
        with session_maker() as s, pytest.raises(DBAPIError, match="append-only"):
            s.execute(text(statement))
            s.commit()
    assert entries(session_maker).entries == 3


def drop_triggers(session) -> None:
    """What an attacker with the database password would do first."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER audit_log_no_update"))
        session.execute(text("DROP TRIGGER audit_log_no_delete"))
    else:
        session.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))


@pytest.mark.parametrize(
    ("tamper", "broken", "problem"),
    [
        ("UPDATE audit_log SET detail = '{\"i\": 9}' WHERE entity_id = '1'", "1", "content"),
        ("UPDATE audit_log SET actor = 'someone' WHERE entity_id = '2'", "2", "content"),
        ("DELETE FROM audit_log WHERE entity_id = '1'", "2", "link"),
        ("DELETE FROM audit_log WHERE entity_id = '0'", "1", "start"),
    ],
)
def test_tampering_is_detected_and_the_first_broken_entry_named(
    session_maker, tamper, broken, problem
):
    write_some(session_maker)
    with session_maker() as s, s.begin():
        ids = {e.entity_id: e.id for e in db.audit_entries(s)}
        drop_triggers(s)
        s.execute(text(tamper))
    report = entries(session_maker)
    assert not report.ok
    assert report.broken_id == ids[broken] and report.problem == problem


def test_rehashing_one_entry_still_breaks_the_next_link(session_maker):
    """An attacker who recomputes the changed entry's hash breaks the link of the next one."""
    from symbiose.db.audit import entry_hash

    write_some(session_maker)
    with session_maker() as s, s.begin():
        drop_triggers(s)
        row = s.execute(text("SELECT id, prev_hash, occurred_at FROM audit_log ORDER BY id")).all()[1]
        when = row.occurred_at
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        forged = entry_hash(row.prev_hash, when, "t", "note", "test", "1", '{"i": 9}')
        s.execute(
            text("UPDATE audit_log SET detail = '{\"i\": 9}', entry_hash = :h WHERE id = :id"),
            {"h": forged, "id": row.id},
        )
        third = s.execute(text("SELECT id FROM audit_log ORDER BY id")).all()[2].id
    report = entries(session_maker)
    assert report.broken_id == third and report.problem == "link"


CONCURRENT_WRITER = """
import sys
from symbiose import db
engine = db.make_engine(sys.argv[1])
maker = db.session_factory(engine)
for i in range(int(sys.argv[3])):
    with maker() as s, s.begin():
        db.record_audit(s, sys.argv[2], "note", "test", str(i))
"""


def test_concurrent_writers_never_fork_the_chain(engine, database_url):
    """Three processes append 15 entries each at once: one chain of 45, no fork, no error."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_WRITER, database_url, f"w{k}", "15"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert all(p.returncode == 0 for p in processes), errors
    from symbiose.db import session_factory

    with session_factory(engine)() as s:
        report = db.verify_chain(s)
        actors = {e.actor for e in db.audit_entries(s)}
    assert report.ok and report.entries == 45
    assert actors == {"w0", "w1", "w2"}


CONCURRENT_FAILURES = """
import sys
from datetime import UTC, datetime, timedelta
from symbiose import db
engine = db.make_engine(sys.argv[1])
maker = db.session_factory(engine)
worker, attempts = int(sys.argv[2]), int(sys.argv[3])
counted = 0
for i in range(attempts):
    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=worker * 1000 + i)
    try:
        with maker() as s, s.begin():
            db.authenticate(s, "ghost", "wrong-password", now=moment)
        counted += 1
    except db.AccountLockedError:
        pass
print(counted)
"""


def test_concurrent_failures_on_a_new_name_are_all_counted(engine, database_url):
    """Three processes fail at once on a name never seen: the first insert of the counter races;
    no failure is lost and none fails with an error."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_FAILURES, database_url, str(k), "4"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for k in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _out, err in outputs]
    counted = sum(int(out.strip()) for out, _err in outputs)
    from sqlalchemy import text as sql

    with engine.connect() as connection:
        stored = connection.execute(
            sql("SELECT failures FROM login_attempts WHERE username = 'ghost'")
        ).scalar_one()
    assert stored == counted and counted >= 4


def test_migrating_sqlite_never_cascades_through_a_rebuilt_table(tmp_path):
    """Migration 0005 rebuilds ``users`` on SQLite (its role CHECK changes). A table referencing
    users with ON DELETE CASCADE (as sign-in sessions may) must keep its rows: foreign keys are
    off while migrating, then checked."""
    from sqlalchemy import text as sql

    from symbiose.db.engine import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(sql(
            "INSERT INTO users (username, role, password_hash, created_at) "
            "VALUES ('boss', 'officer', 'x', '2026-01-01 00:00:00')"))  # fmt: skip
        connection.execute(sql(
            "CREATE TABLE tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL "
            "REFERENCES users (id) ON DELETE CASCADE)"))  # fmt: skip
        connection.execute(sql("INSERT INTO tokens (user_id) VALUES (1)"))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(sql("SELECT COUNT(*) FROM tokens")).scalar_one() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()
