"""Several processes serving one conversation: in scale-out mode, two Rasa server processes with
several Sanic workers each, sharing one PostgreSQL tracker store and one Redis lock store
(`endpoints.scale.yml`); in the default mode, the two Sanic workers of one Rasa server sharing the
SQLite tracker store and the SQLite lock store (`endpoints.yml`).

A user whose messages land on either process, in turn or at the same moment, must see one
conversation: every message kept once, in order, each answered before the next one is handled.
Needs the machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379); each run uses a
throwaway database and its own Redis key prefix.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import psycopg2
import pytest
import redis
import yaml

from bot.privacy.pseudonyms import pseudonym
from bot.runtime.processes import Stack, runtime_endpoints, services
from bot.runtime.settings import Settings
from bot.runtime.training import model_path, train
from bot.tools.bench.memory import children
from tests.conftest import PROJECT, Assistant, free_port
from tests.fakes import telegram as tg
from tests.fakes import whatsapp as wa
from tests.test_socketio import WidgetClient
from tests.test_whatsapp import visible_text

pytestmark = pytest.mark.server

POSTGRES = {"host": os.environ.get("BOT_POSTGRES_HOST", "127.0.0.1"), "user": "postgres"}
REDIS_HOST = os.environ.get("BOT_REDIS_HOST", "127.0.0.1")
REDIS_DB = 2  # not the default 1 of endpoints.scale.yml, so a running assistant is not touched
# Sanic workers of the first and of the second Rasa process (each worker loads the model).
WORKERS = ("2", "1")

# Realistic turns, each followed by the word the reply must contain (the language must stick
# across processes: "ok" and a button payload are too short to tell the language by themselves).
DUTCH_TURNS = [
    ("Mag ik werken als asielzoeker?", "6 maanden"),
    ("ok", ""),
    ("/ask_24_weeks", "geldt niet meer"),
    ("Hoeveel subsidie krijg ik als werkgever voor een statushouder?", "Bron:"),
    ("/ask_asylum_work", "6 maanden"),
    ("dank je wel", "Graag gedaan"),
]
ENGLISH_TURNS = [
    ("Can I work during my asylum procedure?", "6 months"),
    ("ok", ""),
    ("/ask_asylum_work", "6 months"),
    ("tell me a joke", "only know about work"),
    ("/ask_asylum_work", "6 months"),
    ("thank you", ""),
]
CONVERSATIONS = 6
SIMULTANEOUS_PAIRS = 3


@pytest.fixture
def database() -> Iterator[str]:
    """A throwaway PostgreSQL database, dropped afterwards."""
    name = f"werkwijzer_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(dbname="postgres", **POSTGRES)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of this run only; its keys are deleted afterwards."""
    prefix = f"werkwijzertest{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis(host=REDIS_HOST, db=REDIS_DB)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def two_processes(tmp_path, database, redis_prefix, fake_whatsapp, fake_telegram) -> Iterator[Tuple[Assistant, Assistant]]:
    """An action server and two Rasa servers, started exactly as `python -m bot run` would, with
    their WhatsApp and Telegram channels pointed at the local fakes."""
    model = model_path(PROJECT)
    if not model.exists():
        model = train(PROJECT)
    scale_env = {
        "BOT_POSTGRES_DB": database,
        "BOT_REDIS_DB": str(REDIS_DB),
        "BOT_REDIS_PREFIX": redis_prefix,
        **fake_whatsapp.env,
        **fake_telegram.env,
    }
    base = dataclasses.replace(
        Settings.from_env({}),
        endpoints=PROJECT / "endpoints.scale.yml",
        data_dir=tmp_path,
    )
    action_port = free_port()
    first, second = (
        dataclasses.replace(
            base.with_ports(free_port(), action_port, free_port()),
            extra_env={**scale_env, "SANIC_WORKERS": workers},
        )
        for workers in WORKERS
    )
    action_server, first_rasa, _ = services(first, model)
    second_rasa = dataclasses.replace(services(second, model)[1], name="second rasa server")
    stack = Stack([action_server, first_rasa, second_rasa], PROJECT, log_dir=tmp_path / "logs")
    stack.start(timeout=300)
    try:
        yield Assistant(first, stack), Assistant(second, stack)
    finally:
        stack.stop()


def stored_events(database: str, sender: str) -> List[Dict]:
    """The conversation as stored in PostgreSQL: its events in the order they were saved."""
    with psycopg2.connect(dbname=database, **POSTGRES) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,)
            )
            return [{"type": kind, **json.loads(data)} for kind, data in cursor.fetchall()]


def stored_in_sqlite(database: Path, sender: str) -> List[Dict]:
    """The conversation as stored in the default SQLite file, in the order it was saved."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
        return [{"type": kind, **json.loads(data)} for kind, data in rows.fetchall()]


def converse(pair: Tuple[Assistant, Assistant], sender: str, turns) -> List[List[str]]:
    """Talks one conversation: message k to process k % 2, then pairs of messages sent at the
    same moment, one to each process. Returns the messages as groups in the order the
    conversation must hold them (within a group sent at once, either order is right)."""
    for number, (message, expected) in enumerate(turns):
        served_by = pair[number % 2]
        reply = served_by.say(sender, message)
        assert reply and all(part.get("text") for part in reply), (sender, message, reply)
        assert expected in "\n".join(part["text"] for part in reply), (sender, message, reply)
    groups = [[message] for message, _ in turns]
    with ThreadPoolExecutor(2) as pool:
        for _ in range(SIMULTANEOUS_PAIRS):
            together = ["/ask_asylum_work", "ok"]
            replies = list(pool.map(lambda job: job[0].say(sender, job[1]), zip(pair, together)))
            assert all(replies), (sender, replies)
            groups.append(together)
    return groups


def talk_and_check(pair: Tuple[Assistant, Assistant], events_of: Callable[[str], List[Dict]]) -> None:
    """Six conversations at once through `pair`; then each must hold every message once, in
    order, each answered before the next was handled (the lock held across processes)."""
    jobs = {
        f"scale-{uuid.uuid4().hex[:8]}": DUTCH_TURNS if n % 2 == 0 else ENGLISH_TURNS
        for n in range(CONVERSATIONS)
    }
    with ThreadPoolExecutor(CONVERSATIONS) as pool:
        sent = dict(zip(jobs, pool.map(lambda job: converse(pair, *job), jobs.items())))

    for sender, groups in sent.items():
        events = events_of(sender)
        said = [event for event in events if event["type"] == "user"]
        texts = [event["text"] for event in said]
        # every message stored exactly once ...
        assert len({event["message_id"] for event in said}) == len(said), (sender, texts)
        assert len(said) == sum(map(len, groups)), (sender, texts)
        # ... in the order sent ...
        position = 0
        for group in groups:
            assert sorted(texts[position : position + len(group)]) == sorted(group), (sender, texts)
            position += len(group)
        # ... and each answered before the next was handled
        turns = "".join("u" if e["type"] == "user" else "b" for e in events if e["type"] in ("user", "bot"))
        assert "uu" not in turns and turns.endswith("b"), (sender, turns)


def test_a_conversation_served_by_two_processes_keeps_every_message_once_in_order(
    two_processes, database
):
    talk_and_check(two_processes, lambda sender: stored_events(database, sender))


async def test_a_delivery_repeated_to_the_other_process_is_answered_once(
    two_processes, database, fake_whatsapp, fake_telegram
):
    """A platform that is unsure its webhook arrived sends it again, and a load balancer may give
    the second delivery to another Rasa process; a widget that lost its connection reconnects to
    any process and sends its message again. Every process knows what was handled (Redis)."""
    wa_id, message_id = "3161" + str(uuid.uuid4().int)[:7], "wamid." + uuid.uuid4().hex
    body = wa.delivery(wa_id, wa.text_message(message_id, "Mag ik werken als asielzoeker?"))
    chat, update = int(str(uuid.uuid4().int)[:9]), fake_telegram.next_update_id()
    telegram_body = tg.message_update(update, chat, "Mag ik werken als asielzoeker?")
    wa_mark, tg_mark = fake_whatsapp.server.mark(), fake_telegram.server.mark()
    answered: List[Tuple[int, int]] = []
    for process in two_processes:
        status, _ = process.request(f"{process.settings.rasa_url}/webhooks/whatsapp/webhook", body, wa.signed(body))
        assert status == 200
        status, _ = process.request(
            f"{process.settings.rasa_url}/webhooks/telegram/webhook", telegram_body, tg.with_secret()
        )
        assert status == 200
        answered.append((len(fake_whatsapp.sent_to(wa_id, wa_mark)), len(fake_telegram.sent_to(chat, tg_mark))))
    assert "6 maanden" in visible_text(fake_whatsapp.sent_to(wa_id, wa_mark))
    assert "6 maanden" in "\n".join(m["text"] for m in fake_telegram.sent_to(chat, tg_mark))
    assert answered[0] == answered[1], "the second delivery, to the other process, was answered again"
    # Stored under the sender's pseudonym (bot.privacy.pseudonyms), never the phone number.
    key = pseudonym(fake_whatsapp.env["WHATSAPP_APP_SECRET"], "whatsapp", wa_id)
    assert not stored_events(database, wa_id)
    assert [e["text"] for e in stored_events(database, key) if e["type"] == "user"] == ["Mag ik werken als asielzoeker?"]

    first, second = two_processes
    message = {"message": "Mag ik werken als asielzoeker?", "message_id": "m1"}
    async with WidgetClient(first.settings.rasa_url) as widget:
        session = await widget.session()
        assert (await widget.say({**message, "session_id": session}))["status"] == "received"
        answers = list(widget.bot)
    async with WidgetClient(second.settings.rasa_url) as reconnected:
        assert await reconnected.session(session) == session
        assert (await reconnected.say({**message, "session_id": session}))["status"] == "received"
        assert reconnected.bot == answers and "6 maanden" in reconnected.texts()
    assert [e["text"] for e in stored_events(database, session) if e["type"] == "user"] == [message["message"]]


def test_the_two_workers_of_the_default_mode_keep_every_message_once_in_order(tmp_path):
    """`python -m bot run` on two cores: two Sanic workers on the default endpoints, SQLite
    conversations and SQLite locks. Each request opens a new connection, so the kernel hands
    them to either worker."""
    model = model_path(PROJECT)
    if not model.exists():
        model = train(PROJECT)
    settings = dataclasses.replace(
        Settings.from_env({}).with_ports(free_port(), free_port(), free_port()), data_dir=tmp_path
    )
    assert settings.workers == min(2, os.cpu_count() or 1)
    action_server, rasa_server, _ = services(settings, model)
    stack = Stack([action_server, rasa_server], PROJECT, log_dir=tmp_path / "logs")
    stack.start(timeout=300)
    try:
        # one worker runs in the server's own process; more are its children, each with its model
        assert len(children(rasa_server.process.pid)) == (settings.workers if settings.workers > 1 else 0)
        assistant = Assistant(settings, stack)
        status, body = assistant.request(f"{settings.rasa_url}/webhooks/rest/ready")
        # ready only once every worker serves: else all first connections go to the first one
        assert status == 200 and json.loads(body) == {"ready": True, "workers": settings.workers, "serving": settings.workers}
        talk_and_check((assistant, assistant), lambda sender: stored_in_sqlite(tmp_path / "conversations.db", sender))
    finally:
        stack.stop()
    assert (tmp_path / "locks.db").exists()
    assert not list(Path("/dev/shm").glob(f"werkwijzer-originals-{stack.services[1].process.pid}-*"))


def test_the_scale_endpoints_take_database_and_redis_settings_from_the_environment(tmp_path):
    settings = dataclasses.replace(
        Settings.from_env({}),
        endpoints=PROJECT / "endpoints.scale.yml",
        data_dir=tmp_path,
        extra_env={"BOT_POSTGRES_HOST": "db.internal", "BOT_POSTGRES_PASSWORD": "s3cret:1", "BOT_REDIS_DB": "0"},
    )
    written = yaml.safe_load(runtime_endpoints(settings).read_text(encoding="utf-8"))
    assert written["tracker_store"]["type"] == "bot.stores.tracker_store.RedactingTrackerStore"
    store, locks = written["tracker_store"]["store"], written["lock_store"]
    assert (store["dialect"], store["url"], store["port"]) == ("postgresql", "db.internal", 5432)
    assert store["password"] == "s3cret:1" and store["db"] == "werkwijzer"
    assert locks["type"] == "bot.stores.lock_store.AtomicRedisLockStore" and locks["db"] == 0
    assert locks["password"] is None and written["action_endpoint"]["url"] == settings.action_url
