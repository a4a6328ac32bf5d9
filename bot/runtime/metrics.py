"""Metrics for operators (Prometheus), without personal data.

Each process says what only it knows, on `GET /metrics` in Prometheus' text format:

- the Rasa server: user messages per channel, language and intent; seconds from a user's message
  to the assistant's last answer to it; fallbacks (the assistant did not understand, or a part of
  it failed and the user was told so). Counted from the events the tracker store saves, so every
  channel counts the same way. Its Sanic workers are processes of their own: they write their
  counts to files in shared memory (prometheus-client's multiprocess mode, switched on by
  `serve_from_rasa_server` when the server starts) and whichever worker answers the scrape adds
  them up.
- the action server: custom-action calls per action, channel and language; their duration; the
  calls that failed; handoffs to a person;
- the web app: the helpdesk outbox's backlog (deliveries not yet made).

Labels are only ever a channel name, a two-letter language, an intent or action name of the
domain, or a small status word: never a sender id, a text or anything a user typed. A label value
outside the expected shapes becomes "other", so a user cannot grow the number of series either.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Tuple

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

CHANNELS = frozenset({"rest", "socketio", "whatsapp", "telegram", "cmdline"})
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
SHARED_MEMORY = Path("/dev/shm")
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "utter_action_unavailable"})
HANDOFF_ACTION = "action_handoff"
# Seconds: a rule answer takes ~0.05 s, a busy server a few seconds; the action timeout is 4 s.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


def channel_label(channel: Optional[str]) -> str:
    return channel if channel in CHANNELS else "other"


def language_label(language: Any) -> str:
    return language if isinstance(language, str) and _LANGUAGE.match(language) else "unknown"


def name_label(name: Any) -> str:
    """An intent or action name of the domain (lower-case identifiers), else "other"."""
    return name if isinstance(name, str) and _NAME.match(name) else "other"


def exposition(registry: CollectorRegistry) -> Tuple[bytes, str]:
    """The body and content type of a `/metrics` answer."""
    return generate_latest(registry), CONTENT_TYPE_LATEST


class ConversationMetrics:
    """What the Rasa server counts, from the new events of each saved conversation."""

    def __init__(self, registry: Optional[CollectorRegistry] = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.messages = Counter(
            "werkwijzer_messages", "User messages", ("channel", "language", "intent"), registry=self.registry
        )
        self.answer_seconds = Histogram(
            "werkwijzer_answer_seconds", "Seconds from a user message to the last answer to it", ("channel",),
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.fallbacks = Counter(
            "werkwijzer_fallbacks", "Messages not understood, or answered with 'a part is not working'",
            ("channel", "language"), registry=self.registry,
        )

    def observe(self, new_events: Iterable[Any], language: Any) -> None:
        """Counts the user messages among `new_events` (Rasa events, oldest first) and what
        followed each; `language` is the conversation's language after them."""
        turn: Optional[Tuple[str, float]] = None
        last_answer: Optional[float] = None
        fallback = False
        language = language_label(language)

        def close() -> None:
            if turn is None:
                return
            if last_answer is not None:
                self.answer_seconds.labels(turn[0]).observe(max(0.0, last_answer - turn[1]))
            if fallback:
                self.fallbacks.labels(turn[0], language).inc()

        for event in new_events:
            kind = getattr(event, "type_name", "")
            if kind == "user":
                close()
                channel = channel_label(getattr(event, "input_channel", None))
                intent = (getattr(event, "intent", None) or {}).get("name")
                self.messages.labels(channel, language, name_label(intent)).inc()
                turn, last_answer, fallback = (channel, float(event.timestamp)), None, intent in FALLBACK_INTENTS
            elif kind == "bot" and turn is not None:
                last_answer = float(event.timestamp)
                fallback = fallback or (getattr(event, "metadata", None) or {}).get("utter_action") in FALLBACK_ACTIONS
            elif kind == "action" and turn is not None:
                fallback = fallback or getattr(event, "action_name", None) in FALLBACK_ACTIONS
        close()


class ActionMetrics:
    """What the action server counts, per call of a custom action."""

    def __init__(self, registry: Optional[CollectorRegistry] = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.calls = Counter(
            "werkwijzer_action_calls", "Custom-action calls", ("action", "channel", "language", "status"),
            registry=self.registry,
        )
        self.seconds = Histogram(
            "werkwijzer_action_seconds", "Seconds a custom action took", ("action",),
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.errors = Counter(
            "werkwijzer_action_errors", "Custom-action calls that failed (answer 5xx)", ("action",),
            registry=self.registry,
        )
        self.handoffs = Counter(
            "werkwijzer_handoffs", "Conversations handed to a person", ("channel", "language"), registry=self.registry
        )

    def observe(self, call: Mapping[str, Any], status: int, seconds: float) -> None:
        """One answered call: `call` is the JSON Rasa sent (`next_action`, `tracker`)."""
        action = name_label(call.get("next_action"))
        tracker = call.get("tracker") if isinstance(call.get("tracker"), Mapping) else {}
        slots = tracker.get("slots") if isinstance(tracker.get("slots"), Mapping) else {}
        channel = channel_label(tracker.get("latest_input_channel"))
        language = language_label(slots.get("language"))
        outcome = "ok" if status < 400 else ("rejected" if status < 500 else "error")
        self.calls.labels(action, channel, language, outcome).inc()
        self.seconds.labels(action).observe(max(0.0, seconds))
        if status >= 500:
            self.errors.labels(action).inc()
        if action == HANDOFF_ACTION and status < 400:
            self.handoffs.labels(channel, language).inc()


class HelpdeskMetrics:
    """What the web app reports: measured when scraped, from the helpdesk's store."""

    def __init__(self, registry: Optional[CollectorRegistry] = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.outbox_backlog = Gauge(
            "werkwijzer_outbox_backlog", "Helpdesk deliveries (to users, to an external helpdesk) not yet made",
            registry=self.registry,
        )

    def update(self, outbox_status: Mapping[str, int]) -> None:
        self.outbox_backlog.set(outbox_status.get("pending", 0))


def multiprocess_registry() -> CollectorRegistry:
    """A registry that adds up what every worker wrote (multiprocess mode), for `/metrics`."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def share_between_workers(server_id: str, shared_memory: Path = SHARED_MEMORY) -> None:
    """Makes every worker of this Rasa server write its counts to a folder of this server's start
    in shared memory (prometheus-client's multiprocess mode), so that `/metrics` adds up all
    workers. Removes the folder when the server stops, and the folders of servers that were
    killed. An operator's own `PROMETHEUS_MULTIPROC_DIR` wins."""
    from prometheus_client import values

    from bot.stores.shared_state import process_is_running, usable

    if not os.environ.get(MULTIPROCESS_VARIABLE):
        folder = shared_memory if usable(shared_memory) else Path(tempfile.gettempdir())
        for stale in folder.glob("werkwijzer-metrics-*"):
            pid = stale.name.split("-")[2]
            if pid.isdigit() and not process_is_running(int(pid)):
                shutil.rmtree(stale, ignore_errors=True)
        mine = folder / f"werkwijzer-metrics-{server_id}"
        mine.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ[MULTIPROCESS_VARIABLE] = str(mine)
        server = os.getpid()
        atexit.register(lambda: os.getpid() == server and shutil.rmtree(mine, ignore_errors=True))
    values.ValueClass = values.get_value_class()  # chosen when prometheus-client was imported


def install_rasa_route() -> None:
    """`GET /metrics` on the Rasa server, added to the app Rasa creates: outside /webhooks/, so
    the ingress does not publish it. Like /health it needs no token: it holds no personal data."""
    import rasa.server

    if getattr(rasa.server.create_app, "_werkwijzer_metrics", False):
        return
    create_app = rasa.server.create_app

    def create_app_with_metrics(*args: Any, **kwargs: Any) -> Any:
        from sanic import response

        app = create_app(*args, **kwargs)

        @app.get("/metrics")
        async def metrics(_request: Any) -> Any:
            body, content_type = exposition(multiprocess_registry())
            return response.raw(body, content_type=content_type)

        return app

    create_app_with_metrics._werkwijzer_metrics = True  # type: ignore[attr-defined]
    rasa.server.create_app = create_app_with_metrics


def serve_from_rasa_server(server_id: str) -> None:
    """What the Rasa server process does for metrics before Rasa starts (`bot.runtime.rasa_server`)."""
    share_between_workers(server_id)
    install_rasa_route()
