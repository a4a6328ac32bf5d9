"""Presenting a check when its form ends: the outcome, or the answer for the facts known.

`action_<check>_outcome` runs the check's pure decision (actions/check_table.py) for today (or the
date the user named). When the answers decide, it shows the verdict, reasons, next step, contact,
the answers used, sources and, when a rule is not confirmed, a note and a person. When they do not
decide yet (the user asked a question, not for a check), it answers with the topic's answer and
offers the check: a button "Check my situation" that starts the check with its questions. It sets
`outcome_uncertain` for the helpdesk and ends the check request.
"""

from __future__ import annotations

import abc
import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.answers import UNCERTAIN_SLOT, answer_topic, rulebook, send_answer
from actions.check_table import CHECK_REQUESTED_SLOT, CHECKS, Check, class_name
from actions.check_validation import LIMITS, check_day
from actions.eligibility import Finding, Outcome
from actions.presentation import MAX_BUTTONS, display, source_line, stale_notes, uncertainty_note

# Slots whose values are codes shown to the user through `utter_value_<code>`.
CODE_SLOTS = ("person_status", "sowis_employee", "teacher_status", "unpaid_kind", "teacher_subject")
# Finding values that are codes, translated the same way.
CODE_VALUES = ("employee",)
# Verdicts that still depend on facts the user did not give: the check is offered with them.
OPEN_VERDICTS = ("depends",)


def render_finding(finding: Finding, language: Optional[str]) -> str:
    values: Dict[str, Any] = {}
    for name, value in finding.values.items():
        if name in CODE_VALUES:
            values[name] = texts.render(f"utter_value_{value}", language)
        else:
            values[name] = display(value) if not isinstance(value, str) else value
    return texts.render(finding.key, language, **values)


def answers_summary(tracker: Tracker, slots: List[Text], language: Optional[str]) -> Optional[str]:
    """The answers the outcome used, so that a wrong one can be corrected; None without any."""
    parts = []
    for slot in slots:
        value = tracker.get_slot(slot)
        if value is None:
            continue
        if slot in CODE_SLOTS:
            parts.append(texts.render(f"utter_value_{value}", language))
        elif slot == "sowis_contract_months" and float(value) >= LIMITS[slot][1]:
            parts.append(texts.render("utter_value_permanent", language))
        elif isinstance(value, bool):
            answer = texts.render("utter_value_yes" if value else "utter_value_no", language)
            parts.append(texts.render(f"utter_answer_{slot}", language, value=answer))
        else:
            parts.append(texts.render(f"utter_answer_{slot}", language, value=display(value)))
    day = check_day(tracker)
    if day != dt.date.today():
        parts.append(texts.render("utter_answer_check_date", language, value=display(day)))
    if not parts:
        return None
    return texts.render("utter_check_answers", language, answers=" · ".join(parts))


# The first message of an outcome fits a phone screen (issue 17): the verdict, its reasons while
# they fit, and one source line; the rest (more conditions, next step, contact, the answers as
# understood, the "not fully certain" note) is a short second message.
FIRST_MESSAGE_LIMIT = 700


def present(outcome: Outcome, summary: Optional[str], language: Optional[str], day: dt.date) -> List[str]:
    """The outcome as chat messages: a short first message, then the rest. Parts are joined with
    single line breaks (the REST and socket.io channels send each blank-line paragraph apart)."""
    sources = [*stale_notes(outcome.rules, language, day), source_line(outcome.rules, language)]
    first = [render_finding(outcome.headline, language)]
    later: List[str] = []
    budget = FIRST_MESSAGE_LIMIT - sum(len(line) + 1 for line in sources)
    for reason in (f"• {render_finding(reason, language)}" for reason in outcome.reasons):
        if not later and len("\n".join(first + [reason])) <= budget:
            first.append(reason)
        else:
            later.append(reason)
    later += [render_finding(outcome.next_step, language), render_finding(outcome.contact, language)]
    later += [summary] if summary else []
    note = uncertainty_note(outcome.rules, language)
    later += [note] if note else []
    return ["\n".join(first + sources), "\n".join(later)]


def check_button(check: Check, language: Optional[str]) -> Dict[str, str]:
    """"Check my situation": starts the check, with its questions. A button of the translations
    (`utter_offer_check_<check>`): the channels pass only payloads the assistant offers."""
    return texts.buttons(f"utter_offer_check_{check.name}", language)[0]


def _with_check(buttons: List[Dict[str, str]], check: Check, language: Optional[str]) -> List[Dict[str, str]]:
    offered = check_button(check, language)
    return [offered] + [b for b in buttons if not b["payload"].startswith(f"/{check.intent}")]


class ShowCheckOutcome(Action, abc.ABC):
    """Runs a check on the answers and shows the outcome, or the answer for what is known."""

    @property
    @abc.abstractmethod
    def check(self) -> Check:
        """The check of this action (an entry of `CHECKS`)."""

    def name(self) -> Text:
        return f"action_{self.check.name}_outcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language")
        day = check_day(tracker)
        events: List[EventType] = [SlotSet(CHECK_REQUESTED_SLOT, None)]
        try:
            outcome = self.check.outcome(tracker.slots, rulebook(), day)
        except (ValueError, LookupError):
            dispatcher.utter_message(response="utter_check_incomplete")
            return events + [SlotSet(UNCERTAIN_SLOT, True)]
        if outcome is None:
            topic = self.check.topic(tracker.slots)
            answer = answer_topic(topic, language, day)
            if answer is None:
                dispatcher.utter_message(response="utter_check_incomplete")
                return events + [SlotSet(UNCERTAIN_SLOT, True)]
            offered = _with_check(answer.buttons, self.check, language)
            return events + send_answer(dispatcher, tracker, topic, answer, language, offered)
        first, rest = present(outcome, answers_summary(tracker, list(self.check.slots), language), language, day)
        buttons = texts.buttons("utter_check_done", language)
        if outcome.verdict in OPEN_VERDICTS:
            buttons = _with_check(buttons, self.check, language)
        dispatcher.utter_message(text=texts.mark(first, language))
        dispatcher.utter_message(text=rest, buttons=buttons[:MAX_BUTTONS])
        return events + [SlotSet(UNCERTAIN_SLOT, outcome.uncertain)]


# One outcome action per check of the table: `action_<check>_outcome`.
OUTCOMES: Dict[str, type] = {
    name: type(f"Action{class_name(name)}Outcome", (ShowCheckOutcome,),
               {"check": check, "__module__": __name__})
    for name, check in CHECKS.items()
}


class ActionStopCheck(Action):
    """Stops the active check on the user's request."""

    def name(self) -> Text:
        return "action_stop_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_check_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(CHECK_REQUESTED_SLOT, None)]
