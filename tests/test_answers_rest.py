"""Information answers on a running assistant: short first message with its sources, the
"not fully certain" note as a short second message, "More details" on request, on the REST
channel, WhatsApp and Telegram (local fakes), and a rule past its review date on a test clock."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest

from tests.conftest import start_assistant
from tests.fakes import whatsapp as wa
from tests.test_telegram import TelegramUser, buttons_of
from tests.test_whatsapp import WhatsAppUser, choices, new_message_id

pytestmark = pytest.mark.server

FIRST_MESSAGE_LIMIT = 700


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


def payloads(message: Dict[str, Any]) -> List[str]:
    return [b["payload"] for b in message.get("buttons") or []]


def answer(reply: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The messages of an answer, without the "Was this helpful?" question that follows the
    conversation's first answer (bot.analytics, actions/feedback.py)."""
    return [m for m in reply if "/feedback_helpful" not in payloads(m)]


def test_the_waiting_period_answer_is_short_sourced_and_carries_the_june_2026_caveat(assistant):
    first, note = answer(assistant.say(new_user(), "Mag ik werken als asielzoeker?"))
    text = first["text"]
    assert "6 maanden" in text and "TWV" in text
    assert "EU-Migratiepact" in text and "12-06-2026" in text
    assert "Bron: UWV (uwv.nl), geldt sinds 29-11-2023" in text
    assert len(text) <= FIRST_MESSAGE_LIMIT
    assert "niet helemaal zeker" in note["text"] and "/request_human" in payloads(note)


def test_more_details_follows_the_short_answer_by_button_and_by_typing(assistant):
    user = new_user()
    first, note = answer(assistant.say(user, "/ask_work_permit"))
    assert "UWV is gevraagd binnen 2 weken te beslissen" in first["text"]  # the default language: Dutch
    assert "/more_details" in payloads(note) and len(payloads(note)) <= 3
    [details] = answer(assistant.say(user, "/more_details"))
    assert "marktconform loon" in details["text"]
    assert "uwv.nl/werkgevers/werkvergunning/speciale-voorwaarden-per-categorie/detail/asielzoeker" in details["text"]
    other = new_user()
    assistant.say(other, "How long does UWV take to decide on a work permit?")
    typed = assistant.text(other, "more details please")
    assert "market-rate wage" in typed


def test_english_ukraine_answer_says_the_end_date_is_near_and_who_decides(assistant):
    [first] = answer(assistant.say(new_user(), "Can I work in the Netherlands as a refugee from Ukraine?"))
    text = first["text"]
    assert "04-03-2027" in text and "less than 3 months away" in text and "rijksoverheid.nl" in text
    assert "/more_details" in payloads(first)


def test_on_whatsapp_the_first_message_is_short_and_the_buttons_are_reply_buttons(assistant, fake_whatsapp):
    user = WhatsAppUser(assistant, fake_whatsapp)
    sent = user.says("Hoeveel subsidie krijg ik als werkgever voor een statushouder?")
    bodies = [m["text"]["body"] if m["type"] == "text" else m["interactive"]["body"]["text"] for m in sent]
    assert len(bodies[0]) <= FIRST_MESSAGE_LIMIT and "2024-2025" in bodies[0]
    menu = sent[-1]
    assert menu["type"] == "interactive" and menu["interactive"]["type"] == "button"
    # answered by the subsidy check (answer first): the conditions still to meet, as a list
    assert "activiteitenplan" in " ".join(bodies[1:]) and len(choices(sent)) <= 3
    # a topic answer offers its details behind a reply button
    other = WhatsAppUser(assistant, fake_whatsapp)
    answer = other.says("Hoe vraagt mijn werkgever een TWV aan voor een asielzoeker?")
    assert "/more_details" in choices(answer)
    details = other.send(wa.interactive_reply(new_message_id(), "button_reply", "/more_details", "Meer details"))
    assert "marktconform loon" in " ".join(
        m["text"]["body"] if m["type"] == "text" else m["interactive"]["body"]["text"] for m in details
    )


def test_on_telegram_more_details_is_a_button_under_the_answer(assistant, fake_telegram):
    user = TelegramUser(assistant, fake_telegram, language_code="en")
    sent = user.says("/ask_inburgering")
    assert len(sent[0]["text"]) <= FIRST_MESSAGE_LIMIT and "A2" in sent[0]["text"]
    assert "/more_details" in buttons_of(sent)
    details = user.taps("/more_details")
    assert "Z route" in "\n".join(m["text"] for m in details)


@pytest.fixture(scope="module")
def assistant_in_february_2027(tmp_path_factory):
    """An assistant whose clock (BOT_TODAY) is past the rules' review date of 15-01-2027."""
    running = start_assistant(tmp_path_factory.mktemp("february_2027"), env={"BOT_TODAY": "2027-02-01"})
    yield running
    running.stack.stop()


def test_a_rule_past_its_review_date_is_answered_with_when_it_was_last_checked(assistant_in_february_2027):
    first, _note = answer(assistant_in_february_2027.say(new_user(), "Can I work during my asylum procedure?"))
    assert "6 months" in first["text"]
    assert "Last checked on 07-12-2026; check with UWV (uwv.nl/werkgevers): uwv.nl" in first["text"]
    dutch, _ = answer(assistant_in_february_2027.say(new_user(), "Mag ik werken als asielzoeker?"))
    assert "Laatst gecontroleerd op 07-12-2026; vraag het na bij UWV (uwv.nl/werkgevers): uwv.nl" in dutch["text"]
