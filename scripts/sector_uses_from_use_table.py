"""Which resource categories each NACE sector buys, from one published input-output table.

Applies the rule of ``data/KNOWLEDGE_BASE.md``, section "Sector uses from one published use
table": the U.S. BEA 2017 benchmark detailed Use table before redefinitions, at producers'
prices (millions of dollars, 402 industries by 402 commodities), as USEPA's useeior package
stores it (``data/Detail_Use_2017_PRO_BeforeRedef_17sch.rda``). A NACE code lists a category
when the commodities mapped to that category make at least ``THRESHOLD`` of the code's total
intermediate inputs (row ``T005``), summed over the BEA industries the concordance gives the
code. The mapping, the concordance and the threshold below were written before any share was
computed. The table is not kept in the repository; the shares are quoted in the rows' basis.

    pip install pyreadr
    python scripts/sector_uses_from_use_table.py PATH/TO/Detail_Use_2017_PRO_BeforeRedef_17sch.rda
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTOR_USES = ROOT / "data" / "sector_uses.csv"

THRESHOLD = 0.01  # 1 % of the sector's total intermediate inputs

# BEA 2017 detailed commodities whose purchase a category's residues replace. A commodity that
# mixes materials of several categories, or of a category and none, is mapped to none.
PRODUCTS: dict[str, tuple[str, ...]] = {
    "aggregates": ("212310",),  # stone mining and quarrying (crushed stone)
    "cement_raw_material": ("327310",),  # cement: clinker substitutes (ashes, slags)
    "alternative_fuel": ("212100", "324190"),  # coal; other petroleum and coal products (coke)
    "industrial_gas": ("325120", "221200"),  # industrial gases; natural gas (fuel gas)
    "chemical_feedstock": ("325180",),  # other basic inorganic chemicals: acids, alkalis, salts
    "scrap_metal": ("212230", "2122A0"),  # metal ores, which scrap replaces in smelting
    "paper_fibre": ("322110",),  # market pulp
    "plastic_polymer": ("325211",),  # plastics materials and resins
    "textile_fibre": ("313100",),  # fibres, yarn and thread
    "soil_amendment": ("325310",),  # fertilisers
    "animal_feed": ("311119",),  # other animal food (farm-animal feed)
    "pallets_packaging_reuse": ("322210", "326110", "326160", "332430"),  # packaging
    "process_water": ("221300",),  # water, sewage and other systems
}

# Feed's grade follows the receiver's animals; only these codes state them.
FEED_GRADE = {
    "01.41": "animal_feed_ruminant",
    "01.42": "animal_feed_ruminant",
    "01.47": "animal_feed_monogastric",
}


def _codes(*prefixes: str) -> tuple[str, ...]:
    return prefixes


# NACE Rev. 2 code -> BEA 2017 detailed industries (a code ending in "*" is a prefix). A BEA
# industry that spans several NACE classes decides only the group or division holding them all.
CONCORDANCE: dict[str, tuple[str, ...]] = {
    # divisions
    "01": _codes("111*", "112*"),
    "02": _codes("113000"),
    "03.1": _codes("114000"),
    "05": _codes("212100"),
    "06": _codes("211000"),
    "07": _codes("212230", "2122A0"),
    "08": _codes("212310", "2123A0"),
    "09": _codes("213111", "21311A"),
    "10": _codes("311*"),
    "11": _codes("3121*"),
    "12": _codes("312200"),
    "13": _codes("313*", "314*"),
    "14": _codes("315000"),
    "15": _codes("316000"),
    "16": _codes("321*"),
    "17": _codes("322*"),
    "18": _codes("323*"),
    "19": _codes("324110", "324190"),
    "20": _codes("3251*", "3252*", "3253*", "3255*", "3256*", "3259*"),
    "21": _codes("3254*"),
    "22": _codes("326*"),
    "23": _codes("327*", "324121", "324122"),
    "24": _codes("331*"),
    "25": _codes("332*"),
    "26": _codes("334*"),
    "27": _codes("335*"),
    "28": _codes("333*"),
    "29": _codes("3361*", "3362*", "3363*"),
    "30": _codes("3364*", "336500", "3366*", "3369*"),
    "31": _codes("337*"),
    "32": _codes("339*"),
    "33.12": _codes("811300"),
    "35.1": _codes("221100"),
    "35.2": _codes("221200"),
    "41": _codes("233411", "233412", "2334A0", "233210", "233262", "2332A0", "233230", "2332D0"),
    "42": _codes("2332C0", "233240"),
    "43": _codes("230301", "230302"),
    "45": _codes("441000", "811100"),
    "46": _codes("423*", "424*", "425000"),
    "47": _codes("445000", "452000", "444000", "446000", "447000", "448000", "454000", "4B0000"),
    "49": _codes("482000", "484000", "485000", "486000"),
    "50": _codes("483000"),
    "51": _codes("481000"),
    "52": _codes("48A000", "493000"),
    "53": _codes("491000", "492000"),
    "55": _codes("721000"),
    "56": _codes("722*"),
    "75": _codes("541940"),
    "81": _codes("561700"),
    "84": _codes("S00500", "S00600", "GSLGO"),
    "85": _codes("611*", "GSLGE"),
    "86": _codes("621*", "622000", "GSLGH"),
    "87": _codes("623*"),
    "88": _codes("624*"),
    "91": _codes("712000"),
    "93": _codes("711200", "713*"),
    "95": _codes("811200", "811400"),
    "96": _codes("812*"),
    # groups and classes: a BEA industry that is one NACE group or class
    "01.11": _codes("1111A0", "1111B0"),
    "01.13": _codes("111200"),
    "01.2": _codes("111300"),
    "01.41": _codes("112120"),
    "01.42": _codes("1121A0"),
    "01.47": _codes("112300"),
    "07.29": _codes("212230"),
    "08.11": _codes("212310"),
    "10.12": _codes("311615"),
    "10.2": _codes("311700"),
    "10.3": _codes("311420"),
    "10.41": _codes("311224", "311225"),
    "10.51": _codes("311513", "311514", "31151A"),
    "10.52": _codes("311520"),
    "10.61": _codes("311210", "311230"),
    "10.62": _codes("311221"),
    "10.71": _codes("311810"),
    "10.83": _codes("311920"),
    "10.84": _codes("311940"),
    "10.91": _codes("311119"),
    "10.92": _codes("311111"),
    "11.01": _codes("312140"),
    "11.02": _codes("312130"),
    "11.05": _codes("312120"),
    "11.07": _codes("312110"),
    "13.1": _codes("313100"),
    "13.2": _codes("313200"),
    "13.3": _codes("313300"),
    "13.92": _codes("314120"),
    "13.93": _codes("314110"),
    "16.10": _codes("321100"),
    "16.21": _codes("321200"),
    "16.23": _codes("321910"),
    "17.11": _codes("322110"),
    "17.12": _codes("322120", "322130"),
    "17.21": _codes("322210"),
    "17.22": _codes("322291"),
    "17.23": _codes("322230"),
    "17.29": _codes("322299"),
    "17.2": _codes("322210", "322220", "322230", "322291", "322299"),
    "18.1": _codes("323*"),
    "19.20": _codes("324110"),
    "20.11": _codes("325120"),
    "20.12": _codes("325130"),
    "20.13": _codes("325180"),
    "20.14": _codes("325110", "325190"),
    "20.15": _codes("325310"),
    "20.16": _codes("325211"),
    "20.20": _codes("325320"),
    "20.30": _codes("325510", "325910"),
    "20.41": _codes("325610"),
    "20.42": _codes("325620"),
    "20.52": _codes("325520"),
    "21.10": _codes("325411"),
    "21.20": _codes("325412", "325413", "325414"),
    "22.11": _codes("326210"),
    "22.19": _codes("326220", "326290"),
    "22.2": _codes("3261*"),
    "22.21": _codes("326120", "326130"),
    "22.22": _codes("326110", "326160"),
    "22.29": _codes("326140", "326150", "326190"),
    "23.1": _codes("327200"),
    "23.51": _codes("327310"),
    "23.61": _codes("327330"),
    "23.63": _codes("327320"),
    "23.70": _codes("327991"),
    "23.91": _codes("327910"),
    "23.99": _codes("327992", "327993", "327999", "324121", "324122"),
    "24.10": _codes("331110"),
    "24.4": _codes("331313", "33131B", "331410", "331420", "331490"),
    "24.42": _codes("331313", "33131B"),
    "24.44": _codes("331420"),
    "24.5": _codes("331510", "331520"),
    "25.40": _codes("33299A"),
    "25.61": _codes("332800"),
    "25.62": _codes("332710"),
    "25.92": _codes("332430"),
    "29.10": _codes("3361*"),
    "29.20": _codes("3362*"),
    "29.3": _codes("3363*"),
    "30.1": _codes("3366*"),
    "30.12": _codes("336612"),
    "30.2": _codes("336500"),
    "30.3": _codes("3364*"),
    "30.4": _codes("336992"),
    "30.9": _codes("336991"),
}


def industries(patterns: tuple[str, ...], columns: list[str]) -> list[str]:
    """The table's industry columns that the concordance patterns name."""
    found = []
    for pattern in patterns:
        if pattern.endswith("*"):
            found += [c for c in columns if c.startswith(pattern[:-1])]
        elif pattern in columns:
            found.append(pattern)
        else:
            raise SystemExit(f"industry {pattern} is not a column of the table")
    return found


def existing_rows() -> set[tuple[str, str]]:
    with SECTOR_USES.open(encoding="utf-8") as fh:
        return {(r["nace_prefix"], r["category"]) for r in csv.DictReader(fh)}


def listed(code: str, category: str, rows: set[tuple[str, str]]) -> bool:
    """True when a row for the code or a coarser code already lists the category."""
    return any(code.startswith(prefix) and cat == category for prefix, cat in rows)


def main(path: str) -> None:
    import pyreadr  # only this script needs it

    use = next(iter(pyreadr.read_r(path).values()))
    columns = [str(c) for c in use.columns]
    rows = existing_rows()
    print("nace,category,share_pct,commodities,industries,decision")
    # coarser codes first, so that a row written for a division covers its classes
    for code in sorted(CONCORDANCE, key=lambda c: (len(c), c)):
        cols = industries(CONCORDANCE[code], columns)
        total = float(use.loc["T005", cols].sum())
        for category, products in PRODUCTS.items():
            value = float(use.loc[list(products), cols].to_numpy().sum())
            share = value / total if total else 0.0
            if category == "animal_feed":
                if code not in FEED_GRADE:
                    continue
                category = FEED_GRADE[code]
            if share < THRESHOLD:
                continue
            decision = "listed" if listed(code, category, rows) else "ADD"
            rows.add((code, category))
            print(
                f"{code},{category},{100 * share:.1f},{'+'.join(products)},"
                f"{'+'.join(cols)},{decision}"
            )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
