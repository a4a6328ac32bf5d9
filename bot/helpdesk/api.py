"""The helpdesk's JSON API for agents and the assistant's own processes.

Agents (`Authorization: Bearer $HELPDESK_AGENT_TOKEN`):
  GET  /api/tickets[?status=open|closed]   tickets with their transcripts
  GET  /api/tickets/{id}
  POST /api/tickets/{id}/reply   {"text": "..."}
  POST /api/tickets/{id}/close
Web widget (no token; knows its conversation id): GET /api/widget/events?conversation_id=<id>
The assistant (`Authorization: Bearer $HELPDESK_SERVICE_TOKEN`):
  POST /internal/helpdesk/handoffs        open a ticket (actions/handoff.py)
  POST /internal/helpdesk/user-messages   what a user wrote (bot.helpdesk.broker)
"""

from __future__ import annotations

import hmac
import json
from typing import Any, Callable, Dict, Optional

from aiohttp import web

from bot.helpdesk import live
from bot.helpdesk.service import Handoff, Helpdesk, TicketClosed, TicketNotFound
from bot.helpdesk.store import NewMessage

HELPDESK = web.AppKey("helpdesk", Helpdesk)
MAX_TEXT = 4000
MAX_TRANSCRIPT = 500


class BadRequest(ValueError):
    """The request cannot be used; the text says why."""


def error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def bearer_matches(request: web.Request, token: Optional[str]) -> bool:
    """Whether the request carries `Authorization: Bearer <token>` (never true without a token)."""
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


async def json_body(request: web.Request) -> Dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"")
    except (ValueError, UnicodeDecodeError) as problem:
        raise BadRequest("the request body must be JSON") from problem
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def text_field(body: Dict[str, Any], name: str, limit: int, default: Optional[str] = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"the field {name!r} must be a non-empty string")
    if len(value) > limit:
        raise BadRequest(f"the field {name!r} is longer than {limit} characters")
    return value.strip()


def number_field(body: Dict[str, Any], name: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"the field {name!r} must be a number")
    return float(value)


def parse_handoff(body: Dict[str, Any]) -> Handoff:
    transcript = body.get("transcript", [])
    if not isinstance(transcript, list) or len(transcript) > MAX_TRANSCRIPT:
        raise BadRequest(f"the field 'transcript' must be a list of at most {MAX_TRANSCRIPT} messages")
    messages = []
    for entry in transcript:
        if not isinstance(entry, dict) or entry.get("author") not in ("user", "bot"):
            raise BadRequest("each transcript entry needs an author ('user' or 'bot'), a text and a time")
        messages.append(NewMessage(entry["author"], text_field(entry, "text", MAX_TEXT), number_field(entry, "at")))
    shared = body.get("shared", False)
    if not isinstance(shared, bool):
        raise BadRequest("the field 'shared' must be true or false")
    return Handoff(
        conversation_id=text_field(body, "conversation_id", 255),
        channel=text_field(body, "channel", 64, "unknown"),
        language=text_field(body, "language", 16, "nl"),
        topic=text_field(body, "topic", 64, "unknown"),
        reason=text_field(body, "reason", 32, "request_human"),
        shared=shared,
        handoff_after=number_field(body, "handoff_after"),
        transcript=messages,
    )


def ticket_id(request: web.Request) -> int:
    raw = request.match_info["ticket_id"]
    if not raw.isdigit() or len(raw) > 12:
        raise TicketNotFound(raw)
    return int(raw)


Handler = Callable[[web.Request], Any]


def guarded(token_of: Callable[[Helpdesk], Optional[str]]) -> Callable[[Handler], Handler]:
    """Wraps a handler: 401 without the right bearer token; 400/404/409 for bad requests."""

    def wrap(handler: Handler) -> Handler:
        async def guarded_handler(request: web.Request) -> web.StreamResponse:
            helpdesk = request.app[HELPDESK]
            if not bearer_matches(request, token_of(helpdesk)):
                return web.json_response(
                    {"error": "missing or wrong token"}, status=401, headers={"WWW-Authenticate": "Bearer"}
                )
            try:
                return await handler(request)
            except BadRequest as problem:
                return error(400, str(problem))
            except TicketNotFound:
                return error(404, "no such ticket")
            except TicketClosed:
                return error(409, "the ticket is closed")

        guarded_handler.__doc__ = handler.__doc__
        return guarded_handler

    return wrap


agent_only = guarded(lambda helpdesk: helpdesk.config.agent_token)
service_only = guarded(lambda helpdesk: helpdesk.config.service_token)


@agent_only
async def list_tickets(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    status = request.query.get("status")
    if status not in (None, "open", "closed"):
        raise BadRequest("status must be 'open' or 'closed'")
    now = helpdesk.clock()
    return web.json_response({"tickets": [t.as_json(now) for t in await helpdesk.store.list(status)]})


@agent_only
async def get_ticket(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    ticket = await helpdesk.store.get(ticket_id(request))
    if ticket is None:
        raise TicketNotFound()
    return web.json_response(ticket.as_json(helpdesk.clock()))


@agent_only
async def reply(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    number = ticket_id(request)
    body = await json_body(request)
    message_id = await helpdesk.reply(number, text_field(body, "text", MAX_TEXT))
    return web.json_response({"ticket_id": number, "message_id": message_id}, status=201)


@agent_only
async def close(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    ticket = await helpdesk.close(ticket_id(request))
    return web.json_response(ticket.as_json(helpdesk.clock()))


@service_only
async def open_handoff(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    return web.json_response(await helpdesk.open(parse_handoff(await json_body(request))), status=201)


@service_only
async def user_message(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    body = await json_body(request)
    stored = await helpdesk.add_user_message(
        text_field(body, "conversation_id", 255), text_field(body, "text", MAX_TEXT), number_field(body, "at")
    )
    return web.json_response({"ticket_id": stored})


async def widget_events(request: web.Request) -> web.StreamResponse:
    conversation_id = request.query.get("conversation_id", "")
    if not conversation_id.strip() or len(conversation_id) > 255:
        return error(400, "the query parameter 'conversation_id' is missing or too long")
    helpdesk = request.app[HELPDESK]
    return await live.stream(request, helpdesk.store, helpdesk.live, conversation_id)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/tickets", list_tickets)
    app.router.add_get("/api/tickets/{ticket_id}", get_ticket)
    app.router.add_post("/api/tickets/{ticket_id}/reply", reply)
    app.router.add_post("/api/tickets/{ticket_id}/close", close)
    app.router.add_get("/api/widget/events", widget_events)
    app.router.add_post("/internal/helpdesk/handoffs", open_handoff)
    app.router.add_post("/internal/helpdesk/user-messages", user_message)
