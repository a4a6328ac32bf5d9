"""A Redis lock store that is safe with several Rasa processes.

Rasa 3.6's `RedisLockStore` changes a conversation's ticket lock by reading it, changing it in
Python and writing it back. Two Rasa processes (or Sanic workers) receiving messages of the same
conversation at the same moment can both read "no lock", both take ticket 0 and both handle their
message: one of the two messages is then lost from the conversation (RasaHQ/rasa#9213; the
concurrent lock store that fixed this was moved out of Rasa Open Source). `tests/test_scale_out.py`
shows it. This store does the same ticket-lock algorithm, but every change of a lock is one Redis
transaction (WATCH/MULTI/EXEC, retried when another process changed the lock in between).

Use it in an endpoints file: `lock_store: {type: bot.lock_store.AtomicRedisLockStore, url: ...,
port: ..., db: ..., key_prefix: ...}` (the same settings as Rasa's `redis` lock store).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.core.lock import TicketLock
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")
# A change of a lock: takes the stored lock (None if there is none) and returns the lock to store
# (None to delete it) and a result for the caller.
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis ticket lock, with every read-change-write of a lock done atomically."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        """Takes the endpoints file's `lock_store` section (as Rasa passes it) or keywords."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

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

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issues the next ticket of the conversation's lock, creating the lock if needed."""

        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as problem:  # Rasa expects a LockError, as its own store raises
            raise LockError(f"Error while acquiring lock. Error:\n{problem}") from problem

    def update_lock(self, conversation_id: Text) -> None:
        """Removes expired tickets from the conversation's lock, if it has one."""

        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
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
