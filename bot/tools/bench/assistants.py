"""The two assistants of the benchmark: a plain `rasa init` assistant (the baseline) and this one.

Both are started with `bot.runtime.processes.Stack`, so they start and stop like `python -m bot run`; the
time from starting each process to its first answer on its health address is recorded.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot.runtime.processes import Service, Stack, services
from bot.runtime.settings import Settings, rasa_environment
from bot.runtime.training import inputs_hash, train

REST_PATH = "/webhooks/rest/webhook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class TrainedModel:
    name: str
    model: Path
    training_seconds: float
    trained_on: str  # when the training time was measured (it is cached with the model)


@dataclass
class Running:
    """A started assistant: its stack, REST address, and seconds from start to ready per process."""

    name: str
    stack: Stack
    rest_url: str
    ready_seconds: Dict[str, float] = field(default_factory=dict)

    def pids(self) -> Dict[str, int]:
        return {s.name: s.process.pid for s in self.stack.services if s.process is not None}


def _rasa_version(python: str) -> str:
    return subprocess.run(
        [python, "-c", "import rasa; print(rasa.__version__)"], capture_output=True, text=True, check=True
    ).stdout.strip()


def baseline_model(cache: Path, python: str = sys.executable, announce=print) -> TrainedModel:
    """A `rasa init --no-prompt` assistant made and trained with this Rasa, cached by Rasa version."""
    version = _rasa_version(python)
    folder = cache / f"rasa-init-{version}"
    record = folder / "training.json"
    models = sorted((folder / "project" / "models").glob("*.tar.gz"))
    if record.exists() and models:
        saved = json.loads(record.read_text(encoding="utf-8"))
        return TrainedModel("rasa init", models[-1], saved["seconds"], saved["measured"])
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "project").mkdir(parents=True)
    announce(f"Making and training the `rasa init` assistant (Rasa {version}; once, then cached) ...")
    started = time.monotonic()
    subprocess.run(
        [python, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(folder / "project")],
        cwd=folder, check=True, env={**os.environ, **rasa_environment()}, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    seconds = time.monotonic() - started
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    record.write_text(json.dumps({"seconds": seconds, "measured": measured}), encoding="utf-8")
    model = sorted((folder / "project" / "models").glob("*.tar.gz"))[-1]
    return TrainedModel("rasa init", model, seconds, measured)


def project_model(project: Path, cache: Path, python: str = sys.executable, announce=print) -> TrainedModel:
    """This assistant's model (trained by `bot.runtime.training` if needed) and the time a training
    takes, measured once per state of the training inputs (in a scratch folder, so the
    project's models/ is left alone)."""
    model = train(project, python=python)
    record = cache / f"project-training-{inputs_hash(project)}.json"
    if not record.exists():
        announce("Timing a training of this assistant (once per change of data or config) ...")
        scratch = cache / "scratch-models"
        shutil.rmtree(scratch, ignore_errors=True)
        started = time.monotonic()
        subprocess.run(
            [python, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain", "--data", "data",
             "--out", str(scratch)],
            cwd=project, check=True, env={**os.environ, **rasa_environment()}, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        shutil.rmtree(scratch, ignore_errors=True)
        measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        cache.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"seconds": time.monotonic() - started, "measured": measured}), encoding="utf-8")
    saved = json.loads(record.read_text(encoding="utf-8"))
    return TrainedModel("Werkwijzer", model, saved["seconds"], saved["measured"])


def _start(name: str, stack: Stack, rest_url: str) -> Running:
    running = Running(name, stack, rest_url)
    began: Dict[str, float] = {}

    def clock(line: str) -> None:
        for service in stack.services:
            if line == f"Starting the {service.name} ...":
                began[service.name] = time.monotonic()
            elif line.startswith("  ready: ") and service.name in began and service.name not in running.ready_seconds:
                running.ready_seconds[service.name] = time.monotonic() - began[service.name]
                break

    stack.start(timeout=600, announce=clock)
    return running


def start_baseline(trained: TrainedModel, data_dir: Path, python: str = sys.executable) -> Running:
    project = trained.model.parent.parent
    port = free_port()
    service = Service(
        "rasa server",
        [python, "-m", "rasa", "run", "--model", str(trained.model), "--port", str(port),
         "--interface", "127.0.0.1", "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
        f"http://127.0.0.1:{port}/",
        "the rasa init assistant",
        rasa_environment(),  # as this assistant's: no telemetry calls to the internet
    )
    stack = Stack([service], project, log_dir=data_dir / "logs-baseline")
    return _start("rasa init", stack, f"http://127.0.0.1:{port}{REST_PATH}")


def start_project(
    trained: TrainedModel,
    settings: Settings,
    data_dir: Path,
    extra_env: Optional[Dict[str, str]] = None,
    with_web_app: bool = False,
) -> Running:
    """Starts the action server and the Rasa server (the web app only when asked: the REST
    channel does not use it)."""
    settings = dataclasses.replace(
        settings.with_ports(free_port(), free_port(), free_port()),
        data_dir=data_dir / "project",
        extra_env={**settings.extra_env, **(extra_env or {})},
    )
    chosen: List[Service] = [s for s in services(settings, trained.model) if with_web_app or s.name != "web app"]
    stack = Stack(chosen, settings.project, log_dir=data_dir / "logs-project")
    return _start("Werkwijzer", stack, f"{settings.rasa_url}{REST_PATH}")
