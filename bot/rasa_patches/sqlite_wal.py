"""Patch: the SQLite tracker store kept open, in WAL mode with `synchronous=NORMAL`.

Replaces: `rasa.core.tracker_store.create_engine_kwargs` (a pool of 5 open connections for a
SQLite file instead of SQLAlchemy's NullPool) and adds a `connect` listener on every SQLAlchemy
`Engine` that sets `journal_mode=WAL` and `synchronous` on SQLite connections.
Why: SQLAlchemy 1.4 opened the SQLite file anew for every session, several times per message,
and committed with a rollback journal and a full sync: ~25 ms per commit on this machine's disk.
WAL with `synchronous=NORMAL` is SQLite's advice for WAL: a crash or restart of the process
loses nothing; only a power cut of the machine may lose the last messages
(`BOT_SQLITE_SYNCHRONOUS=FULL` syncs every commit as well, ~6 ms per commit).
Measured gain: a commit 27 ms -> 0.2 ms of wall time (the benchmark's "wall ms per message"; the
CPU a message costs hardly changes).
(7 Dec: leaving it out added 30 % CPU and 78 % wall time per message; `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_sql_store.py and tests/test_rasa_patches.py::test_the_sqlite_store_is_kept_open_in_wal_mode.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Dict, Text

from bot.rasa_patches.replacements import Replacements

POOL_SIZE = 5


def is_sqlite_file(url: Any) -> bool:
    """True for the URL of a SQLite file (not an in-memory database)."""
    text = str(url)
    return text.startswith("sqlite") and text not in ("sqlite://", "sqlite:///") and ":memory:" not in text


def install(replacements: Replacements, settings: Any) -> None:
    import rasa.core.tracker_store as tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import QueuePool

    synchronous = settings.sqlite_synchronous

    def wal_on_connect(connection: Any, _record: Any) -> None:
        if isinstance(connection, sqlite3.Connection):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.close()

    event.listen(Engine, "connect", wal_on_connect)
    replacements.on_undo(lambda: event.remove(Engine, "connect", wal_on_connect))

    rasa_kwargs = tracker_store.create_engine_kwargs

    def engine_kwargs(url: Any) -> Dict[Text, Any]:
        """Rasa's engine settings; a SQLite file gets a pool of open connections (Rasa's SQL
        store uses them from the event loop's thread only)."""
        kwargs = rasa_kwargs(url)
        if is_sqlite_file(url):
            kwargs.setdefault("poolclass", QueuePool)
            kwargs.setdefault("pool_size", POOL_SIZE)
        return kwargs

    replacements.replace(tracker_store, "create_engine_kwargs", engine_kwargs)
