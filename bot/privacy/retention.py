"""Deleting conversations older than the retention period.

A conversation is old when its latest event is older than `retention_days`; then all of its events
are deleted. Works on Rasa's SQL tracker store (SQLite and PostgreSQL, through the store's own
SQLAlchemy session and table), on the in-memory store, and on the Redis store (where Redis itself
expires a conversation `retention_days` after its last change). Run by `python -m bot purge` and,
inside the running Rasa server, every `purge_every_minutes` (started by `bot.runtime.safeguards`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional

from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)

logger = logging.getLogger(__name__)
SECONDS_PER_DAY = 86_400.0
Clock = Callable[[], float]


@dataclass(frozen=True)
class PurgeResult:
    """What one purge deleted."""

    conversations: int
    events: int

    def __str__(self) -> str:
        return f"{self.conversations} conversations ({self.events} events)"


class RetentionNotSupported(RuntimeError):
    """The tracker store has no way to delete conversations."""


def cutoff(retention_days: float, clock: Clock = time.time) -> float:
    """The timestamp before which a conversation's last event makes it old."""
    return clock() - retention_days * SECONDS_PER_DAY


def unwrap(store: TrackerStore) -> TrackerStore:
    """The store that keeps the data, behind Rasa's and our wrappers."""
    while True:
        inner = getattr(store, "inner", None) or (
            store._tracker_store if isinstance(store, AwaitableTrackerStore) else None
        )
        if inner is None:
            return store
        store = inner


def _purge_sql(store: SQLTrackerStore, before: float) -> PurgeResult:
    import sqlalchemy as sa

    event = store.SQLEvent
    with store.session_scope() as session:
        old = (
            session.query(event.sender_id)
            .group_by(event.sender_id)
            .having(sa.func.max(event.timestamp) < before)
            .subquery()
        )
        conversations = session.query(sa.func.count()).select_from(old).scalar() or 0
        events = (
            session.query(event)
            .filter(event.sender_id.in_(sa.select(old.c.sender_id)))
            .delete(synchronize_session=False)
        )
        session.commit()
    return PurgeResult(int(conversations), int(events))


def _purge_in_memory(store: InMemoryTrackerStore, before: float) -> PurgeResult:
    conversations = events = 0
    for sender_id, serialised in list(store.store.items()):
        stored = json.loads(serialised).get("events") or []
        latest = max((e.get("timestamp") or 0 for e in stored), default=0)
        if latest < before:
            del store.store[sender_id]
            conversations += 1
            events += len(stored)
    return PurgeResult(conversations, events)


def purge(store: TrackerStore, retention_days: float, clock: Clock = time.time) -> PurgeResult:
    """Deletes every conversation whose latest event is older than `retention_days`."""
    target = unwrap(store)
    before = cutoff(retention_days, clock)
    if isinstance(target, SQLTrackerStore):
        return _purge_sql(target, before)
    if isinstance(target, InMemoryTrackerStore):
        return _purge_in_memory(target, before)
    if isinstance(target, RedisTrackerStore):
        if not target.record_exp:
            target.record_exp = retention_days * SECONDS_PER_DAY
        return PurgeResult(0, 0)  # Redis expires old conversations itself
    raise RetentionNotSupported(
        f"{type(target).__name__} cannot delete old conversations; use the SQL or Redis store"
    )


class RetentionJob:
    """Runs `purge` now and then every `every_minutes` in the running server's event loop; with
    `every_minutes` 0 it does nothing: a scheduled `python -m bot purge` deletes instead (the
    Kubernetes CronJob), not every worker of every replica."""

    def __init__(
        self,
        store: TrackerStore,
        retention_days: float,
        every_minutes: float,
        clock: Clock = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.store = store
        self.retention_days = retention_days
        self.every_seconds = every_minutes * 60.0
        self.clock = clock
        self.sleep = sleep
        self.task: Optional[asyncio.Task] = None

    @property
    def enabled(self) -> bool:
        return self.every_seconds > 0

    def run_once(self) -> Optional[PurgeResult]:
        """One purge; a failure is logged, never raised (the assistant keeps answering)."""
        if not self.enabled:
            return None
        try:
            result = purge(self.store, self.retention_days, self.clock)
        except RetentionNotSupported as problem:
            logger.warning("Conversations are not deleted after %s days: %s", self.retention_days, problem)
            return None
        except Exception:  # noqa: BLE001
            logger.exception("Deleting old conversations failed; trying again later")
            return None
        if result.conversations:
            logger.info("Deleted %s older than %s days", result, self.retention_days)
        return result

    async def run_forever(self) -> None:
        # In the event loop's own thread: the Rasa server keeps its SQLite connections in a pool
        # that belongs to that thread (bot.rasa_patches.sqlite_wal). One DELETE an hour is short.
        while True:
            await self.sleep(self.every_seconds)
            self.run_once()

    def start(self) -> None:
        """Starts the periodic purge if an event loop is running and it is not started yet."""
        if not self.enabled or (self.task is not None and not self.task.done()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self.task = loop.create_task(self.run_forever())
