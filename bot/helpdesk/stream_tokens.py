"""The widget's key to its own helpdesk event stream (`GET /api/widget/events`).

A conversation id alone opened the stream before; ids leak (logs, tickets, a shared screen), so
the stream now also needs `token=HMAC-SHA256(secret, conversation id)`. The Rasa server's socket.io
channel gives the token to the widget that started the conversation (only when the server made a
new id, never for an id a client asks for), and the web app checks it. Both processes derive the
secret from `HELPDESK_STREAM_SECRET`, or else from `HELPDESK_SERVICE_TOKEN`, which both have.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Mapping, Optional

SECRET_VARIABLE = "HELPDESK_STREAM_SECRET"
TOKEN_EVENT = "helpdesk_stream_token"  # the socket.io event that carries the token to the widget


def stream_secret(environ: Mapping[str, str]) -> Optional[str]:
    """The secret from the environment (read when a process starts, never at import)."""
    explicit = environ.get(SECRET_VARIABLE)
    if explicit:
        return explicit
    service = environ.get("HELPDESK_SERVICE_TOKEN")
    if not service:
        return None
    return hmac.new(service.encode("utf-8"), b"widget-stream-secret", hashlib.sha256).hexdigest()


def stream_token(secret: str, conversation_id: str) -> str:
    return hmac.new(secret.encode("utf-8"), conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()


def token_matches(secret: Optional[str], conversation_id: str, given: str) -> bool:
    """Whether `given` is the conversation's token (never true without a secret)."""
    if not secret or not given:
        return False
    return hmac.compare_digest(stream_token(secret, conversation_id).encode(), given.encode("utf-8", "replace"))
