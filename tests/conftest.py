"""Shared fixtures: the project, rasa-sdk tracker/dispatcher/domain, and a running assistant."""

from __future__ import annotations

import dataclasses
import json
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Iterator, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.channels.configuration import PLATFORM_CHANNELS
from bot.channels.platform import PlatformHttp
from bot.runtime.processes import Stack, services
from bot.runtime.settings import PROJECT_DIRECTORY, Settings
from bot.runtime.training import model_path, train
from tests.fakes.telegram import FakeTelegram
from tests.fakes.whatsapp import FakeWhatsApp

PROJECT = PROJECT_DIRECTORY
HELPDESK_AGENT_TOKEN = "agent-token-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def project() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The domain as rasa-sdk receives it: all files of domain/ merged."""
    merged: Dict[str, Any] = {"intents": [], "responses": {}, "slots": {}, "actions": []}
    for path in sorted((PROJECT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged["intents"] += part.get("intents", [])
        merged["actions"] += part.get("actions", [])
        merged["responses"].update(part.get("responses", {}))
        merged["slots"].update(part.get("slots", {}))
    return merged


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(
    intent: Optional[str] = None,
    text: str = "",
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "test-user",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entities or [],
    }
    return Tracker(sender_id, slots or {}, latest, [], False, None, {}, "action_listen")


@pytest.fixture
def tracker_for():
    """Builds a rasa-sdk Tracker for an intent, text and slots."""
    return make_tracker


class Assistant:
    """A running assistant, talked to through its REST channel like a client would."""

    def __init__(self, settings: Settings, stack: Stack):
        self.settings = settings
        self.stack = stack

    @property
    def webhook(self) -> str:
        return f"{self.settings.rasa_url}/webhooks/rest/webhook"

    def post_raw(self, body: bytes, content_type: str = "application/json"):
        return self.request(self.webhook, body, {"Content-Type": content_type})

    def request(self, url: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None,
                method: Optional[str] = None):
        """Any HTTP request; returns (status, body bytes) also for 4xx/5xx answers."""
        request = urllib.request.Request(
            url, data=body, headers=headers or {}, method=method or ("POST" if body is not None else "GET")
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def say(self, sender: str, message: str, metadata: Optional[dict] = None) -> List[Dict[str, Any]]:
        body = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        status, raw = self.post_raw(json.dumps(body).encode())
        assert status == 200, (status, raw)
        return json.loads(raw)

    def text(self, sender: str, message: str, **kwargs) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message, **kwargs))


def start_assistant(
    data_dir: Path, model: Optional[Path] = None, env: Optional[Dict[str, str]] = None
) -> Assistant:
    """A running stack; `env` adds environment variables (e.g. channels pointed at local fakes)."""
    model = model or model_path(PROJECT)
    if not model.exists():
        model = train(PROJECT)
    settings = Settings.from_env({}).with_ports(free_port(), free_port(), free_port())
    # Messaging channels are off unless `env` turns them on: never the developer's real accounts.
    channels_off = {v: "" for c in PLATFORM_CHANNELS for v in c.required + c.optional}
    helpdesk = {"HELPDESK_AGENT_TOKEN": HELPDESK_AGENT_TOKEN, "HELPDESK_OFFICE_HOURS": "always"}
    settings = dataclasses.replace(settings, data_dir=data_dir, extra_env={**channels_off, **helpdesk, **(env or {})})
    stack = Stack(services(settings, model), PROJECT, log_dir=data_dir / "logs")
    stack.start(timeout=240)
    return Assistant(settings, stack)


@pytest.fixture
async def platform_http() -> AsyncIterator[PlatformHttp]:
    """The HTTP session a messaging channel sends with, closed after the test."""
    http = PlatformHttp("test")
    yield http
    await http.close()


@pytest.fixture(scope="session")
def fake_whatsapp() -> Iterator[FakeWhatsApp]:
    """A local fake of the WhatsApp Cloud API; the session's assistant sends to it."""
    fake = FakeWhatsApp().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegram]:
    """A local fake of the Telegram Bot API; the session's assistant sends to it."""
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, fake_whatsapp, fake_telegram) -> Iterator[Assistant]:
    """One running assistant (action server, Rasa server, web app) for the whole session,
    with its WhatsApp and Telegram channels pointed at the local fakes."""
    running = start_assistant(
        tmp_path_factory.mktemp("assistant"), env={**fake_whatsapp.env, **fake_telegram.env}
    )
    yield running
    running.stack.stop()


TIERS = ("unit", "model", "stack", "browser")
STACK_FIXTURES = {"assistant", "stack"}


def pytest_collection_modifyitems(config, items) -> None:
    """Every test gets one tier marker (pyproject.toml): browser for tests/browser, stack for
    tests that start the assistant (`server`, or an `assistant`/`stack` fixture), model where a
    module says so, else unit."""
    for item in items:
        if any(item.get_closest_marker(tier) for tier in TIERS):
            continue
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
        elif item.get_closest_marker("server") or STACK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.stack)
        else:
            item.add_marker(pytest.mark.unit)
