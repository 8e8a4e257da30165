"""Localisation: French by default, English available.

Every word a user reads goes through this module:

* ``_("Sign in")`` translates a message; ``ngettext("{n} stream", "{n} streams", n)`` a counted
  one. Message ids are English; the catalogues are gettext ``.po`` files in
  ``symbiose/locale/<language>/`` (several files per language are merged, one per area of the
  application, so that each area keeps its own). English is the identity.
* ``fmt_number``, ``fmt_decimal``, ``fmt_eur``, ``fmt_quantity``, ``fmt_percent``, ``fmt_date``
  format with Babel in the current locale: ``5 384 503 EUR``, ``3 473,3 t``, ``27/11/2026`` in
  French.
* ``fmt_input_number`` and ``parse_input_number`` write and read the numbers of a form field
  (``1 234,568`` in French, every decimal kept) as the plain text a file holds (``1234.568``).
* The language is ``SYMBIOSE_LANGUAGE`` (``fr`` or ``en``, default ``fr``), or what
  :func:`set_language` set for the current context (the web application sets it per session and
  per run, so two users may read two languages at once: the value lives in a ``ContextVar``).
* :data:`CSV_SEPARATOR` and :func:`csv_options` give what a spreadsheet of the language expects
  (``;``, decimal comma and a BOM in French).

Placeholders use ``str.format`` names, so a translator can move them: ``_("{n} companies").format(n=3)``.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from babel.numbers import format_decimal

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

_language: ContextVar[str | None] = ContextVar("symbiose_language", default=None)


def _normalise(language: str | None) -> str:
    code = (language or "").strip().lower().replace("-", "_").split("_")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def get_language() -> str:
    """The current language: the context's, else ``SYMBIOSE_LANGUAGE``, else French."""
    chosen = _language.get()
    if chosen is not None:
        return chosen
    return _normalise(os.environ.get("SYMBIOSE_LANGUAGE"))


def set_language(language: str | None) -> str:
    """Set the language of the current context (a web session's run, a command); returns it."""
    code = _normalise(language)
    _language.set(code)
    return code


@contextlib.contextmanager
def language(code: str) -> Iterator[str]:
    """Run a block in another language: ``with language("en"): ...``."""
    token = _language.set(_normalise(code))
    try:
        yield _language.get() or DEFAULT_LANGUAGE
    finally:
        _language.reset(token)


@cache
def catalogue(code: str) -> dict[str, str | tuple[str, ...]]:
    """Every translated message of a language, merged from its ``.po`` files.

    Singular messages map to a string, plural ones (keyed by the singular id) to a tuple of forms.
    Fuzzy or empty translations are left out, so they count as missing.
    """
    messages: dict[str, str | tuple[str, ...]] = {}
    folder = LOCALE_DIR / code
    for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        for msgid, plural, strings, fuzzy in read_po_entries(path.read_text(encoding="utf-8")):
            if not msgid or fuzzy:
                continue
            if plural is not None:
                forms = tuple(strings[i] for i in sorted(strings))
                if forms and all(forms):
                    messages[msgid] = forms
            elif strings.get(0):
                messages[msgid] = strings[0]
    return messages


_PO_ESCAPES = {"\\\\": "\\", "\\t": "\t", "\\r": "\r", "\\n": "\n", '\\"': '"'}


def _po_string(line: str) -> str:
    """The text of one quoted line of a ``.po`` file, unescaped as Babel's ``unescape`` does."""
    text = line.strip()[1:-1]
    return re.sub(r"\\[\\trn\"]", lambda m: _PO_ESCAPES[m.group(0)], text) if "\\" in text else text


def read_po_entries(text: str) -> Iterator[tuple[str, str | None, dict[int, str], bool]]:
    """(msgid, msgid_plural or None, {form: msgstr}, fuzzy) of each entry of a ``.po`` file.

    A small reader of the subset of the gettext format the catalogues use (comments, flags,
    ``msgctxt``, plurals, continued lines; obsolete ``#~`` entries skipped): Babel's ``read_po``
    costs a command's start about 0.15 s. A test checks it reads every catalogue as Babel does.
    """
    msgid = plural = None
    strings: dict[int, str] = {}
    fuzzy = False
    target: tuple[str, int] | None = None

    def entry():
        return (msgid, plural, strings, fuzzy)

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if msgid is not None and target is not None and target[0] == "str":
                yield entry()
                msgid, plural, strings, fuzzy, target = None, None, {}, False, None
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                fuzzy = True
            continue
        if line.startswith('"'):
            if target is None:
                continue
            kind, index = target
            if kind == "id":
                msgid += _po_string(line)
            elif kind == "plural":
                plural += _po_string(line)
            elif kind == "str":
                strings[index] += _po_string(line)
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and msgid is not None and target is not None and target[0] == "str":
            yield entry()
            msgid, plural, strings, fuzzy, target = None, None, {}, False, None
        if keyword == "msgctxt":
            target = ("ctxt", 0)
        elif keyword == "msgid":
            msgid, target = _po_string(rest), ("id", 0)
        elif keyword == "msgid_plural":
            plural, target = _po_string(rest), ("plural", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            strings[index] = _po_string(rest)
            target = ("str", index)
    if msgid is not None:
        yield entry()


@cache
def _plural_rule(code: str):
    from babel import Locale

    return Locale.parse(code).plural_form


def gettext(message: str) -> str:
    """``message`` in the current language (itself when no translation exists)."""
    code = get_language()
    if code == "en":
        return message
    translated = catalogue(code).get(message)
    return translated if isinstance(translated, str) else message


_ = gettext


def ngettext(singular: str, plural: str, n: int | float) -> str:
    """The form of a counted message for ``n`` in the current language."""
    code = get_language()
    english = singular if n == 1 else plural
    if code == "en":
        return english
    forms = catalogue(code).get(singular)
    if not isinstance(forms, tuple):
        return english
    category = _plural_rule(code)(abs(n))
    # gettext's order for French is "one", "other"; babel's plural categories map onto it.
    index = 0 if category == "one" else min(1, len(forms) - 1)
    return forms[index]


def quoted(text: object) -> str:
    """``text`` between the language's quotation marks (« Jonzac » in French, 'Jonzac' in English)."""
    return gettext("'{text}'").format(text=text)


def fmt_list(items) -> str:
    """Items joined by a semicolon as the language writes it (``a ; b`` in French)."""
    return gettext("; ").join(items)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now (module-level constants)."""
    return message


def _locale() -> str:
    return {"fr": "fr_FR", "en": "en_GB"}[get_language()]


def fmt_number(value: float | int | None, digits: int = 0) -> str:
    """A number in the current locale with ``digits`` decimals: ``5 384 503``, ``3 473,3``."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    text = format_decimal(round(float(value), digits), format=pattern, locale=_locale())
    # Babel uses a narrow no-break space in French; a plain no-break space reads everywhere.
    return _without_negative_zero(text.replace("\u202f", "\u00a0"))


def fmt_decimal(value: float | int | None, max_digits: int = 2) -> str:
    """A number with up to ``max_digits`` decimals, trailing zeros dropped: ``0,4``, ``12``."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * max_digits if max_digits > 0 else "")
    text = format_decimal(float(value), format=pattern, locale=_locale())
    return _without_negative_zero(text.replace("\u202f", "\u00a0"))


def _without_negative_zero(text: str) -> str:
    """``0,00`` for ``-0,00``: a value that rounds to zero (-0.0, -0.004 at two decimals) is
    written without a sign, whatever the locale's minus sign; any other value keeps its own."""
    if text[:1] in ("-", "\u2212") and not any(c in "123456789" for c in text):
        return text[1:]
    return text


_INPUT_SPACES = "\u0020\u00a0\u202f\u2009"
"""Spaces a typed number may group its thousands with (plain, no-break, narrow and thin)."""
_INPUT_NUMBER = re.compile(rf"[0-9.,{_INPUT_SPACES}]*[0-9][0-9.,{_INPUT_SPACES}]*")


def fmt_input_number(text: str) -> str:
    """A number of a form field, given as the plain text a file holds (``1234.568``), written as
    the reader's language writes it (``1 234,568`` in French, ``1,234.568`` in English) with every
    decimal kept: :func:`parse_input_number` gives the plain text back, so a form saved without
    a change stores what it read. A text that is not a plain number is given back as it is.
    """
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return text
    if not number.is_finite() or not text.strip():
        return text
    plain = format(number, "f")  # every digit, never an exponent (1e-05 -> 0.00001)
    sign, plain = ("-", plain[1:]) if plain.startswith("-") else ("", plain)
    whole, _dot, decimals = plain.partition(".")
    head = len(whole) % 3 or 3
    groups = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
    group, point = ("\u00a0", ",") if get_language() == "fr" else (",", ".")
    return sign + group.join(groups) + (point + decimals if decimals else "")


def parse_input_number(text: str) -> str:
    """A number typed in a form field, in the reader's language, as the plain text a file holds:
    ``1 234,5``, ``1234,5`` and ``1234.5`` give ``1234.5``; ``""`` stays ``""``.

    Thousands are grouped by spaces (any kind), or by the separator that is not the decimal one
    (``1.234,5``, ``1,234.5``), in groups of three. A single comma is the decimal separator in
    French (``12,345`` is twelve point three four five: the form writes decimals that way),
    and in English it groups thousands when three digits follow it (``12,345``, as the English
    form writes twelve thousand three hundred and forty-five), else it is a decimal comma. An
    import cannot know the writer's language, and refuses ``12,345``; a form knows it.
    Raises ``ValueError`` with a sentence saying how to write the number.
    """
    cleaned = text.strip().replace("\u2212", "-")
    if not cleaned:
        return ""
    negative = cleaned[0] == "-"
    if cleaned[0] in "+-":
        cleaned = cleaned[1:].strip(_INPUT_SPACES)
    wrong = ValueError(gettext("'{text}' is not a number; write it like {example}").format(
        text=text.strip(), example=fmt_input_number("1234.5")))  # fmt: skip
    if not _INPUT_NUMBER.fullmatch(cleaned):
        raise wrong
    commas, dots = cleaned.count(","), cleaned.count(".")
    point: str | None = None  # digits alone, or thousands grouped by one separator used several times
    if commas and dots:
        point = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
    elif commas + dots == 1:
        point = "," if commas else "."
        if point == "," and get_language() == "en" and re.fullmatch(r"[0-9]{1,3},[0-9]{3}", cleaned):
            point = None  # 12,345: English thousands
    whole, _point, decimals = cleaned.rpartition(point) if point else (cleaned, "", "")
    groups = re.split(rf"[.,{_INPUT_SPACES}]", whole)
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        raise wrong  # 12 34, 1 2345: not thousands
    if len(set(re.findall(r"[.,]", whole))) > 1 or (decimals and not decimals.isdigit()):
        raise wrong  # 1,234.567,5 or 1 234,5 6
    digits = "".join(groups).lstrip("0") or "0"
    decimals = decimals.rstrip("0")
    if digits == "0" and not decimals:
        return "0"
    return ("-" if negative else "") + digits + ("." + decimals if decimals else "")


def fmt_eur(value: float | int | None, digits: int = 0) -> str:
    """An amount of euros: ``5 384 503 EUR``."""
    return "–" if value is None else f"{fmt_number(value, digits)}\u00a0EUR"


def fmt_quantity(value: float | int | None, unit: str, digits: int = 1) -> str:
    """A quantity with its unit: ``3 473,3 t``."""
    return "–" if value is None else f"{fmt_number(value, digits)}\u00a0{unit}"


def fmt_percent(share: float | None, digits: int = 0) -> str:
    """A share (0.25) as a percentage in the current locale: ``25 %``."""
    if share is None:
        return "–"
    sep = "\u00a0" if get_language() == "fr" else ""
    return f"{fmt_number(share * 100, digits)}{sep}%"


def fmt_date(value: date | datetime | None) -> str:
    """A date: ``27/11/2026`` in French, ``27/11/2026`` in British English too."""
    if value is None:
        return "–"
    from babel.dates import format_date  # dates are formatted by few commands: not at every start

    day = value.date() if isinstance(value, datetime) else value
    return format_date(day, format="dd/MM/yyyy", locale=_locale())


ENV_TIMEZONE = "SYMBIOSE_TIMEZONE"
"""The network's time zone for every time shown (default Europe/Paris); times are stored in UTC."""


def local_time(when: datetime) -> datetime:
    """A stored time in the network's time zone (``SYMBIOSE_TIMEZONE``, default Europe/Paris);
    SQLite hands back naive datetimes, which are UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        from zoneinfo import ZoneInfo

        return when.astimezone(ZoneInfo(os.environ.get(ENV_TIMEZONE, "").strip() or "Europe/Paris"))
    except (KeyError, ValueError, ImportError):
        return when


def fmt_datetime(value: datetime | None) -> str:
    """A date and time in the network's time zone: ``27/11/2026 14:05``."""
    if value is None:
        return "–"
    from babel.dates import format_datetime

    return format_datetime(local_time(value).replace(tzinfo=None), format="dd/MM/yyyy HH:mm", locale=_locale())


def csv_options() -> dict[str, str]:
    """``pandas.DataFrame.to_csv`` options for a spreadsheet in the current language."""
    if get_language() == "fr":
        return {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}
    return {"sep": ",", "decimal": ".", "encoding": "utf-8-sig"}
