"""Language detection on chat messages."""

from __future__ import annotations

import pytest

from bot.language import detect, requested_language


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mag ik werken als asielzoeker?", "nl"),
        ("Kan ik subsidie krijgen voor een statushouder?", "nl"),
        ("May I work while my asylum application is pending?", "en"),
        ("hoi", "nl"),
        ("hello", "en"),
    ],
)
def test_clear_messages_are_detected(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize("text", ["ok", "👍", "8", "?", "", "TWV"])
def test_short_messages_keep_the_language(text):
    assert detect(text) is None


@pytest.mark.parametrize(
    "text,expected", [("in English please", "en"), ("kun je in het Nederlands praten", "nl")]
)
def test_asking_for_a_language_by_name(text, expected):
    assert requested_language(text) == expected
