"""Take the README's screenshots of the main pages, in French (docs/screenshots/*.png).

Starts `symbiose serve` on a free port with a fresh demo database, opens each page in Debian's
Chromium (fr-FR locale, 1440 x 1000, no request outside the server) and saves a PNG per page.

    python scripts/screenshots.py            # needs /usr/bin/chromium and the playwright package
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PAGES = [  # (file, address, heading to wait for, action)
    ("overview.png", "overview", "Vue d'ensemble", None),
    ("companies.png", "companies", "Entreprises et flux", None),
    ("partners.png", "partners", "Partenaires", None),
    ("pipeline.png", "pipeline", "Suivi des synergies", None),
    ("scenarios.png", "scenarios", "Scénarios", "Calculer et comparer"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "SYMBIOSE_LANGUAGE": "fr", "STREAMLIT_SERVER_HEADLESS": "true"}
        server = subprocess.Popen([sys.executable, "-m", "symbiose.cli", "--database",
                                   f"sqlite:///{folder}/shots.db", "serve", "--port", str(port)],
                                  env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("symbiose serve did not start") from None
                    time.sleep(0.5)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--use-gl=swiftshader", "--enable-unsafe-swiftshader"],
                )  # fmt: skip
                context = browser.new_context(locale="fr-FR", viewport={"width": 1440, "height": 1000})
                context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                              else route.abort())  # fmt: skip
                page = context.new_page()
                for name, path, heading, action in PAGES:
                    page.goto(f"{base}/{path}", wait_until="domcontentloaded")
                    expect(page.locator("h1").first).to_be_visible(timeout=90_000)
                    if page.locator("h1").first.inner_text().strip() != heading:
                        print(f"note: {path} is titled {page.locator('h1').first.inner_text()!r}, not {heading!r}")
                    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)
                    if action:  # the ad-hoc scenario (landfill +50 EUR/t) against today's network
                        page.get_by_text("Inclure le scénario libre").click()
                        field = page.get_by_label("Variation du coût d'enfouissement (EUR/t)")
                        field.fill("50")
                        field.press("Enter")
                        page.wait_for_timeout(1000)
                        page.get_by_role("button", name=action).click()
                        expect(page.get_by_role("heading", name="Synergies gagnées et perdues")).to_be_visible(
                            timeout=180_000)  # fmt: skip
                        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)
                        page.get_by_role("heading", name="Indicateurs (par an)").scroll_into_view_if_needed()
                    page.wait_for_timeout(2500)  # maps draw on the next frames
                    page.screenshot(path=str(OUT / name))
                    print(OUT / name)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
