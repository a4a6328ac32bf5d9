"""The counts move with conversations over REST, through the real stack (event broker → web app),
and hold no sender id and no message text (bot/analytics)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Dict

import pytest

from tests.conftest import HELPDESK_AGENT_TOKEN

pytestmark = pytest.mark.server

QUESTIONS = {
    "nl": "Mag ik werken als asielzoeker?",
    "en": "Can I work as an asylum seeker?",
    "ar": "هل يمكنني العمل كطالب لجوء؟",
}
NOT_UNDERSTOOD = "mijn kat heet Pluis en mijn bsn is 628194821, {phone}"  # nlu_fallback
OFF_TOPIC = "Wie wint het WK voetbal? mijn nummer {phone} bsn 628194821"  # out_of_scope


def stats(assistant) -> Dict[str, Any]:
    status, body = assistant.request(
        f"{assistant.settings.web_url}/api/stats", headers={"Authorization": f"Bearer {HELPDESK_AGENT_TOKEN}"}
    )
    assert status == 200, body
    return json.loads(body)


def per_language(report: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """The counts per language of the (one) day of the run."""
    return {row["language"]: row for row in report["by_language"]}


def test_counts_per_language_move_with_rest_conversations_and_name_no_one(assistant):
    senders, said = [], []
    for language, count in (("nl", 5), ("en", 5), ("ar", 2)):
        for _ in range(count):
            sender = f"stats-{language}-{uuid.uuid4().hex[:10]}"
            senders.append(sender)
            assistant.say(sender, QUESTIONS[language])
            said.append(QUESTIONS[language])
    # The cat messages differ in their phone number (grouped as similar); the football one is the
    # same each time, classified out of scope (another number can tip it to another intent).
    phones = [f"06123456{number:02d}" for number in range(5)] + ["0612345678"]
    for number in range(5):
        sender = f"stats-fallback-{uuid.uuid4().hex[:10]}"
        senders.append(sender)
        assistant.say(sender, QUESTIONS["nl"])
        for template, phone in ((NOT_UNDERSTOOD, phones[number]), (OFF_TOPIC, phones[5])):
            assistant.say(sender, template.format(phone=phone))
            said.append(template.format(phone=phone))

    deadline = time.monotonic() + 60
    while True:  # the broker posts after each turn; wait until every turn is counted
        report = stats(assistant)
        days = report["days"]
        messages = sum(row["messages"] for row in days if isinstance(row["messages"], int))
        if messages >= len(said) + 5 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert messages == len(said) + 5
    languages = per_language(report)
    assert languages["nl"]["conversations"] == 10, languages
    assert languages["nl"]["messages"] == 20
    assert languages["nl"]["answers"] >= 20
    assert languages["nl"]["fallbacks"] == 10
    assert languages["en"]["conversations"] == 5
    assert languages["ar"]["conversations"] == "< 5"

    raw = json.dumps(report, ensure_ascii=False)
    for sender in senders:
        assert sender not in raw
    for text in set(said):
        assert text not in raw
    assert "628194821" not in raw and not any(phone in raw for phone in phones)
    cats = [g for g in report["unanswered"] if "kat" in " ".join(g["examples"])]
    football = [g for g in report["unanswered"] if "voetbal" in " ".join(g["examples"])]
    assert [g["count"] for g in cats] == [5] and [g["count"] for g in football] == [5], report["unanswered"]
    assert cats[0]["examples"] == ["mijn kat heet Pluis en mijn bsn is [BSN], [phone]"]
    assert football[0]["examples"] == ["Wie wint het WK voetbal? mijn nummer [phone] bsn [BSN]"]


def test_was_this_helpful_is_asked_once_and_its_answers_are_counted_per_topic(assistant):
    senders = [f"helpful-{uuid.uuid4().hex[:10]}" for _ in range(6)]
    question = "Mag ik als asielzoeker werken? Bel me op 0687654321"
    for number, sender in enumerate(senders):
        first = assistant.say(sender, question)
        payloads = [b["payload"] for m in first for b in m.get("buttons", [])]
        assert payloads[-2:] == ["/feedback_helpful", "/feedback_not_helpful"], first
        choice = "/feedback_not_helpful" if number < 5 else "/feedback_helpful"
        after = assistant.say(sender, choice)
        if choice == "/feedback_not_helpful":
            assert any("/request_human" == b["payload"] or "/affirm" == b["payload"]
                       for m in after for b in m.get("buttons", [])), "a person is offered"
        again = assistant.say(sender, "Mag ik werken als asielzoeker?")
        assert "/feedback_helpful" not in [b["payload"] for m in again for b in m.get("buttons", [])], "once"

    deadline = time.monotonic() + 60
    while True:
        report = stats(assistant)
        rows = [r for r in report["by_topic_and_language"] if (r["topic"], r["language"]) == ("ask_asylum_work", "nl")]
        if rows and rows[0]["not_helpful"] != "< 5" and rows[0]["not_helpful"] >= 5 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    [row] = rows
    assert row["not_helpful"] == 5
    raw = json.dumps(report, ensure_ascii=False)
    assert "0687654321" not in raw and not any(sender in raw for sender in senders)
    not_helpful = [g for g in report["unanswered"] if "asielzoeker werken? Bel me" in " ".join(g["examples"])]
    assert [g["count"] for g in not_helpful] == [5]
    assert not_helpful[0]["examples"] == ["Mag ik als asielzoeker werken? Bel me op [phone]"]
