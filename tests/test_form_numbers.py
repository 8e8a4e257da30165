"""Numbers in the officer's forms: shown and typed as the reader's language writes them
(``1 234,568`` in French), and a record saved without a change keeps exactly what it held.

The form's rule for a typed number (symbiose.i18n.parse_input_number) differs from the import's
on one point: the import cannot know a file's language and refuses ``12,345`` (twelve thousand or
twelve point three?), while a French form writes and reads decimals with a comma, so ``12,345``
there is 12.345; an English form groups thousands with a comma, so there it is 12345.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from databases import copy_database
from hypothesis import given
from hypothesis import strategies as st

from symbiose import db
from symbiose.i18n import fmt_input_number, language, parse_input_number

TIMEOUT = 60
NBSP = "\u00a0"


# ------------------------------------------------------------------------------ text rules


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False),
    st.sampled_from(["fr", "en"]),
)
def test_a_number_shown_by_the_form_reads_back_as_the_same_text(number, code):
    plain = format(number.normalize(), "f")  # as the bundle writes a cell: 1234.568, 100, 0.5
    with language(code):
        shown = fmt_input_number(plain)
        assert Decimal(parse_input_number(shown)) == number
        if code == "fr":
            assert "." not in shown and (Decimal(plain) == Decimal(plain).to_integral() or "," in shown)


def test_french_and_english_numbers_as_people_type_them():
    with language("fr"):
        assert fmt_input_number("1234.568") == f"1{NBSP}234,568"
        assert fmt_input_number("12.34") == "12,34" and fmt_input_number("-0.5") == "-0,5"
        assert fmt_input_number("1e-05") == "0,00001"  # a float written by Python: every digit shown
        for typed in ("1 234,5", "1234,5", f"1{NBSP}234,5", "1\u202f234,5", "1234.5", "1.234,5", " 1 234,50 "):
            assert parse_input_number(typed) == "1234.5", typed
        assert parse_input_number("12,345") == "12.345"  # the French form writes decimals so
        assert parse_input_number("−3,5") == "-3.5" and parse_input_number("") == ""
        for typed in ("12 34", "1 2345", "12 t", "1,234.567,5", "beaucoup", "1e5"):
            with pytest.raises(ValueError) as told:
                parse_input_number(typed)
            assert str(told.value) == f"« {typed} » n'est pas un nombre ; écrivez-le comme 1{NBSP}234,5"
    with language("en"):
        assert fmt_input_number("1234.568") == "1,234.568"
        assert parse_input_number("12,345") == "12345"  # as the English form writes it
        assert parse_input_number("1 234,5") == parse_input_number("1234,5") == "1234.5"
        with pytest.raises(ValueError, match="write it like 1,234.5"):
            parse_input_number("12 34")


# ------------------------------------------------------------------------------ the forms


@pytest.fixture
def url(demo_sqlite, tmp_path, monkeypatch) -> str:
    url = copy_database(demo_sqlite, tmp_path / "numbers.db")
    monkeypatch.setenv(db.ENV_DATABASE_URL, url)
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "fr")
    return url


@pytest.fixture
def session(url):
    engine = db.make_engine(url)
    yield db.session_factory(engine)
    engine.dispose()


def page():
    from streamlit.testing.v1 import AppTest

    script = (
        "from symbiose import ui\nfrom symbiose.ui import common, companies\n"
        "ui.apply_language()\ncommon.engine()\ncompanies.page()\n"
    )
    return AppTest.from_string(script, default_timeout=TIMEOUT).run()


def save(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception
    return at


def record(session, table: str, record_id: str):
    with session() as s:
        found = next(x for x in getattr(db.load_network(s), table) if x.id == record_id)
        return found, db.record_state(s, table, record_id).version


def shown(widget):
    """What the page tells the browser to show in a field it already displays (None: the
    browser keeps what it holds)."""
    return widget.proto.value if widget.proto.set_value else None


def test_a_stream_and_a_need_saved_without_a_change_keep_every_figure(url, session):
    with session() as s, s.begin():
        net = db.load_network(s)
        followed = {y.stream_id for y in net.synergies} | {y.need_id for y in net.synergies}
        stream = next(x for x in net.streams if x.id not in followed and x.unit == "t")
        need = next(x for x in net.needs if x.id not in followed and x.unit == "t")
        for table, item, columns in (
            ("streams", dataclasses.replace(stream, quantity_base=1_234_568, route_cost_cents=1234,
                                            bulk_density_t_per_m3=0.35, temperature_c=None),
             ["quantity", "route_cost_eur_per_unit", "bulk_density_t_per_m3", "temperature_c"]),
            ("needs", dataclasses.replace(need, quantity_base=12_345, virgin_price_cents=1234, max_distance_km=12.5),
             ["quantity", "virgin_price_eur_per_unit", "max_distance_km"]),
        ):  # fmt: skip
            version = db.record_state(s, table, item.id).version
            db.save_record(s, table, item, actor="test", expected_version=version, columns=columns)
    stream_before, need_before = record(session, "streams", stream.id), record(session, "needs", need.id)
    company_before = record(session, "companies", stream.company_id)

    at = page()
    at.selectbox(key="edit_streams").set_value(stream.id).run()
    assert at.text_input(key=f"streams_{stream.id}_quantity").value == f"1{NBSP}234,568"
    assert at.text_input(key=f"streams_{stream.id}_route_cost_eur_per_unit").value == "12,34"
    assert at.text_input(key=f"streams_{stream.id}_bulk_density_t_per_m3").value == "0,35"
    save(at, "Enregistrer le flux")
    assert not at.error and any(f"{stream.id} est inchangé" in i.value for i in at.info)
    assert record(session, "streams", stream.id) == stream_before

    at.selectbox(key="edit_needs").set_value(need.id).run()
    assert at.text_input(key=f"needs_{need.id}_quantity").value == "12,345"  # 12.345 t, not 12 345
    assert at.text_input(key=f"needs_{need.id}_virgin_price_eur_per_unit").value == "12,34"
    assert at.text_input(key=f"needs_{need.id}_max_distance_km").value == "12,5"
    save(at, "Enregistrer le besoin")
    assert not at.error
    assert record(session, "needs", need.id) == need_before

    at.selectbox(key="edit_companies").set_value(stream.company_id).run()
    company = company_before[0]
    assert at.text_input(key=f"companies_{company.id}_latitude").value == fmt_in_french(company.latitude)
    save(at, "Enregistrer l'entreprise")
    assert not at.error
    assert record(session, "companies", company.id) == company_before


def fmt_in_french(value: float) -> str:
    return repr(value).replace(".", ",")  # latitudes have fewer than four digits before the point


def test_french_numbers_typed_in_a_form_are_stored_and_a_bad_one_is_told(url, session):
    with session() as s:
        stream = db.load_network(s).streams[0]
    at = page()
    at.selectbox(key="edit_streams").set_value(stream.id).run()
    quantity = f"streams_{stream.id}_quantity"
    for typed in ("1 234,5", "1234,5"):
        at.text_input(key=quantity).set_value(typed)
        save(at, "Enregistrer le flux")
        assert not at.error, typed
        assert record(session, "streams", stream.id)[0].quantity_base == 1_234_500, typed
    before = record(session, "streams", stream.id)
    at.text_input(key=quantity).set_value("12 34")
    at.text_input(key=f"streams_{stream.id}_route_cost_eur_per_unit").set_value("douze")
    at.text_input(key=f"streams_{stream.id}_ewc_code").set_value("99 99 99")
    save(at, "Enregistrer le flux")
    message = at.error[0].value
    assert message.startswith("Le formulaire comporte 3 problèmes ; rien n'a été enregistré")
    assert f"**Quantité par an** : « 12 34 » n'est pas un nombre ; écrivez-le comme 1{NBSP}234,5" in message
    assert "**Coût de la filière actuelle (EUR par unité)** : « douze » n'est pas un nombre" in message
    assert "**Code déchet (nomenclature)**" in message  # the record's other problems are told at once
    assert record(session, "streams", stream.id) == before


def test_after_a_save_the_form_shows_what_was_stored(url, session):
    """A company moved to Montendre is placed at Montendre's centre: the browser kept showing the
    old latitude, and saving again 'without a change' put the company back at the old place."""
    with session() as s:
        company = next(c for c in db.load_network(s).companies if c.commune == "Jonzac")
    at = page()
    at.selectbox(key="edit_companies").set_value(company.id).run()
    key = f"companies_{company.id}_"
    at.text_input(key=key + "commune").set_value("Montendre")
    at.text_input(key=key + "insee_code").set_value("")
    at.text_input(key=key + "postal_code").set_value("")
    save(at, "Enregistrer l'entreprise")
    assert not at.error
    moved, version = record(session, "companies", company.id)
    assert moved.latitude != company.latitude and moved.postal_code == "17130"
    assert shown(at.text_input(key=key + "latitude")) == fmt_in_french(moved.latitude)
    assert shown(at.text_input(key=key + "postal_code")) == "17130"
    save(at, "Enregistrer l'entreprise")  # nothing changed
    assert not at.error
    assert record(session, "companies", company.id) == (moved, version)


def test_a_number_keeps_its_meaning_when_the_reader_switches_language(url, session):
    """12,345 typed in French is twelve point three four five; after a switch to English the
    form writes it 12.345 (12,345 reads twelve thousand there)."""
    with session() as s:
        stream = db.load_network(s).streams[0]
    at = page()
    at.selectbox(key="edit_streams").set_value(stream.id).run()
    key = f"streams_{stream.id}_"
    at.text_input(key=key + "quantity").set_value("12,345")
    at.text_input(key=key + "ewc_code").set_value("99 99 99")
    save(at, "Enregistrer le flux")
    assert at.error  # refused: the code; the typed quantity stays in the form
    at.session_state["symbiose_language"] = "en"
    at.run()
    assert shown(at.text_input(key=key + "quantity")) == "12.345"
    at.text_input(key=key + "ewc_code").set_value(stream.ewc_code)
    with language("en"):  # AppTest formats the choices of the boxes in the test's language
        save(at, "Save the stream")
    assert not at.error
    assert record(session, "streams", stream.id)[0].quantity_base == 12_345


def test_the_agreed_quantity_of_a_stage_move_is_read_as_the_forms_read_numbers(url, session):
    from streamlit.testing.v1 import AppTest

    with session() as s:
        synergy = next(y for y in db.load_network(s).synergies if str(y.stage) == "suggested")
    script = "from symbiose.ui import common, pipeline\ncommon.engine()\npipeline.page()\n"
    at = AppTest.from_string(script, default_timeout=TIMEOUT).run()
    at.selectbox(key="stage_synergy").set_value(synergy.id).run()
    at.text_input(key="stage_quantity").set_value("12 34")
    save(at, "Changer l'étape")
    assert at.error[0].value == (f"**Quantité convenue par an (facultatif, dans l'unité du flux)** : « 12 34 » n'est "
                                 f"pas un nombre ; écrivez-le comme 1{NBSP}234,5")  # fmt: skip
    at.text_input(key="stage_quantity").set_value("12,5")  # within its stream's 135 t
    save(at, "Changer l'étape")
    assert not at.error, at.error[0].value
    with session() as s:
        assert db.get_synergy(s, synergy.id).quantity_base == 12_500


def test_line_breaks_in_notes_and_descriptions_survive_an_edit(url, session):
    """An imported note with a line break was shown in a one-line box, which glued the lines
    together ('et' + 'saut de ligne' read 'etsaut de ligne'); appending a word and saving stored the
    glued text. Notes and descriptions are edited in a text area: the lines stay lines."""
    with session() as s, s.begin():
        net = db.load_network(s)
        company = net.companies[0]
        stream = next(x for x in net.streams if x.company_id == company.id)
        for table, item in (
            ("companies", dataclasses.replace(company, notes='Remarque avec "guillemets" ; et\nsaut de ligne')),
            ("streams", dataclasses.replace(stream, description='note "1"\nligne 2')),
        ):
            version = db.record_state(s, table, item.id).version
            db.save_record(s, table, item, actor="test", expected_version=version,
                           columns=["notes" if table == "companies" else "description"])
    at = page()
    at.selectbox(key="edit_companies").set_value(company.id).run()
    notes = at.text_area(key=f"companies_{company.id}_notes")
    assert notes.value == 'Remarque avec "guillemets" ; et\nsaut de ligne'
    notes.set_value(notes.value + " (vu le 02/12)")
    save(at, "Enregistrer l'entreprise")
    assert not at.error
    assert record(session, "companies", company.id)[0].notes == 'Remarque avec "guillemets" ; et\nsaut de ligne (vu le 02/12)'
    at.selectbox(key="edit_streams").set_value(stream.id).run()
    description = at.text_area(key=f"streams_{stream.id}_description")
    description.set_value(description.value + "\nligne 3")
    save(at, "Enregistrer le flux")
    assert not at.error
    assert record(session, "streams", stream.id)[0].description == 'note "1"\nligne 2\nligne 3'


def test_changing_only_the_commune_moves_the_company_with_its_codes(url, session):
    """Typing a new commune left the old commune's INSEE and postal codes in the form, and the save
    was refused (« le code INSEE 17197 est celui de Jonzac, pas de « Montendre » »): the officer
    had to clear both codes too. Codes left as read now follow the new commune."""
    with session() as s:
        company = next(c for c in db.load_network(s).companies if c.commune == "Jonzac" and c.insee_code)
    at = page()
    at.selectbox(key="edit_companies").set_value(company.id).run()
    at.text_input(key=f"companies_{company.id}_commune").set_value("Montendre")
    save(at, "Enregistrer l'entreprise")
    assert not at.error, [e.value for e in at.error]
    moved = record(session, "companies", company.id)[0]
    assert (moved.commune, moved.postal_code) == ("Montendre", "17130") and moved.insee_code != company.insee_code
    assert moved.latitude != company.latitude
