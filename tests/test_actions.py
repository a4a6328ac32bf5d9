"""Custom actions, called as the action server calls them."""

from __future__ import annotations

from actions.answers import ActionAnswerTopic
from actions.conversation import ActionRestart


async def test_asylum_work_answer_in_dutch_has_months_uwv_source_and_date(tracker_for, dispatcher, domain):
    tracker = tracker_for("ask_asylum_work", "Mag ik werken?", slots={"language": "nl"})
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    # the answer, then (the 6-month rule may have changed since 12 June 2026) a short note, then
    # "Was this helpful?"
    message, note, _helpful = dispatcher.messages
    assert "6 maanden" in message["text"]
    assert "UWV" in message["text"] and "TWV" in message["text"]
    assert "Bron:" in message["text"] and "geldt sinds 29-11-2023" in message["text"]
    assert "niet helemaal zeker" in note["text"]
    assert {b["payload"] for b in note["buttons"]} >= {"/request_human"}


async def test_answer_follows_the_language_slot(tracker_for, dispatcher, domain):
    tracker = tracker_for("ask_24_weeks", "24 weeks?", slots={"language": "en"})
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert "no longer applies" in text and "24 weeks" in text
    assert "Source: Raad van State" in text and "29-11-2023" in text


async def test_uncertain_rule_says_so_and_refers(tracker_for, dispatcher, domain):
    tracker = tracker_for("ask_employer_subsidy", "subsidy?", slots={"language": "en"})
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    text, note = (m["text"] for m in dispatcher.messages if m.get("response") != "utter_ask_helpful")
    assert "€8.000" in text and "€24.000" in text and "not known here" in text
    assert "not fully certain" in note and "postbusSOWIS@minszw.nl" in note


async def test_unknown_intent_asks_to_rephrase(tracker_for, dispatcher, domain):
    await ActionAnswerTopic().run(dispatcher, tracker_for("greet", "hi"), domain)
    assert dispatcher.messages[0]["response"] == "utter_rephrase"


async def test_restart_keeps_the_language(tracker_for, dispatcher, domain):
    events = await ActionRestart().run(dispatcher, tracker_for("restart", slots={"language": "en"}), domain)
    assert events[0]["event"] == "restart"
    assert events[1] == {"event": "slot", "name": "language", "value": "en", "timestamp": None}


def test_a_twv_question_from_someone_with_another_status_gets_the_answer_for_that_status():
    """"I'm from Ukraine, my employer says he first needs a TWV" got the TWV procedure for asylum
    seekers (round 4 of the blind set): the status the message names decides the answer."""
    from actions.answers import topic_for_status

    said = "я з україни, в мене є наклейка від IND. роботодавець каже шо треба спочатку дозвіл twv"
    assert topic_for_status("ask_work_permit", said, "uk") == "ask_ukraine_work"
    assert topic_for_status("ask_24_weeks", "ik heb een verblijfsvergunning, geldt de 24 weken?", "nl") == "ask_status_holder_work"
    assert topic_for_status("ask_work_permit", "how long does UWV take for a TWV?", "en") == "ask_work_permit"
    assert topic_for_status("ask_taxes", "I'm from Ukraine, do I pay taxes?", "en") == "ask_taxes"
