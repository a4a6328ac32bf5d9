"""Turning the assistant's events into counts that name no one.

The event broker (`bot.helpdesk.broker`) passes every new Rasa event to the web app; `Counting`
turns each into increments of aggregate cells (day, language, channel, topic) → measure, and a
message that the assistant did not understand, or a question whose answer was "not helpful", into
an unanswered question (redacted later).
Nothing it returns holds a conversation id.

Counting conversations without keeping ids: a conversation is counted in a cell when its first
event of the day in that cell arrives. What is remembered for that is a keyed hash
(HMAC-SHA256) of (conversation id, cell) with a secret made for the day; at the next day the
secret and the hashes are thrown away, so yesterday's hashes cannot be linked to anyone. Both live
only in this process's memory (docs/analytics.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Set, Tuple

MEASURES = (
    "conversations", "messages", "answers", "fallbacks", "handoffs", "checks_completed", "crisis_answers",
    "helpful", "not_helpful",
)
ALL = "*"  # a cell over every value of a dimension ("every channel")
GENERAL_TOPIC = "general"
UNKNOWN = "unknown"
# Messages without an answer about content, and why: not understood, or understood as off-topic.
UNANSWERED_INTENTS = {"nlu_fallback": "not understood", "out_of_scope": "out of scope"}
# The buttons of "Was this helpful?" (actions/feedback.py).
FEEDBACK_INTENTS = {"feedback_helpful": "helpful", "feedback_not_helpful": "not_helpful"}
NOT_HELPFUL = "not helpful"
HANDOFF_ACTION = "action_handoff"
CRISIS_ANSWER = "utter_emergency"
LANGUAGE_SLOT = "language"
# The topic whose answer was given: set by the topic answers and by the checks' outcome actions
# (actions/answers.py `send_answer`), also when the message's intent is a check's, not the topic's.
TOPIC_SLOT = "last_topic"
# The cells each event counts in: every combination that the stats page and API show.
ROLLUPS = (
    (True, True, True), (True, False, True), (True, False, False), (False, False, True), (False, True, False),
    (False, False, False),
)
MAX_CONVERSATIONS_IN_MEMORY = 100_000
LAST_TIMESTAMP = 32_503_680_000  # the year 3000: later "timestamps" are not times


@dataclass(frozen=True, order=True)
class Cell:
    """One aggregate: a day and (possibly ALL) language, channel and topic."""

    day: str
    language: str
    channel: str
    topic: str


@dataclass
class Unanswered:
    """A message that got no answer: its day, language and (unredacted) text; no sender."""

    day: str
    language: str
    reason: str
    text: str


@dataclass
class Counted:
    """What one batch of events adds."""

    increments: Dict[Tuple[Cell, str], int] = field(default_factory=dict)
    unanswered: List[Unanswered] = field(default_factory=list)

    def add(self, cell: Cell, measure: str, amount: int = 1) -> None:
        self.increments[(cell, measure)] = self.increments.get((cell, measure), 0) + amount


@dataclass
class ConversationState:
    """What the counts need to know of a conversation between its events."""

    language: str = UNKNOWN
    channel: str = UNKNOWN
    topic: str = GENERAL_TOPIC
    in_check: bool = False
    question: Optional[str] = None  # the last question about a topic, for "not helpful"
    typed: Optional[str] = None  # the last typed message, until the next one (for `question`)


def day_of(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date().isoformat()


class DailyKeys:
    """Keyed hashes with a secret that is replaced, with every hash made with it, each day."""

    def __init__(self, secret_source: Callable[[int], bytes] = os.urandom) -> None:
        self.secret_source = secret_source
        self.day: Optional[str] = None
        self._secret = b""
        self._seen: Set[bytes] = set()

    def first_time(self, day: str, *parts: str) -> bool:
        """True the first time `parts` are seen on `day` (a later day starts afresh)."""
        if self.day is None or day > self.day:
            self.day, self._secret, self._seen = day, self.secret_source(32), set()
        key = hmac.new(self._secret, "\x1f".join((day,) + parts).encode("utf-8"), hashlib.sha256).digest()
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


class Counting:
    """Events in, increments and unanswered questions out."""

    def __init__(self, topics: FrozenSet[str], secret_source: Callable[[int], bytes] = os.urandom) -> None:
        self.topics = topics
        self.daily = DailyKeys(secret_source)
        self._state_secret = secret_source(32)
        self._states: "OrderedDict[bytes, ConversationState]" = OrderedDict()

    def _state(self, conversation_id: str) -> ConversationState:
        key = hmac.new(self._state_secret, conversation_id.encode("utf-8"), hashlib.sha256).digest()
        state = self._states.pop(key, None) or ConversationState()
        self._states[key] = state
        while len(self._states) > MAX_CONVERSATIONS_IN_MEMORY:
            self._states.popitem(last=False)
        return state

    def count(self, events: List[Mapping[str, Any]]) -> Counted:
        counted = Counted()
        for event in events:
            conversation_id = str(event.get("conversation_id") or "")
            timestamp = event.get("timestamp")
            if not conversation_id or not isinstance(timestamp, (int, float)) or not 0 < timestamp < LAST_TIMESTAMP:
                continue
            self._count_one(conversation_id, day_of(timestamp), event, self._state(conversation_id), counted)
        return counted

    def _count_one(self, conversation_id: str, day: str, event: Mapping[str, Any], state: ConversationState,
                   counted: Counted) -> None:
        kind, name = event.get("event"), event.get("name")
        measures: List[str] = []
        if kind == "slot" and name == LANGUAGE_SLOT and isinstance(event.get("value"), str):
            state.language = event["value"]
        elif kind == "slot" and name == TOPIC_SLOT:
            if isinstance(event.get("value"), str) and event["value"] in self.topics:
                state.topic = event["value"]  # the answer given: its topic, whatever the intent was
                if state.typed:
                    state.question = state.typed
        elif kind == "user":
            self._understand(event, state)
            measures.append("messages")
            intent = event.get("intent") if isinstance(event.get("intent"), str) else None
            text = event.get("text") if isinstance(event.get("text"), str) else None
            state.typed = text if text and intent not in UNANSWERED_INTENTS and intent not in FEEDBACK_INTENTS else None
            if intent in UNANSWERED_INTENTS and text:
                measures.append("fallbacks")
                counted.unanswered.append(Unanswered(day, state.language, UNANSWERED_INTENTS[intent], text))
            elif intent in FEEDBACK_INTENTS:
                measures.append(FEEDBACK_INTENTS[intent])
                if intent == "feedback_not_helpful" and state.question:
                    counted.unanswered.append(Unanswered(day, state.language, NOT_HELPFUL, state.question))
                state.question = None
            elif intent in self.topics and text:
                state.question = text
        elif kind == "bot":
            measures.append("answers")
        elif kind == "action" and name == HANDOFF_ACTION:
            measures.append("handoffs")
        elif kind == "action" and name == CRISIS_ANSWER:
            measures.append("crisis_answers")
        elif kind == "active_loop":
            if name is None and state.in_check:
                measures.append("checks_completed")
            state.in_check = name is not None
        if not measures:
            return
        for with_language, with_channel, with_topic in ROLLUPS:
            cell = Cell(
                day,
                state.language if with_language else ALL,
                state.channel if with_channel else ALL,
                state.topic if with_topic else ALL,
            )
            if self.daily.first_time(day, conversation_id, cell.language, cell.channel, cell.topic):
                counted.add(cell, "conversations")
            for measure in measures:
                counted.add(cell, measure)

    def _understand(self, event: Mapping[str, Any], state: ConversationState) -> None:
        if isinstance(event.get("channel"), str) and event["channel"]:
            state.channel = event["channel"]
        if isinstance(event.get("language"), str) and event["language"]:
            state.language = event["language"]
        intent = event.get("intent")
        if isinstance(intent, str) and intent in self.topics:
            state.topic = intent


def broker_record(event: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The part of a Rasa event that the counts need (None for events they do not use).

    The text of what users typed is passed (not of buttons they clicked): the web app keeps the
    messages the assistant did not understand or found off-topic, and the question before a
    "not helpful", as unanswered questions, redacted before they are stored; it keeps the last
    question of a conversation (and its last typed message, to know which question an answer's
    topic belongs to) in memory until the next one, and no other text."""
    kind = event.get("event")
    record: Dict[str, Any] = {"conversation_id": event.get("sender_id"), "timestamp": event.get("timestamp"), "event": kind}
    if kind == "user":
        parse = event.get("parse_data") or {}
        intent = (parse.get("intent") or {}).get("name")
        language = next((e.get("value") for e in parse.get("entities") or () if e.get("entity") == LANGUAGE_SLOT), None)
        record.update(intent=intent, language=language, channel=event.get("input_channel"))
        if not str(event.get("text") or "").startswith("/"):
            record["text"] = event.get("text")
        return record
    if kind == "bot":
        return record
    if kind in ("action", "active_loop") or kind == "slot" and event.get("name") in (LANGUAGE_SLOT, TOPIC_SLOT):
        record.update(name=event.get("name"), value=event.get("value") if kind == "slot" else None)
        return record
    return None
