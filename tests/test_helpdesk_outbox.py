"""Delivery to an external helpdesk: stored first, retried with backoff until accepted, exactly
once — against a real local SMTP server (aiosmtpd) and a webhook receiver that fails first."""

from __future__ import annotations

import asyncio
import email
import json
from typing import List

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller

from bot import helpdesk
from bot.helpdesk.adapters import SIGNATURE_HEADER, signature
from bot.helpdesk.config import SmtpSettings, WebhookSettings, backoff
from bot.helpdesk.config import database_url as sql_url
from bot.runtime.settings import Settings
from tests.conftest import free_port
from tests.helpdesk_support import FakeRasa, config_for, handoff_body, service_headers

SECRET = "webhook-secret"


class Mailbox:
    """An aiosmtpd handler that keeps every accepted mail."""

    def __init__(self) -> None:
        self.mails: List[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.mails.append(email.message_from_bytes(envelope.content))
        return "250 OK"


class FlakyReceiver:
    """A webhook receiver that answers 503 to the first `failures` requests, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.tries = 0
        self.accepted: List[dict] = []
        self.bad_signatures = 0

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.tries += 1
        if request.headers.get(SIGNATURE_HEADER) != signature(SECRET, body):
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.tries <= self.failures:
            return web.Response(status=503)
        self.accepted.append(json.loads(body))
        return web.Response(status=202)


async def start_app(aiohttp_client, tmp_path, rasa_url: str, **changes):
    app = web.Application()
    config = config_for(sql_url(None, tmp_path), rasa_url, **changes)
    helpdesk.setup(app, Settings(data_dir=tmp_path), config)
    return await aiohttp_client(app)


async def escalate(client, count: int) -> List[int]:
    numbers = []
    for index in range(count):
        reply = await client.post(
            "/internal/helpdesk/handoffs", json=handoff_body(f"user-{index}"), headers=service_headers()
        )
        assert reply.status == 201
        numbers.append((await reply.json())["ticket_id"])
    return numbers


@pytest.fixture
async def rasa_url(aiohttp_server) -> str:
    server = await aiohttp_server(FakeRasa().app())
    return str(server.make_url("")).rstrip("/")


def test_backoff_doubles_up_to_the_maximum():
    assert [backoff(n, 5, 60) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


async def test_escalations_reach_a_webhook_that_fails_several_times_exactly_once(aiohttp_client, aiohttp_server, tmp_path, rasa_url):
    receiver = FlakyReceiver(failures=4)
    app = web.Application()
    app.router.add_post("/hook", receiver.receive)
    server = await aiohttp_server(app)
    client = await start_app(
        aiohttp_client, tmp_path, rasa_url, webhook=WebhookSettings(str(server.make_url("/hook")), SECRET)
    )
    numbers = await escalate(client, 3)
    await asyncio.wait_for(client.app[helpdesk.HELPDESK].outbox.drained(), 60)
    assert sorted(p["ticket_id"] for p in receiver.accepted) == numbers
    assert receiver.bad_signatures == 0 and receiver.tries == 4 + 3
    first = next(p for p in receiver.accepted if p["ticket_id"] == numbers[0])
    assert first["language"] == "en" and first["channel"] == "rest"
    assert [m["text"] for m in first["transcript"]][0] == "May I work? My BSN is [BSN]"


async def test_escalations_wait_for_an_smtp_server_that_is_down_and_arrive_exactly_once(aiohttp_client, tmp_path, rasa_url):
    port = free_port()
    client = await start_app(
        aiohttp_client, tmp_path, rasa_url,
        smtp=SmtpSettings(host="127.0.0.1", port=port, sender="bot@werkwijzer.test", recipient="desk@helpdesk.test", timeout=5),
    )
    numbers = await escalate(client, 3)
    store = client.app[helpdesk.HELPDESK].store
    status = await store.outbox_status()
    assert status["pending"] == 3  # stored, not sent: the mail server is down
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await asyncio.wait_for(client.app[helpdesk.HELPDESK].outbox.drained(), 60)
    finally:
        controller.stop()
    assert sorted(int(m["X-Werkwijzer-Ticket"]) for m in mailbox.mails) == numbers
    mail = mailbox.mails[0]
    assert mail["To"] == "desk@helpdesk.test" and "[Werkwijzer #" in mail["Subject"]
    assert mail["Message-ID"] == f"<werkwijzer-ticket-{mail['X-Werkwijzer-Ticket']}@werkwijzer.test>"
    body = mail.get_payload(decode=True).decode()
    assert "Language: en" in body and "May I work? My BSN is [BSN]" in body


async def test_undelivered_escalations_survive_a_restart_of_the_web_app(aiohttp_client, aiohttp_server, tmp_path, rasa_url):
    receiver = FlakyReceiver(failures=10**6)
    app = web.Application()
    app.router.add_post("/hook", receiver.receive)
    server = await aiohttp_server(app)
    hook = WebhookSettings(str(server.make_url("/hook")), SECRET)
    first = await start_app(aiohttp_client, tmp_path, rasa_url, webhook=hook)
    numbers = await escalate(first, 2)
    await first.close()
    receiver.failures = 0
    second = await start_app(aiohttp_client, tmp_path, rasa_url, webhook=hook)
    await asyncio.wait_for(second.app[helpdesk.HELPDESK].outbox.drained(), 60)
    assert sorted(p["ticket_id"] for p in receiver.accepted) == numbers
