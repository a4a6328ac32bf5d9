""""Was this helpful?" after an answer: asked once per conversation, never in a crisis or during a
handoff. The buttons' answers (`/feedback_helpful`, `/feedback_not_helpful`) are counted per topic
and language by `bot.analytics`; the rules in `data/rules/feedback.yml` answer them."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

ASKED_SLOT = "feedback_asked"
QUESTION = "utter_ask_helpful"
CRISIS_INTENT = "report_danger"
HANDOFF_ACTIONS = ("action_offer_handoff", "action_handoff")


def should_ask(tracker: Tracker) -> bool:
    """Not asked before, no crisis and no handoff (offered or under way) in this conversation."""
    if tracker.get_slot(ASKED_SLOT) or tracker.is_paused():
        return False
    for event in tracker.events:
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") == CRISIS_INTENT:
            return False
        if event.get("event") == "action" and event.get("name") in HANDOFF_ACTIONS:
            return False
    return (tracker.latest_message.get("intent") or {}).get("name") != CRISIS_INTENT


def ask_once(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]]:
    """Asks "Was this helpful?" when `should_ask`; the events that remember it was asked."""
    if not should_ask(tracker):
        return []
    dispatcher.utter_message(response=QUESTION)
    return [SlotSet(ASKED_SLOT, True)]
