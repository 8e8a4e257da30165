"""Peak resident memory and time after each step of a match, in one process.

Usage (a bundle written by ``scripts/benchmark.py``, for instance its 100k network)::

    python scripts/benchmark.py --sizes 100000            # writes the bundle under its work folder
    python scripts/memory_steps.py /tmp/symbiose-bench/n100000

Prints, after reading the bundle, the candidates, the allocation, the suggestions and the three
files, the peak resident memory so far (``ru_maxrss``) and the seconds since the start; then the
size of the arcs table. The steps are those of ``symbiose match --bundle DIR --out OUT``: the
suggestions are chosen, then their table (economics, reasons) built block by block as
``suggestions.csv`` is written.
"""

from __future__ import annotations

import resource
import sys
import time


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__)
        return 2
    import tempfile

    from symbiose.bundle import read_bundle
    from symbiose.domain import Stage
    from symbiose.impacts import compute_kpis
    from symbiose.matching import MatchResult, candidates_for, write_outputs
    from symbiose.memory import release_memory
    from symbiose.optimize import allocate
    from symbiose.params import MatchParameters
    from symbiose.suggestions import plan_suggestions

    started = time.perf_counter()

    def step(name: str, extra: str = "") -> None:
        print(f"{name}: peak {_peak_mb():,.0f} MB, {time.perf_counter() - started:.1f} s {extra}", flush=True)

    network = read_bundle(args[0])
    step("read")
    release_memory()  # as the command and run_match do between steps
    candidates = candidates_for(network, MatchParameters())
    step("candidates", f"({len(candidates.arcs):,} arcs, table {candidates.arcs.memory_usage(deep=True).sum() / 2**20:,.0f} MB)")
    release_memory()
    allocation = allocate(candidates)
    step("allocation")
    release_memory()
    kpis = compute_kpis(candidates, allocation)
    in_place = {(s.stream_id, s.need_id) for s in network.synergies if s.stage == Stage.IMPLEMENTED}
    suggestions = plan_suggestions(candidates, allocation, implemented=in_place)
    step("suggestions", f"({len(suggestions):,} chosen, table not built)")
    with tempfile.TemporaryDirectory() as out:
        write_outputs(MatchResult(network, candidates, allocation, kpis, suggestions), out)
        step("files", "(the suggestions' table built block by block)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
