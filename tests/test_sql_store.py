"""`bot.stores.sql_store.SQLStore` keeps conversations exactly as Rasa's SQL store does, with fewer queries."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import List

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stores.sql_store import SQLStore

DOMAIN = Domain.from_dict({"slots": {"language": {"type": "text", "mappings": [{"type": "custom"}]}}})


def rows(path: Path) -> List[tuple]:
    with sqlite3.connect(path) as connection:
        return list(connection.execute("SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"))


def turn(tracker: DialogueStateTracker, text: str, at: float) -> None:
    tracker.update(UserUttered(text, {"name": "ask", "confidence": 0.9}, parse_data={"intent": {"name": "ask"}}, timestamp=at))
    tracker.update(ActionExecuted("utter_answer", timestamp=at + 0.1))
    tracker.update(BotUttered(f"antwoord op {text}", timestamp=at + 0.2))
    tracker.update(ActionExecuted("action_listen", timestamp=at + 0.3))


async def talk(store, sender: str, start: float) -> None:
    """Two sessions of a conversation, saved after every turn as Rasa's processor does."""
    tracker = await store.retrieve(sender)
    assert tracker is None
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen", timestamp=start))
    await store.save(tracker)
    for number, at in enumerate([start + 1, start + 2, start + 3600, start + 3601]):
        tracker = await store.retrieve(sender)
        if number == 2:  # a new session: Rasa adds it to the tracker of the old one
            tracker.update(ActionExecuted("action_session_start", timestamp=at - 0.5))
            tracker.update(SessionStarted(timestamp=at - 0.4))
            tracker.update(SlotSet("language", "nl", timestamp=at - 0.3))
            tracker.update(ActionExecuted("action_listen", timestamp=at - 0.2))
        turn(tracker, f"vraag {number}", at)
        await store.save(tracker)


async def test_the_same_rows_and_trackers_as_rasas_sql_store(tmp_path):
    start = time.time() - 7200
    ours, rasas = SQLStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db")), SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    for store in (ours, rasas):
        await talk(store, "user-1", start)
        await talk(store, "user-2", start + 10)
    assert rows(tmp_path / "ours.db") == rows(tmp_path / "rasa.db")
    assert len(rows(tmp_path / "ours.db")) == 2 * (1 + 4 * 4 + 4)

    # each store reads what the other wrote, the latest session and all sessions
    readers = [SQLStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db")), SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"))]
    for reader, writer in zip(readers, (rasas, ours)):
        for sender in ("user-1", "user-2"):
            mine, theirs = await reader.retrieve(sender), await writer.retrieve(sender)
            assert mine.current_state() == theirs.current_state()
            assert [e.as_dict() for e in mine.events] == [e.as_dict() for e in theirs.events]
            assert len(mine.events) == 3 + 4 + 4  # from the latest SessionStarted on
            full_mine, full_theirs = await reader.retrieve_full_tracker(sender), await writer.retrieve_full_tracker(sender)
            assert [e.as_dict() for e in full_mine.events] == [e.as_dict() for e in full_theirs.events]
    assert await ours.retrieve("nobody") is None


async def test_a_tracker_the_store_did_not_give_out_is_counted_so_nothing_is_stored_twice(tmp_path):
    store = SQLStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    await talk(store, "user-1", time.time() - 100)
    before = len(rows(tmp_path / "c.db"))
    rebuilt = DialogueStateTracker.from_events("user-1", list((await store.retrieve("user-1")).events), DOMAIN.slots)
    turn(rebuilt, "nog een vraag", time.time())
    await store.save(rebuilt)
    assert len(rows(tmp_path / "c.db")) == before + 4


async def test_saving_a_conversation_reads_nothing_and_writes_once(tmp_path):
    store = SQLStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    await talk(store, "user-1", time.time() - 100)
    statements: List[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    tracker = await store.retrieve("user-1")
    turn(tracker, "en nu?", time.time())
    await store.save(tracker)
    assert [s.split()[0] for s in statements] == ["SELECT", "INSERT"], statements
