"""Somali (issue #22) through a running assistant: the main questions answered in Somali with
the facts and their source, a person on request, 112 and 113 in a crisis, and the language
switched by name and kept on short messages."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.server


def new_user() -> str:
    return f"so-{uuid.uuid4().hex[:10]}"


def test_may_i_work_is_answered_in_somali_with_the_months_and_the_source(assistant):
    text = assistant.text(new_user(), "Ma shaqeyn karaa anigoo magangalyo-doon ah?")
    assert "6 bilood" in text and "UWV" in text and "TWV" in text, text
    assert "Isha:" in text and "ansax tan iyo" in text, text


def test_an_employer_hiring_someone_from_ukraine_is_told_to_notify_uwv(assistant):
    text = assistant.text(
        new_user(), "Waxaan rabaa inaan shaqaaleysiiyo qof Ukraine ka yimid, maxaan sameeyaa?"
    )
    # The topic answer or the check's verdict (the answer-first work routes one to the other):
    # either way, in Somali, the employer notifies ("ogeysiiyo" or "u sheega") UWV first and needs
    # no TWV, and work may start 2 working days after that; with the source line.
    assert "UWV" in text and ("ogeysii" in text or "u sheega UWV" in text), text
    assert "TWV looma baahna" in text or "TWV la'aan" in text, text
    assert "2 maalmood" in text, text
    assert "Isha:" in text, text


def test_the_employer_subsidy_is_answered_in_somali_with_amounts_and_source(assistant):
    text = assistant.text(new_user(), "Loo-shaqeeyaha ma heli karaa subsidie haddii uu qaato statushouder?")
    assert "€8.000" in text and "20 saacadood" in text, text
    assert "Isha:" in text, text


def test_asking_for_a_person_offers_the_helpdesk_in_somali(assistant):
    reply = assistant.say(new_user(), "Waxaan rabaa inaan la hadlo qof dhab ah")
    assert reply and "helpdesk" in reply[0]["text"] and "Af-Soomaali" in reply[0]["text"], reply
    payloads = {b["payload"] for b in reply[-1].get("buttons") or ()}
    assert {"/affirm", "/handoff_share_all", "/deny"} <= payloads


def test_a_crisis_message_in_somali_gets_112_and_113_in_somali(assistant):
    reply = assistant.say(new_user(), "ma rabo inaan noolaado mar dambe")
    text = reply[0]["text"]
    assert "wac 112" in text, text
    for number in ("113", "0800-0113", "113.nl"):
        assert number in text, (number, text)


def test_somali_by_name_switches_and_short_messages_keep_it(assistant):
    user = new_user()
    assert "6 maanden" in assistant.text(user, "Mag ik werken als asielzoeker?")
    menu = assistant.say(user, "Af-Soomaali fadlan")
    assert "af-Soomaali ayaan kuula hadlayaa" in menu[0]["text"], menu
    assert '/choose_language{"language":"so"}' in {b["payload"] for b in menu[0]["buttons"]}
    for short in ("ok", "👍", "TWV"):
        assert assistant.say(user, short), "every message gets an answer"
    assert "Golaha Dowladda" in assistant.text(user, "/ask_24_weeks")
    assistant.say(user, '/choose_language{"language":"en"}')
    assert "Council of State" in assistant.text(user, "/ask_24_weeks")
