"""A Rasa event broker that passes what users write to the helpdesk.

Configured in endpoints.yml:

    event_broker:
      type: bot.helpdesk.broker.HelpdeskEventBroker
      url: http://127.0.0.1:8080        # default: $HELPDESK_URL
      token: ...                        # default: $HELPDESK_SERVICE_TOKEN
      analytics: true                   # also pass events to the counts (bot.analytics)

Every Rasa process streams its new tracker events through its broker, so this works with any
number of Rasa processes. Only user messages (and restarts) of conversations that were handed over (`wants`,
asked by `bot.stores.tracker_store`) are forwarded; the web app keeps those of conversations with an
open ticket (written after the handoff) and drops the rest. With `analytics`, every conversation's
events go to the web app's counts too, trimmed to what they need (`bot.analytics.counting`), in
one request per saved turn.
"""

from __future__ import annotations

import asyncio
import logging
import os
from asyncio import AbstractEventLoop
from typing import Any, Dict, List, Optional, Set, Text

import aiohttp
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import ConversationPaused
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.analytics.counting import broker_record
from bot.helpdesk.config import backoff
from bot.helpdesk.dutch import facts_of

logger = logging.getLogger(__name__)
ATTEMPTS = 5


class HelpdeskEventBroker(EventBroker):
    def __init__(self, url: str, token: str, first_delay: float = 0.5, analytics: bool = True):
        self.endpoint = url.rstrip("/") + "/internal/helpdesk/user-messages"
        self.analytics_endpoint = url.rstrip("/") + "/internal/analytics/events"
        self.restarts = url.rstrip("/") + "/internal/helpdesk/restarts"
        self.token = token
        self.first_delay = first_delay
        self.analytics = analytics
        self._session: Optional[aiohttp.ClientSession] = None
        self._pending: Set[asyncio.Task] = set()
        self._handed_over: Set[str] = set()
        self._batch: List[Dict[str, Any]] = []

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Optional[AbstractEventLoop] = None
    ) -> Optional["HelpdeskEventBroker"]:
        url = broker_config.url or os.environ.get("HELPDESK_URL")
        token = broker_config.token or os.environ.get("HELPDESK_SERVICE_TOKEN")
        if not url or not token:
            logger.warning("The helpdesk broker needs a url and a token; messages during a handoff will not reach tickets")
            return None
        return cls(url, token, analytics=bool(broker_config.kwargs.get("analytics", True)))

    def wants(self, tracker: DialogueStateTracker) -> bool:
        """Every conversation when counting (`analytics`), else only those handed to a person:
        every ticket starts with the assistant paused (`actions.handoff`), and a new session keeps
        the pause. Only the handed-over ones' messages go to the helpdesk."""
        handed_over = any(isinstance(event, ConversationPaused) for event in tracker.events)
        if handed_over:
            self._handed_over.add(tracker.sender_id)
        else:
            self._handed_over.discard(tracker.sender_id)
        return handed_over or self.analytics

    def publish(self, event: Dict[Text, Any]) -> None:
        if self.analytics:
            record = broker_record(event)
            if record is not None:
                if not self._batch:
                    self._start(self._send_batch())
                self._batch.append(record)
        if self.analytics and event.get("sender_id") not in self._handed_over:
            return  # counted only: `wants` let every conversation through for the counts
        if event.get("event") == "restart":
            # The user started again (/restart) while handed over: the ticket is closed.
            self._start(self._post({"conversation_id": event.get("sender_id"), "at": event.get("timestamp")}, self.restarts))
            return
        if event.get("event") != "user" or not event.get("text"):
            return
        body = {"conversation_id": event.get("sender_id"), "text": event["text"], "at": event.get("timestamp")}
        parse = event.get("parse_data") or {}
        intent = (parse.get("intent") or {}).get("name")
        if isinstance(intent, str):
            body["intent"] = intent  # for the ticket's Dutch column (bot.helpdesk.dutch)
            body["facts"] = facts_of(parse)
        self._start(self._post(body))

    def _start(self, work) -> None:
        task = asyncio.get_event_loop().create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send_batch(self) -> None:
        """Sends the events published since the batch began (it runs after this turn's events)."""
        batch, self._batch = self._batch, []
        if batch:
            await self._post({"events": batch}, self.analytics_endpoint)

    async def _post(self, body: Dict[str, Any], endpoint: Optional[str] = None) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        headers = {"Authorization": f"Bearer {self.token}"}
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self._session.post(endpoint or self.endpoint, json=body, headers=headers) as reply:
                    if reply.status < 500:
                        if reply.status >= 400:
                            logger.warning("The web app refused what the broker sent: %s", reply.status)
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError) as problem:
                logger.debug("Posting a user message to the helpdesk failed: %r", problem)
            await asyncio.sleep(backoff(attempt, self.first_delay, 30.0))
        logger.error("The web app did not take what the broker sent after %d tries", ATTEMPTS)

    async def close(self) -> None:
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=5)
        if self._session is not None:
            await self._session.close()
