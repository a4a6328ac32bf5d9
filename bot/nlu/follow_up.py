"""Follow-up questions that the classifier takes for something else.

"А якщо в мене вже є роботодавець?" (and if I already have an employer?) after the answer about
Ukrainians and work is a question about that answer, but the classifier reads "employer" and says
`report_exploitation`. `FollowUpGuard` sits after the classifier (before the person and crisis
guards, which still win): a message that opens with a follow-up phrase of
`follow_up_openers.yml`, or a statement of at most eight words without a question mark, and that
states a fact of a check (actions/answer_parsing.py), and that the
classifier did not take for a reply it must keep (yes, no, stop, ...) nor, when it has more than
eight words, for a topic (`ask_*`/`check_*`), becomes `nlu_fallback`, with the classifier's intent kept as the entity
`follow_up_of`. The fallback rule runs `action_follow_up` (actions/follow_up.py): the previous
topic with the new fact, or, when there was none, the intent the classifier chose.

A short question with a follow-up question word ("until when?", "how long does it take?", "so
when can I start?") that the classifier did not place in a topic gets the entity
`follow_up_question`: `action_follow_up` asks it again as the previous topic. When the classifier
chose a reply or "out of scope" without being sure of it ("پس کی؟", so when?, read as yes at 0.42),
the message becomes `nlu_fallback` too.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.answer_parsing import facts, unpaid_kind
from actions.follow_up import COMMANDS, FALLBACK_INTENT, ORIGINAL_ENTITY, QUESTION_ENTITY, is_topic
from bot.content import fast_yaml
from bot.nlu.crisis import CrisisPhrases as Phrases  # the same matching, another list
from bot.nlu.crisis import PhraseFileGuard
from bot.nlu.language_id import ENTITY as LANGUAGE_ENTITY

PHRASES_FILE = Path(__file__).with_name("follow_up_openers.yml")
# The unpaid-work check without a word for volunteer work or an internship in the message is the
# work check when the classifier found that this close.
UNPAID_CHECK, WORK_CHECK = "check_unpaid_work", "check_work_permission"
MAX_GAP_TO_THE_WORK_CHECK = 0.15
# A command (COMMANDS) of more words than this that states a fact is not one.
MAX_WORDS_OF_A_COMMAND = 5
# A short statement of a fact without a question mark ("she's from Ukraine btw, not a
# statushouder" after the subsidy answer) adds to the question before, like "and if ...".
QUESTION_MARKS = ("?", "؟", "፧")
# A question of at most this many words that only names a status is a follow-up too.
MAX_WORDS_OF_A_STATUS_QUESTION = 6


def is_a_question(text: str) -> bool:
    return any(mark in text for mark in QUESTION_MARKS)


# The topics such a statement is read as only because it names a status; another topic (a
# complaint, a months count) stays, and so does small talk the classifier is sure of ("слава Україні").
STATUS_TOPICS = frozenset({"ask_ukraine_work", "ask_status_holder_work", "ask_dublin"})
# Replies that stay what the classifier said, follow-up words or not.
KEPT_INTENTS = frozenset({
    "affirm", "deny", "stop", "restart", "choose_language", "request_human", "handoff_share_all",
    "report_danger", "feedback_helpful", "feedback_not_helpful", "more_details",
})


# A follow-up this short that the classifier took for another topic is marked too: "а если у меня
# есть работодатель?" after the answer for Ukrainians was read as the employer subsidy.
MAX_WORDS_OF_A_TOPIC_FOLLOW_UP = 8
# How sure the classifier must be of a kept reply (yes, no, ...) or of "out of scope" for a short
# question to stay that: below it, the question is asked again as the previous topic.
SURE_OF_A_REPLY = 0.6
SURE_OF_OUT_OF_SCOPE = 0.9
# A topic the classifier is this sure of is that topic (the FallbackClassifier's threshold).
SURE_OF_A_TOPIC = 0.4


def is_relabelled(intent: Optional[str], words: int = MAX_WORDS_OF_A_TOPIC_FOLLOW_UP + 1) -> bool:
    """Whether a follow-up of `words` words that the classifier took as `intent` is marked: not a
    reply it must keep, and not a topic unless the message is short."""
    if not intent or intent in KEPT_INTENTS or intent == FALLBACK_INTENT:
        return False
    return not is_topic(intent) or words <= MAX_WORDS_OF_A_TOPIC_FOLLOW_UP


def is_open_question(intent: Optional[str], confidence: float, question_mark: bool = False) -> bool:
    """Whether a short question with a follow-up question word that the classifier read as `intent`
    is left to the previous topic: anything below the fallback threshold, and "out of scope" or a
    yes/no it is not sure of (see the module's docstring)."""
    if not intent or intent == FALLBACK_INTENT or confidence < SURE_OF_A_TOPIC:
        return True  # the fallback classifier would not take it either ("ክሳብ መዓስ?" as bye at 0.33)
    if is_topic(intent):
        return False
    if intent == "out_of_scope":
        return confidence < SURE_OF_OUT_OF_SCOPE
    if intent in ("goodbye", "thank") and question_mark:
        return True  # "tot wanneer?", "до коли?" (until when?) share a word with goodbye
    if intent in ("affirm", "deny", "choose_language", "goodbye", "thank"):
        # "welk niveau Nederlands moet ik halen?" after the inburgering answer: a language at 0.54
        return confidence < SURE_OF_A_REPLY
    return False


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class FollowUpGuard(PhraseFileGuard):
    """After the intent classifier: "and if <fact>?" taken for something else than a topic is
    `nlu_fallback`, sure, with the classifier's intent as the entity `follow_up_of`."""

    def __init__(self, phrases: Tuple[Phrases, Phrases]) -> None:
        self._openers, self._questions = phrases

    @classmethod
    def load_phrases(cls, path: Optional[Path]) -> Tuple[Phrases, Phrases]:
        data = fast_yaml.safe_load((path or PHRASES_FILE).read_text(encoding="utf-8")) or {}
        return Phrases.from_mapping(data.get("phrases") or {}), Phrases.from_mapping(data.get("questions") or {})

    def _may_work_instead(self, message: Message, text: str) -> bool:
        """Whether a message the classifier read as the unpaid-work check names neither volunteer
        work nor an internship, and the classifier found the work check nearly as likely."""
        if unpaid_kind(text, self.entity_value(message, LANGUAGE_ENTITY)) is not None:
            return False
        ranking = {r.get(INTENT_NAME_KEY): float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
                   for r in message.get(INTENT_RANKING_KEY) or ()}
        return ranking.get(WORK_CHECK, 0.0) >= ranking.get(UNPAID_CHECK, 0.0) - MAX_GAP_TO_THE_WORK_CHECK

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue
            found = message.get(INTENT) or {}
            intent = found.get(INTENT_NAME_KEY)
            words = len(text.split())
            confidence = float(found.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            opens = self._openers.find(text) is not None
            asks = self._questions.find(text) is not None
            # a statement ("she's from Ukraine btw"), or a very short question that only names a
            # status ("برای اوکراینی ها هم هست؟", for Ukrainians too?)
            states = words <= MAX_WORDS_OF_A_TOPIC_FOLLOW_UP and not asks and (
                intent in STATUS_TOPICS and (words <= MAX_WORDS_OF_A_STATUS_QUESTION or not is_a_question(text))
                or not is_topic(intent) and confidence < SURE_OF_OUT_OF_SCOPE and not is_a_question(text))
            # "እሞ ዩክረይናውያንከ?" (and Ukrainians?) read as yes: an opener with a fact is no yes or no
            reply_with_opener = intent in ("affirm", "deny") and opens and words <= MAX_WORDS_OF_A_TOPIC_FOLLOW_UP
            if ((is_relabelled(intent, words) or reply_with_opener) and (opens or states)
                    and facts(text, self.entity_value(message, LANGUAGE_ENTITY)).stated):
                self.make_sure(message, FALLBACK_INTENT)
                self.add_entity(message, ORIGINAL_ENTITY, intent)
            elif intent == UNPAID_CHECK and self._may_work_instead(message, text):
                # "ik ben asielzoeker, 9 maanden in de procedure" read as unpaid work (0.48 against
                # 0.44 for may I work) asked "volunteering or an internship?", which nobody said
                self.make_sure(message, WORK_CHECK)
            elif (intent in COMMANDS and words > MAX_WORDS_OF_A_COMMAND
                    and facts(text, self.entity_value(message, LANGUAGE_ENTITY)).stated):
                # "از اوکراین آمدم یک شرکت گفته از دوشنبه شروع کن، میشه؟" (a company said start on
                # Monday) was "start over": a story with facts is not a command
                self.make_sure(message, FALLBACK_INTENT)
                self.add_entity(message, ORIGINAL_ENTITY, intent)
            elif (words <= MAX_WORDS_OF_A_TOPIC_FOLLOW_UP and (asks or opens)
                    and is_open_question(intent, confidence, is_a_question(text))):
                # "until when?"; "and if we take 3?" (an opener without a fact the checks read)
                if intent != FALLBACK_INTENT and not is_topic(intent):
                    self.make_sure(message, FALLBACK_INTENT)
                self.add_entity(message, QUESTION_ENTITY, "yes")
        return messages
