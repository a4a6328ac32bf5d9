"""Reply templates ("macros") for helpdesk agents: chosen in Dutch, sent in the user's language.

Two kinds:
- `phrase.<key>`: the helpdesk's own phrases (`helpdesk_phrases:` in `translations/<lang>.yml`):
  a greeting, "I will look into it", "UWV decides on this", a closing.
- `topic.<intent>`: the assistant's answer to an information question (`actions/topics.yml`),
  with the numbers, sources and dates of the rules in force on the day it is sent.

A free-text reply is sent as typed, after a phrase in the user's language that says it is in
Dutch or English (`free_text_nl`, `free_text_en`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional

from bot.content import fast_yaml
from bot.content.translations import Translations
from bot.helpdesk.dutch import Summaries

MACRO_PHRASES = ("greeting", "looking_into_it", "contact_uwv", "closing")
FREE_TEXT_LANGUAGES = ("nl", "en")

TopicAnswer = Callable[[str, str, dt.date], Optional[str]]
"""The assistant's answer to an information intent in a language on a day (None if unknown)."""


class UnknownMacro(LookupError):
    """No macro with this id."""


@dataclass(frozen=True)
class Macro:
    id: str
    group: str  # "helpdesk" for the helpdesk's phrases, "topic" for the assistant's answers
    title: str  # in Dutch: what the agent chooses by


def assistant_answer(intent: str, language: str, day: dt.date) -> Optional[str]:
    """The assistant's own answer (actions/answers.py), imported when first needed: the web app
    does not load the action code until an agent uses a topic macro."""
    from actions.answers import answer_topic

    answer = answer_topic(intent, language, day)
    return answer.text if answer else None


def topic_intents(project: Path) -> List[str]:
    """The information intents of `actions/topics.yml` under the project folder, in its order."""
    return list(fast_yaml.safe_load((project / "actions" / "topics.yml").read_text(encoding="utf-8")))


class Macros:
    def __init__(
        self,
        translations: Translations,
        wording: Summaries,
        topic_intents: List[str],
        answer: TopicAnswer = assistant_answer,
    ):
        self.translations = translations
        self.wording = wording
        self.topic_intents = topic_intents
        self.answer = answer

    def all(self) -> List[Macro]:
        """Every macro, the helpdesk's phrases first; titles in Dutch."""
        default = self.translations.default
        phrases = [
            Macro(f"phrase.{key}", "helpdesk", self.translations.helpdesk_phrase(key, default).text)
            for key in MACRO_PHRASES
        ]
        answers = [
            Macro(f"topic.{intent}", "topic", self.wording.intents.get(intent, intent))
            for intent in self.topic_intents
        ]
        return phrases + answers

    def text(self, macro_id: str, language: str, day: dt.date) -> str:
        """The macro's text in `language` (the default language's when it lacks one)."""
        kind, _, name = macro_id.partition(".")
        if kind == "phrase" and name in MACRO_PHRASES:
            return self.translations.helpdesk_phrase(name, language).text
        if kind == "topic" and name in self.topic_intents:
            found = self.answer(name, language, day)
            if found:
                return found
        raise UnknownMacro(macro_id)

    def free_text(self, text: str, written_in: str, language: str) -> str:
        """A typed reply as the user gets it: with a note that it is in Dutch or English, unless
        that is the user's language."""
        if written_in == language:
            return text
        note = self.translations.helpdesk_phrase(f"free_text_{written_in}", language).text
        return f"{note}\n\n{text}"
