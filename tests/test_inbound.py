"""Cleaning user text before Rasa sees it."""

from __future__ import annotations

import pytest

from bot.channels.inbound import InboundPolicy, RejectedText


@pytest.fixture
def policy(project):
    return InboundPolicy.for_project(str(project / "translations"), max_length=2000)


def test_button_payloads_pass(policy):
    assert policy.clean("/ask_asylum_work") == "/ask_asylum_work"
    assert policy.clean('/choose_language{"language":"en"}') == '/choose_language{"language":"en"}'


@pytest.mark.parametrize(
    "typed", ['/restart', '/session_start', '/greet{"language": "xx"}', "//ask_asylum_work{}"]
)
def test_injected_intent_syntax_becomes_plain_text(policy, typed):
    assert not policy.clean(typed).startswith("/")


@pytest.mark.parametrize("bad", ["", "   ", None, 12, ["hi"], "\x00\x01"])
def test_empty_or_non_text_is_rejected(policy, bad):
    with pytest.raises(RejectedText) as rejected:
        policy.clean(bad)
    assert rejected.value.status == 400


def test_too_long_is_rejected_with_413(policy):
    with pytest.raises(RejectedText) as rejected:
        policy.clean("a" * 2001)
    assert rejected.value.status == 413


def test_control_characters_and_lone_surrogates_are_dropped(policy):
    assert policy.clean("hal\x00lo\ud800 daar") == "hallo daar"
