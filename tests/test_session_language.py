"""A session starts in the channel's hinted language unless the conversation already has one
(`action_session_start`, which also keeps a handoff's pause, asks actions/language.py)."""

from __future__ import annotations

import asyncio

import pytest

from actions.handoff import ActionSessionStart
from actions.language import language_from_hint

SUPPORTED = ("nl", "en", "ar", "tr", "ti", "fa", "uk")


@pytest.mark.parametrize(
    "hint,expected",
    [("uk", "uk"), ("uk-UA", "uk"), ("fa_IR", "fa"), ("prs", "fa"), ("AR", "ar"), ("ru", None),
     ("", None), (None, None), (42, None), ("xx-YY", None)],
)
def test_hints_map_onto_supported_languages(hint, expected):
    assert language_from_hint(hint, SUPPORTED) == expected


def run(tracker, domain):
    events = asyncio.run(ActionSessionStart().run(None, tracker, domain))
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, events


def test_the_hint_fills_an_empty_language(tracker_for, domain):
    slots, events = run(tracker_for(slots={"session_started_metadata": {"language_hint": "ti"}}), domain)
    assert slots["language"] == "ti"
    assert events[0]["event"] == "session_started"
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"


def test_the_hint_does_not_replace_a_language_the_conversation_has(tracker_for, domain):
    tracker = tracker_for(
        slots={"language": "en", "session_started_metadata": {"language_hint": "ti"}}
    )
    slots, _ = run(tracker, domain)
    assert slots["language"] == "en"


def test_no_hint_or_an_unsupported_one_leaves_the_language_empty(tracker_for, domain):
    for metadata in ({}, {"language_hint": "de"}, None):
        slots, _ = run(tracker_for(slots={"session_started_metadata": metadata}), domain)
        assert "language" not in slots


def test_a_russian_device_starts_in_russian(tracker_for, domain):
    """Russian is supported (issue #22): a Telegram account set to Russian starts in Russian."""
    slots, _ = run(tracker_for(slots={"session_started_metadata": {"language_hint": "ru-RU"}}), domain)
    assert slots["language"] == "ru"
