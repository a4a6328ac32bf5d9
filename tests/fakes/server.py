"""An aiohttp app run on a loopback port in a thread, recording the requests it accepted.

Tests talk to the assistant synchronously; the assistant (another process) calls the fake. The
fake keeps what it received in `calls`; `wait_for` blocks until a condition holds or a timeout
passes (a guard against hanging, not a timing assertion).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from aiohttp import web


@dataclass
class Call:
    """One request the fake accepted."""

    path: str
    headers: Dict[str, str]
    body: Dict[str, Any]
    status: int = 200


Answer = Callable[[web.Request, Dict[str, Any]], Tuple[int, Dict[str, Any]]]


class FakeServer:
    """Serves `POST route` on 127.0.0.1 in a background thread: `answer(request, json body)` gives
    the status and JSON answer; every request is recorded with its status. Other routes may be
    added to `app` before `start()`."""

    def __init__(self, route: Optional[str] = None, answer: Optional[Answer] = None) -> None:
        self.app = web.Application()
        if route is not None:
            self.app.router.add_post(route, self._handle)
        self._answer = answer
        self.calls: List[Call] = []
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._runner: Optional[web.AppRunner] = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        status, answer = self._answer(request, body)
        self.record(Call(request.path, dict(request.headers), body, status))
        return web.json_response(answer, status=status)

    def record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def calls_since(self, mark: int) -> List[Call]:
        with self._changed:
            return list(self.calls[mark:])

    def mark(self) -> int:
        with self._changed:
            return len(self.calls)

    def wait_for(self, condition: Callable[[List[Call]], bool], timeout: float = 30.0) -> List[Call]:
        with self._changed:
            self._changed.wait_for(lambda: condition(self.calls), timeout)
            return list(self.calls)

    async def _start(self) -> int:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return site._server.sockets[0].getsockname()[1]

    def start(self) -> "FakeServer":
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


class PlatformFake:
    """A fake platform: its server, started and stopped with it."""

    def __init__(self, server: FakeServer) -> None:
        self.server = server

    def start(self) -> "PlatformFake":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def refused(self, since: int = 0) -> List[Call]:
        """The requests the fake answered with an error (the assistant sent something wrong)."""
        return [c for c in self.server.calls_since(since) if c.status != 200]
