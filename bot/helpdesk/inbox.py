"""The agents' inbox page: sign in with the agent token, see open tickets (language, channel,
topic, waiting time), read a transcript, reply, close.

Server-rendered HTML; every text from users and agents goes through `html.escape`, so HTML or
script in a message is shown as text. The session cookie holds an HMAC of the token (not the
token), is HttpOnly and SameSite=Strict, and every form carries a CSRF value.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
from html import escape
from typing import Optional, Tuple, Union

from aiohttp import web

from bot.helpdesk.api import HELPDESK, MAX_TEXT
from bot.helpdesk.service import Helpdesk, TicketClosed
from bot.helpdesk.store import Ticket

COOKIE = "helpdesk_session"
AUTHOR_NAMES = {"user": "User", "bot": "Assistant", "agent": "Agent", "system": "Assistant (handoff ended)"}

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
.msg{margin:.5rem 0;padding:.5rem;border-radius:.4rem;background:#f3f3f3;white-space:pre-wrap}
.msg.user{background:#e8f0fe}.msg.agent{background:#e6f4ea}
textarea{width:100%;min-height:6rem}.meta{color:#555}
"""


def _derived(token: str, purpose: str) -> str:
    return hmac.new(token.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def signed_in(request: web.Request) -> bool:
    token = request.app[HELPDESK].config.agent_token
    cookie = request.cookies.get(COOKIE, "")
    return bool(token) and hmac.compare_digest(cookie.encode(), _derived(token, "inbox-session").encode())


def csrf_value(helpdesk: Helpdesk) -> str:
    return _derived(helpdesk.config.agent_token or "", "inbox-csrf")


def page(title: str, body: str, status: int = 200, refresh: Optional[int] = None) -> web.Response:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{meta}'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
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
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def sign_in_form(message: str = "") -> str:
    note = f"<p><strong>{escape(message)}</strong></p>" if message else ""
    return (
        f'{note}<form method="post" action="/helpdesk/sign-in">'
        '<label>Agent token <input type="password" name="token" autocomplete="current-password"></label> '
        '<button type="submit">Sign in</button></form>'
    )


def hidden_csrf(helpdesk: Helpdesk) -> str:
    return f'<input type="hidden" name="csrf" value="{csrf_value(helpdesk)}">'


async def inbox(request: web.Request) -> web.Response:
    if not signed_in(request):
        return page("Helpdesk: sign in", sign_in_form())
    helpdesk = request.app[HELPDESK]
    now = helpdesk.clock()
    rows = "".join(
        "<tr>"
        f'<td><a href="/helpdesk/tickets/{t.id}">#{t.id}</a></td>'
        f"<td>{escape(t.language)}</td><td>{escape(t.channel)}</td><td>{escape(t.topic)}</td>"
        f"<td>{escape(t.reason)}</td><td>{waiting(now - t.created_at)}</td>"
        "</tr>"
        for t in await helpdesk.store.list("open")
    )
    table = (
        "<table><tr><th>Ticket</th><th>Language</th><th>Channel</th><th>Topic</th><th>Reason</th>"
        f"<th>Waiting</th></tr>{rows}</table>"
        if rows
        else "<p>No open tickets.</p>"
    )
    waiting_deliveries = (await helpdesk.store.outbox_status())["pending"]
    outbox = f'<p class="meta">Deliveries waiting to be sent (replies, escalations): {waiting_deliveries}</p>'
    sign_out = f'<form method="post" action="/helpdesk/sign-out">{hidden_csrf(helpdesk)}<button>Sign out</button></form>'
    return page("Helpdesk: open tickets", table + outbox + sign_out, refresh=30)


def transcript_html(ticket: Ticket) -> str:
    return "".join(
        f'<div class="msg {escape(m.author)}"><div class="meta">{AUTHOR_NAMES.get(m.author, escape(m.author))} · '
        f"{dt.datetime.fromtimestamp(m.at, dt.timezone.utc):%Y-%m-%d %H:%M} UTC</div>{escape(m.text)}</div>"
        for m in ticket.transcript
    )


async def ticket_page(request: web.Request) -> web.Response:
    if not signed_in(request):
        return page("Helpdesk: sign in", sign_in_form(), status=401)
    helpdesk = request.app[HELPDESK]
    raw = request.match_info["ticket_id"]
    ticket = await helpdesk.store.get(int(raw)) if raw.isdigit() and len(raw) <= 12 else None
    if ticket is None:
        return page("Helpdesk: no such ticket", '<p><a href="/helpdesk">Back to the inbox</a></p>', status=404)
    facts = (
        f'<p class="meta">Language: {escape(ticket.language)} · Channel: {escape(ticket.channel)} · '
        f"Topic: {escape(ticket.topic)} · Reason: {escape(ticket.reason)} · Status: {escape(ticket.status)} · "
        f"Personal data {'shared by the user' if ticket.shared else 'hidden'}</p>"
    )
    actions = ""
    if ticket.is_open:
        actions = (
            f'<form method="post" action="/helpdesk/tickets/{ticket.id}/reply">{hidden_csrf(helpdesk)}'
            f'<label>Reply<textarea name="text" maxlength="{MAX_TEXT}" required></textarea></label>'
            '<button type="submit">Send</button></form>'
            f'<form method="post" action="/helpdesk/tickets/{ticket.id}/close">{hidden_csrf(helpdesk)}'
            '<button type="submit">Close and give back to the assistant</button></form>'
        )
    back = '<p><a href="/helpdesk">Back to the inbox</a></p>'
    return page(f"Ticket #{ticket.id}", back + facts + transcript_html(ticket) + actions)


async def _checked_form(request: web.Request) -> Optional[dict]:
    """The posted form if the agent is signed in and the CSRF value matches, else None."""
    if not signed_in(request):
        return None
    form = await request.post()
    given = str(form.get("csrf", ""))
    if not hmac.compare_digest(given.encode(), csrf_value(request.app[HELPDESK]).encode()):
        return None
    return dict(form)


async def sign_in(request: web.Request) -> web.Response:
    helpdesk = request.app[HELPDESK]
    form = await request.post()
    given = str(form.get("token", ""))
    token = helpdesk.config.agent_token
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        return page("Helpdesk: sign in", sign_in_form("That token is not right."), status=401)
    response = web.HTTPSeeOther("/helpdesk")
    response.set_cookie(
        COOKIE, _derived(token, "inbox-session"), httponly=True, samesite="Strict", path="/helpdesk",
        secure=request.secure,
    )
    return response


async def sign_out(request: web.Request) -> web.Response:
    if await _checked_form(request) is None:
        return page("Helpdesk: sign in", sign_in_form(), status=401)
    response = web.HTTPSeeOther("/helpdesk")
    response.del_cookie(COOKIE, path="/helpdesk")
    return response


async def _ticket_form(request: web.Request) -> Union[web.Response, Tuple[dict, int]]:
    """The checked form and the ticket number of a ticket action, or the page to answer instead."""
    form = await _checked_form(request)
    if form is None:
        return page("Helpdesk: sign in", sign_in_form(), status=401)
    raw = request.match_info["ticket_id"]
    if not raw.isdigit() or len(raw) > 12 or await request.app[HELPDESK].store.get(int(raw)) is None:
        return page("Helpdesk: no such ticket", '<p><a href="/helpdesk">Back</a></p>', status=404)
    return form, int(raw)


async def reply(request: web.Request) -> web.Response:
    checked = await _ticket_form(request)
    if isinstance(checked, web.Response):
        return checked
    form, number = checked
    text = str(form.get("text", "")).strip()
    if not text or len(text) > MAX_TEXT:
        return page("Helpdesk: empty reply", f'<p><a href="/helpdesk/tickets/{number}">Back</a></p>', status=400)
    try:
        await request.app[HELPDESK].reply(number, text)
    except TicketClosed:
        return page("Helpdesk: ticket closed", '<p><a href="/helpdesk">Back</a></p>', status=409)
    return web.HTTPSeeOther(f"/helpdesk/tickets/{number}")


async def close(request: web.Request) -> web.Response:
    checked = await _ticket_form(request)
    if isinstance(checked, web.Response):
        return checked
    with contextlib.suppress(TicketClosed):
        await request.app[HELPDESK].close(checked[1])
    return web.HTTPSeeOther("/helpdesk")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/helpdesk", inbox)
    app.router.add_post("/helpdesk/sign-in", sign_in)
    app.router.add_post("/helpdesk/sign-out", sign_out)
    app.router.add_get("/helpdesk/tickets/{ticket_id}", ticket_page)
    app.router.add_post("/helpdesk/tickets/{ticket_id}/reply", reply)
    app.router.add_post("/helpdesk/tickets/{ticket_id}/close", close)
