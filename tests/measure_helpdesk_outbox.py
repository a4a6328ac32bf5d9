"""Measures the helpdesk: N handoffs stored through the internal API, each delivered to a local
webhook by the outbox, on SQLite and on a throwaway PostgreSQL database.

Run: .venv/bin/python -m tests.measure_helpdesk_outbox   (not collected by pytest)
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import List

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import helpdesk
from bot.helpdesk.config import WebhookSettings, database_url
from bot.runtime.settings import Settings
from tests.helpdesk_support import config_for, drop_postgres, handoff_body, service_headers, throwaway_postgres

HANDOFFS = 200


async def measure(kind: str) -> str:
    received: List[bytes] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.Response(status=202)

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    receiver_server = TestServer(receiver)
    await receiver_server.start_server()
    folder = Path(tempfile.mkdtemp())
    name = await throwaway_postgres() if kind == "postgresql" else None
    url = database_url(f"postgresql://postgres@127.0.0.1:5432/{name}" if name else None, folder)
    app = web.Application()
    webhook = WebhookSettings(str(receiver_server.make_url("/hook")), "secret")
    helpdesk.setup(app, Settings(data_dir=folder), config_for(url, "http://127.0.0.1:9", webhook=webhook))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        start = time.perf_counter()
        for index in range(HANDOFFS):
            reply = await client.post("/internal/helpdesk/handoffs", json=handoff_body(f"u{index}"), headers=service_headers())
            assert reply.status == 201
        stored = time.perf_counter()
        await asyncio.wait_for(app[helpdesk.HELPDESK].outbox.drained(), 300)
        delivered = time.perf_counter()
        assert len(received) == HANDOFFS
    finally:
        await client.close()
        await receiver_server.close()
        if name:
            await drop_postgres(name)
    return (
        f"{kind}: {HANDOFFS} handoffs stored in {stored - start:.2f} s ({(stored - start) / HANDOFFS * 1000:.1f} ms each); "
        f"all delivered {delivered - start:.2f} s after the first"
    )


if __name__ == "__main__":
    for backend in ("sqlite", "postgresql"):
        print(asyncio.run(measure(backend)), flush=True)
