"""The gaps of issue 21, point 6: a restart during a handoff closes the ticket; the widget's event
stream needs its conversation's token; messaging-platform addresses are not conversation keys.
(The same through the running stack: test_helpdesk_crossing.py.)"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from aiohttp import web

from bot import helpdesk
from bot.helpdesk.broker import HelpdeskEventBroker
from bot.helpdesk.stream_tokens import stream_secret, stream_token, token_matches
from bot.privacy.pseudonyms import ReplyAddresses, is_pseudonym, key_secret, pseudonym
from tests.helpdesk_support import SERVICE_TOKEN, agent_headers, service_headers, stream_params
from tests.test_helpdesk_api import client, clock, database, open_ticket, rasa  # noqa: F401


async def test_a_restart_during_a_handoff_closes_the_ticket_with_a_note(client, rasa):  # noqa: F811
    number = (await open_ticket(client, conversation_id="restarter", language="fa"))["ticket_id"]
    closed = await client.post("/internal/helpdesk/restarts", json={"conversation_id": "restarter", "at": 2000.0},
                               headers=service_headers())
    assert (await closed.json()) == {"ticket_id": number}
    ticket = await (await client.get(f"/api/tickets/{number}", headers=agent_headers())).json()
    assert ticket["status"] == "closed"
    note = ticket["transcript"][-1]
    assert note["author"] == "note" and "/restart" in note["dutch"] and note["text"] == note["dutch"]
    again = await client.post("/internal/helpdesk/restarts", json={"conversation_id": "restarter"}, headers=service_headers())
    assert (await again.json()) == {"ticket_id": None}
    assert (await client.post("/internal/helpdesk/restarts", json={"conversation_id": "x"})).status == 401
    log = (await (await client.get(f"/api/audit?ticket_id={number}", headers=agent_headers())).json())["entries"]
    assert [(e["agent"], e["action"], e["detail"]) for e in log][0] == ("user", "closed", "restart")
    await asyncio.wait_for(client.app[helpdesk.HELPDESK].outbox.drained(), 30)
    assert rasa.received == []  # the user already has the assistant back: nothing is sent


async def test_the_broker_passes_a_restart_and_the_understanding_of_a_message_on(aiohttp_server):
    received: List[Dict[str, Any]] = []

    async def record(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == f"Bearer {SERVICE_TOKEN}"
        received.append({"path": request.path, **await request.json()})
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/internal/helpdesk/{what}", record)
    server = await aiohttp_server(app)
    # Without the counts (analytics), the Rasa server hands the broker only handed-over conversations.
    broker = HelpdeskEventBroker(str(server.make_url("")), SERVICE_TOKEN, analytics=False)
    broker.publish({"event": "user", "sender_id": "c1", "text": "ik ben asielzoeker", "timestamp": 5.0, "parse_data": {
        "intent": {"name": "ask_asylum_work"}, "entities": [{"entity": "person_status", "value": "asylum_seeker"}]}})
    broker.publish({"event": "restart", "sender_id": "c1", "timestamp": 6.0})
    broker.publish({"event": "bot", "sender_id": "c1", "text": "hallo", "timestamp": 7.0})
    await broker.close()
    assert sorted(received, key=lambda r: r["path"]) == [
        {"path": "/internal/helpdesk/restarts", "conversation_id": "c1", "at": 6.0},
        {"path": "/internal/helpdesk/user-messages", "conversation_id": "c1", "text": "ik ben asielzoeker", "at": 5.0,
         "intent": "ask_asylum_work", "facts": {"person_status": "asylum_seeker"}},
    ]


async def test_the_widget_stream_needs_its_conversations_token(client):  # noqa: F811
    await open_ticket(client, conversation_id="widget-9")
    assert (await client.get("/api/widget/events", params={"conversation_id": "widget-9"})).status == 403
    other = stream_params("widget-8")["token"]
    wrong = await client.get("/api/widget/events", params={"conversation_id": "widget-9", "token": other})
    assert wrong.status == 403
    right = await client.get("/api/widget/events", params=stream_params("widget-9"))
    assert right.status == 200
    right.close()


def test_stream_tokens_come_from_a_secret_both_processes_share():
    env = {"HELPDESK_SERVICE_TOKEN": "shared"}
    secret = stream_secret(env)
    assert secret and secret != "shared" and stream_secret({"HELPDESK_STREAM_SECRET": "own", **env}) == "own"
    assert stream_secret({}) is None and not token_matches(None, "c", "anything")
    assert token_matches(secret, "c", stream_token(secret, "c")) and not token_matches(secret, "d", stream_token(secret, "c"))


def test_a_phone_number_becomes_a_keyed_pseudonym_and_is_kept_only_to_reply(tmp_path):
    key = pseudonym("secret", "whatsapp", "31612345678")
    assert is_pseudonym("whatsapp", key) and "31612345678" not in key
    assert key == pseudonym("secret", "whatsapp", "31612345678")
    assert key != pseudonym("other secret", "whatsapp", "31612345678")
    assert key != pseudonym("secret", "telegram", "31612345678")
    assert key_secret({}, "app secret") == "app secret"
    assert key_secret({"CONVERSATION_KEY_SECRET": "own"}, "app secret") == "own"

    now = [1_000_000.0]
    book = ReplyAddresses(tmp_path / "addresses.db", retention_days=30, clock=lambda: now[0])
    book.remember(key, "31612345678")
    assert book.address(key) == "31612345678"
    assert ReplyAddresses(tmp_path / "addresses.db", 30, lambda: now[0]).address(key) == "31612345678"  # a restart
    now[0] += 31 * 86400
    assert book.address(key) is None  # deleted with the conversation, after the retention period
    book.remember(key, "31612345678")
    book.forget(key)
    assert book.address(key) is None


@pytest.mark.parametrize("channel", ["whatsapp", "telegram"])
async def test_an_output_channel_sends_to_the_address_behind_a_pseudonym(channel, tmp_path):
    from bot.channels.configuration import TelegramConfig, WhatsAppConfig
    from bot.channels.telegram import TelegramOutput
    from bot.channels.whatsapp import WhatsAppOutput

    sent: List[Dict[str, Any]] = []

    class Recorder:
        async def post(self, url, body, headers=None, what=""):
            sent.append(body)
            return {}

    book = ReplyAddresses(tmp_path / "a.db")
    key = pseudonym("s", channel, "4242")
    book.remember(key, "4242")
    if channel == "whatsapp":
        config = WhatsAppConfig.from_env({"WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_APP_SECRET": "s",
                                          "WHATSAPP_ACCESS_TOKEN": "a", "WHATSAPP_PHONE_NUMBER_ID": "1"})
        output = WhatsAppOutput(config, Recorder(), None, book)
        field = "to"
    else:
        config = TelegramConfig.from_env({"TELEGRAM_BOT_TOKEN": "t", "TELEGRAM_SECRET_TOKEN": "s"})
        output = TelegramOutput(config, Recorder(), book)
        field = "chat_id"
    await output.send_text_message(key, "hallo")
    await output.send_text_message(pseudonym("s", channel, "9999"), "to nobody kept")
    assert [m[field] for m in sent] == ["4242"]
