"""One call run in a forked child process while this process goes on with other work.

``symbiose match --out`` has two independent parts once the candidates exist: the allocation
(OR-Tools' min-cost flow, C++ that holds the interpreter's lock for the whole solve) and the
suggestions' table (economics, reasons, CSV text), which needs the allocation only for two
columns. On a machine with a second core the solve runs in a child made by ``fork``: the child
inherits the candidates without copying them (copy-on-write), solves, and sends the result back
pickled through a pipe (a few megabytes: the used pairs), while this process writes the
suggestions. The result is the one the same call gives in this process (the solvers are
deterministic); the tests check the files byte for byte.

Where ``fork`` is missing (Windows, macOS' default), when ``SYMBIOSE_WORKERS=1``, inside a
multi-threaded process (the web application: forking a threaded server is unsafe) or for a
small problem, the call simply runs in this process when its result is first asked for. A child
that dies without an answer (killed, out of memory) is not an error of the user's: the call is
run again here. An exception raised by the call in the child is raised here, as it was raised.
"""

from __future__ import annotations

import os
import pickle
import select
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")

_NOTHING = object()


def can_fork() -> bool:
    """Whether a call may run in a forked child here: ``fork`` exists, a second process is
    allowed (``SYMBIOSE_WORKERS``), and this process has no other Python thread."""
    from symbiose.sweep import default_workers

    return hasattr(os, "fork") and default_workers(2) >= 2


class Background(Generic[R]):
    """``function(*args, **kwargs)`` started now in a forked child (``fork=True`` and
    :func:`can_fork`), else run in this process by the first :meth:`result`."""

    def __init__(self, function: Callable[..., R], *args: Any, fork: bool = True, **kwargs: Any) -> None:
        self._call = (function, args, kwargs)
        self._value: Any = _NOTHING
        self._pid: int | None = None
        self._read: int | None = None
        if fork and can_fork():
            self._start()

    def _start(self) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running the parent's exit handlers
            os.close(read)
            status = 0
            try:
                function, args, kwargs = self._call
                try:
                    payload = pickle.dumps(("value", function(*args, **kwargs)), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException as exc:  # noqa: BLE001 - every failure travels back to be raised there
                    payload = _pickled_error(exc)
                with os.fdopen(write, "wb") as out:
                    out.write(payload)
            except BaseException:  # noqa: BLE001 - nothing may escape a forked child
                status = 1
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    @property
    def forked(self) -> bool:
        """Whether the call runs in a child process."""
        return self._pid is not None

    def done(self) -> bool:
        """Whether :meth:`result` would answer without waiting for the child."""
        if self._value is not _NOTHING or self._read is None:
            return self._value is not _NOTHING
        ready, _, _ = select.select([self._read], [], [], 0)
        return bool(ready)

    def result(self) -> R:
        """The call's result (waiting for the child); its exception, raised here."""
        if self._value is _NOTHING:
            self._value = self._receive() if self._read is not None else ("value", self._run_here())
        kind, value = self._value
        if kind == "error":
            raise value
        return value

    def _run_here(self) -> R:
        function, args, kwargs = self._call
        return function(*args, **kwargs)

    def _receive(self) -> tuple[str, Any]:
        # the file object owns the pipe from here: closed by it even when the wait is interrupted
        # (Ctrl-C), and never closed again by cancel(), whose descriptor number may be reused by then
        read, self._read = self._read, None
        with os.fdopen(read, "rb") as source:
            data = source.read()
        os.waitpid(self._pid, 0)
        self._pid = None
        if not data:  # the child died without an answer: run the call here
            try:
                return ("value", self._run_here())
            except Exception as exc:  # noqa: BLE001 - raised by result(), as in the child's case
                return ("error", exc)
        return pickle.loads(data)

    def cancel(self) -> None:
        """Stop the child if it still runs (this process gave up on the result)."""
        if self._pid is not None:
            import signal

            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = None
        if self._read is not None:
            os.close(self._read)
            self._read = None

    def __enter__(self) -> Background[R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()


def _pickled_error(exc: BaseException) -> bytes:
    """The exception pickled, or a RuntimeError with its text when it cannot be."""
    try:
        return pickle.dumps(("error", exc), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - an exception whose state does not pickle
        return pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
