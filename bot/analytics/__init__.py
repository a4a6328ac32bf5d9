"""What users ask and where the assistant fails, without personal data (docs/analytics.md).

`setup(app, settings, config)` adds to the web app: the analytics store (the helpdesk's SQL
database), the endpoint the event broker posts events to, `GET /api/stats` (JSON) and
`GET /api/stats.csv` for agents, the content team's page `/content`, and the deletion of
unanswered questions after the retention period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator

from aiohttp import web

from bot.analytics import pages
from bot.analytics.counting import Counting
from bot.analytics.service import ANALYTICS, Analytics
from bot.analytics.store import AnalyticsStore
from bot.content import fast_yaml
from bot.helpdesk.api import HELPDESK
from bot.helpdesk.config import Clock, HelpdeskConfig, utc_now
from bot.privacy.settings import PrivacySettings
from bot.runtime.settings import Settings

logger = logging.getLogger(__name__)




def topics_of(settings: Settings) -> frozenset:
    """The information topics (intents) of `actions/topics.yml`."""
    path = settings.project / "actions" / "topics.yml"
    return frozenset(fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {})


async def _purge_until(stop: asyncio.Event, analytics: Analytics) -> None:
    while not stop.is_set():
        try:
            deleted = await analytics.purge()
            if deleted:
                logger.info("Deleted %d unanswered questions after the retention period", deleted)
        except Exception:  # noqa: BLE001 - try again next round
            logger.exception("Deleting old unanswered questions failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), analytics.config.retention_interval)


def setup(app: web.Application, settings: Settings, config: HelpdeskConfig, clock: Clock = utc_now) -> None:
    """Adds analytics to `app`, after `bot.helpdesk.setup`: the database, the agent sign-in and
    the tokens are the helpdesk's."""

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = AnalyticsStore(app[HELPDESK].store.engine)  # helpdesk.setup comes first
        await store.create_schema()
        redactor = PrivacySettings.from_endpoints(settings.endpoints, settings.project).redactor()
        analytics = Analytics(config, Counting(topics_of(settings)), store, redactor, clock)
        app[ANALYTICS] = analytics
        stop = asyncio.Event()
        task = asyncio.create_task(_purge_until(stop, analytics))
        yield
        stop.set()
        await asyncio.gather(task, return_exceptions=True)

    app.cleanup_ctx.append(lifetime)
    pages.add_routes(app)
