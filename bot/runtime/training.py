"""Training, cached by the hash of everything the model is made from."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List, Optional

from bot.runtime.settings import rasa_environment

MODEL_PREFIX = "werkwijzer-"
# Inputs of the model: training data, domain, pipeline, and the code of our own NLU components.
TRAINING_INPUTS = ("config.yml", "domain", "data", "bot/nlu/language_id.py", "bot/nlu/normalise.py",
                   "bot/content/spelling.py")


def _files(project: Path, inputs: Iterable[str]) -> List[Path]:
    files: List[Path] = []
    for name in inputs:
        path = project / name
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            files.append(path)
    return files


def inputs_hash(project: Path, inputs: Iterable[str] = TRAINING_INPUTS) -> str:
    digest = hashlib.sha256()
    for path in _files(project, inputs):
        digest.update(str(path.relative_to(project)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(project: Path) -> Path:
    return project / "models" / f"{MODEL_PREFIX}{inputs_hash(project)}.tar.gz"


def train(project: Path, force: bool = False, python: Optional[str] = None) -> Path:
    """Trains when no model exists for the current inputs; returns the model's path."""
    target = model_path(project)
    if target.exists() and not force:
        print(f"Model is up to date: {target.relative_to(project)}", flush=True)
        return target
    print(f"Training the model (inputs changed) -> {target.relative_to(project)}", flush=True)
    command = [
        python or sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain", "--data", "data",
        "--out", "models", "--fixed-model-name", target.name[: -len(".tar.gz")],
    ]
    subprocess.run(command, cwd=project, check=True, env={**os.environ, **rasa_environment()})
    for old in (project / "models").glob(f"{MODEL_PREFIX}*.tar.gz"):
        if old != target:
            old.unlink()
    return target
