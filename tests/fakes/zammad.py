"""A local fake of Zammad's REST API (as documented at docs.zammad.org, "API → Tickets" and
"Ticket articles") and of its webhooks (admin-docs.zammad.org, "Webhook payload").

- `POST /api/v1/tickets` with `Authorization: Token token=<token>` and a JSON body with `title`,
  `group`, `customer` and an `article` (`body`, `type`): 201 with the ticket (`id`, `number`,
  `article_ids`); 401 with a wrong token; 422 without a required field.
- `POST /api/v1/ticket_articles` with `ticket_id`, `body`, `type`: 201 with the article; 404 for
  an unknown ticket.
- `PUT /api/v1/tickets/{id}` with e.g. `state` and an `article`: 200 with the ticket.
- `failures`: how many of the next requests answer 503 (Zammad down), to test retries.
- `webhook_body(...)`: a webhook payload shaped as the documented example, and `signed(...)` its
  `X-Hub-Signature` (HMAC-SHA1 of the body with the trigger's token).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from typing import Any, Dict, List, Optional

from aiohttp import web

TOKEN = "zammad-token-for-tests"
WEBHOOK_SECRET = "zammad-webhook-secret-for-tests"


class FakeZammad:
    def __init__(self) -> None:
        self.tickets: Dict[int, Dict[str, Any]] = {}
        self.articles: List[Dict[str, Any]] = []
        self.requests: List[str] = []
        self.failures = 0
        self._ids = itertools.count(101)
        self._numbers = itertools.count(31001)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v1/tickets", self.create_ticket)
        app.router.add_post("/api/v1/ticket_articles", self.create_article)
        app.router.add_put("/api/v1/tickets/{ticket_id}", self.update_ticket)
        return app

    def _refusal(self, request: web.Request) -> Optional[web.Response]:
        self.requests.append(request.path)
        if self.failures > 0:
            self.failures -= 1
            return web.json_response({"error": "Service Unavailable"}, status=503)
        if request.headers.get("Authorization") != f"Token token={TOKEN}":
            return web.json_response({"error": "Authentication required"}, status=401)
        return None

    async def create_ticket(self, request: web.Request) -> web.Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        body = await request.json()
        article = body.get("article")
        if not all(body.get(k) for k in ("title", "group", "customer")) or not isinstance(article, dict) or not article.get("body"):
            return web.json_response({"error": "title, group, customer and article are required"}, status=422)
        ticket_id = next(self._ids)
        stored = {**article, "id": next(self._ids), "ticket_id": ticket_id}
        self.articles.append(stored)
        self.tickets[ticket_id] = {
            "id": ticket_id, "number": str(next(self._numbers)), "title": body["title"], "group": body["group"],
            "customer": body["customer"], "state_id": 1, "article_ids": [stored["id"]],
        }
        return web.json_response(self.tickets[ticket_id], status=201)

    async def create_article(self, request: web.Request) -> web.Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        body = await request.json()
        if body.get("ticket_id") not in self.tickets:
            return web.json_response({"error": "Not authorized"}, status=404)
        if not body.get("body") or not body.get("type"):
            return web.json_response({"error": "body and type are required"}, status=422)
        stored = {**body, "id": next(self._ids)}
        self.articles.append(stored)
        self.tickets[body["ticket_id"]]["article_ids"].append(stored["id"])
        return web.json_response(stored, status=201)

    async def update_ticket(self, request: web.Request) -> web.Response:
        """`PUT /api/v1/tickets/{id}`: 200 with the ticket; `state` by name, an optional new
        `article`."""
        refused = self._refusal(request)
        if refused is not None:
            return refused
        ticket = self.tickets.get(int(request.match_info["ticket_id"]))
        if ticket is None:
            return web.json_response({"error": "Not authorized"}, status=404)
        body = await request.json()
        if "state" in body:
            ticket["state"] = body["state"]
        if isinstance(body.get("article"), dict):
            article = {**body["article"], "id": next(self._ids), "ticket_id": ticket["id"]}
            self.articles.append(article)
            ticket["article_ids"].append(article["id"])
        return web.json_response(ticket, status=200)

    def articles_of(self, ticket_id: int) -> List[Dict[str, Any]]:
        return [a for a in self.articles if a["ticket_id"] == ticket_id]

    def webhook_body(
        self, ticket_id: int, article_body: Optional[str] = None, sender: str = "Agent",
        internal: bool = False, state: str = "open", article_id: Optional[int] = None,
    ) -> bytes:
        """A webhook payload as Zammad's trigger sends it (the documented default payload's fields
        that matter here)."""
        agent = {"login": "emma@helpdesk.example", "firstname": "Emma", "roles": ["Agent"]}
        payload: Dict[str, Any] = {
            "ticket": {**self.tickets[ticket_id], "state": state, "updated_by": agent},
        }
        if article_body is not None:
            payload["article"] = {
                "id": article_id or next(self._ids), "ticket_id": ticket_id, "body": article_body,
                "content_type": "text/html", "sender": sender, "internal": internal, "type": "note",
                "created_by": agent,
            }
        return json.dumps(payload).encode("utf-8")


def signed(body: bytes, secret: str = WEBHOOK_SECRET) -> Dict[str, str]:
    """The headers Zammad sends with a webhook."""
    signature = "sha1=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha1).hexdigest()
    return {
        "Content-Type": "application/json", "User-Agent": "Zammad User Agent",
        "X-Zammad-Trigger": "Werkwijzer", "X-Zammad-Delivery": "d-1", "X-Hub-Signature": signature,
    }
