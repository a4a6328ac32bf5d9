"""What the channels remember across Rasa processes in scale-out mode: in the lock store's Redis.

One Rasa server shares the channels' memory between its Sanic workers in SQLite files
(`bot.stores.shared_state`). Several Rasa servers or Kubernetes replicas do not share files: a
platform's second delivery of a message, or a widget that reconnects and sends a message again,
may reach another process, which would answer it a second time. When the conversation locks are
in Redis (`bot.stores.lock_store.AtomicRedisLockStore`, endpoints.scale.yml, the Helm values), the
channels keep that memory in the same Redis, under the lock store's key prefix, with an expiry
instead of a capacity. Nothing to configure: the lock store says where.

- `RedisSeenIds`: the platform message ids already handled (`bot.channels.platform.SeenIds`);
- `RedisReplies`: the widget's answers per message id (`bot.channels.socketio.Replies`).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, RedisLockStore

# WhatsApp retries an unacknowledged webhook for up to 7 days; Telegram for about a day.
SEEN_SECONDS = 7 * 86_400
# A widget resends an unanswered message when it reconnects: minutes, at most a session.
REPLIES_SECONDS = 86_400
PENDING = ""


def redis_of(app: Any) -> Optional[Tuple[Any, str]]:
    """The Redis client and key namespace of the Rasa server `app`'s lock store, or None when
    its locks are not in Redis (one server: the shared files are enough)."""
    lock_store = getattr(getattr(getattr(app, "ctx", None), "agent", None), "lock_store", None)
    if not isinstance(lock_store, RedisLockStore):
        return None
    prefix = lock_store.key_prefix
    if prefix.endswith(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX):  # "werkwijzer:lock:" -> "werkwijzer:"
        prefix = prefix[: -len(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX)]
    return lock_store.red, prefix


class RedisSeenIds:
    """`first_time(id)` is True once per id across every process that uses this Redis."""

    def __init__(self, client: Any, namespace: str, kind: str, seconds: int = SEEN_SECONDS) -> None:
        self.client = client
        self.prefix = f"{namespace}seen:{kind}:"
        self.seconds = seconds

    def first_time(self, item: str) -> bool:
        return bool(self.client.set(self.prefix + item, b"1", nx=True, ex=self.seconds))


class RedisReplies:
    """The widget's answers to its most recent messages, by (session, message id)."""

    def __init__(self, client: Any, namespace: str, seconds: int = REPLIES_SECONDS) -> None:
        self.client = client
        self.prefix = f"{namespace}replies:"
        self.seconds = seconds

    def seen(self, key: str) -> bool:
        return bool(self.client.exists(self.prefix + key))

    def get(self, key: str) -> Optional[List[Dict[str, Any]]]:
        """The answers sent, or None while the message is still being handled."""
        stored = self.client.get(self.prefix + key)
        return json.loads(stored) if stored else None

    def start(self, key: str) -> None:
        self.client.set(self.prefix + key, PENDING, ex=self.seconds)

    def finish(self, key: str, sent: List[Dict[str, Any]]) -> None:
        self.client.set(self.prefix + key, json.dumps(sent), ex=self.seconds)
