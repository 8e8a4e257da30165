"""The knowledge base's texts that a French user reads and that have no French translation yet.

Prints them as ``.po`` entries with an empty ``msgstr``, to paste into
``symbiose/locale/fr/basis.po`` and translate (tests/test_french.py fails while one is missing):

    python scripts/basis_po.py
"""

from __future__ import annotations

from babel.messages.pofile import normalize

from symbiose import i18n
from symbiose.labels import knowledge_texts


def entry(msgid: str, msgstr: str = "") -> str:
    """One ``.po`` entry, wrapped as the catalogues of symbiose/locale are (100 columns)."""
    return f"msgid {normalize(msgid, width=100)}\nmsgstr {normalize(msgstr, width=100)}\n"


def main() -> None:
    french = i18n.catalogue("fr")
    for table, texts in knowledge_texts().items():
        missing = [t for t in texts if t not in french]
        if missing:
            print(f"# {table}: {len(missing)} without French\n")
            print("\n".join(entry(t) for t in missing))


if __name__ == "__main__":
    main()
