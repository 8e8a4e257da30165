"""Hand the memory freed by a finished step back to the system.

A matching run allocates and frees large temporaries step after step (candidate pairs, the
solver's graph, blocks of suggestions). glibc's allocator keeps much of what is freed in its
heap, so the resident memory after a step stays near the step's peak and the next step's peak
is added on top: at 100k streams and needs, 270 MB freed by the candidates and 200 MB freed by
the solve stayed resident (``scripts/memory_steps.py``). :func:`release_memory` returns it
(``malloc_trim``, and the unused memory of Arrow's pool); a few milliseconds, nothing elsewhere
than glibc systems.
"""

from __future__ import annotations

import sys
from functools import cache


@cache
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # here: a command's start does not pay for it

    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl), or no such function
        return None


def release_memory() -> None:
    """Return the memory freed so far to the system (glibc heap, Arrow's pool)."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
