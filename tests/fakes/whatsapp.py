"""A fake WhatsApp Cloud API: `POST /<version>/<phone-number-id>/messages`.

It checks the bearer token and the phone number id, and the limits Meta documents for the
messages it accepts (text up to 4096 characters; reply buttons: 1-3, titles up to 20; lists:
1-10 rows, row titles up to 24, descriptions up to 72, a button label up to 20; interactive
bodies up to 1024). A message breaking them gets a 400 like Meta's, and is recorded with it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from typing import Any, Dict, Iterator, List, Optional, Tuple

from aiohttp import web

from tests.fakes.server import Answer, FakeServer, PlatformFake

# The Graph API version the fake serves; v20.0 and older were retired by Meta (Sept 2026).
VERSION = "v23.0"
PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "fake-whatsapp-access-token"
APP_SECRET = "fake-whatsapp-app-secret"
VERIFY_TOKEN = "fake-whatsapp-verify-token"


def problems(body: Dict[str, Any]) -> List[str]:
    """What is wrong with a message body, by the Cloud API's documented limits."""
    found = []
    if body.get("messaging_product") != "whatsapp" or not body.get("to"):
        found.append("messaging_product and to are required")
    kind = body.get("type")
    if kind == "text":
        text = (body.get("text") or {}).get("body") or ""
        if not 0 < len(text) <= 4096:
            found.append("text body must be 1-4096 characters")
    elif kind == "interactive":
        interactive = body.get("interactive") or {}
        if not 0 < len((interactive.get("body") or {}).get("text") or "") <= 1024:
            found.append("interactive body must be 1-1024 characters")
        action = interactive.get("action") or {}
        if interactive.get("type") == "button":
            buttons = action.get("buttons") or []
            if not 1 <= len(buttons) <= 3:
                found.append("1-3 buttons")
            for button in buttons:
                reply = button.get("reply") or {}
                if not 0 < len(reply.get("title") or "") <= 20 or not 0 < len(reply.get("id") or "") <= 256:
                    found.append(f"bad button {reply}")
        elif interactive.get("type") == "list":
            rows = [row for section in action.get("sections") or [] for row in section.get("rows") or []]
            if not 0 < len(action.get("button") or "") <= 20:
                found.append("list button label must be 1-20 characters")
            if not 1 <= len(rows) <= 10:
                found.append("1-10 rows")
            for row in rows:
                if not 0 < len(row.get("title") or "") <= 24 or len(row.get("description") or "") > 72:
                    found.append(f"bad row {row}")
                if not 0 < len(row.get("id") or "") <= 200:
                    found.append(f"bad row id {row}")
        else:
            found.append(f"unknown interactive type {interactive.get('type')}")
    elif kind != "image":
        found.append(f"unknown type {kind}")
    return found


def graph_api(ids: Iterator[int]) -> Answer:
    """The Graph API's answer to `POST /<version>/<phone-number-id>/messages`."""

    def answer(request: web.Request, body: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return 401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
        if request.match_info["version"] != VERSION:
            return 400, {"error": {"message": "Unknown path components", "type": "OAuthException", "code": 2500}}
        if request.match_info["phone_number_id"] != PHONE_NUMBER_ID:
            return 400, {"error": {"message": "Unsupported post request.", "code": 100}}
        if problems(body):
            return 400, {"error": {"message": "; ".join(problems(body)), "type": "OAuthException", "code": 131009}}
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": f"wamid.fake{next(ids)}"}],
        }

    return answer


class FakeWhatsApp(PlatformFake):
    """The fake Graph API, and helpers to build webhook deliveries shaped as Meta documents them."""

    def __init__(self) -> None:
        super().__init__(FakeServer("/{version}/{phone_number_id}/messages", graph_api(itertools.count(1))))

    @property
    def env(self) -> Dict[str, str]:
        return {
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE": self.server.url,  # the version is the channel's default
        }

    def sent_to(self, wa_id: str, since: int = 0) -> List[Dict[str, Any]]:
        """The message bodies the assistant sent to `wa_id` (and the fake accepted)."""
        return [c.body for c in self.server.calls_since(since) if c.body.get("to") == wa_id and c.status == 200]


def signed(body: bytes, secret: str = APP_SECRET) -> Dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
    }


def delivery(wa_id: str, message: Optional[Dict[str, Any]] = None, statuses: Optional[list] = None,
             phone_number_id: str = PHONE_NUMBER_ID) -> bytes:
    """A webhook body as Meta sends it: one entry, one change, the message or statuses."""
    value: Dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if message is not None:
        value["contacts"] = [{"profile": {"name": "Test Gebruiker"}, "wa_id": wa_id}]
        value["messages"] = [{"from": wa_id, "timestamp": "1732871234", **message}]
    if statuses is not None:
        value["statuses"] = statuses
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body).encode()


def text_message(message_id: str, text: str) -> Dict[str, Any]:
    return {"id": message_id, "type": "text", "text": {"body": text}}


def interactive_reply(message_id: str, kind: str, payload: str, title: str) -> Dict[str, Any]:
    """The user tapped a reply button (`button_reply`) or chose a list row (`list_reply`)."""
    return {
        "id": message_id,
        "context": {"from": "15550783881", "id": "wamid.fake1"},
        "type": "interactive",
        "interactive": {"type": kind, kind: {"id": payload, "title": title}},
    }
