"""Patch: the rule policy finds the rules that apply with an index of its rules.

Replaces: `rasa.core.policies.rule_policy.RulePolicy._get_possible_keys` (Rasa's own stays as
`rasa_get_possible_keys`) and `RulePolicy.load` (a policy loaded from a trained model gets
`rule_indexes`; one being trained still changes its rules and keeps Rasa's way).
Why: Rasa checks every rule against every state of the conversation, newest first (tens of
thousands of checks a message, ~10 % of its CPU), parsing each rule's JSON key again for every
check (`RuleIndex` below says how the index finds the same rules).
Measured gain: `_get_possible_keys` 1.9 -> 0.15 ms CPU a message (profiler; docs/performance.md).
(7 Dec: switching it off added 7.7 % CPU per message; `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_rasa_patches.py::test_the_rule_policy_finds_the_rules_rasa_finds_with_its_index
(every prefix of every conversation test and training rule).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Set, Text, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER

from bot.rasa_patches.replacements import Replacements


class RuleIndex:
    """The rules of one RulePolicy lookup, ready for finding those that apply to a conversation.

    Rasa's `_get_possible_keys` checks every rule against every state of the conversation, newest
    first (tens of thousands of checks a message, ~10 % of its CPU), parsing each rule's JSON key
    again for every check and going on past the rule's length, where every rule passes. Here each
    rule is parsed once, checked only as far back as it is long, and only the rules whose newest
    state asks for the conversation's last action and intent (or for none) are checked at all:
    a rule that names another action or intent can never pass Rasa's check (`_does_rule_match_state`
    wants them equal). Each remaining check is Rasa's own, so the same rules are found."""

    ANY = None

    def __init__(self, lookup: Dict[Text, Text]) -> None:
        self.lookup = lookup
        self.rules: Dict[Text, List[Any]] = {key: list(reversed(json.loads(key))) for key in lookup}
        self.groups: Dict[Tuple[Any, Any], List[Text]] = {}
        for key, states in self.rules.items():
            newest = states[0] if states else {}
            group = (self._required(newest, PREVIOUS_ACTION, "action_name"), self._required(newest, USER, "intent"))
            self.groups.setdefault(group, []).append(key)

    @staticmethod
    def _required(state: Dict[Text, Any], part: Text, name: Text) -> Any:
        value = (state.get(part) or {}).get(name)
        return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else RuleIndex.ANY

    def candidates(self, newest: Dict[Text, Any]) -> Iterable[Text]:
        """The rules that may apply when the conversation's newest state is `newest`."""
        if not newest.get(PREVIOUS_ACTION):  # a conversation start: Rasa lets any rule's start pass
            return self.rules.keys()
        action = newest[PREVIOUS_ACTION].get("action_name")
        intent = (newest.get(USER) or {}).get("intent")
        found: List[Text] = []
        for group in {(action, intent), (action, self.ANY), (self.ANY, intent), (self.ANY, self.ANY)}:
            found.extend(self.groups.get(group, ()))
        return found

    def possible_keys(self, policy: Any, states: List[Any]) -> Set[Text]:
        """What Rasa's `policy._get_possible_keys(self.lookup, states)` returns."""
        if not states:
            return set(self.lookup)
        newest_first = states[::-1]
        matches = policy._does_rule_match_state
        found = set()
        for key in self.candidates(newest_first[0]):
            for rule_state, state in zip(self.rules[key], newest_first):
                rule_action, action = rule_state.get(PREVIOUS_ACTION), state.get(PREVIOUS_ACTION)
                if not rule_action and not action:
                    continue
                if not rule_action or not action or not matches(rule_state, state):
                    break
            else:
                found.add(key)
        return found


def install(replacements: Replacements, settings: Any) -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    replacements.add(RulePolicy, "rasa_get_possible_keys", RulePolicy._get_possible_keys)
    load_policy = RulePolicy.load.__func__

    def load(cls, *args: Any, **kwargs: Any) -> Any:
        """Rasa's load; the loaded policy indexes its rules (they no longer change)."""
        policy = load_policy(cls, *args, **kwargs)
        policy.rule_indexes = {}
        return policy

    def _get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[Any]) -> Set[Text]:
        indexes = getattr(self, "rule_indexes", None)
        if indexes is None:
            return self.rasa_get_possible_keys(lookup, states)
        index = indexes.get(id(lookup))
        if index is None or index.lookup is not lookup:  # a loaded policy's lookups never change
            index = indexes[id(lookup)] = RuleIndex(lookup)
        return index.possible_keys(self, states)

    replacements.replace(RulePolicy, "_get_possible_keys", _get_possible_keys)
    replacements.replace(RulePolicy, "load", classmethod(load))
