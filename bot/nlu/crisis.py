"""A life at risk is never missed: words of suicide, self-harm or a threat to kill make a message
`report_danger`, whatever the intent classifier thinks.

The classifier learns from a few examples per language and reads words, not meaning: with the
fourth to sixth data rounds it answered "I want to end my life" with `stop` in Dutch, Turkish and
Farsi ("end" is what a user says to stop a check). The answer to `report_danger` is 112 first and
the offer of a person (data/rules/handoff.yml); a needless referral costs a moment, a missed one
may cost a life. So `CrisisGuard` sits after the classifier and before the `FallbackClassifier`,
and sets the intent when the message contains one of the phrases of `crisis_phrases.yml` (that
file says how a phrase matches). When the language detector could not tell the message's
language, the phrase's language is taken, so that 112 is said in the language the user wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.content import fast_yaml
from bot.nlu.language_id import ENTITY as LANGUAGE_ENTITY
from bot.nlu.language_id import add_language_entity
from bot.nlu.normalise import normalise

PHRASES_FILE = Path(__file__).with_name("crisis_phrases.yml")
CRISIS_INTENT = "report_danger"
# The share of its confidence an intent keeps when a guard makes another intent sure.
OTHERS_SHARE = 0.5
# Other words allowed between two words of a phrase ("I really want to end my whole life").
MAX_GAP = 2

_WORD = re.compile(r"[\w']+")


def words_of(normalised: str) -> List[str]:
    """The words of a normalised text, as phrases are matched against them."""
    return _WORD.findall(normalised)


@dataclass(frozen=True)
class _Word:
    """One word of a phrase: the whole word, or (with `*`) its beginning, end or middle."""

    text: str
    any_start: bool
    any_end: bool

    @classmethod
    def parse(cls, pattern: str) -> "_Word":
        return cls(pattern.strip("*"), pattern.startswith("*"), pattern.endswith("*"))

    def matches(self, word: str) -> bool:
        if self.any_start and self.any_end:
            return self.text in word
        if self.any_start:
            return word.endswith(self.text)
        if self.any_end:
            return word.startswith(self.text)
        return word == self.text


@dataclass(frozen=True)
class CrisisPhrase:
    language: str
    source: str  # as written in the phrases file
    words: Tuple[_Word, ...]
    anchor: str  # its longest word: a message without it as a substring cannot contain the phrase

    @classmethod
    def parse(cls, language: str, source: str) -> "CrisisPhrase":
        patterns = [p for p in re.split(r"\s+", normalise(source).strip()) if p.strip("*")]
        if not patterns:
            raise ValueError(f"empty crisis phrase in {language}: {source!r}")
        words = tuple(_Word.parse(p) for p in patterns)
        return cls(language, source, words, max((word.text for word in words), key=len))

    def found_in(self, words: Sequence[str]) -> bool:
        return any(self._found_from(words, start) for start, word in enumerate(words) if self.words[0].matches(word))

    def _found_from(self, words: Sequence[str], start: int) -> bool:
        position = start
        for pattern in self.words[1:]:
            following = range(position + 1, min(len(words), position + 2 + MAX_GAP))
            position = next((i for i in following if pattern.matches(words[i])), -1)
            if position < 0:
                return False
        return True


class CrisisPhrases:
    """The phrases of every language; a message is checked against all of them (a user in crisis
    may write in a language the conversation is not in)."""

    def __init__(self, phrases: Iterable[CrisisPhrase]) -> None:
        self.phrases = tuple(phrases)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Sequence[str]]) -> "CrisisPhrases":
        return cls(CrisisPhrase.parse(language, str(source)) for language, sources in data.items()
                   for source in sources or ())

    @classmethod
    def from_file(cls, path: Path = PHRASES_FILE) -> "CrisisPhrases":
        return cls.from_mapping(fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def find(self, text: str) -> Optional[CrisisPhrase]:
        """The first phrase the text contains, or None."""
        normalised = normalise(text)
        candidates = [phrase for phrase in self.phrases if phrase.anchor in normalised]
        if not candidates:  # nearly every message: a substring test per phrase, no word matching
            return None
        words = words_of(normalised)
        return next((phrase for phrase in candidates if phrase.found_in(words)), None)


class PhraseFileGuard(GraphComponent):
    """An NLU component after the classifier that reads a phrases file: `phrases_file` in its
    config, or (None) the file beside its module (`load_phrases` of the subclass)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"phrases_file": None}

    @classmethod
    def load_phrases(cls, path: Optional[Path]) -> Any:
        raise NotImplementedError

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "PhraseFileGuard":
        configured = config.get("phrases_file")
        return cls(cls.load_phrases(Path(configured) if configured else None))

    @staticmethod
    def make_sure(message: Message, intent: str) -> None:
        """Sets the message's intent to `intent`, sure, first in the ranking before the others.
        The others keep their order at half their confidence, so that the fallback classifier
        never finds the sure intent ambiguous (a threat the classifier took for exploitation at
        0.99 was a fallback)."""
        sure = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        others = [{**r, PREDICTED_CONFIDENCE_KEY: float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) * OTHERS_SHARE}
                  for r in message.get(INTENT_RANKING_KEY) or () if r.get(INTENT_NAME_KEY) != intent]
        message.set(INTENT, sure, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [sure, *others], add_to_output=True)

    def add_entity(self, message: Message, entity: str, value: Any) -> None:
        found = {ENTITY_ATTRIBUTE_TYPE: entity, ENTITY_ATTRIBUTE_VALUE: value, EXTRACTOR: self.__class__.__name__}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), found], add_to_output=True)

    @staticmethod
    def entity_value(message: Message, entity: str) -> Optional[Any]:
        """The value of the message's first entity of type `entity`, or None."""
        return next((e.get(ENTITY_ATTRIBUTE_VALUE) for e in message.get(ENTITIES) or ()
                     if e.get(ENTITY_ATTRIBUTE_TYPE) == entity), None)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisGuard(PhraseFileGuard):
    """After the intent classifier: a message with a crisis phrase is `report_danger`, sure."""

    def __init__(self, phrases: CrisisPhrases) -> None:
        self._phrases = phrases

    @classmethod
    def load_phrases(cls, path: Optional[Path]) -> CrisisPhrases:
        return CrisisPhrases.from_file(path or PHRASES_FILE)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            phrase = self._phrases.find(text) if text and not text.startswith("/") else None
            if phrase is None:
                continue
            self.make_sure(message, CRISIS_INTENT)
            if self.entity_value(message, LANGUAGE_ENTITY) is None:
                # Too short or unclear for the language detector ("хочу померти", "i just want
                # to die"): the phrase's language is the best guess, better than the conversation's.
                add_language_entity(message, phrase.language, self.__class__.__name__)
        return messages
