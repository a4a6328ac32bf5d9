"""The conversation's starting language: a hint from the channel when nothing else is known.

Channels put the user's device or account language into the message metadata as
`{"language_hint": "uk"}` (Telegram's `language_code`, the widget's browser language). Rasa puts
the first message's metadata into the `session_started_metadata` slot before this action runs.
The hint only fills an empty `language` slot: a language the user chose or wrote in before wins,
and what the user writes in this very message (the `language` entity) is applied after it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts

LANGUAGE_SLOT = "language"
METADATA_SLOT = "session_started_metadata"
HINT_KEY = "language_hint"
# Codes a channel may send for one of ours: Dari (prs) and Persian (pes) are read as Farsi.
HINT_ALIASES = {"prs": "fa", "pes": "fa", "per": "fa", "tir": "ti", "ukr": "uk", "ara": "ar"}


def language_from_hint(hint: Any, supported: Iterable[str]) -> Optional[str]:
    """The supported language a channel's hint stands for ("uk-UA" → "uk"), or None."""
    if not isinstance(hint, str) or not hint.strip():
        return None
    code = hint.strip().replace("_", "-").split("-")[0].lower()
    code = HINT_ALIASES.get(code, code)
    return code if code in set(supported) else None


class ActionSessionStart(Action):
    """Starts a session like Rasa does (carrying the slots over), then applies the channel hint."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        carry_over = (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True)
        if carry_over:
            events += [
                SlotSet(name, value)
                for name, value in tracker.current_slot_values().items()
                if value is not None and name != METADATA_SLOT
            ]
        language = tracker.get_slot(LANGUAGE_SLOT) if carry_over else None
        metadata = tracker.get_slot(METADATA_SLOT) or {}
        if language is None and isinstance(metadata, dict):
            hinted = language_from_hint(metadata.get(HINT_KEY), texts.translations().codes)
            if hinted:
                events.append(SlotSet(LANGUAGE_SLOT, hinted))
        events.append(ActionExecuted("action_listen"))
        return events
