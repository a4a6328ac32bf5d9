"""The benchmark's code on a tiny load (no speed is asserted: speed is for `make bench`)."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.tools.bench import report
from bot.tools.bench.conversations import conversations, examples_by_language
from bot.tools.bench.load import LoadPlan, run_load
from bot.tools.bench.run import run_load_process
from tests.conftest import PROJECT

pytestmark = pytest.mark.server


def test_conversations_are_real_training_examples_in_several_languages():
    pool = examples_by_language(PROJECT)
    made = conversations(PROJECT, count=2 * len(pool), turns=4)
    assert len(pool) >= 2 and all(len(script) == 4 for script in made)
    examples = {text for intents in pool.values() for texts in intents.values() for text in texts}
    assert all(text in examples for script in made for text in script)
    assert len({script[0] for script in made}) > 1  # not one conversation repeated


def test_the_load_generator_talks_only_to_this_machine():
    plan = LoadPlan(url="http://example.org/webhooks/rest/webhook", concurrency=1,
                    conversations=[["hoi"]], max_messages=1, max_seconds=1)
    with pytest.raises(ValueError):
        asyncio.run(run_load(plan))


def test_a_small_load_is_answered_in_full_and_reported(assistant, tmp_path):
    plan = LoadPlan(url=assistant.webhook, concurrency=2, conversations=conversations(PROJECT, 3, turns=3),
                    max_messages=6, max_seconds=120)
    level = run_load_process(plan)
    assert level["messages"] == 6 and level["empty_replies"] == 0 and level["errors"] == 0
    assert level["conversations"] >= 2  # a new conversation after every few messages

    measured = {"training_seconds": 1.0, "trained_on": "now", "ready_seconds": {"rasa server": 1.0},
                "memory_mb": {"rasa server": 1.0}, "levels": {"2": level}}
    figures = {
        "run": {"started": "now", "cpus": 2, "load_average": "0", "rasa": "3.6", "command": "test",
                "levels": [2], "max_messages": 6, "max_seconds": 120, "turns": 3, "languages": ["en", "nl"]},
        "assistants": {report.BASELINE: measured, report.PROJECT: measured},
        "accuracy": {"evaluate": "not available"},
    }
    written = report.write(figures, tmp_path)
    assert json.loads((tmp_path / "bench.json").read_text())["ratios"]["2"]["throughput"] == 1.0
    assert "| messages without an answer under load | 0 | 0 | yes |" in written.read_text()
    assert (tmp_path / "latency.png").stat().st_size > 0


def test_the_cpu_measurement_runs_plain_and_patched_rasa_on_the_same_messages():
    from bot.tools.bench import cpu

    results = cpu.run(conversation_count=1)
    assert list(results) == [cpu.PLAIN, cpu.PATCHED]
    for figures in results.values():
        assert figures["messages"] == 4 and figures["cpu_ms_per_message"] > 0 and figures["load_seconds"] > 0
    assert "| plain Rasa 3.6 (BOT_RASA_PATCHES=off) |" in cpu.markdown(results)


def test_each_patch_gets_its_share_and_one_that_buys_too_little_is_named():
    from bot.tools.bench import cpu

    process = {"cpu_ms_per_message": 10.0, "wall_ms_per_message": 20.0, "load_seconds": 2.0,
               "messages": 4, "memory_mb": 400.0}
    switched = {"cpu_ms_per_message": 5.0, "wall_ms_per_message": 10.0, "messages": 40}
    results = {cpu.PLAIN: {**process, "cpu_ms_per_message": 40.0}, cpu.PATCHED: process,
               cpu.without("domain_loading"): {**process, "load_seconds": 4.0},
               cpu.SWITCHED: switched,
               cpu.without("rule_index"): {**switched, "cpu_ms_per_message": 5.5},
               cpu.without("endpoint_sessions"): {**switched, "cpu_ms_per_message": 5.05}}
    shares = cpu.patch_shares(results)
    assert shares["domain_loading"]["buys_enough"] and shares["domain_loading"]["load_seconds"] == 1.0
    assert shares["rule_index"]["buys_enough"] and round(shares["rule_index"]["cpu_ms_per_message"], 3) == 0.1
    assert not shares["endpoint_sessions"]["buys_enough"]
    report = cpu.markdown(results)
    assert "| endpoint_sessions | +1.0% | +0.0% | – | – | **no** |" in report
    assert "| without endpoint_sessions (switched off) | 5.05 | 10.00 | – | – |" in report
