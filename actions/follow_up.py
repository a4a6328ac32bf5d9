"""Follow-ups that name only a fact: "and if I have an employer?", "and at 7 months?".

Such a message has no topic words, so the classifier is not sure of any intent (`nlu_fallback`)
or takes it for a question about something else (`out_of_scope`).
When it states a fact the checks read (status, months, hours, people, contract, "I have an
employer": actions/answer_parsing.py) and the conversation had a topic before, it is a question
about that topic: the message is put back as that topic's intent, and the topic's own rule answers
it with the new fact (Rasa's two-stage fallback re-issues a clarified message the same way).
A message `FollowUpGuard` (bot/nlu/follow_up.py) marked ("and if <fact>?" that the classifier took
for something else) is handled the same way; without a previous topic it gets the intent the
classifier chose (the entity `follow_up_of`). A short question it marked with `follow_up_question`
("until when?", "how long does it take?") is asked again as the previous topic too.
A longer message that states facts and that the classifier was not sure enough of ("4 months in
the azc, a restaurant owner wants to hire me, can I start?": may I work 0.37, unpaid work 0.34)
gets the answer of its most likely topic: an answer that may be the wrong one, with a person
offered, helps more than "please say it another way" to someone who told their whole situation.
Otherwise the answer is as before: out of scope, or please say it another way, and the offer of
a person when the message before was not understood either (a rule did this before; it also
caught follow-ups after a first message that was not understood).
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterator, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, FollowupAction, UserUtteranceReverted, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions import answer_parsing

# Intents that are not a topic a fact can follow up on.
NOT_TOPICS = frozenset({"ask_capabilities", "ask_privacy"})
TOPIC_PREFIXES = ("ask_", "check_")
# Intents without those prefixes that are a topic too ("where can I complain? anonymously?").
OTHER_TOPICS = frozenset({"report_exploitation"})
# The entity with the classifier's intent of a message that FollowUpGuard marked.
ORIGINAL_ENTITY = "follow_up_of"
# The entity FollowUpGuard adds to a short question about the answer before ("until when?").
QUESTION_ENTITY = "follow_up_question"
# What is said when the message is not a follow-up, per intent.
NOT_A_FOLLOW_UP = {"out_of_scope": "utter_out_of_scope"}
NOT_UNDERSTOOD = "utter_rephrase"
# Not understood twice in a row: a person is offered.
OFFER_A_PERSON = "action_offer_handoff"
FALLBACK_INTENT = "nlu_fallback"
# A statement of a status or months without a topic before ("انا بالكامب من ٥ شهور") is most
# likely the question whether one may work; a check the classifier chose stays.
STATUS_QUESTION = "check_work_permission"
# Commands a story with facts may be taken for (bot/nlu/follow_up.py): never carried out from here.
COMMANDS = frozenset({"restart", "stop"})
# A message that states facts and has this many words, with a topic at least this likely, is
# answered as that topic although the classifier was not sure enough (see the module's docstring).
MIN_WORDS_OF_A_SITUATION = 9  # longer than a follow-up (bot/nlu/follow_up.py: at most 8)
MIN_CONFIDENCE_OF_A_GUESS = 0.3
# Events that end a conversation's topic: a restart or a new session.
TOPIC_ENDS = frozenset({"restart", "session_started"})


def is_topic(intent: Optional[str]) -> bool:
    return bool(intent) and (intent.startswith(TOPIC_PREFIXES) or intent in OTHER_TOPICS) and intent not in NOT_TOPICS


def earlier_user_messages(events: List[Dict[Text, Any]]) -> Iterator[Dict[Text, Any]]:
    """The user messages before the latest one, the latest first, back to a restart or the start
    of the session."""
    user_messages = 0
    for event in reversed(events):
        kind = event.get("event")
        if kind in TOPIC_ENDS:
            return
        if kind != "user":
            continue
        user_messages += 1
        if user_messages > 1:  # the latest message itself is not an earlier one
            yield event


def previous_topic(events: List[Dict[Text, Any]]) -> Optional[str]:
    """The intent of the last user message about a topic before the latest message, if any."""
    for event in earlier_user_messages(events):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if is_topic(intent):
            return intent
    return None


def not_understood_before(events: List[Dict[Text, Any]]) -> bool:
    """Whether the user message before the latest one was not understood (a fallback that was not
    asked again as a topic: a message asked again appears after it with the topic's intent)."""
    before = next(earlier_user_messages(events), None)
    intent = (((before or {}).get("parse_data") or {}).get("intent") or {}).get("name")
    return intent == FALLBACK_INTENT


def states_a_fact(text: Optional[str], language: Optional[str]) -> bool:
    return answer_parsing.facts(text, language).stated


def likely_topic(latest: Dict[Text, Any], language: Optional[str]) -> Optional[str]:
    """The most likely topic of a message that describes a situation (see the module's
    docstring), or None."""
    text = latest.get("text") or ""
    if len(text.split()) < MIN_WORDS_OF_A_SITUATION or not states_a_fact(text, language):
        return None
    ranked = [r for r in latest.get("intent_ranking") or () if r.get("name") not in (FALLBACK_INTENT, None)]
    best = max(ranked, key=lambda r: float(r.get("confidence") or 0.0), default=None)
    if best and is_topic(best["name"]) and float(best.get("confidence") or 0.0) >= MIN_CONFIDENCE_OF_A_GUESS:
        return str(best["name"])
    return None


def as_intent(latest: Dict[Text, Any], intent: str) -> List[Dict[Text, Any]]:
    """The events that replace the latest message by the same message with `intent`."""
    parse_data = copy.deepcopy(latest)
    parse_data["intent"] = {"name": intent, "confidence": 1.0}
    parse_data["intent_ranking"] = [parse_data["intent"]]
    event = UserUttered(latest.get("text"), parse_data=parse_data)
    event["metadata"] = latest.get("metadata") or {}
    return [UserUtteranceReverted(), ActionExecuted("action_listen"), event]


class ActionFollowUp(Action):
    """On `nlu_fallback` and `out_of_scope`: a fact about the previous topic is a question about
    it; anything else gets the intent's own answer (NOT_A_FOLLOW_UP, else utter_rephrase)."""

    def name(self) -> Text:
        return "action_follow_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        latest = tracker.latest_message or {}
        language = tracker.get_slot("language")
        intent = (latest.get("intent") or {}).get("name")
        topic = previous_topic(tracker.events)
        if topic and next(tracker.get_latest_entity_values(QUESTION_ENTITY), None) is not None:
            return as_intent(latest, topic)
        likely = likely_topic(latest, language) if intent == FALLBACK_INTENT else None
        if likely:
            return as_intent(latest, likely)
        if topic and states_a_fact(latest.get("text"), language):
            return as_intent(latest, topic)
        original = next(tracker.get_latest_entity_values(ORIGINAL_ENTITY), None)
        if original and original != intent:
            said = answer_parsing.facts(latest.get("text"), language)
            names_status = said.status or said.months_in_procedure is not None
            if names_status and not original.startswith("check_") and original not in OTHER_TOPICS:
                return as_intent(latest, STATUS_QUESTION)
            if original not in COMMANDS:
                return as_intent(latest, original)
        if intent == FALLBACK_INTENT and not_understood_before(tracker.events):
            return [FollowupAction(OFFER_A_PERSON)]
        dispatcher.utter_message(response=NOT_A_FOLLOW_UP.get(intent, NOT_UNDERSTOOD))
        return []
