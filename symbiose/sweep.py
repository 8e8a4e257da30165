"""Independent solves run side by side: a local process pool by default, a cluster on request.

Scenario comparisons, robustness draws and partner exits are independent solves. :func:`run_tasks`
runs ``function(item)`` for every item and returns the results **in the items' order**, so the
answer is the same whether the items ran one after the other, in a pool of processes on this
machine, or on a Dask cluster: every random number is drawn before the tasks start, and every
solver used is deterministic.

* Local (default): a ``concurrent.futures.ProcessPoolExecutor`` of :func:`default_workers`
  processes (``SYMBIOSE_WORKERS`` overrides; 1 runs everything in this process). Inside a
  multi-threaded process (the web application) the default is 1: forking a threaded server is
  unsafe, and a page's sweep is small.
* Cluster: ``cluster="tcp://host:8786"`` or ``SYMBIOSE_CLUSTER`` sends the items to a running Dask
  scheduler (``pip install -e ".[cluster]"``; see README, "Large sweeps on a cluster").

``progress(done, total)`` is called in this process after each finished item (a terminal
progress bar, a Streamlit ``st.progress``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from symbiose.errors import SymbioseError
from symbiose.i18n import _

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]
ENV_WORKERS = "SYMBIOSE_WORKERS"
ENV_CLUSTER = "SYMBIOSE_CLUSTER"
CLUSTER_CONNECT_TIMEOUT_S = 10


class ClusterError(SymbioseError, RuntimeError):
    """The cluster named by ``--cluster``/``SYMBIOSE_CLUSTER`` cannot be used."""


def default_workers(n_items: int) -> int:
    """Processes for ``n_items`` independent solves: ``SYMBIOSE_WORKERS``, else one per core
    (at most one per item); 1 inside a multi-threaded process."""
    wanted = os.environ.get(ENV_WORKERS, "").strip()
    if wanted:
        try:
            count = int(wanted)
        except ValueError:
            raise SymbioseError(_("{name}='{value}' is not a whole number; write for instance 2").format(
                name=ENV_WORKERS, value=wanted)) from None
        return max(1, min(count, max(n_items, 1)))
    if threading.active_count() > 1:
        return 1
    return max(1, min(os.cpu_count() or 1, n_items))


def cluster_address(cluster: str | None = None) -> str | None:
    """The Dask scheduler to use: ``cluster`` if given, else ``SYMBIOSE_CLUSTER`` (None: local)."""
    address = (cluster if cluster is not None else os.environ.get(ENV_CLUSTER, "")).strip()
    return address or None


def run_tasks(function: Callable[[T], R], items: Sequence[T], *, workers: int | None = None,
              progress: Progress | None = None, cluster: str | None = None) -> list[R]:  # fmt: skip
    """``[function(item) for item in items]``, run side by side; same results, same order.

    ``function`` must be a module-level function and items picklable (they travel to other
    processes). The first failure is raised as it was raised in the worker.
    """
    items = list(items)
    total = len(items)
    address = cluster_address(cluster)
    if address:
        return _run_on_cluster(function, items, address, progress)
    count = default_workers(total) if workers is None else max(1, int(workers))
    if count == 1 or total <= 1:
        results = []
        for done, item in enumerate(items, start=1):
            results.append(function(item))
            if progress:
                progress(done, total)
        return results
    method = "fork" if threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    results_by_index: dict[int, Any] = {}
    with ProcessPoolExecutor(max_workers=min(count, total), mp_context=context) as pool:
        with _bare_main() if method == "spawn" else contextlib.nullcontext():
            futures = {pool.submit(function, item): i for i, item in enumerate(items)}
        for done, future in enumerate(as_completed(futures), start=1):
            results_by_index[futures[future]] = future.result()
            if progress:
                progress(done, total)
    return [results_by_index[i] for i in range(total)]


_MAIN_SWAP = threading.Lock()  # one sweep at a time swaps __main__ (two sessions may sweep at once)


@contextlib.contextmanager
def _bare_main():
    """While spawned workers start, ``__main__`` is an empty module.

    A spawned worker first re-runs the parent's ``__main__`` file. Inside Streamlit (the
    application, AppTest) that is the page script, which cannot run outside a session and breaks
    the pool. The tasks are functions of importable modules, so the workers need no ``__main__``.
    Two threads starting pools at once take turns: otherwise the second would save the first's
    empty module as the one to put back, and leave it there.
    """
    with _MAIN_SWAP:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is None:
                del sys.modules["__main__"]
            else:
                sys.modules["__main__"] = main


def _run_on_cluster(function, items, address: str, progress: Progress | None) -> list:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise ClusterError(_(
            "a cluster is asked for ({address}) but Dask is not installed; install the extra "
            "with: pip install -e \".[cluster]\" (or unset SYMBIOSE_CLUSTER to run on this machine)"
        ).format(address=address)) from None
    try:
        client = Client(address, timeout=f"{CLUSTER_CONNECT_TIMEOUT_S}s")
    except OSError as exc:
        raise ClusterError(_(
            "cannot reach the Dask scheduler at {address} ({reason}); start it (dask scheduler) or "
            "correct --cluster / SYMBIOSE_CLUSTER"
        ).format(address=address, reason=exc)) from None
    try:
        futures = client.map(function, items, pure=False)
        position = {f.key: i for i, f in enumerate(futures)}
        results: list = [None] * len(items)
        for done, future in enumerate(dask_completed(futures), start=1):
            results[position[future.key]] = future.result()
            if progress:
                progress(done, len(items))
        return results
    finally:
        client.close()
