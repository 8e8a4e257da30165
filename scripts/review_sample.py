"""A reproducible sample of the demo's suggestions and matches, for a precision review by grade.

The review of issue 11 grades what an environment officer would do with each line:

* **A**: worth a phone call as it stands (the receiver takes this material in this form, the
  distance and the value per unit are plausible, the law allows it);
* **B**: plausible only under conditions the tool does not state (a treatment first, a quality
  to check, a season, a permit, a price to confirm);
* **C**: implausible (wrong kind of receiver, wrong form, a value that does not exist, a route
  that already exists, illegal).

Usage (from the repository root)::

    symbiose match --bundle data/demo --out /tmp/review --machine-readable   # suggestions.csv, matches.csv
    python scripts/review_sample.py /tmp/review --out docs/review/sample.csv
    # grade: fill the columns grade (A/B/C) and why (one line) of docs/review/sample.csv
    python scripts/review_sample.py --score docs/review/sample.csv

The sample: ``SUGGESTIONS`` stream-side suggestions among ranks 1 to 5 and ``MATCHES`` pairs of
the optimum, drawn with ``SEED`` (numpy's default generator, without replacement) from the rows
sorted by (stream_id, need_id): the same output gives the same sample. Each line carries what
the reviewer needs: the supplier and its waste (code, description, state), the receiver (sector,
need, category), the road distance, quantity, value per unit and the tool's own reason.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SEED = 2026
SUGGESTIONS = 60
MATCHES = 40
HEAT_AND_WATER = ("heat_steam", "heat_hot_water", "heat_low_temperature", "process_water")


def _demo_tables(bundle: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    companies = pd.read_csv(bundle / "companies.csv", dtype=str, keep_default_na=False)
    names = companies.set_index("id")[["name", "naf_code"]]
    streams = pd.read_csv(bundle / "streams.csv", dtype=str, keep_default_na=False)
    needs = pd.read_csv(bundle / "needs.csv", dtype=str, keep_default_na=False)
    streams = streams.join(names, on="company_id").rename(columns={"name": "supplier", "naf_code": "supplier_naf"})
    needs = needs.join(names, on="company_id").rename(columns={"name": "receiver", "naf_code": "receiver_naf"})
    return streams, needs


def sample(out_dir: Path, bundle: Path) -> pd.DataFrame:
    """The graded sample's rows (grade and why left empty)."""
    streams, needs = _demo_tables(bundle)
    if (out_dir / "suggestions.csv").read_bytes().startswith(b"\xef\xbb\xbf"):
        raise SystemExit(f"{out_dir}: these files are for a spreadsheet; write them with "
                         "`symbiose match ... --machine-readable`")
    suggestions = pd.read_csv(out_dir / "suggestions.csv", dtype={"stream_id": str, "need_id": str})
    matches = pd.read_csv(out_dir / "matches.csv", dtype={"stream_id": str, "need_id": str})
    stream_side = suggestions[(suggestions["side"] == "stream") & (suggestions["rank"] <= 5)]
    stream_side = stream_side.sort_values(["stream_id", "need_id"], kind="stable").reset_index(drop=True)
    matches = matches.sort_values(["stream_id", "need_id"], kind="stable").reset_index(drop=True)
    rng = np.random.default_rng(SEED)
    picked_s = np.sort(rng.choice(len(stream_side), size=min(SUGGESTIONS, len(stream_side)), replace=False))
    picked_m = np.sort(rng.choice(len(matches), size=min(MATCHES, len(matches)), replace=False))
    rows = []
    for kind, table, picked in (("suggestion", stream_side, picked_s), ("match", matches, picked_m)):
        chosen = table.iloc[picked]
        for r in chosen.itertuples(index=False):
            st = streams.loc[streams["id"] == r.stream_id].iloc[0]
            nd = needs.loc[needs["id"] == r.need_id].iloc[0]
            rows.append({
                "kind": kind, "stream_id": r.stream_id, "need_id": r.need_id,
                "rank": getattr(r, "rank", ""), "outlet": getattr(r, "outlet", ""),
                "supplier": st["supplier"], "supplier_naf": st["supplier_naf"],
                "waste": (st["ewc_code"] or st["material"]), "description": st["description"],
                "state": st["physical_state"], "months": st["months"],
                "receiver": nd["receiver"], "receiver_naf": nd["receiver_naf"],
                "need": nd["description"], "category": getattr(r, "category", "") or nd["category"],
                "road_km": r.road_km, "quantity": r.quantity, "unit": r.unit,
                "value_eur_per_unit": r.value_eur_per_unit,
                "reason": getattr(r, "reason", ""), "grade": "", "why": "",
            })  # fmt: skip
    return pd.DataFrame(rows)


def score(graded: pd.DataFrame) -> pd.DataFrame:
    """Shares of A, A+B and C by kind, for ranks 1 and 2-5, and for heat and water apart."""
    graded = graded.copy()
    if graded["grade"].isin(["A", "B", "C"]).sum() != len(graded):
        bad = graded.loc[~graded["grade"].isin(["A", "B", "C"]), ["kind", "stream_id", "need_id"]]
        raise SystemExit(f"every row needs a grade A, B or C; missing or wrong on {len(bad)} rows:\n{bad.head()}")
    graded["heat_water"] = graded["category"].isin(HEAT_AND_WATER) | graded["waste"].isin(HEAT_AND_WATER)
    groups = {
        "suggestions (ranks 1-5)": graded["kind"] == "suggestion",
        "suggestions, rank 1": (graded["kind"] == "suggestion") & (graded["rank"].astype(str) == "1"),
        "suggestions, ranks 2-5": (graded["kind"] == "suggestion") & (graded["rank"].astype(str) != "1"),
        "matches": graded["kind"] == "match",
        "heat and water (both kinds)": graded["heat_water"],
        "the rest (both kinds)": ~graded["heat_water"],
    }
    rows = []
    for name, mask in groups.items():
        part = graded[mask]
        n = len(part)
        rows.append({"group": name, "rows": n,
                     "A %": round(100 * (part["grade"] == "A").mean(), 1) if n else float("nan"),
                     "A+B %": round(100 * part["grade"].isin(["A", "B"]).mean(), 1) if n else float("nan"),
                     "C %": round(100 * (part["grade"] == "C").mean(), 1) if n else float("nan")})  # fmt: skip
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, help="folder of a `symbiose match --out` run")
    parser.add_argument("--bundle", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--out", type=Path, help="where to write the sample (CSV)")
    parser.add_argument("--score", type=Path, help="a graded sample: print the shares")
    args = parser.parse_args(argv)
    if args.score:
        print(score(pd.read_csv(args.score, dtype=str, keep_default_na=False)).to_string(index=False))
        return 0
    if not args.out_dir:
        parser.error("give the folder of a `symbiose match --out` run, or --score FILE")
    table = sample(args.out_dir, args.bundle)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out, index=False)
        print(f"wrote {args.out} ({len(table)} rows)")
    else:
        print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
