"""A request for a person always wins: words that ask for a staff member, a human or a real
person make a message `request_human`, whatever topic the classifier saw in it.

"Ik wil graag met een medewerker praten over mijn werkvergunning" names a topic (the work permit)
and asks for a person; the classifier picked the topic, and the user got the TWV answer instead of
a person (issue 17). `PersonRequestGuard` sits after the classifier (and before `CrisisGuard`, so
that a crisis still wins) and, when the message contains a phrase of `person_phrases.yml`, sets
the intent to `request_human` and keeps the topic the classifier saw as the entity
`handoff_topic`, so that the handoff ticket names it (actions/handoff.py). Phrases are matched as
the crisis phrases are (bot/nlu/crisis.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Text

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

from bot.nlu.crisis import CrisisPhrases as Phrases  # the same matching, another list

PHRASES_FILE = Path(__file__).with_name("person_phrases.yml")
PERSON_INTENT = "request_human"
TOPIC_ENTITY = "handoff_topic"
# Intents that name a topic (information answers and checks) and so go into the ticket.
TOPIC_PREFIXES = ("ask_", "check_")
# Intents that already lead to a person, or must not be turned into a request for one.
KEPT_INTENTS = (PERSON_INTENT, "handoff_share_all", "report_danger", "report_exploitation")
# A topic further down the ranking counts only when the classifier gave it at least this much.
MIN_TOPIC_CONFIDENCE = 0.1


def named_topic(ranking: Iterable[Dict[str, Any]]) -> Optional[str]:
    """The topic intent the classifier ranked highest (if it is sure enough of it), or None."""
    for entry in ranking:
        name = entry.get(INTENT_NAME_KEY) or ""
        if name.startswith(TOPIC_PREFIXES) and float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0) >= MIN_TOPIC_CONFIDENCE:
            return name
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class PersonRequestGuard(GraphComponent):
    """After the intent classifier: a message that asks for a person is `request_human`, sure,
    with the topic it names as the entity `handoff_topic`."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"phrases_file": None}  # None: person_phrases.yml beside this module

    def __init__(self, phrases: Phrases) -> None:
        self._phrases = phrases

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "PersonRequestGuard":
        configured = config.get("phrases_file")
        return cls(Phrases.from_file(Path(configured) if configured else PHRASES_FILE))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not text or text.startswith("/") or intent in KEPT_INTENTS or self._phrases.find(text) is None:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            topic = named_topic(ranking)
            sure = {INTENT_NAME_KEY: PERSON_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            others = [r for r in ranking if r.get(INTENT_NAME_KEY) != PERSON_INTENT]
            message.set(INTENT, sure, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [sure, *others], add_to_output=True)
            if topic and not any(e.get(ENTITY_ATTRIBUTE_TYPE) == TOPIC_ENTITY for e in message.get(ENTITIES) or ()):
                found = {ENTITY_ATTRIBUTE_TYPE: TOPIC_ENTITY, ENTITY_ATTRIBUTE_VALUE: topic,
                         EXTRACTOR: self.__class__.__name__}
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), found], add_to_output=True)
        return messages
