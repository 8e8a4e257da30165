"""Localisation: every message a user reads has a French translation; French formats."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.messages.extract import extract_from_dir

from symbiose import i18n

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("symbiose/**.py", "python"), ("app.py", "python"),
           ("symbiose/templates/**.j2", "jinja2.ext:babel_extract")]


def extracted_messages() -> dict[str, tuple[str, int]]:
    """Every message id marked in the code, with where it was first seen."""
    found: dict[str, tuple[str, int]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map=METHODS, keywords=KEYWORDS, options_map={"**.j2": {"extensions": "jinja2.ext.i18n"}}
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, (filename, lineno))
    return found


def test_every_marked_message_has_a_french_translation():
    french = i18n.catalogue("fr")
    missing = {m: where for m, where in extracted_messages().items() if m not in french}
    assert not missing, "messages without a French translation (add them to symbiose/locale/fr/*.po):\n" + "\n".join(
        f"  {where[0]}:{where[1]}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda kv: kv[1])
    )


def _babel_entries(text: str) -> list[tuple]:
    import io

    from babel.messages.pofile import read_po

    out = []
    for message in read_po(io.BytesIO(text.encode("utf-8")), locale="fr"):
        plural = isinstance(message.id, tuple | list)
        msgid = message.id[0] if plural else message.id
        strings = tuple(message.string) if plural else (message.string,)
        if msgid:  # the header (Babel rewrites it) is not a message
            out.append((msgid, message.id[1] if plural else None, strings, message.fuzzy))
    return out


def _own_entries(text: str) -> list[tuple]:
    return [(msgid, plural, tuple(strings[i] for i in sorted(strings)), fuzzy)
            for msgid, plural, strings, fuzzy in i18n.read_po_entries(text) if msgid]  # fmt: skip


def test_the_catalogues_are_read_as_babel_reads_them():
    # the start of every command reads the catalogues with a small reader instead of Babel's
    # (0.15 s): every entry of every catalogue, then the awkward parts of the format
    for path in sorted((i18n.LOCALE_DIR / "fr").glob("*.po")):
        text = path.read_text(encoding="utf-8")
        own = _own_entries(text)
        assert own and own == _babel_entries(text), path.name
    awkward = (
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "old"\nmsgstr "vieux"\n\n'
        'msgid "a \\"quoted\\" word"\nmsgstr "un mot \\"cité\\"\\tet\\\\ barre"\n\n'
        'msgid ""\n"continued "\n"line"\nmsgstr ""\n"ligne "\n"continuée"\n'
        'msgid "{n} stream"\nmsgid_plural "{n} streams"\nmsgstr[0] "{n} flux"\nmsgstr[1] ""\n"{n} flux"\n\n'
        'msgctxt "menu"\nmsgid "Open"\nmsgstr "Ouvrir"\n\n'
        '#~ msgid "gone"\n#~ msgstr "parti"\n\n'
        'msgid "empty"\nmsgstr ""\n'
    )
    own = _own_entries(awkward)
    assert own == _babel_entries(awkward)
    assert ("old", None, ("vieux",), True) in own
    assert ('a "quoted" word', None, ('un mot "cité"\tet\\ barre',), False) in own
    assert ("continued line", None, ("ligne continuée",), False) in own
    assert ("{n} stream", "{n} streams", ("{n} flux", "{n} flux"), False) in own


def test_french_is_the_default_and_english_is_available(monkeypatch):
    monkeypatch.delenv("SYMBIOSE_LANGUAGE", raising=False)
    assert i18n.get_language() == "fr"
    assert i18n._("Language") == "Langue"
    with i18n.language("en"):
        assert i18n._("Language") == "Language"
    monkeypatch.setenv("SYMBIOSE_LANGUAGE", "en")
    assert i18n._("Language") == "Language"


def test_plural_forms_follow_french_rules():
    with i18n.language("fr"):
        # French uses the singular for 0 and 1.
        assert i18n.ngettext("{n} company", "{n} companies", 0).format(n=0) == "0 entreprise"
        assert i18n.ngettext("{n} company", "{n} companies", 1).format(n=1) == "1 entreprise"
        assert i18n.ngettext("{n} company", "{n} companies", 2).format(n=2) == "2 entreprises"
    with i18n.language("en"):
        assert i18n.ngettext("{n} company", "{n} companies", 0).format(n=0) == "0 companies"


def test_french_number_money_and_date_formats():
    nbsp = "\u00a0"
    with i18n.language("fr"):
        assert i18n.fmt_eur(5384503) == f"5{nbsp}384{nbsp}503{nbsp}EUR"
        assert i18n.fmt_quantity(3473.34, "t") == f"3{nbsp}473,3{nbsp}t"
        assert i18n.fmt_decimal(0.4) == "0,4"
        assert i18n.fmt_percent(0.25) == f"25{nbsp}%"
        assert i18n.fmt_date(date(2026, 11, 27)) == "27/11/2026"
        assert i18n.csv_options()["sep"] == ";"
    with i18n.language("en"):
        assert i18n.fmt_eur(5384503) == f"5,384,503{nbsp}EUR"
        assert i18n.fmt_quantity(3473.34, "t") == f"3,473.3{nbsp}t"
        assert i18n.csv_options()["sep"] == ","


def test_a_value_that_rounds_to_zero_is_written_without_a_minus_sign():
    # a supplier who avoids nothing today gets a price range from -0.0 EUR (-0 cents / 100): the
    # partners page read "entre -0,00 EUR et 12,40 EUR"; -0.004 rounds to zero at two decimals
    nbsp = "\u00a0"
    for code, zero in (("fr", "0,00"), ("en", "0.00")):
        with i18n.language(code):
            for value in (-0.0, -0.004, -1e-12):
                assert i18n.fmt_number(value, 2) == zero
                assert i18n.fmt_eur(value, 2) == f"{zero}{nbsp}EUR"
                assert i18n.fmt_decimal(value) == "0"
                assert i18n.fmt_quantity(value, "t") == f"{zero[:-1]}{nbsp}t"
            assert i18n.fmt_number(-0.4) == "0"  # rounded to a whole number
            assert i18n.fmt_percent(-0.00001, 1) == "0" + ("," if code == "fr" else ".") + "0" + (
                f"{nbsp}%" if code == "fr" else "%")
            # a value that does not round to zero keeps its sign
            assert i18n.fmt_number(-0.005, 2).startswith("-") and i18n.fmt_number(-1234.5, 1).startswith("-")
            assert i18n.fmt_decimal(-0.4) == ("-0,4" if code == "fr" else "-0.4")


def test_unknown_language_falls_back_to_french():
    with i18n.language("de"):
        assert i18n.get_language() == "fr"
    with i18n.language("en-GB"):
        assert i18n.get_language() == "en"


def _placeholders(text: str) -> set[tuple[str, str | None, str]]:
    """The ``str.format`` fields (name, conversion, format spec) and ``%(name)s`` fields of a
    message."""
    import re
    import string

    fields = {(name, conversion, spec) for _literal, name, spec, conversion in string.Formatter().parse(text)
              if name is not None}  # fmt: skip
    return fields | {(f"%({m.group(1)})", m.group(2), "") for m in re.finditer(r"%\((\w+)\)([sdirf])", text)}


def test_every_translation_uses_the_placeholders_of_its_message():
    # a translation that names a placeholder the code does not pass raises KeyError when the
    # message is shown; one that drops a placeholder hides what the message was about
    wrong = []
    for path in sorted((i18n.LOCALE_DIR / "fr").glob("*.po")):
        for msgid, plural, strings, _fuzzy in i18n.read_po_entries(path.read_text(encoding="utf-8")):
            if not msgid:
                continue
            if plural is None:
                if strings.get(0) and _placeholders(strings[0]) != _placeholders(msgid):
                    wrong.append(f"{path.name}: {msgid!r} -> {strings[0]!r}")
                continue
            # a counted message: the code passes the fields of both forms; each French form uses
            # some of them, and together they use them all
            given = _placeholders(msgid) | _placeholders(plural)
            forms = [s for s in strings.values() if s]
            used = set().union(*(_placeholders(s) for s in forms)) if forms else given
            if any(not _placeholders(s) <= given for s in forms) or used != given:
                wrong.append(f"{path.name}: {msgid!r} / {plural!r} -> {forms!r}")
    assert not wrong, "translations whose placeholders differ from the message's:\n" + "\n".join(wrong)


def test_the_placeholder_check_sees_names_and_conversions():
    assert _placeholders("{value!r} is not {n:g} %(prog)s") == {("value", "r", ""), ("n", None, "g"), ("%(prog)", "s", "")}
    assert _placeholders("{value} est") != _placeholders("{value!r} is")


def test_every_time_shown_is_in_the_networks_time_zone(monkeypatch):
    """Times are stored in UTC; the journal, notices and imports showed them in UTC while the
    stage history showed Paris time: one event at two times on one page."""
    from datetime import UTC, datetime

    from symbiose.i18n import ENV_TIMEZONE, fmt_datetime, local_time

    monkeypatch.delenv(ENV_TIMEZONE, raising=False)
    naive_utc = datetime(2026, 12, 2, 5, 18)  # as SQLite hands it back
    assert fmt_datetime(naive_utc) == "02/12/2026 06:18"  # Paris, winter
    assert fmt_datetime(datetime(2026, 7, 1, 5, 18, tzinfo=UTC)) == "01/07/2026 07:18"  # summer
    assert fmt_datetime(local_time(naive_utc)) == "02/12/2026 06:18"  # converting twice changes nothing
    monkeypatch.setenv(ENV_TIMEZONE, "UTC")
    assert fmt_datetime(naive_utc) == "02/12/2026 05:18"
