"""Information answers whose numbers, sources and dates come from the rules' data.

`actions/topics.yml` maps an intent to a response and the ids of the rules that fill it. A topic
may name a `computed` part (e.g. whether the subsidy window is open on the day asked), produced by
a function of this module's `COMPUTED` table from the rules in force; `optional_rules` that may
not hold on the day asked; and `defaults`: a placeholder's text (a translation key) when no
rule in force gives it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.content import fast_yaml
from actions import employer_subsidy, feedback, texts
from actions.eligibility import optional_rule
from actions.presentation import (
    display,
    merged_values,
    source_lines,
    uncertainty_note,
    with_person_button,
)
from bot.content.rulebook import NoRuleInForce, Rule, Rulebook

TOPICS_FILE = Path(__file__).parent / "topics.yml"
UNCERTAIN_SLOT = "outcome_uncertain"

Computed = Callable[[Rulebook, dt.date, Optional[str]], Tuple[Dict[str, Any], List[Rule]]]


def sowis_window_text(
    book: Rulebook, day: dt.date, language: Optional[str]
) -> Tuple[Dict[str, Any], List[Rule]]:
    """`{window}`: whether the subsidy's application window is open on `day`, from the data."""
    status = employer_subsidy.window_status(book, day)
    return {"window": employer_subsidy.render_window(status, language)}, list(status.rules)


def sowis_amounts_note(
    book: Rulebook, day: dt.date, language: Optional[str]
) -> Tuple[Dict[str, Any], List[Rule]]:
    """`{history}`: the letter's first announced amount, when a later scale replaced it;
    `{amount_note}`: a warning when the amounts in force are not confirmed."""
    current = book.get("sowis.amounts", on=day)
    versions = [rule for rule in book.all_rules() if rule.id == current.id]
    first = min(versions, key=lambda rule: rule.valid_from)
    values = {"history": "", "amount_note": ""}
    rules: List[Rule] = []
    if first.valid_from < current.valid_from:
        values["history"] = texts.render(
            "utter_sowis_history", language,
            history_amount=display(first.values["scale"][0]),
            history_date=display(first.valid_from),
        )
        rules.append(first)
    if not current.values.get("confirmed", True):
        values["amount_note"] = " " + texts.render("utter_sowis_amount_unconfirmed", language)
    return values, rules


COMPUTED: Dict[str, Computed] = {
    "sowis_window": sowis_window_text,
    "sowis_amounts_note": sowis_amounts_note,
}


@lru_cache(maxsize=1)
def rulebook() -> Rulebook:
    return Rulebook.load()


@lru_cache(maxsize=1)
def topics() -> Dict[str, Dict[str, Any]]:
    return fast_yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Answer:
    text: str
    buttons: List[Dict[str, str]]
    rules: List[Rule]
    uncertain_anyway: bool = False

    @property
    def uncertain(self) -> bool:
        """True when the answer rests on a rule marked S or U, or on no rule at all."""
        return self.uncertain_anyway or any(not rule.certain for rule in self.rules)


def answer_topic(
    intent: str, language: Optional[str], day: dt.date, book: Optional[Rulebook] = None
) -> Optional[Answer]:
    """The answer to an information question on `day`, or None for an unknown topic."""
    topic = topics().get(intent)
    if topic is None:
        return None
    book = book or rulebook()
    try:
        rules = [book.get(rule_id, on=day) for rule_id in topic["rules"]]
    except NoRuleInForce:
        text = texts.render("utter_topic_no_rule", language, date=display(day))
        return Answer(text, texts.buttons("utter_offer_person", language), [], uncertain_anyway=True)
    extra: Dict[str, Any] = {}
    for rule_id in topic.get("optional_rules") or ():
        rule = optional_rule(book, rule_id, day)
        if rule is not None:
            rules.append(rule)
    for name, key in (topic.get("defaults") or {}).items():
        if not any(name in rule.values for rule in rules):
            extra[name] = texts.render(key, language)
    computed_rules: List[Rule] = []
    for name in topic.get("computed") or ():
        values, more_rules = COMPUTED[name](book, day, language)
        extra.update(values)
        computed_rules.extend(more_rules)
    parts = [texts.render(topic["response"], language, **merged_values(rules, extra))]
    rules.extend(computed_rules)
    parts.append("\n".join(source_lines(rules, language)))
    note = uncertainty_note(rules, language)
    if note:
        parts.append(note)
    buttons = texts.buttons(topic["response"], language)
    if note:
        buttons = with_person_button(buttons, language)
    return Answer("\n\n".join(parts), buttons, rules)


class ActionAnswerTopic(Action):
    """Answers an information question from `topics.yml` and the rules in force today."""

    def name(self) -> Text:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answer = answer_topic(intent or "", tracker.get_slot("language"), dt.date.today())
        if answer is None:
            dispatcher.utter_message(response="utter_rephrase")
            return []
        dispatcher.utter_message(text=answer.text, buttons=answer.buttons)
        return [SlotSet(UNCERTAIN_SLOT, answer.uncertain)] + feedback.ask_once(dispatcher, tracker)
