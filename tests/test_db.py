"""Storage on real databases: a SQLite file and PostgreSQL (see conftest.py)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from symbiose.db import (
    GeocodeCache,
    audit_entries,
    authenticate,
    counts,
    create_synergy,
    create_user,
    current_revision,
    delete_company,
    get_synergy,
    head_revision,
    load_network,
    save_network,
    set_synergy_stage,
    upgrade,
)
from symbiose.domain import Company, Need, Network, Role, Route, Stage, Stream, Synergy
from symbiose.errors import ImportValidationError, NotFoundError, ValidationError
from symbiose.units import Unit

D1 = date(2026, 3, 2)


def small_network() -> Network:
    """A sawmill whose sawdust could feed a heat network boiler, and a distillery's vinasses."""
    companies = (
        Company(
            "C002",
            "Chaufferie bois de Jonzac",
            45.4460,
            -0.4340,
            commune="Jonzac",
            insee_code="17197",
            postal_code="17500",
            naf_code="35.30Z",
        ),
        Company(
            "C001",
            "Scierie de Montendre",
            45.2847,
            -0.4071,
            commune="Montendre",
            siret="12345678901234",
            contact_email="scierie@example.fr",
            notes="visite 2026",
        ),
    )
    streams = (
        Stream(
            "S0001",
            "C001",
            1_200_500,
            Unit.T,
            ewc_code="030105",
            description="sciure",
            months=(1, 2, 3, 11, 12),
            route=Route.LANDFILL,
            route_cost_cents=9_500,
        ),
        Stream("S0002", "C002", 800_000, Unit.MWH, material="heat", months=(6, 7, 8)),
    )
    needs = (
        Need(
            "N0001",
            "C002",
            10_000_000,
            Unit.T,
            category="wood_fuel",
            accepted_codes=("0301", "030105"),
            virgin_price_cents=4_200,
            max_distance_km=60.5,
            months=(10, 11, 12, 1, 2, 3, 4),
        ),
        Need("N0002", "C001", 300_000, Unit.MWH, category="heat", hazardous_permit=True),
    )
    synergies = (
        Synergy(
            "Y0001",
            "S0001",
            "N0001",
            Stage.CONTACTED,
            quantity_base=1_000_000,
            created_on=D1,
            updated_on=D1,
            notes="premier contact",
        ),
    )
    needs = tuple(dataclasses.replace(n, months=tuple(sorted(n.months))) for n in needs)
    return Network(companies, streams, needs, synergies)


def save(session_maker, network: Network, **kwargs):
    with session_maker() as session, session.begin():
        return save_network(session, network, **kwargs)


def load(session_maker) -> Network:
    with session_maker() as session:
        return load_network(session)


def table_counts(session_maker) -> dict[str, int]:
    with session_maker() as session:
        return counts(session)


def test_migrations_create_the_schema(engine):
    tables = set(inspect(engine).get_table_names())
    expected = {
        "alembic_version",
        "companies",
        "streams",
        "needs",
        "synergies",
        "users",
        "audit_log",
        "geocode_cache",
        "notifications",
    }
    assert expected <= tables
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # a second run is a no-op
    assert current_revision(engine) == head_revision()
    columns = {c["name"] for c in inspect(engine).get_columns("streams")}
    assert {"quantity_base", "route_cost_cents", "months", "ewc_code", "material"} <= columns


def test_round_trip_equals_the_network(session_maker):
    network = small_network()
    summary = save(session_maker, network)
    assert summary.created == {"companies": 2, "streams": 2, "needs": 2, "synergies": 1}
    assert summary.total_updated == 0
    assert load(session_maker) == network.sorted()


def test_resave_updates_by_id_and_never_duplicates(session_maker):
    network = small_network()
    save(session_maker, network)
    audit_before = table_counts(session_maker)["audit_log"]

    again = save(session_maker, network)  # identical: nothing changes, nothing is audited
    assert again.total_created == again.total_updated == 0
    assert again.unchanged == {"companies": 2, "streams": 2, "needs": 2, "synergies": 1}
    assert table_counts(session_maker)["audit_log"] == audit_before

    changed = dataclasses.replace(
        network,
        companies=(
            dataclasses.replace(network.companies[1], name="Scierie Dupont"),
            network.companies[0],
        ),
        streams=(dataclasses.replace(network.streams[0], quantity_base=1_500_000),),
        needs=(),
        synergies=(),
    )
    summary = save(session_maker, changed)
    assert summary.updated == {"companies": 1, "streams": 1, "needs": 0, "synergies": 0}
    assert summary.unchanged["companies"] == 1 and summary.total_created == 0
    stored = load(session_maker)
    assert [c.name for c in stored.companies] == ["Scierie Dupont", "Chaufferie bois de Jonzac"]
    assert stored.streams[0].quantity_base == 1_500_000
    assert len(stored.needs) == 2 and len(stored.synergies) == 1  # rows not mentioned are kept
    assert table_counts(session_maker)["companies"] == 2


def test_import_is_all_or_nothing(session_maker):
    network = small_network()
    save(session_maker, network)
    before = table_counts(session_maker)
    # The first half is fine (a renamed company, a new one); the second half breaks a database
    # rule (a stream with neither a waste code nor a material): nothing at all may remain.
    broken = Network(
        companies=(
            dataclasses.replace(network.companies[0], name="RENAMED"),
            Company("C003", "Carrière", 45.3, -0.5),
        ),
        streams=(Stream("S0009", "C003", 5_000, Unit.T),),
    )
    with pytest.raises(ImportValidationError) as caught:
        save(session_maker, broken)
    assert "streams.csv" in str(caught.value)
    assert table_counts(session_maker) == before
    assert load(session_maker) == network.sorted()


def test_dangling_references_are_all_reported_before_writing(session_maker):
    save(session_maker, small_network())
    before = table_counts(session_maker)
    bad = Network(
        companies=(Company("C010", "Nouvelle", 45.0, -0.5),),
        streams=(
            Stream("S0100", "C999", 1, Unit.T, ewc_code="030105"),
            Stream("S0101", "C001", 1, Unit.T, ewc_code="030105"),
        ),  # stored company: ok
        needs=(Need("N0100", "C998", 1, Unit.T, category="wood_fuel"),),
        synergies=(
            Synergy("Y0100", "S0404", "N0001"),
            Synergy("Y0101", "S0001", "N0001", Stage.ABANDONED),
        ),
    )
    with pytest.raises(ImportValidationError) as caught:
        save(session_maker, bad)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 4, messages
    assert any("C999" in m for m in messages) and any("C998" in m for m in messages)
    assert any("S0404" in m for m in messages) and any("reason" in m for m in messages)
    assert table_counts(session_maker) == before
    # referencing a stored company from a bundle without companies is fine
    ok = Network(streams=(Stream("S0101", "C001", 1, Unit.T, ewc_code="030105"),))
    assert save(session_maker, ok).created["streams"] == 1


def test_foreign_keys_are_enforced_and_cascade(session_maker):
    save(session_maker, small_network())
    with session_maker() as session, pytest.raises(IntegrityError):
        with session.begin():
            session.execute(
                text(
                    "INSERT INTO streams (id, company_id, quantity_base, unit, ewc_code, material, "
                    "description, physical_state, months, route, route_cost_cents, notes) VALUES "
                    "('S9', 'NOPE', 1, 't', '030105', '', '', 'solid', '', 'other', 0, '')"
                )
            )
    with session_maker() as session, session.begin():
        delete_company(session, "C001", actor="officer")
    stored = load(session_maker)
    assert [c.id for c in stored.companies] == ["C002"]
    assert [s.id for s in stored.streams] == ["S0002"]
    assert [n.id for n in stored.needs] == ["N0001"]
    assert stored.synergies == ()  # its stream S0001 went with C001
    with session_maker() as session, pytest.raises(NotFoundError):
        delete_company(session, "C001")


def test_raw_cascade_without_the_orm(session_maker):
    """ON DELETE CASCADE lives in the database itself (SQLite needs PRAGMA foreign_keys=ON)."""
    save(session_maker, small_network())
    with session_maker() as session, session.begin():
        session.execute(text("DELETE FROM companies WHERE id = 'C001'"))
    assert table_counts(session_maker)["streams"] == 1
    assert table_counts(session_maker)["synergies"] == 0


def test_stage_change_is_audited(session_maker):
    save(session_maker, small_network())
    with session_maker() as session, session.begin():
        with pytest.raises(ValidationError, match="reason|motif"):
            set_synergy_stage(session, "Y0001", "abandoned", actor="officer")
        with pytest.raises(ValidationError, match="unknown stage|étape inconnue"):
            set_synergy_stage(session, "Y0001", "signed", actor="officer")
        with pytest.raises(NotFoundError):
            set_synergy_stage(session, "Y9999", "contacted", actor="officer")
        moved = set_synergy_stage(
            session, "Y0001", Stage.IN_DISCUSSION, actor="marie", today=date(2026, 4, 1)
        )
        assert moved.stage is Stage.IN_DISCUSSION and moved.updated_on == date(2026, 4, 1)
        dropped = set_synergy_stage(
            session, "Y0001", "abandoned", reason="trop humide", actor="marie"
        )
        assert dropped.abandoned_reason == "trop humide"
    with session_maker() as session:
        assert get_synergy(session, "Y0001").stage is Stage.ABANDONED
        entries = audit_entries(session, entity="synergy", entity_id="Y0001")
    assert [(e.actor, e.action, e.detail["from"], e.detail["to"]) for e in entries] == [
        ("marie", "stage", "in_discussion", "abandoned"),
        ("marie", "stage", "contacted", "in_discussion"),
    ]
    assert entries[0].detail["reason"] == "trop humide"
    with session_maker() as session, session.begin():  # reopening clears the reason
        reopened = set_synergy_stage(
            session, "Y0001", "contacted", actor="m", reopen=True, reason="sèche en été"
        )
        assert reopened.abandoned_reason == ""


def test_create_synergy(session_maker):
    save(session_maker, small_network())
    with session_maker() as session, session.begin():
        created = create_synergy(
            session, "S0002", "N0002", actor="officer", quantity_base=100_000, today=D1
        )
        # the network holds Y0001 (an id chosen by hand); new ones follow the SY001 pattern
        assert created.id == "SY001" and created.created_on == D1
        with pytest.raises(NotFoundError):
            create_synergy(session, "S0404", "N0002", actor="officer")
    with session_maker() as session:
        assert [e.action for e in audit_entries(session, entity_id="SY001")] == ["create"]


def test_import_stage_change_and_import_are_audited(session_maker):
    network = small_network()
    save(session_maker, network, actor="import-1")
    moved = dataclasses.replace(
        network,
        synergies=(
            dataclasses.replace(network.synergies[0], stage=Stage.IMPLEMENTED, updated_on=None),
        ),
    )
    summary = save(session_maker, moved, actor="import-2")
    assert summary.updated["synergies"] == 1
    with session_maker() as session:
        synergy = get_synergy(session, "Y0001")
        entries = audit_entries(session)
    assert synergy.created_on == D1 and synergy.updated_on == date.today()
    assert [(e.actor, e.action) for e in entries] == [
        ("import-2", "import"),
        ("import-2", "stage"),
        ("import-1", "import"),
    ]


def test_scrypt_authentication(session_maker, monkeypatch):
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    save(session_maker, small_network())
    with session_maker() as session, session.begin():
        officer = create_user(session, "marie", "s3cret-pass-17", role="officer")
        company = create_user(session, "scierie", "copeaux-de-chene", role=Role.COMPANY, company_id="C001")
        with pytest.raises(ValidationError, match="taken"):
            create_user(session, "marie", "other-long-pass", role="planner")
        with pytest.raises(ValidationError, match="company"):
            create_user(session, "orphan", "other-long-pass", role="company")
        with pytest.raises(ValidationError, match="role"):
            create_user(session, "boss", "other-long-pass", role="admin")
    assert officer.role is Role.OFFICER and company.company_id == "C001"
    with session_maker() as session:
        stored = session.execute(text("SELECT password_hash FROM users WHERE username='marie'"))
        scheme, n, r, p, salt, digest = stored.scalar_one().split("$")
        assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
        assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
        assert authenticate(session, "marie", "s3cret-pass-17") == officer
        assert authenticate(session, " marie ", "s3cret-pass-17") == officer
        assert authenticate(session, "marie", "wrong") is None
        assert authenticate(session, "nobody", "s3cret-pass-17") is None
        assert authenticate(session, "scierie", "copeaux-de-chene") == company


def test_geocode_cache_persists(session_maker):
    with session_maker() as session, session.begin():
        cache = GeocodeCache(session)
        cache["jonzac 17500"] = (45.446, -0.434)
        cache["montendre"] = (45.28, -0.40)
        cache["montendre"] = (45.2847, -0.4071)  # overwrite, no duplicate
        with pytest.raises(ValueError):
            cache["nowhere"] = (200.0, 0.0)
    with session_maker() as session, session.begin():
        cache = GeocodeCache(session)
        assert len(cache) == 2 and list(cache) == ["jonzac 17500", "montendre"]
        assert cache["montendre"] == (45.2847, -0.4071)
        assert "jonzac 17500" in cache and "paris" not in cache
        assert cache.get("paris") is None
        del cache["jonzac 17500"]
        with pytest.raises(KeyError):
            del cache["jonzac 17500"]
    with session_maker() as session:
        assert dict(GeocodeCache(session).items()) == {"montendre": (45.2847, -0.4071)}


def test_load_demo_twice_changes_nothing(session_maker):
    pytest.importorskip("symbiose.bundle")
    from symbiose.db import load_demo
    from symbiose.reference import data_dir

    if not (data_dir() / "demo" / "companies.csv").is_file():
        pytest.skip("data/demo is not written yet")
    with session_maker() as session, session.begin():
        first = load_demo(session)
    assert first.created["companies"] > 0 and first.total_updated == 0
    after_first = table_counts(session_maker)
    network = load(session_maker)
    with session_maker() as session, session.begin():
        second = load_demo(session)
    assert second.total_created == second.total_updated == 0
    assert table_counts(session_maker) == after_first
    assert load(session_maker) == network
