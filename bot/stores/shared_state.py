"""State that the Sanic workers of one Rasa server share: small SQLite databases.

With `SANIC_WORKERS=2` every worker is a process of its own, and what one keeps in its memory the
other does not see. What must be shared lives in SQLite files instead:

- in shared memory (`/dev/shm`, RAM, never on disk), for what may hold personal data or only
  matters while this start of the server runs: the text users typed in the last minutes
  (`bot.stores.tracker_store.RecentOriginals`) and the ids of the platform deliveries already answered
  (`bot.channels.platform.SeenIds`). The files are named after the server's start
  (`BOT_RASA_SERVER_ID`, set by `bot.runtime.rasa_server`), removed when it stops, and the files of a
  server that was killed are removed at the next start;
- also in shared memory: which workers have loaded the model and serve (`ReadyWorkers`), so the
  server counts as ready only when all of them do;
- in the data folder, for the conversation locks (`bot.stores.lock_store.SQLiteLockStore`).

Without a server id (tests, a plain `rasa run`) each process keeps its own, in memory.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Optional, Sequence

SERVER_VARIABLE = "BOT_RASA_SERVER_ID"
SHARED_MEMORY = Path("/dev/shm")
_FILE = re.compile(r"^werkwijzer-[a-z-]+?-(\d+)-[0-9a-f]+\.db")


def usable(shared_memory: Path = SHARED_MEMORY) -> bool:
    return shared_memory.is_dir() and os.access(shared_memory, os.W_OK)


def shared_file(kind: str, server_id: Optional[str], shared_memory: Path = SHARED_MEMORY) -> Optional[Path]:
    """The `kind` file of server `server_id` in shared memory, or None (each process keeps its
    own) without a server id or a writable /dev/shm."""
    if not server_id or not usable(shared_memory):
        return None
    return shared_memory / f"werkwijzer-{kind}-{server_id}.db"


def this_servers_file(kind: str) -> Optional[Path]:
    """The `kind` file of the Rasa server this process belongs to (`SERVER_VARIABLE`), if any."""
    return shared_file(kind, os.environ.get(SERVER_VARIABLE))


def keep_newest(database: sqlite3.Connection, table: str, capacity: int) -> None:
    """Deletes all but the `capacity` rows of `table` added last."""
    database.execute(f"DELETE FROM {table} WHERE rowid <= (SELECT max(rowid) FROM {table}) - ?", (capacity,))


def process_is_running(pid: int) -> bool:
    """Whether process `pid` of this machine still runs (a killed one not yet reaped by its
    parent, a zombie, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:  # no /proc here: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True
    return state not in ("Z", "X")


def remove_files_of_stopped_servers(shared_memory: Path = SHARED_MEMORY) -> None:
    for path in shared_memory.glob("werkwijzer-*"):
        found = _FILE.match(path.name)
        if found and not process_is_running(int(found.group(1))):
            path.unlink(missing_ok=True)


def remove_files_of(server_id: str, shared_memory: Path = SHARED_MEMORY) -> None:
    for path in shared_memory.glob(f"werkwijzer-*-{server_id}.db*"):
        path.unlink(missing_ok=True)


class ProcessConnection:
    """A SQLite connection per process (a forked worker opens its own), to `path` or, without
    one, to a database in this process's memory. Autocommit; `schema` runs on opening."""

    def __init__(self, path: Optional[Path], schema: Sequence[str], sync: bool = False) -> None:
        self.path = path
        self.schema = schema
        self.sync = sync
        self._connection: Optional[sqlite3.Connection] = None
        self._owner = 0

    @property
    def opened(self) -> bool:
        return self._connection is not None and self._owner == os.getpid()

    def get(self) -> sqlite3.Connection:
        if not self.opened:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.touch(mode=0o600, exist_ok=True)
            connection = sqlite3.connect(
                str(self.path or ":memory:"), timeout=10.0, isolation_level=None, check_same_thread=False
            )
            _set_journal_mode(connection, "wal" if self.path else "off")
            connection.execute("PRAGMA synchronous=NORMAL" if self.sync else "PRAGMA synchronous=OFF")
            for statement in self.schema:
                connection.execute(statement)
            self._connection, self._owner = connection, os.getpid()
        return self._connection


def _set_journal_mode(connection: sqlite3.Connection, mode: str, attempts: int = 50) -> None:
    """Puts the database in `mode` unless it is in it already (WAL stays set in the file).
    Changing the mode needs the database to itself, and SQLite does not wait for that as it waits
    for other locks: a worker opening it while another writes got "database is locked" (a 500
    on a WhatsApp message). It now tries again, up to `attempts` times 20 ms apart."""
    for attempt in range(attempts):
        try:
            if str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() != mode:
                connection.execute(f"PRAGMA journal_mode={mode}")
            return
        except sqlite3.OperationalError as problem:
            if "locked" not in str(problem) or attempt == attempts - 1:
                raise
            time.sleep(0.02)


READY_SCHEMA = ("CREATE TABLE IF NOT EXISTS ready (pid INTEGER PRIMARY KEY)",)


class ReadyWorkers:
    """The Sanic workers of this server start that have loaded the model and serve. Until all
    do, connections made to the server all go to the workers that are ready, and keep-alive
    connections stay there: `/webhooks/rest/ready` answers 503 until then."""

    def __init__(self, path: Optional[Path]) -> None:
        self._db = ProcessConnection(path, READY_SCHEMA)

    def serving(self, pid: int) -> None:
        self._db.get().execute("INSERT OR REPLACE INTO ready VALUES (?)", (pid,))

    def count(self) -> int:
        return self._db.get().execute("SELECT count(*) FROM ready").fetchone()[0]
