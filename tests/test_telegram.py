"""The Telegram channel of a running assistant, against a local fake of the Bot API.

Updates are shaped as the Bot API documents them; the fake records what the assistant sends.
"""

from __future__ import annotations

import json
import random
from typing import Any, Dict, List

import pytest

from bot.channels.configuration import TelegramConfig
from bot.channels.telegram import TelegramOutput, callback_data
from tests.fakes import telegram as tg

pytestmark = pytest.mark.server


class TelegramUser:
    """One Telegram user in a private chat with the assistant."""

    def __init__(self, assistant, fake, language_code: str = "nl") -> None:
        self.assistant, self.fake = assistant, fake
        self.id = random.randint(10**9, 2 * 10**9)
        self.language_code = language_code

    @property
    def webhook(self) -> str:
        return f"{self.assistant.settings.rasa_url}/webhooks/telegram/webhook"

    def deliver(self, body: bytes, headers: Dict[str, str] = None):
        return self.assistant.request(self.webhook, body, headers if headers is not None else tg.with_secret())

    def update(self, body: bytes) -> List[Dict[str, Any]]:
        """Delivers one update; returns what the assistant sent to this chat."""
        mark = self.fake.server.mark()
        status, raw = self.deliver(body)
        assert status == 200, raw
        assert not self.fake.refused(mark), "the Bot API refused a call of the assistant"
        return self.fake.sent_to(self.id, mark)

    def says(self, text: str) -> List[Dict[str, Any]]:
        return self.update(tg.message_update(self.fake.next_update_id(), self.id, text, self.language_code))

    def taps(self, payload: str) -> List[Dict[str, Any]]:
        return self.update(tg.callback_update(self.fake.next_update_id(), self.id, callback_data(payload), self.language_code))


def text_of(sent: List[Dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in sent)


def buttons_of(sent: List[Dict[str, Any]]) -> Dict[str, str]:
    return {
        button["callback_data"]: button["text"]
        for m in sent
        for row in (m.get("reply_markup") or {}).get("inline_keyboard") or []
        for button in row
    }


@pytest.fixture
def user(assistant, fake_telegram) -> TelegramUser:
    return TelegramUser(assistant, fake_telegram)


def test_nothing_is_called_at_start_up(assistant, fake_telegram):
    """Unlike Rasa's Telegram connector: no setWebhook, getMe or deleteWebhook."""
    methods = {tg.method_of(c) for c in fake_telegram.server.calls_since(0)}
    assert not methods & {"setWebhook", "getMe", "deleteWebhook", "getUpdates"}


def test_start_greets_and_a_question_gets_an_answer_with_an_inline_keyboard(user):
    greeting = user.says("/start")
    assert greeting and "Hallo" in text_of(greeting)
    answer = user.says("Mag ik werken als asielzoeker?")
    assert "6 maanden" in text_of(answer) and "Bron:" in text_of(answer)
    assert "/request_human" in buttons_of(answer)


def test_tapping_a_button_answers_the_callback_and_the_topic(user):
    user.says("Mag ik werken als asielzoeker?")
    mark = user.fake.server.mark()
    answer = user.taps("/ask_24_weeks")
    assert "geldt niet meer" in text_of(answer)
    answered = user.fake.calls("answerCallbackQuery", mark)
    assert len(answered) == 1 and answered[0]["callback_query_id"].startswith("cbq")


def test_language_menu_buttons_round_trip(user):
    menu = user.says("in English please")
    assert buttons_of(menu)['/choose_language{"language":"nl"}'] == "Nederlands"
    user.taps('/choose_language{"language":"nl"}')
    assert "6 maanden" in text_of(user.taps("/ask_asylum_work"))


def test_the_users_telegram_language_is_passed_on_as_a_hint(assistant, fake_telegram):
    english = TelegramUser(assistant, fake_telegram, language_code="en-GB")
    non_text = english.update(
        tg.message_update(fake_telegram.next_update_id(), english.id, None, "en-GB",
                          sticker={"file_id": "x", "file_unique_id": "y", "width": 512, "height": 512, "is_animated": False, "is_video": False, "type": "regular"})
    )
    assert "only read text" in text_of(non_text)


@pytest.mark.parametrize(
    "fields",
    [
        {"voice": {"file_id": "a", "file_unique_id": "b", "duration": 3, "mime_type": "audio/ogg"}},
        {"photo": [{"file_id": "a", "file_unique_id": "b", "width": 90, "height": 90}]},
        {"location": {"latitude": 52.37, "longitude": 4.89}},
    ],
)
def test_non_text_messages_get_a_polite_answer(user, fields):
    sent = user.update(tg.message_update(user.fake.next_update_id(), user.id, None, "nl", **fields))
    assert "alleen tekst" in text_of(sent)


def test_a_repeated_update_is_answered_once(user):
    body = tg.message_update(user.fake.next_update_id(), user.id, "Mag ik werken als asielzoeker?")
    assert user.update(body)
    assert user.update(body) == []


@pytest.mark.parametrize("headers", [{"Content-Type": "application/json"}, tg.with_secret("wrong-secret"), tg.with_secret("")])
def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_sent(user, headers):
    body = tg.message_update(user.fake.next_update_id(), user.id, "Mag ik werken als asielzoeker?")
    mark = user.fake.server.mark()
    status, _ = user.deliver(body, headers)
    assert status in (401, 403)
    assert user.fake.calls(since=mark) == []
    assert user.update(body), "the same update with the right secret is answered"


@pytest.mark.parametrize(
    "body,expected",
    [
        (b"", 400),
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b'{"message": {"text": "hoi"}}', 400),
        (b'{"update_id": "7", "message": {}}', 400),
        (b'{"update_id": 999000001, "message": "nope"}', 200),
        (b'{"update_id": 999000002, "message": {"chat": {"id": "x"}, "text": "hoi"}}', 200),
        (b'{"update_id": 999000003, "edited_message": {"chat": {"id": 1}, "text": "hoi"}}', 200),
        (b'{"update_id": 999000004, "callback_query": {"id": "q", "data": 5}}', 200),
        (json.dumps({"update_id": 999000005, "padding": "x" * 2_000_000}).encode(), 413),
    ],
)
def test_malformed_or_oversized_updates_get_a_4xx_or_are_ignored_never_a_500(user, body, expected):
    status, raw = user.deliver(body)
    assert status == expected, raw
    assert "6 maanden" in text_of(user.says("Mag ik werken als asielzoeker?"))


def test_a_message_that_is_too_long_gets_a_polite_answer(user):
    assert "te lang" in text_of(user.says("Mag ik werken? " * 300))


async def test_the_output_channel_sends_without_a_webhook_call(fake_telegram, platform_http):
    """What Rasa's HTTP API (`output_channel=latest`) uses to send, e.g. a helpdesk agent's reply."""
    output = TelegramOutput(TelegramConfig.from_env(fake_telegram.env), platform_http)
    chat, mark = random.randint(10**9, 2 * 10**9), fake_telegram.server.mark()
    long_payload = '/choose_language{"language":"nl","reason":"a payload longer than 64 bytes"}'
    await output.send_response(str(chat), {"text": "y" * 5000, "buttons": [{"title": "Nederlands", "payload": long_payload}]})
    sent = fake_telegram.sent_to(chat, mark)
    assert not fake_telegram.refused(mark)
    assert len(sent) == 2 and "reply_markup" not in sent[0]
    assert sent[1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == callback_data(long_payload)
