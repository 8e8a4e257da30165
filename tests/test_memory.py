"""Memory freed by a step of a run goes back to the system before the next step."""

from __future__ import annotations

import subprocess
import sys

import pytest

from symbiose.memory import _malloc_trim, release_memory

CODE = """
import gc, resource
import psutil
from symbiose.memory import release_memory
rss = lambda: psutil.Process().memory_info().rss / 2**20
# 300 MB in blocks of 64 KB (under the allocator's mmap threshold: from its heap, as a step's
# temporaries), every other one kept so the heap cannot shrink from its top alone
blocks = [bytearray(65_536) for _ in range(4_800)]
kept = blocks[::2]
del blocks
gc.collect()
before = rss()
release_memory()
print(before - rss())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_memory_goes_back_to_the_system():
    assert _malloc_trim() is not None
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    returned_mb = float(done.stdout.strip().splitlines()[-1])
    assert returned_mb > 100  # of the 150 MB freed


def test_release_memory_runs_anywhere_in_a_run():
    release_memory()
    release_memory()  # twice in a row: nothing left, no error
