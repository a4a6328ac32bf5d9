"""Follow-up questions that the classifier takes for something else.

"А якщо в мене вже є роботодавець?" (and if I already have an employer?) after the answer about
Ukrainians and work is a question about that answer, but the classifier reads "employer" and says
`report_exploitation`. `FollowUpGuard` sits after the classifier (before the person and crisis
guards, which still win): a message that opens with a follow-up phrase of
`follow_up_openers.yml` and states a fact of a check (actions/answer_parsing.py), and that the
classifier did not take for a reply it must keep (yes, no, stop, ...) nor, when it has more than
eight words, for a topic (`ask_*`/`check_*`), becomes `nlu_fallback`, with the classifier's intent kept as the entity
`follow_up_of`. The fallback rule runs `action_follow_up` (actions/follow_up.py): the previous
topic with the new fact, or, when there was none, the intent the classifier chose.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.answer_parsing import facts
from actions.follow_up import is_topic
from bot.content import fast_yaml
from bot.nlu.crisis import CrisisPhrases as Phrases  # the same matching, another list
from bot.nlu.crisis import PhraseFileGuard
from bot.nlu.language_id import ENTITY as LANGUAGE_ENTITY

PHRASES_FILE = Path(__file__).with_name("follow_up_openers.yml")
FALLBACK_INTENT = "nlu_fallback"
ORIGINAL_ENTITY = "follow_up_of"
# Replies that stay what the classifier said, follow-up words or not.
KEPT_INTENTS = frozenset({
    "affirm", "deny", "stop", "restart", "choose_language", "request_human", "handoff_share_all",
    "report_danger", "feedback_helpful", "feedback_not_helpful", "more_details",
})


# A follow-up this short that the classifier took for another topic is marked too: "а если у меня
# есть работодатель?" after the answer for Ukrainians was read as the employer subsidy.
MAX_WORDS_OF_A_TOPIC_FOLLOW_UP = 8


def is_relabelled(intent: Optional[str], words: int = MAX_WORDS_OF_A_TOPIC_FOLLOW_UP + 1) -> bool:
    """Whether a follow-up of `words` words that the classifier took as `intent` is marked: not a
    reply it must keep, and not a topic unless the message is short."""
    if not intent or intent in KEPT_INTENTS or intent == FALLBACK_INTENT:
        return False
    return not is_topic(intent) or words <= MAX_WORDS_OF_A_TOPIC_FOLLOW_UP


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class FollowUpGuard(PhraseFileGuard):
    """After the intent classifier: "and if <fact>?" taken for something else than a topic is
    `nlu_fallback`, sure, with the classifier's intent as the entity `follow_up_of`."""

    def __init__(self, openers: Phrases) -> None:
        self._openers = openers

    @classmethod
    def load_phrases(cls, path: Optional[Path]) -> Phrases:
        data = fast_yaml.safe_load((path or PHRASES_FILE).read_text(encoding="utf-8")) or {}
        return Phrases.from_mapping(data.get("phrases") or {})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not text or text.startswith("/") or not is_relabelled(intent, len(text.split())):
                continue
            if self._openers.find(text) is None or not facts(text, self.entity_value(message, LANGUAGE_ENTITY)).stated:
                continue
            self.make_sure(message, FALLBACK_INTENT)
            self.add_entity(message, ORIGINAL_ENTITY, intent)
        return messages
