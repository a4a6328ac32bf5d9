"""Conversation locks that are safe with several Rasa processes: in Redis, or in a SQLite file.

Rasa 3.6's `RedisLockStore` changes a conversation's ticket lock by reading it, changing it in
Python and writing it back. Two Rasa processes (or Sanic workers) receiving messages of the same
conversation at the same moment can both read "no lock", both take ticket 0 and both handle their
message: one of the two messages is then lost from the conversation (RasaHQ/rasa#9213; the
concurrent lock store that fixed this was moved out of Rasa Open Source). `tests/test_scale_out.py`
shows it. This store does the same ticket-lock algorithm, but every change of a lock is one Redis
transaction (WATCH/MULTI/EXEC, retried when another process changed the lock in between).

Use it in an endpoints file: `lock_store: {type: bot.stores.lock_store.AtomicRedisLockStore, url: ...,
port: ..., db: ..., key_prefix: ...}` (the same settings as Rasa's `redis` lock store).

`SQLiteLockStore` (`lock_store: {type: bot.stores.lock_store.SQLiteLockStore, db: var/locks.db}`) keeps
the same locks in a SQLite file, each change in one `BEGIN IMMEDIATE` transaction: for several
Sanic workers of one Rasa server on one machine (the default of `python -m bot run`), without
Redis. The file holds only ticket numbers and times and the process id that holds each ticket,
nothing of the conversations. A ticket of a process that was killed while it served (`kill -9`, a
crash, the machine's OOM killer) is dropped by the next message of that conversation within a
second, instead of blocking the conversation for the ticket's lifetime (60 s).
"""

from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.stores.shared_state import ProcessConnection, process_is_running
from bot.stores.tracker_store import storage_key

Result = TypeVar("Result")
# A change of a lock: takes the stored lock (None if there is none) and returns the lock to store
# (None to delete it) and a result for the caller.
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]


class AtomicTicketLocks(LockStore):
    """Rasa's ticket lock, with every read-change-write of a lock done by `_change` in one
    atomic step of the storage (a subclass gives `_change`, `get_lock`, `save_lock`, `delete_lock`)."""

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncIterator[TicketLock]:
        """Rasa's `lock`, for the conversation id as the tracker store keeps it: an id that
        Redis or SQLite cannot encode (an unpaired surrogate in a platform's sender id) would
        otherwise fail every message of that conversation."""
        async with super().lock(storage_key(conversation_id), lock_lifetime, wait_time_in_seconds) as ticket_lock:
            yield ticket_lock

    def _change(self, conversation_id: Text, change: Change) -> Result:
        raise NotImplementedError

    def _issued(self, conversation_id: Text, ticket_number: int) -> None:
        """Called within the change that issued a ticket to this process."""

    def _tickets_of_stopped_processes(self, conversation_id: Text) -> Iterable[int]:
        """The conversation's tickets held by processes known to have stopped (called within a
        change): none that this store can know of."""
        return ()

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issues the next ticket of the conversation's lock, creating the lock if needed."""

        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            number = lock.issue_ticket(lock_lifetime)
            self._issued(conversation_id, number)
            return lock, number

        try:
            return self._change(conversation_id, issue)
        except Exception as problem:  # Rasa expects a LockError, as its own store raises
            raise LockError(f"Error while acquiring lock. Error:\n{problem}") from problem

    def update_lock(self, conversation_id: Text) -> None:
        """Removes expired tickets, and those of stopped processes, from the conversation's lock
        (Rasa calls this while a message waits for the lock)."""

        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
                for number in self._tickets_of_stopped_processes(conversation_id):
                    lock.remove_ticket_for(number)
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes a served ticket; deletes the lock when nobody else is waiting."""

        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Finishes a ticket; unlike Rasa's store, in one step (no gap for a new ticket)."""
        self.finish_serving(conversation_id, ticket_number)


class AtomicRedisLockStore(AtomicTicketLocks, RedisLockStore):
    """Rasa's Redis ticket lock, with every read-change-write of a lock done atomically."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        """Takes the endpoints file's `lock_store` section (as Rasa passes it) or keywords."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        RedisLockStore.__init__(self, **kwargs)

    def _change(self, conversation_id: Text, change: Change) -> Result:
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> Result:
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else None
            changed, result = change(lock)
            pipe.multi()
            if changed is None:
                pipe.delete(key)
            else:
                pipe.set(key, changed.dumps())
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)


LOCKS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS locks (conversation_id TEXT PRIMARY KEY, lock TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ticket_holders (conversation_id TEXT NOT NULL, ticket INTEGER NOT NULL, "
    "pid INTEGER NOT NULL, PRIMARY KEY (conversation_id, ticket))",
)


class SQLiteLockStore(AtomicTicketLocks):
    """The ticket locks in a SQLite file that every worker process of the machine opens.

    One connection per process (opened on first use, so a forked worker opens its own), in WAL
    mode without syncs: the locks live for seconds, and a lock lost in a power cut only expires.
    `ticket_holders` names the process of each ticket, so that a killed process's ticket can go.
    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, db: Text = "var/locks.db", **kwargs: Any) -> None:
        """Takes the endpoints file's `lock_store` section (`db`: the file) or keywords."""
        if endpoint_config is not None:
            db = endpoint_config.kwargs.get("db", db)
        self.path = Path(db)
        self._database = ProcessConnection(self.path, LOCKS_SCHEMA).get
        super().__init__()

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        row = self._database().execute("SELECT lock FROM locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    def save_lock(self, lock: TicketLock) -> None:
        database = self._database()
        database.execute("INSERT OR REPLACE INTO locks VALUES (?, ?)", (lock.conversation_id, lock.dumps()))
        numbers = [ticket.number for ticket in lock.tickets]
        database.execute(
            f"DELETE FROM ticket_holders WHERE conversation_id = ? AND ticket NOT IN ({', '.join('?' * len(numbers))})",
            (lock.conversation_id, *numbers),
        )

    def delete_lock(self, conversation_id: Text) -> None:
        database = self._database()
        database.execute("DELETE FROM locks WHERE conversation_id = ?", (conversation_id,))
        database.execute("DELETE FROM ticket_holders WHERE conversation_id = ?", (conversation_id,))

    def _issued(self, conversation_id: Text, ticket_number: int) -> None:
        self._database().execute(
            "INSERT OR REPLACE INTO ticket_holders VALUES (?, ?, ?)", (conversation_id, ticket_number, os.getpid())
        )

    def _tickets_of_stopped_processes(self, conversation_id: Text) -> Iterable[int]:
        holders = self._database().execute(
            "SELECT ticket, pid FROM ticket_holders WHERE conversation_id = ?", (conversation_id,)
        ).fetchall()
        return [ticket for ticket, pid in holders if not process_is_running(pid)]

    def _change(self, conversation_id: Text, change: Change) -> Result:
        database = self._database()
        database.execute("BEGIN IMMEDIATE")  # the file's write lock: no other process changes a lock meanwhile
        try:
            changed, result = change(self.get_lock(conversation_id))
            if changed is None:
                self.delete_lock(conversation_id)
            else:
                self.save_lock(changed)
            database.execute("COMMIT")
        except BaseException:
            database.execute("ROLLBACK")
            raise
        return result
