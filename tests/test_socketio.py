"""The widget's socket.io channel of a running assistant, spoken to by a python-socketio client,
and the widget's texts served by the web app."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any, Dict, List

import pytest
import socketio

from bot.web.widget import WidgetTextsError, widget_texts

pytestmark = pytest.mark.server


class WidgetClient:
    """A socket.io client that behaves like the widget, and records what the server sends."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.bot: List[Dict[str, Any]] = []
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.sio.on("bot_uttered", self.bot.append)
        self.sio.on("session_confirm", self.confirmed.put_nowait)

    async def __aenter__(self) -> "WidgetClient":
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["polling"])  # engine.io's websocket client needs a newer aiohttp
        return self

    async def __aexit__(self, *exc: Any) -> None:
        # Closes without waiting for the pending long-poll request to come back (up to 25 s).
        read_loop = self.sio.eio.read_loop_task
        await self.sio.eio.disconnect(abort=True)
        if read_loop is not None:
            read_loop.cancel()
            await asyncio.gather(read_loop, return_exceptions=True)

    async def session(self, requested: Any = None) -> str:
        await self.sio.emit("session_request", {"session_id": requested})
        return await asyncio.wait_for(self.confirmed.get(), 30)

    async def say(self, data: Any) -> Any:
        """Sends a user_uttered event; returns the server's acknowledgement (sent after the answers)."""
        return await self.sio.call("user_uttered", data, timeout=60)

    def texts(self) -> str:
        return "\n".join(m.get("text", "") for m in self.bot)


@pytest.fixture
async def client(assistant):
    async with WidgetClient(assistant.settings.rasa_url) as connected:
        yield connected


async def test_a_question_gets_an_answer_tagged_with_the_message_it_answers(client):
    session = await client.session()
    ack = await client.say({"message": "Mag ik werken als asielzoeker?", "session_id": session, "message_id": "m1"})
    assert ack == {"status": "received"}
    assert "6 maanden" in client.texts()
    assert [m["index"] for m in client.bot] == list(range(len(client.bot)))
    assert {m["reply_to"] for m in client.bot} == {"m1"}


async def test_a_message_sent_again_is_answered_again_without_being_handled_twice(client):
    session = await client.session()
    first = {"message": "wat kun je allemaal", "session_id": session, "message_id": "menu-1"}
    await client.say(first)
    answers = list(client.bot)
    client.bot.clear()
    assert await client.say(first) == {"status": "received"}
    assert client.bot == answers


async def test_a_session_id_is_the_servers_own_and_survives_a_reconnect(assistant, client):
    session = await client.session()
    assert len(session) == 32 and int(session, 16) >= 0
    assert await client.session("1") != "1", "a chosen, guessable id is replaced"
    async with WidgetClient(assistant.settings.rasa_url) as again:
        assert await again.session(session) == session


async def test_a_socket_cannot_write_into_a_session_it_did_not_join(assistant, client):
    victim = await client.session()
    async with WidgetClient(assistant.settings.rasa_url) as intruder:
        ack = await intruder.say({"message": "hallo", "session_id": victim})
        assert ack["status"] == "rejected"
        assert intruder.bot == [] and client.bot == []


@pytest.mark.parametrize(
    "data",
    [
        "just a string",
        None,
        ["a", "list"],
        {"message": "hallo"},
        {"message": 42, "session_id": "*"},
        {"message": "", "session_id": "*"},
        {"message": "hallo", "session_id": "*", "metadata": "{not json"},
        {"message": "/restart", "session_id": "*", "metadata": {"language_hint": ["x"]}},
    ],
)
async def test_malformed_events_are_refused_or_handled_and_the_socket_keeps_working(client, data):
    session = await client.session()
    if isinstance(data, dict) and data.get("session_id") == "*":
        data = {**data, "session_id": session}
    ack = await client.say(data)
    assert ack["status"] in ("rejected", "received")
    await client.say({"message": "Mag ik werken als asielzoeker?", "session_id": session})
    assert "6 maanden" in client.texts()


async def test_a_message_that_is_too_long_gets_a_polite_answer(client):
    session = await client.session()
    ack = await client.say({"message": "Mag ik werken? " * 300, "session_id": session})
    assert ack["status"] == "rejected"
    assert "te lang" in client.texts()


def test_the_web_app_serves_every_languages_widget_texts_to_any_site(assistant, project):
    with urllib.request.urlopen(assistant.settings.web_url + "/widget/texts", timeout=30) as reply:
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
        served = json.loads(reply.read())
    codes = [language["code"] for language in served["languages"]]
    assert codes[0] == served["default"] == "nl"
    assert sorted(codes) == sorted(p.stem for p in (project / "translations").glob("*.yml"))
    for language in served["languages"]:
        assert language["texts"]["privacy"] and language["texts"]["send"], language["code"]


def test_every_language_has_every_widget_text(project):
    widget_texts.cache_clear()
    widget_texts(str(project / "translations"))


def test_a_language_without_a_widget_text_is_reported(tmp_path, project):
    for name in ("nl.yml", "en.yml"):
        (tmp_path / name).write_text((project / "translations" / name).read_text(encoding="utf-8"), encoding="utf-8")
    english = (tmp_path / "en.yml").read_text(encoding="utf-8").replace('  send: "Send"\n', "")
    (tmp_path / "en.yml").write_text(english, encoding="utf-8")
    with pytest.raises(WidgetTextsError, match="en lacks widget texts"):
        widget_texts(str(tmp_path))
