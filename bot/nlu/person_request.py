"""A request for a person always wins: words that ask for a staff member, a human or a real
person make a message `request_human`, whatever topic the classifier saw in it.

"Ik wil graag met een medewerker praten over mijn werkvergunning" names a topic (the work permit)
and asks for a person; the classifier picked the topic, and the user got the TWV answer instead of
a person (issue 17). `PersonRequestGuard` sits after the classifier (and before `CrisisGuard`, so
that a crisis still wins) and, when the message contains a phrase of `person_phrases.yml`, sets
the intent to `request_human` and keeps the topic the classifier saw as the entity
`handoff_topic`, so that the handoff ticket names it (actions/handoff.py). Phrases are matched as
the crisis phrases are (bot/nlu/crisis.py). A message the classifier already took as
`request_human` gets its topic too.

Which topic: the intent the classifier ranked highest after the request for a person, when it is
a topic (an information answer or a check) and either the message says "about ..." (the file's
`about` words) or the classifier gave it at least `MIN_TOPIC_CONFIDENCE`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.content import fast_yaml
from bot.nlu.crisis import CrisisPhrases as Phrases  # the same matching, another list
from bot.nlu.crisis import PhraseFileGuard
from bot.nlu.normalise import normalise

PHRASES_FILE = Path(__file__).with_name("person_phrases.yml")
PERSON_INTENT = "request_human"
TOPIC_ENTITY = "handoff_topic"
# Intents that name a topic (information answers and checks) and so go into the ticket.
TOPIC_PREFIXES = ("ask_", "check_")
# Intents that already lead to a person (and stay), apart from a plain request for one.
KEPT_INTENTS = ("handoff_share_all", "report_danger", "report_exploitation")
# A kept intent other than a crisis stays only when the classifier is at least this sure of it:
# "لطفا به من زنگ بزنید" (please call me) was report_exploitation at 0.27, so the fallback answered
# instead of a person. A crisis, however unsure, keeps its 112.
MIN_KEPT_CONFIDENCE = 0.5
ALWAYS_KEPT = ("report_danger",)
# Without an "about" word, a topic counts only when the classifier gave it at least this much.
MIN_TOPIC_CONFIDENCE = 0.1


def named_topic(ranking: Iterable[Dict[str, Any]], says_about: bool) -> Optional[str]:
    """The topic of a request for a person: the intent ranked highest after the person intents,
    if it is a topic and the message says "about" or the classifier is sure enough of it."""
    for entry in ranking:
        name = entry.get(INTENT_NAME_KEY) or ""
        if name == PERSON_INTENT or name in KEPT_INTENTS:
            continue
        sure = float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0) >= MIN_TOPIC_CONFIDENCE
        return name if name.startswith(TOPIC_PREFIXES) and (says_about or sure) else None
    return None


class PersonWords:
    """The phrases that ask for a person, and the words that introduce a topic ("about")."""

    def __init__(self, phrases: Phrases, about: Sequence[str]) -> None:
        self.phrases = phrases
        self._about = re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in about) + r")(?![\w])") if about else None

    @classmethod
    def from_file(cls, path: Path = PHRASES_FILE) -> "PersonWords":
        data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        about = [normalise(str(w)) for words in (data.get("about") or {}).values() for w in words or ()]
        return cls(Phrases.from_mapping(data.get("phrases") or {}), about)

    def says_about(self, text: str) -> bool:
        return bool(self._about and self._about.search(normalise(text)))


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class PersonRequestGuard(PhraseFileGuard):
    """After the intent classifier: a message that asks for a person is `request_human`, sure,
    with the topic it names as the entity `handoff_topic`."""

    def __init__(self, words: "PersonWords") -> None:
        self._words = words

    @classmethod
    def load_phrases(cls, path: Optional[Path]) -> "PersonWords":
        return PersonWords.from_file(path or PHRASES_FILE)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            sure = float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0) >= MIN_KEPT_CONFIDENCE
            if not text or text.startswith("/") or intent in ALWAYS_KEPT or (intent in KEPT_INTENTS and sure):
                continue
            asked = self._words.phrases.find(text) is not None
            if not asked and intent != PERSON_INTENT:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            topic = named_topic(ranking, self._words.says_about(text))
            if asked:
                self.make_sure(message, PERSON_INTENT)
            if topic and self.entity_value(message, TOPIC_ENTITY) is None:
                self.add_entity(message, TOPIC_ENTITY, topic)
        return messages
