"""What the helpdesk does: open a ticket at a handoff, add what the user writes, send an agent's
reply to the user, close a ticket and give the conversation back to the assistant.

Everything is stored first; sending happens afterwards through the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from bot.content.translations import Translations
from bot.helpdesk.agents import Agent, Agents
from bot.helpdesk.config import Clock, HelpdeskConfig
from bot.helpdesk.dutch import DutchTexts
from bot.helpdesk.live import LiveUpdates
from bot.helpdesk.macros import FREE_TEXT_LANGUAGES, Macros
from bot.helpdesk.outbox import Outbox
from bot.helpdesk.store import NewMessage, Ticket, TicketStore
from bot.privacy.redaction import Redactor

CLOSING_TEXT = "utter_handoff_closed"


class TicketNotFound(LookupError):
    """No ticket with this id."""


class TicketClosed(ValueError):
    """The ticket is closed; it takes no replies."""


@dataclass(frozen=True)
class Handoff:
    """A conversation handed to a person, as the assistant's action sends it."""

    conversation_id: str
    channel: str
    language: str
    topic: str
    reason: str
    shared: bool
    handoff_after: float
    transcript: List[NewMessage]


class Helpdesk:
    def __init__(
        self,
        config: HelpdeskConfig,
        store: TicketStore,
        outbox: Outbox,
        live: LiveUpdates,
        translations: Translations,
        clock: Clock,
        macros: Macros,
        agents: Agents,
        redactor: Optional[Redactor] = None,
    ):
        """`redactor`: the deployment's (it leaves the assistant's public contacts alone)."""
        self.config = config
        self.store = store
        self.outbox = outbox
        self.live = live
        self.translations = translations
        self.clock = clock
        self.dutch = DutchTexts(translations)
        self.macros = macros
        self.agents = agents
        self.redactor = redactor or Redactor()

    def _private(self, text: str, shared: bool) -> str:
        return text if shared else self.redactor.redact(text)

    def _external_deliveries(self, handoff: Handoff, transcript: List[NewMessage]) -> Dict[str, Dict[str, Any]]:
        payload = {
            "conversation_id": handoff.conversation_id,
            "channel": handoff.channel,
            "language": handoff.language,
            "topic": handoff.topic,
            "reason": handoff.reason,
            "transcript": [{"author": m.author, "text": m.text, "at": m.at, "dutch": m.dutch} for m in transcript],
        }
        kinds = [
            kind
            for kind, on in (("smtp", self.config.smtp), ("webhook", self.config.webhook), ("zammad", self.config.zammad))
            if on
        ]
        return {kind: payload for kind in kinds}

    async def open(self, handoff: Handoff) -> Dict[str, Any]:
        """Stores the ticket (and its deliveries to an external helpdesk); says when a person
        will be there."""
        transcript = [
            NewMessage(m.author, self._private(m.text, handoff.shared) if m.author == "user" else m.text, m.at, m.dutch)
            for m in handoff.transcript
        ]
        now = self.clock()
        ticket_id = await self.store.open_ticket(
            conversation_id=handoff.conversation_id,
            channel=handoff.channel,
            language=handoff.language,
            topic=handoff.topic,
            reason=handoff.reason,
            shared=handoff.shared,
            handoff_after=handoff.handoff_after,
            transcript=transcript,
            deliveries=self._external_deliveries(handoff, transcript),
            now=now,
            due=self.outbox.clock(),
        )
        self.outbox.wake()
        opening = self.config.office_hours.next_opening(now)
        return {
            "ticket_id": ticket_id,
            "office_open": opening is None,
            "next_opening": opening.isoformat() if opening else None,
        }

    def _to_zammad(self, agent: Agent, delivery: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
        """The delivery to Zammad of what `agent` did, when tickets live in Zammad too and the
        agent did not do it in Zammad itself."""
        return {"zammad": delivery} if self.config.zammad and not agent.in_zammad else {}

    async def add_user_message(
        self, conversation_id: str, text: str, at: float, dutch: Optional[str] = None
    ) -> Optional[int]:
        """Adds what the user wrote (and its Dutch summary) to their open ticket; None if there
        is none or the message was written before the handoff."""
        ticket = await self.store.open_ticket_for(conversation_id)
        if ticket is None or at <= ticket.handoff_after:
            return None
        message = NewMessage("user", self._private(text, ticket.shared), at, dutch)
        deliveries = {}
        if self.config.zammad:
            entry = {"author": "user", "text": message.text, "at": at, "dutch": dutch}
            deliveries["zammad"] = {"action": "article", "ticket_id": ticket.id, "message": entry}
        await self.store.add_message(ticket.id, message, deliveries, self.outbox.clock())
        self.outbox.wake()
        return ticket.id

    async def _open_ticket(self, ticket_id: int) -> Ticket:
        ticket = await self.store.get(ticket_id)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        if not ticket.is_open:
            raise TicketClosed(ticket_id)
        return ticket

    async def read(self, ticket_id: int, agent: Agent) -> Ticket:
        """A ticket with its transcript, as `agent` opens it (recorded in the audit log)."""
        ticket = await self.store.get(ticket_id)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        await self.agents.record(agent, "read", ticket.id, self.clock())
        return ticket

    async def list(self, status: Optional[str], agent: Agent, with_transcripts: bool = True) -> List[Ticket]:
        """Tickets; each one whose transcript `agent` gets is recorded as read."""
        found = await self.store.list(status)
        if with_transcripts:
            now = self.clock()
            for ticket in found:
                await self.agents.record(agent, "read", ticket.id, now)
        return found

    async def reply(
        self,
        ticket_id: int,
        agent: Agent,
        text: Optional[str] = None,
        macro: Optional[str] = None,
        written_in: str = "nl",
    ) -> int:
        """Stores an agent's reply and sends it to the user's channel: a macro in the user's
        language, or free text as typed with a note on its language. Raises UnknownMacro."""
        if written_in not in FREE_TEXT_LANGUAGES:
            raise ValueError(f"written_in must be one of {FREE_TEXT_LANGUAGES}")
        ticket = await self._open_ticket(ticket_id)
        now = self.clock()
        day = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
        if macro is not None:
            sent = self.macros.text(macro, ticket.language, day)
            dutch = self.macros.text(macro, self.translations.default, day)
        else:
            sent = self.macros.free_text(text or "", written_in, ticket.language)
            dutch = text
        entry = {"author": "agent", "text": sent, "at": now, "dutch": dutch}
        message_id = await self.store.add_message(
            ticket.id,
            NewMessage("agent", sent, now, dutch),
            {
                "rasa": {"conversation_id": ticket.conversation_id, "events": [{"event": "bot", "text": sent}]},
                **self._to_zammad(agent, {"action": "article", "ticket_id": ticket.id, "message": entry, "internal": True}),
            },
            self.outbox.clock(),
        )
        await self.agents.record(agent, "answered", ticket.id, now, macro or "free text")
        self.live.notify(ticket.conversation_id)
        self.outbox.wake()
        return message_id

    def closing_text(self, language: str) -> str:
        return self.translations.text(CLOSING_TEXT, language).text

    async def close(self, ticket_id: int, agent: Agent) -> Ticket:
        """Closes a ticket; the assistant takes the conversation back and says so."""
        ticket = await self._open_ticket(ticket_id)
        now = self.clock()
        text = self.closing_text(ticket.language)
        closed = await self.store.close_ticket(
            ticket.id,
            NewMessage("system", text, now, self.closing_text(self.translations.default)),
            {
                "rasa": {
                    "conversation_id": ticket.conversation_id,
                    # action_listen: the next user message is read as in any conversation,
                    # not as an answer to the handoff action.
                    "events": [
                        {"event": "resume"},
                        {"event": "action", "name": "action_listen"},
                        {"event": "bot", "text": text},
                    ],
                },
                **self._to_zammad(agent, {"action": "close", "ticket_id": ticket.id, "note": f"Gesloten door {agent.name}."}),
            },
            now,
            self.outbox.clock(),
        )
        if closed is None:
            raise TicketClosed(ticket_id)
        await self.agents.record(agent, "closed", ticket.id, now)
        self.live.notify(ticket.conversation_id)
        self.outbox.wake()
        return await self.store.get(ticket.id)

    async def close_after_restart(self, conversation_id: str, at: float) -> Optional[int]:
        """The user started again (/restart) during a handoff: closes their open ticket with a
        note for the agents (the user already has the assistant back, so nothing is sent).
        Returns the ticket's id, or None when there was no open ticket."""
        ticket = await self.store.open_ticket_for(conversation_id)
        if ticket is None:
            return None
        note = self.dutch.wording.restart_note
        now = self.clock()
        user = Agent("user")
        closing = self._to_zammad(user, {"action": "close", "ticket_id": ticket.id, "note": note})
        if await self.store.close_ticket(ticket.id, NewMessage("note", note, at or now, note), closing, now, self.outbox.clock()) is None:
            return None
        await self.agents.record(user, "closed", ticket.id, now, "restart")
        self.live.notify(ticket.conversation_id)
        self.outbox.wake()
        return ticket.id

    async def purge(self) -> int:
        """Deletes tickets closed longer ago than the retention period."""
        return await self.store.delete_closed_before(self.clock() - self.config.retention_days * 86400)
