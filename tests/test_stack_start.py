"""Starting the assistant's processes when a port is already taken (an earlier `make run` left
running, another program): a clear message and no "All running", never a stack that seems to run
while the old process answers in its place."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from typing import Iterator

import pytest

from bot.runtime.processes import Service, Stack, port_taken, run_forever
from tests.conftest import PROJECT, free_port


def web_server(port: int) -> Service:
    return Service(
        "web app", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        f"http://127.0.0.1:{port}/", f"files on http://127.0.0.1:{port}/",
    )


@pytest.fixture
def stale() -> Iterator[int]:
    """A process already answering on a port, as an earlier run left it."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while port_taken(f"http://127.0.0.1:{port}/") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
        yield port
    finally:
        process.kill()
        process.wait()


def test_a_taken_port_stops_the_start_with_a_clear_message(stale, capsys):
    service = web_server(stale)
    assert run_forever(Stack([service], PROJECT)) == 1
    printed = capsys.readouterr()
    assert f"Could not start: port {stale} for the web app is taken by another process" in printed.err
    assert "BOT_WEB_PORT" in printed.err
    assert "All running" not in printed.out
    assert service.process is None, "nothing was started on the taken port"


def test_a_free_port_starts_and_stops(tmp_path):
    port = free_port()
    assert port_taken(f"http://127.0.0.1:{port}/") is None
    stack = Stack([web_server(port)], tmp_path)
    stack.start(timeout=60)
    try:
        assert port_taken(f"http://127.0.0.1:{port}/") == port
    finally:
        stack.stop()
    assert port_taken(f"http://127.0.0.1:{port}/") is None


def test_sigterm_while_starting_stops_what_was_started(tmp_path):
    """SIGTERM arrives while the second service is still starting: the first is stopped too."""
    import os
    import signal
    import threading

    first, second = web_server(free_port()), Service(
        "slow service", [sys.executable, "-c", "import time; time.sleep(600)"],
        f"http://127.0.0.1:{free_port()}/", "never ready",
    )
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(3.0, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        assert run_forever(Stack([first, second], tmp_path)) == 1
    finally:
        timer.cancel()
    assert first.process.poll() is not None and second.process.poll() is not None
    assert signal.getsignal(signal.SIGTERM) == before, "the signal handlers are given back"
