"""Reading a check's answers: the forms' `validate_<form>` actions.

Each reads every slot its check may need from the latest message — buttons (entities) first, then
the words of the message in the conversation's language (actions/answer_parsing.py), then a bare
answer to the question asked — also the first message, so that "I have been in the procedure for
8 months" is not asked again. Which slot comes next is decided by the table of checks
(actions/check_table.py): the whole check when the user asked for one, else only a missing fact
that decides the answer, said with why it is asked.

The domain must contain, per form: the slots below (custom mappings), `utter_ask_<slot>` or
`utter_ask_<form>_<slot>` responses (or `action_ask_...`, actions/check_questions.py), and rules
that run `action_check_outcome` when the form ends.
"""

from __future__ import annotations

import abc
import datetime as dt
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import answer_parsing as parse
from actions import texts, work_permission
from actions.answers import answer_day, rulebook
from actions.check_table import CHECK_REQUESTED_SLOT, CHECKS, Check, class_name
from actions.follow_up import earlier_user_messages
from actions.presentation import display_values

DATE_SLOT = "check_date"
LIMITS: Dict[str, tuple] = {
    "months_in_procedure": (0, 600),
    "sowis_people": (1, 1000),
    "sowis_hours": (1, 80),
    "sowis_contract_months": (1, 1200),
    "sowis_months_in_service": (0, 600),
}
# Words for the yes/no questions of the checks (also answered before they are asked).
PLAN_WORDS = ("activiteitenplan", "activity plan", "activiteiten plan", "begeleidingsplan")
VALUED_WORDS = ("gewaardeerd", "valued", "nuffic", "erkend", "recognised", "recognized")
TEACHER_CONTRACT_WORDS = ("contract", "aanstelling", "fte", "baan bij de school", "job at the school")


def check_day(tracker: Tracker) -> dt.date:
    """The day the check is for: the date the user named, else the day answers are given for
    (today, or BOT_TODAY: `actions.answers.answer_day`)."""
    named = tracker.get_slot(DATE_SLOT)
    if named:
        try:
            return dt.date.fromisoformat(str(named))
        except ValueError:
            pass
    return answer_day()


def entity(tracker: Tracker, name: str) -> Optional[Any]:
    """The value of an entity of the latest message (a button's answer), or None."""
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == name and found.get("value") not in (None, ""):
            return found["value"]
    return None


def message_language(tracker: Tracker) -> Optional[str]:
    """The language of the latest message (the detector's entity), else the conversation's."""
    return entity(tracker, "language") or tracker.get_slot("language")


def said_before(tracker: Tracker, read: Callable[[str, Optional[str]], Optional[str]]) -> Optional[str]:
    """What `read` finds in the latest earlier message of this session that names it ("I'm from
    Ukraine", then "what must my new boss do?"; "can I volunteer?", then "I'm in the azc 3
    months"); None when none does."""
    for event in earlier_user_messages(tracker.events):
        text = event.get("text") or ""
        if text.startswith("/"):
            continue  # a button is no sentence
        parse_data = event.get("parse_data") or {}
        language = next((e.get("value") for e in parse_data.get("entities") or () if e.get("entity") == "language"),
                        None) or tracker.get_slot("language")
        found = read(text, language)
        if found:
            return found
    return None


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


class CheckFormValidation(FormValidationAction, abc.ABC):
    """Reads every slot a check may need from the latest message; the table says what to ask."""

    @property
    @abc.abstractmethod
    def check(self) -> Check:
        """The check of this form (an entry of `CHECKS`)."""

    def name(self) -> Text:
        return f"validate_{self.check.form}"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        """Every slot the check reads (rasa-sdk extracts and validates these); which of them is
        asked is decided in `next_requested_slot`."""
        return [DATE_SLOT, CHECK_REQUESTED_SLOT] + list(self.check.slots)

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        """Always names the next slot to ask (None ends the form), so the check decides and the
        form's list in the domain is not needed: Rasa sends the domain with no call. A question
        the user did not ask for is said with why it is asked."""
        topic_question = (_intent(tracker) or "").startswith("ask_")  # a topic's question, not a check's
        needed = self.check.questions(tracker.slots, rulebook(), check_day(tracker), topic_question)
        slot = next((slot for slot in needed if tracker.slots.get(slot) is None), None)
        why = self.check.why.get(slot or "")
        if why and not tracker.slots.get(CHECK_REQUESTED_SLOT):
            dispatcher.utter_message(text=texts.render(why, tracker.get_slot("language")))
        line = self.check.rule_line
        if line and slot and slot != line[2] and tracker.get_slot(REQUESTED_SLOT) is None:
            # the check's first question, and not the one that says the rule itself
            values: Dict[str, Any] = {}
            for rule_id in line[1]:
                values.update(display_values(rulebook().get(rule_id, on=check_day(tracker)).values))
            dispatcher.utter_message(text=texts.render(line[0], tracker.get_slot("language"), **values))
        return SlotSet(REQUESTED_SLOT, slot)

    def _requested(self, tracker: Tracker, slot: str) -> bool:
        return tracker.get_slot(REQUESTED_SLOT) == slot

    def _found(self, slot: str, value: Any) -> Dict[Text, Any]:
        return {slot: value} if value is not None else {}

    def extract_check_date(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """A date the user names ("on 1 July 2025"): the check is then for that day."""
        day = parse.date(_text(tracker))
        return {DATE_SLOT: day.isoformat()} if day else {}

    def extract_check_requested(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Whether the user asked for a check: words, the check's button, or an answer to its question."""
        asked = (bool(entity(tracker, CHECK_REQUESTED_SLOT)) or tracker.get_slot(REQUESTED_SLOT) is not None
                 or parse.asks_for_check(_text(tracker), message_language(tracker)))
        return {CHECK_REQUESTED_SLOT: True} if asked and not tracker.get_slot(CHECK_REQUESTED_SLOT) else {}

    # --- extraction: buttons (entities) first, then words in the text, then a bare answer ---
    def _status(self, tracker: Tracker, slot: str) -> Dict[Text, Any]:
        found = entity(tracker, slot) or parse.status(_text(tracker), message_language(tracker))
        if found is None and tracker.get_slot(slot) is None:
            found = said_before(tracker, parse.status)
        return self._found(slot, found)

    def extract_person_status(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        found = self._status(tracker, "person_status")
        if not found and tracker.get_slot("person_status") is None and self._months(tracker) is not None:
            # "I have been here 2 months": months in the procedure only exist for asylum seekers
            found = {"person_status": "asylum_seeker"}
        return found

    def extract_sowis_employee(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._status(tracker, "sowis_employee")

    def extract_teacher_status(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._status(tracker, "teacher_status")

    def _number(self, tracker: Tracker, slot: str, from_text: Callable[[str, Optional[str]], Optional[float]]) -> Dict[Text, Any]:
        language = message_language(tracker)
        value = from_text(_text(tracker), language)
        if value is None and self._requested(tracker, slot):
            value = parse.bare_number(_text(tracker), language)
        return self._found(slot, value)

    def _yes_no(self, tracker: Tracker, slot: str, words: tuple = ()) -> Dict[Text, Any]:
        if not self._requested(tracker, slot):
            # "... met een activiteitenplan" answers the question before it is asked
            return self._found(slot, parse.mentioned(_text(tracker), words) if words else None)
        return self._found(slot, parse.yes_no(_text(tracker), _intent(tracker)))

    def _months(self, tracker: Tracker) -> Optional[float]:
        """Months in the procedure: a duration in the message that is not a contract's."""
        language = message_language(tracker)
        if parse.names_contract(_text(tracker), language):
            return None
        return parse.duration_in_months(_text(tracker), language)

    def extract_months_in_procedure(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        value = self._months(tracker)
        if value is None and self._requested(tracker, "months_in_procedure"):
            value = parse.bare_number(_text(tracker), message_language(tracker))
        return self._found("months_in_procedure", value)

    def extract_unpaid_kind(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        found = entity(tracker, "unpaid_kind") or parse.unpaid_kind(_text(tracker), message_language(tracker))
        if found is None and tracker.get_slot("unpaid_kind") is None:
            found = said_before(tracker, parse.unpaid_kind)
        return self._found("unpaid_kind", found)

    def extract_internship_plan(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._yes_no(tracker, "internship_plan")

    def extract_sowis_people(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._number(tracker, "sowis_people", parse.people_count)

    def extract_sowis_hours(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._number(tracker, "sowis_hours", parse.hours_per_week)

    def extract_sowis_contract_months(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text, language = _text(tracker), message_language(tracker)
        if self._requested(tracker, "sowis_contract_months") or parse.names_contract(text, language):
            value = parse.contract_months(text, language)
            if value is None and self._requested(tracker, "sowis_contract_months"):
                value = parse.bare_number(text, language)
            return self._found("sowis_contract_months", value)
        return {}

    def extract_sowis_activity_plan(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._yes_no(tracker, "sowis_activity_plan", PLAN_WORDS)

    def extract_sowis_months_in_service(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text, language = _text(tracker), message_language(tracker)
        if self._requested(tracker, "sowis_months_in_service"):
            value = parse.duration_in_months(text, language)
            return self._found("sowis_months_in_service", value if value is not None else parse.bare_number(text, language))
        return self._found("sowis_months_in_service", parse.months_in_service(text, language))

    def extract_teacher_subject(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        value = entity(tracker, "teacher_subject") or parse.subject(_text(tracker), message_language(tracker))
        if value is None and self._requested(tracker, "teacher_subject") and _text(tracker).strip():
            value = "other"  # a subject we do not know is not one of the scheme's subjects
        return self._found("teacher_subject", value)

    def extract_teacher_diploma_valued(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._yes_no(tracker, "teacher_diploma_valued", VALUED_WORDS)

    def extract_teacher_dutch_level(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._found("teacher_dutch_level", entity(tracker, "teacher_dutch_level") or parse.dutch_level(_text(tracker)))

    def extract_teacher_contract(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._yes_no(tracker, "teacher_contract", TEACHER_CONTRACT_WORDS)

    # --- validation: numbers in a sensible range; anything else is asked again ---
    def _in_range(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        low, high = LIMITS[slot]
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            dispatcher.utter_message(text=texts.render("utter_check_number_not_understood", tracker.get_slot("language")))
            return {slot: None}
        return {slot: number}

    def validate_months_in_procedure(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._in_range("months_in_procedure", value, dispatcher, tracker)

    def validate_sowis_people(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        result = self._in_range("sowis_people", value, dispatcher, tracker)
        return {key: (int(v) if v is not None else None) for key, v in result.items()}

    def validate_sowis_hours(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._in_range("sowis_hours", value, dispatcher, tracker)

    def validate_sowis_contract_months(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._in_range("sowis_contract_months", value, dispatcher, tracker)

    def validate_sowis_months_in_service(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._in_range("sowis_months_in_service", value, dispatcher, tracker)

    def validate_check_date(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {DATE_SLOT: value}

    def validate_check_requested(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {CHECK_REQUESTED_SLOT: bool(value)}

    def _known_status(self, slot: str, value: Any) -> Dict[Text, Any]:
        return {slot: value if value in work_permission.STATUSES + ("other",) else None}

    def validate_person_status(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._known_status("person_status", value)

    def validate_sowis_employee(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._known_status("sowis_employee", value)

    def validate_teacher_status(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._known_status("teacher_status", value)


# One validation action per check of the table: `validate_<form>` (rasa-sdk registers every
# subclass of Action it finds when it imports this module).
VALIDATIONS: Dict[str, type] = {
    name: type(f"Validate{class_name(name)}Form", (CheckFormValidation,), {"check": check, "__module__": __name__})
    for name, check in CHECKS.items()
}
