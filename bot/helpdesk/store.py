"""Tickets, their messages and the outbox, kept in SQL: SQLite by default, PostgreSQL by URL.

One code path for both: SQLAlchemy 1.4's async engine with aiosqlite or asyncpg. A ticket and
its outbox rows are written in one transaction, so an escalation is stored before anything is
sent, and nothing is sent that was not stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = sa.MetaData()

tickets = sa.Table(
    "helpdesk_tickets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("topic", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("shared", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("handoff_after", sa.Float, nullable=False),
    sa.Column("closed_at", sa.Float, nullable=True),
)

messages = sa.Table(
    "helpdesk_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("helpdesk_tickets.id"), nullable=False, index=True),
    sa.Column("author", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    # What the message says in Dutch, for agents (bot.helpdesk.dutch); added in issue 21.
    sa.Column("dutch", sa.Text, nullable=True),
)
# Columns added to tables after their first release: `create_schema` adds them to older databases.
ADDED_COLUMNS = (("helpdesk_messages", "dutch", "TEXT"),)

outbox = sa.Table(
    "helpdesk_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("helpdesk_tickets.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("locked_until", sa.Float, nullable=True),
    sa.Column("delivered_at", sa.Float, nullable=True, index=True),
    sa.Column("last_error", sa.Text, nullable=True),
)

AUTHORS = ("user", "bot", "agent")


@dataclass
class Message:
    id: int
    author: str
    text: str
    at: float
    dutch: Optional[str] = None

    def as_json(self) -> Dict[str, Any]:
        return {"id": self.id, "author": self.author, "text": self.text, "at": self.at, "dutch": self.dutch or ""}


@dataclass
class Ticket:
    id: int
    conversation_id: str
    channel: str
    language: str
    topic: str
    reason: str
    status: str
    shared: bool
    created_at: float
    handoff_after: float
    closed_at: Optional[float]
    transcript: List[Message] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def as_json(self, now: float) -> Dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "language": self.language,
            "topic": self.topic,
            "reason": self.reason,
            "status": self.status,
            "shared": self.shared,
            "created_at": self.created_at,
            "closed_at": self.closed_at,
            "waiting_seconds": round((self.closed_at or now) - self.created_at),
            "transcript": [m.as_json() for m in self.transcript],
        }


@dataclass
class OutboxItem:
    id: int
    ticket_id: int
    kind: str
    payload: Dict[str, Any]
    attempts: int


@dataclass
class NewMessage:
    author: str
    text: str
    at: float
    dutch: Optional[str] = None


def _add_missing_columns(connection: sa.engine.Connection) -> None:
    """Adds the columns of `ADDED_COLUMNS` that a database made by an older version lacks."""
    inspector = sa.inspect(connection)
    for table, column, kind in ADDED_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            connection.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))


class TicketStore:
    """All reads and writes of tickets, messages and outbox rows."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    @classmethod
    def connect(cls, url: str) -> "TicketStore":
        return cls(create_async_engine(url, future=True))

    async def create_schema(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            await connection.run_sync(_add_missing_columns)

    async def close(self) -> None:
        await self.engine.dispose()

    async def open_ticket(
        self,
        *,
        conversation_id: str,
        channel: str,
        language: str,
        topic: str,
        reason: str,
        shared: bool,
        handoff_after: float,
        transcript: Iterable[NewMessage],
        deliveries: Dict[str, Dict[str, Any]],
        now: float,
        due: float,
    ) -> int:
        """Stores a ticket, its transcript and one outbox row per delivery, all or nothing.

        If the conversation already has an open ticket, that ticket's id is returned instead.
        """
        async with self.engine.begin() as connection:
            existing = await connection.scalar(
                sa.select(tickets.c.id).where(
                    tickets.c.conversation_id == conversation_id, tickets.c.status == "open"
                )
            )
            if existing is not None:
                return int(existing)
            result = await connection.execute(
                tickets.insert().values(
                    conversation_id=conversation_id,
                    channel=channel,
                    language=language,
                    topic=topic,
                    reason=reason,
                    status="open",
                    shared=shared,
                    created_at=now,
                    handoff_after=handoff_after,
                    closed_at=None,
                )
            )
            ticket_id = int(result.inserted_primary_key[0])
            rows = [
                {"ticket_id": ticket_id, "author": m.author, "text": m.text, "at": m.at, "dutch": m.dutch}
                for m in transcript
            ]
            if rows:
                await connection.execute(messages.insert(), rows)
            for kind, payload in deliveries.items():
                await self._enqueue(connection, ticket_id, kind, {**payload, "ticket_id": ticket_id}, due)
            return ticket_id

    @staticmethod
    async def _enqueue(connection, ticket_id: int, kind: str, payload: Dict[str, Any], due: float) -> None:
        await connection.execute(
            outbox.insert().values(
                ticket_id=ticket_id,
                kind=kind,
                payload=json.dumps(payload, ensure_ascii=False),
                attempts=0,
                next_attempt_at=due,
            )
        )

    async def add_message(
        self, ticket_id: int, message: NewMessage, deliveries: Dict[str, Dict[str, Any]], due: float
    ) -> int:
        """Stores a message and its deliveries in one transaction; returns the message id."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                messages.insert().values(
                    ticket_id=ticket_id, author=message.author, text=message.text, at=message.at, dutch=message.dutch
                )
            )
            message_id = int(result.inserted_primary_key[0])
            for kind, payload in deliveries.items():
                await self._enqueue(connection, ticket_id, kind, {**payload, "message_id": message_id}, due)
            return message_id

    async def close_ticket(
        self, ticket_id: int, closing: NewMessage, deliveries: Dict[str, Dict[str, Any]], now: float, due: float
    ) -> Optional[int]:
        """Closes an open ticket with the bot's closing message; None if it was not open."""
        async with self.engine.begin() as connection:
            changed = await connection.execute(
                tickets.update()
                .where(tickets.c.id == ticket_id, tickets.c.status == "open")
                .values(status="closed", closed_at=now)
            )
            if changed.rowcount != 1:
                return None
            result = await connection.execute(
                messages.insert().values(
                    ticket_id=ticket_id, author=closing.author, text=closing.text, at=closing.at, dutch=closing.dutch
                )
            )
            message_id = int(result.inserted_primary_key[0])
            for kind, payload in deliveries.items():
                await self._enqueue(connection, ticket_id, kind, {**payload, "message_id": message_id}, due)
            return message_id

    async def open_ticket_for(self, conversation_id: str) -> Optional[Ticket]:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    sa.select(tickets).where(
                        tickets.c.conversation_id == conversation_id, tickets.c.status == "open"
                    )
                )
            ).first()
        return Ticket(**row._mapping) if row else None

    async def get(self, ticket_id: int) -> Optional[Ticket]:
        found = await self.list(ids=[ticket_id])
        return found[0] if found else None

    async def list(
        self, status: Optional[str] = None, ids: Optional[List[int]] = None
    ) -> List[Ticket]:
        """Tickets with their transcripts, oldest first."""
        query = sa.select(tickets).order_by(tickets.c.created_at, tickets.c.id)
        if status is not None:
            query = query.where(tickets.c.status == status)
        if ids is not None:
            query = query.where(tickets.c.id.in_(ids))
        async with self.engine.connect() as connection:
            found = [Ticket(**row._mapping) for row in await connection.execute(query)]
            if not found:
                return []
            by_id = {t.id: t for t in found}
            rows = await connection.execute(
                sa.select(messages)
                .where(messages.c.ticket_id.in_(list(by_id)))
                .order_by(messages.c.at, messages.c.id)
            )
            for row in rows:
                by_id[row.ticket_id].transcript.append(Message(row.id, row.author, row.text, row.at, row.dutch))
        return found

    async def messages_after(
        self, conversation_id: str, after_id: int, authors: Iterable[str], not_channels: Iterable[str] = ()
    ) -> List[tuple]:
        """(message, ticket status, ticket id) of the conversation's messages after `after_id`,
        leaving out tickets of the channels in `not_channels`."""
        query = (
            sa.select(messages, tickets.c.status)
            .join(tickets, tickets.c.id == messages.c.ticket_id)
            .where(
                tickets.c.conversation_id == conversation_id,
                tickets.c.channel.not_in(list(not_channels)),
                messages.c.id > after_id,
                messages.c.author.in_(list(authors)),
            )
            .order_by(messages.c.id)
        )
        async with self.engine.connect() as connection:
            return [
                (Message(row.id, row.author, row.text, row.at), row.status, row.ticket_id)
                for row in await connection.execute(query)
            ]

    # --- outbox -------------------------------------------------------------------------

    async def claim_due(self, now: float, lease: float, limit: int = 20) -> List[OutboxItem]:
        """Outbox rows that are due, each claimed for `lease` seconds so that only one worker
        (of any number of web app processes) tries it at a time."""
        async with self.engine.connect() as connection:
            rows = (
                await connection.execute(
                    sa.select(outbox)
                    .where(
                        outbox.c.delivered_at.is_(None),
                        outbox.c.next_attempt_at <= now,
                        sa.or_(outbox.c.locked_until.is_(None), outbox.c.locked_until <= now),
                    )
                    .order_by(outbox.c.id)
                    .limit(limit)
                )
            ).fetchall()
        claimed: List[OutboxItem] = []
        for row in rows:
            async with self.engine.begin() as connection:
                result = await connection.execute(
                    outbox.update()
                    .where(
                        outbox.c.id == row.id,
                        outbox.c.delivered_at.is_(None),
                        sa.or_(outbox.c.locked_until.is_(None), outbox.c.locked_until <= now),
                    )
                    .values(locked_until=now + lease)
                )
            if result.rowcount == 1:
                claimed.append(OutboxItem(row.id, row.ticket_id, row.kind, json.loads(row.payload), row.attempts))
        return claimed

    async def mark_delivered(self, item_id: int, now: float) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                outbox.update()
                .where(outbox.c.id == item_id)
                .values(delivered_at=now, locked_until=None, last_error=None)
            )

    async def mark_failed(self, item_id: int, attempts: int, retry_at: float, error: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                outbox.update()
                .where(outbox.c.id == item_id)
                .values(attempts=attempts, next_attempt_at=retry_at, locked_until=None, last_error=error[:2000])
            )

    async def has_earlier_pending(self, item: OutboxItem) -> bool:
        """Whether an earlier row of the same ticket and kind is still undelivered."""
        async with self.engine.connect() as connection:
            earlier = await connection.scalar(
                sa.select(sa.func.count())
                .select_from(outbox)
                .where(
                    outbox.c.ticket_id == item.ticket_id,
                    outbox.c.kind == item.kind,
                    outbox.c.id < item.id,
                    outbox.c.delivered_at.is_(None),
                )
            )
        return bool(earlier)

    async def defer(self, item_id: int, until: float) -> None:
        """Puts a claimed row back, untried, to be looked at again at `until`."""
        async with self.engine.begin() as connection:
            await connection.execute(
                outbox.update().where(outbox.c.id == item_id).values(locked_until=None, next_attempt_at=until)
            )

    async def next_due(self) -> Optional[float]:
        """When the next undelivered row may be tried (its retry time, or its lease's end)."""
        due = sa.case(
            (outbox.c.locked_until > outbox.c.next_attempt_at, outbox.c.locked_until),
            else_=outbox.c.next_attempt_at,
        )
        async with self.engine.connect() as connection:
            return await connection.scalar(sa.select(sa.func.min(due)).where(outbox.c.delivered_at.is_(None)))

    async def outbox_status(self) -> Dict[str, int]:
        async with self.engine.connect() as connection:
            pending = await connection.scalar(
                sa.select(sa.func.count()).select_from(outbox).where(outbox.c.delivered_at.is_(None))
            )
            delivered = await connection.scalar(
                sa.select(sa.func.count()).select_from(outbox).where(outbox.c.delivered_at.is_not(None))
            )
        return {"pending": int(pending or 0), "delivered": int(delivered or 0)}

    # --- retention ----------------------------------------------------------------------

    async def delete_closed_before(self, moment: float) -> int:
        """Deletes tickets closed before `moment` with their messages and delivered outbox rows.

        A ticket whose escalation is still undelivered is kept until it is delivered.
        """
        async with self.engine.begin() as connection:
            undelivered = sa.select(outbox.c.ticket_id).where(outbox.c.delivered_at.is_(None))
            ids = [
                row.id
                for row in await connection.execute(
                    sa.select(tickets.c.id).where(
                        tickets.c.status == "closed",
                        tickets.c.closed_at < moment,
                        tickets.c.id.not_in(undelivered),
                    )
                )
            ]
            if not ids:
                return 0
            await connection.execute(messages.delete().where(messages.c.ticket_id.in_(ids)))
            await connection.execute(outbox.delete().where(outbox.c.ticket_id.in_(ids)))
            await connection.execute(tickets.delete().where(tickets.c.id.in_(ids)))
            return len(ids)
