"""The website widget's channel: Rasa's socket.io channel, hardened.

Same events as Rasa's (`session_request` → `session_confirm`, `user_uttered` → `bot_uttered`,
path `/socket.io`), with these differences:

- Every text goes through the `InboundPolicy`; a message that is too long gets a polite answer,
  an empty or malformed one is ignored. Malformed events never raise.
- Sessions persist (the widget keeps its session id across reloads). A session id is a random
  32-character hex string given by the server; a socket may only write to a session it joined.
- Metadata is reduced to what the assistant uses: `language_hint` (a two-letter code).
- A user message carries a client `message_id`. A message delivered again after a dropped
  connection is not handled twice: its answers are sent again instead, each tagged with
  `reply_to` (the message id) and `index`, so the widget can drop what it already shows.
- The event's acknowledgement (`{"status": ...}`) tells the widget the message arrived, and,
  once the conversation has one, its language (`"language": "ar"`, the `language` slot after
  the answers), so that the widget's language menu follows a switch the user made by writing.
- No output channel for Rasa's HTTP API (`output_channel=latest`): what is sent to a widget user
  later (a helpdesk agent's reply, the end of a handoff) reaches the widget over the web app's
  Server-Sent Events, which work across Rasa workers; sending it here too would show it twice.

- Websocket only (`TRANSPORTS`), so that a widget's session stays with one Sanic worker; the
  answers for replay are shared by the workers (`Replies`), and by every Rasa process when the
  locks are in Redis (`bot.stores.redis_state`).

CORS: Rasa creates the socket.io server without origin checks of its own
(`cors_allowed_origins=[]`); websockets are not subject to CORS (the Rasa server's `--cors`
setting would apply to long-polling requests). The widget may be embedded anywhere.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.inbound import DEFAULT_MAX_LENGTH, InboundPolicy, RejectedText
from bot.channels.platform import (
    TOO_LONG,
    PlatformInput,
    channel_text,
    conversation_language,
    language_code,
)
from bot.helpdesk import stream_tokens
from bot.stores.redis_state import RedisReplies, redis_of
from bot.stores.shared_state import ProcessConnection, keep_newest, this_servers_file

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
REMEMBERED_REPLIES = 2_000
MAX_EVENT_BYTES = 64 * 1024
# One websocket per widget: it stays with the Sanic worker that accepted it. HTTP long-polling
# (socket.io's other transport) sends each request anew, and a request that reaches another
# worker than the one holding the session is refused; allow it (`transports` in the
# credentials) only with one worker.
TRANSPORTS = ("websocket",)


class ReplayingOutput(SocketIOOutput):
    """Emits the assistant's messages tagged with the user message they answer, and keeps them."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, reply_to: Optional[str]) -> None:
        super().__init__(sio, bot_message_evt)
        self.reply_to = reply_to
        self.sent: List[Dict[str, Any]] = []

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        if isinstance(response, dict) and self.reply_to:
            response = {**response, "reply_to": self.reply_to, "index": len(self.sent)}
        self.sent.append(response)
        await super()._send_message(socket_id, response)


REPLIES_SCHEMA = ("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, sent TEXT)",)


class Replies:
    """The answers to the most recent user messages, by (session, message id). Kept in a SQLite
    database that the Sanic workers of one Rasa server share (`path`, `bot.stores.shared_state`): a
    widget that reconnects to the other worker and sends a message again gets the answers
    again instead of a second handling; without one, in memory."""

    def __init__(self, capacity: int = REMEMBERED_REPLIES, path: Optional[Path] = None) -> None:
        self.capacity = capacity
        self._db = ProcessConnection(path, REPLIES_SCHEMA)

    def seen(self, key: str) -> bool:
        return self._db.get().execute("SELECT 1 FROM replies WHERE key = ?", (key,)).fetchone() is not None

    def get(self, key: str) -> Optional[List[Dict[str, Any]]]:
        """The answers sent, or None while the message is still being handled."""
        row = self._db.get().execute("SELECT sent FROM replies WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row and row[0] is not None else None

    def start(self, key: str) -> None:
        database = self._db.get()
        database.execute("INSERT OR REPLACE INTO replies VALUES (?, NULL)", (key,))
        keep_newest(database, "replies", self.capacity)

    def finish(self, key: str, sent: List[Dict[str, Any]]) -> None:
        self._db.get().execute("UPDATE replies SET sent = ? WHERE key = ?", (json.dumps(sent), key))


class SafeSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with validation, session checks and replay of answers."""

    def __init__(
        self,
        policy: InboundPolicy,
        translations_dir: str,
        transports: Sequence[str] = TRANSPORTS,
        stream_secret: Optional[str] = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.transports = list(transports)
        self.policy = policy
        self.translations_dir = translations_dir
        self.replies = Replies(path=this_servers_file("replies"))
        self._replies_everywhere: Optional[RedisReplies] = None
        self.app: Optional[Sanic] = None
        self.stream_secret = stream_secret

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SafeSocketIOInput":
        credentials = credentials or {}
        return cls(
            InboundPolicy.for_project(
                credentials.get("translations_dir"),
                int(credentials.get("max_message_length", DEFAULT_MAX_LENGTH)),
            ),
            PlatformInput.translations_dir_from(credentials),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            session_persistence=True,
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            transports=list(credentials.get("transports") or TRANSPORTS),
            stream_secret=stream_tokens.stream_secret(PlatformInput.environment()),
        )

    def answers(self) -> Any:
        """Where answers are kept for replay: the lock store's Redis, which every Rasa process
        sees (scale-out, `bot.stores.redis_state`), else this server's file."""
        if self._replies_everywhere is None:
            shared = redis_of(self.app)
            if shared is not None:
                self._replies_everywhere = RedisReplies(*shared)
        return self._replies_everywhere or self.replies

    def get_output_channel(self) -> None:
        """None: later messages reach the widget over the web app's events (see above)."""
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=MAX_EVENT_BYTES, transports=self.transports
        )
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @webhook.listener("before_server_start")
        async def remember_app(app: Sanic, _loop: Any) -> None:
            self.app = app

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            return True

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            fresh = not (isinstance(requested, str) and SESSION_ID.match(requested))
            session_id = uuid.uuid4().hex if fresh else requested
            await sio.enter_room(sid, session_id)
            if fresh and self.stream_secret:
                # Only the widget that started the conversation gets the key to its helpdesk stream.
                token = stream_tokens.stream_token(self.stream_secret, session_id)
                await sio.emit(stream_tokens.TOKEN_EVENT, {"session_id": session_id, "token": token}, room=sid)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: Text, data: Any = None) -> Dict[str, str]:
            return await self.handle(sio, sid, data, on_new_message)

        return webhook

    async def handle(
        self, sio: AsyncServer, sid: str, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Dict[str, str]:
        """Handles one `user_uttered` event; returns the acknowledgement for the widget."""
        if not isinstance(data, dict):
            return {"status": "rejected", "reason": "the event must be an object"}
        session_id = data.get("session_id")
        if not isinstance(session_id, str) or session_id not in sio.rooms(sid):
            return {"status": "rejected", "reason": "request a session first"}
        message_id = data.get("message_id")
        message_id = message_id if isinstance(message_id, str) and MESSAGE_ID.match(message_id) else None
        key = f"{session_id}:{message_id}"
        replies = self.answers()
        if message_id and replies.seen(key):
            for answer in replies.get(key) or []:
                await sio.emit(self.bot_message_evt, answer, room=session_id)
            return await self.received(session_id)
        metadata = data.get(self.metadata_key)
        hint = language_code(metadata.get("language_hint")) if isinstance(metadata, dict) else None
        output = ReplayingOutput(sio, self.bot_message_evt, message_id)
        try:
            text = self.policy.clean(data.get("message"))
        except RejectedText as rejected:
            if rejected.status == 413:
                too_long = await channel_text(self.app, self.translations_dir, TOO_LONG, session_id, hint)
                await output.send_text_message(session_id, too_long)
            return {"status": "rejected", "reason": rejected.reason}
        if message_id:
            replies.start(key)
        try:
            await on_new_message(
                UserMessage(
                    text, output, session_id, input_channel=self.name(),
                    metadata={"language_hint": hint} if hint else None,
                )
            )
        except Exception:  # noqa: BLE001 - the socket must stay usable
            logger.exception("Handling a socket.io message failed")
            return {"status": "failed"}
        if message_id:
            replies.finish(key, output.sent)
        return await self.received(session_id)

    async def received(self, session_id: str) -> Dict[str, str]:
        """The acknowledgement of a handled message, with the conversation's language if known."""
        language = await conversation_language(self.app, session_id)
        return {"status": "received", "language": language} if language else {"status": "received"}
