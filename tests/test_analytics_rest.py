"""The counts move with conversations over REST, through the real stack (event broker → web app),
and hold no sender id and no message text (bot/analytics).

The stack is shared with other test files, so the tests compare the counts before and after their
own conversations; a count shown as "< 5" before may be anything from 0 to 4."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any, Callable, Dict

import pytest

from bot.analytics.report import SMALL, SMALL_CELL
from tests.conftest import HELPDESK_AGENT_TOKEN

pytestmark = pytest.mark.server

QUESTIONS = {
    "nl": "Mag ik werken als asielzoeker?",
    "en": "Can I work as an asylum seeker?",
    "ar": "هل يمكنني العمل كطالب لجوء؟",
}
# nlu_fallback (the retrained model reads "mijn kat heet Pluis en mijn bsn is ..." as the employer
# subsidy check, so that wording no longer tests the unanswered questions)
NOT_UNDERSTOOD = "mijn kat heet Pluis, bsn 628194821, tel {phone}"
OFF_TOPIC = "Wie wint het WK voetbal? mijn nummer {phone} bsn 628194821"  # out_of_scope
Count = Any  # an int, or "< 5"


def stats(assistant) -> Dict[str, Any]:
    status, body = assistant.request(
        f"{assistant.settings.web_url}/api/stats", headers={"Authorization": f"Bearer {HELPDESK_AGENT_TOKEN}"}
    )
    assert status == 200, body
    return json.loads(body)


def today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def row(report: Dict[str, Any], section: str, **keys: str) -> Dict[str, Count]:
    """Today's row of `section` with these keys (all zero when there is none yet)."""
    for found in report[section]:
        if found["day"] == today() and all(found[k] == v for k, v in keys.items()):
            return found
    return {measure: 0 for measure in report["measures"]}


def grew_by(before: Count, after: Count, amount: int) -> bool:
    """Whether a count grew by `amount` (exactly, unless it was hidden as "< 5" before)."""
    if after == SMALL or isinstance(after, int) and after < SMALL_CELL and amount >= SMALL_CELL:
        return False
    if before == SMALL:
        return after == SMALL if amount == 0 else amount <= after <= amount + SMALL_CELL - 1
    return after == SMALL if before + amount < SMALL_CELL else after == before + amount


def settled(assistant, check: Callable[[Dict[str, Any]], bool]) -> Dict[str, Any]:
    """The stats once `check` holds (the broker posts after each turn); the last ones at 60 s."""
    deadline = time.monotonic() + 60
    while True:
        report = stats(assistant)
        if check(report) or time.monotonic() > deadline:
            return report
        time.sleep(0.2)


def test_counts_per_language_move_with_rest_conversations_and_name_no_one(assistant):
    before = stats(assistant)
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

    def nl(report):
        return row(report, "by_language", language="nl")

    def groups(report, words):
        return [g for g in report["unanswered"] if words in " ".join(g["examples"])]

    def counted(report, words):  # other tests on the shared stack may ask the same
        return sum(g["count"] for g in groups(report, words))

    # The broker posts each turn's events after the answer: wait until all of them are counted.
    report = settled(assistant, lambda r: grew_by(nl(before)["messages"], nl(r)["messages"], 20)
                     and counted(r, "WK voetbal") - counted(before, "WK voetbal") >= 5
                     and counted(r, "kat heet Pluis") - counted(before, "kat heet Pluis") >= 5)
    assert grew_by(row(before, "days")["messages"], row(report, "days")["messages"], len(said) + 5)
    assert grew_by(nl(before)["conversations"], nl(report)["conversations"], 10)
    assert grew_by(nl(before)["messages"], nl(report)["messages"], 20)
    assert grew_by(nl(before)["fallbacks"], nl(report)["fallbacks"], 10)
    en_before, en_after = row(before, "by_language", language="en"), row(report, "by_language", language="en")
    assert grew_by(en_before["conversations"], en_after["conversations"], 5)
    if not any(r["language"] == "ar" for r in before["by_language"]):
        assert row(report, "by_language", language="ar")["conversations"] == SMALL

    raw = json.dumps(report, ensure_ascii=False)
    for sender in senders:
        assert sender not in raw
    for text in set(said):
        assert text not in raw
    assert "628194821" not in raw and not any(phone in raw for phone in phones)
    cats, football = groups(report, "kat heet Pluis"), groups(report, "WK voetbal")
    assert len(cats) == 1 and len(football) == 1, report["unanswered"]
    assert counted(report, "kat heet Pluis") - counted(before, "kat heet Pluis") == 5, report["unanswered"]
    assert counted(report, "WK voetbal") - counted(before, "WK voetbal") == 5, report["unanswered"]
    assert cats[0]["examples"] == ["mijn kat heet Pluis, bsn [BSN], tel [phone]"]
    assert football[0]["examples"] == ["Wie wint het WK voetbal? mijn nummer [phone] bsn [BSN]"]


def test_was_this_helpful_is_asked_once_and_its_answers_are_counted_per_topic(assistant):
    def cell(report) -> Dict[str, Count]:
        return row(report, "by_topic_and_language", topic="ask_asylum_work", language="nl")

    before = stats(assistant)
    senders = [f"helpful-{uuid.uuid4().hex[:10]}" for _ in range(6)]
    # Answered with the topic's answer; "Bel me op <number>" after the question gets the NLU fallback.
    question = "Mag ik werken als asielzoeker? Mijn nummer is 0687654321"
    for number, sender in enumerate(senders):
        first = assistant.say(sender, question)
        payloads = [b["payload"] for m in first for b in m.get("buttons", [])]
        assert payloads[-2:] == ["/feedback_helpful", "/feedback_not_helpful"], first
        choice = "/feedback_not_helpful" if number < 5 else "/feedback_helpful"
        after = assistant.say(sender, choice)
        if choice == "/feedback_not_helpful":
            offered = [b["payload"] for m in after for b in m.get("buttons", [])]
            assert "/affirm" in offered or "/request_human" in offered, "a person is offered"
        again = assistant.say(sender, "Mag ik werken als asielzoeker?")
        assert "/feedback_helpful" not in [b["payload"] for m in again for b in m.get("buttons", [])], "once"

    report = settled(assistant, lambda r: grew_by(cell(before)["not_helpful"], cell(r)["not_helpful"], 5))
    assert grew_by(cell(before)["not_helpful"], cell(report)["not_helpful"], 5)
    assert grew_by(cell(before)["conversations"], cell(report)["conversations"], 6)
    raw = json.dumps(report, ensure_ascii=False)
    assert "0687654321" not in raw and not any(sender in raw for sender in senders)
    not_helpful = [g for g in report["unanswered"] if "asielzoeker? Mijn nummer is" in " ".join(g["examples"])]
    assert [g["count"] for g in not_helpful] == [5]
    assert not_helpful[0]["examples"] == ["Mag ik werken als asielzoeker? Mijn nummer is [phone]"]
