"""Helpers for the helpdesk tests: databases (SQLite file, throwaway PostgreSQL database), a fake
Rasa HTTP API that records what it is sent, and a helpdesk app built with chosen settings."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from aiohttp import web

from bot.helpdesk.config import HelpdeskConfig
from bot.helpdesk.office_hours import OfficeHours
from bot.runtime.settings import PROJECT_DIRECTORY

AGENT_TOKEN = "agent-token-for-tests"
SERVICE_TOKEN = "service-token-for-tests"
STREAM_SECRET = "stream-secret-for-tests"
POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432"


async def throwaway_postgres() -> str:
    """Creates an empty PostgreSQL database; returns its name."""
    import asyncpg

    name = f"helpdesk_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(f"{POSTGRES_DSN}/postgres")
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name


async def drop_postgres(name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(f"{POSTGRES_DSN}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


class FakeRasa:
    """Records `POST /conversations/{id}/tracker/events` like the Rasa server's HTTP API;
    answers 503 while `down` is true."""

    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []
        self.down = False
        self.changed = asyncio.Condition()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/conversations/{conversation_id}/tracker/events", self.append)
        return app

    async def append(self, request: web.Request) -> web.Response:
        if self.down:
            return web.json_response({"error": "down"}, status=503)
        async with self.changed:
            self.received.append(
                {
                    "conversation_id": request.match_info["conversation_id"],
                    "query": dict(request.query),
                    "events": await request.json(),
                }
            )
            self.changed.notify_all()
        return web.json_response({})

    async def wait_for(self, count: int, timeout: float = 30) -> List[Dict[str, Any]]:
        async def enough() -> None:
            async with self.changed:
                await self.changed.wait_for(lambda: len(self.received) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.received


def config_for(database_url: str, rasa_url: str, **changes: Any) -> HelpdeskConfig:
    config = HelpdeskConfig(
        database_url=database_url,
        agent_token=AGENT_TOKEN,
        service_token=SERVICE_TOKEN,
        rasa_url=rasa_url,
        rasa_token="rasa-token-for-tests",
        translations_dir=PROJECT_DIRECTORY / "translations",
        office_hours=OfficeHours.always(),
        retry_first_delay=0.05,
        retry_max_delay=0.4,
        stream_secret=STREAM_SECRET,
    )
    return dataclasses.replace(config, **changes)


def handoff_body(conversation_id: Optional[str] = None, **changes: Any) -> Dict[str, Any]:
    body = {
        "conversation_id": conversation_id or f"user-{uuid.uuid4().hex[:8]}",
        "channel": "rest",
        "language": "en",
        "topic": "ask_asylum_work",
        "reason": "request_human",
        "shared": False,
        "handoff_after": 1000.0,
        "transcript": [
            {"author": "user", "text": "May I work? My BSN is 111222333", "at": 990.0},
            {"author": "bot", "text": "Yes, after 6 months.", "at": 991.0},
            {"author": "user", "text": "I want a person", "at": 1000.0},
        ],
    }
    body.update(changes)
    return body


def service_headers() -> Dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def agent_headers() -> Dict[str, str]:
    return {"Authorization": f"Bearer {AGENT_TOKEN}"}


def stream_params(conversation_id: str) -> Dict[str, str]:
    """The query of a widget's event stream, with the token its Rasa server would have given."""
    from bot.helpdesk.stream_tokens import stream_token

    return {"conversation_id": conversation_id, "token": stream_token(STREAM_SECRET, conversation_id)}


def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"
