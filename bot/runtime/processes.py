"""Starting and stopping the assistant's processes: action server, Rasa server, web app.

`Stack` starts them in order, waits until each answers on its port, and stops them all (SIGTERM,
then SIGKILL after a grace period) when asked, when one of them dies, or on Ctrl-C. On Linux each
also gets SIGTERM from the kernel when the supervisor itself dies (`kill -9`, the OOM killer):
they run in process sessions of their own and would otherwise keep their ports.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import yaml

from bot.channels.configuration import describe, platform_credentials
from bot.runtime.settings import Settings, rasa_environment


@dataclass
class Service:
    name: str
    command: List[str]
    health_url: str
    description: str
    env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None


_WITH_DEFAULT = re.compile(r"^\$\{(\w+):-(.*)\}$")


def fill_in_environment(value: Any, environ: Mapping[str, str]) -> Any:
    """Replaces every value written `${NAME:-default}` by the environment's NAME or the default.

    Digits become a number (ports, database numbers), an empty value becomes None, anything
    else stays text (passwords). Plain `${NAME}` is left alone: Rasa fills that in itself.
    """
    if isinstance(value, dict):
        return {key: fill_in_environment(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_in_environment(item, environ) for item in value]
    match = _WITH_DEFAULT.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    filled = environ.get(match.group(1), match.group(2))
    if not filled:
        return None
    return int(filled) if filled.isdigit() else filled


def runtime_endpoints(settings: Settings) -> Path:
    """The endpoints file with this run's action-server URL and data folder filled in."""
    config = yaml.safe_load(settings.endpoints.read_text(encoding="utf-8")) or {}
    config = fill_in_environment(config, {**os.environ, **settings.extra_env})
    config.setdefault("action_endpoint", {})["url"] = settings.action_url
    store = config.get("tracker_store") or {}
    store = store.get("store") or store  # the store inside bot.stores.tracker_store.RedactingTrackerStore
    if store.get("type") == "SQL" and store.get("dialect", "sqlite") == "sqlite":
        store["db"] = str(settings.data_dir / Path(store.get("db", "conversations.db")).name)
    locks = config.get("lock_store") or {}
    if locks.get("type") == "bot.stores.lock_store.SQLiteLockStore":
        locks["db"] = str(settings.data_dir / Path(locks.get("db", "locks.db")).name)
    return _write_runtime_file(settings, "endpoints", settings.endpoints.name, config)


def _write_runtime_file(settings: Settings, kind: str, source: str, config: Dict) -> Path:
    """Writes this run's `<kind>.<rasa port>.yml` into the data folder; returns its path."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    target = settings.data_dir / f"{kind}.{settings.rasa_port}.yml"
    target.write_text(
        f"# Written by bot.runtime.processes from {source}; do not edit.\n" + yaml.safe_dump(config, sort_keys=False),
        encoding="utf-8",
    )
    target.chmod(0o600)  # it may hold passwords and tokens from the environment
    return target


def runtime_credentials(settings: Settings) -> Tuple[Path, str]:
    """The credentials file plus the messaging channels whose environment variables are set.

    Returns the file and a line saying which channels are on. No secret is written: the channels
    read theirs from the environment when the Rasa server starts them.
    """
    env = {**os.environ, **settings.extra_env}
    config = yaml.safe_load(settings.credentials.read_text(encoding="utf-8")) or {}
    for channel, entry in platform_credentials(env).items():
        config.setdefault(channel, entry)  # a deployer's own entry for the channel stays
    target = _write_runtime_file(settings, "credentials", f"{settings.credentials.name} and the environment", config)
    return target, describe(config, env)


def services(settings: Settings, model: Path, python: str = sys.executable) -> List[Service]:
    env = {"PYTHONPATH": str(settings.project), **rasa_environment(), **settings.extra_env}
    credentials, channels = runtime_credentials(settings)
    # The Rasa HTTP API (agents' replies) and the helpdesk's internal API need a token each;
    # without one set, every run gets a fresh random one.
    env.setdefault("RASA_API_TOKEN", os.environ.get("RASA_API_TOKEN") or secrets.token_urlsafe(32))
    env.setdefault("HELPDESK_SERVICE_TOKEN", os.environ.get("HELPDESK_SERVICE_TOKEN") or secrets.token_urlsafe(32))
    env.setdefault("HELPDESK_URL", settings.web_url)
    env.setdefault("BOT_DATA_DIR", str(settings.data_dir))  # e.g. the channels' reply addresses
    rasa_env = {"SANIC_WORKERS": str(settings.workers), **env}  # SANIC_WORKERS in extra_env wins
    return [
        Service(
            "action server",
            # = `python -m rasa_sdk`, with /metrics (bot/runtime/action_server.py)
            [python, "-m", "bot.runtime.action_server", "--actions", "actions", "--port", str(settings.action_port)],
            f"http://127.0.0.1:{settings.action_port}/health",
            f"custom actions on http://127.0.0.1:{settings.action_port}",
            env,
        ),
        Service(
            "rasa server",
            [
                # = `rasa run`, with the Rasa patches and the safeguards (bot/runtime/rasa_server.py)
                python, "-m", "bot.runtime.rasa_server", "run", "--model", str(model),
                "--endpoints", str(runtime_endpoints(settings)),
                "--credentials", str(credentials),
                "--interface", settings.host, "--port", str(settings.rasa_port),
                # The API token reaches Rasa through the environment (RASA_API_TOKEN), never the
                # command line, which every local user can read (bot.runtime.rasa_server).
                "--cors", "*", "--enable-api",
            ],
            f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/ready",  # every worker serves
            f"assistant on {settings.rasa_url} (REST: /webhooks/rest/webhook); {channels}",
            rasa_env,
        ),
        Service(
            "web app",
            [python, "-m", "bot", "webapp"],
            f"http://127.0.0.1:{settings.web_port}/health",
            f"demo page and widget on http://127.0.0.1:{settings.web_port}/",
            # BOT_DATA_DIR: the web app keeps tickets and counts where the stack keeps its data.
            {**env, "BOT_WEB_PORT": str(settings.web_port), "BOT_RASA_PORT": str(settings.rasa_port),
             "BOT_DATA_DIR": str(settings.data_dir)},
        ),
    ]


# `python -m bot serve <part>`: the stack's processes by the name a container gives them.
PARTS = {"actions": "action server", "rasa": "rasa server", "webapp": "web app"}
SHARED_TOKENS = ("RASA_API_TOKEN", "HELPDESK_SERVICE_TOKEN")


def shared_tokens_missing(environ: Mapping[str, str]) -> List[str]:
    """The tokens that processes running apart (containers) must all be given; a fresh random
    one per process, as `services` makes for one machine, would not match between them."""
    return [name for name in SHARED_TOKENS if not environ.get(name, "").strip()]


def serve_part(settings: Settings, part: str, model: Path, python: str = sys.executable) -> None:
    """Becomes one process of the stack, started exactly as `python -m bot run` starts it (same
    command, environment, endpoints and credentials files): in a container or a Kubernetes pod
    each process runs alone and the platform restarts it. Does not return."""
    service = next(s for s in services(settings, model, python) if s.name == PARTS[part])
    os.chdir(settings.project)
    os.execve(service.command[0], service.command, {**os.environ, **service.env})


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status < 500
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_taken(url: str) -> Optional[int]:
    """The port of `url` if some process already listens on it (so a service started there could
    not bind it, and the other process would answer its health checks instead)."""
    address = urllib.parse.urlsplit(url)
    if address.port is None:
        return None
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is free
        try:
            probe.bind((address.hostname or "127.0.0.1", address.port))
        except OSError:
            return address.port
    return None


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int, sig: int = signal.SIGTERM) -> Optional[Callable[[], None]]:
    """A `preexec_fn` that makes the kernel send `sig` to the child when the thread that started
    it ends (Linux `prctl(PR_SET_PDEATHSIG)`), or None elsewhere. SIGTERM, not SIGKILL: the Rasa
    server then stops its own Sanic workers, which do not inherit the setting. Only from the main
    thread, whose end is the supervisor's end (another thread may end while the stack runs)."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    # libc is loaded here, in the parent: between fork and exec the child should only make calls
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")

    def in_child() -> None:
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return  # the stack still stops its processes itself on Ctrl-C and SIGTERM
        if os.getppid() != parent:  # the supervisor died before the setting took effect
            os.kill(os.getpid(), sig)

    return in_child


class Stack:
    """The processes of one assistant, started together and stopped together."""

    def __init__(self, services: List[Service], cwd: Path, log_dir: Optional[Path] = None):
        self.services = services
        self.cwd = cwd
        self.log_dir = log_dir
        self._logs: List = []

    def start(self, timeout: float = 300.0, announce: Callable[[str], None] = lambda _: None) -> None:
        try:
            for service in self.services:
                announce(f"Starting the {service.name} ...")
                self._check_port_free(service)
                self._start(service)
                self._wait_ready(service, timeout)
                announce(f"  ready: {service.description}")
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def _check_port_free(service: Service) -> None:
        taken = port_taken(service.health_url)
        if taken is not None:
            raise RuntimeError(
                f"port {taken} for the {service.name} is taken by another process (an earlier `make run` "
                f"still running?). Stop it, or choose other ports with BOT_RASA_PORT, BOT_ACTION_PORT "
                f"and BOT_WEB_PORT"
            )

    def _start(self, service: Service) -> None:
        stdout = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            handle = open(self.log_dir / f"{service.name.replace(' ', '-')}.log", "ab")
            self._logs.append(handle)
            stdout = handle
        service.process = subprocess.Popen(
            service.command,
            cwd=self.cwd,
            env={**os.environ, **service.env},
            stdout=stdout,
            stderr=subprocess.STDOUT if stdout else None,
            start_new_session=True,
            preexec_fn=die_with_parent(os.getpid()),
        )

    def _wait_ready(self, service: Service, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(f"the {service.name} stopped while starting (exit code {service.process.returncode})")
            if _answers(service.health_url):
                return
            time.sleep(0.2)
        raise TimeoutError(f"the {service.name} did not answer within {timeout:.0f} s")

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stops one process abruptly (fault tests)."""
        process = self.service(name).process
        if process and process.poll() is None:
            os.killpg(process.pid, sig)
            process.wait()

    def restart(self, name: str, timeout: float = 240.0) -> None:
        service = self.service(name)
        self.kill(name, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while port_taken(service.health_url) is not None and time.monotonic() < deadline:
            time.sleep(0.1)  # its worker processes may still hold the port for a moment
        self._check_port_free(service)
        self._start(service)
        self._wait_ready(service, timeout)

    def failed(self) -> Optional[Service]:
        return next((s for s in self.services if s.process and s.process.poll() is not None), None)

    def stop(self, grace: float = 10.0) -> None:
        for service in reversed(self.services):
            if service.process and service.process.poll() is None:
                try:
                    os.killpg(service.process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for service in self.services:
            if service.process is None:
                continue
            try:
                service.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(service.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                service.process.wait()
        for handle in self._logs:
            handle.close()
        self._logs.clear()

    def __enter__(self) -> "Stack":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def run_forever(stack: Stack) -> int:
    """Keeps the stack in the foreground until Ctrl-C / SIGTERM or until a process dies. Ctrl-C or
    SIGTERM while it starts stops what was started so far (the processes run in sessions of their
    own: they would outlive this one)."""
    stopping: Dict[str, Any] = {"signal": None, "started": False}

    def on_signal(signum, frame):  # noqa: ARG001
        if not stopping["started"]:
            raise KeyboardInterrupt  # Stack.start stops what it started, then it reaches us
        stopping["signal"] = signum

    previous = {number: signal.signal(number, on_signal) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            stack.start(announce=lambda line: print(line, flush=True))
        except (RuntimeError, TimeoutError) as problem:
            print(f"Could not start: {problem}", file=sys.stderr, flush=True)
            return 1
        except KeyboardInterrupt:
            print("Stopped while starting.", file=sys.stderr, flush=True)
            return 1
        stopping["started"] = True
        print("All running. Press Ctrl-C to stop.", flush=True)
        while stopping["signal"] is None:
            dead = stack.failed()
            if dead is not None:
                print(f"The {dead.name} stopped (exit code {dead.process.returncode}); stopping the rest.", file=sys.stderr, flush=True)
                stack.stop()
                return 1
            time.sleep(0.5)
        print("Stopping ...", flush=True)
        stack.stop()
        return 0
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
