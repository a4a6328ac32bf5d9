"""Live updates for web-widget users: agent replies and the end of a handoff, as Server-Sent Events.

Rasa's socket.io output cannot be recreated across workers, so the widget keeps its own connection
to the web app: `GET /api/widget/events?conversation_id=<id>&token=<its stream token>`. Events
come from the ticket store (so a reconnecting widget that sends `Last-Event-ID` misses nothing);
this module only wakes the waiting connections of this process when something new is stored, and
they poll now and then for what other processes stored.
"""

from __future__ import annotations

import asyncio
import json
from typing import Dict, Set

from aiohttp import web

from bot.helpdesk.store import TicketStore

EVENT_TYPES = {"agent": "agent_message", "system": "handoff_closed"}
# The stream needs the conversation's token (bot.helpdesk.stream_tokens), which only the widget
# that started the conversation gets. Tickets of messaging platforms are never streamed anyway:
# their users get replies in the app.
MESSAGING_CHANNELS = ("whatsapp", "telegram")
KEEPALIVE_SECONDS = 15.0


class LiveUpdates:
    """Wakes the widget connections waiting on a conversation."""

    def __init__(self) -> None:
        self._waiting: Dict[str, Set[asyncio.Event]] = {}

    def notify(self, conversation_id: str) -> None:
        for event in self._waiting.get(conversation_id, ()):
            event.set()

    def subscribe(self, conversation_id: str) -> asyncio.Event:
        event = asyncio.Event()
        self._waiting.setdefault(conversation_id, set()).add(event)
        return event

    def unsubscribe(self, conversation_id: str, event: asyncio.Event) -> None:
        waiting = self._waiting.get(conversation_id)
        if waiting is not None:
            waiting.discard(event)
            if not waiting:
                del self._waiting[conversation_id]


def _starting_point(request: web.Request) -> int:
    raw = request.headers.get("Last-Event-ID") or request.query.get("last_event_id") or ""
    return int(raw) if raw.isdigit() else -1


async def stream(
    request: web.Request, store: TicketStore, live: LiveUpdates, conversation_id: str
) -> web.StreamResponse:
    """Sends `{"type": "agent_message", "text": ...}` and `{"type": "handoff_closed", "text": ...}`
    events for one conversation until the client goes away. Without `Last-Event-ID` the client
    gets what was said in its open ticket so far, and everything new."""
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
            "Access-Control-Allow-Origin": "*",
        }
    )
    await response.prepare(request)
    last_id = _starting_point(request)
    only_open = last_id < 0
    wake = live.subscribe(conversation_id)
    try:
        await response.write(b"retry: 2000\n\n")
        while True:
            wake.clear()
            for message, status, _ in await store.messages_after(
                conversation_id, max(last_id, 0), EVENT_TYPES, MESSAGING_CHANNELS
            ):
                last_id = message.id
                if only_open and status != "open":
                    continue
                data = json.dumps({"type": EVENT_TYPES[message.author], "text": message.text}, ensure_ascii=False)
                await response.write(f"id: {message.id}\ndata: {data}\n\n".encode("utf-8"))
            only_open = False
            last_id = max(last_id, 0)
            try:
                await asyncio.wait_for(wake.wait(), timeout=KEEPALIVE_SECONDS)
            except asyncio.TimeoutError:
                await response.write(b": keep-alive\n\n")
    except ConnectionResetError:
        pass
    finally:
        live.unsubscribe(conversation_id, wake)
    return response
