"""Patch: an action server's answer checked against a JSON-schema validator built once.

Replaces: `rasa.core.actions.action.RemoteAction._validate_action_result`.
Why: Rasa 3.6 checks every answer of the action server with `jsonschema.validate`, which first
checks the (large) event schema itself against the JSON Schema meta-schema: with jsonschema 4.17,
80-170 ms of CPU per custom-action call on this machine, more than all the rest of a message.
The schema is now checked once and the validator reused: the same checks of each answer, the
same error when an answer is invalid. A valid answer is recognised by checking each event only
against the event kind its name says (`ActionAnswerValidator`), not against all 23 kinds of the
schema's `oneOf`.
Measured gain: -80 to -170 ms CPU per fact answer, then ~10 % of the Rasa process's CPU
(docs/performance.md).
(7 Dec: switching it off added 99 % CPU per message; `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_rasa_patches.py::test_action_answers_are_accepted_and_refused_as_jsonschema_does
(600 generated answers) and ::test_an_invalid_action_answer_is_refused_as_rasa_refuses_it.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Text

import jsonschema

from bot.rasa_patches.replacements import Replacements


class ActionAnswerValidator:
    """Rasa's check of an action server's answer against its JSON schema, with the schema checked
    once (not on every call, as `jsonschema.validate` does), and a valid answer recognised
    quickly: each event of an answer must match exactly one of the schema's 23 event kinds
    (`oneOf`), and jsonschema tried all 23 on every event. Each kind fixes the `event` name
    (`const`, all different), so an event can only match the kind of its name: a valid answer is
    one that passes the schema without the `oneOf` and whose every event passes its own kind.
    Anything else gets jsonschema's full check and its best error, as before."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)  # what jsonschema.validate did on every call, once
        self._full = validator_class(schema)
        self._without_kinds: Any = None
        self._kinds: Dict[Any, Any] = {}
        try:
            events = schema["properties"]["events"]["items"]
            kinds = {kind["properties"]["event"]["const"]: kind for kind in events["oneOf"]}
            named = "event" in events["required"] and len(kinds) == len(events["oneOf"])
        except (KeyError, TypeError):
            named = False
        if named:  # else every answer gets the full check
            without_kinds = copy.deepcopy(schema)
            del without_kinds["properties"]["events"]["items"]["oneOf"]
            self._without_kinds = validator_class(without_kinds)
            self._kinds = {name: validator_class(kind) for name, kind in kinds.items()}

    def first_error(self, answer: Any) -> Any:
        """None for a valid answer, else the error `jsonschema.validate` would raise."""
        if self._is_valid_by_kind(answer):
            return None
        return jsonschema.exceptions.best_match(self._full.iter_errors(answer))

    def _is_valid_by_kind(self, answer: Any) -> bool:
        if self._without_kinds is None or not self._without_kinds.is_valid(answer):
            return False
        for event in answer.get("events") or ():
            kind = self._kinds.get(event["event"]) if isinstance(event["event"], str) else None
            if kind is None or not kind.is_valid(event):
                return False
        return True


def install(replacements: Replacements, settings: Any) -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    validator = ActionAnswerValidator(RemoteAction.action_response_format_spec())

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        """Rasa's check, with the validator built once; the same error as Rasa's."""
        error = validator.first_error(result)
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    replacements.replace(RemoteAction, "_validate_action_result", _validate_action_result)
