"""Metrics for operators (Prometheus), without personal data.

Each process says what only it knows, on `GET /metrics` in Prometheus' text format:

- the Rasa server: user messages per channel, language and intent; seconds from a user's message
  to the assistant's last answer to it; fallbacks (the assistant did not understand, or a part of
  it failed and the user was told so). Counted from the events the tracker store saves, so every
  channel counts the same way. Its Sanic workers are processes of their own: they write their
  counts to files in shared memory (prometheus-client's multiprocess mode, switched on by
  `bot.runtime.rasa_server` before anything imports this module) and whichever worker answers the
  scrape adds them up.
- the action server: custom-action calls per action, channel and language; their duration; the
  calls that failed; handoffs to a person;
- the web app: the helpdesk outbox's backlog (deliveries not yet made).

Labels are only ever a channel name, a two-letter language, an intent or action name of the
domain, or a small status word: never a sender id, a text or anything a user typed. A label value
outside the expected shapes becomes "other", so a user cannot grow the number of series either.
"""

from __future__ import annotations

import re
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
