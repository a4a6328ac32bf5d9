"""The counts and the unanswered questions, in the helpdesk's SQL database (SQLite by default,
PostgreSQL by URL), the way `bot.helpdesk.store` keeps tickets.

`analytics_counts` holds aggregates only: (day, language, channel, topic, measure) → count, no
conversation id and no text; kept as long as the deployer wants. `analytics_unanswered` holds
redacted texts with their day and language, no sender; deleted after the retention period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.analytics.counting import Cell

metadata = sa.MetaData()

counts = sa.Table(
    "analytics_counts",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("language", sa.String(16), primary_key=True),
    sa.Column("channel", sa.String(64), primary_key=True),
    sa.Column("topic", sa.String(64), primary_key=True),
    sa.Column("measure", sa.String(32), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)

unanswered = sa.Table(
    "analytics_unanswered",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("day", sa.String(10), nullable=False, index=True),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("stored_at", sa.Float, nullable=False, index=True),
)


@dataclass(frozen=True)
class StoredQuestion:
    day: str
    language: str
    reason: str
    text: str


class AnalyticsStore:
    """All reads and writes of the counts and the unanswered questions."""

    def __init__(self, engine: AsyncEngine):
        """`engine`: the helpdesk's (its store opens and closes it)."""
        self.engine = engine

    async def create_schema(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

    def _upsert(self, rows: List[Dict[str, object]]):
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(counts).values(rows)
        return statement.on_conflict_do_update(
            index_elements=["day", "language", "channel", "topic", "measure"],
            set_={"count": counts.c.count + statement.excluded.count},
        )

    async def add(self, increments: Dict[Tuple[Cell, str], int], questions: List[StoredQuestion], now: float) -> None:
        """Adds increments to the counts and stores (already redacted) questions, in one transaction."""
        rows = [
            {"day": c.day, "language": c.language[:16], "channel": c.channel[:64], "topic": c.topic[:64],
             "measure": measure, "count": amount}
            for (c, measure), amount in sorted(increments.items())  # one order: no deadlocks
        ]
        async with self.engine.begin() as connection:
            if rows:
                await connection.execute(self._upsert(rows))
            if questions:
                await connection.execute(
                    unanswered.insert(),
                    [{"day": q.day, "language": q.language[:16], "reason": q.reason, "text": q.text, "stored_at": now}
                     for q in questions],
                )

    async def counts(self, since_day: str = "") -> Dict[Cell, Dict[str, int]]:
        """Every cell from `since_day` on, with its measures."""
        query = sa.select(counts).where(counts.c.day >= since_day)
        cells: Dict[Cell, Dict[str, int]] = {}
        async with self.engine.connect() as connection:
            for row in (await connection.execute(query)).mappings():
                cell = Cell(row["day"], row["language"], row["channel"], row["topic"])
                cells.setdefault(cell, {})[row["measure"]] = row["count"]
        return cells

    async def questions(self) -> List[StoredQuestion]:
        async with self.engine.connect() as connection:
            rows = (await connection.execute(sa.select(unanswered).order_by(unanswered.c.id))).mappings()
            return [StoredQuestion(r["day"], r["language"], r["reason"], r["text"]) for r in rows]

    async def delete_questions_before(self, moment: float) -> int:
        async with self.engine.begin() as connection:
            result = await connection.execute(unanswered.delete().where(unanswered.c.stored_at < moment))
            return result.rowcount or 0
