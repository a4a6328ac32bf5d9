"""A follow-up that names only a fact ("and if I have an employer?", "and at 7 months?") answers
the previous topic with that fact, through the REST channel of a running assistant, in every
language (actions/follow_up.py); without a previous topic it is asked again."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from actions import texts
from actions.follow_up import previous_topic, states_a_fact
from bot.nlu.language_id import project_identifier

CASES = yaml.safe_load((Path(__file__).parent / "data" / "follow_ups.yml").read_text(encoding="utf-8"))["cases"]


def user(intent, text="..."):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def test_the_previous_topic_is_the_last_topic_before_the_latest_message_and_ends_at_a_restart():
    events = [user("ask_ukraine_work"), {"event": "bot"}, user("greet"), user("nlu_fallback")]
    assert previous_topic(events) == "ask_ukraine_work"
    assert previous_topic([user("ask_privacy"), user("nlu_fallback")]) is None
    assert previous_topic([user("ask_taxes"), {"event": "restart"}, user("nlu_fallback")]) is None
    assert previous_topic([user("check_work_permission")]) is None  # the latest message alone


def test_every_case_states_a_fact_that_the_checks_read():
    for case in CASES:
        assert states_a_fact(case["say"][-1], case["language"]), case
    assert not states_a_fact("en dat dan?", "nl")


@pytest.mark.server
@pytest.mark.parametrize("case", CASES, ids=[c["language"] for c in CASES])
def test_a_fact_alone_answers_the_previous_topic_over_rest(assistant, case):
    sender = f"follow-{uuid.uuid4().hex[:10]}"
    for message in case["say"]:
        reply = assistant.say(sender, message)
    text = "\n".join(m.get("text") or "" for m in reply)
    rephrase = texts.render("utter_rephrase", case["language"])
    assert rephrase not in text, (case["say"], text[:300])
    for part in case["contains"]:
        assert part in text, (case["say"], text[:400])
    assert project_identifier().detect(text) == case["language"], text[:200]


# --- the NLU side: bot/nlu/follow_up.py ----------------------------------------------------------

def classified(text, intent, language=None, confidence=0.7):
    from rasa.shared.nlu.training_data.message import Message

    message = Message.build(text=text)
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    if language:
        message.set("entities", [{"entity": "language", "value": language}])
    return message


@pytest.fixture(scope="module")
def guard():
    from bot.nlu.follow_up import FollowUpGuard

    return FollowUpGuard(FollowUpGuard.load_phrases(None))


@pytest.mark.parametrize("text,intent,language", [
    ("а якщо в мене вже є роботодавець?", "report_exploitation", "uk"),
    ("а если у меня есть работодатель?", "ask_employer_subsidy", "ru"),  # short: another topic too
])
def test_a_short_follow_up_taken_for_something_else_is_marked_with_the_classifier_s_intent(guard, text, intent, language):
    [message] = guard.process([classified(text, intent, language)])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert {"entity": "follow_up_of", "value": intent}.items() <= message.get("entities")[-1].items()


@pytest.mark.parametrize("text,intent", [
    # a topic, in a longer message: the classifier's choice stays
    ("а якщо в мене вже є роботодавець, чи можу я ще й піти на стажування в лікарні?", "check_unpaid_work"),
    ("а якщо в мене вже є роботодавець?", "request_human"),  # a person always wins
    ("and if so?", "out_of_scope"),  # no fact
    ("I have an employer who pays me 3 euro", "report_exploitation"),  # no follow-up words
])
def test_topics_kept_replies_and_messages_without_a_fact_or_opener_stay(guard, text, intent):
    [message] = guard.process([classified(text, intent)])
    assert message.get("intent")["name"] == intent


def test_no_training_message_of_another_intent_is_taken_for_a_follow_up(guard, project):
    """Every example of data/nlu whose intent the guard could relabel stays as it is."""
    import re

    from bot.nlu.follow_up import is_relabelled

    marked = []
    for path in sorted((project / "data" / "nlu").glob("*/*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or ():
            intent = item.get("intent")
            if not is_relabelled(intent):
                continue
            for line in item["examples"].splitlines():
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:].strip())
                [message] = guard.process([classified(text, intent, path.parent.name)])
                if message.get("intent")["name"] != intent:
                    marked.append((path.parent.name, text))
    assert not marked
