"""State shared by the Sanic workers of one server (`bot.stores.shared_state`)."""

from __future__ import annotations

import sqlite3
import threading

from bot.stores.shared_state import ProcessConnection


def test_a_worker_opens_the_shared_database_while_another_writes_to_it(tmp_path):
    path = tmp_path / "seen.db"
    writer = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE seen (id TEXT PRIMARY KEY)")
    writer.execute("BEGIN IMMEDIATE")  # another worker in the middle of a write
    writer.execute("INSERT INTO seen VALUES ('wamid.1')")
    threading.Timer(0.2, lambda: writer.execute("COMMIT")).start()

    connection = ProcessConnection(path, ("CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY)",)).get()

    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("SELECT id FROM seen").fetchall() == [("wamid.1",)]
