"""A fake Telegram Bot API: `POST /bot<token>/<method>`.

It checks the bot token and, for the methods the assistant uses, the documented limits
(`sendMessage`: text 1-4096 characters, inline keyboard buttons with callback data of 1-64
bytes; `answerCallbackQuery`: a query id). Anything else is answered the way Telegram does.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Dict, Iterator, List, Optional, Tuple

from aiohttp import web

from tests.fakes.server import Answer, Call, FakeServer, PlatformFake

BOT_TOKEN = "123456:fake-telegram-bot-token"
SECRET_TOKEN = "fake-telegram-secret_token-1"


def problems(method: str, body: Dict[str, Any]) -> List[str]:
    found = []
    if method == "sendMessage":
        if not isinstance(body.get("chat_id"), (int, str)) or body.get("chat_id") in ("", None):
            found.append("chat_id is required")
        if not 0 < len(body.get("text") or "") <= 4096:
            found.append("text must be 1-4096 characters")
        for row in (body.get("reply_markup") or {}).get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data") or ""
                if not button.get("text") or not 0 < len(data.encode()) <= 64:
                    found.append(f"bad button {button}")
    elif method == "answerCallbackQuery":
        if not body.get("callback_query_id"):
            found.append("callback_query_id is required")
    elif method != "sendPhoto":
        found.append(f"method {method} is not expected")
    return found


def bot_api(ids: Iterator[int]) -> Answer:
    """The Bot API's answer to `POST /bot<token>/<method>`."""

    def answer(request: web.Request, body: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        name = request.match_info["method"]
        if request.match_info["token"] != BOT_TOKEN:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if problems(name, body):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: " + "; ".join(problems(name, body))}
        result: Any = True
        if name == "sendMessage":
            result = {"message_id": next(ids), "chat": {"id": body["chat_id"]}, "text": body["text"]}
        return 200, {"ok": True, "result": result}

    return answer


def method_of(call: Call) -> str:
    return call.path.rsplit("/", 1)[-1]


class FakeTelegram(PlatformFake):
    """The fake Bot API, and helpers to build updates shaped as Telegram documents them."""

    def __init__(self) -> None:
        super().__init__(FakeServer("/bot{token}/{method}", bot_api(itertools.count(1))))
        self._update_ids = itertools.count(700_000_001)

    @property
    def env(self) -> Dict[str, str]:
        return {
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_SECRET_TOKEN": SECRET_TOKEN,
            "TELEGRAM_API_BASE": self.server.url,
        }

    def calls(self, method: Optional[str] = None, since: int = 0) -> List[Dict[str, Any]]:
        return [
            c.body for c in self.server.calls_since(since)
            if c.status == 200 and method in (None, method_of(c))
        ]

    def sent_to(self, chat_id: int, since: int = 0) -> List[Dict[str, Any]]:
        return [b for b in self.calls("sendMessage", since) if b["chat_id"] in (chat_id, str(chat_id))]

    def next_update_id(self) -> int:
        return next(self._update_ids)


def user(user_id: int, language_code: Optional[str] = "nl") -> Dict[str, Any]:
    person = {"id": user_id, "is_bot": False, "first_name": "Test"}
    if language_code:
        person["language_code"] = language_code
    return person


def message_update(update_id: int, user_id: int, text: Optional[str] = None,
                   language_code: Optional[str] = "nl", **fields: Any) -> bytes:
    """An update with a private-chat message, as the Bot API documents it."""
    message: Dict[str, Any] = {
        "message_id": update_id % 100_000,
        "from": user(user_id, language_code),
        "chat": {"id": user_id, "first_name": "Test", "type": "private"},
        "date": 1732871234,
        **fields,
    }
    if text is not None:
        message["text"] = text
    return json.dumps({"update_id": update_id, "message": message}).encode()


def callback_update(update_id: int, user_id: int, data: str, language_code: Optional[str] = "nl") -> bytes:
    """An update with a callback query: the user tapped an inline button."""
    query = {
        "id": f"cbq{update_id}",
        "from": user(user_id, language_code),
        "message": {
            "message_id": 1,
            "from": {"id": 123456, "is_bot": True, "first_name": "Werkwijzer"},
            "chat": {"id": user_id, "first_name": "Test", "type": "private"},
            "date": 1732871234,
            "text": "…",
        },
        "chat_instance": "-1234567890",
        "data": data,
    }
    return json.dumps({"update_id": update_id, "callback_query": query}).encode()


def with_secret(secret: str = SECRET_TOKEN) -> Dict[str, str]:
    return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
