"""What the helpdesk does: open a ticket at a handoff, add what the user writes, send an agent's
reply to the user, close a ticket and give the conversation back to the assistant.

Everything is stored first; sending happens afterwards through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from bot.helpdesk.config import Clock, HelpdeskConfig
from bot.helpdesk.live import LiveUpdates
from bot.helpdesk.outbox import Outbox
from bot.helpdesk.store import NewMessage, Ticket, TicketStore
from bot.privacy.redaction import Redactor
from bot.content.translations import Translations

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
        redactor: Optional[Redactor] = None,
    ):
        """`redactor`: the deployment's (it leaves the assistant's public contacts alone)."""
        self.config = config
        self.store = store
        self.outbox = outbox
        self.live = live
        self.translations = translations
        self.clock = clock
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
            "transcript": [{"author": m.author, "text": m.text, "at": m.at} for m in transcript],
        }
        kinds = [kind for kind, on in (("smtp", self.config.smtp), ("webhook", self.config.webhook)) if on]
        return {kind: payload for kind in kinds}

    async def open(self, handoff: Handoff) -> Dict[str, Any]:
        """Stores the ticket (and its deliveries to an external helpdesk); says when a person
        will be there."""
        transcript = [
            NewMessage(m.author, self._private(m.text, handoff.shared) if m.author == "user" else m.text, m.at)
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

    async def add_user_message(self, conversation_id: str, text: str, at: float) -> Optional[int]:
        """Adds what the user wrote to their open ticket; None if there is none or the message
        was written before the handoff."""
        ticket = await self.store.open_ticket_for(conversation_id)
        if ticket is None or at <= ticket.handoff_after:
            return None
        await self.store.add_message(ticket.id, NewMessage("user", self._private(text, ticket.shared), at), {}, self.outbox.clock())
        return ticket.id

    async def _open_ticket(self, ticket_id: int) -> Ticket:
        ticket = await self.store.get(ticket_id)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        if not ticket.is_open:
            raise TicketClosed(ticket_id)
        return ticket

    async def reply(self, ticket_id: int, text: str) -> int:
        """Stores an agent's reply and sends it to the user's channel."""
        ticket = await self._open_ticket(ticket_id)
        now = self.clock()
        message_id = await self.store.add_message(
            ticket.id,
            NewMessage("agent", text, now),
            {"rasa": {"conversation_id": ticket.conversation_id, "events": [{"event": "bot", "text": text}]}},
            self.outbox.clock(),
        )
        self.live.notify(ticket.conversation_id)
        self.outbox.wake()
        return message_id

    def closing_text(self, language: str) -> str:
        return self.translations.text(CLOSING_TEXT, language).text

    async def close(self, ticket_id: int) -> Ticket:
        """Closes a ticket; the assistant takes the conversation back and says so."""
        ticket = await self._open_ticket(ticket_id)
        now = self.clock()
        text = self.closing_text(ticket.language)
        closed = await self.store.close_ticket(
            ticket.id,
            NewMessage("system", text, now),
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
                }
            },
            now,
            self.outbox.clock(),
        )
        if closed is None:
            raise TicketClosed(ticket_id)
        self.live.notify(ticket.conversation_id)
        self.outbox.wake()
        return await self.store.get(ticket.id)

    async def purge(self) -> int:
        """Deletes tickets closed longer ago than the retention period."""
        return await self.store.delete_closed_before(self.clock() - self.config.retention_days * 86400)
