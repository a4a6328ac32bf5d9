"""Rasa's SQL tracker store (SQLite, PostgreSQL, ...), with fewer and cheaper queries per message.

For every message Rasa 3.6's `SQLTrackerStore` builds an ORM query to read the conversation and
turns each row into an ORM object; on saving it builds the query again to count the stored
events, then adds each new event through the ORM's unit of work. This store keeps the same tables
and writes the same rows (Rasa's own store reads what it writes, and the other way round), with:

- the two statements built once (SQLAlchemy then reuses their compiled form), reading only the
  `data` column;
- no count on saving a tracker that says how many of its events are stored (`STORED_EVENTS`,
  set by this store and `bot.stores.tracker_store` on the trackers they give out and save). The
  conversation is locked while a message is handled, so no other process adds events to it in
  between; a tracker without the mark is counted as Rasa does;
- the new events written with one multi-row insert;
- the statements run on a plain connection from the engine's pool, not through an ORM session
  (a session per call cost ~0.5 ms of CPU a message more). The PostgreSQL schema check that
  Rasa's sessions do (`POSTGRESQL_SCHEMA`) is done once, when the store is made.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

# The number of a tracker's events that the store holds, on trackers given out or saved.
STORED_EVENTS = "_werkwijzer_stored_events"


def stored_events(tracker: DialogueStateTracker) -> Optional[int]:
    """How many of `tracker`'s events the store holds, if the tracker says (and can be right)."""
    stored = getattr(tracker, STORED_EVENTS, None)
    return stored if stored is not None and stored <= len(tracker.events) else None


def mark_stored(tracker: Optional[DialogueStateTracker], count: Optional[int] = None) -> Optional[DialogueStateTracker]:
    """Records on `tracker` that the store holds its first `count` events (default: all)."""
    if tracker is not None:
        setattr(tracker, STORED_EVENTS, len(tracker.events) if count is None else count)
    return tracker


def event_row(sender_id: Text, event: Any) -> Dict[Text, Any]:
    """The row Rasa's SQL store writes for `event`."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class SQLStore(SQLTrackerStore):
    """`SQLTrackerStore` with prepared statements, no count per save and one insert per save."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(table.c.timestamp))
            .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        all_sessions = sa.select(table.c.data).where(table.c.sender_id == sender)
        # Events from the latest `SessionStarted` on, or all of them when there is none (as Rasa).
        latest_session = all_sessions.where(sa.or_(table.c.timestamp >= session_start, session_start.is_(None)))
        self._all_sessions = all_sessions.order_by(table.c.id)
        self._latest_session = latest_session.order_by(table.c.id)
        self._count_latest_session = sa.select(sa.func.count()).select_from(latest_session.subquery())
        self._insert = table.insert()
        with self.session_scope():  # Rasa's PostgreSQL schema check (POSTGRESQL_SCHEMA), once
            pass

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        statement = self._all_sessions if fetch_events_from_all_sessions else self._latest_session
        with self.engine.connect() as connection:
            rows: List[Text] = connection.execute(statement, {"sender_id": sender_id}).scalars().all()
        if not self.domain or not rows:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)
        if not fetch_events_from_all_sessions and len(tracker.events) == len(rows):
            mark_stored(tracker)
        return tracker

    def _additional_events(self, connection: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = stored_events(tracker)
        if stored is None:
            stored = connection.execute(self._count_latest_session, {"sender_id": tracker.sender_id}).scalar()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.engine.begin() as connection:  # one transaction, committed at the end
            self._insert_events(connection, tracker.sender_id, self._additional_events(connection, tracker))
        mark_stored(tracker)

    async def append(self, sender_id: Text, events: Iterable[Any]) -> None:
        """Stores `events` after the conversation's stored ones (the caller knows they are new)."""
        with self.engine.begin() as connection:
            self._insert_events(connection, sender_id, events)

    def _insert_events(self, connection: Any, sender_id: Text, events: Iterable[Any]) -> None:
        rows = [event_row(sender_id, event) for event in events]
        if rows:
            connection.execute(self._insert, rows)
