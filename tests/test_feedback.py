""""Was this helpful?": asked once per conversation after an answer, never in a crisis or a
handoff (actions/feedback.py); its texts exist in every language with the same buttons."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker

from actions.answers import ActionAnswerTopic
from bot.content.translations import Translations

LANGUAGES = ("nl", "en", "ar", "tr", "ti", "fa", "uk")


def tracker(events: List[Dict[str, Any]], slots: Dict[str, Any], paused: bool = False) -> Tracker:
    latest = {"text": "Mag ik werken?", "intent": {"name": "ask_asylum_work", "confidence": 1.0}, "entities": []}
    return Tracker("feedback-user", {"language": "nl", **slots}, latest, events, paused, None, {}, "action_listen")


def user(intent: str) -> Dict[str, Any]:
    return {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent, "confidence": 1.0}}}


async def answer(dispatcher, domain, events=(), slots=None, paused=False) -> List[Dict[str, Any]]:
    return await ActionAnswerTopic().run(dispatcher, tracker(list(events), slots or {}, paused), domain)


async def test_asked_after_the_first_answer_with_a_thumbs_up_and_down(dispatcher, domain):
    events = await answer(dispatcher, domain)
    # the answer (and, for an uncertain rule, its note), then the question once
    responses = [m.get("response") for m in dispatcher.messages]
    assert responses[-1] == "utter_ask_helpful" and set(responses[:-1]) == {None}
    assert {"event": "slot", "name": "feedback_asked", "value": True, "timestamp": None} in events


async def test_asked_once_per_conversation(dispatcher, domain):
    await answer(dispatcher, domain, slots={"feedback_asked": True})
    assert dispatcher.messages and set(m.get("response") for m in dispatcher.messages) == {None}


@pytest.mark.parametrize(
    "events,paused",
    [
        ([user("report_danger")], False),
        ([{"event": "action", "name": "action_offer_handoff"}], False),
        ([{"event": "action", "name": "action_handoff"}], False),
        ([], True),
    ],
    ids=["after a crisis", "after a handoff was offered", "during a handoff", "paused"],
)
async def test_never_in_a_crisis_or_a_handoff(dispatcher, domain, events, paused):
    await answer(dispatcher, domain, events=events, paused=paused)
    assert "utter_ask_helpful" not in [m.get("response") for m in dispatcher.messages]


def test_the_question_has_the_same_buttons_in_every_language(project):
    translations = Translations.load(project / "translations")
    for language in LANGUAGES:
        texts = translations.languages[language].responses
        question = texts["utter_ask_helpful"]
        assert [b.payload for b in question.buttons] == ["/feedback_helpful", "/feedback_not_helpful"], language
        assert question.buttons[0].title.startswith("👍") and question.buttons[1].title.startswith("👎")
        assert texts["utter_feedback_thanks"].text and texts["utter_feedback_sorry"].text
