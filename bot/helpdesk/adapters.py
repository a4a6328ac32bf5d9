"""Where the outbox delivers: an external helpdesk by e-mail (SMTP) or by a signed webhook, and
the user's conversation through the Rasa server's HTTP API.

Each adapter's `deliver(payload)` returns when the other side has accepted the payload and raises
`DeliveryFailed` otherwise; the outbox then tries again later.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import smtplib
import urllib.parse
from email.message import EmailMessage
from typing import Any, Dict, Optional, Protocol

import aiohttp

from bot.helpdesk.config import SmtpSettings, WebhookSettings

SIGNATURE_HEADER = "X-Werkwijzer-Signature"


class DeliveryFailed(Exception):
    """The other side did not accept the payload (yet)."""


class Adapter(Protocol):
    async def deliver(self, payload: Dict[str, Any]) -> None:
        """Returns once the payload is accepted; raises DeliveryFailed otherwise."""


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header: `sha256=` and the HMAC-SHA256 of the body in hex."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def escalation_text(payload: Dict[str, Any]) -> str:
    """A plain-text rendering of an escalation for e-mail."""
    lines = [
        f"Ticket: {payload['ticket_id']}",
        f"Conversation: {payload['conversation_id']}",
        f"Language: {payload['language']}",
        f"Channel: {payload['channel']}",
        f"Topic: {payload['topic']}",
        f"Reason: {payload['reason']}",
        "",
        "Transcript:",
    ]
    lines += [f"{m['author']}: {m['text']}" for m in payload.get("transcript", [])]
    return "\n".join(lines) + "\n"


class SmtpAdapter:
    """Sends each escalation as one e-mail; the Message-ID is stable per ticket so a helpdesk
    that sees the same mail twice (after a lost acknowledgement) can drop the copy."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def message(self, payload: Dict[str, Any]) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = self.settings.recipient
        mail["Subject"] = (
            f"[Werkwijzer #{payload['ticket_id']}] {payload['topic']} "
            f"({payload['language']}, {payload['channel']})"
        )
        domain = self.settings.sender.rpartition("@")[2] or "localhost"
        mail["Message-ID"] = f"<werkwijzer-ticket-{payload['ticket_id']}@{domain}>"
        mail["X-Werkwijzer-Ticket"] = str(payload["ticket_id"])
        mail.set_content(escalation_text(payload))
        return mail

    def _send(self, mail: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as client:
            if s.starttls:
                client.starttls()
            if s.username:
                client.login(s.username, s.password or "")
            client.send_message(mail)

    async def deliver(self, payload: Dict[str, Any]) -> None:
        try:
            await asyncio.to_thread(self._send, self.message(payload))
        except (OSError, smtplib.SMTPException) as problem:
            raise DeliveryFailed(f"SMTP {self.settings.host}:{self.settings.port}: {problem}") from problem


class HttpAdapter:
    """Shares one aiohttp session per adapter, opened on first use."""

    timeout: float = 10.0

    def __init__(self) -> None:
        self._session: Optional[aiohttp.ClientSession] = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(self, url: str, body: bytes, headers: Dict[str, str]) -> None:
        try:
            async with self.session().post(url, data=body, headers=headers) as reply:
                if not 200 <= reply.status < 300:
                    raise DeliveryFailed(f"{url} answered {reply.status}: {(await reply.text())[:200]}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as problem:
            raise DeliveryFailed(f"{url}: {problem!r}") from problem


class WebhookAdapter(HttpAdapter):
    """Posts each escalation as JSON with `X-Werkwijzer-Signature: sha256=<HMAC of the body>`
    and an `Idempotency-Key` that stays the same across retries."""

    def __init__(self, settings: WebhookSettings):
        super().__init__()
        self.settings = settings
        self.timeout = settings.timeout

    async def deliver(self, payload: Dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        await self.post(
            self.settings.url,
            body,
            {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature(self.settings.secret, body),
                "Idempotency-Key": f"werkwijzer-ticket-{payload['ticket_id']}",
            },
        )


class RasaConversationAdapter(HttpAdapter):
    """Appends events to a conversation through the Rasa server's HTTP API and sends its bot
    messages to the user's latest channel (`output_channel=latest`)."""

    def __init__(self, rasa_url: str, token: Optional[str]):
        super().__init__()
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token

    async def deliver(self, payload: Dict[str, Any]) -> None:
        if not self.token:
            raise DeliveryFailed("RASA_API_TOKEN is not set, so the Rasa HTTP API is off")
        conversation = urllib.parse.quote(payload["conversation_id"], safe="")
        query = urllib.parse.urlencode(
            {"execute_side_effects": "true", "output_channel": "latest", "token": self.token}
        )
        await self.post(
            f"{self.rasa_url}/conversations/{conversation}/tracker/events?{query}",
            json.dumps(payload["events"]).encode("utf-8"),
            {"Content-Type": "application/json"},
        )
