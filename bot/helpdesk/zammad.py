"""Tickets in Zammad, the open-source helpdesk many refugee-information services already use.

Out (through the outbox, so stored first and retried until Zammad accepts), Zammad's documented
REST API with `Authorization: Token token=<access token>`:
- a handoff: `POST /api/v1/tickets` with `title`, `group`, `customer` and a first `article`
  holding the transcript, each message with its Dutch text (user texts redacted unless the
  user chose to share everything, as in the helpdesk's own store);
- each later user message: `POST /api/v1/ticket_articles` on that ticket (public); each reply
  given in the Werkwijzer inbox: the same, as an internal note;
- a ticket closed in the Werkwijzer inbox or by the user's restart: `PUT /api/v1/tickets/{id}`
  with `state: closed` and an internal note saying why.
Zammad's ticket id is kept with ours (`helpdesk_zammad_links`); an article waits until its
ticket exists (the outbox keeps a ticket's Zammad deliveries in order).

In: a Zammad webhook (a trigger on "article created by an agent" and on "ticket closed") posts
to `POST /api/zammad/webhook`, signed with `X-Hub-Signature: sha1=<HMAC-SHA1 of the body>`. A
public agent article is sent to the user (an article whose text is `macro:<id>` sends that
macro in the user's language); a closed Zammad ticket closes ours and gives the conversation back
to the assistant. Each article is handled once, however often Zammad delivers it.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.helpdesk.adapters import DeliveryFailed, HttpAdapter
from bot.helpdesk.agents import ZAMMAD_PREFIX, Agent
from bot.helpdesk.api import HELPDESK, MAX_TEXT, error
from bot.helpdesk.config import ZammadSettings
from bot.helpdesk.macros import UnknownMacro
from bot.helpdesk.service import TicketClosed
from bot.helpdesk.store import metadata

SIGNATURE_HEADER = "X-Hub-Signature"
MACRO_PREFIX = "macro:"
AUTHOR_LABELS = {"user": "Gebruiker", "bot": "Assistent", "agent": "Medewerker", "system": "Assistent", "note": "Notitie"}

links = sa.Table(
    "helpdesk_zammad_links",
    metadata,
    sa.Column("ticket_id", sa.Integer, primary_key=True),
    sa.Column("zammad_id", sa.Integer, nullable=False, unique=True),
)
seen_articles = sa.Table(
    "helpdesk_zammad_articles",
    metadata,
    sa.Column("article_id", sa.Integer, primary_key=True),
)


def webhook_signature(secret: str, body: bytes) -> str:
    """`sha1=` and the HMAC-SHA1 of the body in hex, as Zammad signs its webhooks."""
    return "sha1=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha1).hexdigest()


def signature_is_valid(secret: str, body: bytes, header: Optional[str]) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(webhook_signature(secret, body).encode(), header.strip().encode("utf-8", "replace"))


def transcript_text(transcript: List[Dict[str, Any]]) -> str:
    """The transcript as a Zammad article: each message, and beside it what it says in Dutch."""
    lines = []
    for message in transcript:
        label = AUTHOR_LABELS.get(message["author"], message["author"])
        lines.append(f"{label}: {message['text']}")
        if message.get("dutch") and message["dutch"] != message["text"]:
            lines.append(f"  (Nederlands: {message['dutch']})")
    return "\n".join(lines)


def plain_text(body: str, content_type: str) -> str:
    """An article's text without HTML (Zammad's editor writes text/html)."""
    if "html" not in (content_type or ""):
        return body.strip()
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", body)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


class ZammadLinks:
    """Our ticket ↔ Zammad's ticket, and the Zammad articles already handled."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    async def link(self, ticket_id: int, zammad_id: int) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(links.insert().values(ticket_id=ticket_id, zammad_id=zammad_id))

    async def zammad_id(self, ticket_id: int) -> Optional[int]:
        async with self.engine.connect() as connection:
            return await connection.scalar(sa.select(links.c.zammad_id).where(links.c.ticket_id == ticket_id))

    async def ticket_id(self, zammad_id: int) -> Optional[int]:
        async with self.engine.connect() as connection:
            return await connection.scalar(sa.select(links.c.ticket_id).where(links.c.zammad_id == zammad_id))

    async def first_time(self, article_id: int) -> bool:
        """True once per Zammad article id."""
        async with self.engine.begin() as connection:
            known = await connection.scalar(
                sa.select(seen_articles.c.article_id).where(seen_articles.c.article_id == article_id)
            )
            if known is not None:
                return False
            await connection.execute(seen_articles.insert().values(article_id=article_id))
        return True


class ZammadAdapter(HttpAdapter):
    """Delivers the outbox's `zammad` rows: a new ticket, or an article on one."""

    def __init__(self, settings: ZammadSettings, links: ZammadLinks):
        super().__init__()
        self.settings = settings
        self.links = links
        self.timeout = settings.timeout

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Token token={self.settings.token}", "Content-Type": "application/json"}

    async def _send(self, method: str, path: str, body: Dict[str, Any], expected: int = 201) -> Dict[str, Any]:
        url = self.settings.url.rstrip("/") + path
        try:
            async with self.session().request(method, url, json=body, headers=self._headers()) as reply:
                if reply.status != expected:
                    raise DeliveryFailed(f"Zammad {path} answered {reply.status}: {(await reply.text())[:200]}")
                answer = await reply.json(content_type=None)
        except DeliveryFailed:
            raise
        except Exception as problem:  # noqa: BLE001 - a network error or an answer that is no JSON
            raise DeliveryFailed(f"Zammad {path}: {problem!r}") from problem
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), int):
            raise DeliveryFailed(f"Zammad {path} answered without an id")
        return answer

    async def deliver(self, payload: Dict[str, Any]) -> None:
        action = payload.get("action")
        if action == "article":
            await self._article(payload)
        elif action == "close":
            await self._close(payload)
        else:
            await self._ticket(payload)

    async def _linked(self, ticket_id: int) -> int:
        zammad_id = await self.links.zammad_id(ticket_id)
        if zammad_id is None:
            raise DeliveryFailed("the Zammad ticket does not exist yet")
        return zammad_id

    async def _ticket(self, payload: Dict[str, Any]) -> None:
        if await self.links.zammad_id(payload["ticket_id"]) is not None:
            return  # created before; the outbox only did not hear of it
        body = {
            "title": f"Werkwijzer #{payload['ticket_id']}: {payload['topic']} ({payload['language']}, {payload['channel']})",
            "group": self.settings.group,
            "customer": self.settings.customer,
            "article": {
                "subject": f"Gesprek met de assistent ({payload['reason']})",
                "body": transcript_text(payload.get("transcript", [])),
                "content_type": "text/plain",
                "type": "note",
                "internal": False,
            },
        }
        created = await self._send("POST", "/api/v1/tickets", body)
        await self.links.link(payload["ticket_id"], created["id"])

    async def _article(self, payload: Dict[str, Any]) -> None:
        """A user's message (public), or a reply given in the Werkwijzer inbox (an internal note,
        which the webhook does not send back)."""
        message = payload["message"]
        await self._send(
            "POST",
            "/api/v1/ticket_articles",
            {
                "ticket_id": await self._linked(payload["ticket_id"]),
                "subject": f"Nieuw bericht: {AUTHOR_LABELS.get(message['author'], message['author'])}",
                "body": transcript_text([message]),
                "content_type": "text/plain",
                "type": "note",
                "internal": bool(payload.get("internal", False)),
            },
        )

    async def _close(self, payload: Dict[str, Any]) -> None:
        """Closes the Zammad ticket with an internal note saying why (documented ticket update)."""
        zammad_id = await self._linked(payload["ticket_id"])
        article = {"subject": "Gesloten", "body": payload.get("note") or "Gesloten.", "type": "note", "internal": True}
        await self._send("PUT", f"/api/v1/tickets/{zammad_id}", {"state": "closed", "article": article}, expected=200)


def zammad_agent(person: Any) -> Agent:
    """The audit log's name for a Zammad user (`zammad:<login>`) of a webhook payload."""
    login = person.get("login") if isinstance(person, dict) else None
    return Agent(ZAMMAD_PREFIX + (str(login)[:50] if login else "agent"))


async def webhook(request: web.Request) -> web.Response:
    """Zammad's webhook: an agent's public article goes to the user; a closed ticket closes ours."""
    helpdesk = request.app[HELPDESK]
    settings = helpdesk.config.zammad
    if settings is None:
        return error(404, "Zammad is not configured")
    body = await request.read()
    if not signature_is_valid(settings.webhook_secret, body, request.headers.get(SIGNATURE_HEADER)):
        return error(401, "the X-Hub-Signature is missing or wrong")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return error(400, "the body must be JSON")
    ticket = data.get("ticket") if isinstance(data, dict) else None
    if not isinstance(ticket, dict) or not isinstance(ticket.get("id"), int):
        return error(400, "the payload needs a ticket with an id")
    zammad_links = ZammadLinks(helpdesk.store.engine)
    ours = await zammad_links.ticket_id(ticket["id"])
    if ours is None:
        return web.json_response({"status": "ignored", "reason": "not a Werkwijzer ticket"})
    article = data.get("article")
    result = {"status": "ignored"}
    try:
        if (
            isinstance(article, dict)
            and isinstance(article.get("id"), int)
            and article.get("sender") == "Agent"
            and not article.get("internal", False)
            and isinstance(article.get("body"), str)
            and await zammad_links.first_time(article["id"])
        ):
            text = plain_text(article["body"], str(article.get("content_type", "")))[:MAX_TEXT]
            agent = zammad_agent(article.get("created_by"))
            if text.startswith(MACRO_PREFIX):
                await helpdesk.reply(ours, agent, macro=text[len(MACRO_PREFIX):].strip())
            elif text:
                await helpdesk.reply(ours, agent, text=text)
            result = {"status": "sent"}
        if str(ticket.get("state", "")).lower() == "closed":
            await helpdesk.close(ours, zammad_agent(ticket.get("updated_by")))
            result = {"status": "closed"}
    except TicketClosed:
        result = {"status": "ignored", "reason": "the ticket is closed"}
    except UnknownMacro as unknown:
        return error(400, f"no macro {unknown}")
    return web.json_response(result)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/zammad/webhook", webhook)
