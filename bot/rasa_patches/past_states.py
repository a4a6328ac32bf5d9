"""Patch: a tracker remembers the states it gave until an event is added.

Replaces: `rasa.shared.core.trackers.DialogueStateTracker.past_states` (Rasa's own stays as
`rasa_past_states`).
Why: every policy turns the whole conversation into states (replaying all its events), and the
rule policy does so several times per prediction: ~19 % of a message's CPU, growing with the
conversation. A tracker now remembers the states it gave, for as long as nothing was added to its
events (the same number of events, the same last event) and for the same domain and arguments;
each caller gets its own copy of the states and of their parts, which Rasa's featurizers change in
place (the values inside are strings, numbers and tuples).
Measured gain: ~1 in 5 of those replays saved (docs/performance.md; `make bench` measures it again).
Pinned by: tests/test_rasa_patches.py::test_a_tracker_gives_the_states_rasa_gives_however_often_it_is_asked.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from bot.rasa_patches.replacements import Replacements

# The attribute of a tracker under which its states are kept.
PAST_STATES = "_werkwijzer_past_states"


def install(replacements: Replacements, settings: Any) -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    replacements.add(DialogueStateTracker, "rasa_past_states", DialogueStateTracker.past_states)

    def past_states(
        self: DialogueStateTracker,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[Text, Any]] = None,
    ) -> List[Any]:
        """Rasa's `past_states`, remembered until an event is added; a fresh copy for each caller."""
        memory = self.__dict__.setdefault(PAST_STATES, {})
        key = (id(domain), omit_unset_slots, ignore_rule_only_turns, json.dumps(rule_only_data, sort_keys=True))
        last = self.events[-1] if self.events else None
        kept = memory.get(key)
        if kept is None or kept[0] is not domain or kept[1] != len(self.events) or kept[2] is not last:
            states = self.rasa_past_states(domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            kept = memory[key] = (domain, len(self.events), last, states)
        return [{part: dict(features) for part, features in state.items()} for state in kept[3]]

    replacements.replace(DialogueStateTracker, "past_states", past_states)
