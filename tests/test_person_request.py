"""A request for a person always wins (issue 17): words for a staff member, a human or a real
person, in every language, make the message `request_human`, the topic it names kept for the
ticket (bot/nlu/person_request.py, bot/nlu/person_phrases.yml); employers hiring an employee do not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.content.translations import Translations
from bot.nlu.person_request import PERSON_INTENT, PHRASES_FILE, TOPIC_ENTITY, PersonRequestGuard, PersonWords
from bot.tools.nlu_crossval import read_examples
from bot.tools.quality import held_out_intents

REQUESTS = yaml.safe_load((Path(__file__).parent / "data" / "person_requests.yml").read_text(encoding="utf-8"))
CASES = [(language, case) for language, cases in REQUESTS.items() for case in cases]
# Intents whose messages may ask for a person (they lead to the offer of one anyway).
PERSON_INTENTS = {PERSON_INTENT, "handoff_share_all", "report_exploitation", "report_danger"}


@pytest.fixture(scope="module")
def phrases():
    return PersonWords.from_file(PHRASES_FILE).phrases


def guarded(text: str, intent: str, ranking) -> Message:
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": ranking[0][1]},
                            INTENT_RANKING_KEY: [{"name": n, "confidence": c} for n, c in ranking]})
    PersonRequestGuard(PersonWords.from_file(PHRASES_FILE)).process([message])
    return message


def test_every_language_has_phrases_and_requests(project):
    languages = set(Translations.load(project / "translations").codes)
    assert languages <= set(REQUESTS)
    data = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    assert languages <= set(data["phrases"]) and languages <= set(data["about"])


@pytest.mark.parametrize("language,case", CASES, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(CASES)])
def test_a_request_for_a_person_is_found_in_every_language(phrases, language, case):
    assert phrases.find(case["say"]), case["say"]


@pytest.mark.parametrize("text", [
    "ik wil een medewerker aannemen uit Oekraïne", "we hire an employee with a residence permit",
    "I have a contract with a staff member who is a status holder", "mijn medewerker heeft een verblijfsvergunning",
    "أريد توظيف موظف من أوكرانيا", "bir çalışanı işe almak istiyorum", "می‌خواهم یک کارمند استخدام کنم",
    "хочу найняти працівника з України", "ሰራሕተኛ ክቖጽር እደሊ",
])
def test_an_employer_hiring_an_employee_is_not_asking_for_a_person(phrases, text):
    assert phrases.find(text) is None


def test_no_message_of_another_intent_asks_for_a_person(phrases, project):
    """Every training and held-out message of another intent (about 9,000 real messages)."""
    messages = [(e.text, e.intent) for e in read_examples(project)]
    messages += [case for cases in held_out_intents(project).values() for case in cases]
    assert len(messages) > 8000
    found = [(text, intent, hit.source) for text, intent in messages
             if intent not in PERSON_INTENTS and (hit := phrases.find(text))]
    assert found == []


def test_the_guard_makes_it_a_request_for_a_person_and_keeps_the_topic():
    message = guarded("Ik wil graag met een medewerker praten over mijn werkvergunning", "ask_work_permit",
                      [("ask_work_permit", 0.7), ("request_human", 0.2)])
    assert message.get(INTENT) == {"name": PERSON_INTENT, "confidence": 1.0}
    assert [e["value"] for e in message.get(ENTITIES) if e["entity"] == TOPIC_ENTITY] == ["ask_work_permit"]


def test_a_topic_said_with_about_counts_however_unsure_the_classifier_was():
    message = guarded("can I talk to a real person about the employer subsidy?", "request_human",
                      [("request_human", 0.999), ("check_employer_subsidy", 0.0004), ("ask_taxes", 0.0001)])
    assert message.get(INTENT)["name"] == PERSON_INTENT
    assert [e["value"] for e in message.get(ENTITIES)] == ["check_employer_subsidy"]
    plain = guarded("let me talk to a human", "request_human", [("request_human", 0.99), ("ask_taxes", 0.002)])
    assert plain.get(ENTITIES) in (None, [])  # no topic named: none invented
    not_a_topic = guarded("I want to talk to someone about it", "request_human", [("request_human", 0.9), ("stop", 0.05)])
    assert not_a_topic.get(ENTITIES) in (None, [])


def test_a_crisis_and_buttons_are_left_alone():
    danger = guarded("I want to talk to someone, I want to end my life", "report_danger", [("report_danger", 1.0)])
    assert danger.get(INTENT)["name"] == "report_danger"
    button = guarded("/ask_work_permit", "ask_work_permit", [("ask_work_permit", 1.0)])
    assert button.get(INTENT)["name"] == "ask_work_permit"


async def test_the_ticket_names_the_topic_of_the_request(tracker_for):
    from rasa_sdk import Tracker

    from actions.handoff import topic

    events = [
        {"event": "user", "text": "about my work permit, a person please",
         "parse_data": {"intent": {"name": PERSON_INTENT}, "entities": [{"entity": TOPIC_ENTITY, "value": "ask_work_permit"}]}},
        {"event": "bot", "text": "offer"},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}, "entities": []}},
    ]
    tracker = Tracker("u", {}, events[-1]["parse_data"], events, False, None, {}, "action_listen")
    assert topic(tracker, "request_human") == "ask_work_permit"


def test_an_unsure_complaint_with_a_request_for_a_person_is_a_request_for_a_person():
    """"Please call me" in Farsi was report_exploitation at 0.27 and fell back; a crisis stays."""
    unsure = guarded("لطفا به من زنگ بزنید 0612345678", "report_exploitation", [("report_exploitation", 0.27)])
    assert unsure.get(INTENT)["name"] == "request_human"
    sure = guarded("my boss does not pay me, I want to talk to a person", "report_exploitation", [("report_exploitation", 0.9)])
    assert sure.get(INTENT)["name"] == "report_exploitation"
    danger = guarded("call me please", "report_danger", [("report_danger", 0.3)])
    assert danger.get(INTENT)["name"] == "report_danger"
