"""Helpers for tests that start a real server process (a free port, waiting for it, stopping it)
and drive it with Debian's Chromium through Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

UI_KEY_SECRET = "browser-tests"
"""The secret of the pairs' widget keys in the servers the tests start."""


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


# ------------------------------------------------------------------ Streamlit and Chromium

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
WEBGL_ARGS = ["--use-gl=swiftshader", "--enable-unsafe-swiftshader"]  # deck.gl maps drawn in software


def require_chromium() -> None:
    """Skip the test when Debian's Chromium or the playwright package is missing."""
    import pytest

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


def launch_chromium(playwright, *, webgl: bool = False):
    """Debian's Chromium, headless; ``webgl`` draws WebGL (the maps) with SwiftShader."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS + (WEBGL_ARGS if webgl else []))  # fmt: skip


@contextlib.contextmanager
def streamlit_app(folder: Path, database_url: str, *, language: str = "en") -> Iterator[str]:
    """`streamlit run app.py` on a free port of 127.0.0.1 with ``database_url``: its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "SYMBIOSE_DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "SYMBIOSE_LANGUAGE": language,
        "SYMBIOSE_UI_KEY_SECRET": UI_KEY_SECRET,  # to find a pair's button (symbiose.ui.partners.pair_key)
    }
    log_path = folder / f"streamlit-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1"]  # fmt: skip
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc, log_path)
            yield base
        finally:
            stop(proc)
