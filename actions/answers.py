"""Information answers whose numbers, sources and dates come from the rules' data.

`actions/topics.yml` maps an intent to a response and the ids of the rules that fill it. A topic
may name a `details` response (said when the user taps "More details"), `detail_rules` used only
there (left out on a day they do not hold), a `computed` part (e.g. whether the subsidy window is open on the day asked), produced by
a function of this module's `COMPUTED` table from the rules in force; `optional_rules` that may
not hold on the day asked (e.g. a caveat that applies from a date); and `defaults`: a
placeholder's text (a translation key) when no rule in force gives it.

An answer is built to fit a phone screen on every channel: the first message is the short answer,
the caveats of its rules, its sources on one compact line and, for a rule past its review date,
when it was last checked and where to check; when a rule is not confirmed a short second message
says so and offers a person; the details wait behind a "More details" button (at most 3 buttons,
for WhatsApp's reply buttons).
"""

from __future__ import annotations

import abc
import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answer_parsing, employer_subsidy, feedback, texts
from actions.eligibility import optional_rule
from actions.presentation import (
    caveats,
    display,
    first_buttons,
    merged_values,
    source_line,
    source_lines,
    stale_notes,
    uncertainty_note,
)
from bot.content import fast_yaml
from bot.content.rulebook import NoRuleInForce, Rule, Rulebook

TOPICS_FILE = Path(__file__).parent / "topics.yml"
UNCERTAIN_SLOT = "outcome_uncertain"
# The last information topic answered: what "More details" is about.
TOPIC_SLOT = "last_topic"
DETAILS_BUTTON = "utter_more_details"
# The day answers are given for: today, unless this variable names one (YYYY-MM-DD), so that a
# test or a demo can run one action server as on another day. Read at every answer.
TODAY_VARIABLE = "BOT_TODAY"

Computed = Callable[[Rulebook, dt.date, Optional[str]], Tuple[Dict[str, Any], List[Rule]]]


def answer_day() -> dt.date:
    """Today, or the day named in BOT_TODAY (ignored when it is not a date)."""
    named = os.environ.get(TODAY_VARIABLE, "").strip()
    try:
        return dt.date.fromisoformat(named) if named else dt.date.today()
    except ValueError:
        return dt.date.today()


def sowis_window_text(
    book: Rulebook, day: dt.date, language: Optional[str]
) -> Tuple[Dict[str, Any], List[Rule]]:
    """`{window}`: whether the subsidy's application window is open on `day`, from the data."""
    status = employer_subsidy.window_status(book, day)
    return {"window": employer_subsidy.render_window(status, language)}, list(status.rules)


def sowis_amounts_text(
    book: Rulebook, day: dt.date, language: Optional[str]
) -> Tuple[Dict[str, Any], List[Rule]]:
    """`{amounts}`: the scale in force, or, when the amounts of the period are not known, the
    last published scale with its years and that this year's amount differs (never a promise)."""
    current = book.get("sowis.amounts", on=day)
    shown = {
        **{f"scale_{i}": display(v) for i, v in enumerate(current.values["scale"], start=1)},
        "max_total": display(current.values["max_total"]),
        "scale_years": current.values.get("scale_years", ""),
        "year": str(day.year),
    }
    key = "utter_sowis_amounts" if current.values.get("confirmed", True) else "utter_sowis_amounts_unconfirmed"
    return {"amounts": texts.render(key, language, **shown)}, [current]


def sowis_history_text(
    book: Rulebook, day: dt.date, language: Optional[str]
) -> Tuple[Dict[str, Any], List[Rule]]:
    """`{history}`: the letter's first announced amount, when a later scale replaced it."""
    current = book.get("sowis.amounts", on=day)
    versions = [rule for rule in book.all_rules() if rule.id == current.id]
    first = min(versions, key=lambda rule: rule.valid_from)
    values = {"history": ""}
    rules: List[Rule] = []
    if first.valid_from < current.valid_from:
        values["history"] = texts.render(
            "utter_sowis_history", language,
            history_amount=display(first.values["scale"][0]),
            history_date=display(first.shown_date),
        )
        rules.append(first)
    return values, rules


COMPUTED: Dict[str, Computed] = {
    "sowis_window": sowis_window_text,
    "sowis_amounts": sowis_amounts_text,
    "sowis_history": sowis_history_text,
}


@lru_cache(maxsize=1)
def rulebook() -> Rulebook:
    return Rulebook.load()


@lru_cache(maxsize=1)
def topics() -> Dict[str, Dict[str, Any]]:
    return fast_yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Message:
    """One chat message: a text and its buttons."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """An answer as the channels send it: `messages[0]` is the short first message."""

    messages: List[Message]
    rules: List[Rule]
    details: Optional[Message] = None
    uncertain_anyway: bool = False

    @property
    def text(self) -> str:
        """The first message: the answer, its caveats and its sources."""
        return self.messages[0].text

    @property
    def buttons(self) -> List[Dict[str, str]]:
        """The buttons the user sees last (on the last message)."""
        return self.messages[-1].buttons

    @property
    def uncertain(self) -> bool:
        """True when the answer rests on a rule marked S or U, or on no rule at all."""
        return self.uncertain_anyway or any(not rule.certain for rule in self.rules)


def _rules_and_values(
    topic: Dict[str, Any], book: Rulebook, day: dt.date, language: Optional[str]
) -> Tuple[List[Rule], List[Rule], Dict[str, str]]:
    """The rules of the short answer, those used only in the details, and every placeholder value."""
    rules = [book.get(rule_id, on=day) for rule_id in topic["rules"]]
    for rule_id in topic.get("optional_rules") or ():
        rule = optional_rule(book, rule_id, day)
        if rule is not None:
            rules.append(rule)
    detail_rules = [
        rule for rule in (optional_rule(book, rule_id, day) for rule_id in topic.get("detail_rules") or ())
        if rule is not None
    ]
    extra: Dict[str, Any] = {}
    for name, key in (topic.get("defaults") or {}).items():
        if not any(name in rule.values for rule in rules + detail_rules):
            extra[name] = texts.render(key, language)
    computed: Dict[str, List[Rule]] = {"computed": [], "detail_computed": []}
    for part, cited in computed.items():
        for name in topic.get(part) or ():
            values, more_rules = COMPUTED[name](book, day, language)
            extra.update(values)
            cited.extend(more_rules)
    # The computed parts' rules are cited, but their values are already rendered (and may be an
    # older version of a rule above, e.g. the letter's first subsidy amount).
    values = merged_values(rules + detail_rules, extra)
    return rules + computed["computed"], detail_rules + computed["detail_computed"], values


def answer_topic(
    intent: str, language: Optional[str], day: dt.date, book: Optional[Rulebook] = None
) -> Optional[Answer]:
    """The answer to an information question on `day`, or None for an unknown topic."""
    topic = topics().get(intent)
    if topic is None:
        return None
    book = book or rulebook()
    try:
        rules, detail_rules, values = _rules_and_values(topic, book, day, language)
    except NoRuleInForce:
        text = texts.render("utter_topic_no_rule", language, date=display(day))
        return Answer([Message(text, texts.buttons("utter_offer_person", language))], [], uncertain_anyway=True)
    first = [texts.render(topic["response"], language, **values)]
    if topic.get("caveats", True):
        first.extend(caveats(rules, language))
    first += [source_line(rules, language), *stale_notes(rules, language, day)]
    topic_buttons = texts.buttons(topic["response"], language)
    details = None
    leading: List[Dict[str, str]] = []
    if topic.get("details"):
        all_rules = rules + detail_rules
        details_text = "\n\n".join([
            texts.render(topic["details"], language, **values),
            "\n".join([*source_lines(all_rules, language), *stale_notes(detail_rules, language, day)]),
        ])
        details = Message(details_text, first_buttons(topic_buttons, any(not r.certain for r in all_rules), language))
        leading = texts.buttons(DETAILS_BUTTON, language)
    # One paragraph per line: Rasa's REST and socket.io channels send each "\n\n" paragraph as a
    # message of its own, and the sources belong to the first message.
    text = "\n".join(first)
    note = uncertainty_note(rules + detail_rules, language)
    if note is None:
        messages = [Message(text, first_buttons(leading + topic_buttons, False, language))]
    else:
        messages = [Message(text), Message(note, first_buttons(leading + topic_buttons, True, language))]
    return Answer(messages, rules + detail_rules, details)


# Topics about the TWV of asylum seekers, and the topic that answers instead when the message says
# the person has another status: "I'm from Ukraine, my employer says he needs a TWV" gets the
# answer for Ukrainians (no TWV, a notification), not the TWV procedure.
ASYLUM_TWV_TOPICS = frozenset({"ask_work_permit", "ask_24_weeks"})
TOPIC_OF_STATUS = {"ukraine": "ask_ukraine_work", "status_holder": "ask_status_holder_work",
                   "permanent_permit": "ask_status_holder_work"}


def topic_for_status(intent: Optional[str], text: Optional[str], language: Optional[str]) -> Optional[str]:
    """The topic that answers `intent` for the status the message names (see ASYLUM_TWV_TOPICS)."""
    if intent not in ASYLUM_TWV_TOPICS:
        return intent
    return TOPIC_OF_STATUS.get(answer_parsing.status(text, language) or "", intent)


class DatedAnswer(Action, abc.ABC):
    """An action that answers for the day of its clock: `answer_day` unless a test passes one."""

    def __init__(self, today: Callable[[], dt.date] = answer_day) -> None:
        self.today = today

    @abc.abstractmethod
    def name(self) -> Text:
        """The action's name in the domain."""


class ActionAnswerTopic(DatedAnswer):
    """Answers an information question from `topics.yml` and the rules in force on the day."""

    def name(self) -> Text:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        language = tracker.get_slot("language")
        intent = topic_for_status(intent, tracker.latest_message.get("text"), language)
        answer = answer_topic(intent or "", language, self.today())
        if answer is None:
            dispatcher.utter_message(response="utter_rephrase")
            return []
        return send_answer(dispatcher, tracker, intent or "", answer, language)


# WhatsApp shows at most three reply buttons under a message.
MAX_BUTTONS = 3


def send_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent: str, answer: Answer, language: Optional[str],
    last_buttons: Optional[List[Dict[str, str]]] = None,
) -> List[Dict[Text, Any]]:
    """Sends a topic answer's messages (`last_buttons` instead of the last message's own, e.g. with
    a check offered), remembers the topic for "More details", and asks once whether it helped."""
    for index, message in enumerate(answer.messages):
        last = index == len(answer.messages) - 1
        buttons = (last_buttons if last and last_buttons is not None else message.buttons)[:MAX_BUTTONS]
        dispatcher.utter_message(text=texts.mark(message.text, language), buttons=buttons)
    return [SlotSet(UNCERTAIN_SLOT, answer.uncertain), SlotSet(TOPIC_SLOT, intent)] + feedback.ask_once(dispatcher, tracker)


class ActionAnswerDetails(DatedAnswer):
    """"More details": the details, every source with its date, of the last topic answered."""

    def name(self) -> Text:
        return "action_answer_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = tracker.get_slot("language")
        answer = answer_topic(tracker.get_slot(TOPIC_SLOT) or "", language, self.today())
        if answer is None or answer.details is None:
            dispatcher.utter_message(response="utter_no_more_details")
            return []
        dispatcher.utter_message(text=texts.mark(answer.details.text, language), buttons=answer.details.buttons)
        return [SlotSet(UNCERTAIN_SLOT, answer.uncertain)]
