"""Agents who read only Dutch help users in any language (issue 21, points 1 and 2): every message
of a ticket has its Dutch text beside it, and a reply chosen in Dutch reaches the user in theirs.

The handoff action runs against the real helpdesk web app here (Rasa's HTTP API is the local
fake); test_helpdesk_crossing.py does the same through the whole running stack.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

import aiohttp
import pytest
from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_topic
from actions.handoff import ActionHandoff
from bot import helpdesk
from bot.content.translations import Translations
from bot.runtime.settings import PROJECT_DIRECTORY, Settings
from tests.helpdesk_support import SERVICE_TOKEN, agent_headers, config_for, handoff_body, service_headers
from tests.test_helpdesk_api import clock, database, rasa  # noqa: F401 - fixtures

TRANSLATIONS = Translations.load(PROJECT_DIRECTORY / "translations")


def said(language: str, key: str, **values: Any) -> str:
    return TRANSLATIONS.text(key, language).render(**values)


def conversation(language: str, question: str, day: dt.date) -> List[Dict[str, Any]]:
    """A user asks whether they may work, as an asylum seeker four months in the procedure, gets
    the assistant's answer, asks for a person and agrees: the tracker events Rasa keeps."""
    stamp = dt.datetime.combine(day, dt.time(10), dt.timezone.utc).timestamp()
    answer = answer_topic("ask_asylum_work", language, day).text
    return [
        {"event": "action", "name": "action_listen", "timestamp": stamp},
        {"event": "user", "text": question, "timestamp": stamp + 1, "parse_data": {
            "intent": {"name": "ask_asylum_work", "confidence": 0.9},
            "entities": [{"entity": "person_status", "value": "asylum_seeker"}]}},
        {"event": "action", "name": "action_answer_topic", "timestamp": stamp + 2},
        {"event": "slot", "name": "months_in_procedure", "value": 4.0, "timestamp": stamp + 2},
        {"event": "bot", "text": answer, "timestamp": stamp + 2, "metadata": {}},
        {"event": "user", "text": "/request_human", "timestamp": stamp + 3, "parse_data": {
            "intent": {"name": "request_human", "confidence": 1.0}, "entities": []}},
        {"event": "action", "name": "action_offer_handoff", "timestamp": stamp + 4},
        {"event": "bot", "text": said(language, "utter_handoff_offer", language_name="x"), "timestamp": stamp + 4,
         "metadata": {"utter_action": "utter_handoff_offer"}},
        {"event": "user", "text": "/affirm", "timestamp": stamp + 5, "input_channel": "rest", "parse_data": {
            "intent": {"name": "affirm", "confidence": 1.0}, "entities": []}},
    ]


@pytest.fixture
async def desk(aiohttp_server, database, rasa, tmp_path, clock, monkeypatch):  # noqa: F811
    """The helpdesk web app, reachable for the handoff action as in a deployment."""
    app = web.Application()
    helpdesk.setup(app, Settings(data_dir=tmp_path), config_for(database, rasa.url), clock=clock)
    server = await aiohttp_server(app)
    monkeypatch.setenv("HELPDESK_URL", str(server.make_url("")))
    monkeypatch.setenv("HELPDESK_SERVICE_TOKEN", SERVICE_TOKEN)
    return server


async def hand_over(desk, language: str, question: str) -> Dict[str, Any]:
    """Runs the handoff action on the conversation; returns the ticket an agent sees."""
    events = conversation(language, question, dt.date.today())
    latest = events[-1]["parse_data"]
    tracker = Tracker("user-" + language, {"language": language}, {**latest, "text": "/affirm"},
                      events, False, None, {}, "action_listen")
    await ActionHandoff().run(CollectingDispatcher(), tracker, {})
    async with desk_client(desk) as session:
        tickets = (await (await session.get("/api/tickets", headers=agent_headers())).json())["tickets"]
    return next(t for t in tickets if t["conversation_id"] == "user-" + language)


def desk_client(desk) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(base_url=str(desk.make_url("")))


@pytest.mark.parametrize(
    "language,question",
    [("ti", "ክሰርሕ ይኽእል ድየ? ኣነ ሓታቲ ዑቕባ እየ፡ 4 ኣዋርሕ።"), ("fa", "آیا می‌توانم کار کنم؟ پناهجو هستم، ۴ ماه.")],
)
async def test_the_agent_reads_a_tigrinya_or_farsi_conversation_in_dutch(desk, language, question):
    ticket = await hand_over(desk, language, question)
    assert ticket["language"] == language
    rows = [(m["author"], m["text"], m["dutch"]) for m in ticket["transcript"]]
    assert rows[0] == ("user", question, "Mag ik werken als asielzoeker? (asielzoeker, 4 maanden)")
    author, text, dutch = rows[1]
    assert author == "bot" and text == answer_topic("ask_asylum_work", language, dt.date.today()).text
    assert dutch == answer_topic("ask_asylum_work", "nl", dt.date.today()).text
    assert "6 maanden" in dutch and "Bron" in dutch  # the Dutch answer keeps its source and date
    assert rows[2] == ("user", "/request_human", "Wil een mens spreken.")
    assert rows[3][2].startswith("Ik kan dit gesprek doorgeven aan een medewerker")
    assert rows[4] == ("user", "/affirm", "Ja.")


@pytest.mark.parametrize("language", ["ar", "fa", "ti", "tr", "uk", "en"])
async def test_a_bot_text_without_its_response_name_is_found_by_its_template(desk, language):
    """Messages that actions composed from a template (no `utter_action`) still get their Dutch."""
    text = said(language, "utter_handoff_started_later", opening="08-12-2026 09:00")
    body = handoff_body(language=language, transcript=[{"author": "bot", "text": text, "at": 990.0}])
    async with desk_client(desk) as session:
        opened = await (await session.post("/internal/helpdesk/handoffs", json=body, headers=service_headers())).json()
        ticket = await (await session.get(f"/api/tickets/{opened['ticket_id']}", headers=agent_headers())).json()
    dutch = ticket["transcript"][0]["dutch"]
    assert dutch == TRANSLATIONS.text("utter_handoff_started_later", "nl").render(opening="08-12-2026 09:00")


async def test_a_user_message_during_the_handoff_gets_its_dutch_summary(desk):
    body = handoff_body(language="fa")
    async with desk_client(desk) as session:
        opened = await (await session.post("/internal/helpdesk/handoffs", json=body, headers=service_headers())).json()
        later = {"conversation_id": body["conversation_id"], "text": "من وضعیت اقامت دارم", "at": 2000.0,
                 "intent": "ask_status_holder_work", "facts": {"person_status": "status_holder"}}
        await session.post("/internal/helpdesk/user-messages", json=later, headers=service_headers())
        unknown = {"conversation_id": body["conversation_id"], "text": "؟؟", "at": 2001.0}
        await session.post("/internal/helpdesk/user-messages", json=unknown, headers=service_headers())
        ticket = await (await session.get(f"/api/tickets/{opened['ticket_id']}", headers=agent_headers())).json()
    assert [m["dutch"] for m in ticket["transcript"][-2:]] == [
        "Mag ik werken als statushouder? (statushouder)",
        "Niet begrepen door de assistent.",
    ]
    assert all(m["dutch"] for m in ticket["transcript"])


async def test_the_macros_are_listed_in_dutch_with_the_users_text(desk):
    async with desk_client(desk) as session:
        listed = await (await session.get("/api/macros?language=ar", headers=agent_headers())).json()
        unknown = await session.get("/api/macros?language=xx", headers=agent_headers())
        anonymous = await session.get("/api/macros")
    macros = {m["id"]: m for m in listed["macros"]}
    assert {"phrase.greeting", "phrase.looking_into_it", "phrase.contact_uwv", "phrase.closing"} <= set(macros)
    assert "topic.ask_asylum_work" in macros and "topic.ask_employer_subsidy" in macros
    assert macros["phrase.greeting"]["dutch"].startswith("Hallo, ik ben een medewerker")
    assert macros["topic.ask_asylum_work"]["title"] == "Mag ik werken als asielzoeker?"
    assert macros["phrase.greeting"]["text"] == TRANSLATIONS.helpdesk_phrase("greeting", "ar").text
    assert unknown.status == 400 and anonymous.status == 401


async def test_a_macro_reaches_an_arabic_user_in_arabic_and_the_agent_sees_the_dutch(desk, rasa, clock):  # noqa: F811
    # The answer as the assistant gives it on the helpdesk's day (a test clock, years ahead: the
    # answer then says when its rules were last checked).
    day = dt.datetime.fromtimestamp(clock(), dt.timezone.utc).date()
    body = handoff_body(language="ar")
    async with desk_client(desk) as session:
        opened = await (await session.post("/internal/helpdesk/handoffs", json=body, headers=service_headers())).json()
        number = opened["ticket_id"]
        for macro in ("phrase.greeting", "topic.ask_work_permit"):
            reply = await session.post(f"/api/tickets/{number}/reply", json={"macro": macro}, headers=agent_headers())
            assert reply.status == 201, await reply.text()
        wrong = await session.post(f"/api/tickets/{number}/reply", json={"macro": "phrase.nope"}, headers=agent_headers())
        ticket = await (await session.get(f"/api/tickets/{number}", headers=agent_headers())).json()
    assert wrong.status == 400
    greeting, answer = (await rasa.wait_for(2))[:2]
    arabic = TRANSLATIONS.helpdesk_phrase("greeting", "ar").text
    assert greeting["events"] == [{"event": "bot", "text": arabic}]
    assert answer["events"][0]["text"] == answer_topic("ask_work_permit", "ar", day).text
    assert answer["events"][0]["text"].startswith("\u200f")
    sent = ticket["transcript"][-2:]
    assert [m["text"] for m in sent] == [arabic, answer["events"][0]["text"]]
    assert sent[0]["dutch"] == TRANSLATIONS.helpdesk_phrase("greeting", "nl").text
    assert sent[1]["dutch"] == answer_topic("ask_work_permit", "nl", day).text


async def test_free_text_says_which_language_it_is_in(desk, rasa):
    body = handoff_body(language="tr")
    async with desk_client(desk) as session:
        number = (await (await session.post("/internal/helpdesk/handoffs", json=body, headers=service_headers())).json())["ticket_id"]
        await session.post(f"/api/tickets/{number}/reply", json={"text": "Ik bel u morgen."}, headers=agent_headers())
        await session.post(f"/api/tickets/{number}/reply", json={"text": "See you.", "written_in": "en"}, headers=agent_headers())
        bad = await session.post(f"/api/tickets/{number}/reply", json={"text": "x", "written_in": "de"}, headers=agent_headers())
        ticket = await (await session.get(f"/api/tickets/{number}", headers=agent_headers())).json()
    assert bad.status == 400
    dutch_note = TRANSLATIONS.helpdesk_phrase("free_text_nl", "tr").text
    english_note = TRANSLATIONS.helpdesk_phrase("free_text_en", "tr").text
    sent = [r["events"][0]["text"] for r in await rasa.wait_for(2)]
    assert sent == [f"{dutch_note}\n\nIk bel u morgen.", f"{english_note}\n\nSee you."]
    assert [m["dutch"] for m in ticket["transcript"][-2:]] == ["Ik bel u morgen.", "See you."]


def test_every_intent_and_status_has_its_dutch_words():
    """An intent without a Dutch question would show agents only "not understood"."""
    import glob

    from actions.work_permission import STATUSES
    from bot.content import fast_yaml
    from bot.helpdesk.dutch import summaries

    intents = set()
    for path in glob.glob(str(PROJECT_DIRECTORY / "domain" / "*.yml")):
        data = fast_yaml.safe_load(open(path, encoding="utf-8").read()) or {}
        intents |= {i if isinstance(i, str) else next(iter(i)) for i in data.get("intents") or ()}
    wording = summaries()
    assert intents and not intents - set(wording.intents), sorted(intents - set(wording.intents))
    assert all(wording.fact("person_status", status) for status in STATUSES + ("other",))
