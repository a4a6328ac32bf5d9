"""A clear message instead of silence when the action server is down, slow or failing.

Rasa 3.6 calls custom actions with a fixed 300 s timeout, and when a call fails it logs the error
and goes on without any message, so the user hears nothing (RasaHQ/rasa#5588). Rasa has no setting
for either, so while the Rasa server runs, its `RemoteAction` is replaced by
`RemoteActionWithFallback`: the call gets the timeout set in the endpoints file

    action_endpoint:
      url: "http://127.0.0.1:5055/webhook"
      timeout: 4          # seconds (default 4)

and when it fails, the user gets `utter_action_unavailable` and `utter_human_contacts` in the
conversation's language (built from translations/ like every other text; no buttons, since
buttons lead to custom actions too). Nothing else changes: the next message calls the action
server again, so answers resume by themselves when it is back. A form whose validation action
fails says the same and stays where it was (the answer is not taken unvalidated).
After the message the assistant waits for the user; when `action_session_start` fails, Rasa's own
session start is used, silently (the answer to the message says what is wrong).
Installed by the process that runs the Rasa server (`bot.runtime.safeguards`), whatever
tracker store it uses and whether or not the Rasa patches are on.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, List

import rasa.core.actions.action as rasa_actions
import rasa.core.actions.forms as rasa_forms
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.core.actions.forms import FormAction
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import FollowupAction
from rasa.shared.exceptions import RasaException

from bot.rasa_patches.replacements import Replacements

logger = logging.getLogger(__name__)
UNAVAILABLE_RESPONSES = ("utter_action_unavailable", "utter_human_contacts")
DEFAULT_TIMEOUT_SECONDS = 4.0


class RemoteActionWithTimeout(RemoteAction):
    """Rasa's remote action, failing with a RasaException after the configured timeout."""

    def timeout(self) -> float:
        configured = self.action_endpoint.kwargs.get("timeout") if self.action_endpoint else None
        return float(configured or DEFAULT_TIMEOUT_SECONDS)

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await asyncio.wait_for(super().run(output_channel, nlg, tracker, domain), self.timeout())
        except asyncio.TimeoutError as timeout:
            raise RasaException(f"custom action '{self.name()}' took longer than {self.timeout():g} s") from timeout


async def unavailable(nlg: Any, tracker: Any, output_channel: Any) -> List[Any]:
    """The messages that tell the user a part of the assistant is not working."""
    messages = []
    for response in UNAVAILABLE_RESPONSES:
        draft = await nlg.generate(response, tracker, output_channel.name())
        if not draft:
            logger.error("The domain has no %s: the user does not get it", response)
            continue
        draft["utter_action"] = response
        messages.append(create_bot_utterance(draft))
    return messages


async def run_or_say_unavailable(run: Awaitable[List[Any]], name: str, nlg: Any, tracker: Any, output_channel: Any) -> List[Any]:
    """The events of `run`, or the unavailable messages when it fails (a rejection still rejects)."""
    try:
        return await run
    except ActionExecutionRejection:
        raise
    except RasaException as problem:
        logger.error("'%s' failed (%s); telling the user", name, problem)
        # ... and then waiting for the user: without the action's events no rule knows what comes
        # next, and Rasa's fallback would add "sorry, I did not understand" to the message.
        return [*await unavailable(nlg, tracker, output_channel), FollowupAction(ACTION_LISTEN_NAME)]


class RemoteActionWithFallback(RemoteActionWithTimeout):
    """A custom action whose failure the user hears about. When the project's session start
    fails, Rasa's own starts the session (silently: the answer to the message says it)."""

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        if self.name() == ACTION_SESSION_START_NAME:
            try:
                return await super().run(output_channel, nlg, tracker, domain)
            except RasaException as problem:
                logger.error("'%s' failed (%s); starting the session as Rasa does", self.name(), problem)
                return await rasa_actions.ActionSessionStart().run(output_channel, nlg, tracker, domain)
        return await run_or_say_unavailable(
            super().run(output_channel, nlg, tracker, domain), self.name(), nlg, tracker, output_channel
        )


class FormActionWithFallback(FormAction):
    """A form whose validation action fails says so and stays where it was: the slot is not
    taken unvalidated, and the next message tries the validation again."""

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        return await run_or_say_unavailable(
            super().run(output_channel, nlg, tracker, domain), self.name(), nlg, tracker, output_channel
        )


def install(replacements: Replacements) -> None:
    """Makes Rasa create these actions from now on: every custom action gets the fallback; a
    form's validation action gets the timeout and the form the fallback."""
    replacements.replace(rasa_actions, "RemoteAction", RemoteActionWithFallback)
    replacements.replace(rasa_forms, "RemoteAction", RemoteActionWithTimeout)
    replacements.replace(rasa_forms, "FormAction", FormActionWithFallback)
