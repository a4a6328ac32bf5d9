"""The conversation's starting language: a hint from the channel when nothing else is known.

Channels put the user's device or account language into the message metadata as
`{"language_hint": "uk"}` (Telegram's `language_code`, the widget's browser language). Rasa puts
the first message's metadata into the `session_started_metadata` slot before this action runs.
`action_session_start` (actions/handoff.py, which also keeps a handoff's pause) asks
`starting_language` for it. The hint only fills an empty `language` slot: a language the user chose or wrote in before wins,
and what the user writes in this very message (the `language` entity) is applied after it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

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


def starting_language(tracker: Tracker, carried_over: bool = True) -> List[Dict[Text, Any]]:
    """The event that starts a session in the channel's hinted language, if it has none.

    Called by the project's `action_session_start` (actions/handoff.py) after it has carried the
    slots over; `carried_over` says whether it did (the domain's session_config).
    """
    if carried_over and tracker.get_slot(LANGUAGE_SLOT) is not None:
        return []
    metadata = tracker.get_slot(METADATA_SLOT) or {}
    if not isinstance(metadata, dict):
        return []
    hinted = language_from_hint(metadata.get(HINT_KEY), texts.translations().codes)
    return [SlotSet(LANGUAGE_SLOT, hinted)] if hinted else []
