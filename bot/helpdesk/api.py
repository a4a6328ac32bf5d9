"""The helpdesk's JSON API for agents and the assistant's own processes.

Agents (`Authorization: Bearer <the agent's token>`, or the admin key $HELPDESK_AGENT_TOKEN):
  GET  /api/tickets[?status=open|closed]   tickets with their transcripts (each entry has `dutch`)
  GET  /api/tickets/{id}
  POST /api/tickets/{id}/reply   {"text": "...", "written_in": "nl"|"en"} or {"macro": "<id>"}
  POST /api/tickets/{id}/close
  GET  /api/macros[?language=fa]           reply templates, titled in Dutch
The admin key only: GET|POST /api/agents, DELETE /api/agents/{name}, GET /api/audit
Every read, reply and close is written to the audit log with the agent's name.
Web widget (its conversation's token): GET /api/widget/events?conversation_id=<id>&token=<t>
The assistant (`Authorization: Bearer $HELPDESK_SERVICE_TOKEN`):
  POST /internal/helpdesk/handoffs        open a ticket (actions/handoff.py)
  POST /internal/helpdesk/user-messages   what a user wrote (bot.helpdesk.broker)
  POST /internal/helpdesk/restarts        the user restarted: the ticket closes (the broker)
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from typing import Any, Callable, Dict, Optional

from aiohttp import web

from bot.helpdesk import live
from bot.helpdesk.agents import AgentExists
from bot.helpdesk.dutch import DutchTexts
from bot.helpdesk.macros import UnknownMacro
from bot.helpdesk.service import Handoff, Helpdesk, TicketClosed, TicketNotFound
from bot.helpdesk.store import NewMessage
from bot.helpdesk.stream_tokens import token_matches

HELPDESK = web.AppKey("helpdesk", Helpdesk)
MAX_TEXT = 4000
MAX_TRANSCRIPT = 500
MAX_FACTS = 30
MIN_PASSWORD = 12


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


def optional_text(body: Dict[str, Any], name: str, limit: int) -> Optional[str]:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f"the field {name!r} must be a string of at most {limit} characters")
    return value


def facts_field(body: Dict[str, Any], name: str) -> Dict[str, Any]:
    """What the assistant took from a message: slot or entity name → a plain value."""
    value = body.get(name) or {}
    plain = (str, int, float, bool)
    if not isinstance(value, dict) or len(value) > MAX_FACTS or not all(
        isinstance(k, str) and len(k) <= 64 and isinstance(v, plain) for k, v in value.items()
    ):
        raise BadRequest(f"the field {name!r} must map at most {MAX_FACTS} names to plain values")
    return value


def parse_handoff(body: Dict[str, Any], dutch: DutchTexts) -> Handoff:
    """The handoff in `body`; each message gets its Dutch text (`dutch`) for agents.

    A user message may carry the `intent` it was read as and the `facts` (slot → value) taken
    from it; an assistant message the `response` it came from, or its `dutch` text."""
    transcript = body.get("transcript", [])
    if not isinstance(transcript, list) or len(transcript) > MAX_TRANSCRIPT:
        raise BadRequest(f"the field 'transcript' must be a list of at most {MAX_TRANSCRIPT} messages")
    language = text_field(body, "language", 16, "nl")
    messages = []
    for entry in transcript:
        if not isinstance(entry, dict) or entry.get("author") not in ("user", "bot"):
            raise BadRequest("each transcript entry needs an author ('user' or 'bot'), a text and a time")
        text = text_field(entry, "text", MAX_TEXT)
        if entry["author"] == "user":
            in_dutch = dutch.user_message(optional_text(entry, "intent", 64), facts_field(entry, "facts"))
        else:
            in_dutch = dutch.bot_message(
                text, language, optional_text(entry, "response", 128), optional_text(entry, "dutch", MAX_TEXT)
            )
        messages.append(NewMessage(entry["author"], text, number_field(entry, "at"), in_dutch))
    shared = body.get("shared", False)
    if not isinstance(shared, bool):
        raise BadRequest("the field 'shared' must be true or false")
    return Handoff(
        conversation_id=text_field(body, "conversation_id", 255),
        channel=text_field(body, "channel", 64, "unknown"),
        language=language,
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
AGENT = "helpdesk_agent"  # the request's Agent, set by `agent_only`


def bearer_token(request: web.Request) -> str:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" else ""


def answers_errors(handler: Handler) -> Handler:
    """Turns bad requests into 400/404/409 answers."""

    async def answering(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except TicketClosed:
            return error(409, "the ticket is closed")
        except TicketNotFound:
            return error(404, "no such ticket")
        except UnknownMacro as problem:
            return error(400, f"no macro {problem}; GET /api/macros lists them")
        except ValueError as problem:  # BadRequest, and settings the service refuses
            return error(400, str(problem))

    answering.__doc__ = handler.__doc__
    return answering


def unauthorised() -> web.Response:
    return web.json_response({"error": "missing or wrong token"}, status=401, headers={"WWW-Authenticate": "Bearer"})


def service_only(handler: Handler) -> Handler:
    """401 without the assistant's service token."""
    handler = answers_errors(handler)

    async def guarded_handler(request: web.Request) -> web.StreamResponse:
        if not bearer_matches(request, request.app[HELPDESK].config.service_token):
            return unauthorised()
        return await handler(request)

    guarded_handler.__doc__ = handler.__doc__
    return guarded_handler


def agent_only(handler: Handler, admin: bool = False) -> Handler:
    """401 without an agent's token (or the admin key); 403 for an agent where `admin` is asked."""
    handler = answers_errors(handler)

    async def guarded_handler(request: web.Request) -> web.StreamResponse:
        agent = await request.app[HELPDESK].agents.by_token(bearer_token(request))
        if agent is None:
            return unauthorised()
        if admin and not agent.is_admin:
            return error(403, "only the admin key may do this")
        request[AGENT] = agent
        return await handler(request)

    guarded_handler.__doc__ = handler.__doc__
    return guarded_handler


def admin_only(handler: Handler) -> Handler:
    return agent_only(handler, admin=True)


@agent_only
async def list_tickets(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    status = request.query.get("status")
    if status not in (None, "open", "closed"):
        raise BadRequest("status must be 'open' or 'closed'")
    now = helpdesk.clock()
    tickets = await helpdesk.list(status, request[AGENT])
    return web.json_response({"tickets": [t.as_json(now) for t in tickets]})


@agent_only
async def get_ticket(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    ticket = await helpdesk.read(ticket_id(request), request[AGENT])
    return web.json_response(ticket.as_json(helpdesk.clock()))


@agent_only
async def reply(request: web.Request) -> web.Response:
    """`{"text": "..."}` (optionally `"written_in": "nl"|"en"`) or `{"macro": "<id>"}`."""
    helpdesk = request.app[HELPDESK]
    number = ticket_id(request)
    body = await json_body(request)
    macro = optional_text(body, "macro", 128)
    if macro is None:
        written_in = optional_text(body, "written_in", 8) or "nl"
        message_id = await helpdesk.reply(number, request[AGENT], text=text_field(body, "text", MAX_TEXT), written_in=written_in)
    else:
        message_id = await helpdesk.reply(number, request[AGENT], macro=macro)
    return web.json_response({"ticket_id": number, "message_id": message_id}, status=201)


@agent_only
async def close(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    ticket = await helpdesk.close(ticket_id(request), request[AGENT])
    return web.json_response(ticket.as_json(helpdesk.clock()))


@agent_only
async def list_macros(request: web.Request) -> web.Response:
    """Every macro with its Dutch title and text; `?language=fa` adds the text the user gets."""
    helpdesk = request.app[HELPDESK]
    language = request.query.get("language")
    if language is not None and language not in helpdesk.translations.languages:
        raise BadRequest("unknown language")
    day = dt.datetime.fromtimestamp(helpdesk.clock(), dt.timezone.utc).date()
    macros = []
    for macro in helpdesk.macros.all():
        entry = {"id": macro.id, "group": macro.group, "title": macro.title}
        entry["dutch"] = helpdesk.macros.text(macro.id, helpdesk.translations.default, day)
        if language:
            entry["text"] = helpdesk.macros.text(macro.id, language, day)
        macros.append(entry)
    return web.json_response({"macros": macros})


@admin_only
async def list_agents(request: web.Request) -> web.Response:
    return web.json_response({"agents": await request.app[HELPDESK].agents.names()})


@admin_only
async def add_agent(request: web.Request) -> web.Response:
    """`{"name": "sam", "password": "..."}` (password optional: for the inbox page); answers
    the agent's API token once."""
    helpdesk = request.app[HELPDESK]
    body = await json_body(request)
    name = text_field(body, "name", 63)
    password = optional_text(body, "password", 200)
    if password is not None and len(password) < MIN_PASSWORD:
        raise BadRequest(f"a password needs at least {MIN_PASSWORD} characters")
    try:
        token = await helpdesk.agents.add(name, password, helpdesk.clock())
    except AgentExists:
        return error(409, "an agent with this name exists")
    await helpdesk.agents.record(request[AGENT], "added_agent", None, helpdesk.clock(), name)
    return web.json_response({"name": name, "token": token}, status=201)


@admin_only
async def remove_agent(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    name = request.match_info["name"]
    if not await helpdesk.agents.remove(name, helpdesk.clock()):
        return error(404, "no such agent")
    await helpdesk.agents.record(request[AGENT], "removed_agent", None, helpdesk.clock(), name)
    return web.json_response({"name": name, "removed": True})


@admin_only
async def audit_log(request: web.Request) -> web.Response:
    """`?ticket_id=<n>` and/or `?agent=<name>`: who read, answered and closed what, and when."""
    raw = request.query.get("ticket_id")
    if raw is not None and not (raw.isdigit() and len(raw) <= 12):
        raise BadRequest("ticket_id must be a number")
    entries = await request.app[HELPDESK].agents.log(int(raw) if raw else None, request.query.get("agent"))
    return web.json_response({"entries": entries})


@service_only
async def open_handoff(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    return web.json_response(await helpdesk.open(parse_handoff(await json_body(request), helpdesk.dutch)), status=201)


@service_only
async def user_message(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    body = await json_body(request)
    stored = await helpdesk.add_user_message(
        text_field(body, "conversation_id", 255),
        text_field(body, "text", MAX_TEXT),
        number_field(body, "at"),
        helpdesk.dutch.user_message(optional_text(body, "intent", 64), facts_field(body, "facts")),
    )
    return web.json_response({"ticket_id": stored})


@service_only
async def user_restarted(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    body = await json_body(request)
    at = body.get("at")
    closed = await helpdesk.close_after_restart(
        text_field(body, "conversation_id", 255), float(at) if isinstance(at, (int, float)) and not isinstance(at, bool) else 0.0
    )
    return web.json_response({"ticket_id": closed})


async def widget_events(request: web.Request) -> web.StreamResponse:
    conversation_id = request.query.get("conversation_id", "")
    if not conversation_id.strip() or len(conversation_id) > 255:
        return error(400, "the query parameter 'conversation_id' is missing or too long")
    helpdesk = request.app[HELPDESK]
    if not token_matches(helpdesk.config.stream_secret, conversation_id, request.query.get("token", "")):
        return error(403, "the query parameter 'token' is missing or not this conversation's")
    return await live.stream(request, helpdesk.store, helpdesk.live, conversation_id)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/tickets", list_tickets)
    app.router.add_get("/api/macros", list_macros)
    app.router.add_get("/api/agents", list_agents)
    app.router.add_post("/api/agents", add_agent)
    app.router.add_delete("/api/agents/{name}", remove_agent)
    app.router.add_get("/api/audit", audit_log)
    app.router.add_get("/api/tickets/{ticket_id}", get_ticket)
    app.router.add_post("/api/tickets/{ticket_id}/reply", reply)
    app.router.add_post("/api/tickets/{ticket_id}/close", close)
    app.router.add_get("/api/widget/events", widget_events)
    app.router.add_post("/internal/helpdesk/handoffs", open_handoff)
    app.router.add_post("/internal/helpdesk/user-messages", user_message)
    app.router.add_post("/internal/helpdesk/restarts", user_restarted)
