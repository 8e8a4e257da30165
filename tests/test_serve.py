"""`symbiose serve`: listens on this computer only by default; refuses an open demo on the network.

The server is started for real (Streamlit on a free port) and the socket it listens on is read
from the kernel's table (/proc/net/tcp): its local address must be 127.0.0.1, not 0.0.0.0.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import free_port, stop

from symbiose import db
from symbiose.cli import main

ROOT = Path(__file__).resolve().parents[1]
PROC_TCP = Path("/proc/net/tcp")


def _listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on ``port`` (state 0A in /proc/net/tcp)."""
    found = set()
    for line in PROC_TCP.read_text().splitlines()[1:]:
        fields = line.split()
        address, port_hex = fields[1].split(":")
        if int(port_hex, 16) == port and fields[3] == "0A":
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


@pytest.fixture
def demo_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    engine = db.ensure_database(url)
    with db.session_factory(engine)() as s, s.begin():
        db.load_demo(s)
    engine.dispose()
    return url


@pytest.mark.skipif(not PROC_TCP.is_file(), reason="reads the Linux socket table")
def test_serve_binds_to_loopback_by_default(demo_url, tmp_path):
    port = free_port()
    env = {**os.environ, "STREAMLIT_SERVER_HEADLESS": "true", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = (tmp_path / "serve.log").open("w")
    command = [sys.executable, "-m", "symbiose.cli", "--database", demo_url, "serve", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _listening_addresses(port):
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "serve did not listen within 60 s"
            time.sleep(0.2)
        assert _listening_addresses(port) == {"127.0.0.1"}
        # the server it became states the import's own upload limit (50 MiB), not Streamlit's 200 MB
        arguments = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert b"--server.maxUploadSize=50" in arguments and b"--client.toolbarMode=viewer" in arguments
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # it answers on this computer
    finally:
        stop(proc)
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert f"http://127.0.0.1:{port}" in text
    # stopping `symbiose serve` stops the server itself (no Streamlit left running without a parent)
    assert not _listening_addresses(port)


def test_serve_refuses_an_open_demo_on_the_network(demo_url):
    result = CliRunner().invoke(main, ["--database", demo_url, "serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 1
    assert "--demo" in result.output and "Traceback" not in result.output

