"""Patch: the calls of the action server share one HTTP session with kept-alive connections.

Replaces: `rasa.utils.endpoints.EndpointConfig.session` (one shared session per event loop, and
per headers and login, which `async with` does not close) and `rasa.core.run.close_resources`
(Rasa's shutdown listener, which now first closes this loop's sessions).
Why: Rasa made a new `aiohttp.ClientSession`, and so a new TCP connection, for every call of the
action server. Idle connections are kept `KEEP_ALIVE_SECONDS`, below the 5 s after which the
action server (Sanic) closes them, so a connection the server is closing is never reused.
Rasa's request code is unchanged.
Measured gain: one conversation alone, p50 13 -> 8 ms (docs/performance.md).
(7 Dec: switching it off added 3.4 % CPU per message; `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_rasa_patches.py::test_action_calls_share_one_kept_alive_connection_and_survive_a_server_restart
and ::test_the_kept_alive_sessions_are_closed_when_the_server_stops.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict

from bot.rasa_patches.per_event_loop import of_this_loop
from bot.rasa_patches.replacements import Replacements

KEEP_ALIVE_SECONDS = 2.0


class KeptSession:
    """What `EndpointConfig.session()` returns: the shared session, which `async with` leaves open."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: Any) -> None:
        return None


def install(replacements: Replacements, settings: Any) -> None:
    import aiohttp
    import rasa.core.run
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    sessions: Dict[Any, Any] = {}

    def new_session(endpoint: EndpointConfig) -> Any:
        login = endpoint.basic_auth
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
            headers=endpoint.headers,
            auth=aiohttp.BasicAuth(login["username"], login["password"]) if login else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )

    def session(self: EndpointConfig) -> Any:
        """This event loop's session for these headers and this login."""
        key = (tuple(sorted((self.headers or {}).items())), tuple(sorted((self.basic_auth or {}).items())))
        shared = of_this_loop(sessions, key, lambda: new_session(self), usable=lambda made: not made.closed)
        return KeptSession(shared)

    replacements.replace(EndpointConfig, "session", session)

    close_rasas_resources = rasa.core.run.close_resources

    async def close_resources(app: Any, loop: Any) -> None:
        """Rasa's shutdown, after the sessions of this worker's loop are closed (else aiohttp
        reports each as an unclosed session, with its connections, as the worker exits)."""
        running = asyncio.get_running_loop()
        for key, (made_in, kept) in list(sessions.items()):
            if made_in is running:
                del sessions[key]
                await kept.close()
        await close_rasas_resources(app, loop)

    replacements.replace(rasa.core.run, "close_resources", close_resources)
