"""The Rasa server's speed fixes change no behaviour: action-server answers are checked as before."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa_server import install_speedups


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    install_speedups()
    return RemoteAction("action_answer_topic", None)


def test_a_valid_action_answer_is_accepted(action):
    answer = {"events": [{"event": "slot", "name": "language", "value": "nl"}], "responses": [{"text": "Hallo"}]}
    assert action._validate_action_result(answer)


@pytest.mark.parametrize(
    "answer",
    [
        {"events": [{"event": "slot", "name": 42}]},
        {"events": "not a list"},
        {"responses": [42]},
    ],
)
def test_an_invalid_action_answer_is_refused_as_rasa_refuses_it(action, answer):
    with pytest.raises(jsonschema.ValidationError) as cached:
        action._validate_action_result(answer)
    with pytest.raises(jsonschema.ValidationError) as plain:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    assert cached.value.message.startswith(plain.value.message)
    assert "Failed to validate Action server response" in cached.value.message
