"""Answer first (issue 17), in every language: the first reply answers with what the message
tells, asks nothing the user said, and asks at most the one fact that decides (with why).

The form's validation and its outcome action run as the action server runs them, on the issue's
examples (tests/data/answer_first_cases.yml); the same examples run over REST in
tests/test_answer_first_rest.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.check_outcomes import OUTCOMES, check_button
from actions.check_table import CHECKS
from actions.check_validation import VALIDATIONS

CASES = yaml.safe_load((Path(__file__).parent / "data" / "answer_first_cases.yml").read_text(encoding="utf-8"))["cases"]
BY_INTENT = {check.intent: check for check in CHECKS.values()}
LANGUAGES = {"nl", "en", "ar", "tr", "ti", "fa", "uk"}


def tracker(case: Dict[str, Any], slots: Dict[str, Any]) -> Tracker:
    latest = {"text": case["say"], "intent": {"name": case["intent"], "confidence": 0.9},
              "entities": [{"entity": "language", "value": case["language"]}]}
    return Tracker("u", {"language": case["language"], **slots}, latest, [], False, None, {"name": None}, "action_listen")


def test_every_language_has_the_examples():
    assert {case["language"] for case in CASES} == LANGUAGES
    for intent in ("check_employer_needs", "check_work_permission", "check_employer_subsidy"):
        assert {c["language"] for c in CASES if c["intent"] == intent} == LANGUAGES


@pytest.mark.parametrize("case", CASES, ids=[f"{c['language']}-{c['intent']}-{i}" for i, c in enumerate(CASES)])
async def test_the_first_reply_answers(case, domain):
    check = BY_INTENT[case["intent"]]
    dispatcher = CollectingDispatcher()
    events = await VALIDATIONS[check.name]().run(dispatcher, tracker(case, {}), domain)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("requested_slot") == case.get("asks"), slots
    if case.get("asks"):
        reply = " ".join(m["text"] for m in dispatcher.messages)
    else:
        assert dispatcher.messages == []  # nothing said before the answer
        await OUTCOMES[check.name]().run(dispatcher, tracker(case, slots), domain)
        messages = [m for m in dispatcher.messages if m.get("response") != "utter_ask_helpful"]
        assert len(messages[0]["text"]) <= 700, messages[0]["text"]  # the first message fits a phone
        reply = "\n".join(m["text"] for m in messages)
    if "expect" in case:
        assert texts.render(case["expect"], case["language"], **(case.get("values") or {})) in reply
    for part in case.get("contains", ()):
        assert part in reply


def answer_messages(dispatcher: CollectingDispatcher) -> list:
    """The answer's messages (short answer, then a note when a rule is uncertain), without the
    "Was this helpful?" question that follows a conversation's first answer."""
    messages = [m for m in dispatcher.messages if m.get("response") != "utter_ask_helpful"]
    assert messages and len(messages) <= 2, messages
    return messages if len(messages) > 1 else messages * 2


async def test_a_question_that_facts_do_not_decide_gets_the_topic_answer_and_the_check_offered(domain):
    case = {"language": "en", "intent": "check_work_permission", "say": "may I work as an asylum seeker?"}
    dispatcher = CollectingDispatcher()
    events = await VALIDATIONS["work_permission"]().run(dispatcher, tracker(case, {}), domain)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots == {"person_status": "asylum_seeker", "requested_slot": None}
    await OUTCOMES["work_permission"]().run(dispatcher, tracker(case, slots), domain)
    first, *_, last = answer_messages(dispatcher)
    assert "6 months" in first["text"] and "Source:" in first["text"]
    assert last["buttons"][0] == check_button(CHECKS["work_permission"], "en")
    assert last["buttons"][0]["payload"] == '/check_work_permission{"check_requested":true}'


async def test_the_check_button_starts_the_check_with_its_question(domain):
    case = {"language": "en", "intent": "check_work_permission", "say": '/check_work_permission{"check_requested":true}'}
    dispatcher = CollectingDispatcher()
    latest = {"text": case["say"], "intent": {"name": case["intent"], "confidence": 1.0},
              "entities": [{"entity": "check_requested", "value": True}]}
    asked = Tracker("u", {"language": "en", "person_status": "asylum_seeker"}, latest, [], False, None, {"name": None}, "action_listen")
    events = await VALIDATIONS["work_permission"]().run(dispatcher, asked, domain)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots == {"check_requested": True, "requested_slot": "months_in_procedure"}
    assert dispatcher.messages == []  # asked for: no "why" line


async def test_a_subsidy_answer_lists_the_conditions_still_to_meet_and_offers_the_check(domain):
    case = {"language": "nl", "intent": "check_employer_subsidy", "say": "Welke subsidie is er? 32 uur, vast contract"}
    dispatcher = CollectingDispatcher()
    events = await VALIDATIONS["employer_subsidy"]().run(dispatcher, tracker(case, {}), domain)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots == {"sowis_hours": 32.0, "sowis_contract_months": 1200.0, "requested_slot": None}
    await OUTCOMES["employer_subsidy"]().run(dispatcher, tracker(case, slots), domain)
    first, message = dispatcher.messages  # a phone-sized first message, then the rest with the buttons
    assert len(first["text"]) <= 700 and "€8.000" in first["text"]
    text = first["text"] + "\n" + message["text"]
    assert "€8.000" in text and "2024" in text
    assert "activiteitenplan" in text and "statushouder" in text
    assert "Heeft u een activiteitenplan?" not in text
    assert "• " in text  # the conditions as a list, not as questions
    assert message["buttons"][0]["payload"] == '/check_employer_subsidy{"check_requested":true}'


async def test_a_topic_question_with_facts_gets_the_verdict_and_without_them_the_topic_answer(domain):
    case = {"language": "nl", "intent": "ask_asylum_work", "say": "ik zit 4 maanden in het azc, mag ik al werken?"}
    dispatcher = CollectingDispatcher()
    events = await VALIDATIONS["work_permission"]().run(dispatcher, tracker(case, {}), domain)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots == {"person_status": "asylum_seeker", "months_in_procedure": 4.0, "requested_slot": None}
    await OUTCOMES["work_permission"]().run(dispatcher, tracker(case, slots), domain)
    assert "nog ongeveer 2 maand" in dispatcher.messages[0]["text"]

    general = {"language": "nl", "intent": "ask_asylum_work", "say": "hoe lang moet ik wachten voor ik mag werken?"}
    dispatcher = CollectingDispatcher()
    events = await VALIDATIONS["work_permission"]().run(dispatcher, tracker(general, {}), domain)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots == {"requested_slot": None} and dispatcher.messages == []  # no question: the topic answers
    await OUTCOMES["work_permission"]().run(dispatcher, tracker(general, slots), domain)
    first, *_, last = answer_messages(dispatcher)
    assert "6 maanden" in first["text"]
    assert last["buttons"][0]["payload"] == '/check_work_permission{"check_requested":true}'


def test_the_check_button_passes_every_channel_in_every_language(project):
    """Channels pass only payloads the assistant offers as buttons (bot/channels/inbound.py)."""
    from bot.channels.inbound import InboundPolicy

    policy = InboundPolicy.for_project(str(project / "translations"))
    for check in CHECKS.values():
        for language in LANGUAGES:
            button = check_button(check, language)
            assert button["payload"] == f'/{check.intent}{{"check_requested":true}}'
            assert policy.clean(button["payload"]) == button["payload"] and button["title"]
