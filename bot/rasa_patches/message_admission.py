"""Patch: each worker handles at most `BOT_MESSAGES_AT_ONCE` messages at once, in order.

Replaces: `rasa.core.processor.MessageProcessor.handle_message`, which now runs inside a
`MessageAdmission` (not installed when `BOT_MESSAGES_AT_ONCE=0`).
Why: a Rasa worker is one event loop; with 20 messages in progress each await puts a message back
behind all the others, so the slowest messages took several times the typical time (see
`MessageAdmission`).
Measured gain: not CPU (+1.5 % when switched off, 7 Dec: under the 3 % rule, kept on purpose)
but the tail under load: p99 at 20 conversations at once 299 against 822 ms, at 50 at once 523
against 1267 ms, same throughput (3 Dec, docs/performance.md).
Pinned by: tests/test_rasa_patches.py::test_messages_beyond_the_limit_wait_their_turn_and_all_are_answered,
::test_a_message_waits_no_longer_than_its_patience_behind_hanging_ones and
::test_a_message_given_up_while_waiting_does_not_keep_a_turn.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Dict, Tuple

from bot.rasa_patches.per_event_loop import of_this_loop
from bot.rasa_patches.replacements import Replacements

PATIENCE_SECONDS = 2.0


class MessageAdmission:
    """At most `limit` messages handled at once in each event loop; the others wait their turn,
    first come first served, but never longer than `patience` seconds.

    A Rasa worker is one event loop: the CPU work of a message (NLU, policies, store) runs between
    its awaits (the conversation lock, the action server, the store). With 20 messages in
    progress, each await puts a message back behind all the others, so one with three action
    calls waits three times as long as one without, and the slowest messages take several times
    the typical time. Admitted in order, a message waits once, then goes through; the loop still
    has other admitted messages to run while one waits for the action server. Messages of one
    conversation are admitted after they hold its lock (`Agent.handle_message`), so no admitted
    message waits for a lock. A message that has waited `patience` goes in anyway: admitted
    messages stuck on a hanging action server do not stop the worker answering."""

    def __init__(self, limit: int, patience: float = 2.0) -> None:
        self.limit = limit
        self.patience = patience
        self._queues: Dict[Any, Tuple[Any, Any]] = {}

    def _queue(self) -> "_AdmissionQueue":
        return of_this_loop(self._queues, None, lambda: _AdmissionQueue(asyncio.get_running_loop(), self.limit))

    async def run(self, work: Any) -> Any:
        """Awaits `work()` (a coroutine function) once admitted, or after `patience`."""
        queue = self._queue()
        admitted = await queue.enter(self.patience)
        try:
            return await work()
        finally:
            if admitted:
                queue.leave()


class _AdmissionQueue:
    """The messages in progress and waiting in one event loop (`MessageAdmission`)."""

    def __init__(self, loop: Any, limit: int) -> None:
        self.loop = loop
        self.limit = limit
        self.in_progress = 0
        self.waiting: Any = deque()

    async def enter(self, patience: float) -> bool:
        """True when admitted (and so to `leave`), False when it waited `patience` in vain."""
        if self.in_progress < self.limit and not self.waiting:
            self.in_progress += 1
            return True
        turn = self.loop.create_future()
        self.waiting.append(turn)
        try:
            await asyncio.wait((turn,), timeout=patience)
        except BaseException:  # cancelled while waiting: give back a turn already given
            self._give_up(turn)
            raise
        if turn.done():
            return True
        self._give_up(turn)
        return False

    def _give_up(self, turn: Any) -> None:
        if turn.done() and not turn.cancelled():
            self.leave()  # the turn was passed to it: pass it on
        else:
            turn.cancel()
            try:
                self.waiting.remove(turn)
            except ValueError:
                pass

    def leave(self) -> None:
        """A message is done: its turn goes to the first one waiting (in_progress unchanged)."""
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(True)
                return
        self.in_progress -= 1


def install(replacements: Replacements, settings: Any, patience: float = PATIENCE_SECONDS) -> None:
    if settings.messages_at_once <= 0:
        return
    from rasa.core.processor import MessageProcessor

    handle = MessageProcessor.handle_message
    admission = MessageAdmission(settings.messages_at_once, patience)

    async def handle_message(self: Any, message: Any) -> Any:
        """Rasa's `handle_message`, once admitted."""
        return await admission.run(lambda: handle(self, message))

    replacements.replace(MessageProcessor, "handle_message", handle_message)
