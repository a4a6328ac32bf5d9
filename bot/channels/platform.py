"""What the messaging-platform channels (WhatsApp, Telegram) share.

- `SeenIds`: platforms deliver a webhook again when they are unsure it arrived; a bounded memory
  of the ids already handled makes sure a user never gets the same answer twice (across Rasa
  processes, when the locks are in Redis: `bot.stores.redis_state`).
- `split_text`: platforms limit the length of a message; long answers are cut at paragraph,
  line or sentence boundaries.
- `PlatformInput`: the common flow of a webhook message. The user's text is cleaned by the
  `InboundPolicy`; the assistant's answers are collected while Rasa handles the message and sent
  to the platform afterwards, in the language the conversation has then. Texts the channel says
  itself ("I can only read text") come from the translations, in the conversation's language.
"""

from __future__ import annotations

import abc
import asyncio
import json
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.inbound import DEFAULT_MAX_LENGTH, InboundPolicy, RejectedText
from bot.content.translations import Translations
from bot.privacy.pseudonyms import ReplyAddresses, is_pseudonym, pseudonym
from bot.stores.redis_state import RedisSeenIds, redis_of
from bot.stores.shared_state import ProcessConnection, keep_newest, this_servers_file

logger = logging.getLogger(__name__)

MAX_WEBHOOK_BODY_BYTES = 1_048_576
REMEMBERED_IDS = 10_000
LANGUAGE_SLOT = "language"
TEXT_ONLY = "utter_text_only"
TOO_LONG = "utter_message_too_long"
SEND_TIMEOUT_SECONDS = 15.0


SEEN_SCHEMA = ("CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY)",)


class SeenIds:
    """The most recent `capacity` ids; `first_time(id)` is True once per id. Kept in a SQLite
    database that the Sanic workers of one Rasa server share (`path`, `bot.stores.shared_state`), so a
    delivery repeated to the other worker is not answered twice; without one, in memory."""

    def __init__(self, capacity: int = REMEMBERED_IDS, path: Optional[Path] = None) -> None:
        self.capacity = capacity
        self._db = ProcessConnection(path, SEEN_SCHEMA)

    def first_time(self, item: str) -> bool:
        database = self._db.get()
        if database.execute("INSERT OR IGNORE INTO seen VALUES (?)", (item,)).rowcount == 0:
            return False
        keep_newest(database, "seen", self.capacity)
        return True

    def __len__(self) -> int:
        return self._db.get().execute("SELECT count(*) FROM seen").fetchone()[0]


def _cut(text: str, limit: int) -> int:
    """Where to cut `text` (longer than `limit`): the last good boundary within the limit."""
    for separator in ("\n\n", "\n", ". ", " "):
        position = text.rfind(separator, 0, limit)
        if position > limit // 3:
            return position + len(separator)
    return limit


def split_text(text: str, limit: int) -> List[str]:
    """`text` in pieces of at most `limit` characters, cut at paragraphs, lines or sentences."""
    pieces: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut(rest, limit)
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def split_tail(text: str, limit: int) -> Tuple[str, str]:
    """`text` as (head, tail): the tail at most `limit` characters, starting at a boundary."""
    text = text.strip()
    if len(text) <= limit:
        return "", text
    start = len(text) - limit
    for separator in ("\n\n", "\n", ". ", " "):
        position = text.find(separator, start)
        if position != -1 and len(text) - position > limit // 3:
            cut = position + len(separator)
            return text[:cut].strip(), text[cut:].strip()
    return text[:start], text[start:]


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis when it is longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def language_code(tag: object) -> Optional[str]:
    """The two-letter language of an IETF tag such as `uk`, `pt-BR`, or None."""
    if not isinstance(tag, str):
        return None
    code = tag.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None


@lru_cache(maxsize=4)
def load_translations(directory: str) -> Translations:
    return Translations.load(Path(directory))


def read_json_object(request: Request) -> Dict[str, Any]:
    """The request body as a JSON object, or RejectedText (413 for too large, 400 otherwise)."""
    body = request.body or b""
    if len(body) > MAX_WEBHOOK_BODY_BYTES:
        raise RejectedText("the request body is too large", status=413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RejectedText("the request body must be JSON")
    if not isinstance(data, dict):
        raise RejectedText("the request body must be a JSON object")
    return data


def error(reason: str, status: int) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


async def conversation_language(app: Optional[Sanic], sender_id: str, hint: Optional[str] = None) -> Optional[str]:
    """The conversation's language (its `language` slot) in the Rasa server `app`, else `hint`."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is not None:
        try:
            tracker = await tracker_store.retrieve(sender_id)
        except Exception:  # noqa: BLE001 - a store hiccup must not cost the user an answer
            logger.exception("Reading the conversation language failed")
            tracker = None
        if tracker is not None and tracker.get_slot(LANGUAGE_SLOT):
            return str(tracker.get_slot(LANGUAGE_SLOT))
    return hint


async def channel_text(
    app: Optional[Sanic], translations_dir: str, key: str, sender_id: str, hint: Optional[str] = None
) -> str:
    """A text a channel says itself (from the translations), in the conversation's language."""
    language = await conversation_language(app, sender_id, hint)
    return load_translations(translations_dir).text(key, language).text


class PlatformHttp:
    """JSON requests to a platform's API over one shared session."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self._session: Optional[aiohttp.ClientSession] = None

    async def open(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_SECONDS)
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(
        self, url: str, body: Dict[str, Any], headers: Optional[Dict[str, str]] = None, what: str = ""
    ) -> Optional[Dict[str, Any]]:
        """Posts `body`; returns the JSON answer, or None after logging why it failed."""
        await self.open()
        try:
            async with self._session.post(url, json=body, headers=headers or {}) as reply:
                if reply.status >= 400:
                    detail = (await reply.text())[:300]
                    logger.warning("%s refused %s: HTTP %s %s", self.platform, what, reply.status, detail)
                    return None
                return await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as problem:
            logger.warning("%s: sending %s failed: %r", self.platform, what, problem)
            return None


def recipient_address(channel: str, addresses: ReplyAddresses, recipient_id: str) -> Optional[str]:
    """Where to send a message for a conversation: the address behind its pseudonym (None when
    it was deleted with the conversation); a key that is no pseudonym is an address already."""
    if not is_pseudonym(channel, recipient_id):
        return recipient_id
    address = addresses.address(recipient_id)
    if address is None:
        logger.warning("%s: no address is kept for a conversation any more; a message was not sent", channel)
    return address


class DeferredOutput(CollectingOutputChannel):
    """Collects the assistant's messages whole (not split per paragraph) to send them later."""

    def __init__(self, channel_name: str) -> None:
        super().__init__()
        self.channel_name = channel_name

    def name(self) -> Text:  # type: ignore[override]  # the real channel's name, for response variations
        return self.channel_name

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text))


class PlatformInput(InputChannel, abc.ABC):
    """A messaging platform's webhook: the common flow; subclasses parse and send."""

    def __init__(
        self, policy: InboundPolicy, translations_dir: str, key_secret: str, addresses: ReplyAddresses
    ) -> None:
        self.policy = policy
        self.translations_dir = translations_dir
        self.http = PlatformHttp(self.name())
        self.seen = SeenIds(path=this_servers_file(f"seen-{self.name()}"))
        self._seen_everywhere: Optional[RedisSeenIds] = None
        self.app: Optional[Sanic] = None
        self.key_secret = key_secret
        self.addresses = addresses

    def conversation_of(self, address: str) -> Optional[str]:
        """The conversation key of a platform address: its pseudonym (`bot.privacy.pseudonyms`);
        the address is kept only to send replies to. None for an address no platform sends
        (text that is not valid Unicode): such a message is dropped."""
        try:
            address.encode("utf-8")
        except UnicodeEncodeError:
            logger.warning("%s: a message from a malformed sender id was dropped", self.name())
            return None
        key = pseudonym(self.key_secret, self.name(), address)
        self.addresses.remember(key, address)
        return key

    @staticmethod
    def policy_from(credentials: Optional[Dict[Text, Any]]) -> InboundPolicy:
        credentials = credentials or {}
        return InboundPolicy.for_project(
            credentials.get("translations_dir"),
            int(credentials.get("max_message_length", DEFAULT_MAX_LENGTH)),
        )

    @staticmethod
    def translations_dir_from(credentials: Optional[Dict[Text, Any]]) -> str:
        return (credentials or {}).get("translations_dir") or str(Path.cwd() / "translations")

    @staticmethod
    def environment() -> Dict[str, str]:
        """The environment, read when Rasa creates the channel (never at import time)."""
        return dict(os.environ)

    @abc.abstractmethod
    def output(self) -> OutputChannel:
        """The output channel that sends to the platform."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Lets Rasa's HTTP API (`output_channel=latest`) send to a user later, e.g. an agent's reply."""
        return self.output()

    def new_blueprint(self) -> Blueprint:
        """A blueprint with a health route that opens and closes the HTTP session with the server."""
        blueprint = Blueprint(f"{self.name()}_webhook", __name__)

        @blueprint.listener("before_server_start")
        async def remember_app(app: Sanic, _loop: Any) -> None:
            self.app = app
            await self.http.open()

        @blueprint.listener("after_server_stop")
        async def close_http(_app: Sanic, _loop: Any) -> None:
            await self.http.close()

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        return blueprint

    def first_time(self, message_id: str) -> bool:
        """Whether no process has handled this platform message yet: the lock store's Redis
        knows for all Rasa processes (scale-out, `bot.stores.redis_state`), else this server's file."""
        if self._seen_everywhere is None:
            shared = redis_of(self.app)
            if shared is not None:
                self._seen_everywhere = RedisSeenIds(*shared, self.name())
        return (self._seen_everywhere or self.seen).first_time(message_id)

    async def channel_text(self, key: str, sender_id: str, hint: Optional[str] = None) -> str:
        """A text of the channel's own (from the translations) in the conversation's language."""
        return await channel_text(self.app, self.translations_dir, key, sender_id, hint)

    async def say(self, key: str, sender_id: str, hint: Optional[str] = None) -> None:
        await self.output().send_text_message(sender_id, await self.channel_text(key, sender_id, hint))

    async def converse(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        text: object,
        hint: Optional[str] = None,
        trusted: bool = False,
    ) -> None:
        """Hands one user text to Rasa and sends the answers to the platform.

        `trusted` texts come from the channel itself (a platform command mapped to an intent) and
        skip the policy; user texts that are too long get a polite answer, empty ones are ignored.
        """
        if not trusted:
            try:
                text = self.policy.clean(text)
            except RejectedText as rejected:
                if rejected.status == 413:
                    await self.say(TOO_LONG, sender_id, hint)
                return
        collected = DeferredOutput(self.name())
        metadata = {"language_hint": hint} if hint else None
        try:
            await on_new_message(
                UserMessage(str(text), collected, sender_id, input_channel=self.name(), metadata=metadata)
            )
        except Exception:  # noqa: BLE001 - one failing message must not break the webhook
            logger.exception("Handling a %s message failed", self.name())
        output = self.output()
        for message in collected.messages:
            message.pop("recipient_id", None)
            try:
                await output.send_response(sender_id, message)
            except Exception:  # noqa: BLE001
                logger.exception("Sending a %s message failed", self.name())
