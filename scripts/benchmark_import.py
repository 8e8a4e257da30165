"""Benchmark of reading and previewing an import, with a yardstick run side by side.

Usage:
    python scripts/benchmark_import.py               # n = 5000 (10,000 companies, 5,000 streams and needs)
    python scripts/benchmark_import.py --n 20000

Prints, for a synthetic network (the matcher benchmark's: 2n companies with coordinates, n
streams, n needs), the seconds taken by:
* yardstick: ``csv.reader`` over the same files, every cell read, nothing checked;
* ``read_bundle`` of the exported CSV folder (every check of the importer);
* ``read_import`` of the same folder against the stored network (absent-column merge path);
* ``plan_import`` of the export against a SQLite database holding the network (the preview:
  load the network, read the files, compare every record field by field): all unchanged;
* ``apply_import`` of a two-column file (``id,quantity``) changing every stream (writes, the
  before/after audit, in one transaction); then ``undo_import`` of it.
Each figure is also given as a ratio to the yardstick.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()

    from benchmark import synthetic_network

    from symbiose.bundle import read_bundle, read_import, write_bundle
    from symbiose.db import ensure_database, load_network, save_network, session_factory
    from symbiose.db.imports import apply_import, plan_import, undo_import

    network = synthetic_network(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "export"
        write_bundle(network, folder)

        def yardstick():
            for path in sorted(folder.glob("*.csv")):
                with open(path, encoding="utf-8", newline="") as handle:
                    for _row in csv.reader(handle):
                        pass

        figures: dict[str, float] = {}
        figures["yardstick csv.reader"], _ = timed(yardstick)
        figures["read_bundle"], read = timed(lambda: read_bundle(folder))
        assert len(read.streams) == args.n
        figures["read_import against stored"], _ = timed(lambda: read_import(folder, stored=read))

        engine = ensure_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        maker = session_factory(engine)
        with maker() as session, session.begin():
            save_network(session, network, actor="bench")
        with maker() as session:
            figures["plan_import (preview, all unchanged)"], plan = timed(
                lambda: plan_import(session, folder)
            )
        assert not plan.changed
        quantities = Path(tmp) / "quantities"
        quantities.mkdir()
        with open(quantities / "streams.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "quantity"])
            writer.writerows([s.id, s.quantity_base // 1000 + 1] for s in network.streams)
        with maker() as session, session.begin():
            figures["apply_import id,quantity (every stream)"], result = timed(
                lambda: apply_import(session, quantities, actor="bench")
            )
        assert result.updated == args.n
        with maker() as session, session.begin():
            figures["undo_import of it"], _ = timed(
                lambda: undo_import(session, result.import_id, actor="bench")
            )
        with maker() as session:
            assert load_network(session).streams == network.sorted().streams
        engine.dispose()

    rows = 3 * args.n + 2 * args.n
    print(f"n = {args.n}: {2 * args.n} companies, {args.n} streams, {args.n} needs ({rows} rows)")
    base = figures["yardstick csv.reader"]
    for name, seconds in figures.items():
        print(f"  {name:<42} {seconds:8.2f} s   x{seconds / base:7.1f}")


if __name__ == "__main__":
    main()
