"""Helpdesk agents as people: one account per agent, and an audit log of who read, answered and
closed which ticket (the AVG asks who saw a conversation).

An account has a name, an API token and optionally a password for the inbox page. Neither is
stored: the token (32 random bytes, so it cannot be guessed) as its SHA-256, which finds the
account in one indexed lookup; the password (chosen by a person, so it may be weak) as a salted
scrypt hash. `HELPDESK_AGENT_TOKEN` stays the admin key: it acts as the agent "admin" and may
add and remove accounts and read the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.helpdesk.store import metadata

ADMIN = "admin"
ZAMMAD_PREFIX = "zammad:"  # agents who work in Zammad: `zammad:<their Zammad login>`
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
ACTIONS = ("read", "answered", "closed", "added_agent", "removed_agent")

agents = sa.Table(
    "helpdesk_agents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("removed_at", sa.Float, nullable=True),
)

audit = sa.Table(
    "helpdesk_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("agent", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.Integer, nullable=True, index=True),
    sa.Column("detail", sa.String(255), nullable=True),
    sa.Column("at", sa.Float, nullable=False),
)


class AgentExists(ValueError):
    """An account with this name exists already."""


@dataclass(frozen=True)
class Agent:
    """Who is acting: an account's name, or the admin key."""

    name: str

    @property
    def is_admin(self) -> bool:
        return self.name == ADMIN

    @property
    def in_zammad(self) -> bool:
        """Acting in Zammad (through its webhook), so Zammad knows already."""
        return self.name.startswith(ZAMMAD_PREFIX)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def password_hash(password: str, salt: Optional[bytes] = None) -> str:
    """`scrypt$<salt hex>$<hash hex>` of a password."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: Optional[str]) -> bool:
    if not stored or stored.count("$") != 2:
        return False
    _, salt, _ = stored.split("$")
    return hmac.compare_digest(password_hash(password, bytes.fromhex(salt)).encode(), stored.encode())


class Agents:
    """Accounts and the audit log, in the helpdesk's database."""

    def __init__(self, engine: AsyncEngine, admin_token: Optional[str]):
        self.engine = engine
        self.admin_token = admin_token

    async def add(self, name: str, password: Optional[str], now: float) -> str:
        """Adds an account; returns its token (shown once, never stored)."""
        if not NAME.match(name) or name == ADMIN:
            raise ValueError("a name is 2-63 lower-case letters, digits, dots, dashes or underscores, not 'admin'")
        token = secrets.token_urlsafe(32)
        async with self.engine.begin() as connection:
            taken = await connection.scalar(sa.select(agents.c.id).where(agents.c.name == name))
            if taken is not None:
                raise AgentExists(name)
            await connection.execute(
                agents.insert().values(
                    name=name,
                    token_hash=token_hash(token),
                    password_hash=password_hash(password) if password else None,
                    created_at=now,
                )
            )
        return token

    async def remove(self, name: str, now: float) -> bool:
        """Closes an account (its audit entries stay); False if there was no such account."""
        async with self.engine.begin() as connection:
            changed = await connection.execute(
                agents.update().where(agents.c.name == name, agents.c.removed_at.is_(None)).values(removed_at=now)
            )
        return changed.rowcount == 1

    async def names(self) -> List[Dict[str, Any]]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(agents.c.name, agents.c.created_at, agents.c.removed_at).order_by(agents.c.name)
            )
            return [dict(row._mapping) for row in rows]

    async def by_token(self, token: str) -> Optional[Agent]:
        """The agent a bearer token belongs to (the admin key gives the admin)."""
        if not token:
            return None
        if self.admin_token and hmac.compare_digest(token.encode("utf-8"), self.admin_token.encode("utf-8")):
            return Agent(ADMIN)
        async with self.engine.connect() as connection:
            name = await connection.scalar(
                sa.select(agents.c.name).where(agents.c.token_hash == token_hash(token), agents.c.removed_at.is_(None))
            )
        return Agent(name) if name else None

    async def by_password(self, name: str, password: str) -> Optional[Agent]:
        async with self.engine.connect() as connection:
            stored = await connection.scalar(
                sa.select(agents.c.password_hash).where(agents.c.name == name, agents.c.removed_at.is_(None))
            )
        return Agent(name) if password_matches(password, stored) else None

    async def still_active(self, name: str) -> bool:
        if name == ADMIN:
            return bool(self.admin_token)
        async with self.engine.connect() as connection:
            found = await connection.scalar(
                sa.select(agents.c.id).where(agents.c.name == name, agents.c.removed_at.is_(None))
            )
        return found is not None

    async def record(self, agent: Agent, action: str, ticket_id: Optional[int], now: float, detail: str = "") -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                audit.insert().values(agent=agent.name, action=action, ticket_id=ticket_id, detail=detail[:255] or None, at=now)
            )

    async def log(self, ticket_id: Optional[int] = None, agent: Optional[str] = None) -> List[Dict[str, Any]]:
        """Audit entries, oldest first, for one ticket and/or one agent."""
        query = sa.select(audit).order_by(audit.c.at, audit.c.id)
        if ticket_id is not None:
            query = query.where(audit.c.ticket_id == ticket_id)
        if agent is not None:
            query = query.where(audit.c.agent == agent)
        async with self.engine.connect() as connection:
            return [dict(row._mapping) for row in await connection.execute(query)]
