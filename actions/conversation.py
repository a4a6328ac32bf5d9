"""Conversation housekeeping: starting again without losing the chosen language."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionRestart(Action):
    """Forgets the conversation but keeps its language, so the user is not asked again."""

    def name(self) -> Text:
        return "action_restart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = tracker.get_slot("language")
        dispatcher.utter_message(response="utter_restarted")
        return [Restarted(), SlotSet("language", language)]
