"""Tickets in Zammad (issue 21, point 5), against a local fake that follows Zammad's documented
REST API and webhooks: a handoff becomes a Zammad ticket with the (redacted) transcript and its
Dutch column, later user messages become articles, an agent's Zammad reply reaches the user in
their channel (signed, once), a closed Zammad ticket closes ours; Zammad being down only delays."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from bot import helpdesk
from bot.content.translations import Translations
from bot.helpdesk.config import ZammadSettings
from bot.runtime.settings import PROJECT_DIRECTORY, Settings
from tests.fakes.zammad import TOKEN, WEBHOOK_SECRET, FakeZammad, signed
from tests.helpdesk_support import agent_headers, config_for, handoff_body, service_headers
from tests.test_helpdesk_api import clock, database, rasa  # noqa: F401

TRANSLATIONS = Translations.load(PROJECT_DIRECTORY / "translations")


@pytest.fixture
async def zammad(aiohttp_server) -> FakeZammad:
    fake = FakeZammad()
    server = await aiohttp_server(fake.app())
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
async def client(aiohttp_client, database, rasa, zammad, tmp_path, clock):  # noqa: F811
    settings = ZammadSettings(url=zammad.url, token=TOKEN, webhook_secret=WEBHOOK_SECRET, group="Vluchtelingen")
    app = web.Application()
    helpdesk.setup(app, Settings(data_dir=tmp_path), config_for(database, rasa.url, zammad=settings), clock=clock)
    return await aiohttp_client(app)


async def drained(client) -> None:
    await asyncio.wait_for(client.app[helpdesk.HELPDESK].outbox.drained(), 30)


async def hand_over(client, **changes) -> int:
    body = handoff_body(**changes)
    reply = await client.post("/internal/helpdesk/handoffs", json=body, headers=service_headers())
    assert reply.status == 201
    await drained(client)
    return (await reply.json())["ticket_id"]


async def test_a_handoff_becomes_a_zammad_ticket_with_the_redacted_transcript_in_dutch_too(client, zammad):
    ours = await hand_over(client, language="fa", transcript=[
        {"author": "user", "text": "BSN 111222333, mag ik werken?", "at": 990.0, "intent": "ask_asylum_work"},
        {"author": "bot", "text": TRANSLATIONS.text("utter_goodbye", "fa").text, "at": 991.0, "response": "utter_goodbye"},
    ])
    (ticket,) = zammad.tickets.values()
    assert ticket["group"] == "Vluchtelingen" and f"#{ours}" in ticket["title"] and "fa" in ticket["title"]
    body = zammad.articles_of(ticket["id"])[0]["body"]
    assert "111222333" not in body and "[BSN]" in body
    assert "(Nederlands: Mag ik werken als asielzoeker?)" in body
    assert "(Nederlands: Tot ziens! U kunt altijd opnieuw een vraag stellen.)" in body

    later = {"conversation_id": (await client.app[helpdesk.HELPDESK].store.get(ours)).conversation_id,
             "text": "bel 0612345678", "at": 2000.0, "intent": "request_human"}
    await client.post("/internal/helpdesk/user-messages", json=later, headers=service_headers())
    await drained(client)
    article = zammad.articles_of(ticket["id"])[-1]
    assert "0612345678" not in article["body"] and "Wil een mens spreken." in article["body"]
    assert article["internal"] is False and article["type"] == "note"


async def test_zammad_being_down_delays_the_ticket_and_its_articles_in_order(client, zammad):
    zammad.failures = 3
    body = handoff_body()
    await client.post("/internal/helpdesk/handoffs", json=body, headers=service_headers())
    for n in range(2):
        message = {"conversation_id": body["conversation_id"], "text": f"later {n}", "at": 2000.0 + n}
        await client.post("/internal/helpdesk/user-messages", json=message, headers=service_headers())
    await drained(client)
    (ticket,) = zammad.tickets.values()  # created once, after the retries
    later = [a["body"].splitlines()[0] for a in zammad.articles_of(ticket["id"])[1:]]
    assert later == ["Gebruiker: later 0", "Gebruiker: later 1"]
    assert zammad.requests.count("/api/v1/tickets") == 4, zammad.requests  # three refusals, then accepted


async def test_an_agents_reply_in_zammad_reaches_the_user_once(client, zammad, rasa):
    ours = await hand_over(client, language="en")
    (ticket,) = zammad.tickets.values()
    body = zammad.webhook_body(ticket["id"], "<p>Hello, I am Emma.</p><p>How can I help?</p>", article_id=9001)
    for _ in range(2):  # Zammad delivers again when unsure
        reply = await client.post("/api/zammad/webhook", data=body, headers=signed(body))
        assert reply.status == 200
    macro = zammad.webhook_body(ticket["id"], "macro:phrase.looking_into_it")
    await client.post("/api/zammad/webhook", data=macro, headers=signed(macro))
    await drained(client)
    sent = [r["events"][0]["text"] for r in rasa.received]
    note = TRANSLATIONS.helpdesk_phrase("free_text_nl", "en").text
    assert sent == [f"{note}\n\nHello, I am Emma.\nHow can I help?", TRANSLATIONS.helpdesk_phrase("looking_into_it", "en").text]
    log = (await (await client.get(f"/api/audit?ticket_id={ours}", headers=agent_headers())).json())["entries"]
    assert {(e["agent"], e["action"]) for e in log} == {("zammad:emma@helpdesk.example", "answered")}


async def test_internal_notes_customer_articles_and_bad_signatures_do_not_reach_the_user(client, zammad, rasa):
    await hand_over(client)
    (ticket,) = zammad.tickets.values()
    for body in (
        zammad.webhook_body(ticket["id"], "only for colleagues", internal=True),
        zammad.webhook_body(ticket["id"], "an echo of the user's own message", sender="Customer"),
    ):
        assert (await client.post("/api/zammad/webhook", data=body, headers=signed(body))).status == 200
    forged = zammad.webhook_body(ticket["id"], "send this to the user")
    assert (await client.post("/api/zammad/webhook", data=forged, headers=signed(forged, "wrong"))).status == 401
    unsigned = {"Content-Type": "application/json"}
    assert (await client.post("/api/zammad/webhook", data=forged, headers=unsigned)).status == 401
    junk = b"not json"
    assert (await client.post("/api/zammad/webhook", data=junk, headers=signed(junk))).status == 400
    await drained(client)
    assert rasa.received == []


async def test_closing_the_zammad_ticket_gives_the_conversation_back(client, zammad, rasa):
    ours = await hand_over(client, language="ar")
    (ticket,) = zammad.tickets.values()
    body = zammad.webhook_body(ticket["id"], state="closed")
    assert (await (await client.post("/api/zammad/webhook", data=body, headers=signed(body))).json()) == {"status": "closed"}
    await drained(client)
    assert rasa.received[-1]["events"][0] == {"event": "resume"}
    assert (await client.app[helpdesk.HELPDESK].store.get(ours)).status == "closed"
    again = await client.post("/api/zammad/webhook", data=body, headers=signed(body))
    assert (await again.json())["status"] == "ignored"


async def test_a_refused_token_is_retried_and_reported_not_lost(client, zammad):
    store = client.app[helpdesk.HELPDESK].store
    original = client.app[helpdesk.HELPDESK].outbox.adapters["zammad"].settings
    client.app[helpdesk.HELPDESK].outbox.adapters["zammad"].settings = ZammadSettings(
        url=original.url, token="wrong", webhook_secret=WEBHOOK_SECRET)
    await client.post("/internal/helpdesk/handoffs", json=handoff_body(), headers=service_headers())
    while not zammad.requests:  # until the outbox tried (bounded by pytest's timeout)
        await asyncio.sleep(0.02)
    assert zammad.tickets == {} and (await store.outbox_status())["pending"] == 1  # refused, kept
    client.app[helpdesk.HELPDESK].outbox.adapters["zammad"].settings = original
    await drained(client)
    assert len(zammad.tickets) == 1


def test_zammad_is_configured_from_the_environment(tmp_path):
    from bot.helpdesk.config import HelpdeskConfig

    env = {"HELPDESK_ZAMMAD_URL": "http://127.0.0.1:3000", "HELPDESK_ZAMMAD_TOKEN": "t",
           "HELPDESK_ZAMMAD_WEBHOOK_SECRET": "s", "HELPDESK_ZAMMAD_GROUP": "Werk"}
    config = HelpdeskConfig.from_env(Settings(data_dir=tmp_path), env)
    assert config.zammad == ZammadSettings(url="http://127.0.0.1:3000", token="t", webhook_secret="s", group="Werk")
    assert HelpdeskConfig.from_env(Settings(data_dir=tmp_path), {}).zammad is None


async def test_what_happens_in_the_werkwijzer_inbox_is_noted_in_zammad(client, zammad, rasa):
    ours = await hand_over(client, language="tr")
    (ticket,) = zammad.tickets.values()
    await client.post(f"/api/tickets/{ours}/reply", json={"macro": "phrase.greeting"}, headers=agent_headers())
    await client.post(f"/api/tickets/{ours}/close", headers=agent_headers())
    await drained(client)
    note, closing = zammad.articles_of(ticket["id"])[-2:]
    assert note["internal"] is True and TRANSLATIONS.helpdesk_phrase("greeting", "tr").text in note["body"]
    assert TRANSLATIONS.helpdesk_phrase("greeting", "nl").text in note["body"]  # its Dutch text
    assert ticket["state"] == "closed" and closing["internal"] is True and "admin" in closing["body"]
    # Zammad's trigger fires on that internal note and on the close: nothing goes to the user twice.
    for body in (zammad.webhook_body(ticket["id"], note["body"], internal=True, article_id=note["id"]),
                 zammad.webhook_body(ticket["id"], state="closed")):
        await client.post("/api/zammad/webhook", data=body, headers=signed(body))
    await drained(client)
    assert len(rasa.received) == 2  # the greeting and the close, once each


async def test_a_restart_closes_the_zammad_ticket_too(client, zammad):
    body = handoff_body()
    await client.post("/internal/helpdesk/handoffs", json=body, headers=service_headers())
    await client.post("/internal/helpdesk/restarts", json={"conversation_id": body["conversation_id"]},
                      headers=service_headers())
    await drained(client)
    (ticket,) = zammad.tickets.values()
    assert ticket["state"] == "closed" and "/restart" in zammad.articles_of(ticket["id"])[-1]["body"]
