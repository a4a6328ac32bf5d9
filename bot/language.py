"""Language detection for short chat messages, and the NLU component that uses it.

The conversation language lives in the `language` slot, filled from a `language` entity. This
component adds that entity only when it is sure: when the user asks for a language ("in English
please", a language button) or writes clearly enough in one. A message that is too short to tell
("ok", "👍", "8") adds nothing, so the slot — and the conversation's language — stays as it was.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

SUPPORTED_LANGUAGES: Sequence[str] = ("nl", "en")
ENTITY = "language"
MIN_LETTERS = 8
MIN_CONFIDENCE = 0.66

# langdetect codes that stand for one of ours on short texts (short Dutch looks like Afrikaans).
_LANGDETECT_ALIASES = {"af": "nl"}

# Words that name a language, in any of the languages: "English", "Engels", "بالعربي", ...
_LANGUAGE_NAMES: Dict[str, Iterable[str]] = {
    "nl": ("nederlands", "dutch", "hollands", "nederlandse"),
    "en": ("english", "engels", "engelse", "inglizi", "ingilizce"),
}
# Short messages that are clearly one language even though langdetect cannot tell.
_SHORT_WORDS: Dict[str, Iterable[str]] = {
    "nl": ("hoi", "hallo", "goedemorgen", "goedemiddag", "goedenavond", "dank je", "dankjewel",
           "bedankt", "doei", "tot ziens", "ja graag", "nee dank je", "wat kun je"),
    "en": ("hi", "hello", "hey", "good morning", "good afternoon", "thanks", "thank you", "bye",
           "goodbye", "yes please", "no thanks", "what can you do"),
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def requested_language(text: str, supported: Sequence[str] = SUPPORTED_LANGUAGES) -> Optional[str]:
    """The language the user asks for by name, if exactly one is named."""
    words = set(_normalise(text).split())
    named = {code for code, names in _LANGUAGE_NAMES.items() if code in supported and words & set(names)}
    return named.pop() if len(named) == 1 else None


class _Langdetect:
    """langdetect restricted to the profiles of the languages we can tell apart, seeded."""

    # Profiles loaded besides ours, so that their texts are not forced onto one of ours.
    EXTRA_PROFILES = ("af", "de", "ru")

    def __init__(self, languages: Sequence[str]) -> None:
        import json
        import os

        from langdetect import detector_factory
        from langdetect.utils.lang_profile import LangProfile

        wanted = sorted(set(languages) | set(self.EXTRA_PROFILES))
        factory = detector_factory.DetectorFactory()
        factory.seed = 0
        profiles = []
        for code in wanted:
            path = os.path.join(detector_factory.PROFILES_DIRECTORY, code)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as handle:
                    profiles.append(LangProfile(**json.load(handle)))
        for index, profile in enumerate(profiles):
            factory.add_profile(profile, index, len(profiles))
        self._factory = factory

    def probabilities(self, text: str) -> Dict[str, float]:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        detector.append(text)
        try:
            return {p.lang: p.prob for p in detector.get_probabilities()}
        except LangDetectException:
            return {}


_LANGDETECT: Optional[_Langdetect] = None


def _langdetect() -> _Langdetect:
    global _LANGDETECT
    if _LANGDETECT is None:
        _LANGDETECT = _Langdetect(SUPPORTED_LANGUAGES)
    return _LANGDETECT


def detect(text: str, supported: Sequence[str] = SUPPORTED_LANGUAGES) -> Optional[str]:
    """The language `text` is written in, or None when it is too short or unclear to tell."""
    normal = _normalise(text)
    if not normal:
        return None
    for code, words in _SHORT_WORDS.items():
        if code in supported and normal in words:
            return code
    letters = sum(len(w) for w in normal.split())
    if letters < MIN_LETTERS:
        return None
    scores: Dict[str, float] = {}
    for lang, prob in _langdetect().probabilities(text).items():
        code = _LANGDETECT_ALIASES.get(lang, lang)
        if code in supported:
            scores[code] = scores.get(code, 0.0) + prob
    if not scores:
        return None
    best = max(scores, key=scores.get)
    return best if scores[best] >= MIN_CONFIDENCE else None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(GraphComponent):
    """Adds a `language` entity when the user asks for a language or clearly writes in one."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"languages": list(SUPPORTED_LANGUAGES)}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.languages = tuple(config.get("languages") or SUPPORTED_LANGUAGES)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        _langdetect()
        return cls(config)

    def language_of(self, text: str) -> Optional[str]:
        return requested_language(text, self.languages) or detect(text, self.languages)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = self.language_of(text)
            if language is None:
                continue
            entity = {
                "entity": ENTITY,
                "value": language,
                "start": 0,
                "end": len(text),
                "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
