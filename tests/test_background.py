"""A call run in a forked child while this process works: same result, its errors raised here,
a child that dies without answering replaced by the call run here."""

from __future__ import annotations

import os

import numpy as np
import pytest

from symbiose.background import Background, can_fork
from symbiose.errors import InfeasibleError

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is needed")


@pytest.fixture(autouse=True)
def two_workers(monkeypatch):
    monkeypatch.setenv("SYMBIOSE_WORKERS", "2")  # test workers run threads: allow the child


def _whose(values: np.ndarray) -> tuple[int, float]:
    return os.getpid(), float(np.sort(values).sum())


def _fails(parent: int) -> None:
    raise InfeasibleError("implemented synergies exceed a stream's quantity")


def _dies_in_child(parent: int) -> int:
    if os.getpid() != parent:
        os._exit(3)  # a child killed before it answers
    return os.getpid()


def test_the_call_runs_in_a_child_and_returns_its_result():
    values = np.random.default_rng(1).random(100_000)
    with Background(_whose, values) as job:
        assert job.forked and can_fork()
        pid, total = job.result()
    assert pid != os.getpid()
    assert total == _whose(values)[1]


def test_without_a_second_worker_the_call_runs_here(monkeypatch):
    monkeypatch.setenv("SYMBIOSE_WORKERS", "1")
    job = Background(_whose, np.arange(5.0))
    assert not job.forked and not job.done()
    assert job.result() == (os.getpid(), 10.0)
    assert job.done()


def test_the_childs_exception_is_raised_here_with_its_type():
    with Background(_fails, os.getpid()) as job, pytest.raises(InfeasibleError, match="exceed"):
        job.result()


def test_a_child_that_dies_is_replaced_by_the_call_here():
    with Background(_dies_in_child, os.getpid()) as job:
        assert job.forked
        assert job.result() == os.getpid()


def test_cancel_stops_a_running_child():
    import time

    job = Background(time.sleep, 60)
    assert job.forked and not job.done()
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 10
    assert not job.forked


def test_an_interrupted_wait_stops_the_child_and_raises_the_interrupt():
    """Ctrl-C while the parent waits for the child's answer: the interruption comes out (the
    command line says it was aborted), not an error about the pipe, and the child is stopped."""
    import signal
    import time

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):  # before the fix: OSError (bad file descriptor)
            with Background(time.sleep, 60) as job:
                assert job.forked
                child = job._pid
                signal.setitimer(signal.ITIMER_REAL, 0.3)  # the interruption, during result()
                job.result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    with pytest.raises(ChildProcessError):  # stopped and reaped by the exit of the block
        os.waitpid(child, os.WNOHANG)
