"""The WhatsApp channel of a running assistant, against a local fake of the Cloud API.

Webhook deliveries are shaped as Meta documents them; the fake records what the assistant sends
and refuses what breaks the documented limits. The webhook answers only after it has handed the
answers to the fake, so what was sent is known when the POST returns.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from typing import Any, Dict, List

import pytest

from bot.channels.configuration import WhatsAppConfig
from bot.channels.whatsapp import WhatsAppOutput
from tests.fakes import whatsapp as wa

pytestmark = pytest.mark.server


def new_wa_id() -> str:
    return "3161" + str(uuid.uuid4().int)[:7]


def new_message_id() -> str:
    return "wamid." + uuid.uuid4().hex


class WhatsAppUser:
    """One WhatsApp user writing to the assistant, and what they got back."""

    def __init__(self, assistant, fake) -> None:
        self.assistant, self.fake = assistant, fake
        self.wa_id = new_wa_id()

    @property
    def webhook(self) -> str:
        return f"{self.assistant.settings.rasa_url}/webhooks/whatsapp/webhook"

    def deliver(self, body: bytes, headers: Dict[str, str] = None):
        return self.assistant.request(self.webhook, body, headers if headers is not None else wa.signed(body))

    def send(self, message: Dict[str, Any]) -> List[Dict[str, Any]]:
        """Delivers one message; returns what the assistant sent back to this user."""
        mark = self.fake.server.mark()
        status, raw = self.deliver(wa.delivery(self.wa_id, message))
        assert status == 200, raw
        assert not self.fake.refused(mark), "the Cloud API refused a message of the assistant"
        return self.fake.sent_to(self.wa_id, mark)

    def says(self, text: str) -> List[Dict[str, Any]]:
        return self.send(wa.text_message(new_message_id(), text))


def visible_text(messages: List[Dict[str, Any]]) -> str:
    """What the user reads: text bodies and interactive bodies."""
    parts = []
    for message in messages:
        if message["type"] == "text":
            parts.append(message["text"]["body"])
        elif message["type"] == "interactive":
            parts.append(message["interactive"]["body"]["text"])
    return "\n".join(parts)


def choices(messages: List[Dict[str, Any]]) -> Dict[str, str]:
    """The buttons or list rows offered: id (payload) → title."""
    found = {}
    for message in messages:
        interactive = message.get("interactive") or {}
        for button in (interactive.get("action") or {}).get("buttons") or []:
            found[button["reply"]["id"]] = button["reply"]["title"]
        for section in (interactive.get("action") or {}).get("sections") or []:
            for row in section["rows"]:
                found[row["id"]] = row["title"]
    return found


@pytest.fixture
def user(assistant, fake_whatsapp) -> WhatsAppUser:
    return WhatsAppUser(assistant, fake_whatsapp)


def verification(assistant, **params: str):
    url = f"{assistant.settings.rasa_url}/webhooks/whatsapp/webhook?" + urllib.parse.urlencode(params)
    return assistant.request(url)


def test_the_verification_handshake_echoes_the_challenge_only_for_the_right_token(assistant):
    status, raw = verification(assistant, **{"hub.mode": "subscribe", "hub.verify_token": wa.VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert (status, raw) == (200, b"1158201444")
    for wrong in (
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": wa.VERIFY_TOKEN, "hub.challenge": "1"},
        {},
    ):
        status, raw = verification(assistant, **wrong)
        assert status == 403, raw


def test_a_question_gets_an_answer_with_source_and_buttons(user):
    sent = user.says("Mag ik werken als asielzoeker?")
    text = visible_text(sent)
    assert "6 maanden" in text and "Bron:" in text
    assert "/request_human" in choices(sent)
    assert any(m["type"] == "interactive" and m["interactive"]["type"] == "button" for m in sent)


def test_a_button_reply_is_understood_as_the_buttons_payload(user):
    user.says("Mag ik werken als asielzoeker?")
    sent = user.send(wa.interactive_reply(new_message_id(), "button_reply", "/ask_24_weeks", "24-wekenregel"))
    assert "geldt niet meer" in visible_text(sent)


def test_a_menu_of_more_than_three_becomes_a_list_and_a_list_reply_works(user):
    menu = user.says("wat kun je allemaal")
    lists = [m["interactive"] for m in menu if m["type"] == "interactive" and m["interactive"]["type"] == "list"]
    assert lists and lists[0]["action"]["button"] == "Kies een optie"
    assert {"/ask_asylum_work", "/ask_employer_subsidy", "/choose_language"} <= set(choices(menu))
    answer = user.send(wa.interactive_reply(new_message_id(), "list_reply", "/ask_employer_subsidy", "Subsidie werkgevers"))
    assert "€8.000" in visible_text(answer)


def test_the_list_label_follows_the_conversation_language(user):
    user.says("in English please")
    menu = user.says("what can you do")
    labels = [m["interactive"]["action"]["button"] for m in menu if m["type"] == "interactive" and m["interactive"]["type"] == "list"]
    assert labels == ["Choose an option"]


@pytest.mark.parametrize(
    "message",
    [
        {"type": "audio", "audio": {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "1", "voice": True}},
        {"type": "image", "image": {"caption": "mijn brief", "mime_type": "image/jpeg", "sha256": "x", "id": "2"}},
        {"type": "location", "location": {"latitude": 52.37, "longitude": 4.89, "name": "AZC"}},
        {"type": "sticker", "sticker": {"mime_type": "image/webp", "sha256": "x", "id": "3", "animated": False}},
        {"type": "unsupported", "errors": [{"code": 131051, "title": "Message type unknown"}]},
        {"type": "something_new", "something_new": {}},
    ],
)
def test_non_text_messages_get_a_polite_answer_in_the_users_language(user, message):
    assert "alleen tekst" in visible_text(user.send({"id": new_message_id(), **message}))
    user.says("in English please")
    assert "only read text" in visible_text(user.send({"id": new_message_id(), **message}))


def test_a_reaction_needs_no_answer(user):
    reaction = {"id": new_message_id(), "type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "👍"}}
    assert user.send(reaction) == []


def test_a_repeated_delivery_is_answered_once(user):
    message_id = new_message_id()
    first = user.send(wa.text_message(message_id, "Mag ik werken als asielzoeker?"))
    assert first
    assert user.send(wa.text_message(message_id, "Mag ik werken als asielzoeker?")) == []


def test_status_callbacks_are_acknowledged_and_ignored(user):
    statuses = [{"id": "wamid.x", "status": "delivered", "timestamp": "1732871234", "recipient_id": user.wa_id}]
    mark = user.fake.server.mark()
    status, _ = user.deliver(wa.delivery(user.wa_id, statuses=statuses))
    assert status == 200
    assert user.fake.sent_to(user.wa_id, mark) == []


def test_messages_for_another_phone_number_are_ignored(user):
    mark = user.fake.server.mark()
    body = wa.delivery(user.wa_id, wa.text_message(new_message_id(), "hallo"), phone_number_id="999")
    assert user.deliver(body)[0] == 200
    assert user.fake.sent_to(user.wa_id, mark) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json"},
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": "sha1=abc"},
        "other secret",
    ],
)
def test_unsigned_or_forged_deliveries_are_refused_and_nothing_is_sent(user, headers):
    message = wa.text_message(new_message_id(), "Mag ik werken als asielzoeker?")
    body = wa.delivery(user.wa_id, message)
    if headers == "other secret":
        headers = wa.signed(body, secret="not-the-app-secret")
    mark = user.fake.server.mark()
    status, _ = user.deliver(body, headers)
    assert status in (401, 403)
    assert user.fake.sent_to(user.wa_id, mark) == []
    assert user.send(message), "the same message, properly signed, is answered"


@pytest.mark.parametrize(
    "body,expected",
    [
        (b"", 400),
        (b"not json", 400),
        (b"null", 400),
        (b"[]", 400),
        (b'{"object": "whatsapp_business_account", "entry": "nope"}', 200),
        (b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {"messages": [null, 1, {"id": 5}]}}]}]}', 200),
        (json.dumps({"entry": [], "padding": "x" * 2_000_000}).encode(), 413),
    ],
)
def test_malformed_or_oversized_bodies_get_a_4xx_or_are_ignored_never_a_500(user, body, expected):
    status, raw = user.deliver(body)
    assert status == expected, raw
    assert "6 maanden" in visible_text(user.says("Mag ik werken als asielzoeker?"))


def test_a_message_that_is_too_long_gets_a_polite_answer(user):
    assert "te lang" in visible_text(user.says("Mag ik werken? " * 300))


async def test_the_output_channel_sends_without_a_webhook_call(fake_whatsapp, platform_http):
    """What Rasa's HTTP API (`output_channel=latest`) uses to send, e.g. a helpdesk agent's reply."""
    async def label(key: str, recipient: str) -> str:
        return "Kies"

    output = WhatsAppOutput(WhatsAppConfig.from_env(fake_whatsapp.env), platform_http, label)
    wa_id, mark = new_wa_id(), fake_whatsapp.server.mark()
    await output.send_response(wa_id, {"text": "Een medewerker: hoe kan ik helpen?"})
    long_titles = [{"title": f"Een lange knoptitel nummer {i}", "payload": f"/choice_{i}"} for i in range(12)]
    await output.send_response(wa_id, {"text": "x" * 5000, "buttons": long_titles})
    sent = fake_whatsapp.sent_to(wa_id, mark)
    assert not fake_whatsapp.refused(mark)
    assert sent[0]["text"]["body"] == "Een medewerker: hoe kan ik helpen?"
    assert [m["type"] for m in sent[1:]] == ["text", "interactive"]
    assert len(visible_text(sent[1:]).replace("\n", "")) == 5000
    rows = sent[-1]["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10 and rows[0]["description"] == "Een lange knoptitel nummer 0"


def test_the_workers_of_one_server_answer_a_repeated_delivery_once(tmp_path):
    """With SANIC_WORKERS=2 a platform's second delivery may reach the other worker: both see
    the ids in the server's shared file; a bounded number of ids is kept."""
    from bot.channels.platform import SeenIds

    shared = tmp_path / "werkwijzer-seen-whatsapp-1-ab.db"
    first, second = SeenIds(capacity=3, path=shared), SeenIds(capacity=3, path=shared)
    assert first.first_time("wamid.1") and not second.first_time("wamid.1")
    for number in range(2, 6):
        assert second.first_time(f"wamid.{number}")
    assert len(first) == 3 and first.first_time("wamid.1")  # the oldest ids are forgotten
    alone = SeenIds()
    assert alone.first_time("wamid.2") and not alone.first_time("wamid.2")
