"""The helpdesk: a person takes over a conversation when the assistant should not answer.

`setup(app, settings)` adds to the web app: the ticket store (SQL), the JSON API (`api.py`), the
agents' inbox page (`inbox.py`), agent accounts and the audit log (`agents.py`), the Dutch column
(`dutch.py`) and reply templates in the user's language (`macros.py`), live updates for the web
widget (`live.py`, `stream_tokens.py`), Zammad (`zammad.py`), and two background tasks: the outbox
that delivers to the user and to an external helpdesk (`outbox.py`), and the deletion of closed
tickets after the retention period. docs/helpdesk.md describes what agents get.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator, Awaitable, Callable, Dict, List, Optional

from aiohttp import web

from bot.content.translations import Translations
from bot.helpdesk import api, inbox, zammad
from bot.helpdesk.adapters import Adapter, RasaConversationAdapter, SmtpAdapter, WebhookAdapter
from bot.helpdesk.agents import Agents
from bot.helpdesk.config import Clock, HelpdeskConfig, utc_now
from bot.helpdesk.dutch import summaries
from bot.helpdesk.live import LiveUpdates
from bot.helpdesk.macros import Macros, topic_intents
from bot.helpdesk.outbox import Outbox
from bot.helpdesk.service import Helpdesk
from bot.helpdesk.store import TicketStore
from bot.helpdesk.zammad import ZammadAdapter, ZammadLinks
from bot.privacy.settings import PrivacySettings
from bot.runtime.settings import Settings

logger = logging.getLogger(__name__)
HELPDESK = api.HELPDESK


def adapters_for(config: HelpdeskConfig, store: TicketStore) -> Dict[str, Adapter]:
    adapters: Dict[str, Adapter] = {"rasa": RasaConversationAdapter(config.rasa_url, config.rasa_token)}
    if config.zammad:
        adapters["zammad"] = ZammadAdapter(config.zammad, ZammadLinks(store.engine))
    if config.smtp:
        adapters["smtp"] = SmtpAdapter(config.smtp)
    if config.webhook:
        adapters["webhook"] = WebhookAdapter(config.webhook)
    return adapters


async def _purge_until(stop: asyncio.Event, helpdesk: Helpdesk) -> None:
    """Deletes closed tickets after the retention period, every `retention_interval` seconds."""
    while not stop.is_set():
        try:
            deleted = await helpdesk.purge()
            if deleted:
                logger.info("Deleted %d closed tickets after the retention period", deleted)
        except Exception:  # noqa: BLE001 - try again next round
            logger.exception("Deleting old tickets failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), helpdesk.config.retention_interval)


def setup(
    app: web.Application,
    settings: Settings,
    config: Optional[HelpdeskConfig] = None,
    clock: Clock = utc_now,
) -> None:
    """Adds the helpdesk to `app`; its resources live as long as the app runs.

    `clock` dates tickets and messages (and so drives retention); the outbox's retries always
    follow the real clock, because they wait for real time to pass."""
    config = config or HelpdeskConfig.from_env(settings)
    stoppers: List[Callable[[], Awaitable[None]]] = []  # how to stop what `lifetime` started

    async def stop_background_tasks(_app: web.Application) -> None:
        """Stops the outbox and the purge when the app shuts down, before aiohttp waits for the
        app's tasks to end (up to its shutdown timeout, 60 s: a SIGTERM took a minute)."""
        while stoppers:
            await stoppers.pop()()

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = TicketStore.connect(config.database_url)
        await store.create_schema()
        adapters = adapters_for(config, store)
        outbox = Outbox(store, adapters, utc_now, config.retry_first_delay, config.retry_max_delay)
        translations = Translations.load(config.translations_dir)
        macros = Macros(translations, summaries(), topic_intents(config.translations_dir.parent))
        agents = Agents(store.engine, config.agent_token)
        redactor = PrivacySettings.from_endpoints(settings.endpoints, settings.project).redactor()
        helpdesk = Helpdesk(config, store, outbox, LiveUpdates(), translations, clock, macros, agents, redactor)
        app[HELPDESK] = helpdesk
        stop = asyncio.Event()
        tasks = [asyncio.create_task(outbox.run()), asyncio.create_task(_purge_until(stop, helpdesk))]

        async def stop_tasks() -> None:
            stop.set()
            outbox.stop()
            await asyncio.gather(*tasks, return_exceptions=True)

        stoppers.append(stop_tasks)
        yield
        await stop_background_tasks(app)
        for adapter in adapters.values():
            closer = getattr(adapter, "close", None)
            if closer is not None:
                await closer()
        await store.close()

    app.cleanup_ctx.append(lifetime)
    app.on_shutdown.append(stop_background_tasks)
    api.add_routes(app)
    inbox.add_routes(app)
    zammad.add_routes(app)
