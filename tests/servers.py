"""Helpers for tests that start a real server process: a free port, waiting for it, stopping it."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, log_path, timeout: float = 90) -> None:
    """Wait until Streamlit answers on ``base`` (fails with the server's log if it exits)."""
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, log_path.read_text()
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            assert time.monotonic() < deadline, f"no answer at {base} within {timeout} s"
            time.sleep(0.3)


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server this test started, killing it if it does not stop within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
