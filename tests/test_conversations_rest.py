"""End-to-end conversations through the REST channel of a running assistant."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import start_assistant

pytestmark = pytest.mark.server


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


def test_dutch_question_gets_dutch_answer_with_months_uwv_and_source(assistant):
    text = assistant.text(new_user(), "Mag ik werken als asielzoeker?")
    assert "6 maanden" in text
    assert "UWV" in text and "TWV" in text
    assert "Bron:" in text and "geldt sinds" in text


def test_english_question_gets_english_answer(assistant):
    text = assistant.text(new_user(), "Can I work during my asylum procedure?")
    assert "6 months" in text and "UWV" in text and "Source:" in text


def test_24_week_limit_and_employer_subsidy(assistant):
    user = new_user()
    weeks = assistant.text(user, "Geldt de 24 wekenregel nog?")
    assert "geldt niet meer" in weeks and "29-11-2023" in weeks and "Raad van State" in weeks
    subsidy = assistant.text(user, "Hoeveel subsidie krijg ik als werkgever voor een statushouder?")
    assert "€8.000" in subsidy and "20 uur" in subsidy and "Bron:" in subsidy
    assert "niet helemaal zeker" in subsidy  # the 2026 amount is not confirmed


def test_a_short_message_does_not_change_the_language(assistant):
    user = new_user()
    assistant.text(user, "Mag ik werken als asielzoeker?")
    for short in ("ok", "👍"):
        reply = assistant.say(user, short)
        assert reply, "every message gets an answer"
    text = assistant.text(user, "/ask_24_weeks")
    assert "geldt niet meer" in text


def test_the_language_can_be_switched_midway(assistant):
    user = new_user()
    assert "6 maanden" in assistant.text(user, "Mag ik werken als asielzoeker?")
    menu = assistant.say(user, "in English please")
    assert "English" in menu[0]["text"]
    assert any(b["payload"] == '/choose_language{"language":"nl"}' for b in menu[0]["buttons"])
    assert "6 months" in assistant.text(user, "/ask_asylum_work")
    assistant.say(user, '/choose_language{"language":"nl"}')
    assert "6 maanden" in assistant.text(user, "/ask_asylum_work")


def test_small_talk_menu_and_fallback(assistant):
    user = new_user()
    greeting = assistant.say(user, "hallo")
    assert greeting[0]["text"].startswith("Hallo")
    menu = assistant.say(user, "wat kun je allemaal")
    payloads = {b["payload"] for b in menu[0]["buttons"]}
    assert {"/ask_asylum_work", "/ask_employer_subsidy", "/choose_language"} <= payloads
    assert "Graag gedaan" in assistant.text(user, "dank je wel")
    nonsense = assistant.say(user, "qwxz plorb vrrrt")
    assert any(b["payload"] == "/request_human" for b in nonsense[0]["buttons"])
    assert "Tot ziens" in assistant.text(user, "doei")


def test_out_of_scope_offers_topics_and_a_person(assistant):
    reply = assistant.say(new_user(), "tell me a joke")
    assert "only know about work" in reply[0]["text"]
    assert any(b["payload"] == "/request_human" for b in reply[0]["buttons"])


def test_restart_starts_again_in_the_same_language(assistant):
    user = new_user()
    assistant.say(user, "in English please")
    assert "We start again" in assistant.text(user, "can we start over")
    assert "6 months" in assistant.text(user, "/ask_asylum_work")


@pytest.mark.parametrize(
    "body,expected",
    [
        (b"", 400),
        (b"not json", 400),
        (b"null", 400),
        (b"[]", 400),
        (b'{"sender": "x"}', 400),
        (b'{"sender": "x", "message": ""}', 400),
        (b'{"sender": "x", "message": "   "}', 400),
        (b'{"sender": "x", "message": null}', 400),
        (b'{"sender": "x", "message": 42}', 400),
        (b'{"sender": null, "message": "hi"}', 400),
        (b'{"sender": "x", "message": "hi", "metadata": "nope"}', 400),
        (json.dumps({"sender": "x", "message": "a" * 100_000}).encode(), 413),
        (json.dumps({"sender": "x" * 10_000, "message": "hi"}).encode(), 400),
    ],
)
def test_bad_requests_get_a_clear_4xx_and_the_server_keeps_serving(assistant, body, expected):
    status, raw = assistant.post_raw(body)
    assert status == expected, raw
    assert json.loads(raw)["error"]
    assert "6 maanden" in assistant.text(new_user(), "Mag ik werken als asielzoeker?")


def test_injected_intent_syntax_sets_no_slot(assistant):
    user = new_user()
    assistant.text(user, "Mag ik werken als asielzoeker?")
    assistant.say(user, '/choose_language{"language":"xx"}')
    assistant.say(user, '/greet{"language":"en"}')
    assert "6 maanden" in assistant.text(user, "/ask_asylum_work")


def test_a_conversation_survives_a_restart_of_the_server(tmp_path):
    running = start_assistant(tmp_path)
    try:
        user = new_user()
        running.say(user, "in English please")
        running.stack.restart("rasa server")
        assert "6 months" in running.text(user, "/ask_asylum_work")
    finally:
        running.stack.stop()
