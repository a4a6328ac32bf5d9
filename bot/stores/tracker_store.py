"""A tracker store that redacts personal data before the store it wraps keeps anything.

Configured in the endpoints file; the inner store is any of Rasa's stores (SQL with SQLite or
PostgreSQL, Redis, Mongo, ...) with its usual settings under `store:`:

    tracker_store:
      type: bot.stores.tracker_store.RedactingTrackerStore
      retention_days: 30
      purge_every_minutes: 60
      public_contacts: ["070-315 21 11"]
      store:
        type: SQL
        dialect: sqlite
        db: var/conversations.db

What users type (message texts, entity values, message metadata) and every slot value is redacted
(`bot.privacy.redaction`); the assistant's own messages are kept as they are. The event broker, if any,
gets the new events as they are: it is a way to pass them on, not a store (the helpdesk's broker
redacts them unless the user agreed to share them with a person, `bot.helpdesk.service`).
Creating the store changes nothing else: the process that runs the server installs log
redaction, the retention job and the action fallback (`bot.runtime.safeguards`); the store
warns when it is used without them (plain `rasa run`).
"""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Text, Tuple

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import EntitiesAdded, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.privacy.redaction import Redactor
from bot.privacy.settings import PrivacySettings
from bot.runtime import safeguards
from bot.runtime.metrics import ConversationMetrics
from bot.runtime.settings import Settings
from bot.stores.shared_state import ProcessConnection, this_servers_file
from bot.stores.sql_store import SQLStore, mark_stored, stored_events

logger = logging.getLogger(__name__)


def storage_key(sender_id: Text) -> Text:
    """The sender id as the store can keep it: NUL and unpaired surrogates, which SQLite and
    PostgreSQL refuse (and Rasa's SQL store then stops the whole server), become U+FFFD."""
    return sender_id.replace("\x00", "\ufffd").encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def redact_value(value: Any, redactor: Redactor) -> Any:
    """`value` with every string in it redacted (lists and mappings included)."""
    if isinstance(value, str):
        return redactor.redact(value)
    if isinstance(value, list):
        return [redact_value(item, redactor) for item in value]
    if isinstance(value, dict):
        return {key: redact_value(item, redactor) for key, item in value.items()}
    return value


def redact_event(event: Event, redactor: Redactor) -> Event:
    """The event as it may be kept: the same object when there was nothing to redact."""
    if isinstance(event, UserUttered):
        data = event.as_dict()
        redacted = {
            **data,
            "text": redact_value(data.get("text"), redactor),
            "parse_data": redact_value(data.get("parse_data"), redactor),
            "metadata": redact_value(data.get("metadata"), redactor),
        }
        return event if redacted == data else UserUttered.from_parameters(redacted)
    if isinstance(event, SlotSet):
        value = redact_value(event.value, redactor)
        return event if value == event.value else SlotSet(event.key, value, event.timestamp, event.metadata)
    if isinstance(event, EntitiesAdded):
        entities = redact_value(event.entities, redactor)
        return event if entities == event.entities else EntitiesAdded(entities, event.timestamp, event.metadata)
    return event


ORIGINALS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS originals (sender_id TEXT, type_name TEXT, timestamp REAL, key TEXT,"
    " at REAL, event TEXT, PRIMARY KEY (sender_id, type_name, timestamp, key))",
    "CREATE INDEX IF NOT EXISTS originals_at ON originals (at)",
)


class RecentOriginals:
    """What users typed in the last minutes, as they typed it, in memory only.

    The store keeps redacted events; while a conversation goes on, the events it redacted are
    remembered here (never written to disk), so that the conversation itself and a handoff the
    user agrees to share everything with (`bot.helpdesk`) still see them. They are forgotten
    after `minutes`, on a restart, and when more than `limit` events are held. The Sanic workers
    of one Rasa server share them through a SQLite database in shared memory (`path`,
    `bot.stores.shared_state`); without one, each process keeps its own. With several Rasa servers a
    conversation may reach one that does not remember: it then sees the redacted text, which is
    the safe way to fail.
    """

    def __init__(
        self, minutes: float, limit: int = 50_000, clock: Callable[[], float] = time.time, path: Optional[Path] = None
    ) -> None:
        self.seconds = minutes * 60.0
        self.limit = limit
        self.clock = clock
        self.path = path
        self._db = ProcessConnection(path, ORIGINALS_SCHEMA)

    @staticmethod
    def _key(event: Event) -> Tuple[str, float, str]:
        return event.type_name, event.timestamp, str(getattr(event, "key", ""))

    def remember(self, sender_id: str, originals: Iterable[Event], kept: Iterable[Event]) -> None:
        if self.seconds <= 0:
            return
        now = self.clock()
        rows = [
            (sender_id, *self._key(redacted), now, json.dumps(original.as_dict()))
            for original, redacted in zip(originals, kept)
            if original is not redacted
        ]
        if not rows:
            return
        database = self._db.get()
        database.executemany("INSERT OR REPLACE INTO originals VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._forget(database, now)

    def _forget(self, database: sqlite3.Connection, now: float) -> None:
        database.execute("DELETE FROM originals WHERE at <= ?", (now - self.seconds,))
        (held,) = database.execute("SELECT count(*) FROM originals").fetchone()
        if held > self.limit:
            database.execute(
                "DELETE FROM originals WHERE rowid IN (SELECT rowid FROM originals ORDER BY at LIMIT ?)", (held - self.limit,)
            )

    def restore(self, sender_id: str, tracker: Optional[DialogueStateTracker]) -> Optional[DialogueStateTracker]:
        """`tracker` with the events still remembered as they were typed."""
        if tracker is None or self.seconds <= 0 or (self.path is None and not self._db.opened):
            return tracker  # nothing remembered yet in this process's own memory
        rows = self._db.get().execute(
            "SELECT type_name, timestamp, key, event FROM originals WHERE sender_id = ? AND at > ?",
            (sender_id, self.clock() - self.seconds),
        ).fetchall()
        if not rows:
            return tracker
        known = {(kind, timestamp, key): event for kind, timestamp, key, event in rows}
        events = [
            Event.from_parameters(json.loads(known[self._key(event)])) if self._key(event) in known else event
            for event in tracker.events
        ]
        if all(new is old for new, old in zip(events, tracker.events)):
            return tracker
        restored = tracker.init_copy()
        for event in events:
            restored.update(event)
        return restored


def redact_tracker(tracker: DialogueStateTracker, redactor: Redactor) -> DialogueStateTracker:
    """A tracker as it may be kept: `tracker` itself when there was nothing to change."""
    events = [redact_event(event, redactor) for event in tracker.events]
    key = storage_key(tracker.sender_id)
    if key == tracker.sender_id and all(new is old for new, old in zip(events, tracker.events)):
        return tracker
    redacted = tracker.init_copy()
    redacted.sender_id = key
    for event in events:
        redacted.update(event)
    return redacted


def create_store(config: EndpointConfig, domain: Optional[Domain]) -> TrackerStore:
    """The store an endpoint section describes, as Rasa makes it; `type: SQL` gets
    `bot.stores.sql_store.SQLStore` (the same tables and rows, fewer queries)."""
    if (config.type or "").lower() == "sql":
        return SQLStore(domain=domain or Domain.empty(), host=config.url, **config.kwargs)
    return TrackerStore.create(config, domain)


class RedactingTrackerStore(TrackerStore):
    """Wraps the configured store; personal data is redacted before it is saved."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        store: Optional[Mapping[str, Any]] = None,
        inner: Optional[TrackerStore] = None,
        **privacy: Any,
    ) -> None:
        """Creates the inner store from `store` (its endpoint settings) unless `inner` is given.

        `privacy` holds `retention_days`, `purge_every_minutes`, `public_contacts` and
        `keep_originals_minutes` (`bot.privacy.settings.PrivacySettings`).
        """
        if inner is None:
            inner = create_store(EndpointConfig.from_dict(dict(store or {"type": "SQL", "dialect": "sqlite"})), domain)
        self.inner = inner
        super().__init__(domain, event_broker)
        self.settings = PrivacySettings.from_config(privacy, Settings.from_env().project)
        self.redactor = self.settings.redactor()
        self.originals = RecentOriginals(
            self.settings.keep_originals_minutes, path=this_servers_file("originals")
        )
        self.metrics = ConversationMetrics()
        if not safeguards.installed():
            logger.warning(
                "Logs are not redacted, old conversations not deleted and failing actions not "
                "answered: start the server with `python -m bot.runtime.rasa_server run ...`."
            )

    @property
    def domain(self) -> Domain:
        return self.inner.domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        if hasattr(self, "inner"):
            self.inner.domain = domain

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Streams the new events to the event broker as they are, then keeps them redacted."""
        await self.stream_events(tracker)
        stored = stored_events(tracker)
        self.metrics.observe(itertools.islice(tracker.events, stored or 0, None), tracker.get_slot("language"))
        if isinstance(self.inner, SQLStore) and stored is not None and storage_key(tracker.sender_id) == tracker.sender_id:
            # The SQL store only adds the new events: only those need redacting.
            new = list(itertools.islice(tracker.events, stored, len(tracker.events)))
            kept_new = [redact_event(event, self.redactor) for event in new]
            self.originals.remember(tracker.sender_id, new, kept_new)
            await self.inner.append(tracker.sender_id, kept_new)
        else:
            kept = redact_tracker(tracker, self.redactor)
            if kept is not tracker and stored is not None:
                mark_stored(kept, stored)
            self.originals.remember(kept.sender_id, tracker.events, kept.events)
            await self.inner.save(kept)
        mark_stored(tracker)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Publishes the events the store does not have yet. Rasa reads the whole conversation
        back from the store to find them; a tracker this store gave out or saved knows how many
        of its events are stored (the conversation is locked in between, so no other process
        adds any)."""
        if self.event_broker is None or not getattr(self.event_broker, "wants", lambda _: True)(tracker):
            return  # a broker may say which conversations it wants (the helpdesk's: handed-over ones)
        stored = stored_events(tracker)
        if stored is None:
            await super().stream_events(tracker)
            return
        new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self.inner.max_event_history = self.max_event_history
        key = storage_key(sender_id)
        return mark_stored(self.originals.restore(key, await self.inner.retrieve(key)))

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        key = storage_key(conversation_id)
        return self.originals.restore(key, await self.inner.retrieve_full_tracker(key))

    async def keys(self) -> Iterable[Text]:
        return await self.inner.keys()

    async def exists(self, conversation_id: Text) -> bool:
        return await self.inner.exists(storage_key(conversation_id))
