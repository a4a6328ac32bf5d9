"""The agents' inbox page: sign in (name and password, or an agent token), see open tickets
(language, channel, topic, waiting time), read a transcript with what each message says in
Dutch beside it, reply with a macro (chosen in Dutch, sent in the user's language) or free text,
close.

Server-rendered HTML; every text from users and agents goes through `html.escape`, so HTML or
script in a message is shown as text. The session cookie names the agent and carries an HMAC of
the name (no token, no password), is HttpOnly and SameSite=Strict, and every form carries a CSRF
value. Each ticket an agent opens, answers or closes is written to the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
from html import escape
from typing import Optional, Tuple, Union

from aiohttp import web

from bot.helpdesk.agents import Agent
from bot.helpdesk.api import HELPDESK, MAX_TEXT
from bot.helpdesk.macros import UnknownMacro
from bot.helpdesk.service import Helpdesk, TicketClosed
from bot.helpdesk.store import Message, Ticket

COOKIE = "helpdesk_session"
AUTHOR_NAMES = {
    "user": "User", "bot": "Assistant", "agent": "Agent", "system": "Assistant (handoff ended)", "note": "Note",
}

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
.transcript td{white-space:pre-wrap}.transcript tr.user td{background:#e8f0fe}.transcript tr.agent td{background:#e6f4ea}
textarea{width:100%;min-height:6rem}.meta{color:#4a4a4a}select{max-width:100%}
fieldset{margin:1rem 0;border:1px solid #bbb}a{color:#0645ad}
"""


def _derived(key: str, purpose: str) -> str:
    return hmac.new(key.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def _session_key(helpdesk: Helpdesk) -> str:
    """The key that signs session cookies: derived from the admin and service keys, so every web
    app process of a deployment has the same one."""
    keys = (helpdesk.config.agent_token or "") + "|" + (helpdesk.config.service_token or "")
    return _derived(keys, "inbox-session-key")


def session_cookie(helpdesk: Helpdesk, agent: Agent) -> str:
    return f"{agent.name}.{_derived(_session_key(helpdesk), 'session:' + agent.name)}"


async def signed_in(request: web.Request) -> Optional[Agent]:
    """The agent whose session cookie the request carries (and whose account is still open)."""
    helpdesk = request.app[HELPDESK]
    cookie = request.cookies.get(COOKIE, "")
    name, _, _ = cookie.partition(".")
    if not name or not (helpdesk.config.agent_token or helpdesk.config.service_token):
        return None
    if not hmac.compare_digest(cookie.encode(), session_cookie(helpdesk, Agent(name)).encode()):
        return None
    return Agent(name) if await helpdesk.agents.still_active(name) else None


def csrf_value(helpdesk: Helpdesk, agent: Agent) -> str:
    return _derived(_session_key(helpdesk), "inbox-csrf:" + agent.name)


def page(title: str, body: str, status: int = 200) -> web.Response:
    """A page; none reloads itself (a timed reload takes the page from under a screen-reader
    user, WCAG 2.2.1): the inbox has a link to refresh it."""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return web.Response(
        text=html,
        status=status,
        content_type="text/html",
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


def waiting(seconds: float) -> str:
    minutes = int(max(0, seconds) // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def sign_in_form(message: str = "") -> str:
    note = f'<p role="alert"><strong>{escape(message)}</strong></p>' if message else ""
    return (
        f'{note}<form method="post" action="/helpdesk/sign-in">'
        '<p><label>Name <input name="name" autocomplete="username"></label></p>'
        '<p><label>Password or agent token <input type="password" name="secret" '
        'autocomplete="current-password" required></label></p>'
        '<p class="meta">Sign in with your name and password, or with your agent token alone.</p>'
        '<button type="submit">Sign in</button></form>'
    )


def hidden_csrf(helpdesk: Helpdesk, agent: Agent) -> str:
    return f'<input type="hidden" name="csrf" value="{csrf_value(helpdesk, agent)}">'


def sign_in_page(status: int = 200, message: str = "") -> web.Response:
    return page("Helpdesk: sign in", sign_in_form(message), status=status)


async def inbox(request: web.Request) -> web.Response:
    agent = await signed_in(request)
    if agent is None:
        return sign_in_page()
    helpdesk = request.app[HELPDESK]
    now = helpdesk.clock()
    rows = "".join(
        "<tr>"
        f'<td><a href="/helpdesk/tickets/{t.id}">Ticket #{t.id}</a></td>'
        f"<td>{escape(helpdesk_language_name(helpdesk, t.language))}</td><td>{escape(t.channel)}</td>"
        f"<td>{escape(topic_title(helpdesk, t.topic))}</td>"
        f"<td>{escape(t.reason)}</td><td>{waiting(now - t.created_at)}</td>"
        "</tr>"
        for t in await helpdesk.list("open", agent, with_transcripts=False)
    )
    table = (
        '<table><caption>Open tickets, the longest waiting first</caption><tr><th scope="col">Ticket</th>'
        '<th scope="col">Language</th><th scope="col">Channel</th><th scope="col">Topic</th>'
        f'<th scope="col">Reason</th><th scope="col">Waiting</th></tr>{rows}</table>'
        if rows
        else "<p>No open tickets.</p>"
    )
    waiting_deliveries = (await helpdesk.store.outbox_status())["pending"]
    outbox = f'<p class="meta">Deliveries waiting to be sent (replies, escalations): {waiting_deliveries}</p>'
    sign_out = (
        f'<form method="post" action="/helpdesk/sign-out">{hidden_csrf(helpdesk, agent)}'
        f'<p class="meta">Signed in as {escape(agent.name)}. <button type="submit">Sign out</button></p></form>'
    )
    refresh = '<p><a href="/helpdesk">Refresh the list</a></p>'
    return page("Helpdesk: open tickets", sign_out + refresh + table + outbox)


def helpdesk_language_name(helpdesk: Helpdesk, code: str) -> str:
    known = helpdesk.translations.languages.get(code)
    return f"{known.name} ({code})" if known else code


def topic_title(helpdesk: Helpdesk, topic: str) -> str:
    return helpdesk.dutch.wording.intents.get(topic, topic)


def message_row(message: Message, ticket: Ticket, helpdesk: Helpdesk) -> str:
    """One transcript row: who, when, the text as written (in its language), and in Dutch."""
    language = "nl" if message.author == "note" else ticket.language
    direction = helpdesk.translations.direction(language)
    when = dt.datetime.fromtimestamp(message.at, dt.timezone.utc)
    return (
        f'<tr class="{escape(message.author)}"><th scope="row">{AUTHOR_NAMES.get(message.author, escape(message.author))}'
        f'<br><span class="meta">{when:%Y-%m-%d %H:%M} UTC</span></th>'
        f'<td lang="{escape(language)}" dir="{direction}">{escape(message.text)}</td>'
        f'<td lang="nl">{escape(message.dutch or "")}</td></tr>'
    )


def reply_form(ticket: Ticket, helpdesk: Helpdesk, agent: Agent) -> str:
    options = "".join(
        f'<option value="{escape(m.id)}">{"Helpdesk" if m.group == "helpdesk" else "Answer"}: {escape(m.title)}</option>'
        for m in helpdesk.macros.all()
    )
    language = escape(helpdesk_language_name(helpdesk, ticket.language))
    return (
        f'<form method="post" action="/helpdesk/tickets/{ticket.id}/reply">{hidden_csrf(helpdesk, agent)}'
        f"<fieldset><legend>Reply with a text in the user's language ({language})</legend>"
        f'<p><label for="macro">Text (chosen in Dutch)</label> <select id="macro" name="macro">'
        f'<option value="">(none: send my own text below)</option>{options}</select></p>'
        "</fieldset><fieldset><legend>Or write your own text</legend>"
        f'<p><label for="reply-text">Your text</label><textarea id="reply-text" name="text" maxlength="{MAX_TEXT}"></textarea></p>'
        '<p><label for="written-in">Written in</label> <select id="written-in" name="written_in">'
        '<option value="nl">Dutch</option><option value="en">English</option></select> '
        '<span class="meta">The user is told which language your own text is in.</span></p>'
        '</fieldset><button type="submit">Send</button></form>'
        f'<form method="post" action="/helpdesk/tickets/{ticket.id}/close">{hidden_csrf(helpdesk, agent)}'
        '<p><button type="submit">Close and give back to the assistant</button></p></form>'
    )


async def ticket_page(request: web.Request) -> web.Response:
    agent = await signed_in(request)
    if agent is None:
        return sign_in_page(401)
    helpdesk = request.app[HELPDESK]
    raw = request.match_info["ticket_id"]
    ticket = await helpdesk.store.get(int(raw)) if raw.isdigit() and len(raw) <= 12 else None
    if ticket is None:
        return page("Helpdesk: no such ticket", '<p><a href="/helpdesk">Back to the inbox</a></p>', status=404)
    ticket = await helpdesk.read(ticket.id, agent)
    now = helpdesk.clock()
    facts = (
        f'<p class="meta">Language: {escape(helpdesk_language_name(helpdesk, ticket.language))} · '
        f"Channel: {escape(ticket.channel)} · Topic: {escape(topic_title(helpdesk, ticket.topic))} · "
        f"Reason: {escape(ticket.reason)} · Status: {escape(ticket.status)} · "
        f"Waiting: {waiting((ticket.closed_at or now) - ticket.created_at)} · "
        f"Personal data {'shared by the user' if ticket.shared else 'hidden'}</p>"
    )
    rows = "".join(message_row(m, ticket, helpdesk) for m in ticket.transcript)
    transcript = (
        '<table class="transcript"><caption>Conversation, with what each message says in Dutch</caption>'
        '<tr><th scope="col">Who</th><th scope="col">As written</th><th scope="col">In Dutch</th></tr>'
        f"{rows}</table>"
    )
    actions = reply_form(ticket, helpdesk, agent) if ticket.is_open else ""
    back = '<p><a href="/helpdesk">Back to the inbox</a></p>'
    return page(f"Ticket #{ticket.id}", back + facts + transcript + actions)


async def _checked_form(request: web.Request) -> Optional[Tuple[dict, Agent]]:
    """The posted form and the agent if signed in and the CSRF value matches, else None."""
    agent = await signed_in(request)
    if agent is None:
        return None
    form = await request.post()
    given = str(form.get("csrf", ""))
    if not hmac.compare_digest(given.encode(), csrf_value(request.app[HELPDESK], agent).encode()):
        return None
    return dict(form), agent


async def sign_in(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    form = await request.post()
    name = str(form.get("name", "")).strip().lower()
    secret = str(form.get("secret", ""))
    if name:
        agent = await helpdesk.agents.by_password(name, secret)
    else:
        agent = await helpdesk.agents.by_token(secret)
    if agent is None:
        return sign_in_page(401, "That name, password or token is not right.")
    response = web.HTTPSeeOther("/helpdesk")
    response.set_cookie(
        COOKIE, session_cookie(helpdesk, agent), httponly=True, samesite="Strict", path="/helpdesk",
        secure=request.secure,
    )
    return response


async def sign_out(request: web.Request) -> web.Response:
    if await _checked_form(request) is None:
        return sign_in_page(401)
    response = web.HTTPSeeOther("/helpdesk")
    response.del_cookie(COOKIE, path="/helpdesk")
    return response


async def _ticket_form(request: web.Request) -> Union[web.Response, Tuple[dict, Agent, int]]:
    """The checked form, the agent and the ticket number of a ticket action, or the page to
    answer instead."""
    checked = await _checked_form(request)
    if checked is None:
        return sign_in_page(401)
    raw = request.match_info["ticket_id"]
    if not raw.isdigit() or len(raw) > 12 or await request.app[HELPDESK].store.get(int(raw)) is None:
        return page("Helpdesk: no such ticket", '<p><a href="/helpdesk">Back</a></p>', status=404)
    return checked[0], checked[1], int(raw)


async def reply(request: web.Request) -> web.Response:
    checked = await _ticket_form(request)
    if isinstance(checked, web.Response):
        return checked
    form, agent, number = checked
    back = f'<p><a href="/helpdesk/tickets/{number}">Back to the ticket</a></p>'
    macro = str(form.get("macro", "")).strip()
    text = str(form.get("text", "")).strip()
    written_in = str(form.get("written_in", "nl"))
    if not macro and (not text or len(text) > MAX_TEXT):
        return page("Helpdesk: choose a text or write one", back, status=400)
    try:
        if macro:
            await request.app[HELPDESK].reply(number, agent, macro=macro)
        else:
            await request.app[HELPDESK].reply(number, agent, text=text, written_in=written_in)
    except TicketClosed:
        return page("Helpdesk: ticket closed", '<p><a href="/helpdesk">Back</a></p>', status=409)
    except (UnknownMacro, ValueError):
        return page("Helpdesk: unknown text or language", back, status=400)
    return web.HTTPSeeOther(f"/helpdesk/tickets/{number}")


async def close(request: web.Request) -> web.Response:
    checked = await _ticket_form(request)
    if isinstance(checked, web.Response):
        return checked
    with contextlib.suppress(TicketClosed):
        await request.app[HELPDESK].close(checked[2], checked[1])
    return web.HTTPSeeOther("/helpdesk")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/helpdesk", inbox)
    app.router.add_post("/helpdesk/sign-in", sign_in)
    app.router.add_post("/helpdesk/sign-out", sign_out)
    app.router.add_get("/helpdesk/tickets/{ticket_id}", ticket_page)
    app.router.add_post("/helpdesk/tickets/{ticket_id}/reply", reply)
    app.router.add_post("/helpdesk/tickets/{ticket_id}/close", close)
