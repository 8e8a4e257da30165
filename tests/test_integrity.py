"""Data an officer can trust: concurrent edits refused, ids from the database, the pipeline as a
state machine, the matcher's rules on implemented synergies, plausible numbers and the solver's
integer range. On SQLite and PostgreSQL; the concurrency tests run real processes.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import re

import pytest
from click.testing import CliRunner

from symbiose import db, i18n
from symbiose.cli import main
from symbiose.domain import Company, Need, Network, Stage, Stream, Synergy
from symbiose.errors import (
    ConcurrentEditError,
    ImportValidationError,
    NotFoundError,
    RangeError,
    ValidationError,
)
from symbiose.stages import Move, move_kind, move_problem, synergy_problems
from symbiose.units import Unit

T = 1000  # base units (kg) per tonne


def network(**changes) -> Network:
    """A sawmill (C001) whose 100 t of sawdust may feed a boiler (C002, 200 t), and a
    demolition firm (C003) with 10 t of contaminated soil (hazardous 17 05 03*)."""
    companies = (
        Company("C001", "Scierie de Montendre", 45.2847, -0.4071, commune="Montendre"),
        Company("C002", "Chaufferie de Jonzac", 45.4460, -0.4340, commune="Jonzac"),
        Company("C003", "Démolition Saintongeaise", 45.30, -0.40, commune="Montlieu"),
    )
    streams = (
        Stream("S0001", "C001", 100 * T, Unit.T, ewc_code="030105", description="sciure"),
        Stream("S0002", "C003", 10 * T, Unit.T, ewc_code="170503", description="terres"),
    )
    needs = (
        Need("N0001", "C002", 200 * T, Unit.T, category="wood_fuel"),
        Need("N0002", "C001", 50 * T, Unit.T, category="wood_fuel"),
    )
    synergies = (Synergy("SY013", "S0001", "N0001", Stage.SUGGESTED, quantity_base=50 * T),)
    values = dict(companies=companies, streams=streams, needs=needs, synergies=synergies)
    values.update(changes)
    return Network(**values)


def save(session_maker, net: Network, actor: str = "officer"):
    with session_maker() as s, s.begin():
        return db.save_network(s, net, actor=actor)


# --------------------------------------------------------------------------------------------
# row versions and forms


def test_a_save_based_on_an_old_read_is_refused_and_names_who_and_when(session_maker):
    save(session_maker, network())
    with session_maker() as s:
        opened = db.record_state(s, "streams", "S0001")  # two people open the same stream
        stream = next(x for x in db.load_network(s).streams if x.id == "S0001")
    with session_maker() as s, s.begin():
        first = db.save_record(s, "streams", dataclasses.replace(stream, quantity_base=120 * T),
                               actor="marie", expected_version=opened.version, columns=["quantity"])
    assert first.changed == ("quantity_base",) and first.version == opened.version + 1
    with i18n.language("fr"), pytest.raises(ConcurrentEditError) as refused:
        with session_maker() as s, s.begin():
            db.save_record(s, "streams", dataclasses.replace(stream, description="copeaux"),
                           actor="paul", expected_version=opened.version, columns=["description"])
    message = str(refused.value)
    assert re.search(r"^Flux S0001 : modifié par marie à \d\d:\d\d depuis que vous l'avez ouvert", message), message
    with session_maker() as s:  # marie's change is kept, paul's refused save wrote nothing
        kept = next(x for x in db.load_network(s).streams if x.id == "S0001")
    assert kept.quantity_base == 120 * T and kept.description == "sciure"


def test_a_form_writes_only_the_fields_changed(session_maker):
    save(session_maker, network())
    with session_maker() as s:
        version = db.record_state(s, "streams", "S0001").version
        stream = next(x for x in db.load_network(s).streams if x.id == "S0001")
    # the form's record carries every field; a description differing from the stored one
    # (someone else's later import, say) is not written when only the quantity was edited
    edited = dataclasses.replace(stream, quantity_base=80 * T, description="autre texte")
    with session_maker() as s, s.begin():
        saved = db.save_record(s, "streams", edited, actor="marie", expected_version=version,
                               columns=["quantity"])
    assert saved.changed == ("quantity_base",)
    with session_maker() as s:
        stored = next(x for x in db.load_network(s).streams if x.id == "S0001")
        state = db.record_state(s, "streams", "S0001")
    assert stored.quantity_base == 80 * T and stored.description == "sciure"
    assert state.updated_by == "marie" and state.version == version + 1


def test_saving_a_new_record_twice_makes_two_records(session_maker):
    save(session_maker, network())
    new = Stream("", "C001", 5 * T, Unit.T, ewc_code="030105", description="écorces")
    ids = []
    for _ in range(2):
        with session_maker() as s, s.begin():
            saved = db.save_record(s, "streams", new, actor="marie", expected_version=None)
        assert saved.created
        ids.append(saved.id)
    assert ids == ["S0003", "S0004"]
    with pytest.raises(ValidationError, match="S0001"):  # an id typed by hand that exists
        with session_maker() as s, s.begin():
            db.save_record(s, "streams", dataclasses.replace(new, id="S0001"), actor="marie",
                           expected_version=None)
    with session_maker() as s:
        assert db.counts(s)["streams"] == 4


def test_ids_follow_the_numbers_typed_by_hand(session_maker):
    save(session_maker, network())  # holds SY013, numbered by an officer
    with session_maker() as s, s.begin():
        assert db.create_synergy(s, "S0001", "N0001", actor="m").id == "SY014"
        assert db.next_id(s, "company") == "C004"
        assert db.next_id(s, "company") == "C005"  # issued ids are never issued again


# --------------------------------------------------------------------------------------------
# real concurrent processes


def _stage_worker(args) -> str:
    """One `symbiose synergy-stage` command, as an officer would type it."""
    url, target, _start = args
    # the actor is the operating-system user (free-text --actor is gone)
    arguments = ["--database", url, "synergy-stage", "SY013", target,
                 "--reason", "essai", "--back", "--reopen"]  # fmt: skip
    _START.wait(timeout=60)
    result = CliRunner().invoke(main, arguments)
    if result.exit_code == 0:
        return "moved"
    if result.exit_code == 1 and "Traceback" not in result.output and result.exception is not None:
        return f"refused: {result.stderr.strip()}"
    return f"failed: {result.output} {result.exception!r}"


_START = None  # the barrier that releases the worker processes together


def _init_worker(barrier) -> None:
    global _START
    _START = barrier


def _in_transaction(url: str, work):
    """``work(session)`` in one transaction of a new engine, once every process is ready."""
    engine = db.make_engine(url)
    _START.wait(timeout=60)
    try:
        with db.session_factory(engine)() as s, s.begin():
            return work(s)
    finally:
        engine.dispose()


def _interest_worker(args) -> str:
    url, side, _start = args
    from symbiose.ui import blind

    def interested(s):
        return blind.express_interest(s, db.load_network(s), "S0001", "N0001", side=side,
                                      company_id="C001" if side == "supplier" else "C002",
                                      actor=side, quantity_base=60 * T)  # fmt: skip

    return _in_transaction(url, interested).synergy_id


def _create_worker(args) -> str:
    url, need_id, _start = args
    return _in_transaction(url, lambda s: db.create_synergy(s, "S0001", need_id, actor="p").id)


def _edit_worker(args) -> str:
    """One person saving the description of S0001 from a form opened at version 1."""
    url, person, _start = args
    stream = Stream("S0001", "C001", 100 * T, Unit.T, ewc_code="030105", description=person)
    try:
        _in_transaction(url, lambda s: db.save_record(s, "streams", stream, actor=person,
                                                      expected_version=1, columns=["description"]))  # fmt: skip
        return "saved"
    except ConcurrentEditError as exc:
        return f"refused: {exc}"


def _run_parallel(worker, args: list) -> list:
    """Run ``worker`` on each argument in separate processes (forked: no re-import), released
    together by a barrier, one batch of processes at a time."""
    from symbiose.reference import ewc_entries

    ewc_entries()  # read the List of Waste once, before forking (the rules use it)
    processes = min(4, len(args))
    assert len(args) % processes == 0
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    with context.Pool(processes, initializer=_init_worker, initargs=(barrier,)) as pool:
        return pool.map(worker, [(*a, None) for a in args], chunksize=1)


def test_twenty_parallel_stage_moves_leave_a_consistent_history(database_url, engine):
    save(db.session_factory(engine), network())
    targets = [s.value for s in Stage if s is not Stage.SUGGESTED] * 5  # 20 moves
    outcomes = _run_parallel(_stage_worker, [(database_url, t) for t in targets])
    assert not [o for o in outcomes if o not in ("moved",) and not o.startswith("refused")]
    moved = outcomes.count("moved")
    assert moved >= 5, outcomes
    with db.session_factory(engine)() as s:
        history = db.stage_history(s, "SY013")
        final = db.get_synergy(s, "SY013")
        audit = [e for e in db.audit_entries(s, entity_id="SY013") if e.action == "stage"]
    assert len(history) == moved + 1  # the creation, then one row per move made
    for before, after in zip(history, history[1:], strict=False):
        assert after.from_stage == before.to_stage  # every move starts where the last one ended
    assert history[-1].to_stage == final.stage
    assert sorted((e.detail["from"], e.detail["to"]) for e in audit) == sorted(
        (str(h.from_stage), str(h.to_stage)) for h in history[1:]
    )


def test_two_interests_at_once_make_one_synergy(database_url, engine):
    save(db.session_factory(engine), network(synergies=()))
    ids = _run_parallel(_interest_worker, [(database_url, "supplier"), (database_url, "receiver")])
    assert ids[0] == ids[1]
    with db.session_factory(engine)() as s:
        synergies = db.load_network(s).synergies
    assert len(synergies) == 1
    assert synergies[0].stage is Stage.IN_DISCUSSION
    assert synergies[0].quantity_base == 60 * T  # the suggestion's tradable quantity


def test_four_saves_from_one_read_at_once_keep_one_and_refuse_three(database_url, engine):
    save(db.session_factory(engine), network())
    people = ["anne", "bruno", "chloe", "denis"]
    outcomes = _run_parallel(_edit_worker, [(database_url, p) for p in people])
    saved = [p for p, o in zip(people, outcomes, strict=True) if o == "saved"]
    assert len(saved) == 1, outcomes
    assert all(o.startswith("refused") and saved[0] in o for o in outcomes if o != "saved")
    with db.session_factory(engine)() as s:
        assert db.load_network(s).streams[0].description == saved[0]
        assert db.record_state(s, "streams", "S0001").version == 2


def test_an_import_holding_an_old_read_is_refused(session_maker):
    save(session_maker, network())
    from sqlalchemy import select

    from symbiose.db.models import StreamRow

    with session_maker() as old:
        held = old.scalars(select(StreamRow)).all()  # this session read S0001 at version 1
        assert held[0].version == 1
        with session_maker() as s, s.begin():  # marie changes it meanwhile
            db.save_record(s, "streams", dataclasses.replace(network().streams[0], quantity_base=90 * T),
                           actor="marie", expected_version=1, columns=["quantity"])  # fmt: skip
        changed = network(streams=(dataclasses.replace(network().streams[0], description="x"),),
                          synergies=())  # fmt: skip
        with pytest.raises(ConcurrentEditError, match="marie"):
            db.save_network(old, changed, actor="paul")  # in the transaction its read began
        old.rollback()
    with session_maker() as s:
        stream = db.load_network(s).streams[0]
    assert stream.quantity_base == 90 * T and stream.description == "sciure"


def test_ids_issued_at_once_are_all_different(database_url, engine):
    needs = tuple(Need(f"N01{i:02d}", "C002", 200 * T, Unit.T, category="wood_fuel") for i in range(8))
    save(db.session_factory(engine), network(needs=network().needs + needs))
    ids = _run_parallel(_create_worker, [(database_url, n.id) for n in needs])
    assert sorted(ids) == [f"SY{n:03d}" for n in range(14, 22)]


# --------------------------------------------------------------------------------------------
# the pipeline as a state machine


def test_allowed_moves():
    assert move_kind("suggested", "contacted") is Move.FORWARD
    assert move_kind("suggested", "implemented") is Move.FORWARD
    assert move_kind("implemented", "suggested") is Move.BACK
    assert move_kind("in_discussion", "abandoned") is Move.ABANDON
    assert move_kind("abandoned", "implemented") is Move.REOPEN
    assert move_problem("SY1", "suggested", "contacted") is None
    assert move_problem("SY1", "contacted", "abandoned")  # no reason
    assert move_problem("SY1", "contacted", "abandoned", reason="trop loin") is None
    assert move_problem("SY1", "implemented", "suggested", reason="x")  # not confirmed
    assert move_problem("SY1", "implemented", "suggested", back=True)  # no reason
    assert move_problem("SY1", "implemented", "suggested", back=True, reason="x") is None
    assert move_problem("SY1", "abandoned", "implemented", reason="x")  # not explicit
    assert move_problem("SY1", "abandoned", "contacted", reopen=True, reason="x") is None


def test_stage_history_keeps_the_old_reason_when_reopened(session_maker):
    save(session_maker, network())
    with session_maker() as s, s.begin():
        db.set_synergy_stage(s, "SY013", "abandoned", reason="trop humide", actor="marie")
        with pytest.raises(ValidationError):
            db.set_synergy_stage(s, "SY013", "implemented", actor="marie")
    with session_maker() as s, s.begin():
        with pytest.raises(ValidationError):
            db.set_synergy_stage(s, "SY013", "contacted", actor="paul", reason="séchée")  # not explicit
    with session_maker() as s, s.begin():
        reopened = db.set_synergy_stage(s, "SY013", "contacted", actor="paul", reopen=True,
                                        reason="séchée en été")
    assert reopened.abandoned_reason == ""
    with session_maker() as s:
        history = db.stage_history(s, "SY013")
    assert [(str(h.from_stage), str(h.to_stage), h.actor, h.reason) for h in history[1:]] == [
        ("suggested", "abandoned", "marie", "trop humide"),
        ("abandoned", "contacted", "paul", "séchée en été"),
    ]


def test_a_file_moves_stages_forward_only(session_maker):
    save(session_maker, network())  # SY013 suggested
    at = {stage: network(synergies=(Synergy("SY013", "S0001", "N0001", stage, quantity_base=50 * T,
                                            abandoned_reason="trop loin" if stage == "abandoned" else ""),))
          for stage in Stage}  # fmt: skip
    save(session_maker, at[Stage.IMPLEMENTED], actor="import-1")  # forward, skipping stages
    with pytest.raises(ImportValidationError, match="SY013.*(ne la ramène pas|does not move it back)"):
        save(session_maker, at[Stage.CONTACTED])  # back: not from a file
    save(session_maker, at[Stage.ABANDONED], actor="import-2")
    with pytest.raises(ImportValidationError, match="SY013.*(ne la rouvre pas|does not reopen it)"):
        save(session_maker, at[Stage.IMPLEMENTED])  # reopening: not from a file
    with session_maker() as s, s.begin():  # undoing an import may put a stage back
        db.save_network(s, at[Stage.IMPLEMENTED], actor="undo", restore=True)
    with session_maker() as s:
        history = db.stage_history(s, "SY013")
    assert [(h.actor, str(h.from_stage), str(h.to_stage)) for h in history[1:]] == [
        ("import-1", "suggested", "implemented"),
        ("import-2", "implemented", "abandoned"),
        ("undo", "abandoned", "implemented"),
    ]
    assert history[-2].reason == "trop loin"


def test_cli_stage_moves_and_history(tmp_path):
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    save(db.session_factory(db.ensure_database(url)), network())

    def run(*args):
        return runner.invoke(main, ["--database", url, *args])

    assert run("synergy-stage", "SY013", "implemented", "--quantity", "40").exit_code == 0
    back = run("synergy-stage", "SY013", "suggested")
    assert back.exit_code == 1 and "--back" in back.stderr and "Traceback" not in back.output
    assert run("synergy-stage", "SY013", "contacted", "--back", "--reason", "contrat résilié").exit_code == 0
    history = run("synergy-history", "SY013", "--format", "csv")
    assert history.exit_code == 0
    lines = history.stdout.strip().splitlines()
    assert len(lines) == 4 and "contrat résilié" in lines[-1] and "implemented" in lines[-1]


# --------------------------------------------------------------------------------------------
# the matcher's rules hold for implemented synergies


def _implemented(**changes) -> Synergy:
    values = dict(id="SY020", stream_id="S0001", need_id="N0001", stage=Stage.IMPLEMENTED,
                  quantity_base=50 * T)
    values.update(changes)
    return Synergy(**values)


@pytest.mark.parametrize(
    ("synergy", "rule"),
    [
        (_implemented(stream_id="S0002"), "hazardous"),  # 17 05 03* to a need without a permit
        (_implemented(need_id="N0002"), "same company"),  # C001's sawdust to C001's boiler
        (_implemented(quantity_base=5000 * T), "quantity"),  # 5,000 t on a 100 t stream
    ],
)
def test_an_import_breaking_a_rule_of_the_matcher_is_refused(session_maker, synergy, rule):
    save(session_maker, network())
    with i18n.language("en"), pytest.raises(ImportValidationError) as refused:
        save(session_maker, network(synergies=(synergy,)))
    assert "SY020" in str(refused.value) and rule in str(refused.value)
    with session_maker() as s:
        assert [y.id for y in db.load_network(s).synergies] == ["SY013"]  # nothing was written


def test_shrinking_a_stream_below_its_implemented_synergies_is_refused(session_maker):
    save(session_maker, network(synergies=(_implemented(quantity_base=80 * T),)))
    smaller = dataclasses.replace(network().streams[0], quantity_base=60 * T)
    with i18n.language("en"), pytest.raises(ImportValidationError, match="SY020.*quantity"):
        save(session_maker, network(streams=(smaller,), synergies=()))
    with session_maker() as s:
        assert db.load_network(s).streams[0].quantity_base == 100 * T


def test_moving_to_implemented_checks_the_rules(session_maker):
    save(session_maker, network(synergies=(Synergy("SY013", "S0002", "N0001", Stage.IN_DISCUSSION),)))
    with i18n.language("en"), pytest.raises(ValidationError, match="SY013.*hazardous"):
        with session_maker() as s, s.begin():
            db.set_synergy_stage(s, "SY013", "implemented", actor="marie")
    with session_maker() as s:
        assert db.get_synergy(s, "SY013").stage is Stage.IN_DISCUSSION


def test_months_and_the_quantity_in_common_months():
    stream = Stream("S1", "C1", 120 * T, Unit.T, ewc_code="030105", months=(1, 2, 3))
    need = Need("N1", "C2", 120 * T, Unit.T, category="wood_fuel", months=(3, 4, 5, 6))
    # the need takes 30 t a month (120 t over 4 months); only March is common: 30 t at most
    ok = Synergy("Y", "S1", "N1", Stage.IMPLEMENTED, quantity_base=30 * T)
    assert synergy_problems(ok, stream, need) == []
    with i18n.language("en"):
        too_much = synergy_problems(dataclasses.replace(ok, quantity_base=31 * T), stream, need)
        assert len(too_much) == 1 and "common months" in too_much[0]
        apart = synergy_problems(ok, stream, dataclasses.replace(need, months=(7, 8)))
        assert any("no month in common" in p for p in apart)


# --------------------------------------------------------------------------------------------
# numbers: plausible ranges, the solver's integer range


def _write_bundle(folder, quantity: str, price: str = "0") -> None:
    folder.mkdir()
    (folder / "companies.csv").write_text(
        "id,name,latitude,longitude\nC001,Scierie,45.28,-0.40\n", encoding="utf-8")
    (folder / "streams.csv").write_text(
        "id,company_id,ewc_code,quantity,unit,route_cost_eur_per_unit\n"
        f"S0001,C001,03 01 05,100,t,0\nS0002,C001,03 01 05,{quantity},t,{price}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("quantity", "price", "column"),
    [("20000000", "0", "quantity"), ("1e20", "0", "quantity"), ("10", "1e17", "route_cost_eur_per_unit"),
     ("5e15", "0", "quantity")],
)
def test_implausible_numbers_are_refused_at_import_naming_the_row(database_url, tmp_path, quantity,
                                                                  price, column):
    folder = tmp_path / "bundle"
    _write_bundle(folder, quantity, price)
    assert CliRunner().invoke(main, ["--database", database_url, "init"]).exit_code == 0
    result = CliRunner().invoke(main, ["--database", database_url, "import", str(folder), "--yes"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "ligne 3" in result.stderr and column in result.stderr  # French by default
    listed = CliRunner().invoke(main, ["--database", database_url, "list", "streams", "--format", "csv"])
    assert listed.stdout.count("\n") <= 1  # nothing was stored


def test_the_solver_refuses_sums_beyond_its_integer_range(demo):
    from symbiose.matching import run_match

    streams = list(demo.streams)
    # two streams of 3e15 t: each fits in 64 bits, their sum does not (it would wrap around)
    for i in (0, 1):
        streams[i] = dataclasses.replace(streams[i], quantity_base=3 * 10**18)
    with i18n.language("en"), pytest.raises(RangeError, match="add up"):
        run_match(dataclasses.replace(demo, streams=tuple(streams)))
    streams[0] = dataclasses.replace(streams[0], quantity_base=5 * 10**18)
    with pytest.raises(RangeError, match=streams[0].id):
        run_match(dataclasses.replace(demo, streams=tuple(streams)))


def test_the_models_and_the_migrations_agree(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from symbiose.db.models import Base

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_the_matcher_never_keeps_an_implemented_synergy_that_breaks_its_rules():
    """A network read from files (never stored) with 10 t of hazardous soil implemented towards a
    boiler without a permit: the solver refuses it by name instead of keeping it."""
    from symbiose.errors import InfeasibleError
    from symbiose.matching import run_match

    hazardous = network(synergies=(_implemented(stream_id="S0002", quantity_base=5 * T),))
    with pytest.raises(InfeasibleError, match="S0002 -> N0001.*autorisation"):  # French by default
        run_match(hazardous)


def test_the_migration_keeps_existing_synergies_and_starts_their_history(database_url):
    from sqlalchemy import text

    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine, "0001")  # a database from before row versions
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO companies (id, name, latitude, longitude, commune, insee_code, postal_code, "
                "naf_code, siret, address, contact_name, contact_email, contact_phone, notes) VALUES "
                "('C001', 'A', 45, 0, '', '', '', '', '', '', '', '', '', ''), "
                "('C002', 'B', 45, 0, '', '', '', '', '', '', '', '', '', '')"))
            connection.execute(text(
                "INSERT INTO streams (id, company_id, quantity_base, unit, ewc_code, material, description, "
                "physical_state, months, route, route_cost_cents, notes) VALUES "
                "('S0001', 'C001', 100000, 't', '030105', '', '', 'solid', '', 'other', 0, '')"))
            connection.execute(text(
                "INSERT INTO needs (id, company_id, quantity_base, unit, category, accepted_codes, "
                "description, virgin_price_cents, months, hazardous_permit, notes) VALUES "
                "('N0001', 'C002', 100000, 't', 'wood_fuel', '', '', 0, '', false, '')"))
            connection.execute(text(
                "INSERT INTO synergies (id, stream_id, need_id, stage, quantity_base, abandoned_reason, "
                "created_on, updated_on, notes) VALUES "
                "('SY007', 'S0001', 'N0001', 'abandoned', NULL, 'trop loin', '2026-03-02', NULL, '')"))
        db.upgrade(engine)
        with db.session_factory(engine)() as s, s.begin():
            history = db.stage_history(s, "SY007")
            assert [(h.from_stage, h.to_stage, h.reason) for h in history] == [
                (None, Stage.ABANDONED, "trop loin")]
            assert history[0].occurred_at.date().isoformat() == "2026-03-02"
            assert db.record_state(s, "synergies", "SY007").version == 1
            assert db.next_id(s, "synergy") == "SY008"
    finally:
        engine.dispose()


def test_a_stage_move_says_a_negative_quantity_in_the_streams_unit_and_refuses_nought_implemented(session_maker):
    """« la quantité d'une synergie doit être >= 0, pas -5000 » spoke in kg; 0 t made an
    implemented synergy that exchanges nothing."""
    stream = Stream("S0001", "C001", 100 * T, Unit.M3, ewc_code="030105", description="sciure")
    save(session_maker, network(streams=(stream,)))
    with i18n.language("fr"), pytest.raises(ValidationError) as negative:
        with session_maker() as s, s.begin():
            db.set_synergy_stage(s, "SY013", "implemented", actor="marie", quantity_base=-2500)
    assert "-2,5\u00a0m3" in str(negative.value) and "-2500" not in str(negative.value)
    with i18n.language("fr"), pytest.raises(ValidationError) as nought:
        with session_maker() as s, s.begin():
            db.set_synergy_stage(s, "SY013", "implemented", actor="marie", quantity_base=0)
    assert "SY013" in str(nought.value) and "abandon" in str(nought.value)
    with session_maker() as s:
        kept = db.get_synergy(s, "SY013")
    assert (str(kept.stage), kept.quantity_base) == ("suggested", 50 * T)
    with session_maker() as s, s.begin():  # 0 at an earlier stage is a plan not made yet: kept
        assert db.set_synergy_stage(s, "SY013", "contacted", actor="marie", quantity_base=0).quantity_base == 0
    with pytest.raises(ValidationError, match="SY013"), session_maker() as s, s.begin():
        db.set_synergy_stage(s, "SY013", "implemented", actor="marie")  # still 0: refused too
    with session_maker() as s, s.begin():
        moved = db.set_synergy_stage(s, "SY013", "implemented", actor="marie", quantity_base=40 * T)
    assert (str(moved.stage), moved.quantity_base) == ("implemented", 40 * T)


def test_cli_a_negative_stage_quantity_is_told_as_typed(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    save(db.session_factory(db.ensure_database(url)), network())
    result = CliRunner().invoke(main, ["--database", url, "synergy-stage", "SY013", "implemented", "--quantity", "-5"],
                                env={"SYMBIOSE_LANGUAGE": "fr"})  # fmt: skip
    assert result.exit_code == 1 and "-5\u00a0t" in result.stderr and "-5000" not in result.stderr, result.output


# --------------------------------------------------------------------------------------------
# a synergy's recorded quantity, changed without a stage move


def _followed(stage: Stage, quantity_base: int | None = 50 * T) -> Network:
    return network(synergies=(Synergy("SY013", "S0001", "N0001", stage, quantity_base=quantity_base),))


def test_a_synergy_quantity_changes_without_a_stage_move_in_its_history_and_the_audit_log(session_maker):
    """A renegotiated quantity could only be entered by importing synergies.csv: the stage form
    and 'synergy-stage' change it only with a move, and an implemented synergy has none left."""
    save(session_maker, _followed(Stage.IMPLEMENTED))
    with session_maker() as s, s.begin():
        changed = db.set_synergy_quantity(s, "SY013", 40 * T, actor="marie", reason="avenant au contrat")
    assert (str(changed.stage), changed.quantity_base) == ("implemented", 40 * T)
    with session_maker() as s:
        assert db.get_synergy(s, "SY013").quantity_base == 40 * T
        last = db.stage_history(s, "SY013")[-1]
        entry = db.audit_entries(s, entity="synergy", entity_id="SY013")[0]
        from symbiose.db.audit_text import entry_texts

        with i18n.language("fr"):
            words = entry_texts(s, [entry])[0]
        version = db.record_state(s, "synergies", "SY013").version
    assert (last.actor, str(last.from_stage), str(last.to_stage)) == ("marie", "implemented", "implemented")
    assert (last.quantity_base, last.reason) == (40 * T, "avenant au contrat")
    assert (entry.actor, entry.action) == ("marie", "edit")
    assert words[0] == "modification" and "Quantité : 50 → 40\u00a0t/an" in words[2], words
    assert "avenant au contrat" in words[2]
    with session_maker() as s, s.begin():  # the quantity stored already: nothing written
        db.set_synergy_quantity(s, "SY013", 40 * T, actor="paul")
    with session_maker() as s:
        assert len(db.stage_history(s, "SY013")) == 2
        assert db.record_state(s, "synergies", "SY013").version == version


def test_a_synergy_quantity_obeys_the_matchers_rules_like_a_moves_quantity(session_maker):
    stream = Stream("S0001", "C001", 100 * T, Unit.M3, ewc_code="030105", description="sciure")
    save(session_maker, network(streams=(stream,), synergies=_followed(Stage.IMPLEMENTED).synergies))
    refusals = [(150 * T, "SY013.*quantité.*le flux S0001"), (-2500, "-2,5\u00a0m3"), (0, "SY013.*abandonn")]
    for quantity_base, told in refusals:
        with i18n.language("fr"), pytest.raises(ValidationError) as refused:
            with session_maker() as s, s.begin():
                db.set_synergy_quantity(s, "SY013", quantity_base, actor="marie")
        assert re.search(told, str(refused.value)) and "-2500" not in str(refused.value), refused.value
    with session_maker() as s:
        assert db.get_synergy(s, "SY013").quantity_base == 50 * T
        assert len(db.stage_history(s, "SY013")) == 1
    with session_maker() as s, s.begin():  # 0 before implemented is a plan not made yet: kept
        db.set_synergy_stage(s, "SY013", "in_discussion", actor="marie", back=True, reason="renégociation")
        assert db.set_synergy_quantity(s, "SY013", 0, actor="marie").quantity_base == 0
    with session_maker() as s, s.begin():
        db.set_synergy_stage(s, "SY013", "abandoned", actor="marie", reason="arrêt")
    with i18n.language("fr"), pytest.raises(ValidationError, match="SY013.*abandonnée.*rouvr"):
        with session_maker() as s, s.begin():
            db.set_synergy_quantity(s, "SY013", 10 * T, actor="marie")
    with i18n.language("fr"), pytest.raises(NotFoundError, match="SY999"):
        with session_maker() as s, s.begin():
            db.set_synergy_quantity(s, "SY999", 10 * T, actor="marie")


def test_a_synergy_quantity_based_on_an_old_read_is_refused(session_maker):
    save(session_maker, _followed(Stage.CONTACTED))
    with session_maker() as s:
        opened = db.record_state(s, "synergies", "SY013").version
    with session_maker() as s, s.begin():
        db.set_synergy_quantity(s, "SY013", 30 * T, actor="paul", expected_version=opened)
    with i18n.language("fr"), pytest.raises(ConcurrentEditError, match="SY013.*paul"):
        with session_maker() as s, s.begin():
            db.set_synergy_quantity(s, "SY013", 20 * T, actor="marie", expected_version=opened)
    with session_maker() as s:
        assert db.get_synergy(s, "SY013").quantity_base == 30 * T


def test_lowering_a_stream_below_a_followed_synergy_says_how_to_proceed(session_maker):
    """« la synergie SY008 ... enfreint une règle de l'appariement : quantité : 3 800,0 t par an
    dépasse ce que compte le flux S0100 (1 000,0 t) » did not say what to do."""
    save(session_maker, _followed(Stage.CONTACTED))
    smaller = dataclasses.replace(network().streams[0], quantity_base=40 * T)
    with i18n.language("fr"), pytest.raises(ImportValidationError) as refused:
        save(session_maker, network(streams=(smaller,), synergies=()))
    told = str(refused.value)
    assert "dépasse ce que compte le flux S0001" in told
    assert "baissez d'abord la quantité enregistrée de la synergie SY013" in told, told
    assert "symbiose synergy-quantity SY013" in told and "Suivi des synergies" in told
    assert "dans le même import" in told
    with session_maker() as s:  # the form says it too, without the import
        opened = db.record_state(s, "streams", "S0001").version
    with i18n.language("fr"), pytest.raises(ValidationError) as form:
        with session_maker() as s, s.begin():
            db.save_record(s, "streams", smaller, actor="marie", expected_version=opened, columns=["quantity"])
    assert "baissez d'abord la quantité enregistrée de la synergie SY013" in str(form.value)
    assert "dans le même import" not in str(form.value)
    lowered = Synergy("SY013", "S0001", "N0001", Stage.CONTACTED, quantity_base=30 * T)
    save(session_maker, network(streams=(smaller,), synergies=(lowered,)))  # both in one import
    with session_maker() as s, s.begin():  # or the synergy first, then the stream
        db.set_synergy_quantity(s, "SY013", 20 * T, actor="marie")
    with session_maker() as s:
        assert db.load_network(s).streams[0].quantity_base == 40 * T


def test_cli_synergy_quantity_changes_an_implemented_synergy_in_french(tmp_path):
    """`synergy-stage SY007 implemented --quantity "1 234,5"` on an implemented synergy answered
    that it was already there and changed nothing."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    save(db.session_factory(db.ensure_database(url)), _followed(Stage.IMPLEMENTED))

    def run(*args):
        return CliRunner().invoke(main, ["--database", url, *args], env={"SYMBIOSE_LANGUAGE": None})

    changed = run("synergy-quantity", "SY013", "42,5", "--reason", "avenant")
    assert changed.exit_code == 0, changed.output
    assert changed.stdout.strip() == ("Synergie SY013 : quantité enregistrée 50 → 42,5\u00a0t/an "
                                      "(étape « mise en œuvre », inchangée)"), changed.stdout  # fmt: skip
    same = run("synergy-quantity", "SY013", "42.5")
    assert same.exit_code == 0 and "déjà" in same.stdout and "rien n'a changé" in same.stdout, same.output
    over = run("synergy-quantity", "SY013", "1 234,5")
    assert over.exit_code == 1 and "enfreint une règle de l'appariement" in over.stderr, over.output
    assert "Traceback" not in over.output
    bad = run("synergy-quantity", "SY013", "beaucoup")
    assert bad.exit_code == 2 and "beaucoup" in bad.output, bad.output
    history = run("synergy-history", "SY013", "--format", "csv").stdout.strip().splitlines()
    assert len(history) == 3 and "avenant" in history[-1] and history[-1].endswith(";42,5"), history
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        assert db.get_synergy(s, "SY013").quantity_base == 42500
    engine.dispose()
