"""The Streamlit application, page by page, with streamlit.testing.v1.AppTest.

Every test runs on its own copy of a real SQLite file holding the demo network (built once per
test session: ``demo_sqlite``), selected through SYMBIOSE_DATABASE_URL. Pages are run alone (``from_string`` calling
the page function) or through app.py (navigation, login, roles).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from databases import copy_database  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from symbiose import db  # noqa: E402
from symbiose.units import parse_decimal  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 60


@pytest.fixture
def url(demo_sqlite, tmp_path, monkeypatch) -> str:
    """A fresh copy of the demo database for one test, made the app's database."""
    url = copy_database(demo_sqlite, tmp_path / "app.db")
    monkeypatch.setenv(db.ENV_DATABASE_URL, url)
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")  # these tests read English labels; see test_app_fr.py
    return url


@pytest.fixture
def session(url):
    engine = db.make_engine(url)
    maker = db.session_factory(engine)
    yield maker
    engine.dispose()


def page_test(name: str) -> AppTest:
    """An AppTest running one page function alone."""
    script = f"from symbiose.ui import common, {name}\ncommon.engine()\n{name}.page()\n"
    return AppTest.from_string(script, default_timeout=TIMEOUT)


def problems(at: AppTest):
    """The list of validation problems (a static table when short, else a dataframe)."""
    if at.table:
        return at.table[-1].value.reset_index()
    return at.dataframe[-1].value


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.success] + [e.value for e in at.info]
    return "\n".join(parts)


def test_app_starts_on_an_empty_database_and_loads_the_demo(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv(db.ENV_DATABASE_URL, url)
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    for label in ("Synergies in the optimum", "Companies involved", "Exchanged (t/yr)",
                  "CO2e avoided (t/yr)", "Net benefit (EUR/yr)"):  # fmt: skip
        assert float(metrics[label].replace(",", "")) > 0, label
    assert "Left unmatched (t/yr)" in metrics
    assert at.dataframe[0].value.shape[0] > 0  # top flows
    assert any("Open demo mode" in i.value for i in at.sidebar.info)
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        assert db.counts(s)["companies"] > 100
    engine.dispose()


def test_companies_page_lists_and_filters(url):
    at = page_test("companies").run()
    assert not at.exception
    companies = at.dataframe[0].value
    assert len(companies) > 100 and {"id", "name", "commune"} <= set(companies.columns)
    at.multiselect(key="f_commune").set_value(["Jonzac"]).run()
    filtered = at.dataframe[0].value
    assert 0 < len(filtered) < len(companies) and set(filtered["commune"]) == {"Jonzac"}


def test_a_bad_stream_form_shows_errors_and_stores_nothing(url, session):
    with session() as s:
        before = db.counts(s)["streams"]
    at = page_test("companies").run()
    prefix = "streams_(new stream)_"
    at.text_input(key=prefix + "ewc_code").set_value("99 99 99")
    at.text_input(key=prefix + "quantity").set_value("a lot")
    next(b for b in at.button if b.label == "Save the stream").click().run()
    assert not at.exception
    assert at.error, "a bad entry must show an error"
    # each problem is named by the field as labelled on the form, not by a file and column
    message = at.error[0].value
    assert "**Waste code (EWC)**" in message and "**Quantity per year**" in message
    assert "streams.csv" not in message and "ewc_code" not in message.split("\n")[0]
    with session() as s:
        assert db.counts(s)["streams"] == before


def test_a_good_stream_form_is_saved(url, session):
    at = page_test("companies").run()
    prefix = "streams_(new stream)_"
    assert at.text_input(key=prefix + "id").value == ""  # the database issues the id on save
    at.text_input(key=prefix + "ewc_code").set_value("03 01 05")
    at.text_input(key=prefix + "quantity").set_value("1 234,5")  # French number
    at.text_area(key=prefix + "description").set_value("Sciure")
    next(b for b in at.button if b.label == "Save the stream").click().run()
    assert not at.exception and not at.error
    with session() as s:
        stream = next(x for x in db.load_network(s).streams if x.description == "Sciure")
    assert stream.quantity_base == 1_234_500 and stream.ewc_code == "030105"
    # saving the new-record form again makes a second record, never an update of the first
    next(b for b in at.button if b.label == "Save the stream").click().run()
    assert not at.exception and not at.error
    with session() as s:
        saved = sorted(x.id for x in db.load_network(s).streams if x.description == "Sciure")
    assert len(saved) == 2 and saved[0] == stream.id


def test_a_new_stream_is_saved_for_the_company_chosen_above_the_form(url, session):
    """An officer chose C010 in the company box above the form, filled the form and saved: the
    stream went to C001, the form's own first company, and the message did not say which."""
    at = page_test("companies").run()
    at.selectbox(key="prefill_company_streams").set_value("C010").run()
    prefix = "streams_(new stream)_"
    assert at.selectbox(key=prefix + "company_id").value == "C010"
    at.text_input(key=prefix + "ewc_code").set_value("17 01 07")
    at.text_input(key=prefix + "quantity").set_value("120")
    at.text_area(key=prefix + "description").set_value("Gravats du chantier C010")
    next(b for b in at.button if b.label == "Save the stream").click().run()
    assert not at.exception and not at.error
    with session() as s:
        stream = next(x for x in db.load_network(s).streams if x.description == "Gravats du chantier C010")
    assert stream.company_id == "C010"
    assert "C010" in at.success[0].value


def test_typical_flows_of_a_distillery_prefill_the_stream_form(url, session):
    with session() as s:
        before = db.counts(s)["streams"]
    at = page_test("companies").run()
    at.selectbox(key="prefill_company_streams").set_value("C007").run()
    assert not at.exception
    expander = next(e for e in at.expander if "Typical flows" in e.label)
    assert "NAF 11.01Z" in expander.label
    assert any("02 07 02" in m.value for m in expander.markdown)
    index = next(i for i, m in enumerate(expander.markdown) if "02 07 02" in m.value)
    buttons = [b for b in expander.button if b.key.startswith("prefill_streams_streams_")]
    buttons[index - 1].click().run()  # the first markdown is the "Typical streams" title
    prefix = "streams_(new stream)_"
    assert not at.exception
    assert at.text_input(key=prefix + "ewc_code").value == "02 07 02"
    assert at.text_input(key=prefix + "months").value == "11-3"
    assert at.selectbox(key=prefix + "company_id").value == "C007"
    assert at.text_input(key=prefix + "quantity").value == "" and not at.warning
    with session() as s:
        assert db.counts(s)["streams"] == before  # nothing saved without the officer


def test_import_with_a_bad_file_lists_problems_and_writes_nothing(url, session):
    with session() as s:
        before = db.counts(s)
    at = page_test("companies").run()
    bad = "identifiant;raison_sociale;commune\nC900;Scierie Test;Nulle-Part-sur-Mer\n".encode("cp1252")
    at.file_uploader(key="bundle_files").set_value([("entreprises.csv", bad, "text/csv")]).run()
    at.button(key="import_button").click().run()
    assert not at.exception and at.error
    assert "entreprises.csv" in set(problems(at)["file"])
    with session() as s:
        assert db.counts(s) == before


def test_partners_hide_identities_until_both_sides_are_interested(url, session, monkeypatch):
    from symbiose.ui import blind

    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    at = page_test("partners").run()
    assert not at.exception
    at.selectbox(key="partner_company").set_value("C001").run()
    with session() as s:
        net = db.load_network(s)
    names = {c.id: c.name for c in net.companies}
    shown = texts(at)
    assert "Partner #1" in shown
    # a supplier's pair names the waste-hierarchy level of the receiver's use (aggregates: a material)
    assert "Waste hierarchy of this use: recycling into a material" in shown
    buttons = [b for b in at.button if b.key and b.key.startswith("interest_supplier_")]
    assert buttons, "C001 has suggested receivers"
    # the keys name no id (they are written into the page): the test, holding the server's
    # secret, finds the pair of the first button among C001's streams and every need
    from symbiose.ui.partners import pair_key

    pairs = {pair_key("interest", "supplier", x.id, n.id): (x.id, n.id)
             for x in net.streams if x.company_id == "C001" for n in net.needs}  # fmt: skip
    stream_id, need_id = pairs[buttons[0].key]
    partner_id = next(n.company_id for n in net.needs if n.id == need_id)
    assert names[partner_id] not in shown  # hidden

    buttons[0].click().run()
    assert not at.exception
    with session() as s:
        status = blind.pair_status(s, db.load_network(s), stream_id, need_id)
        assert status.supplier_interested and not status.receiver_interested
        assert str(status.stage) == "contacted" and not status.revealed
        interest = [e for e in db.audit_entries(s, entity="synergy", entity_id=status.synergy_id)
                    if e.action == "interest"]  # fmt: skip
        assert interest[0].detail["side"] == "supplier" and interest[0].detail["company_id"] == "C001"
        created = [e for e in db.audit_entries(s, entity="synergy", entity_id=status.synergy_id)
                   if e.action == "create"]  # fmt: skip
        if created:  # a synergy started by the click carries the suggestion's tradable quantity
            assert db.get_synergy(s, status.synergy_id).quantity_base > 0
    assert names[partner_id] not in texts(at)

    with session() as s, s.begin():  # the receiver says yes too
        blind.express_interest(s, db.load_network(s), stream_id, need_id, side="receiver",
                               company_id=partner_id, actor="receiver")  # fmt: skip
    at.run()
    assert names[partner_id] in texts(at)  # revealed
    with session() as s:
        assert str(blind.pair_status(s, db.load_network(s), stream_id, need_id).stage) == "in_discussion"


def test_pipeline_stage_change_persists_and_abandon_needs_a_reason(url, session):
    with session() as s:
        synergy = next(y for y in db.load_network(s).synergies if str(y.stage) == "suggested")
    at = page_test("pipeline").run()
    assert not at.exception and len(at.dataframe[0].value) > 0
    at.selectbox(key="stage_synergy").set_value(synergy.id)
    at.selectbox(key="stage_new").set_value("contacted")
    next(b for b in at.button if b.label == "Change the stage").click().run()
    assert not at.exception and not at.error
    with session() as s:
        assert str(db.get_synergy(s, synergy.id).stage) == "contacted"
        assert db.audit_entries(s, entity="synergy", entity_id=synergy.id)[0].action == "stage"

    at.selectbox(key="stage_synergy").set_value(synergy.id)
    at.selectbox(key="stage_new").set_value("abandoned")
    at.text_input(key="stage_reason").set_value("")
    next(b for b in at.button if b.label == "Change the stage").click().run()
    assert at.error and ("reason" in at.error[0].value or "motif" in at.error[0].value)
    with session() as s:
        assert str(db.get_synergy(s, synergy.id).stage) == "contacted"


def shown(widget):
    """What the browser is told to show in a widget it already displays: the value the page sets,
    or None when the page leaves the browser with the one it holds (its previous label, or what
    was typed before)."""
    proto = widget.proto
    if not proto.set_value:
        return None
    return proto.raw_value if widget.type == "selectbox" else proto.value


def test_pipeline_after_a_move_the_boxes_show_the_new_stage(url, session):
    """After a move the synergy box still read 'SY010 (Suggested)' in the browser, the new-stage
    box a move from the stage just left, the reason and quantity what was typed; the next click
    sent that old label back and the box fell to the first synergy of the list."""
    with session() as s:
        synergy = next(y for y in db.load_network(s).synergies if str(y.stage) == "suggested")
    at = page_test("pipeline").run()
    at.selectbox(key="stage_synergy").set_value(synergy.id).run()
    assert shown(at.selectbox(key="stage_synergy")).startswith(f"{synergy.id} (Suggested)")
    assert shown(at.selectbox(key="stage_new")) == "Contacted (forward)"
    at.selectbox(key="stage_new").set_value("contacted")
    at.text_input(key="stage_reason").set_value("premier appel")
    at.text_input(key="stage_quantity").set_value("12")
    next(b for b in at.button if b.label == "Change the stage").click().run()
    assert not at.exception and not at.error
    assert shown(at.selectbox(key="stage_synergy")).startswith(f"{synergy.id} (Contacted)")
    assert shown(at.selectbox(key="stage_new")) == "In discussion (forward)"
    assert shown(at.text_input(key="stage_reason")) == "" and shown(at.text_input(key="stage_quantity")) == ""
    at.button(key="audit_verify").click().run()  # another run keeps the synergy and its label
    assert at.selectbox(key="stage_synergy").value == synergy.id
    assert shown(at.selectbox(key="stage_synergy")).startswith(f"{synergy.id} (Contacted)")


def test_scenarios_compare_an_adhoc_scenario(url):
    at = page_test("scenarios").run()
    assert not at.exception
    at.checkbox(key="include_adhoc").check()
    # cheaper freight gains pairs (the landfill change alone moved only a tie among the digestate's
    # spreading pairs, which count as today's use since the regrade's C6)
    at.text_input(key="adhoc_transport").set_value("0.10")
    at.text_input(key="adhoc_landfill").set_value("50")
    at.button(key="run_scenarios").click().run()
    assert not at.exception and not at.error
    frames = [d.value for d in at.dataframe]
    table = next(f for f in frames if "Ad hoc" in f.columns)
    assert any(c.startswith("Ad hoc -") for c in table.columns)
    assert table.loc["net benefit (EUR/yr)", "Ad hoc"] > table.iloc[:, 0]["net benefit (EUR/yr)"]
    changes = next(f for f in frames if "change" in f.columns)
    assert set(changes["scenario"]) == {"Ad hoc"}
    opportunities = next(f for f in frames if "site_name" in f.columns)
    assert len(opportunities) > 0


def test_login_and_roles(url, session, monkeypatch):
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    with session() as s, s.begin():
        db.create_user(s, "officer1", "s3cret!-garance", role="officer")
        db.create_user(s, "c001", "copeaux-de-chene", role="company", company_id="C001")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert not at.metric  # nothing but the login page before signing in
    at.text_input(key="login_username").set_value("officer1")
    at.text_input(key="login_password").set_value("wrong")
    from symbiose.i18n import _

    next(b for b in at.button if b.label == _("Sign in")).click().run()
    assert at.error and at.error[0].value == _("Unknown user name or wrong password.")
    at.text_input(key="login_password").set_value("s3cret!-garance")
    next(b for b in at.button if b.label == _("Sign in")).click().run()
    assert not at.exception
    assert "officer1" in "".join(s.value for s in at.success)

    company = AppTest.from_file(APP, default_timeout=TIMEOUT)
    with session() as s:
        company.session_state["symbiose_user"] = db.authenticate(s, "c001", "copeaux-de-chene")
    company.run()
    assert not company.exception
    assert "Partner #1" in texts(company)  # a company lands on its Partners page
    assert not any(w.key == "partner_company" for w in company.selectbox)  # locked to its company


def test_import_preview_confirm_and_undo(url, session, monkeypatch):
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")  # the French default (the url fixture chose English)
    with session() as s:
        before = db.load_network(s)
    at = page_test("companies").run()
    change = b"id;quantite\nS0001;9999\n"
    at.file_uploader(key="bundle_files").set_value([("flux.csv", change, "text/csv")]).run()
    at.button(key="import_button").click().run()
    assert not at.exception and not at.error
    (preview,) = [d.value for d in at.dataframe if len(d.value.columns) == 8]
    assert list(preview.columns[4:7]) == ["colonne", "avant", "après"]  # French by default
    row = preview[preview["colonne"] == "quantite"].iloc[0]  # headed as the French spreadsheet heads it
    assert (row["id"], row["après"]) == ("S0001", "9999")
    with session() as s:
        assert db.load_network(s) == before  # a preview writes nothing
    at.button(key="import_confirm").click().run()
    assert not at.exception and at.success
    assert at.success[0].value.startswith("Importé : 0 enregistrement créé, 1 modifié (import ")  # one: singular
    with session() as s:
        after = db.load_network(s)
    assert next(x for x in after.streams if x.id == "S0001").quantity_base == 9_999_000
    (undo,) = [b for b in at.button if b.key and b.key.startswith("undo_")][:1]
    import_id = undo.key.removeprefix("undo_")
    (line,) = [m.value for m in at.markdown if import_id in m.value]
    assert "dépôt : flux.csv," in line and "upload" not in line  # named in French, after its files
    undo.click().run()
    assert not at.exception
    assert [e.value for e in at.success] == [f"Import {import_id} annulé : 0 enregistrement supprimé, 1 rétabli."]
    # the list is drawn again: the import is said undone, and its button is gone
    (line,) = [m.value for m in at.markdown if import_id in m.value]
    assert line.endswith("(annulé)")
    assert not [b for b in at.button if b.key == f"undo_{import_id}"]
    with session() as s:
        assert db.load_network(s) == before


def test_a_workbook_left_beside_csv_files_is_named_to_be_removed(url, session, monkeypatch):
    """A bad workbook left in the uploader blocked the corrected CSV files without naming it."""
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")
    at = page_test("companies").run()
    files = [("bad.xlsx", b"PK", "application/octet-stream"), ("flux.csv", b"id;quantite\nS0001;9999\n", "text/csv"),
             ("besoins.csv", b"id;quantite\nN0001;10\n", "text/csv")]
    at.file_uploader(key="bundle_files").set_value(files).run()
    at.button(key="import_button").click().run()
    assert not at.exception and at.error
    shown = "\n".join(e.value for e in at.error)
    assert "retirez « bad.xlsx »" in shown and "« flux.csv », « besoins.csv »" in shown, shown


def test_a_form_save_over_another_edit_keeps_both_or_names_the_field(url, session):
    """paul opened a stream, marie changed its quantity, paul saved its description: paul was
    refused and what he typed was lost on reopening, although the two edits touched different
    fields. They are now both kept (paul is told of marie's change); an edit of the same field is
    refused, naming it, and nothing is written."""
    with session() as s:
        stream = db.load_network(s).streams[0]
    at = page_test("companies").run()
    at.selectbox(key="edit_streams").set_value(stream.id).run()  # the form opens: version kept
    with session() as s, s.begin():  # meanwhile marie changes the quantity
        version = db.record_state(s, "streams", stream.id).version
        db.save_record(s, "streams", dataclasses.replace(stream, quantity_base=stream.quantity_base + 1000),
                       actor="marie", expected_version=version, columns=["quantity"])  # fmt: skip
    at.text_area(key=f"streams_{stream.id}_description").set_value("texte de paul")
    next(b for b in at.button if b.label == "Save the stream").click().run()
    assert not at.exception and not at.error
    with session() as s:
        kept = next(x for x in db.load_network(s).streams if x.id == stream.id)
    assert kept.quantity_base == stream.quantity_base + 1000 and kept.description == "texte de paul"
    assert any("marie" in i.value and "Quantity" in i.value for i in at.info), [i.value for i in at.info]
    # the form now shows marie's quantity; she changes it again, paul changes it too: refused
    assert at.text_input(key=f"streams_{stream.id}_quantity").value.replace(",", "") == \
        f"{(stream.quantity_base + 1000) / 1000:g}"
    with session() as s, s.begin():
        version = db.record_state(s, "streams", stream.id).version
        db.save_record(s, "streams", dataclasses.replace(kept, quantity_base=stream.quantity_base + 2000),
                       actor="marie", expected_version=version, columns=["quantity"])  # fmt: skip
    at.text_input(key=f"streams_{stream.id}_quantity").set_value("5")
    next(b for b in at.button if b.label == "Save the stream").click().run()
    assert not at.exception
    assert at.error and "marie" in at.error[0].value and "Quantity" in at.error[0].value
    with session() as s:
        kept = next(x for x in db.load_network(s).streams if x.id == stream.id)
    assert kept.quantity_base == stream.quantity_base + 2000 and kept.description == "texte de paul"


def test_pipeline_going_back_needs_a_confirmation_and_shows_in_the_history(url, session):
    with session() as s:
        synergy = next(y for y in db.load_network(s).synergies if str(y.stage) == "in_discussion")
    at = page_test("pipeline").run()
    at.selectbox(key="stage_synergy").set_value(synergy.id).run()
    assert "in_discussion" not in at.selectbox(key="stage_new").options  # only real moves
    # the form opens on the next stage, never on a move back
    assert at.selectbox(key="stage_new").value == "implemented"
    assert [o.split(" (")[0] for o in at.selectbox(key="stage_new").options[:2]] == ["Implemented", "Abandoned"]
    at.selectbox(key="stage_new").set_value("contacted")
    at.text_input(key="stage_reason").set_value("interlocuteur parti")
    next(b for b in at.button if b.label == "Change the stage").click().run()
    assert at.error and "I confirm this move back" in at.error[0].value  # not confirmed: refused
    with session() as s:
        assert str(db.get_synergy(s, synergy.id).stage) == "in_discussion"
    at.selectbox(key="stage_new").set_value("contacted")
    at.text_input(key="stage_reason").set_value("interlocuteur parti")
    at.checkbox(key="stage_confirm").check()
    next(b for b in at.button if b.label == "Change the stage").click().run()
    assert not at.exception and not at.error
    with session() as s:
        assert str(db.get_synergy(s, synergy.id).stage) == "contacted"
    history = next(d.value for d in at.dataframe if {"from", "to", "reason"} <= set(d.value.columns))
    assert history.iloc[0]["reason"] == "interlocuteur parti"  # newest first


def test_scenarios_robustness_shows_its_progress_and_a_table(url):
    at = page_test("scenarios").run()
    at.checkbox(key="include_adhoc").check()
    at.button(key="run_scenarios").click().run()
    at.number_input(key="rob_draws").set_value(2)
    submit = next(b for b in at.button if "obust" in b.label)  # "Test robustness" / "robustesse"
    submit.click().run()
    assert not at.exception and not at.error
    bars = at.get("progress")
    assert bars and bars[-1].proto.value == 100  # the sweep's progress reached its end
    table = next(d.value for d in at.dataframe if "quantity_stability_pct" in d.value.columns)
    assert len(table) > 0


def test_partners_page_keys_name_no_partner_stream_or_need(url, session, monkeypatch):
    # Streamlit writes every widget key into the page as a CSS class (st-key-...): a company
    # reading its page's HTML must not find there the id of another company's stream or need
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    at = page_test("partners").run()
    at.selectbox(key="partner_company").set_value("C001").run()
    assert not at.exception
    with session() as s:
        net = db.load_network(s)
    others = {x.id for x in [*net.streams, *net.needs] if x.company_id != "C001"}
    keys = [w.key for kind in (at.button, at.text_input, at.checkbox, at.selectbox, at.expander)
            for w in kind if getattr(w, "key", None)]  # fmt: skip
    assert any(k.startswith("interest_supplier_") for k in keys), "C001 has suggested receivers"
    found = {i for k in keys for i in re.findall(r"[SN]\d{4}", k)}
    assert not found & others


def test_a_company_moved_in_the_form_is_placed_at_its_new_commune(url, session):
    """A new commune with the coordinates left as the form read them: the company is placed at
    its new commune (the old coordinates gave road distances from the old place)."""
    from symbiose.reference import communes

    with session() as s:
        company = next(c for c in db.load_network(s).companies if c.commune != "Montendre")
    at = page_test("companies").run()
    at.selectbox(key="edit_companies").set_value(company.id).run()
    at.text_input(key=f"companies_{company.id}_commune").set_value("Montendre")
    at.text_input(key=f"companies_{company.id}_insee_code").set_value("")
    at.text_input(key=f"companies_{company.id}_postal_code").set_value("")
    next(b for b in at.button if b.label == "Save the company").click().run()
    assert not at.exception and not at.error
    with session() as s:
        moved = next(c for c in db.load_network(s).companies if c.id == company.id)
    montendre = next(r for r in communes().itertuples() if r.name == "Montendre")
    assert moved.commune == "Montendre" and moved.postal_code == "17130"
    assert (round(moved.latitude, 4), round(moved.longitude, 4)) == (round(montendre.latitude, 4),
                                                                      round(montendre.longitude, 4))  # fmt: skip
    assert (moved.latitude, moved.longitude) != (company.latitude, company.longitude)
    # the message names the fields as the form labels them, not the stored columns
    (message,) = [x.value for x in at.success]
    assert "Commune" in message and "Latitude" in message and "insee_code" not in message
    # and the form shows what was stored, not the old place's coordinates it was opened with
    shown = at.text_input(key=f"companies_{company.id}_latitude").value
    assert parse_decimal(shown) == pytest.approx(moved.latitude, abs=1e-5)
    assert at.text_input(key=f"companies_{company.id}_postal_code").value == "17130"


def test_every_form_field_has_a_label_in_the_users_language():
    from symbiose.bundle import TABLES
    from symbiose.ui.companies import LABELS

    missing = [c.name for t in ("companies", "streams", "needs") for c in TABLES[t] if c.name not in LABELS]
    assert not missing  # freight_access fell back to its column name, in English


def test_a_company_edited_in_place_keeps_its_site(url, session):
    """The same commune typed in capitals, or its INSEE code cleared (filled again from the
    commune), is no move: the site's own coordinates stay."""
    with session() as s:
        company = next(c for c in db.load_network(s).companies if c.insee_code and c.commune)
    at = page_test("companies").run()
    at.selectbox(key="edit_companies").set_value(company.id).run()
    at.text_input(key=f"companies_{company.id}_commune").set_value(company.commune.upper())
    at.text_input(key=f"companies_{company.id}_insee_code").set_value("")
    next(b for b in at.button if b.label == "Save the company").click().run()
    assert not at.exception and not at.error
    with session() as s:
        kept = next(c for c in db.load_network(s).companies if c.id == company.id)
    assert (kept.latitude, kept.longitude) == (company.latitude, company.longitude)


def test_pipeline_form_never_carries_a_quantity_reason_or_confirmation_to_another_move(url, session):
    """An officer moved one synergy with a quantity, then another without touching the form: the
    second synergy's agreed quantity became the first one's (3 800 t -> 120 t), and a move back
    went through on the previous move's confirmation and reason."""
    with session() as s:
        net = db.load_network(s)
    first, second = [y for y in net.synergies if str(y.stage) in ("suggested", "contacted")][:2]
    before = second.quantity_base
    at = page_test("pipeline").run()
    at.selectbox(key="stage_synergy").set_value(first.id).run()
    at.selectbox(key="stage_new").set_value("in_discussion")
    at.text_input(key="stage_quantity").set_value("1")
    at.text_input(key="stage_reason").set_value("raison de la première")
    next(b for b in at.button if b.label == "Change the stage").click().run()
    assert not at.exception and not at.error
    at.selectbox(key="stage_synergy").set_value(second.id).run()
    assert at.text_input(key="stage_quantity").value == "" and at.text_input(key="stage_reason").value == ""
    assert not at.checkbox(key="stage_confirm").value
    at.selectbox(key="stage_new").set_value("in_discussion")
    next(b for b in at.button if b.label == "Change the stage").click().run()
    assert not at.exception and not at.error
    with session() as s:
        moved = db.get_synergy(s, second.id)
        assert str(moved.stage) == "in_discussion" and moved.quantity_base == before
        last = max(db.stage_history(s, second.id), key=lambda c: c.occurred_at)
        assert str(last.to_stage) == "in_discussion" and not last.reason and last.quantity_base in (None, before)
    # a move back of the same synergy asks for its own confirmation again
    at.selectbox(key="stage_new").set_value("contacted")
    at.text_input(key="stage_reason").set_value("retour")
    next(b for b in at.button if b.label == "Change the stage").click().run()
    assert at.error
    with session() as s:
        assert str(db.get_synergy(s, second.id).stage) == "in_discussion"


def test_a_pair_no_longer_proposed_offers_no_interest_button(url, monkeypatch):
    """A followed synergy whose pair the matcher no longer proposes (its receiver requires a standard
    the stream lacks) showed only 'no longer among the candidates' and an 'I'm interested' button:
    accepting it revealed both names for a pair with nothing to decide from."""
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    at = page_test("partners").run()
    at.selectbox(key="partner_company").set_value("C006").run()
    assert not at.exception
    gone = [m for m in at.markdown if "no longer among the candidates" in m.value]
    assert gone, "C006's SY010 (S0011 -> N0118, a feed standard S0011 lacks) is no longer a candidate"
    told = [c for c in at.caption if "can no longer be taken up here" in c.value]
    assert len(told) == len(gone)


def press(at: AppTest, label: str = "Change the stage") -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def test_pipeline_after_a_concurrent_move_is_refused_the_form_rereads_the_synergy(url, session, monkeypatch):
    """« modifié par agent ... depuis que vous l'avez ouvert » came back at every press until the
    browser tab was reloaded, although the page already showed the new stage; and « modifié »
    did not agree with « synergie »."""
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")
    with session() as s:
        synergy = next(y for y in db.load_network(s).synergies if str(y.stage) == "suggested")
    at = page_test("pipeline").run()
    at.selectbox(key="stage_synergy").set_value(synergy.id).run()
    with session() as s, s.begin():  # another officer moves it meanwhile
        db.set_synergy_stage(s, synergy.id, "contacted", actor="agent")
    at.selectbox(key="stage_new").set_value("contacted")
    press(at, "Changer l'étape")
    assert not at.exception
    assert at.error and re.search(rf"^Synergie {synergy.id} : modifiée par agent à \d\d:\d\d depuis que vous "
                                  r"l'avez ouverte ; rien n'a été enregistré", at.error[0].value), at.error  # fmt: skip
    assert at.selectbox(key="stage_new").value == "in_discussion"  # the moves from the stage shown
    with session() as s:
        assert len([c for c in db.stage_history(s, synergy.id) if c.actor == "agent"]) == 1
    press(at, "Changer l'étape")  # judged on what the page shows: accepted
    assert not at.exception and not at.error
    with session() as s:
        assert str(db.get_synergy(s, synergy.id).stage) == "in_discussion"


def test_pipeline_quantity_in_the_streams_unit_no_nought_implemented_and_web_words(url, session):
    """A stage move took 0 for « mise en œuvre », told a negative quantity in kg (« pas -5000 »),
    pointed a web user to the command line (« --reopen --reason ») and said « forward freely »
    of an abandoned synergy."""
    with session() as s:
        net = db.load_network(s)
        synergy, other = [y for y in net.synergies if str(y.stage) == "suggested"][:2]
        unit = str(next(x for x in net.streams if x.id == synergy.stream_id).unit)
    with session() as s, s.begin():
        db.set_synergy_stage(s, other.id, "abandoned", reason="trop loin", actor="agent")
    at = page_test("pipeline").run()
    at.selectbox(key="stage_synergy").set_value(synergy.id).run()
    for typed, told in (("-5", f"not -5\u00a0{unit}"), ("0", "abandon")):
        at.selectbox(key="stage_new").set_value("implemented")
        at.text_input(key="stage_quantity").set_value(typed)
        press(at)
        assert at.error and told in at.error[0].value and "-5000" not in at.error[0].value, at.error
        with session() as s:
            assert str(db.get_synergy(s, synergy.id).stage) == "suggested"
    at.selectbox(key="stage_synergy").set_value(other.id).run()
    caption = next(c.value for c in at.caption if c.value.startswith("Allowed moves from"))
    assert "forward" not in caption and "reopening needs a confirmation and a reason" in caption, caption
    press(at)  # the default choice, neither confirmed nor with a reason
    assert at.error and "--" not in at.error[0].value, at.error
    assert "'I confirm this move back (or this reopening)'" in at.error[0].value
    assert "'Reason (required to abandon, go back or reopen)'" in at.error[0].value
    with session() as s:
        assert str(db.get_synergy(s, other.id).stage) == "abandoned"


def test_a_stream_unit_change_in_the_form_that_would_reread_a_synergy_is_refused(url, session):
    """The Flux form's unit t -> m3 turned an implemented synergy's « 6 650 t » into « 6 650 m3 »."""
    with session() as s:
        net = db.load_network(s)
        units = {x.id: str(x.unit) for x in net.streams}
        synergy = next(y for y in net.synergies if str(y.stage) == "implemented" and y.quantity_base
                       and units[y.stream_id] in ("t", "m3"))  # fmt: skip
    other = "m3" if units[synergy.stream_id] == "t" else "t"
    at = page_test("companies").run()
    at.selectbox(key="edit_streams").set_value(synergy.stream_id).run()
    at.selectbox(key=f"streams_{synergy.stream_id}_unit").set_value(other)
    next(b for b in at.button if b.label == "Save the stream").click().run()
    assert not at.exception
    assert at.error and "**Unit**" in at.error[0].value and synergy.id in at.error[0].value, at.error
    with session() as s:
        assert next(x for x in db.load_network(s).streams if x.id == synergy.stream_id).unit == units[synergy.stream_id]


def test_pipeline_recorded_quantity_changes_without_a_move(url, session, monkeypatch):
    """The Pipeline form changed a synergy's quantity only with a stage move: an implemented
    synergy's renegotiated quantity could only come from an import of synergies.csv."""
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")
    with session() as s:
        net = db.load_network(s)
        streams = {x.id: x for x in net.streams}
        synergy = next(y for y in net.synergies if str(y.stage) == "implemented" and y.quantity_base
                       and y.quantity_base >= 2000)  # fmt: skip
        unit = str(streams[synergy.stream_id].unit)
        moves = len(db.stage_history(s, synergy.id))
    at = page_test("pipeline").run()
    at.selectbox(key="stage_synergy").set_value(synergy.id).run()
    field = at.text_input(key="synergy_quantity")
    assert field.label == "Quantité enregistrée par an (dans l'unité du flux)"
    assert parse_decimal(field.value) * 1000 == synergy.quantity_base  # the quantity stored, as French writes it
    for typed, told in (("beaucoup", "**Quantité enregistrée par an (dans l'unité du flux)**"),
                        ("", "donnez une quantité"),
                        (f"{streams[synergy.stream_id].quantity_base // 1000 + 1}", "dépasse ce que compte")):
        at.text_input(key="synergy_quantity").set_value(typed)
        press(at, "Enregistrer la quantité")
        assert not at.exception and at.error and told in at.error[0].value, (typed, at.error)
    lowered = synergy.quantity_base // 2000  # whole tonnes (or m3), half of it, then ",5"
    typed = f"{lowered:,}".replace(",", " ") + ",5"
    at.text_input(key="synergy_quantity").set_value(typed)
    press(at, "Enregistrer la quantité")
    assert not at.exception and not at.error, at.error
    assert at.success and at.success[0].value.startswith(f"Synergie {synergy.id} : quantité enregistrée "), at.success
    assert f"\u00a0{unit}/an" in at.success[0].value
    with session() as s:
        stored = db.get_synergy(s, synergy.id)
        assert (str(stored.stage), stored.quantity_base) == ("implemented", lowered * 1000 + 500)
        assert len(db.stage_history(s, synergy.id)) == moves + 1
    assert parse_decimal(at.text_input(key="synergy_quantity").value) == lowered + 0.5
    assert at.selectbox(key="stage_synergy").value == synergy.id
    from symbiose import i18n

    with i18n.language("fr"):
        columns = [i18n._(c) for c in ("from", "to", "quantity (/yr)")]
    history = next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))
    assert list(history.iloc[0][columns]) == ["Mise en œuvre", "Mise en œuvre", lowered + 0.5], history
