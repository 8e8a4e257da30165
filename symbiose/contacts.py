"""A company's contact details: its e-mail address and telephone number, checked as people write
them. The text is stored as it was written; a check only says what is wrong and how to write it.

* :func:`email_problem` follows the syntax of an address (RFC 5322 as mail servers accept it,
  with accented names: ``élodie@exemple.fr``), read by the ``email-validator`` library without any
  network look-up.
* :func:`phone_problem` takes a French number written the French way (``05 36 49 12 34``,
  ``05.36.49.12.34``, ``0536491234``), including the overseas departments, or any number with
  ``+`` and its country code (``+33 5 36 49 12 34``, ``+32 2 555 12 12``), read by the
  ``phonenumbers`` library (Google's libphonenumber): a number must have a length and a prefix
  of its country's numbering plan, not merely digits.

Both return None for an empty text (the details are optional) and a sentence in the current
language otherwise, with an example of a valid value.

>>> email_problem("marie.dupont@scierie-jonzac.fr") is None
True
>>> phone_problem("05 36 49 12 34") is None
True
"""

from __future__ import annotations

import re

from symbiose.i18n import _

MAX_EMAIL_CHARS = 254
"""The longest address mail servers take (RFC 5321 path limit)."""
MAX_PHONE_CHARS = 40
"""The stored width of a telephone number (``companies.contact_phone``)."""
#: Regions whose numbers are written nationally with a leading 0 in France: the mainland, then
#: the overseas departments and communities on the French numbering plan
FRENCH_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF")


def email_problem(text: str) -> str | None:
    """What is wrong with an e-mail address, or None when it reads as one (or is empty)."""
    text = text.strip()
    if not text:
        return None
    if "@" not in text:
        return _("'{text}' is not an e-mail address: the @ is missing; write it like "
                 "firstname.lastname@company.fr").format(text=text)  # fmt: skip
    if text.count("@") > 1:
        return _("'{text}' holds more than one @: give one address, like "
                 "firstname.lastname@company.fr").format(text=text)  # fmt: skip
    if re.search(r"\s", text):
        return _("'{text}' holds a space, which an e-mail address never does; write it like "
                 "firstname.lastname@company.fr").format(text=text)  # fmt: skip
    if len(text) > MAX_EMAIL_CHARS:
        return _("'{text}' has more than {n} characters: no e-mail address is that long").format(
            text=text[:40] + "…", n=MAX_EMAIL_CHARS)  # fmt: skip
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return _("'{text}' is not an e-mail address: the part before or after the @ is not valid; "
                 "write it like firstname.lastname@company.fr").format(text=text)  # fmt: skip
    return None


def phone_problem(text: str) -> str | None:
    """What is wrong with a telephone number, or None when it is one (or is empty)."""
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_PHONE_CHARS:
        return _("'{text}' has more than {n} characters: give one telephone number, like "
                 "05 36 49 12 34").format(text=text[:40] + "…", n=MAX_PHONE_CHARS)  # fmt: skip
    import phonenumbers

    for region in FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            break
        if phonenumbers.is_valid_number(number):
            return None
        if text.lstrip().startswith("+"):
            break  # a country code given: the regions tried after France change nothing
    if re.search(r"[/;]|\b(poste|post|ext|extension)\b", text, re.IGNORECASE):
        return _("'{text}' holds more than a telephone number: give one number, without an extension "
                 "(write that in the notes), like 05 36 49 12 34").format(text=text)  # fmt: skip
    return _("'{text}' is not a telephone number; write a French number like 05 36 49 12 34, or a "
             "number with its country code like +33 5 36 49 12 34").format(text=text)  # fmt: skip
