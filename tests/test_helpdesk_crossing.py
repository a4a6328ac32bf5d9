"""Issue 21 through the whole running stack (Rasa server, action server, web app): a Farsi widget
user is handed over; the agent reads every message in Dutch, answers with a macro and the user
gets it in Farsi on the widget's event stream (which needs the conversation's token); starting
again (the restart intent) during the handoff closes the ticket."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

import aiohttp
import pytest

from bot.content.translations import Translations
from bot.runtime.settings import PROJECT_DIRECTORY
from tests.conftest import HELPDESK_AGENT_TOKEN
from tests.test_helpdesk_conversations import Desk, call, eventually
from tests.test_socketio import WidgetClient

pytestmark = pytest.mark.server
TRANSLATIONS = Translations.load(PROJECT_DIRECTORY / "translations")


@pytest.fixture(scope="module")
def desk(assistant) -> Desk:
    return Desk(assistant)


async def farsi_handoff(widget: WidgetClient, desk: Desk) -> Dict[str, Any]:
    """A Farsi user asks whether they may work, asks for a person and agrees; returns the ticket."""
    session = await widget.session()
    for text in ("من پناهجو هستم و می‌خواهم کار کنم", "می‌خواهم با یک انسان صحبت کنم", "/affirm"):
        ack = await widget.say({"message": text, "session_id": session})
        assert ack["status"] == "received"  # with the conversation's language (the widget's menu follows it)
    return await asyncio.to_thread(eventually, lambda: desk.ticket_of(session))


async def next_events(stream: aiohttp.ClientResponse, count: int) -> List[Dict[str, Any]]:
    received: List[Dict[str, Any]] = []
    async for line in stream.content:
        if line.startswith(b"data: "):
            received.append(json.loads(line[6:]))
            if len(received) == count:
                break
    return received


async def test_a_farsi_handoff_is_read_in_dutch_and_answered_by_macro_in_farsi(assistant, desk):
    async with WidgetClient(assistant.settings.rasa_url) as widget:
        ticket = await farsi_handoff(widget, desk)
        session = ticket["conversation_id"]
        token = widget.other["helpdesk_stream_token"][0]
        assert token["session_id"] == session

    assert ticket["language"] == "fa"
    transcript = ticket["transcript"]
    assert transcript and all(m["dutch"].strip() for m in transcript)
    users = [m for m in transcript if m["author"] == "user"]
    assert users[0]["dutch"].startswith("Mag ik werken als asielzoeker?")
    assert users[1]["dutch"] == "Wil een mens spreken."
    bots = [m for m in transcript if m["author"] == "bot"]
    assert "6 maanden" in bots[0]["dutch"] and "6 maanden" not in bots[0]["text"]  # Farsi digits or words
    assert bots[-1]["dutch"].startswith("Ik kan dit gesprek doorgeven aan een medewerker")

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        events_url = f"{desk.web}/api/widget/events"
        async with http.get(events_url, params={"conversation_id": session}) as refused:
            assert refused.status == 403
        async with http.get(events_url, params={"conversation_id": session, "token": token["token"]}) as stream:
            await asyncio.to_thread(
                call, f"{desk.web}/api/tickets/{ticket['id']}/reply", "POST", {"macro": "phrase.greeting"},
                HELPDESK_AGENT_TOKEN,
            )
            received = await next_events(stream, 1)
    farsi = TRANSLATIONS.helpdesk_phrase("greeting", "fa").text
    assert received == [{"type": "agent_message", "text": farsi}]
    await asyncio.to_thread(eventually, lambda: farsi in desk.bot_texts(session))  # the conversation has it too
    latest = (await asyncio.to_thread(desk.ticket, ticket["id"]))["transcript"][-1]
    assert latest["author"] == "agent" and latest["dutch"] == TRANSLATIONS.helpdesk_phrase("greeting", "nl").text

    async with WidgetClient(assistant.settings.rasa_url) as returning:
        assert await returning.session(session) == session
        assert "helpdesk_stream_token" not in returning.other  # a known id gets no token


async def test_a_restart_during_the_handoff_closes_the_ticket(assistant, desk):
    async with WidgetClient(assistant.settings.rasa_url) as widget:
        ticket = await farsi_handoff(widget, desk)
        start_again = {"message": "از اول شروع کن", "session_id": ticket["conversation_id"]}  # "start from the beginning"
        widget.bot.clear()
        assert (await widget.say(start_again))["status"] == "received"
        assert TRANSLATIONS.text("utter_restarted", "fa").text in widget.texts()
        assert TRANSLATIONS.text("utter_rephrase", "fa").text not in widget.texts()  # no fallback, no new handoff
    closed = await asyncio.to_thread(
        eventually, lambda: (t := desk.ticket(ticket["id"]))["status"] == "closed" and t
    )
    assert closed["transcript"][-1]["author"] == "note" and "/restart" in closed["transcript"][-1]["dutch"]
