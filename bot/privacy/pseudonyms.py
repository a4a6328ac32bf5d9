"""Messaging-platform addresses (a WhatsApp phone number, a Telegram chat id) are not conversation
keys: the conversation is kept under a pseudonym, a keyed hash of the address.

`pseudonym(secret, channel, address)` = `<channel>-` + HMAC-SHA256(secret, "<channel>:<address>")
(the first 32 hex digits). Without the secret nobody can go from a number to its conversation, in
the tracker store, the tickets, the logs or the helpdesk's event stream. The real address is kept
only in the channel's `ReplyAddresses` (a SQLite file under the data folder, mode 0600), because a
later reply (an agent's, through Rasa's HTTP API) must reach it; an address is deleted after the
retention period, the same age at which its conversation is deleted.

The secret: `CONVERSATION_KEY_SECRET`, or else the platform's own secret (the WhatsApp app secret,
the Telegram secret token), which is stable for a deployment and known only to it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from typing import Callable, Mapping, Optional

from bot.privacy.settings import DEFAULT_RETENTION_DAYS
from bot.stores.shared_state import ProcessConnection

SECRET_VARIABLE = "CONVERSATION_KEY_SECRET"
RETENTION_VARIABLE = "CONVERSATION_RETENTION_DAYS"
FILE_NAME = "reply-addresses.db"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS addresses (key TEXT PRIMARY KEY, address TEXT NOT NULL, seen REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS addresses_seen ON addresses (seen)",
)
SECONDS_PER_DAY = 86_400.0


def pseudonym(secret: str, channel: str, address: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{channel}:{address}".encode("utf-8"), hashlib.sha256)
    return f"{channel}-{digest.hexdigest()[:32]}"


def is_pseudonym(channel: str, key: str) -> bool:
    prefix = f"{channel}-"
    return key.startswith(prefix) and len(key) == len(prefix) + 32


def key_secret(environ: Mapping[str, str], platform_secret: str) -> str:
    return environ.get(SECRET_VARIABLE) or platform_secret


class ReplyAddresses:
    """Pseudonym → real address, for sending; forgotten after `retention_days` without a message."""

    def __init__(
        self, path: Optional[Path], retention_days: float = DEFAULT_RETENTION_DAYS, clock: Callable[[], float] = time.time
    ) -> None:
        self._db = ProcessConnection(path, SCHEMA, sync=True)
        self.retention_days = retention_days
        self.clock = clock

    @classmethod
    def for_environment(cls, environ: Mapping[str, str]) -> "ReplyAddresses":
        """The file under `BOT_DATA_DIR` (default: the project's `var/`)."""
        data_dir = Path(environ.get("BOT_DATA_DIR") or Path.cwd() / "var")
        days = float(environ.get(RETENTION_VARIABLE) or DEFAULT_RETENTION_DAYS)
        return cls(data_dir / FILE_NAME, days)

    def remember(self, key: str, address: str) -> None:
        now = self.clock()
        database = self._db.get()
        database.execute(
            "INSERT INTO addresses VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET address = excluded.address, seen = excluded.seen",
            (key, address, now),
        )
        database.execute("DELETE FROM addresses WHERE seen < ?", (now - self.retention_days * SECONDS_PER_DAY,))

    def address(self, key: str) -> Optional[str]:
        row = self._db.get().execute(
            "SELECT address FROM addresses WHERE key = ? AND seen >= ?",
            (key, self.clock() - self.retention_days * SECONDS_PER_DAY),
        ).fetchone()
        return row[0] if row else None

    def forget(self, key: str) -> None:
        """Deletes an address with its conversation."""
        self._db.get().execute("DELETE FROM addresses WHERE key = ?", (key,))
