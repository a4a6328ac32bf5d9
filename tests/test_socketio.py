"""The widget's socket.io channel of a running assistant, spoken to by a python-socketio client,
and the widget's texts served by the web app."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from typing import Any, Dict, List

import aiohttp
import pytest

from bot.web.widget import WidgetTextsError, widget_texts

pytestmark = pytest.mark.server


class WidgetClient:
    """A socket.io client that speaks like the widget (socket.io 5 over an engine.io 4
    websocket, the widget's only transport) and records what the server sends."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.bot: List[Dict[str, Any]] = []
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.other: Dict[str, List[Any]] = {}  # other events by name, e.g. helpdesk_stream_token
        self._acks: Dict[int, asyncio.Future] = {}
        self._next_ack = 0

    async def __aenter__(self) -> "WidgetClient":
        self.http = aiohttp.ClientSession()
        self.ws = await self.http.ws_connect(self.url)
        assert (await self.ws.receive_str()).startswith("0{")  # engine.io open
        await self.ws.send_str("40")  # socket.io connect to the default namespace
        assert (await self.ws.receive_str()).startswith("40")
        self.reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.ws.close()
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)
        await self.http.close()

    async def _read(self) -> None:
        async for frame in self.ws:
            packet = frame.data
            if packet == "2":  # the server's ping
                await self.ws.send_str("3")
            elif packet.startswith("42"):
                name, *args = json.loads(packet[2:])
                if name == "bot_uttered":
                    self.bot.append(args[0] if args else None)
                elif name == "session_confirm":
                    self.confirmed.put_nowait(args[0])
                else:
                    self.other.setdefault(name, []).append(args[0] if args else None)
            elif packet.startswith("43"):
                number, payload = re.match(r"43(\d+)(.*)", packet, re.S).groups()
                self._acks.pop(int(number)).set_result(json.loads(payload))

    async def emit(self, event: str, data: Any) -> None:
        await self.ws.send_str("42" + json.dumps([event, data]))

    async def call(self, event: str, data: Any, timeout: float = 60) -> Any:
        number, self._next_ack = self._next_ack, self._next_ack + 1
        self._acks[number] = asyncio.get_running_loop().create_future()
        await self.ws.send_str(f"42{number}" + json.dumps([event, data]))
        answer = await asyncio.wait_for(self._acks[number], timeout)
        return answer[0] if answer else None

    async def session(self, requested: Any = None) -> str:
        await self.emit("session_request", {"session_id": requested})
        return await asyncio.wait_for(self.confirmed.get(), 30)

    async def say(self, data: Any) -> Any:
        """Sends a user_uttered event; returns the server's acknowledgement (sent after the answers)."""
        return await self.call("user_uttered", data)

    def texts(self) -> str:
        return "\n".join(m.get("text", "") for m in self.bot)


@pytest.fixture
async def client(assistant):
    async with WidgetClient(assistant.settings.rasa_url) as connected:
        yield connected


async def test_a_question_gets_an_answer_tagged_with_the_message_it_answers(client):
    session = await client.session()
    ack = await client.say({"message": "Mag ik werken als asielzoeker?", "session_id": session, "message_id": "m1"})
    assert ack == {"status": "received", "language": "nl"}
    assert "6 maanden" in client.texts()
    assert [m["index"] for m in client.bot] == list(range(len(client.bot)))
    assert {m["reply_to"] for m in client.bot} == {"m1"}


async def test_a_message_sent_again_is_answered_again_without_being_handled_twice(client):
    session = await client.session()
    first = {"message": "wat kun je allemaal", "session_id": session, "message_id": "menu-1"}
    await client.say(first)
    answers = list(client.bot)
    client.bot.clear()
    assert (await client.say(first))["status"] == "received"
    assert client.bot == answers


async def test_the_acknowledgement_says_the_language_the_conversation_switched_to(client):
    """The widget's language menu follows it (tests/browser/test_widget.py)."""
    session = await client.session()
    await client.say({"message": "hallo, mag ik werken?", "session_id": session, "message_id": "a"})
    ack = await client.say({"message": "هل يمكنني العمل في هولندا؟", "session_id": session, "message_id": "b"})
    assert ack == {"status": "received", "language": "ar"}
    client.bot.clear()
    ack = await client.say({"message": "Я из Украины, можно ли мне работать?", "session_id": session, "message_id": "c"})
    assert ack == {"status": "received", "language": "ru"}
    assert "TWV" in client.texts() and set("ыэё") & set(client.texts()), client.texts()  # in Russian


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
