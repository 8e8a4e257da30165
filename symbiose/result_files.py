"""The command line's result files as a spreadsheet of the user's language opens them.

``symbiose match``, ``compare``, ``robustness``, ``opportunities`` and ``report`` write CSV
files. In French (the default) they are written for a French spreadsheet: ``;`` between
columns, decimal commas, a byte-order mark so that Excel reads the accents, French column names
in the style of the import templates (``id_flux``, ``quantite``), ``oui``/``non``, and the
coded words of a few columns (side, outlet, change, category) in French.

In English, or with ``machine=True`` (the commands' ``--machine-readable``), they keep the stable
format programs read: English column names, ``,`` and decimal points, ``True``/``False``, codes as
they are, UTF-8 without a mark (byte for byte the format of earlier versions).

>>> import pandas as pd
>>> from symbiose.i18n import language
>>> frame = pd.DataFrame({"stream_id": ["S1"], "quantity": [3473.3], "in_optimum": [True]})
>>> with language("fr"):
...     spreadsheet_frame(frame).columns.tolist(), spreadsheet_frame(frame)["en_optimum"].tolist()
(['id_flux', 'quantite', 'en_optimum'], ['oui'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from symbiose.i18n import N_, _, get_language
from symbiose.labels import HIERARCHY_NAMES

#: French column names of the result files (the import templates' style: lower case, no
#: accents, words joined by ``_``). A column not listed keeps its name.
FRENCH_HEADERS = {
    # matches.csv
    "stream_id": "id_flux", "need_id": "id_besoin", "supplier_id": "id_fournisseur",
    "receiver_id": "id_receveur", "quantity": "quantite", "unit": "unite", "months": "mois",
    "distance_km": "distance_km", "road_km": "distance_route_km", "category": "categorie",
    "value_eur_per_unit": "valeur_eur_par_unite", "value_eur": "valeur_eur_par_an",
    "co2e_avoided_t": "co2e_evite_t_par_an", "supplier": "fournisseur", "receiver": "receveur",
    "implemented": "en_place", "same_use": "deja_valorise_ainsi", "conditions": "conditions",
    "destination_today": "destination_actuelle",
    # suggestions.csv
    "side": "cote", "outlet": "debouche", "hierarchy": "hierarchie_dechets", "rank": "rang", "score": "gain_potentiel_eur_par_an",
    "rank_index": "indice_de_rang", "share_covered": "part_couverte", "in_optimum": "en_optimum",
    "optimum_quantity": "quantite_en_optimum", "price_min_eur": "prix_min_eur",
    "price_max_eur": "prix_max_eur", "price_fair_eur": "prix_equitable_eur",
    "receiver_is_paid": "receveur_paye", "breakeven_km": "seuil_rentabilite_km",
    "supplier_gain_eur": "gain_fournisseur_eur_par_an", "receiver_gain_eur": "gain_receveur_eur_par_an",
    "reason": "motif", "reason_public": "motif_partage",
    # comparison.csv, synergy_changes.csv
    "indicator": "indicateur", "scenario": "scenario", "change": "changement",
    "quantity_before": "quantite_avant", "quantity_after": "quantite_apres",
    # robustness.csv
    "quantity_stability_pct": "stabilite_quantites_pct", "exit_stability_pct": "stabilite_departs_pct",
    "exits_tested": "departs_testes", "mean_quantity_in_draws": "quantite_moyenne_tirages",
    # opportunities.csv
    "code": "code_dechet", "label": "libelle", "unserved": "sans_debouche", "no_candidate": "sans_candidat",
    "suppliers": "fournisseurs", "site_insee": "code_insee_site", "site_name": "commune_site",
    "site_lat": "latitude_site", "site_lon": "longitude_site", "captured": "capte",
    "captured_suppliers": "fournisseurs_captes", "tkm": "tkm", "mean_km": "distance_moyenne_km",
    "avoided_route_cost_eur": "cout_filiere_evite_eur",
    # matches.xlsx: the indicators and the wastes left without an outlet
    "value": "valeur", "producers": "producteurs", "no_partner": "quantite_sans_candidat",
}  # fmt: skip

#: Coded values shown in words (the current language's) in a spreadsheet.
VALUE_WORDS = {
    "side": {"stream": N_("stream"), "need": N_("need")},
    "outlet": {"substitution": N_("substitution"), "treatment": N_("treatment outlet"),
               "intermediary": N_("through an intermediary"), "same_use": N_("already recovered today")},
    "hierarchy": HIERARCHY_NAMES,
    "change": {"appears": N_("appears"), "disappears": N_("disappears"), "changes": N_("changes quantity")},
}  # fmt: skip


def machine_format(machine: bool = False) -> bool:
    """Whether the files take the programs' format: asked for, or the language is English."""
    return machine or get_language() != "fr"


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a French spreadsheet shows it: French column names, coded words and
    categories in French, booleans ``oui``/``non`` (numbers are formatted when written)."""
    from symbiose.domain import format_ewc
    from symbiose.labels import category_label

    yes, no = _("yes"), _("no")

    def words(column: str):
        table = {key: _(word) for key, word in VALUE_WORDS[column].items()}
        return lambda v: table.get(v, v)

    def ewc(v):  # a waste code as the List of Waste prints it, a material (heat, water) in words
        if isinstance(v, str) and len(v) == 6 and v.isdigit():
            return format_ewc(v)
        return category_label(v) if isinstance(v, str) and v else v

    changed = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column.dtype):
            changed[name] = np.where(column.to_numpy(dtype=bool), yes, no)
        elif name in VALUE_WORDS:
            changed[name] = _each_distinct(column, words(name))
        elif name == "category":
            changed[name] = _each_distinct(column, lambda v: category_label(v) if isinstance(v, str) and v else v)
        elif name == "months":  # "1,2,3" would read as a decimal number: words (janv. – mars)
            changed[name] = _each_distinct(column, _months_words)
        elif name == "code":  # a waste code as the List of Waste prints it (20 02 01), or a material
            changed[name] = _each_distinct(column, ewc)
    return frame.assign(**changed).rename(columns=FRENCH_HEADERS) if changed else frame.rename(columns=FRENCH_HEADERS)


def _each_distinct(column: pd.Series, function) -> np.ndarray:
    """``function`` of every value (an object array), called once per distinct value."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    mapped = np.array([function(u) for u in uniques] + [None], dtype=object)
    return mapped[codes]  # code -1 (missing) takes the last entry


def _months_words(value: object) -> object:
    from symbiose.catalogue import months_text

    if not isinstance(value, str):
        return value
    return months_text(tuple(int(m) for m in value.split(",") if m.strip()))


def write_result_csv(frame: pd.DataFrame, path: str | Path, *, machine: bool = False) -> Path:
    """Write one result table (no index) in the format :func:`machine_format` chooses."""
    return write_result_blocks([frame], path, machine=machine)


def write_result_blocks(blocks: Iterable[pd.DataFrame], path: str | Path, *, machine: bool = False) -> Path:
    """Write frames with the same columns one after the other as one result file (only one
    block held at a time)."""
    from symbiose.csvfile import write_csv_blocks
    from symbiose.safe_output import escape_frame

    if machine_format(machine):
        return write_csv_blocks((escape_frame(block) for block in blocks), path)
    # the byte-order mark: Excel reads the file as UTF-8 only after it
    return write_csv_blocks((escape_frame(spreadsheet_frame(block)) for block in blocks), path, sep=";",
                            decimal=",", bom=True)  # fmt: skip


#: Text of suggestions held while their late columns wait (bytes): beyond it, wait for them
LATE_PENDING_BYTES = 256 * 2**20


@dataclass(frozen=True)
class LateColumns:
    """Columns of a result file known only later (the optimum's, while the solve runs): ``names``
    (consecutive in the file), ``ready()`` (whether they are known now; may block afterwards is
    fine) and ``values(start, stop)``, the columns of the rows at those positions of the file
    (waits until they are known)."""

    names: tuple[str, ...]
    ready: Callable[[], bool]
    values: Callable[[int, int], pd.DataFrame]


def write_result_blocks_late(blocks: Iterable[pd.DataFrame], path: str | Path, late: LateColumns, *,
                             machine: bool = False) -> Path:  # fmt: skip
    """:func:`write_result_blocks` of blocks whose ``late`` columns are filled in as the file is
    written: while they are not known, the other columns' text is made and held (at most
    :data:`LATE_PENDING_BYTES`), then each held block is completed and written in its order;
    once they are known, blocks are written whole. The file is byte for byte the one
    :func:`write_result_blocks` writes of the completed blocks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from symbiose.csvfile import _encode_rows, _header_cell, encode_columns, lines_bytes
    from symbiose.safe_output import escape_frame

    plain = machine_format(machine)
    sep, decimal = (",", ".") if plain else (";", ",")
    text = pa.large_string()
    glue, line_end, nothing = pa.scalar(sep, text), pa.scalar("\n", text), pa.scalar("", text)

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return escape_frame(frame if plain else spreadsheet_frame(frame))

    held: list[tuple[int, int, object, object]] = []  # (start, stop, head, tail) waiting for late columns
    held_bytes = 0
    written = 0
    with open(path, "wb") as out:
        if not plain:
            out.write(b"\xef\xbb\xbf")

        def complete(start: int, stop: int, head, tail) -> None:
            # head; late columns; tail + line end: one join, the long texts copied once
            middle = encode_columns(shown(late.values(start, stop)), sep, decimal)
            pieces = [*((head, glue) if head is not None else ()), middle,
                      *((glue, tail) if tail is not None else (line_end,))]  # fmt: skip
            out.write(lines_bytes(pc.binary_join_element_wise(*pieces, nothing)))

        def flush() -> None:
            nonlocal held, held_bytes
            for item in held:
                complete(*item)
            held, held_bytes = [], 0

        first = True
        for block in blocks:
            start, stop = written, written + len(block)
            written = stop
            known = not held and late.ready()  # known: the block is written whole
            if known and len(block):
                frame = shown(block.assign(**late.values(start, stop).set_index(block.index)))
            else:
                frame = shown(block)
            if first:
                out.write((sep.join(_header_cell(str(c), sep) for c in frame.columns) + "\n").encode("utf-8"))
                first = False
            if not len(block):
                continue
            if known:
                out.write(_encode_rows(frame, sep, decimal))
                continue
            columns = list(frame.columns)
            at = columns.index(_shown_name(late.names[0], plain))
            end = at + len(late.names)
            head = encode_columns(frame[columns[:at]], sep, decimal) if at else None
            tail = encode_columns(frame[columns[end:]], sep, decimal, end="\n") if end < len(columns) else None
            held.append((start, stop, head, tail))
            held_bytes += sum(part.nbytes for part in (head, tail) if part is not None)
            if held_bytes > LATE_PENDING_BYTES or late.ready():
                flush()
        flush()
        if first:
            raise ValueError("no block to write")
    return Path(path)


def _shown_name(name: str, plain: bool) -> str:
    return name if plain else FRENCH_HEADERS.get(name, name)

