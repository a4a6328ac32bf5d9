"""The redacting tracker store, the retention job, and privacy in the assistant's texts."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest
import yaml
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.content.translations import Translations
from bot.privacy.retention import SECONDS_PER_DAY, RetentionJob, purge
from bot.privacy.settings import PrivacySettings, inner_store_config, tracker_store_config
from bot.stores.sql_store import SQLStore
from bot.stores.tracker_store import RedactingTrackerStore

DOMAIN = Domain.from_dict({"slots": {"language": {"type": "text", "mappings": [{"type": "custom"}]}}})
PERSONAL = ["628194821", "06-12345678", "ahmad.k@gmail.com", "NL58ASNB1345117742", "2345678901"]


def sql_store(path: Path) -> SQLTrackerStore:
    return SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))


@pytest.fixture(params=["Rasa's SQL store", "bot.stores.sql_store"])
def any_sql_store(request):
    """Rasa's store, and ours (which only gets the new events, redacted) as the endpoints make it."""
    return sql_store if request.param == "Rasa's SQL store" else (lambda path: SQLStore(DOMAIN, dialect="sqlite", db=str(path)))


def stored_rows(path: Path) -> List[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT data FROM events")]


def conversation(sender: str, text: str, at: float = None) -> DialogueStateTracker:
    at = time.time() if at is None else at
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(SessionStarted(timestamp=at))
    tracker.update(ActionExecuted("action_listen", timestamp=at))
    tracker.update(
        UserUttered(
            text,
            {"name": "greet", "confidence": 0.9},
            [{"entity": "language", "value": "nl", "extractor": "LanguageDetector"}],
            parse_data={"text": text, "intent": {"name": "greet", "confidence": 0.9}},
            metadata={"note": text},
            timestamp=at,
        )
    )
    tracker.update(SlotSet("language", "nl", timestamp=at))
    tracker.update(SlotSet("free_text", f"bel {PERSONAL[1]}", timestamp=at))
    tracker.update(BotUttered("Bel de helpdesk: 070-315 21 11", timestamp=at))
    return tracker


def redacting_store(path: Path, **privacy) -> RedactingTrackerStore:
    return RedactingTrackerStore(DOMAIN, inner=sql_store(path), **privacy)


async def test_personal_data_never_reaches_the_store(tmp_path, any_sql_store):
    store = RedactingTrackerStore(DOMAIN, inner=any_sql_store(tmp_path / "c.db"), keep_originals_minutes=60)
    text = "Mijn BSN is {} en tel {}, mail {}, IBAN {}, V-nummer {}".format(*PERSONAL)
    await store.save(conversation("user-1", text))
    later = await store.retrieve("user-1")  # later turns: only the new events are added
    later.update(UserUttered(f"nog een nummer: {PERSONAL[1]}", {"name": "inform", "confidence": 0.9}))
    later.update(SlotSet("free_text", PERSONAL[2]))
    await store.save(later)
    assert (await store.retrieve("user-1")).latest_message.text == f"nog een nummer: {PERSONAL[1]}"  # in memory
    rows = "\n".join(stored_rows(tmp_path / "c.db"))
    assert len(stored_rows(tmp_path / "c.db")) == len(later.events)
    for item in PERSONAL:
        assert item not in rows
    assert "[BSN]" in rows and "[phone]" in rows and "[IBAN]" in rows
    assert "070-315 21 11" in rows, "the assistant's own message is kept as it is"
    kept = await redacting_store(tmp_path / "c.db").retrieve("user-1")  # as after a restart
    assert kept.get_slot("language") == "nl"
    said = [event.text for event in kept.events if isinstance(event, UserUttered)]
    assert said[0].startswith("Mijn BSN is [BSN]") and said[1] == "nog een nummer: [phone]"


async def test_the_running_server_remembers_what_was_typed_for_a_while_in_memory_only(tmp_path):
    store = redacting_store(tmp_path / "c.db", keep_originals_minutes=60)
    clock = {"now": 0.0}
    store.originals.clock = lambda: clock["now"]
    await store.save(conversation("user-3", f"mijn BSN is {PERSONAL[0]}"))
    assert PERSONAL[0] not in "\n".join(stored_rows(tmp_path / "c.db"))
    assert (await store.retrieve("user-3")).latest_message.text == f"mijn BSN is {PERSONAL[0]}"

    restarted = redacting_store(tmp_path / "c.db")
    assert (await restarted.retrieve("user-3")).latest_message.text == "mijn BSN is [BSN]"
    clock["now"] += 61 * 60
    assert (await store.retrieve("user-3")).latest_message.text == "mijn BSN is [BSN]"
    never = redacting_store(tmp_path / "d.db", keep_originals_minutes=0)
    await never.save(conversation("user-4", f"mijn BSN is {PERSONAL[0]}"))
    assert (await never.retrieve("user-4")).latest_message.text == "mijn BSN is [BSN]"


async def test_a_conversation_without_personal_data_is_kept_unchanged(tmp_path):
    store = redacting_store(tmp_path / "c.db")
    tracker = conversation("user-2", "Mag ik werken?")
    tracker.update(SlotSet("free_text", "ok"))
    await store.save(tracker)
    tracker.update(UserUttered("en nu?", {"name": "affirm", "confidence": 0.8}))
    await store.save(tracker)
    kept = await store.retrieve("user-2")
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == ["Mag ik werken?", "en nu?"]


class RecordingBroker(EventBroker):
    def __init__(self) -> None:
        self.published: List[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


async def test_the_event_broker_gets_every_new_event_once_without_reading_the_store_back(tmp_path, monkeypatch):
    broker = RecordingBroker()
    store = RedactingTrackerStore(DOMAIN, inner=sql_store(tmp_path / "c.db"), event_broker=broker)
    await store.save(conversation("user-5", "hallo"))  # a tracker the store has not given out
    tracker = await store.retrieve("user-5")
    reads = []
    original_retrieve = store.inner.retrieve
    monkeypatch.setattr(store.inner, "retrieve", lambda key: reads.append(key) or original_retrieve(key))
    for turn in range(3):
        tracker.update(UserUttered(f"vraag {turn}", {"name": "ask", "confidence": 0.9}))
        tracker.update(BotUttered(f"antwoord {turn}"))
        await store.save(tracker)
    assert reads == [], "the new events are known without reading the conversation back"
    texts = [event.get("text") for event in broker.published]
    assert texts == [None, None, "hallo", None, None, "Bel de helpdesk: 070-315 21 11"] + [
        text for turn in range(3) for text in (f"vraag {turn}", f"antwoord {turn}")
    ]
    assert all(event["sender_id"] == "user-5" for event in broker.published)
    assert len(stored_rows(tmp_path / "c.db")) == 12


async def test_the_helpdesk_broker_gets_only_conversations_handed_to_a_person(tmp_path, monkeypatch):
    from rasa.shared.core.events import ConversationPaused

    from bot.helpdesk.broker import HelpdeskEventBroker

    broker = HelpdeskEventBroker("http://127.0.0.1:9", "token", analytics=False)
    posted = []
    monkeypatch.setattr(broker, "publish", posted.append)
    store = RedactingTrackerStore(DOMAIN, inner=sql_store(tmp_path / "c.db"), event_broker=broker)
    await store.save(conversation("plain", "hallo"))
    assert posted == []
    handed_over = conversation("handed-over", "ik wil een mens")
    handed_over.update(ConversationPaused())
    await store.save(handed_over)
    handed_over.update(UserUttered("zijn jullie er nog?", {"name": "ask", "confidence": 0.9}))
    await store.save(handed_over)
    assert [e["text"] for e in posted if e["event"] == "user"] == ["ik wil een mens", "zijn jullie er nog?"]


async def test_odd_sender_ids_do_not_break_the_store(tmp_path):
    store = redacting_store(tmp_path / "c.db")
    for sender in ("\ud800", "a\x00b", "👍" * 64):
        await store.save(conversation(sender, "hallo"))
        assert (await store.retrieve(sender)).get_slot("language") == "nl"


def test_the_endpoints_files_wrap_their_store_in_the_redacting_store(project):
    for path in sorted(project.glob("endpoints*.yml")):
        config = tracker_store_config(path)
        assert config["type"] == "bot.stores.tracker_store.RedactingTrackerStore", path.name
        assert inner_store_config(config)["type"], path.name


def test_the_privacy_notice_says_the_configured_retention_period(project):
    days = {PrivacySettings.from_endpoints(path).retention_days for path in project.glob("endpoints*.yml")}
    assert len(days) == 1, "every deployment keeps conversations equally long, as the notice says"
    retention = int(days.pop())
    for code, language in Translations.load(project / "translations").languages.items():
        notice = language.responses["utter_privacy_notice"].text
        assert re.search(rf"(?<!\d){retention}(?!\d)", notice), (code, notice)


# Sentences that ask the user for something: a question, or a request such as "type your ...".
ASKS = re.compile(
    r"\?\s*$|^\s*(please\s+)?(give|send|type|enter|tell|share|write|fill|geef|stuur|typ|vul|noem|deel|schrijf)\b",
    re.IGNORECASE,
)
PERSONAL_WORDS = {
    "en": r"\b(name|bsn|v-number|document number|passport|phone number|e-mail|email|address|date of birth|iban|bank account)\b",
    "nl": r"\b(naam|bsn|v-nummer|documentnummer|paspoort|telefoonnummer|e-mail|adres|geboortedatum|iban|rekeningnummer)\b",
}
NEGATION = re.compile(r"\b(not|no|never|niet|geen|nooit)\b", re.IGNORECASE)


def test_no_text_asks_for_a_name_or_document_number(project):
    """Checked in the source languages (nl, en); every other language translates these keys."""
    translations = Translations.load(project / "translations")
    for code, pattern in PERSONAL_WORDS.items():
        for key, text in translations.languages[code].responses.items():
            for sentence in re.split(r"(?<=[.?!:])\s+", text.text):
                if ASKS.search(sentence) and not NEGATION.search(sentence):
                    assert not re.search(pattern, sentence, re.IGNORECASE), (code, key, sentence)
    asked = set()
    for path in (project / "domain").glob("*.yml"):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        asked |= set(part.get("slots") or {})
        for form in (part.get("forms") or {}).values():
            asked |= set((form or {}).get("required_slots") or [])
    personal = re.compile(r"name|naam|bsn|v_?number|passport|document|phone|email|iban|address|birth")
    assert not [slot for slot in asked if personal.search(slot)], "no slot or form keeps personal data"


async def test_old_conversations_are_deleted_and_recent_ones_kept(tmp_path):
    now = time.time()
    store = sql_store(tmp_path / "c.db")
    await store.save(conversation("old", "hallo", at=now - 40 * SECONDS_PER_DAY))
    await store.save(conversation("recent", "hallo", at=now - 10 * SECONDS_PER_DAY))
    busy = conversation("old-but-busy", "hallo", at=now - 60 * SECONDS_PER_DAY)
    busy.update(UserUttered("nog een vraag", timestamp=now - 1 * SECONDS_PER_DAY))
    await store.save(busy)

    result = purge(store, retention_days=30, clock=lambda: now)

    assert result.conversations == 1 and result.events == 6
    assert await store.retrieve("old") is None
    assert await store.retrieve("recent") is not None and await store.retrieve("old-but-busy") is not None
    later = purge(store, retention_days=30, clock=lambda: now + 25 * SECONDS_PER_DAY)
    assert later.conversations == 1 and await store.retrieve("recent") is None


async def test_in_memory_store_is_purged_too():
    now = time.time()
    store = InMemoryTrackerStore(DOMAIN)
    await store.save(conversation("old", "hallo", at=now - 31 * SECONDS_PER_DAY))
    await store.save(conversation("new", "hallo", at=now))
    assert purge(store, 30, clock=lambda: now).conversations == 1
    assert list(await store.keys()) == ["new"]


async def test_the_server_purges_when_it_starts_and_then_periodically(tmp_path):
    from bot.runtime.safeguards import start_retention

    now = time.time()
    inner = sql_store(tmp_path / "c.db")
    await inner.save(conversation("old", "hallo", at=now - 40 * SECONDS_PER_DAY))
    store = RedactingTrackerStore(DOMAIN, inner=inner, retention_days=30)
    assert await store.retrieve("old") is not None, "creating the store deletes nothing"
    started = start_retention(store)  # what the server process does once its store is made
    assert await store.retrieve("old") is None, "purged when the server starts"
    started.task.cancel()

    clock = {"now": now}
    waits: List[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) > 2:
            raise asyncio.CancelledError
        clock["now"] += 20 * SECONDS_PER_DAY

    await inner.save(conversation("recent", "hallo", at=now))
    job = RetentionJob(inner, 30, every_minutes=60, clock=lambda: clock["now"], sleep=fake_sleep)
    with pytest.raises(asyncio.CancelledError):
        await job.run_forever()
    assert waits == [3600.0] * 3
    assert await inner.retrieve("recent") is None, "deleted on the second run, 40 days later"


def test_purge_command_deletes_old_conversations(tmp_path, project):
    database = tmp_path / "conversations.db"
    store = sql_store(database)
    now = time.time()
    asyncio.run(store.save(conversation("old", "hallo", at=now - 40 * SECONDS_PER_DAY)))
    asyncio.run(store.save(conversation("new", "hallo", at=now)))
    env = {"BOT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "purge"], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Deleted 1 conversations (6 events) older than 30 days." in done.stdout
    future = subprocess.run(
        [sys.executable, "-m", "bot", "purge", "--days", "7", "--now", "2100-01-01T00:00:00"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )
    assert "Deleted 1 conversations" in future.stdout, future.stderr
    assert stored_rows(database) == []
    assert json.dumps([])  # nothing left to show


async def test_the_workers_of_one_server_share_what_was_typed_and_a_restart_forgets_it(tmp_path, monkeypatch):
    """Two Sanic workers (two stores on one file in shared memory) each see what the other
    remembered; a store of another start of the server, or without the file, does not."""
    from bot.runtime import rasa_server
    from bot.stores import shared_state
    from bot.stores.shared_state import SERVER_VARIABLE, shared_file
    from bot.stores.tracker_store import RecentOriginals

    shared = tmp_path / "shm"
    shared.mkdir()
    dead = shared / "werkwijzer-originals-999999999-abcd.db"
    dead.write_text("left by a server that was killed")
    monkeypatch.delenv(SERVER_VARIABLE, raising=False)
    server_id = rasa_server.share_state_between_workers(shared)
    assert not dead.exists() and os.environ[SERVER_VARIABLE] == server_id
    assert server_id.startswith(f"{os.getpid()}-")
    path = shared_file("originals", server_id, shared)

    first, second = (RedactingTrackerStore(DOMAIN, inner=sql_store(tmp_path / "c.db"), keep_originals_minutes=60) for _ in range(2))
    for store in (first, second):
        store.originals = RecentOriginals(60, path=path)
    await first.save(conversation("user-7", f"bel me op {PERSONAL[1]}"))
    assert (await second.retrieve("user-7")).latest_message.text == f"bel me op {PERSONAL[1]}"
    assert PERSONAL[1] not in "\n".join(stored_rows(tmp_path / "c.db"))
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    monkeypatch.delenv(SERVER_VARIABLE)  # a store outside such a server keeps its own
    alone = RedactingTrackerStore(DOMAIN, inner=sql_store(tmp_path / "c.db"), keep_originals_minutes=60)
    assert alone.originals.path is None
    assert (await alone.retrieve("user-7")).latest_message.text == "bel me op [phone]"
    later = RecentOriginals(60, path=shared_file("originals", "12345-beef", shared))
    assert later.restore("user-7", await alone.retrieve("user-7")).latest_message.text == "bel me op [phone]"
    assert shared_file("originals", "12345-beef", tmp_path / "no-such-folder") is None
    shared_state.remove_files_of(server_id, shared)  # as the server does when it stops
    assert not list(shared.glob(f"*{server_id}*"))
