"""Settings of a running assistant, read from the environment once, then passed in."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, Mapping, Optional

PROJECT_DIRECTORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    project: Path = PROJECT_DIRECTORY
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    data_dir: Path = PROJECT_DIRECTORY / "var"
    endpoints: Path = PROJECT_DIRECTORY / "endpoints.yml"
    credentials: Path = PROJECT_DIRECTORY / "credentials.yml"
    # Sanic worker processes of the Rasa server (SANIC_WORKERS); each loads the model (~570 MB).
    workers: int = 1
    # BOT_MARK_UNREVIEWED=1: answers whose text no native speaker reviewed say so (docs/content.md).
    mark_unreviewed: bool = False
    extra_env: Mapping[str, str] = field(default_factory=dict)
    # Where the processes reach each other when they do not share a machine (containers,
    # Kubernetes): BOT_RASA_URL, BOT_ACTION_URL, BOT_WEB_URL; empty means 127.0.0.1 and the port.
    rasa_address: str = ""
    action_address: str = ""
    web_address: str = ""

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if environ is None else environ
        project = Path(env.get("BOT_PROJECT_DIR", PROJECT_DIRECTORY))
        return cls(
            project=project,
            host=env.get("BOT_HOST", "127.0.0.1"),
            rasa_port=int(env.get("BOT_RASA_PORT", 5005)),
            action_port=int(env.get("BOT_ACTION_PORT", 5055)),
            web_port=int(env.get("BOT_WEB_PORT", 8080)),
            data_dir=Path(env.get("BOT_DATA_DIR", project / "var")),
            endpoints=Path(env.get("BOT_ENDPOINTS", project / "endpoints.yml")),
            credentials=Path(env.get("BOT_CREDENTIALS", project / "credentials.yml")),
            workers=int(env.get("SANIC_WORKERS") or default_workers()),
            mark_unreviewed=env.get("BOT_MARK_UNREVIEWED", "").strip().lower() in {"1", "true", "yes", "on"},
            rasa_address=env.get("BOT_RASA_URL", "").rstrip("/"),
            action_address=env.get("BOT_ACTION_URL", "").rstrip("/"),
            web_address=env.get("BOT_WEB_URL", "").rstrip("/"),
        )

    def with_ports(self, rasa: int, action: int, web: int) -> "Settings":
        return replace(self, rasa_port=rasa, action_port=action, web_port=web)

    @property
    def rasa_url(self) -> str:
        return self.rasa_address or f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"{self.action_address or f'http://127.0.0.1:{self.action_port}'}/webhook"

    @property
    def web_url(self) -> str:
        return self.web_address or f"http://127.0.0.1:{self.web_port}"


# The environment every Rasa process of the project gets, unless the environment says otherwise:
# no usage data sent to Rasa (a self-hosted assistant for people in a vulnerable position calls
# no one; the machines may have no internet, and Rasa's telemetry waits for it when the server
# starts), and no TensorFlow notices about CUDA in the logs (Rasa imports TensorFlow).
def default_workers() -> int:
    """One Sanic worker per core, at most two: each worker is a process with its own copy of the
    model (~570 MB). What the workers share is in SQLite files (`bot.stores.shared_state`)."""
    return max(1, min(2, os.cpu_count() or 1))


RASA_ENVIRONMENT = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def rasa_environment(environ: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """`RASA_ENVIRONMENT`, with the values `environ` (default: the process's) already sets."""
    env = os.environ if environ is None else environ
    return {name: env.get(name, default) for name, default in RASA_ENVIRONMENT.items()}
