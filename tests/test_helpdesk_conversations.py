"""The handoff through the real running stack: Rasa server, action server and web app.

A REST user asks for a person, agrees, and gets a ticket; what they write next reaches the ticket;
the agent's replies reach the conversation (seen in the tracker through Rasa's HTTP API, and by
a widget over Server-Sent Events); closing gives the conversation back to the assistant.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, List, Optional

import aiohttp
import pytest

from bot.helpdesk.stream_tokens import stream_secret, stream_token
from bot.privacy.pseudonyms import pseudonym
from tests.conftest import HELPDESK_AGENT_TOKEN

pytestmark = pytest.mark.server


def new_user() -> str:
    return f"hd-{uuid.uuid4().hex[:10]}"


def call(url: str, method: str = "GET", body: Optional[dict] = None, token: Optional[str] = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers, method=method), timeout=30) as reply:
        return json.loads(reply.read())


def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Asks `check` until it returns something true (asynchronous deliveries); fails at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, "the expected state was not reached"
        time.sleep(0.1)


class Desk:
    """The helpdesk's JSON API and the Rasa tracker, as an agent and a test see them."""

    def __init__(self, assistant):
        self.web = assistant.settings.web_url
        self.rasa = assistant.settings.rasa_url
        self.rasa_token = assistant.stack.service("rasa server").env["RASA_API_TOKEN"]
        self.env = assistant.stack.service("rasa server").env

    def ticket_of(self, conversation_id: str) -> Optional[Dict[str, Any]]:
        tickets = call(f"{self.web}/api/tickets", token=HELPDESK_AGENT_TOKEN)["tickets"]
        return next((t for t in tickets if t["conversation_id"] == conversation_id), None)

    def ticket(self, number: int) -> Dict[str, Any]:
        return call(f"{self.web}/api/tickets/{number}", token=HELPDESK_AGENT_TOKEN)

    def reply(self, number: int, text: str, written_in: str = "en") -> None:
        body = {"text": text, "written_in": written_in}
        call(f"{self.web}/api/tickets/{number}/reply", "POST", body, HELPDESK_AGENT_TOKEN)

    def close(self, number: int) -> None:
        call(f"{self.web}/api/tickets/{number}/close", "POST", {}, HELPDESK_AGENT_TOKEN)

    def tracker_events(self, conversation_id: str) -> List[Dict[str, Any]]:
        query = urllib.parse.urlencode({"token": self.rasa_token})
        conversation = urllib.parse.quote(conversation_id, safe="")
        return call(f"{self.rasa}/conversations/{conversation}/tracker?{query}")["events"]

    def stream_params(self, conversation_id: str) -> Dict[str, str]:
        """The widget's stream query, with the token the Rasa server gives the widget."""
        secret = stream_secret(self.env)
        return {"conversation_id": conversation_id, "token": stream_token(secret, conversation_id)}

    def bot_texts(self, conversation_id: str) -> List[str]:
        return [e.get("text") or "" for e in self.tracker_events(conversation_id) if e["event"] == "bot"]


@pytest.fixture(scope="module")
def desk(assistant) -> Desk:
    return Desk(assistant)


def payloads(reply: List[Dict[str, Any]]) -> set:
    return {b["payload"] for m in reply for b in m.get("buttons", [])}


def test_a_dutch_user_gets_a_person_and_the_assistant_back_afterwards(assistant, desk):
    user = new_user()
    offer = assistant.say(user, "ik wil een mens spreken")
    assert "Nederlands" in offer[-1]["text"] and "Is dat goed?" in offer[-1]["text"]
    assert payloads(offer) == {"/affirm", "/handoff_share_all", "/deny"}
    started = assistant.text(user, "/affirm")
    assert "medewerker" in started
    ticket = desk.ticket_of(user)
    assert (ticket["language"], ticket["channel"], ticket["status"]) == ("nl", "rest", "open")
    assert "ik wil een mens spreken" in [m["text"] for m in ticket["transcript"]]

    assert assistant.say(user, "Mijn BSN is 111222333. Mag ik werken?") == []  # the assistant is paused
    eventually(lambda: "Mijn BSN is [BSN]. Mag ik werken?" in [m["text"] for m in desk.ticket(ticket["id"])["transcript"]])

    desk.reply(ticket["id"], "Hallo, ik ben Sam van de helpdesk. <b>Ja</b>, na 6 maanden.", "nl")
    eventually(lambda: "Hallo, ik ben Sam van de helpdesk. <b>Ja</b>, na 6 maanden." in desk.bot_texts(user))

    desk.close(ticket["id"])
    eventually(lambda: any("helpdesk heeft dit gesprek afgerond" in t for t in desk.bot_texts(user)))
    assert desk.ticket(ticket["id"])["status"] == "closed"
    assert "6 maanden" in assistant.text(user, "Mag ik werken als asielzoeker?")


def test_an_english_user_who_shares_everything_gets_an_unredacted_ticket(assistant, desk):
    user = new_user()
    assistant.say(user, "My V-number is 1234567890. I want to talk to a real person")
    offer = assistant.say(user, "I want to talk to a human")
    assert "English" in offer[-1]["text"]
    assert "A person from the helpdesk" in assistant.text(user, "/handoff_share_all")
    ticket = desk.ticket_of(user)
    assert ticket["language"] == "en" and ticket["shared"] is True
    assert any("1234567890" in m["text"] for m in ticket["transcript"])


def test_without_consent_the_user_gets_contact_options_and_no_ticket(assistant, desk):
    user = new_user()
    assistant.say(user, "I want to talk to a human")
    declined = assistant.text(user, "/deny")
    assert "VluchtelingenWerk" in declined and "IND" in declined and "COA" in declined
    assert desk.ticket_of(user) is None
    assert "6 months" in assistant.text(user, "/ask_asylum_work")


def test_two_misunderstandings_in_a_row_offer_a_person(assistant):
    user = new_user()
    first = assistant.say(user, "qwxz plorb vrrrt")
    assert "/handoff_share_all" not in payloads(first)
    second = assistant.say(user, "zzkv trulp gnarf")
    assert payloads(second) == {"/affirm", "/handoff_share_all", "/deny"}


def test_underpayment_names_the_labour_inspectorate_and_offers_a_person(assistant, desk):
    user = new_user()
    reply = assistant.say(user, "mijn baas betaalt mij maar 3 euro per uur")
    assert "Arbeidsinspectie" in reply[0]["text"] and "0800-5151" in reply[0]["text"]
    assert payloads(reply) == {"/affirm", "/handoff_share_all", "/deny"}
    assistant.say(user, "/affirm")
    assert desk.ticket_of(user)["reason"] == "exploitation"


def test_danger_to_life_says_112_first(assistant):
    reply = assistant.say(new_user(), "my boss is threatening to kill me")
    assert "112" in reply[0]["text"]
    assert payloads(reply) == {"/affirm", "/handoff_share_all", "/deny"}


async def test_a_widget_user_gets_agent_replies_over_server_sent_events(assistant, desk):
    user = new_user()
    await asyncio.to_thread(assistant.say, user, "I want to talk to a human")
    await asyncio.to_thread(assistant.say, user, "/affirm")
    ticket = await asyncio.to_thread(desk.ticket_of, user)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        async with session.get(f"{desk.web}/api/widget/events", params=desk.stream_params(user)) as events:
            await asyncio.to_thread(desk.reply, ticket["id"], "Hello from the helpdesk")
            await asyncio.to_thread(desk.close, ticket["id"])
            received = []
            async for line in events.content:
                if line.startswith(b"data: "):
                    received.append(json.loads(line[6:]))
                if len(received) == 2:
                    break
    assert received[0] == {"type": "agent_message", "text": "Hello from the helpdesk"}
    assert received[1]["type"] == "handoff_closed" and "helpdesk has finished" in received[1]["text"]


def agent_round_trip(desk: Desk, ticket_id: int, fake, sent_text: Callable[[Any], str]) -> None:
    """The agent replies and closes; both reach the user through the platform's (fake) API."""
    mark = fake.server.mark()

    def said(text: str) -> Callable[[list], bool]:
        return lambda calls: any(c.status == 200 and text in sent_text(c.body) for c in calls[mark:])

    desk.reply(ticket_id, "Hello, this is Sam from the helpdesk.")
    fake.server.wait_for(said("Hello, this is Sam from the helpdesk."))
    desk.close(ticket_id)
    fake.server.wait_for(said("The helpdesk has finished this conversation."))


def test_a_telegram_user_gets_the_agents_reply_in_telegram(assistant, desk, fake_telegram):
    from tests.test_telegram import TelegramUser

    user = TelegramUser(assistant, fake_telegram, "en")
    user.says("I want to talk to a human")
    user.says("yes")
    ticket = desk.ticket_of(pseudonym(fake_telegram.env["TELEGRAM_SECRET_TOKEN"], "telegram", str(user.id)))
    assert ticket["channel"] == "telegram" and ticket["language"] == "en"
    agent_round_trip(desk, ticket["id"], fake_telegram, lambda body: str(body.get("text", "")))


def test_a_whatsapp_user_gets_the_agents_reply_in_whatsapp(assistant, desk, fake_whatsapp):
    from tests.test_whatsapp import WhatsAppUser

    user = WhatsAppUser(assistant, fake_whatsapp)
    user.says("I want to talk to a human")
    user.says("yes")
    assert desk.ticket_of(user.wa_id) is None  # the phone number is no conversation key
    ticket = desk.ticket_of(pseudonym(fake_whatsapp.env["WHATSAPP_APP_SECRET"], "whatsapp", user.wa_id))
    assert ticket["channel"] == "whatsapp" and ticket["language"] == "en"
    agent_round_trip(desk, ticket["id"], fake_whatsapp, lambda body: json.dumps(body, ensure_ascii=False))


def test_an_answer_on_an_uncertain_rule_leads_to_a_ticket_marked_so(assistant, desk):
    user = new_user()
    answer = assistant.say(user, "Mag ik werken als ik in de Dublinprocedure zit?")
    assert "/request_human" in payloads(answer)
    assistant.say(user, "/request_human")
    assistant.say(user, "/affirm")
    ticket = desk.ticket_of(user)
    assert ticket["reason"] == "uncertain_rule" and ticket["topic"] != "uncertain_rule"


def test_the_pause_outlasts_the_session_while_the_user_waits_for_the_helpdesk(assistant, desk):
    """A user waits longer than a session lasts (60 minutes): the conversation stays with the person."""
    import sqlite3

    user = new_user()
    assistant.say(user, "I want to talk to a human")
    assistant.say(user, "/affirm")
    ticket = desk.ticket_of(user)
    two_hours = 2 * 3600
    with sqlite3.connect(assistant.settings.data_dir / "conversations.db") as database:  # time passes
        changed = database.execute(
            "UPDATE events SET timestamp = timestamp - ?, "
            "data = json_set(data, '$.timestamp', json_extract(data, '$.timestamp') - ?) WHERE sender_id = ?",
            (two_hours, two_hours, user),
        ).rowcount
    assert changed > 0
    assert assistant.say(user, "Hello, is anybody there?") == []
    assert [e["event"] for e in desk.tracker_events(user)].count("session_started") == 2
    eventually(lambda: "Hello, is anybody there?" in [m["text"] for m in desk.ticket(ticket["id"])["transcript"]])
    desk.close(ticket["id"])
    eventually(lambda: any("helpdesk has finished" in t for t in desk.bot_texts(user)))
    assert "6 months" in assistant.text(user, "/ask_asylum_work")


@pytest.mark.parametrize("ask", ["/request_human", "I want to talk to a person"])
def test_asking_for_a_person_during_a_check_ends_the_check_and_hands_over(assistant, desk, ask):
    user = new_user()
    question = assistant.say(user, "/check_work_permission")
    assert any(b["payload"].startswith("/check_work_permission{") for m in question for b in m.get("buttons", []))
    offer = assistant.say(user, ask)
    assert payloads(offer) == {"/affirm", "/handoff_share_all", "/deny"}
    assistant.say(user, "/affirm")
    assert desk.ticket_of(user)["status"] == "open"
