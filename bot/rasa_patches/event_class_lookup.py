"""Patch: the class of a stored event looked up once per kind.

Replaces: `rasa.shared.core.events.Event.resolve_by_type` (a staticmethod).
Why: Rasa finds the class of every stored event by walking all subclasses of `Event` (with an
`inspect.isabstract` check for each): 0.1 ms per event, for every event of the conversation on
every message. The class found for a type name is remembered; what Rasa does with an unknown
name (None for old `topic` events, the default, or an error) is unchanged.
Measured gain: a long conversation is read back 3x faster (docs/performance.md).
(7 Dec: switching it off added 6.1 % CPU per message (four-message conversations); `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_rasa_patches.py::test_events_resolve_to_the_classes_rasa_finds.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from bot.rasa_patches.replacements import Replacements


def install(replacements: Replacements, settings: Any) -> None:
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    rasa_resolve = Event.resolve_by_type
    known: Dict[Text, Any] = {}

    def resolve_by_type(type_name: Text, default: Any = None) -> Any:
        """Rasa's `Event.resolve_by_type`, remembering each class found."""
        found = known.get(type_name)
        if found is None:
            subclasses = rasa.shared.utils.common.all_subclasses(Event)
            found = next((c for c in subclasses if c.type_name == type_name), None)
            if found is None:
                return rasa_resolve(type_name, default)
            known[type_name] = found
        return found

    replacements.replace(Event, "resolve_by_type", staticmethod(resolve_by_type))
