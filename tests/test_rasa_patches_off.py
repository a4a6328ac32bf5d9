"""`BOT_RASA_PATCHES=off` runs plain Rasa and serves the same answers as the patched server.

Two stacks, one without the Rasa patches and one with them, are asked every question of the
knowledge evaluation (evaluation/questions.yml, with its follow-up answers), each question in a
conversation of its own; the recognised intent and every reply must be the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Tuple

import pytest

from bot.tools.evaluation import DEFAULT_QUESTIONS, RestClient, load_questions, run_questions
from tests.conftest import PROJECT, Assistant, start_assistant

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def plain_and_patched(tmp_path_factory) -> Iterator[Tuple[Assistant, Assistant]]:
    plain = start_assistant(tmp_path_factory.mktemp("plain"), env={"BOT_RASA_PATCHES": "off"})
    try:
        patched = start_assistant(tmp_path_factory.mktemp("patched"))
    except BaseException:
        plain.stack.stop()
        raise
    yield plain, patched
    patched.stack.stop()
    plain.stack.stop()


def rasa_log(assistant: Assistant) -> str:
    return (Path(assistant.settings.data_dir) / "logs" / "rasa-server.log").read_text(encoding="utf-8", errors="replace")


def test_plain_rasa_gives_the_same_answers_to_the_evaluation_questions(plain_and_patched):
    questions = load_questions(PROJECT / DEFAULT_QUESTIONS)
    assert len(questions) > 300
    answers = []
    for assistant in plain_and_patched:
        client = RestClient(assistant.settings.rasa_url, assistant.stack.service("rasa server").env["RASA_API_TOKEN"])
        answers.append([(result.intent, result.reply) for result in run_questions(client, questions)])
    plain, patched = answers
    different = [(q.text, a, b) for q, a, b in zip(questions, plain, patched) if a != b]
    assert not different, f"{len(different)} of {len(questions)} differ, e.g. {different[:3]}"
    assert sum(bool(reply) for _, reply in patched) == len(questions)  # every question answered
    assert len({intent for intent, _ in patched}) > 10  # many topics, not one fallback


def test_each_server_says_whether_it_runs_the_patches(plain_and_patched):
    plain, patched = plain_and_patched
    assert "Rasa patches: off (BOT_RASA_PATCHES=off): plain Rasa" in rasa_log(plain)
    assert "replacements of Rasa 3.6.21 internals" in rasa_log(patched)
