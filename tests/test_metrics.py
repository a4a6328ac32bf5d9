"""Metrics for operators: what a running assistant reports on /metrics, and that it never
reports who wrote or what they wrote."""

from __future__ import annotations

import re
import uuid
from typing import Dict

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.runtime.metrics import ActionMetrics, ConversationMetrics, exposition

PHONE = "06-12345678"


def samples(text: str) -> Dict[str, float]:
    """`name{labels}` -> value of a Prometheus text exposition."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            found[name] = float(value)
    return found


def scrape(assistant, url: str) -> Dict[str, float]:
    status, body = assistant.request(url)
    assert status == 200, (url, status, body[:200])
    return samples(body.decode("utf-8"))


def test_a_turn_is_counted_by_channel_language_and_intent_and_timed():
    metrics = ConversationMetrics()
    events = [
        UserUttered(f"bel me op {PHONE}", {"name": "ask_asylum_work", "confidence": 0.9}, input_channel="whatsapp", timestamp=100.0),
        ActionExecuted("utter_asylum_work", timestamp=100.2),
        BotUttered("Na 6 maanden mag u werken.", timestamp=100.4),
        UserUttered("??", {"name": "nlu_fallback", "confidence": 0.3}, input_channel="telegram", timestamp=200.0),
        BotUttered("Dat begreep ik niet.", timestamp=200.1),
    ]
    metrics.observe(events, "nl")
    text = exposition(metrics.registry)[0].decode()
    found = samples(text)
    assert found['werkwijzer_messages_total{channel="whatsapp",intent="ask_asylum_work",language="nl"}'] == 1
    assert found['werkwijzer_fallbacks_total{channel="telegram",language="nl"}'] == 1
    assert 'werkwijzer_fallbacks_total{channel="whatsapp",language="nl"}' not in found
    assert found['werkwijzer_answer_seconds_bucket{channel="whatsapp",le="0.5"}'] == 1
    assert found['werkwijzer_answer_seconds_bucket{channel="whatsapp",le="0.25"}'] == 0  # 0.4 s
    assert PHONE not in text and "maanden" not in text


def test_a_failing_part_counts_as_a_fallback_of_the_turn_it_answers():
    """`bot.runtime.action_fallback` tells the user a part is not working (utter_action_unavailable)."""
    metrics = ConversationMetrics()
    metrics.observe([
        UserUttered("Mag ik werken?", {"name": "ask_asylum_work"}, input_channel="socketio", timestamp=1.0),
        BotUttered("Een deel werkt nu niet.", metadata={"utter_action": "utter_action_unavailable"}, timestamp=5.0),
    ], "en")
    found = samples(exposition(metrics.registry)[0].decode())
    assert found['werkwijzer_fallbacks_total{channel="socketio",language="en"}'] == 1
    assert found['werkwijzer_answer_seconds_bucket{channel="socketio",le="2.0"}'] == 0  # it took 4 s


def test_label_values_a_user_could_choose_become_other():
    metrics = ConversationMetrics()
    metrics.observe([UserUttered("hi", {"name": "Robert'); DROP"}, input_channel="x" * 300, timestamp=1.0)], "<script>")
    found = samples(exposition(metrics.registry)[0].decode())
    assert found['werkwijzer_messages_total{channel="other",intent="other",language="unknown"}'] == 1


def test_action_calls_errors_and_handoffs_are_counted_without_the_tracker():
    metrics = ActionMetrics()
    call = {
        "next_action": "action_handoff", "sender_id": "31612345678",
        "tracker": {"sender_id": "31612345678", "latest_input_channel": "whatsapp", "slots": {"language": "ar"},
                    "latest_message": {"text": f"mijn nummer is {PHONE}"}},
    }
    metrics.observe(call, 200, 0.3)
    metrics.observe({**call, "next_action": "action_answer_topic"}, 500, 4.1)
    text = exposition(metrics.registry)[0].decode()
    found = samples(text)
    assert found['werkwijzer_handoffs_total{channel="whatsapp",language="ar"}'] == 1
    assert found['werkwijzer_action_errors_total{action="action_answer_topic"}'] == 1
    assert found['werkwijzer_action_calls_total{action="action_handoff",channel="whatsapp",language="ar",status="ok"}'] == 1
    assert "31612345678" not in text and PHONE not in text


def rest_messages(found: Dict[str, float]) -> float:
    return sum(v for k, v in found.items() if k.startswith('werkwijzer_messages_total{channel="rest"'))


@pytest.mark.server
def test_a_running_assistant_reports_messages_actions_and_the_outbox_on_metrics(assistant):
    rasa = f"{assistant.settings.rasa_url}/metrics"
    actions = f"http://127.0.0.1:{assistant.settings.action_port}/metrics"
    web = f"{assistant.settings.web_url}/metrics"
    key = 'werkwijzer_messages_total{channel="rest",intent="ask_asylum_work",language="nl"}'
    before = scrape(assistant, rasa)
    calls_before = sum(v for k, v in scrape(assistant, actions).items() if k.startswith("werkwijzer_action_calls_total"))
    senders = [f"metrics-{uuid.uuid4().hex}" for _ in range(4)]
    for sender in senders:  # a new connection each: the two Sanic workers share the messages
        assert "6 maanden" in assistant.text(sender, "Mag ik werken als asielzoeker?")
    assistant.text(senders[0], f"Mijn telefoonnummer is {PHONE}")
    # whichever worker answers the scrape, it reports every worker's messages
    for _ in range(3):
        reported = scrape(assistant, rasa)
        assert reported[key] - before.get(key, 0) == len(senders)
        assert rest_messages(reported) - rest_messages(before) == len(senders) + 1
    assert reported['werkwijzer_answer_seconds_count{channel="rest"}'] >= len(senders) + 1
    after = scrape(assistant, actions)
    assert sum(v for k, v in after.items() if k.startswith("werkwijzer_action_calls_total")) > calls_before
    assert "werkwijzer_outbox_backlog" in scrape(assistant, web)
    for url in (rasa, actions, web):  # nothing of who wrote or what
        body = assistant.request(url)[1].decode()
        assert PHONE not in body and not any(sender in body for sender in senders)
        assert not re.search(r"asielzoeker|telefoonnummer", body)
