"""The helpdesk web app against SQLite and PostgreSQL: tickets, the agents' JSON API, the inbox
page, live updates for the widget, and retention. Rasa's HTTP API is a local fake here; the real
stack is used in test_helpdesk_conversations.py."""

from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator, Dict

import pytest
from aiohttp import web

from bot import helpdesk
from bot.helpdesk.config import database_url as sql_url
from bot.runtime.settings import Settings
from tests.helpdesk_support import (
    AGENT_TOKEN,
    FakeRasa,
    agent_headers,
    config_for,
    drop_postgres,
    handoff_body,
    service_headers,
    stream_params,
    throwaway_postgres,
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 2_000_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


BOTH_DATABASES = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
async def database(request, tmp_path) -> AsyncIterator[str]:
    """SQLite by default; tests marked BOTH_DATABASES also run on a throwaway PostgreSQL database."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield sql_url(None, tmp_path)
        return
    name = await throwaway_postgres()
    try:
        yield sql_url(f"postgresql://postgres@127.0.0.1:5432/{name}", tmp_path)
    finally:
        await drop_postgres(name)


@pytest.fixture
async def rasa(aiohttp_server):
    fake = FakeRasa()
    server = await aiohttp_server(fake.app())
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(aiohttp_client, database, rasa, tmp_path, clock):
    app = web.Application()
    settings = Settings(data_dir=tmp_path)
    helpdesk.setup(app, settings, config_for(database, rasa.url, retention_days=7), clock=clock)
    return await aiohttp_client(app)


async def open_ticket(client, **changes) -> Dict:
    reply = await client.post("/internal/helpdesk/handoffs", json=handoff_body(**changes), headers=service_headers())
    assert reply.status == 201, await reply.text()
    return await reply.json()


@BOTH_DATABASES
async def test_a_handoff_becomes_a_ticket_with_language_channel_and_redacted_transcript(client):
    opened = await open_ticket(client, conversation_id="anna")
    reply = await client.get("/api/tickets", headers=agent_headers())
    assert reply.status == 200
    [ticket] = (await reply.json())["tickets"]
    assert ticket["id"] == opened["ticket_id"]
    assert (ticket["conversation_id"], ticket["channel"], ticket["language"], ticket["status"]) == (
        "anna", "rest", "en", "open",
    )
    texts = [m["text"] for m in ticket["transcript"]]
    assert texts == ["May I work? My BSN is [BSN]", "Yes, after 6 months.", "I want a person"]
    assert opened["office_open"] is True


async def test_shared_transcripts_are_kept_as_written(client):
    opened = await open_ticket(client, shared=True)
    ticket = await (await client.get(f"/api/tickets/{opened['ticket_id']}", headers=agent_headers())).json()
    assert ticket["transcript"][0]["text"] == "May I work? My BSN is 111222333"


@BOTH_DATABASES
async def test_a_second_handoff_of_the_same_conversation_keeps_one_ticket(client):
    first = await open_ticket(client, conversation_id="same")
    second = await open_ticket(client, conversation_id="same")
    assert first["ticket_id"] == second["ticket_id"]


@BOTH_DATABASES
async def test_user_messages_after_the_handoff_reach_the_ticket_redacted(client):
    opened = await open_ticket(client, conversation_id="bo")
    for text, at in (("I want a person", 1000.0), ("call me on 06-12345678", 1001.0), ("thanks", 1002.0)):
        reply = await client.post(
            "/internal/helpdesk/user-messages",
            json={"conversation_id": "bo", "text": text, "at": at},
            headers=service_headers(),
        )
        assert reply.status == 200
    ignored = await client.post(
        "/internal/helpdesk/user-messages",
        json={"conversation_id": "nobody", "text": "hi", "at": 5.0},
        headers=service_headers(),
    )
    assert (await ignored.json())["ticket_id"] is None
    ticket = await (await client.get(f"/api/tickets/{opened['ticket_id']}", headers=agent_headers())).json()
    assert [m["text"] for m in ticket["transcript"]][-2:] == ["call me on [phone]", "thanks"]
    assert [m["text"] for m in ticket["transcript"]].count("I want a person") == 1


@BOTH_DATABASES
async def test_an_agent_reply_and_the_close_reach_the_user_through_rasa_in_order(client, rasa):
    opened = await open_ticket(client, conversation_id="user/with space", language="nl")
    number = opened["ticket_id"]
    for text in ("Hallo, ik ben Sam.", "Wat is uw vraag?"):
        reply = await client.post(f"/api/tickets/{number}/reply", json={"text": text}, headers=agent_headers())
        assert reply.status == 201
    closed = await client.post(f"/api/tickets/{number}/close", headers=agent_headers())
    assert closed.status == 200 and (await closed.json())["status"] == "closed"
    received = await rasa.wait_for(3)
    assert [r["conversation_id"] for r in received] == ["user/with space"] * 3
    assert all(r["query"]["output_channel"] == "latest" and r["query"]["execute_side_effects"] == "true" for r in received)
    assert all(r["query"]["token"] == "rasa-token-for-tests" for r in received)
    assert received[0]["events"] == [{"event": "bot", "text": "Hallo, ik ben Sam."}]
    assert received[1]["events"] == [{"event": "bot", "text": "Wat is uw vraag?"}]
    assert received[2]["events"][0] == {"event": "resume"}
    assert "helpdesk heeft dit gesprek afgerond" in received[2]["events"][-1]["text"]
    again = await client.post(f"/api/tickets/{number}/reply", json={"text": "late", "written_in": "en"}, headers=agent_headers())
    assert again.status == 409


@BOTH_DATABASES
async def test_replies_wait_while_rasa_is_down_and_arrive_once_in_order(client, rasa):
    rasa.down = True
    number = (await open_ticket(client))["ticket_id"]
    for text in ("one", "two", "three"):
        await client.post(f"/api/tickets/{number}/reply", json={"text": text, "written_in": "en"}, headers=agent_headers())
    status = await client.app[helpdesk.HELPDESK].store.outbox_status()
    assert status["pending"] == 3
    rasa.down = False
    await asyncio.wait_for(client.app[helpdesk.HELPDESK].outbox.drained(), 30)
    assert [r["events"][0]["text"] for r in rasa.received] == ["one", "two", "three"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": AGENT_TOKEN}])
async def test_no_or_wrong_token_is_401(client, headers):
    number = (await open_ticket(client))["ticket_id"]
    for method, path in (
        ("GET", "/api/tickets"),
        ("GET", f"/api/tickets/{number}"),
        ("POST", f"/api/tickets/{number}/reply"),
        ("POST", f"/api/tickets/{number}/close"),
    ):
        reply = await client.request(method, path, headers=headers, json={"text": "x"})
        assert reply.status == 401, (method, path)
    for path in ("/internal/helpdesk/handoffs", "/internal/helpdesk/user-messages"):
        assert (await client.post(path, json={}, headers=agent_headers())).status == 401


@pytest.mark.parametrize("number", ["999999", "abc", "-1", "1e3", "9" * 40])
async def test_unknown_ticket_is_404(client, number):
    for method, path in (
        ("GET", f"/api/tickets/{number}"),
        ("POST", f"/api/tickets/{number}/reply"),
        ("POST", f"/api/tickets/{number}/close"),
    ):
        reply = await client.request(method, path, headers=agent_headers(), json={"text": "x"})
        assert reply.status == 404, (method, path)
        assert (await reply.json())["error"]


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b"null", b'{"text": ""}', b'{"text": 5}', b'{"other": "x"}', json.dumps({"text": "a" * 5000}).encode()],
)
async def test_bad_reply_bodies_are_400(client, body):
    number = (await open_ticket(client))["ticket_id"]
    reply = await client.post(f"/api/tickets/{number}/reply", data=body, headers=agent_headers())
    assert reply.status == 400
    assert (await reply.json())["error"]


@pytest.mark.parametrize(
    "body",
    [
        b"{bad",
        json.dumps({"conversation_id": "", "handoff_after": 1}).encode(),
        json.dumps({"conversation_id": "x"}).encode(),
        json.dumps({"conversation_id": "x", "handoff_after": 1, "transcript": "no"}).encode(),
        json.dumps({"conversation_id": "x", "handoff_after": 1, "transcript": [{"author": "agent", "text": "x", "at": 1}]}).encode(),
        json.dumps({"conversation_id": "x", "handoff_after": 1, "shared": "yes"}).encode(),
    ],
)
async def test_bad_handoffs_are_400(client, body):
    reply = await client.post("/internal/helpdesk/handoffs", data=body, headers=service_headers())
    assert reply.status == 400


async def sign_in(client) -> None:
    reply = await client.post("/helpdesk/sign-in", data={"secret": AGENT_TOKEN}, allow_redirects=False)
    assert reply.status == 303


async def test_the_inbox_needs_the_agent_token(client):
    page = await client.get("/helpdesk")
    assert "Sign in" in await page.text()
    wrong = await client.post("/helpdesk/sign-in", data={"secret": "nope"})
    assert wrong.status == 401
    await open_ticket(client, topic="ask_24_weeks")
    assert "24 weken" not in await (await client.get("/helpdesk")).text()
    await sign_in(client)
    listing = await (await client.get("/helpdesk")).text()
    assert "Geldt de grens van 24 weken per jaar nog?" in listing and "Deliveries waiting" in listing


async def test_the_inbox_shows_html_and_script_as_text(client, rasa):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    number = (
        await open_ticket(
            client,
            topic="<b>topic</b>",
            channel="<i>chan</i>",
            transcript=[{"author": "user", "text": evil, "at": 999.0}],
        )
    )["ticket_id"]
    await sign_in(client)
    page = await client.get(f"/helpdesk/tickets/{number}")
    form = {"text": "<script>agent()</script>", "written_in": "en"}
    csrf = (await page.text()).split('name="csrf" value="')[1].split('"')[0]
    posted = await client.post(f"/helpdesk/tickets/{number}/reply", data={**form, "csrf": csrf}, allow_redirects=False)
    assert posted.status == 303
    html = await (await client.get(f"/helpdesk/tickets/{number}")).text()
    assert "<script>" not in html and "<img" not in html and "<b>topic" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;script&gt;agent()&lt;/script&gt;" in html
    listing = await (await client.get("/helpdesk")).text()
    assert "&lt;i&gt;chan&lt;/i&gt;" in listing and "<i>chan" not in listing
    assert (await rasa.wait_for(1))[0]["events"] == [{"event": "bot", "text": "<script>agent()</script>"}]


async def test_inbox_forms_need_the_csrf_value(client):
    number = (await open_ticket(client))["ticket_id"]
    await sign_in(client)
    reply = await client.post(f"/helpdesk/tickets/{number}/close", data={"csrf": "forged"})
    assert reply.status == 401
    ticket = await (await client.get(f"/api/tickets/{number}", headers=agent_headers())).json()
    assert ticket["status"] == "open"


async def read_events(response, count: int) -> list:
    events, data = [], None
    while len(events) < count:
        line = (await asyncio.wait_for(response.content.readline(), 30)).decode().rstrip("\n")
        if line.startswith("data: "):
            data = json.loads(line[len("data: "):])
        elif line == "" and data is not None:
            events.append(data)
            data = None
    return events


@BOTH_DATABASES
async def test_the_widget_gets_agent_replies_and_the_end_as_server_sent_events(client):
    number = (await open_ticket(client, conversation_id="widget-1", language="en"))["ticket_id"]
    await client.post(f"/api/tickets/{number}/reply", json={"text": "before connecting", "written_in": "en"}, headers=agent_headers())
    events = await client.get("/api/widget/events", params=stream_params("widget-1"))
    assert events.headers["Content-Type"].startswith("text/event-stream")
    assert await read_events(events, 1) == [{"type": "agent_message", "text": "before connecting"}]
    await client.post(f"/api/tickets/{number}/reply", json={"text": "<b>hi</b>", "written_in": "en"}, headers=agent_headers())
    await client.post(f"/api/tickets/{number}/close", headers=agent_headers())
    later = await read_events(events, 2)
    assert later[0] == {"type": "agent_message", "text": "<b>hi</b>"}
    assert later[1]["type"] == "handoff_closed" and "helpdesk has finished" in later[1]["text"]
    events.close()
    assert (await client.get("/api/widget/events")).status == 400


async def test_a_reconnecting_widget_gets_what_it_missed(client):
    number = (await open_ticket(client, conversation_id="widget-2"))["ticket_id"]
    await client.post(f"/api/tickets/{number}/reply", json={"text": "first", "written_in": "en"}, headers=agent_headers())
    first = await client.get("/api/widget/events", params=stream_params("widget-2"))
    await read_events(first, 1)
    first.close()
    ticket = await (await client.get(f"/api/tickets/{number}", headers=agent_headers())).json()
    seen = ticket["transcript"][-1]["id"]
    await client.post(f"/api/tickets/{number}/reply", json={"text": "second", "written_in": "en"}, headers=agent_headers())
    await client.post(f"/api/tickets/{number}/close", headers=agent_headers())
    again = await client.get("/api/widget/events", params=stream_params("widget-2"), headers={"Last-Event-ID": str(seen)})
    assert [e["type"] for e in await read_events(again, 2)] == ["agent_message", "handoff_closed"]
    again.close()


@BOTH_DATABASES
async def test_closed_tickets_are_deleted_after_the_retention_period(client, clock):
    keep = (await open_ticket(client, conversation_id="keep"))["ticket_id"]
    old = (await open_ticket(client, conversation_id="old"))["ticket_id"]
    await client.post(f"/api/tickets/{old}/close", headers=agent_headers())
    desk = client.app[helpdesk.HELPDESK]
    await asyncio.wait_for(desk.outbox.drained(), 30)
    clock.now += 6 * 86400
    assert await desk.purge() == 0
    clock.now += 2 * 86400
    assert await desk.purge() == 1
    assert (await client.get(f"/api/tickets/{old}", headers=agent_headers())).status == 404
    assert (await client.get(f"/api/tickets/{keep}", headers=agent_headers())).status == 200


async def test_replies_to_messaging_app_users_are_not_streamed_to_anyone_who_guesses_their_id(client):
    phone = (await open_ticket(client, conversation_id="31612345678", channel="whatsapp"))["ticket_id"]
    await client.post(f"/api/tickets/{phone}/reply", json={"text": "private", "written_in": "en"}, headers=agent_headers())
    events = await client.get("/api/widget/events", params=stream_params("31612345678"))
    await client.post(f"/api/tickets/{phone}/reply", json={"text": "private too", "written_in": "en"}, headers=agent_headers())
    await client.post(f"/api/tickets/{phone}/close", headers=agent_headers())
    widget = (await open_ticket(client, conversation_id="31612345678", channel="socketio"))["ticket_id"]
    await client.post(f"/api/tickets/{widget}/reply", json={"text": "for the widget", "written_in": "en"}, headers=agent_headers())
    assert await read_events(events, 1) == [{"type": "agent_message", "text": "for the widget"}]
    events.close()
