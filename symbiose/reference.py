"""Packaged reference tables: the List of Waste (EN/FR), NAF/NACE, communes, emission factors.

Tables are read once (cached) from ``data/reference`` and validated as they load: a corrupted
table raises :class:`~symbiose.errors.ValidationError` naming the file and row instead of
producing wrong matches later.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from symbiose.domain import normalize_ewc
from symbiose.errors import Problem, ValidationError
from symbiose.i18n import _


def data_dir() -> Path:
    """The ``data/`` folder: the repository's when running from source, else the installed copy."""
    source = Path(__file__).resolve().parent.parent / "data"
    if (source / "reference").is_dir():
        return source
    return Path(__file__).resolve().parent / "_data"  # installed copy (package-dir mapping)


def reference_path(name: str) -> Path:
    return data_dir() / "reference" / name


def _read(name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(reference_path(name), dtype=str, keep_default_na=False, **kwargs)


@dataclass(frozen=True, slots=True)
class EwcEntry:
    code: str  # compact, 6 digits
    description_en: str
    description_fr: str
    hazardous: bool
    entry_type: str  # absolute / mirror


@cache
def ewc_table() -> pd.DataFrame:
    """All 973 rows of the List of Waste (chapters, sub-chapters, entries), EN and FR."""
    en = _read("ewc_codes.csv")
    fr = _read("ewc_codes_fr.csv")
    table = en.merge(fr[["code", "description_fr"]], on="code", how="left", validate="1:1")
    problems = []
    bad_code = table["code_compact"] != table["code"].str.replace(" ", "", regex=False)
    bad_flag = (table["level"] == "entry") & ~table["hazardous"].isin(["true", "false"])
    for i in bad_code[bad_code].index:
        problems.append(Problem("ewc_codes.csv", int(i) + 2, "code_compact", "does not match code"))
    for i in bad_flag[bad_flag].index:
        problems.append(Problem("ewc_codes.csv", int(i) + 2, "hazardous", "must be true/false"))
    if problems:
        raise ValidationError(problems)
    table["hazardous"] = table["hazardous"] == "true"
    return table


@cache
def ewc_entries() -> dict[str, EwcEntry]:
    """The 842 six-digit entries, keyed by compact code."""
    table = ewc_table()
    entries = table[table["level"] == "entry"]
    return {
        row.code_compact: EwcEntry(
            row.code_compact, row.description, row.description_fr, bool(row.hazardous),
            row.entry_type,
        )
        for row in entries.itertuples()
    }


@cache
def ewc_prefixes() -> frozenset[str]:
    """Every valid chapter (2 digits) and sub-chapter (4 digits) code."""
    table = ewc_table()
    return frozenset(table.loc[table["level"] != "entry", "code_compact"])


def ewc_entry(code: str) -> EwcEntry:
    """The entry for a code in any notation; ``ValueError`` with a helpful message if unknown."""
    compact = normalize_ewc(code)
    entry = ewc_entries().get(compact)
    if entry is None:
        if len(compact) < 6:
            raise ValueError(_("'{code}' is a chapter or sub-chapter, not a six-digit waste code").format(code=code))
        raise ValueError(_(
            "'{code}' is not in the European List of Waste (842 codes); check the digits "
            "against the official list (annexe II of article R541-8 of the code de l'environnement)"
        ).format(code=code))
    return entry


def ewc_description(code: str) -> str:
    """The official description of a waste code in the current language ('' when unknown)."""
    from symbiose.i18n import get_language

    try:
        entry = ewc_entry(code)
    except ValueError:
        return ""
    if get_language() == "fr":
        return entry.description_fr or entry.description_en
    return entry.description_en or entry.description_fr


def ewc_label(code: str) -> str:
    """``'02 01 03 Déchets de tissus végétaux'`` (``*`` after a hazardous code)."""
    from symbiose.domain import format_ewc

    try:
        entry = ewc_entry(code)
    except ValueError:
        return str(code)
    star = "*" if entry.hazardous else ""
    return f"{format_ewc(entry.code)}{star} {ewc_description(entry.code)}"


@cache
def _ewc_search_keys() -> tuple[tuple[str, str], ...]:
    return tuple(
        (entry.code, " ".join((entry.code, _fold(entry.description_fr), _fold(entry.description_en))))
        for entry in ewc_entries().values()
    )


def search_ewc(query: str, limit: int = 50) -> list[str]:
    """Six-digit codes whose code, French or English description contains every word of ``query``.

    Case and accents do not matter; a code may be written with or without spaces or a star:

    >>> search_ewc("sciure")[:1]
    ['030105']
    >>> search_ewc("sawdust")[:1]
    ['030105']
    >>> search_ewc("02 01 03")
    ['020103']
    """
    text = str(query or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and not any(ch.isalpha() for ch in text):
        return [code for code, _key in _ewc_search_keys() if code.startswith(digits)][:limit]
    words = [w for w in _fold(text).split() if w]
    found = [code for code, key in _ewc_search_keys() if all(w in key for w in words)]
    return found[:limit]


def is_hazardous(code: str) -> bool:
    """Whether a waste code is hazardous (marked with '*' in the official list)."""
    return ewc_entry(code).hazardous


def check_ewc_prefix(code: str) -> str:
    """Normalise a code or prefix accepted by a need; ``ValueError`` if it does not exist."""
    compact = normalize_ewc(code)
    if len(compact) == 6:
        ewc_entry(compact)
    elif compact not in ewc_prefixes():
        raise ValueError(_("'{code}' is not a chapter or sub-chapter of the European List of Waste").format(code=code))
    return compact


@cache
def naf_codes() -> pd.DataFrame:
    """French NAF rév.2 sub-classes ('01.21Z') with their NACE class and French label."""
    return _read("naf_rev2_sousclasses.csv")


@cache
def nace_codes() -> pd.DataFrame:
    """NACE Rev.2 (sections, divisions, groups, classes) with English and French labels."""
    return _read("nace_rev2.csv")


def naf_label(code: str) -> str:
    table = naf_codes()
    match = table.loc[table["naf_code"] == code.strip().upper(), "label_fr_naf"]
    return match.iloc[0] if len(match) else ""


def _fold(text: str) -> str:
    """Case-, accent-, hyphen- and 'Saint/St' insensitive key for commune names."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = text.replace("-", " ").replace("'", " ").replace("’", " ")
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in text.split()]
    return " ".join(words)


@cache
def communes() -> pd.DataFrame:
    """All 462 communes of Charente-Maritime with coordinates and the Haute-Saintonge flag."""
    table = _read("communes_17.csv")
    table["latitude"] = table["latitude"].astype(float)
    table["longitude"] = table["longitude"].astype(float)
    table["population"] = pd.to_numeric(table["population"], errors="coerce").fillna(0).astype(int)
    table["in_cdc_haute_saintonge"] = table["in_cdc_haute_saintonge"] == "true"
    table["name_key"] = table["name"].map(_fold)
    return table


@cache
def haute_saintonge_communes() -> pd.DataFrame:
    """The 129 member communes of the Communauté de communes de la Haute-Saintonge."""
    table = _read("haute_saintonge_communes.csv")
    table["latitude"] = table["latitude"].astype(float)
    table["longitude"] = table["longitude"].astype(float)
    table["population_municipale"] = table["population_municipale"].astype(int)
    return table


@cache
def emission_factors() -> pd.DataFrame:
    """DESNZ/DEFRA 2025 greenhouse-gas conversion factors extract (kg CO2e)."""
    table = _read("defra_desnz_2025_factors_extract.csv")
    table["factor_2025"] = table["factor_2025"].astype(float)
    return table


@cache
def maestri_exchanges() -> pd.DataFrame:
    """300 documented industrial-symbiosis exchanges (MAESTRI database extract)."""
    return _read("maestri_exchanges.csv")


fold_name = _fold
