"""A message about suicide, self-harm or a threat to kill gets 112 first, in every language and
in the middle of a check, whatever the intent classifier makes of it (bot/nlu/crisis.py)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from bot.content import fast_yaml
from bot.content.translations import Translations
from bot.nlu.crisis import CRISIS_INTENT, CrisisPhrases, words_of
from bot.tools.evaluation import DEFAULT_QUESTIONS, load_questions
from bot.tools.nlu_crossval import read_examples
from bot.tools.quality import held_out_intents

CASES = fast_yaml.safe_load((Path(__file__).parent / "data" / "crisis_messages.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def phrases() -> CrisisPhrases:
    return CrisisPhrases.from_file()


def crisis_messages() -> Iterator[Tuple[str, str]]:
    for language, messages in CASES["must_match"].items():
        for message in messages:
            yield language, message


def test_every_language_has_phrases_and_crisis_messages(phrases, project):
    languages = {p.stem for p in (project / "translations").glob("*.yml")}
    assert {phrase.language for phrase in phrases.phrases} == languages
    assert set(CASES["must_match"]) == languages


def test_every_phrase_finds_itself(phrases):
    """A phrase whose words the message tokenizer splits ("self-harm") could never match."""
    dead = [p.source for p in phrases.phrases if not p.found_in(words_of(" ".join(w.text for w in p.words)))]
    assert dead == []


@pytest.mark.parametrize("language,message", list(crisis_messages()))
def test_crisis_messages_are_found(phrases, language, message):
    assert phrases.find(message), message


@pytest.mark.parametrize("message", CASES["must_not"])
def test_everyday_messages_near_those_words_are_not(phrases, message):
    found = phrases.find(message)
    assert found is None, f"{message!r} matched {found.source!r}"


def test_no_message_of_another_intent_raises_the_alarm(phrases, project):
    """Every training and held-out message and every evaluation question of another intent:
    about 9,500 real messages in seven languages."""
    messages = [(e.text, e.intent) for e in read_examples(project)]
    messages += [case for cases in held_out_intents(project).values() for case in cases]
    messages += [(q.text, CRISIS_INTENT if CRISIS_INTENT in q.intents else q.intents[0])
                 for q in load_questions(project / DEFAULT_QUESTIONS)]
    assert len(messages) > 8000
    alarms = [(text, intent, found.source) for text, intent in messages
              if intent != CRISIS_INTENT and (found := phrases.find(text))]
    assert alarms == []


def test_a_phrase_matches_across_a_few_words_and_keyboards(phrases):
    assert phrases.find("I really want to end my whole life")  # two words between
    assert not phrases.find("I want to end this check, it is my life's work")  # too far apart
    assert phrases.find("KENDİMİ ÖLDÜRMEK İSTİYORUM") and phrases.find("kendimi oldurmek istiyorum")
    assert phrases.find("مي‌خواهم خودم را بکشم") and phrases.find("ميخواهم خودم را بكشم")  # Farsi on an Arabic keyboard


def new_user() -> str:
    return f"crisis-{uuid.uuid4().hex[:10]}"


@pytest.mark.server
def test_a_crisis_message_gets_112_in_its_own_language(assistant, project):
    translations = Translations.load(project / "translations")
    for language, messages in CASES["must_match"].items():
        emergency = translations.text("utter_emergency", language).text
        for message in messages:  # every one: a crisis found must never end in a fallback
            reply = assistant.say(new_user(), message)
            assert reply and reply[0]["text"] == emergency, (language, message, reply[:1])
            # 112 for danger, and 113 Zelfmoordpreventie (free 0800-0113, chat at 113.nl) beside it.
            for number in ("112", "113", "0800-0113", "113.nl"):
                assert number in reply[0]["text"], (language, number, reply[0]["text"])
            assert {b["payload"] for b in reply[-1].get("buttons") or ()} >= {"/affirm", "/deny"}


@pytest.mark.server
def test_a_crisis_message_in_the_middle_of_a_check_gets_112(assistant):
    user = new_user()
    question = assistant.say(user, "can you check whether I may work")
    assert question and question[-1].get("buttons"), "the check asks for the situation"
    reply = assistant.say(user, "i dont want to live anymore")
    assert reply and "112" in reply[0]["text"] and "0800-0113" in reply[0]["text"], reply
