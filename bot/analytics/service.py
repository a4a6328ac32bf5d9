"""The running analytics: counting, the store and the redactor, as the web app holds them."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.analytics.counting import Counting
from bot.analytics.store import AnalyticsStore, StoredQuestion
from bot.helpdesk.config import Clock, HelpdeskConfig
from bot.privacy.redaction import Redactor

DAY = 86400.0


@dataclass
class Analytics:
    """The running parts: counting, the store, the redactor and the settings they share."""

    config: HelpdeskConfig
    counting: Counting
    store: AnalyticsStore
    redactor: Redactor
    clock: Clock

    async def take(self, events: list) -> None:
        """Counts a batch of events and stores unanswered questions, redacted."""
        counted = self.counting.count(events)
        questions = [
            StoredQuestion(q.day, q.language, q.reason, self.redactor.redact(q.text)[:1000])
            for q in counted.unanswered
        ]
        await self.store.add(counted.increments, questions, self.clock())

    async def purge(self) -> int:
        return await self.store.delete_questions_before(self.clock() - self.config.retention_days * DAY)


ANALYTICS = web.AppKey("analytics", Analytics)
