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
server again, so answers resume by themselves when it is back.
Installed by `bot.tracker_store.RedactingTrackerStore` when Rasa creates it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, List

import rasa.core.actions.action as rasa_actions
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)
UNAVAILABLE_RESPONSES = ("utter_action_unavailable", "utter_human_contacts")
DEFAULT_TIMEOUT_SECONDS = 4.0


class RemoteActionWithFallback(RemoteAction):
    """Rasa's remote action with a timeout and a message to the user when the call fails."""

    def timeout(self) -> float:
        configured = self.action_endpoint.kwargs.get("timeout") if self.action_endpoint else None
        return float(configured or DEFAULT_TIMEOUT_SECONDS)

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await asyncio.wait_for(
                super().run(output_channel, nlg, tracker, domain), self.timeout()
            )
        except ActionExecutionRejection:
            raise
        except (RasaException, asyncio.TimeoutError) as problem:
            logger.error("Custom action '%s' failed (%s); telling the user", self.name(), problem or "timeout")
            messages = []
            for response in UNAVAILABLE_RESPONSES:
                draft = await nlg.generate(response, tracker, output_channel.name())
                if not draft:
                    logger.error("The domain has no %s: the user does not get it", response)
                    continue
                draft["utter_action"] = response
                messages.append(create_bot_utterance(draft))
            return messages


def install() -> None:
    """Makes Rasa create `RemoteActionWithFallback` for every custom action from now on."""
    rasa_actions.RemoteAction = RemoteActionWithFallback
