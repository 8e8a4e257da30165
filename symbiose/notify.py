"""Notification texts and optional e-mail through a configured SMTP server.

Texts are written when read, in the reader's language, from a notice's kind and values
(:class:`symbiose.db.notifications.Notice`); they never name a partner (a company learns names on
the Partners page once both sides are interested).

E-mail is sent only when ``SYMBIOSE_SMTP_HOST`` is set:

======================== ==================================================== ===========
setting                   meaning                                              default
======================== ==================================================== ===========
SYMBIOSE_SMTP_HOST        the SMTP server (unset: no e-mail at all)
SYMBIOSE_SMTP_PORT        its port                                             25
SYMBIOSE_SMTP_FROM        the sender address                                   symbiose@localhost
SYMBIOSE_SMTP_USER        user name, when the server asks for a login
SYMBIOSE_SMTP_PASSWORD    its password
SYMBIOSE_SMTP_STARTTLS    ``1`` to switch to TLS before logging in             0
SYMBIOSE_OFFICER_EMAIL    officers' addresses, comma-separated
======================== ==================================================== ===========

A company's notices go to its ``contact_email``. A failed delivery never undoes what the user did:
:func:`send_notices` returns what could not be sent, for the page to say so.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from symbiose.i18n import N_, _
from symbiose.labels import stage_label


def item_text(kind: str, item_id: str) -> str:
    """``stream S0012`` / ``need N0003`` in the current language."""
    if kind == "stream":
        return _("stream {id}").format(id=item_id)
    if kind == "need":
        return _("need {id}").format(id=item_id)
    return item_id


def notice_text(notice, *, for_officer: bool = False, names: Mapping[str, str] | None = None) -> str:
    """The message of a notice in the current language; an officer's names the company that
    acted by its id and, from ``names`` (company id -> name), its name."""
    d = notice.detail
    item = item_text(d.get("item_kind", ""), d.get("item_id", ""))
    synergy = notice.synergy_id
    supplier = d.get("side", "supplier") != "receiver"
    company = " ".join(x for x in (d.get("company_id", ""), (names or {}).get(d.get("company_id", ""), "")) if x)
    if notice.kind == "interest":
        if for_officer:
            return (_("Synergy {synergy}: the supplier {company} is interested.") if supplier else _(
                "Synergy {synergy}: the receiver {company} is interested.")).format(synergy=synergy, company=company)
        return _("A company of the network is interested in your {item}. Answer it under "
                 "\"Requests received\" on the Partners page.").format(item=item)
    if notice.kind == "mutual":
        return _("Both sides are interested in synergy {synergy} ({item}): names and contacts are now "
                 "shown on the Partners page.").format(synergy=synergy, item=item)
    if notice.kind == "declined":
        if for_officer:
            return (_("Synergy {synergy}: the supplier declined the pair ({reason}).") if supplier else _(
                "Synergy {synergy}: the receiver declined the pair ({reason}).")).format(
                synergy=synergy, reason=d.get("reason", ""))  # fmt: skip
        return _("A suggested partner declined the pair with your {item}; it will not be proposed again.").format(
            item=item)
    if notice.kind == "withdrawn":
        if for_officer:
            return (_("Synergy {synergy}: the supplier {company} withdrew its interest.") if supplier else _(
                "Synergy {synergy}: the receiver {company} withdrew its interest.")).format(
                synergy=synergy, company=company)  # fmt: skip
        return _("A company that had said it was interested in your {item} has withdrawn its interest.").format(
            item=item)
    if notice.kind == "stage":
        from symbiose.blinding import is_mutual

        old, new = d.get("from", ""), d.get("to", "")
        if for_officer and d.get("reason"):  # the officer's own words, never a company's notice
            return _("Synergy {synergy} ({item}) moved from {old} to {new}: {reason}.").format(
                synergy=synergy, item=item, old=stage_label(old), new=stage_label(new), reason=d["reason"])
        if for_officer or is_mutual(old or None) or is_mutual(new or None):
            return _("Synergy {synergy} ({item}) moved from {old} to {new}.").format(
                synergy=synergy, item=item, old=stage_label(old), new=stage_label(new))
        if new == "abandoned":  # the matcher never proposes it again (symbiose.matching.abandoned_pairs)
            return _("The pair with your {item} was abandoned; it will not be proposed to you again.").format(
                item=item)
        # before both sides agreed a company reads no synergy id: ids are issued one after the
        # other, and would let it count the network's synergies
        return _("The pair with your {item} moved from {old} to {new}.").format(
            item=item, old=stage_label(old), new=stage_label(new))
    return notice.kind


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "symbiose@localhost"
    user: str = ""
    password: str = ""
    starttls: bool = False
    officers: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """The settings, or None when ``SYMBIOSE_SMTP_HOST`` is not set (no e-mail)."""
        env = os.environ if environ is None else environ
        host = env.get("SYMBIOSE_SMTP_HOST", "").strip()
        if not host:
            return None
        port_text = env.get("SYMBIOSE_SMTP_PORT", "25").strip() or "25"
        if not port_text.isdigit():
            from symbiose.errors import SymbioseError

            raise SymbioseError(f"SYMBIOSE_SMTP_PORT must be a port number, got {port_text!r}")
        officers = tuple(a.strip() for a in env.get("SYMBIOSE_OFFICER_EMAIL", "").split(",") if a.strip())
        return cls(host=host, port=int(port_text), sender=env.get("SYMBIOSE_SMTP_FROM", "").strip() or cls.sender,
                   user=env.get("SYMBIOSE_SMTP_USER", ""), password=env.get("SYMBIOSE_SMTP_PASSWORD", ""),
                   starttls=env.get("SYMBIOSE_SMTP_STARTTLS", "0").strip() in ("1", "true", "yes"),
                   officers=officers)  # fmt: skip


def send_notices(settings: SmtpSettings | None, notices: Iterable, address_of: Callable[[str], str]) -> list[str]:
    """E-mail each notice to its company's address (or the officers'); returns the problems.

    Nothing is sent when ``settings`` is None. ``address_of`` maps a company id to its e-mail. A
    mail names no company (an officer's gives the id alone; the name is on the Notifications page).
    """
    if settings is None:
        return []
    messages = []
    for notice in notices:
        officer = notice.company_id is None
        to = list(settings.officers) if officer else [a for a in [address_of(notice.company_id)] if a]
        if not to:
            continue
        message = EmailMessage()
        message["From"] = settings.sender
        message["To"] = ", ".join(to)
        message["Subject"] = _("Symbiose: {what}").format(what=_(SUBJECTS.get(notice.kind, notice.kind)))
        message.set_content(notice_text(notice, for_officer=officer) + "\n\n" + _(
            "This message was sent by the Symbiose network; sign in to answer."))
        messages.append(message)
    if not messages:
        return []
    problems = []
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=10) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password)
            for message in messages:
                try:
                    smtp.send_message(message)
                except smtplib.SMTPException as exc:
                    problems.append(f"{message['To']}: {exc}")
    except (OSError, smtplib.SMTPException) as exc:
        problems.append(_("the mail server {host}:{port} could not be reached: {error}").format(
            host=settings.host, port=settings.port, error=exc))
    return problems


SUBJECTS = {"interest": N_("a company is interested"), "mutual": N_("mutual interest"),
            "declined": N_("a pair was declined"), "stage": N_("a synergy moved"),
            "withdrawn": N_("an interest was withdrawn")}  # fmt: skip
