"""The main path in a real browser: `streamlit run app.py` driven by Chromium through Playwright.

Skipped when /usr/bin/chromium or the playwright package is missing. Run alone with
``pytest -m browser``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {base} within {timeout} s")


@pytest.fixture
def server(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    port = _free_port()
    env = {
        **os.environ,
        "SYMBIOSE_DATABASE_URL": f"sqlite:///{tmp_path / 'browser.db'}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    log = (tmp_path / "streamlit.log").open("w")
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1"]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_overview_then_pipeline_in_chromium(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"],
        )  # fmt: skip
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server, wait_until="domcontentloaded")
            metric = page.get_by_test_id("stMetric").filter(has_text="Synergies in the optimum")
            expect(metric).to_be_visible(timeout=40_000)
            value = metric.get_by_test_id("stMetricValue").inner_text()
            assert int(value.replace(",", "")) > 0
            expect(page.get_by_test_id("stMetric")).to_have_count(6)
            page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

            page.get_by_test_id("stSidebarNav").get_by_text("Pipeline").click()
            expect(page.get_by_role("heading", name="Pipeline")).to_be_visible(timeout=20_000)
            expect(page.get_by_test_id("stMetric").filter(has_text="Implemented")).to_be_visible()
            page.screenshot(path=str(tmp_path / "pipeline.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "overview.png").stat().st_size > 10_000
