"""Counts without people, the "< 5" rule, unanswered questions grouped and redacted, and the
stats API, against the web app with SQLite (bot/analytics). The real stack: test_analytics_rest.py."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Dict, List

import pytest
from aiohttp import web

from bot import analytics, helpdesk
from bot.analytics.counting import ALL, Cell, Counting, broker_record
from bot.analytics.report import SMALL, cells_csv, group_questions, stats
from bot.analytics.store import StoredQuestion
from bot.helpdesk.config import database_url
from bot.runtime.settings import Settings
from tests.helpdesk_support import agent_headers, config_for, drop_postgres, service_headers, throwaway_postgres

DAY_ONE = 2_000_000_000.0  # 2033-05-18 UTC
TOPICS = frozenset({"ask_asylum_work", "ask_taxes"})


class Clock:
    def __init__(self, now: float = DAY_ONE):
        self.now = now

    def __call__(self) -> float:
        return self.now


def conversation(sender: str, at: float, language: str = "nl", intent: str = "ask_asylum_work",
                 text: str = "Mag ik werken?", channel: str = "rest") -> List[Dict[str, Any]]:
    """The trimmed events of one turn, as the broker sends them."""
    return [
        {"conversation_id": sender, "timestamp": at, "event": "user", "intent": intent, "language": language,
         "channel": channel, "text": text},
        {"conversation_id": sender, "timestamp": at + 1, "event": "slot", "name": "language", "value": language},
        {"conversation_id": sender, "timestamp": at + 2, "event": "bot"},
    ]


def test_a_conversation_counts_once_per_cell_and_day_and_again_the_next_day():
    counting = Counting(TOPICS, secret_source=lambda n: b"k" * n)
    first = counting.count(conversation("anna", DAY_ONE) + conversation("anna", DAY_ONE + 60))
    everything = Cell("2033-05-18", ALL, ALL, ALL)
    assert first.increments[(everything, "conversations")] == 1
    assert first.increments[(everything, "messages")] == 2
    assert first.increments[(everything, "answers")] == 2
    cell = Cell("2033-05-18", "nl", "rest", "ask_asylum_work")
    assert first.increments[(cell, "conversations")] == 1
    later = counting.count(conversation("anna", DAY_ONE + 86400))
    assert later.increments[(Cell("2033-05-19", ALL, ALL, ALL), "conversations")] == 1


def test_handoffs_crisis_answers_checks_and_fallbacks_are_counted():
    counting = Counting(TOPICS)
    events = conversation("bo", DAY_ONE, intent="nlu_fallback", text="wat is dit") + [
        {"conversation_id": "bo", "timestamp": DAY_ONE + 3, "event": "action", "name": "action_handoff"},
        {"conversation_id": "bo", "timestamp": DAY_ONE + 4, "event": "action", "name": "utter_emergency"},
        {"conversation_id": "bo", "timestamp": DAY_ONE + 5, "event": "active_loop", "name": "work_permission_form"},
        {"conversation_id": "bo", "timestamp": DAY_ONE + 6, "event": "active_loop", "name": None},
    ]
    counted = counting.count(events)
    everything = Cell("2033-05-18", ALL, ALL, ALL)
    for measure in ("fallbacks", "handoffs", "crisis_answers", "checks_completed"):
        assert counted.increments[(everything, measure)] == 1, measure
    assert [(q.language, q.text) for q in counted.unanswered] == [("nl", "wat is dit")]


def test_the_broker_passes_typed_text_but_no_slot_values_or_clicked_payloads():
    typed = {"event": "user", "sender_id": "s", "timestamp": 1.0, "text": "mag ik werken", "input_channel": "rest",
             "parse_data": {"intent": {"name": "ask_asylum_work"}, "entities": [{"entity": "language", "value": "nl"}]}}
    record = broker_record(typed)
    assert record == {"conversation_id": "s", "timestamp": 1.0, "event": "user", "intent": "ask_asylum_work",
                      "language": "nl", "channel": "rest", "text": "mag ik werken"}
    assert "text" not in broker_record({**typed, "text": "/feedback_helpful"})
    assert broker_record({"event": "slot", "name": "person_status", "value": "asylum_seeker"}) is None


def test_helpful_and_not_helpful_are_counted_per_topic_and_the_question_kept_as_unanswered():
    counting = Counting(TOPICS)
    events = conversation("cy", DAY_ONE, text="Mag ik werken?") + [
        {"conversation_id": "cy", "timestamp": DAY_ONE + 3, "event": "user", "intent": "feedback_not_helpful"},
    ] + conversation("dee", DAY_ONE, language="en", intent="ask_taxes") + [
        {"conversation_id": "dee", "timestamp": DAY_ONE + 3, "event": "user", "intent": "feedback_helpful"},
    ]
    events[0]["text"] = "Mag ik werken met een W-document?"
    counted = counting.count(events)
    assert counted.increments[(Cell("2033-05-18", "nl", ALL, "ask_asylum_work"), "not_helpful")] == 1
    assert counted.increments[(Cell("2033-05-18", "en", ALL, "ask_taxes"), "helpful")] == 1
    assert [(q.reason, q.text) for q in counted.unanswered] == [("not helpful", "Mag ik werken met een W-document?")]


def test_an_answer_given_through_a_check_counts_under_its_topic_slot_not_the_checks_intent():
    """The check's outcome action answers a topic (it sets `last_topic`) for a message whose
    intent is the check's: the feedback and the "not helpful" question belong to that topic."""
    counting = Counting(TOPICS)
    events = conversation("eve", DAY_ONE, intent="check_work_permission", text="Mag ik werken? Mijn nummer is [phone]")
    events += [
        {"conversation_id": "eve", "timestamp": DAY_ONE + 3, "event": "slot", "name": "last_topic",
         "value": "ask_asylum_work"},
        {"conversation_id": "eve", "timestamp": DAY_ONE + 4, "event": "user", "intent": "feedback_not_helpful"},
    ]
    counted = counting.count(events)
    assert counted.increments[(Cell("2033-05-18", "nl", ALL, "ask_asylum_work"), "not_helpful")] == 1
    assert [(q.reason, q.text) for q in counted.unanswered] == [("not helpful", "Mag ik werken? Mijn nummer is [phone]")]
    topic_slot = broker_record({"event": "slot", "sender_id": "s", "timestamp": 1.0, "name": "last_topic",
                                "value": "ask_asylum_work"})
    assert topic_slot == {"conversation_id": "s", "timestamp": 1.0, "event": "slot", "name": "last_topic",
                          "value": "ask_asylum_work"}


def test_cells_with_fewer_than_five_conversations_show_less_than_five():
    cells = {
        Cell("2033-05-18", "nl", ALL, ALL): {"conversations": 5, "messages": 12, "crisis_answers": 1},
        Cell("2033-05-18", "ti", ALL, ALL): {"conversations": 4, "messages": 9, "crisis_answers": 1},
    }
    rows = {row["language"]: row for row in stats(cells, [])["by_language"]}
    assert rows["nl"]["conversations"] == 5 and rows["nl"]["messages"] == 12 and rows["nl"]["handoffs"] == 0
    assert set(rows["ti"].values()) == {"2033-05-18", "ti", SMALL}


def test_similar_unanswered_questions_are_grouped_the_largest_group_first():
    questions = [StoredQuestion("d", "nl", "fallback", text) for text in (
        "hoe krijg ik een fiets", "waar koop ik een treinkaartje", "hoe krijg ik een fiets?",
        "Hoe krijg ik een fiets van het azc", "waar koop ik een trein kaartje",
    )] + [StoredQuestion("d", "en", "fallback", "how do I get a bike")]
    groups = group_questions(questions)
    assert [(g.language, g.count) for g in groups] == [("nl", 3), ("nl", 2), ("en", 1)]
    assert groups[0].as_json()["examples"][0] == "hoe krijg ik een fiets"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def database(request, tmp_path):
    """SQLite by default; tests marked BOTH_DATABASES also run on a throwaway PostgreSQL database."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield database_url(None, tmp_path)
        return
    name = await throwaway_postgres()
    try:
        yield database_url(f"postgresql://postgres@127.0.0.1:5432/{name}", tmp_path)
    finally:
        await drop_postgres(name)


BOTH_DATABASES = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
async def client(aiohttp_client, tmp_path, clock, database):
    app = web.Application()
    settings = Settings(data_dir=tmp_path)
    config = config_for(database, "http://127.0.0.1:9", retention_days=7)
    helpdesk.setup(app, settings, config, clock=clock)
    analytics.setup(app, settings, config, clock=clock)
    return await aiohttp_client(app)


async def send(client, events: List[Dict[str, Any]]) -> None:
    reply = await client.post("/internal/analytics/events", json={"events": events}, headers=service_headers())
    assert reply.status == 200, await reply.text()


@BOTH_DATABASES
async def test_stats_count_per_language_and_hide_who_and_what(client):
    senders = [f"sender-{n}-0612345678" for n in range(7)]
    said = []
    for number, sender in enumerate(senders):
        language = "nl" if number < 5 else "ar"
        text = f"mijn BSN is 628194821 en bel 06-1234567{number}"
        said.append(text)
        await send(client, conversation(sender, DAY_ONE + number, language, "nlu_fallback", text))
    reply = await client.get("/api/stats", headers=agent_headers())
    assert reply.status == 200
    body = await reply.json()
    languages = {row["language"]: row for row in body["by_language"]}
    assert languages["nl"]["conversations"] == 5 and languages["nl"]["fallbacks"] == 5
    assert languages["ar"]["conversations"] == SMALL
    raw = json.dumps(body, ensure_ascii=False)
    for sender in senders:
        assert sender not in raw
    for text in said:
        assert text not in raw
    assert "628194821" not in raw and "0612345678" not in raw.replace(" ", "").replace("-", "")
    [group, *_] = body["unanswered"]
    assert group["count"] == 5 and group["language"] == "nl"
    assert group["examples"][0].startswith("mijn BSN is [BSN] en bel [phone]")


async def test_the_csv_export_has_one_row_per_cell(client):
    for number in range(6):
        await send(client, conversation(f"c{number}", DAY_ONE + number, "tr", "ask_taxes"))
    reply = await client.get("/api/stats.csv", headers=agent_headers())
    assert reply.status == 200 and reply.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await reply.text())))
    assert rows == [{"day": "2033-05-18", "language": "tr", "channel": "rest", "topic": "ask_taxes",
                     "conversations": "6", "messages": "6", "answers": "6", "fallbacks": "0", "handoffs": "0",
                     "checks_completed": "0", "crisis_answers": "0", "helpful": "0", "not_helpful": "0"}]


def test_the_csv_never_holds_a_spreadsheet_formula():
    cell = Cell("2033-05-18", "=HYPERLINK(1)", "rest", "general")
    report = stats({cell: {"conversations": 5}}, [])
    [_, row] = list(csv.reader(io.StringIO(cells_csv(report))))
    assert row[1] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("path", ["/api/stats", "/api/stats.csv"])
async def test_stats_need_the_agent_token(client, path):
    assert (await client.get(path)).status == 401
    assert (await client.get(path, headers=service_headers())).status == 401


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"events": 3}', b'{"events": [1]}'])
async def test_bad_event_batches_are_400_and_need_the_service_token(client, body):
    assert (await client.post("/internal/analytics/events", data=body, headers=service_headers())).status == 400
    assert (await client.post("/internal/analytics/events", json={"events": []}, headers=agent_headers())).status == 401


async def test_odd_events_are_skipped_not_a_500(client):
    await send(client, [{}, {"event": "user"}, {"conversation_id": "x", "timestamp": "yesterday"},
                        {"conversation_id": "x", "timestamp": 1e300, "event": "user"},
                        {"conversation_id": "x", "timestamp": DAY_ONE, "event": "user", "intent": ["odd"]}])
    body = await (await client.get("/api/stats", headers=agent_headers())).json()
    assert body["days"][0]["messages"] == SMALL


@BOTH_DATABASES
async def test_unanswered_questions_are_deleted_after_the_retention_period_but_counts_stay(client, clock):
    await send(client, conversation("old", DAY_ONE, intent="nlu_fallback", text="iets onbekends"))
    app = client.server.app
    clock.now += 8 * 86400
    assert await app[analytics.ANALYTICS].purge() == 1
    body = await (await client.get("/api/stats", headers=agent_headers())).json()
    assert body["unanswered"] == [] and body["days"][0]["fallbacks"] == SMALL
