"""The supervisor (`python -m bot run`) and its processes live and die together.

Its processes run in process sessions of their own (so that Ctrl-C reaches only the supervisor,
which stops them in order). When the supervisor is killed outright (`kill -9`, the OOM killer) it
cannot stop them: the kernel does (`bot.runtime.processes.die_with_parent`), so the ports are free
again for the next `make run`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest

from bot.channels.configuration import PLATFORM_CHANNELS
from bot.runtime.processes import port_taken
from bot.tools.bench.memory import children
from tests.conftest import PROJECT, free_port

pytestmark = pytest.mark.server

TOKEN = "a-rasa-api-token-only-in-the-environment-0123"


def descendants(pid: int) -> List[int]:
    found: List[int] = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def wait_for(condition, seconds: float) -> bool:
    """Polls `condition` until it holds or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_killing_the_supervisor_frees_every_port_within_ten_seconds(tmp_path):
    ports: Dict[str, str] = {name: str(free_port()) for name in ("BOT_RASA_PORT", "BOT_ACTION_PORT", "BOT_WEB_PORT")}
    channels_off = {v: "" for c in PLATFORM_CHANNELS for v in c.required + c.optional}
    env = {
        **os.environ, **channels_off, **ports,
        "BOT_DATA_DIR": str(tmp_path), "SANIC_WORKERS": "2", "RASA_API_TOKEN": TOKEN,
        "HELPDESK_AGENT_TOKEN": "agent-token-for-tests",
    }
    log = tmp_path / "supervisor.log"
    with open(log, "wb") as output:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    started: List[int] = []
    try:
        assert wait_for(lambda: b"All running." in log.read_bytes() or supervisor.poll() is not None, 300), "not started"
        assert supervisor.poll() is None, log.read_text(errors="replace")
        started = descendants(supervisor.pid)
        assert len(started) >= 4  # action server, Rasa server and its second worker, web app
        # the API token is in the environment of the Rasa server, not on any command line
        assert not [pid for pid in started if TOKEN in command_line(pid)]
        urls = [f"http://127.0.0.1:{port}/" for port in ports.values()]
        assert all(port_taken(url) for url in urls)

        os.kill(supervisor.pid, signal.SIGKILL)
        supervisor.wait()
        assert wait_for(lambda: not any(port_taken(url) for url in urls), 10), [u for u in urls if port_taken(u)]

        def alive():
            return {pid: command_line(pid) for pid in started if command_line(pid)}

        assert wait_for(lambda: not alive(), 10), alive()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
        for pid in started:  # only if the test failed: never leave our own processes behind
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
