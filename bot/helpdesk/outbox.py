"""The outbox: deliveries stored in SQL and retried with exponential backoff until accepted.

A background task of the web app. Rows survive a restart (they are in the database), each row is
claimed with a lease before it is tried (several web app processes never send the same row at the
same time), and a conversation's messages to the user keep their order: a row waits while an
earlier row of the same ticket and kind is undelivered.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Dict, Optional

from bot.helpdesk.adapters import Adapter, DeliveryFailed
from bot.helpdesk.config import Clock, backoff
from bot.helpdesk.store import OutboxItem, TicketStore

logger = logging.getLogger(__name__)
ORDERED_KINDS = frozenset({"rasa", "zammad"})  # a Zammad article waits for its ticket
IDLE_POLL = 30.0


class Outbox:
    def __init__(
        self,
        store: TicketStore,
        adapters: Dict[str, Adapter],
        clock: Clock,
        first_delay: float,
        max_delay: float,
        lease: float = 120.0,
    ):
        self.store = store
        self.adapters = adapters
        self.clock = clock
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.lease = lease
        self._wake = asyncio.Event()
        self._stopping = False
        self._round_done = asyncio.Condition()

    def wake(self) -> None:
        """Something new was stored: look at once instead of at the next retry time."""
        self._wake.set()

    async def deliver_due(self) -> int:
        """Tries every due row once; returns how many were delivered."""
        delivered = 0
        blocked: set = set()
        for item in await self.store.claim_due(self.clock(), self.lease):
            key = (item.ticket_id, item.kind)
            if item.kind in ORDERED_KINDS and (key in blocked or await self.store.has_earlier_pending(item)):
                await self.store.defer(item.id, self.clock() + self.first_delay)
                continue
            if await self._try(item):
                delivered += 1
            else:
                blocked.add(key)
        return delivered

    async def _try(self, item: OutboxItem) -> bool:
        adapter = self.adapters.get(item.kind)
        try:
            if adapter is None:
                raise DeliveryFailed(f"no adapter for {item.kind!r} is configured")
            await adapter.deliver(item.payload)
        except DeliveryFailed as problem:
            attempts = item.attempts + 1
            delay = backoff(attempts, self.first_delay, self.max_delay)
            logger.warning("Delivery %s (%s) failed, try %d; again in %.1f s: %s", item.id, item.kind, attempts, delay, problem)
            await self.store.mark_failed(item.id, attempts, self.clock() + delay, str(problem))
            return False
        except Exception as problem:  # noqa: BLE001 - an adapter bug must not stop the outbox
            logger.exception("Delivery %s (%s) failed unexpectedly", item.id, item.kind)
            attempts = item.attempts + 1
            await self.store.mark_failed(
                item.id, attempts, self.clock() + backoff(attempts, self.first_delay, self.max_delay), repr(problem)
            )
            return False
        await self.store.mark_delivered(item.id, self.clock())
        return True

    async def drained(self) -> None:
        """Returns once nothing is left to deliver (checked after each round of the worker)."""
        async with self._round_done:  # held while checking, so no round's notice is missed
            while (await self.store.outbox_status())["pending"]:
                await self._round_done.wait()

    def stop(self) -> None:
        """Ends `run` after the current round (never in the middle of a database call)."""
        self._stopping = True
        self._wake.set()

    async def _pause(self) -> None:
        next_due: Optional[float] = await self.store.next_due()
        wait = IDLE_POLL if next_due is None else min(IDLE_POLL, max(0.0, next_due - self.clock()))
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=wait)
        except asyncio.TimeoutError:
            pass
        self._wake.clear()

    async def run(self) -> None:
        """Delivers until stopped."""
        while not self._stopping:
            try:
                await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - e.g. the database is briefly unreachable
                logger.exception("The outbox could not read its rows; trying again")
                await asyncio.sleep(self.first_delay)
            async with self._round_done:
                self._round_done.notify_all()
            if not self._stopping:
                await self._pause()
