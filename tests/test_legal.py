"""The legal path of a synergy (pure rules) and the checklist kept with it (SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest

from symbiose import db
from symbiose.domain import Company, Need, Network, PhysicalState, Stream, Synergy
from symbiose.errors import NotFoundError, ValidationError
from symbiose.legal import LegalPath, assess, assess_pair, checklist
from symbiose.units import Unit


def case(**kwargs):
    values = {"ewc_code": "030105", "hazardous": False, "physical_state": "solid",
              "category": "wood_fuel", "hazardous_permit": False, "pretreatment": "none"}  # fmt: skip
    values.update(kwargs)
    return assess(**values)


def test_clean_sawdust_toward_a_boiler_may_be_a_by_product():
    a = case()
    assert a.applies and a.permit_ok and a.suggested is LegalPath.BY_PRODUCT
    assert a.option(LegalPath.BY_PRODUCT).possible
    assert a.icpe_headings == ("2910", "2771")
    # end-of-waste criteria exist for wood fuel (shredded wood packaging, arrêté of 29 July 2014)
    assert a.option(LegalPath.END_OF_WASTE).possible
    assert any("2014" in c.reference for c in a.option(LegalPath.END_OF_WASTE).criteria)


def test_a_treatment_beyond_normal_practice_rules_out_the_by_product():
    a = case(ewc_code="020304", category="methanisation_feedstock", pretreatment="depackaging")
    assert not a.option(LegalPath.BY_PRODUCT).possible
    assert a.suggested is LegalPath.WASTE  # no end-of-waste criteria for digester inputs
    assert a.icpe_headings == ("2781",)
    assert any("1069/2009" in s for s in a.special)  # animal by-products


@pytest.mark.parametrize("code", ["170107", "150101", "191212", "200108"])
def test_consumption_demolition_and_treatment_wastes_are_never_by_products(code):
    a = case(ewc_code=code, category="aggregates")
    assert not a.option(LegalPath.BY_PRODUCT).possible


def test_scrap_metal_has_the_eu_end_of_waste_regulations():
    a = case(ewc_code="170405", category="scrap_metal", pretreatment="sorting")
    assert a.suggested is LegalPath.END_OF_WASTE
    references = {c.reference for c in a.option(LegalPath.END_OF_WASTE).criteria}
    assert references == {"Regulation (EU) No 333/2011", "Regulation (EU) No 715/2013"}
    glass = case(ewc_code="150107", category="glass_cullet", pretreatment="sorting")
    assert {c.reference for c in glass.option(LegalPath.END_OF_WASTE).criteria} == {
        "Regulation (EU) No 1179/2012"
    }


def test_hazardous_code_goes_only_to_a_permit_holder():
    refused = case(ewc_code="130205", hazardous=True, physical_state="liquid",
                   category="oil_regeneration", hazardous_permit=False)  # fmt: skip
    assert not refused.permit_ok
    assert not any(o.possible for o in refused.options)  # not even as a waste
    allowed = case(ewc_code="130205", hazardous=True, physical_state="liquid",
                   category="oil_regeneration", hazardous_permit=True)  # fmt: skip
    assert allowed.permit_ok and allowed.suggested is LegalPath.WASTE
    assert allowed.option(LegalPath.WASTE).possible
    assert not allowed.option(LegalPath.BY_PRODUCT).possible
    assert not allowed.option(LegalPath.END_OF_WASTE).possible
    assert "2790" in allowed.icpe_headings
    assert any("Trackdéchets" in duty for duty in allowed.option(LegalPath.WASTE).obligations)


def test_heat_is_outside_waste_law():
    a = case(ewc_code="", physical_state="energy", category="heat")
    assert not a.applies and a.suggested is None and a.options == ()


def test_checklists_hold_the_four_by_product_conditions_and_the_slip_only_when_hazardous():
    ids = [i.id for i in checklist(LegalPath.BY_PRODUCT)]
    assert ids[:4] == ["bp_certain_use", "bp_direct_use", "bp_integral_part", "bp_lawful_use"]
    assert "tracking_slip" in [i.id for i in checklist("waste", hazardous=True)]
    assert "tracking_slip" not in [i.id for i in checklist("waste", hazardous=False)]


def test_assess_pair_reads_the_hazard_and_the_knowledge_base():
    stream = Stream("S1", "C1", 1_000_000, Unit.T, ewc_code="130205",
                    physical_state=PhysicalState.LIQUID)  # fmt: skip
    need = Need("N1", "C2", 1_000_000, Unit.T, category="oil_regeneration", hazardous_permit=False)
    a = assess_pair(stream, need)
    assert a.hazardous and not a.permit_ok


# ------------------------------------------------------------------ stored checklist


def small(session_maker) -> None:
    net = Network(
        companies=(Company("C1", "Scierie", 45.4, -0.4), Company("C2", "Chaufferie", 45.5, -0.4)),
        streams=(Stream("S1", "C1", 1_000_000, Unit.T, ewc_code="030105"),),
        needs=(Need("N1", "C2", 1_000_000, Unit.T, category="wood_fuel"),),
        synergies=(Synergy("Y1", "S1", "N1"),),
    )
    with session_maker() as s, s.begin():
        db.save_network(s, net, actor="test")


def test_checklist_is_stored_validated_and_audited(session_maker, monkeypatch):
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    small(session_maker)
    with session_maker() as s, s.begin():
        assert db.get_legal_check(s, "Y1") is None
        saved = db.save_legal_check(s, "Y1", "by_product",
                                    {"bp_certain_use": True, "bp_direct_use": False},
                                    notes=" contrat ", actor="agent")  # fmt: skip
    assert saved.done == 1 and saved.notes == "contrat"
    with session_maker() as s, s.begin():
        with pytest.raises(ValidationError, match="tracking_slip"):
            db.save_legal_check(s, "Y1", "by_product", {"tracking_slip": True}, actor="agent")
        with pytest.raises(ValidationError, match="legal path"):
            db.save_legal_check(s, "Y1", "product", {}, actor="agent")
        with pytest.raises(NotFoundError):
            db.save_legal_check(s, "Y404", "waste", {}, actor="agent")
    with session_maker() as s, s.begin():  # same values: nothing written
        db.save_legal_check(s, "Y1", "by_product", {"bp_certain_use": True}, notes="contrat",
                            actor="agent")  # fmt: skip
        db.save_legal_check(s, "Y1", "waste", {"register": True}, actor="chef")
    with session_maker() as s:
        stored = db.get_legal_check(s, "Y1")
        entries = [e for e in db.audit_entries(s, entity="synergy", entity_id="Y1") if e.action == "legal"]
        assert db.verify_chain(s).ok
    assert stored.path is LegalPath.WASTE and stored.checks["register"] and stored.updated_by == "chef"
    assert len(entries) == 2  # the unchanged save wrote nothing
    newest = entries[0].detail
    assert newest["before"]["path"] == "by_product" and newest["after"]["path"] == "waste"


def test_doctests_of_the_legal_and_catalogue_modules():
    import doctest

    import symbiose.catalogue
    import symbiose.legal

    for module in (symbiose.legal, symbiose.catalogue):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_the_trust_catalogue_of_translations_is_well_formed():
    """A broken .po entry is only a warning for the loader (the message silently stays English)."""
    from babel.messages.pofile import read_po

    from symbiose.i18n import LOCALE_DIR

    with (LOCALE_DIR / "fr" / "trust.po").open("rb") as handle:
        catalogue = read_po(handle, locale="fr", abort_invalid=True)
    assert len(catalogue) > 200
