"""Notices stored, read and acknowledged on both backends (SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest

from symbiose import db
from symbiose.db import notifications
from symbiose.domain import Company, Network
from symbiose.notify import SmtpSettings, notice_text


def test_notices_per_company_and_for_officers(session):
    db.save_network(session, Network(companies=(Company("C1", "Scierie", 45.3, -0.4), Company("C2", "Chaufferie", 45.4, -0.4))))
    created = notifications.notify(session, "interest", synergy_id="SY1", company_ids=["C2", "C2"],
                                   detail={"item_kind": "need", "item_id": "N1", "side": "supplier"})  # fmt: skip
    assert [(n.company_id, n.role) for n in created] == [("C2", None), (None, "officer")]
    notifications.notify(session, "mutual", synergy_id="SY1", company_ids=["C1", "C2"], officers=False)
    session.commit()
    assert [n.kind for n in notifications.notices(session, company_id="C2")] == ["mutual", "interest"]
    assert notifications.unread_count(session, company_id="C1") == 1
    assert notifications.unread_count(session, role="officer") == 1
    assert notifications.mark_read(session, company_id="C2") == 2
    session.commit()
    assert notifications.unread_count(session, company_id="C2") == 0
    assert notifications.unread_count(session, company_id="C1") == 1  # someone else's stay unread
    with pytest.raises(ValueError, match="kind"):
        notifications.notify(session, "gossip")
    with pytest.raises(ValueError, match="whose"):
        notifications.notices(session)
    db.delete_company(session, "C2")
    session.commit()
    assert notifications.notices(session, company_id="C2") == []  # gone with the company


def test_notice_texts_never_name_a_partner_and_smtp_settings(session):
    from symbiose.i18n import language

    notice = notifications.Notice(1, None, "C2", None, "interest", "SY1", {"item_kind": "need", "item_id": "N1"}, None)
    with language("fr"):
        assert "besoin N1" in notice_text(notice) and "Demandes reçues" in notice_text(notice)
    assert SmtpSettings.from_env({}) is None
    settings = SmtpSettings.from_env({"SYMBIOSE_SMTP_HOST": "mail.example.org", "SYMBIOSE_SMTP_PORT": "2525",
                                      "SYMBIOSE_OFFICER_EMAIL": "a@x.org, b@x.org"})  # fmt: skip
    assert (settings.port, settings.officers) == (2525, ("a@x.org", "b@x.org"))
    from symbiose.errors import SymbioseError

    with pytest.raises(SymbioseError, match="SYMBIOSE_SMTP_PORT"):
        SmtpSettings.from_env({"SYMBIOSE_SMTP_HOST": "h", "SYMBIOSE_SMTP_PORT": "smtp"})


def test_notice_texts_name_stages_and_items_in_french():
    from symbiose.i18n import language

    stage = notifications.Notice(2, None, "C2", None, "stage", "SY1",
                                 {"item_kind": "need", "item_id": "N1", "from": "in_discussion",
                                  "to": "implemented"}, None)  # fmt: skip
    interest = notifications.Notice(3, None, "C2", None, "interest", "SY1", {"item_kind": "need", "item_id": "N1"}, None)
    with language("fr"):
        text = notice_text(stage)
        assert "passée de l'étape « en discussion » à l'étape « mise en œuvre »" in text, text
        assert "in_discussion" not in text and "implemented" not in text
        # the catalogues once gave "need {id}" two translations, one with its article
        assert "votre besoin N1" in notice_text(interest) and "votre le besoin" not in notice_text(interest)


def test_a_stage_notice_names_its_synergy_to_a_company_only_once_the_pair_is_revealed():
    """Ids are issued one after the other: before mutual interest a company reads its own stream
    or need, never the synergy's id (the officers read it always)."""
    from symbiose.i18n import language

    def stage(old: str, new: str, *, company: str | None = "C2") -> notifications.Notice:
        return notifications.Notice(4, None, company, None if company else "officer", "stage", "SY17",
                                    {"item_kind": "need", "item_id": "N1", "from": old, "to": new}, None)  # fmt: skip

    for old, new in (("suggested", "contacted"), ("contacted", "abandoned"), ("contacted", "suggested")):
        text = notice_text(stage(old, new))
        assert "SY17" not in text and "N1" in text, text
        assert "SY17" in notice_text(stage(old, new, company=None), for_officer=True)
    for old, new in (("contacted", "in_discussion"), ("in_discussion", "implemented"), ("implemented", "abandoned")):
        assert "SY17" in notice_text(stage(old, new))
    with language("fr"):
        assert notice_text(stage("contacted", "suggested")) == (
            "La paire avec votre besoin N1 est passée de l'étape « contactée » à l'étape « suggérée ».")


def test_an_abandon_tells_a_company_it_is_over_and_the_officers_why():
    """An abandon read « La paire ... est passée de l'étape « contactée » à l'étape « abandonnée » »
    under an older « Répondez-lui dans Demandes reçues », and the officers' notice gave no reason.
    The reason, an officer's free text, never reaches a company's notice."""
    from symbiose.db.notifications import stage_detail
    from symbiose.i18n import language

    detail = {"item_kind": "need", "item_id": "N1", **stage_detail("contacted", "abandoned", " mâchefers trop humides ")}
    company = notifications.Notice(6, None, "C2", None, "stage", "SY17", detail, None)
    officer = notifications.Notice(7, None, None, "officer", "stage", "SY17", detail, None)
    with language("fr"):
        assert notice_text(company) == "La paire avec votre besoin N1 a été abandonnée ; elle ne vous sera plus proposée."
        assert notice_text(officer, for_officer=True) == (
            "La synergie SY17 (besoin N1) est passée de l'étape « contactée » à l'étape « abandonnée » : "
            "mâchefers trop humides.")
    assert "humides" not in notice_text(company) and stage_detail("a", "b", "  ") == {"from": "a", "to": "b"}


def test_an_officer_notice_names_the_company_that_is_interested():
    """« Synergie SY014 : le côté fournisseur (C001) est intéressé. »: an id where the officer
    reads names everywhere else, and an awkward « côté »."""
    from symbiose.i18n import language

    def officer(kind: str, detail: dict) -> notifications.Notice:
        return notifications.Notice(5, None, None, "officer", kind, "SY14", {"item_kind": "need", "item_id": "N1",
                                                                              **detail}, None)  # fmt: skip

    names = {"C001": "Régie de chaleur Seugne Géothermie"}
    interest = officer("interest", {"side": "supplier", "company_id": "C001"})
    withdrawn = officer("withdrawn", {"side": "receiver", "company_id": "C001"})
    declined = officer("declined", {"side": "receiver", "reason": "trop loin"})
    with language("fr"):
        assert notice_text(interest, for_officer=True, names=names) == (
            "Synergie SY14 : le fournisseur C001 Régie de chaleur Seugne Géothermie s'est dit intéressé.")
        assert notice_text(withdrawn, for_officer=True, names=names) == (
            "Synergie SY14 : le receveur C001 Régie de chaleur Seugne Géothermie a retiré son intérêt.")
        assert notice_text(declined, for_officer=True, names=names) == (
            "Synergie SY14 : le receveur a décliné la paire (trop loin).")
        # a company deleted since: its id alone
        assert "le fournisseur C001 s'est dit" in notice_text(interest, for_officer=True)
    with language("en"):
        assert notice_text(interest, for_officer=True, names=names) == (
            "Synergy SY14: the supplier C001 Régie de chaleur Seugne Géothermie is interested.")
