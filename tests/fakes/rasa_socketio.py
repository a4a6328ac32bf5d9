"""A fake of Rasa's socket.io channel that answers each user message with a scripted bot message:
for widget behaviour that must not depend on the model (e.g. a right-to-left answer)."""

from __future__ import annotations

from typing import Any, Dict, List

import socketio

from tests.fakes.server import FakeServer

SESSION_ID = "f" * 32


class FakeRasaSocketIO:
    """Answers the n-th user message with `replies[n]` (a `bot_uttered` payload)."""

    def __init__(self, replies: List[Dict[str, Any]]) -> None:
        self.replies = list(replies)
        self.received: List[Dict[str, Any]] = []
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        self.server = FakeServer()
        self.sio.attach(self.server.app, socketio_path="/socket.io")
        self.sio.on("session_request", self._session)
        self.sio.on("user_uttered", self._message)

    async def _session(self, sid: str, data: Any = None) -> None:
        await self.sio.enter_room(sid, SESSION_ID)
        await self.sio.emit("session_confirm", SESSION_ID, room=sid)

    async def _message(self, sid: str, data: Any = None) -> Dict[str, str]:
        self.received.append(data)
        if self.replies:
            await self.sio.emit("bot_uttered", self.replies.pop(0), room=SESSION_ID)
        return {"status": "received"}

    def start(self) -> "FakeRasaSocketIO":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
