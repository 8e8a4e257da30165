"""Check the compatibility knowledge base against documented real exchanges (MAESTRI).

MAESTRI is a test set: no rule cites it and none is changed to raise this figure (see
data/KNOWLEDGE_BASE.md); ``scripts/evaluate_knowledge.py`` adds a second, non-MAESTRI set and
the recall of the true partner.

For each of the 300 exchanges of ``data/reference/maestri_exchanges.csv``: is the waste code
linked by the base (``compatibility.csv``) to a resource category that the receiving sector
uses (``sector_uses.csv``)? Receiver codes are NACE without dots ("3511" -> "35.11",
"231" -> "23.1"; "011;012" lists two sectors; a trailing "*" is ignored); a division or group
counts the categories used by any of its sub-sectors. An exchange published with several codes
("200108;200125") is explained when any of them is.

Usage (from the repository root)::

    PYTHONPATH=. python scripts/maestri_coverage.py            # summary and misses
    PYTHONPATH=. python scripts/maestri_coverage.py --csv out.csv   # one line per exchange
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import pandas as pd

from symbiose.compat import KnowledgeBase, load_knowledge_base
from symbiose.reference import check_ewc_prefix, maestri_exchanges


@dataclass(frozen=True)
class Coverage:
    """Result of the check: one row per exchange and the shares explained."""

    rows: pd.DataFrame  # + columns outcome (explained/missed/not_evaluable), code_categories...

    @property
    def evaluable(self) -> pd.DataFrame:
        return self.rows[self.rows["outcome"] != "not_evaluable"]

    @property
    def share(self) -> float:
        """Share of evaluable exchanges explained by the base."""
        ev = self.evaluable
        return float((ev["outcome"] == "explained").mean()) if len(ev) else 0.0

    def share_by_status(self) -> pd.Series:
        ev = self.evaluable
        return (ev["outcome"] == "explained").groupby(ev["status"]).mean()


def _receiver_categories(kb: KnowledgeBase, receiver: str) -> tuple[set[str], bool]:
    found: set[str] = set()
    valid = False
    for part in str(receiver).split(";"):
        try:
            found |= kb.categories_for_nace(part, include_subsectors=True)
            valid = True
        except ValueError:
            continue
    return found, valid


def _codes(code: str, published: str) -> list[str]:
    """The six-digit codes of an exchange; several when published as '200108;200125'."""
    texts = [code] if code.strip() else published.split(";")
    found = []
    for text in texts:
        try:
            compact = check_ewc_prefix(text) if text.strip() else ""
        except ValueError:
            continue
        if len(compact) == 6:
            found.append(compact)
    return found


def coverage(kb: KnowledgeBase | None = None, exchanges: pd.DataFrame | None = None) -> Coverage:
    """Classify every exchange as explained, missed or not evaluable (no or invalid code)."""
    kb = kb or load_knowledge_base()
    table = (exchanges if exchanges is not None else maestri_exchanges()).copy()
    outcomes, code_cats, receiver_cats, matched = [], [], [], []
    for row in table.itertuples():
        uses, nace_ok = _receiver_categories(kb, row.receiver_nace)
        codes = _codes(row.ewc_code, row.ewc_code_as_published)
        if not codes or not nace_ok:
            outcomes.append("not_evaluable")
            code_cats.append("")
            receiver_cats.append(",".join(sorted(uses)))
            matched.append("")
            continue
        cats = {r.category for code in codes for r in kb.rules_for_code(code)}
        common = cats & uses
        outcomes.append("explained" if common else "missed")
        code_cats.append(",".join(sorted(cats)))
        receiver_cats.append(",".join(sorted(uses)))
        matched.append(",".join(sorted(common)))
    table["outcome"] = outcomes
    table["code_categories"] = code_cats
    table["receiver_categories"] = receiver_cats
    table["matched_categories"] = matched
    return Coverage(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", help="write one line per exchange to this CSV file")
    args = parser.parse_args(argv)
    result = coverage()
    rows, ev = result.rows, result.evaluable
    explained = int((ev["outcome"] == "explained").sum())
    print(
        f"MAESTRI exchanges: {len(rows)}; evaluable: {len(ev)}; explained: {explained} "
        f"({result.share:.1%})"
    )
    for status, share in result.share_by_status().items():
        n = int((ev["status"] == status).sum())
        print(f"  {status:<25} {share:6.1%} of {n}")
    missed = ev[ev["outcome"] == "missed"]
    print(f"\nMisses ({len(missed)}):")
    for r in missed.itertuples():
        print(
            f"  {r.ewc_code_as_published:<8} {r.waste[:40]:<40} -> {r.receiver_nace:<8} "
            f"{r.receiver_sector[:40]:<40} | {r.final_use[:40]}"
        )
    bad = rows[rows["outcome"] == "not_evaluable"]
    print(f"\nNot evaluable ({len(bad)}: no or invalid waste code, or receiver code):")
    for r in bad.itertuples():
        print(f"  '{r.ewc_code_as_published}' {r.waste[:40]:<40} -> {r.receiver_nace}")
    if args.csv:
        rows.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
