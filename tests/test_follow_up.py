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

_DATA = yaml.safe_load((Path(__file__).parent / "data" / "follow_ups.yml").read_text(encoding="utf-8"))
CASES = _DATA["cases"]
QUESTION_CASES = _DATA["questions"]
EARLIER_CASES = _DATA["earlier"]
REST_CASES = CASES + QUESTION_CASES + EARLIER_CASES


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
@pytest.mark.parametrize("case", REST_CASES, ids=[c["language"] for c in REST_CASES])
def test_a_fact_or_a_short_question_answers_the_previous_topic_over_rest(assistant, case):
    sender = f"follow-{uuid.uuid4().hex[:10]}"
    for message in case["say"]:
        reply = assistant.say(sender, message)
    text = "\n".join(m.get("text") or "" for m in reply)
    rephrase = texts.render("utter_rephrase", case["language"])
    assert rephrase not in text, (case["say"], text[:300])
    for part in case["contains"]:
        assert part in text, (case["say"], text[:400])
    assert project_identifier().detect(text) == case["language"], text[:200]
    if case.get("not_asked"):  # no button answers the fact the user gave
        buttons = [b.get("payload") or "" for m in reply for b in m.get("buttons") or ()]
        assert not any(f'"{case["not_asked"]}"' in p for p in buttons), (case["say"], buttons)


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
    ("she's from Ukraine btw, not a statushouder", "ask_ukraine_work", "en"),  # a fact, no question
    ("از اوکراین آمدم یک شرکت گفته از دوشنبه شروع کن، میشه؟", "restart", "fa"),  # a story, not "start over"
    ("برای اوکراینی ها هم هست؟", "ask_ukraine_work", "fa"),  # "for Ukrainians too?": only a status
    ("እሞ ዩክረይናውያንከ?", "affirm", "ti"),  # "and Ukrainians?" read as yes, unsure (0.7 here)
])
def test_a_short_follow_up_taken_for_something_else_is_marked_with_the_classifier_s_intent(guard, text, intent, language):
    [message] = guard.process([classified(text, intent, language)])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert {"entity": "follow_up_of", "value": intent}.items() <= message.get("entities")[-1].items()


@pytest.mark.parametrize("text,intent", [
    # a topic, in a longer message: the classifier's choice stays
    ("а якщо в мене вже є роботодавець, чи можу я ще й піти на стажування в лікарні?", "check_unpaid_work"),
    ("а якщо в мене вже є роботодавець?", "request_human"),  # a person always wins
    ("and if it rains all day tomorrow, is the football match off?", "out_of_scope"),  # long, no fact
    ("I have an employer who pays me 3 euro", "report_exploitation"),  # no follow-up words
    ("my boss pays me 3 euro an hour", "report_exploitation"),  # a complaint is its own topic
    ("ik zit 4 maanden in het azc", "check_work_permission"),
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
                [message] = guard.process([classified(text, intent, path.parent.name, confidence=0.95)])
                if message.get("intent")["name"] != intent:
                    marked.append((path.parent.name, text))
    assert not marked


# --- short questions about the answer before ("until when?") ----------------------------------

@pytest.mark.parametrize("text,intent,confidence,becomes", [
    ("پس کی؟", "affirm", 0.42, "nlu_fallback"),  # "so when?" read as yes, unsure
    ("يعني كم بالمية بالضبط؟", "out_of_scope", 0.81, "nlu_fallback"),  # "so what percentage exactly?"
    ("wanneer mag ik dan beginnen?", "ask_self_employment", 0.33, "ask_self_employment"),  # the fallback follows
    ("ክሳብ መዓስ?", "goodbye", 0.33, "nlu_fallback"),  # "until when?" read as bye, unsure
    ("куди можна поскаржитися? можна анонімно?", "ask_privacy", 0.39, "nlu_fallback"),
    ("welk niveau nederlands moet ik halen?", "choose_language", 0.54, "nlu_fallback"),
    ("and if we take 3?", "nlu_fallback", 0.3, "nlu_fallback"),  # an opener, no fact the checks read
    ("tot wanneer?", "goodbye", 0.9, "nlu_fallback"),  # "until when?" shares "tot" with "tot ziens"
])
def test_a_short_question_nobody_placed_is_marked_for_the_previous_topic(guard, text, intent, confidence, becomes):
    [message] = guard.process([classified(text, intent, confidence=confidence)])
    assert message.get("intent")["name"] == becomes
    assert {"entity": "follow_up_question", "value": "yes"}.items() <= message.get("entities")[-1].items()


@pytest.mark.parametrize("text,intent,confidence", [
    ("how long does a TWV take?", "ask_work_permit", 0.9),  # a topic the classifier is sure of
    ("how much does a phone cost?", "out_of_scope", 0.97),  # surely something else
    ("how are you?", "greet", 0.5),  # small talk stays small talk
    ("tot wanneer ben je open", "goodbye", 0.9),  # no question mark: the classifier decides
    ("yes how?", "affirm", 0.9),
    ("start over please", "restart", 0.9),
    ("which languages do you speak?", "choose_language", 0.93),
    ("when I came here I had nothing and now I need to know what to do about work?", "nlu_fallback", 0.3),  # long
    ("I have a question", "nlu_fallback", 0.3),  # no question word
])
def test_questions_the_classifier_placed_or_long_messages_are_not_marked(guard, text, intent, confidence):
    [message] = guard.process([classified(text, intent, confidence=confidence)])
    assert message.get("intent")["name"] == intent
    assert not any(e.get("entity") == "follow_up_question" for e in message.get("entities") or ())


def test_a_long_message_with_facts_is_answered_as_its_most_likely_topic():
    """"4 months in the azc, a restaurant owner wants to hire me, can I start?" fell back with
    may-I-work at 0.37: someone who told their whole situation gets that answer, not "say it
    another way"; a short or fact-less message still does."""
    from actions.follow_up import likely_topic

    def latest(text, ranking):
        return {"text": text, "intent": {"name": "nlu_fallback"},
                "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.4}] + [{"name": n, "confidence": c} for n, c in ranking]}

    situation = "hi I am in the azc for 4 months now and a restaurant owner wants to hire me, can I start?"
    assert likely_topic(latest(situation, [("check_work_permission", 0.37), ("check_unpaid_work", 0.34)]), "en") == "check_work_permission"
    assert likely_topic(latest(situation, [("check_work_permission", 0.2), ("greet", 0.1)]), "en") is None  # too unsure
    assert likely_topic(latest(situation, [("out_of_scope", 0.37)]), "en") is None  # not a topic
    assert likely_topic(latest("4 months, can I start?", [("check_work_permission", 0.37)]), "en") is None  # short
    no_facts = "I would like to know a bit more about the things you can tell me here please"
    assert likely_topic(latest(no_facts, [("ask_capabilities", 0.37)]), "en") is None


def test_not_understood_twice_offers_a_person_but_a_follow_up_after_a_fallback_is_answered():
    """The rule "not understood twice in a row" also caught a follow-up after a first message
    that was not understood ("هل بقدر اشتغل؟", then "انا بالكامب من ٥ شهور" got the offer of a
    person); action_follow_up decides it now."""
    from actions.follow_up import not_understood_before

    assert not_understood_before([user("nlu_fallback"), {"event": "bot"}, user("nlu_fallback")])
    asked_again = [user("nlu_fallback"), {"event": "rewind"}, user("ask_asylum_work"), {"event": "bot"}, user("nlu_fallback")]
    assert not not_understood_before(asked_again)
    assert not not_understood_before([user("nlu_fallback"), {"event": "restart"}, user("nlu_fallback")])


async def test_a_status_stated_after_a_fallback_is_the_question_whether_one_may_work(dispatcher, domain):
    from rasa_sdk import Tracker

    from actions.follow_up import ActionFollowUp

    text = "انا بالكامب من ٥ شهور"
    latest = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 1.0},
              "entities": [{"entity": "language", "value": "ar"}, {"entity": "follow_up_of", "value": "ask_status_holder_work"}]}
    events = [user("nlu_fallback", "هل بقدر اشتغل؟"), {"event": "bot"}, {"event": "user", "text": text, "parse_data": latest}]
    tracker = Tracker("u", {"language": "ar"}, latest, events, False, None, {"name": None}, "action_listen")
    reissued = await ActionFollowUp().run(dispatcher, tracker, domain)
    assert reissued[-1]["parse_data"]["intent"]["name"] == "check_work_permission"


def test_the_unpaid_work_check_without_volunteering_or_an_internship_is_the_work_check(guard):
    from rasa.shared.nlu.training_data.message import Message

    def ranked(text, unpaid, work):
        message = Message.build(text=text)
        message.set("intent", {"name": "check_unpaid_work", "confidence": unpaid})
        message.set("intent_ranking", [{"name": "check_unpaid_work", "confidence": unpaid},
                                       {"name": "check_work_permission", "confidence": work}])
        message.set("entities", [{"entity": "language", "value": "nl"}])
        return guard.process([message])[0].get("intent")["name"]

    assert ranked("ik ben asielzoeker, 9 maanden in de procedure", 0.48, 0.44) == "check_work_permission"
    assert ranked("ik ben asielzoeker, mag ik vrijwilligerswerk doen?", 0.48, 0.44) == "check_unpaid_work"
    assert ranked("ik ben asielzoeker, 9 maanden in de procedure", 0.9, 0.05) == "check_unpaid_work"


@pytest.mark.server
def test_not_understood_twice_over_rest_offers_a_person(assistant):
    sender = f"follow-twice-{uuid.uuid4().hex[:8]}"
    assistant.say(sender, "qwxz plorb vrrrt")
    reply = assistant.say(sender, "zzkv trulp gnarf")
    payloads = {b.get("payload") for m in reply for b in m.get("buttons") or ()}
    assert {"/affirm", "/deny"} <= payloads, reply
