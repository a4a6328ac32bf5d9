"""The SQLite conversation locks when the process holding one is killed while it serves.

A real second process takes a conversation's ticket, as a Rasa worker does when a message comes
in, and is killed with SIGKILL (it cannot clean up). The next message of that conversation must
get the lock at once instead of waiting for the dead ticket's lifetime; a ticket of a process that
still runs must keep its conversation locked.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from bot.stores.lock_store import SQLiteLockStore
from bot.stores.shared_state import process_is_running
from bot.stores.tracker_store import storage_key
from tests.conftest import PROJECT

LIFETIME = 600.0  # far beyond every deadline here: only dropping the ticket can free the lock
HOLD = """
import sys, time
from bot.stores.lock_store import SQLiteLockStore
store = SQLiteLockStore(db=sys.argv[1])
print(store.issue_ticket("conversation-1", float(sys.argv[2])), flush=True)
time.sleep(3600)
"""


@pytest.fixture
def holder(tmp_path) -> Iterator[subprocess.Popen]:
    """A process that took ticket 0 of conversation-1 and keeps running until killed."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "locks.db"), str(LIFETIME)],
        cwd=PROJECT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    try:
        assert process.stdout.readline().strip() == "0"
        yield process
    finally:
        process.kill()
        process.wait()


async def acquire(store: SQLiteLockStore, deadline: float) -> bool:
    """Whether this process gets conversation-1's lock before `deadline` seconds pass."""

    async def take() -> None:
        async with store.lock("conversation-1", lock_lifetime=LIFETIME, wait_time_in_seconds=0.05):
            pass

    try:
        await asyncio.wait_for(take(), deadline)
    except asyncio.TimeoutError:
        return False
    return True


def test_a_ticket_of_a_killed_process_does_not_block_the_conversation(tmp_path: Path, holder):
    holder.send_signal(signal.SIGKILL)
    while process_is_running(holder.pid):  # killed, not yet reaped (a zombie) counts as stopped
        time.sleep(0.01)
    store = SQLiteLockStore(db=str(tmp_path / "locks.db"))
    assert asyncio.run(acquire(store, deadline=30)), "the dead process's ticket still holds the lock"
    assert store.get_lock("conversation-1") is None, "the lock is gone once served"
    assert not store._database().execute("SELECT * FROM ticket_holders").fetchall()


def test_a_ticket_of_a_running_process_keeps_the_conversation_locked(tmp_path: Path, holder):
    store = SQLiteLockStore(db=str(tmp_path / "locks.db"))
    assert not asyncio.run(acquire(store, deadline=1.0))
    assert process_is_running(holder.pid)
    assert [ticket.number for ticket in store.get_lock("conversation-1").tickets] == [0], (
        "the waiting message gave its ticket back; the holder's stays"
    )


def test_a_process_is_running_until_it_is_killed(holder):
    assert process_is_running(os.getpid()) and process_is_running(holder.pid)
    holder.kill()
    holder.wait()
    assert not process_is_running(holder.pid)


@pytest.mark.parametrize("sender_id", ["\ud800", "abc\udfff", "a\x00b", "👍\ud83d"])
def test_a_sender_id_the_database_cannot_encode_still_gets_its_lock(tmp_path: Path, sender_id: str):
    """A platform's sender id with an unpaired surrogate (or NUL) is locked as the tracker store
    keeps it, not refused by SQLite: every message of such a conversation failed before."""
    store = SQLiteLockStore(db=str(tmp_path / "locks.db"))

    async def take_twice() -> None:
        for _ in range(2):
            async with store.lock(sender_id, lock_lifetime=LIFETIME, wait_time_in_seconds=0.05) as lock:
                assert lock.conversation_id == storage_key(sender_id)

    asyncio.run(asyncio.wait_for(take_twice(), 5))
    assert store._database().execute("SELECT count(*) FROM locks").fetchone()[0] == 0  # let go after use


def test_redis_locks_take_the_same_cleaned_id():
    """The Redis store (several Rasa servers) keys the lock by the same cleaned id."""
    from bot.stores.lock_store import AtomicRedisLockStore

    store = AtomicRedisLockStore(host="127.0.0.1", port=6379, db=0, key_prefix=f"test-{os.getpid()}")
    key = store.key_prefix + storage_key("x\ud800y")

    async def take() -> bool:
        async with store.lock("x\ud800y", lock_lifetime=LIFETIME, wait_time_in_seconds=0.05):
            return bool(store.red.exists(key))

    assert asyncio.run(asyncio.wait_for(take(), 5))
    assert not store.red.exists(key)
