"""WhatsApp Cloud API channel: `GET|POST /webhooks/whatsapp/webhook`.

In: the verification handshake (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`), and
signed POSTs (`X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body with the app secret>`) with
text messages, interactive replies (`button_reply`, `list_reply`) and template quick replies.
Unsigned or wrongly signed POSTs are refused (401/403) and nothing is sent. Status callbacks are
acknowledged and ignored. Voice, images, locations, stickers and other non-text messages get a
polite "please type" in the conversation's language. Message ids already handled are skipped.

Out: `POST {WHATSAPP_API_BASE}/{WHATSAPP_API_VERSION}/{WHATSAPP_PHONE_NUMBER_ID}/messages` with the
access token (default https://graph.facebook.com and v23.0, `bot.channels.configuration`).
Up to 3 buttons with short titles become reply buttons; longer menus (up to 10) become a list.

The conversation key is a pseudonym of the user's WhatsApp id (their phone number), never the
number itself (`bot.privacy.pseudonyms`); the number is kept apart, only to send to, also later
through Rasa's HTTP API (`output_channel=latest`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.configuration import WhatsAppConfig
from bot.channels.inbound import InboundPolicy, RejectedText
from bot.channels.platform import (
    TEXT_ONLY,
    PlatformHttp,
    PlatformInput,
    error,
    read_json_object,
    recipient_address,
    shorten,
    split_tail,
    split_text,
)
from bot.privacy.pseudonyms import ReplyAddresses, key_secret

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_CHALLENGE = 256
LIST_LABEL = "utter_choose_option"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# Message types that carry no text for the assistant: answered with "please type".
NON_TEXT_TYPES = frozenset(
    {"audio", "voice", "image", "video", "document", "sticker", "location", "contacts", "unsupported"}
)
# Message types that need no answer at all.
SILENT_TYPES = frozenset({"reaction", "system", "request_welcome", "ephemeral"})


def signature_for(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value Meta sends for `body`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_is_valid(secret: str, body: bytes, header: Optional[str]) -> bool:
    if not header:
        return False
    expected = signature_for(secret, body).encode("ascii")
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "replace"))


def _dicts(value: object) -> Iterator[Dict[str, Any]]:
    """The dict items of `value` if it is a list (webhook bodies are not always well formed)."""
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def incoming_messages(body: Dict[str, Any], phone_number_id: str) -> Iterator[Dict[str, Any]]:
    """The user messages of a webhook body addressed to our number (statuses are skipped)."""
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            if str(metadata.get("phone_number_id", phone_number_id)) != phone_number_id:
                continue
            yield from _dicts(value.get("messages"))


def text_of(message: Dict[str, Any]) -> Optional[str]:
    """What the user wrote or chose: a text body, an interactive reply's id, a quick reply's payload."""
    kind = message.get("type")
    if kind == "text" and isinstance(message.get("text"), dict):
        return message["text"].get("body")
    if kind == "interactive" and isinstance(message.get("interactive"), dict):
        interactive = message["interactive"]
        kind = interactive.get("type")
        reply = interactive.get(kind) if kind in ("button_reply", "list_reply") else None
        return reply.get("id") if isinstance(reply, dict) else None
    if kind == "button" and isinstance(message.get("button"), dict):
        return message["button"].get("payload") or message["button"].get("text")
    return None


class WhatsAppOutput(OutputChannel):
    """Sends the assistant's messages through the Cloud API."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def __init__(
        self,
        config: WhatsAppConfig,
        http: PlatformHttp,
        channel_text: Callable[[str, str], Awaitable[str]],
        addresses: Optional[ReplyAddresses] = None,
    ) -> None:
        self.config = config
        self.http = http
        self.channel_text = channel_text
        self.addresses = addresses or ReplyAddresses(None)

    async def _send(self, recipient_id: Text, message: Dict[str, Any], what: str) -> None:
        """Sends to the phone number behind the conversation's pseudonym."""
        to = recipient_address(self.name(), self.addresses, recipient_id)
        if to is None:
            return
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        await self.http.post(
            self.config.messages_url,
            body,
            {"Authorization": f"Bearer {self.config.access_token}"},
            what,
        )

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in split_text(text, MAX_TEXT):
            if piece:
                await self._send(recipient_id, {"type": "text", "text": {"preview_url": False, "body": piece}}, "a text")

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        choices = [b for b in buttons if isinstance(b, dict) and b.get("payload") and b.get("title")]
        if not choices:
            await self.send_text_message(recipient_id, text)
            return
        head, body = split_tail(text or "…", MAX_INTERACTIVE_BODY)
        if head:
            await self.send_text_message(recipient_id, head)
        if len(choices) <= MAX_BUTTONS and all(len(b["title"]) <= MAX_BUTTON_TITLE for b in choices):
            interactive = {
                "type": "button",
                "body": {"text": body},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": str(b["payload"]), "title": b["title"]}}
                        for b in choices
                    ]
                },
            }
        else:
            if len(choices) > MAX_LIST_ROWS:
                logger.warning("WhatsApp lists hold %s rows; %s buttons were cut", MAX_LIST_ROWS, len(choices))
            label = shorten(await self.channel_text(LIST_LABEL, recipient_id), MAX_BUTTON_TITLE)
            interactive = {
                "type": "list",
                "body": {"text": body},
                "action": {"button": label, "sections": [{"rows": [self._row(b) for b in choices[:MAX_LIST_ROWS]]}]},
            }
        await self._send(recipient_id, {"type": "interactive", "interactive": interactive}, "a menu")

    @staticmethod
    def _row(button: Dict[str, Any]) -> Dict[str, str]:
        row = {"id": str(button["payload"]), "title": shorten(button["title"], MAX_ROW_TITLE)}
        if row["title"] != button["title"]:
            row["description"] = shorten(button["title"], MAX_ROW_DESCRIPTION)
        return row

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, {"type": "image", "image": {"link": image}}, "an image")

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """A custom response that is a Cloud API message (it has a `type`) is sent as it is."""
        if isinstance(json_message, dict) and isinstance(json_message.get("type"), str):
            await self._send(recipient_id, dict(json_message), "a custom message")


class WhatsAppInput(PlatformInput):
    """The WhatsApp Cloud API webhook."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def __init__(
        self, config: WhatsAppConfig, policy: InboundPolicy, translations_dir: str, addresses: ReplyAddresses,
        key: Optional[str] = None,
    ) -> None:
        super().__init__(policy, translations_dir, key or config.app_secret, addresses)
        self.config = config

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WhatsAppInput":
        env = cls.environment()
        config = WhatsAppConfig.from_env(env)
        return cls(
            config,
            cls.policy_from(credentials),
            cls.translations_dir_from(credentials),
            ReplyAddresses.for_environment(env),
            key_secret(env, config.app_secret),
        )

    def output(self) -> WhatsAppOutput:
        return WhatsAppOutput(self.config, self.http, self.channel_text, self.addresses)

    def verify(self, request: Request) -> HTTPResponse:
        """Meta's subscription handshake: echo the challenge when the verify token matches."""
        mode = request.args.get("hub.mode")
        token = request.args.get("hub.verify_token") or ""
        challenge = request.args.get("hub.challenge") or ""
        valid = mode == "subscribe" and hmac.compare_digest(
            token.encode("utf-8", "replace"), self.config.verify_token.encode("utf-8")
        )
        if not valid:
            return error("verification failed", 403)
        if not challenge or len(challenge) > MAX_CHALLENGE or not challenge.isprintable():
            return error("the challenge is missing or malformed", 400)
        return response.text(challenge)

    async def handle(self, message: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        message_id, sender = message.get("id"), message.get("from")
        if not isinstance(message_id, str) or not isinstance(sender, str) or not sender.strip():
            return
        if not self.first_time(message_id):
            logger.debug("WhatsApp message %s was delivered again; skipped", message_id)
            return
        sender = self.conversation_of(sender)
        if sender is None:
            return
        kind = message.get("type")
        text = text_of(message)
        if text is not None:
            await self.converse(on_new_message, sender, text)
        elif kind not in SILENT_TYPES:
            await self.say(TEXT_ONLY, sender)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self.new_blueprint()

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self.verify(request)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            signature = request.headers.get(SIGNATURE_HEADER)
            if not signature:
                return error("the request is not signed", 401)
            if not signature_is_valid(self.config.app_secret, request.body or b"", signature):
                return error("the signature is not valid", 403)
            try:
                body = read_json_object(request)
            except RejectedText as rejected:
                return error(rejected.reason, rejected.status)
            for message in incoming_messages(body, self.config.phone_number_id):
                await self.handle(message, on_new_message)
            return response.json({"status": "received"})

        return webhook
