"""Telegram Bot API channel: `POST /webhooks/telegram/webhook`.

In: updates with a `message` (text; `/start` opens the conversation with a greeting) or a
`callback_query` (a tap on an inline button; answered with `answerCallbackQuery`). Each request
must carry the `X-Telegram-Bot-Api-Secret-Token` given to `setWebhook`, else it is refused and
nothing is sent. The user's `language_code` is passed on as metadata `language_hint`. An
`update_id` already handled is skipped. Voice, photos, stickers and the like get a polite
"please type" in the conversation's language.

Out: `POST {TELEGRAM_API_BASE}/bot<token>/sendMessage`, buttons as an inline keyboard.

Unlike Rasa's own Telegram connector this channel makes no call to Telegram when it starts:
register the webhook once yourself (`setWebhook` with `url` and `secret_token`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.configuration import TelegramConfig
from bot.channels.inbound import InboundPolicy, RejectedText
from bot.channels.platform import (
    TEXT_ONLY,
    PlatformHttp,
    PlatformInput,
    error,
    language_code,
    read_json_object,
    recipient_address,
    split_text,
)
from bot.privacy.pseudonyms import ReplyAddresses, key_secret

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CALLBACK_DATA_BYTES = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
START_COMMAND = "/start"
GREETING = "/greet"
HASHED_PREFIX = "#"
# Message fields that carry something other than text: answered with "please type".
NON_TEXT_FIELDS = (
    "voice", "audio", "photo", "video", "video_note", "document", "sticker", "animation",
    "location", "venue", "contact", "poll", "dice",
)


def callback_data(payload: str) -> str:
    """Telegram allows 64 bytes of callback data: longer payloads travel as a hash."""
    if len(payload.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        return payload
    return HASHED_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def keyboard(buttons: List[Dict[str, Any]]) -> Dict[str, Any]:
    """An inline keyboard with one button per row (titles in every language stay readable)."""
    return {
        "inline_keyboard": [
            [{"text": str(b["title"]), "callback_data": callback_data(str(b["payload"]))}]
            for b in buttons
            if isinstance(b, dict) and b.get("title") and b.get("payload")
        ]
    }


class TelegramOutput(OutputChannel):
    """Sends the assistant's messages through the Bot API."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, config: TelegramConfig, http: PlatformHttp, addresses: Optional[ReplyAddresses] = None) -> None:
        self.config = config
        self.http = http
        self.addresses = addresses or ReplyAddresses(None)

    async def call(self, method: str, body: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """Calls a Bot API method; a `chat_id` that is a conversation's pseudonym becomes the chat
        behind it."""
        if "chat_id" in body:
            chat = recipient_address(self.name(), self.addresses, str(body["chat_id"]))
            if chat is None:
                return None
            body = {**body, "chat_id": chat}
        return await self.http.post(f"{self.config.api_base}/bot{self.config.bot_token}/{method}", body, what=method)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_pieces(recipient_id, text, None)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        markup = keyboard(buttons)
        await self._send_pieces(recipient_id, text or "…", markup if markup["inline_keyboard"] else None)

    async def _send_pieces(self, recipient_id: Text, text: Text, markup: Optional[Dict[str, Any]]) -> None:
        pieces = [p for p in split_text(text, MAX_TEXT) if p]
        for index, piece in enumerate(pieces):
            body: Dict[str, Any] = {"chat_id": recipient_id, "text": piece}
            if markup and index == len(pieces) - 1:
                body["reply_markup"] = markup
            await self.call("sendMessage", body)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.call("sendPhoto", {"chat_id": recipient_id, "photo": image})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """A custom response with a `text` is sent as a message with its other Bot API fields."""
        if isinstance(json_message, dict) and isinstance(json_message.get("text"), str):
            await self.call("sendMessage", {**json_message, "chat_id": recipient_id})


class TelegramInput(PlatformInput):
    """The Telegram webhook."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(
        self, config: TelegramConfig, policy: InboundPolicy, translations_dir: str, addresses: ReplyAddresses,
        key: Optional[str] = None,
    ) -> None:
        super().__init__(policy, translations_dir, key or config.secret_token, addresses)
        self.config = config
        self.hashed_payloads = {callback_data(p): p for p in policy.allowed_payloads if callback_data(p) != p}

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        env = cls.environment()
        config = TelegramConfig.from_env(env)
        return cls(
            config,
            cls.policy_from(credentials),
            cls.translations_dir_from(credentials),
            ReplyAddresses.for_environment(env),
            key_secret(env, config.secret_token),
        )

    def output(self) -> TelegramOutput:
        return TelegramOutput(self.config, self.http, self.addresses)

    def secret_is_valid(self, header: Optional[str]) -> bool:
        return bool(header) and hmac.compare_digest(
            header.encode("utf-8", "replace"), self.config.secret_token.encode("utf-8")
        )

    async def on_message(self, message: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        chat = message.get("chat")
        if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
            return
        sender = self.conversation_of(str(chat["id"]))
        author = message.get("from") if isinstance(message.get("from"), dict) else {}
        hint = language_code(author.get("language_code"))
        text = message.get("text")
        if isinstance(text, str):
            command = text.strip().split(maxsplit=1)[0] if text.strip() else ""
            if command == START_COMMAND or command.startswith(START_COMMAND + "@"):
                await self.converse(on_new_message, sender, GREETING, hint, trusted=True)
            else:
                await self.converse(on_new_message, sender, text, hint)
        elif any(field in message for field in NON_TEXT_FIELDS):
            await self.say(TEXT_ONLY, sender, hint)

    async def on_callback(self, query: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        if isinstance(query.get("id"), str):
            await self.output().call("answerCallbackQuery", {"callback_query_id": query["id"]})
        message = query.get("message") if isinstance(query.get("message"), dict) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        author = query.get("from") if isinstance(query.get("from"), dict) else {}
        chat_id = chat.get("id", author.get("id"))
        data = query.get("data")
        if not isinstance(chat_id, int) or not isinstance(data, str):
            return
        payload = self.hashed_payloads.get(data, data)
        sender = self.conversation_of(str(chat_id))
        await self.converse(on_new_message, sender, payload, language_code(author.get("language_code")))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self.new_blueprint()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.secret_is_valid(request.headers.get(SECRET_HEADER)):
                return error("the secret token is missing or wrong", 403)
            try:
                update = read_json_object(request)
            except RejectedText as rejected:
                return error(rejected.reason, rejected.status)
            update_id = update.get("update_id")
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                return error("the field 'update_id' must be an integer", 400)
            if not self.first_time(str(update_id)):
                return response.json({"ok": True, "duplicate": True})
            if isinstance(update.get("message"), dict):
                await self.on_message(update["message"], on_new_message)
            elif isinstance(update.get("callback_query"), dict):
                await self.on_callback(update["callback_query"], on_new_message)
            return response.json({"ok": True})

        return webhook
