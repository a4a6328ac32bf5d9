"""Eligibility checks as Rasa forms: collect the answers, then present the engine's outcome.

Each check has a form in `domain/checks.yml` (its `required_slots` list every slot it may ask),
a `validate_<form>` action here that reads answers from buttons (entities) or free text — also
the first message, so that "I have been in the procedure for 8 months" is not asked again — and
an `action_<check>_outcome` that runs the pure check (`work_permission`, `employer_subsidy`,
`teacher_subsidy`, `unpaid_work`) for today (or the date the user named) and shows its verdict,
reasons, next step, contact, the answers used, sources and, when a rule is not confirmed, a note
and a person. It sets `outcome_uncertain` for the helpdesk.

The domain must contain, per form: the slots below (custom mappings), `utter_ask_<slot>` or
`utter_ask_<form>_<slot>` responses, and rules that run the outcome action when the form ends.
"""

from __future__ import annotations

import abc
import datetime as dt
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answer_parsing as parse
from actions import employer_subsidy, teacher_subsidy, texts, unpaid_work, work_permission
from actions.answers import UNCERTAIN_SLOT, rulebook
from actions.eligibility import Finding, Outcome
from actions.presentation import display, display_values, source_lines, uncertainty_note
from bot.content.rulebook import Rulebook

DATE_SLOT = "check_date"
# Slots whose values are codes shown to the user through `utter_value_<code>`.
CODE_SLOTS = ("person_status", "sowis_employee", "teacher_status", "unpaid_kind", "teacher_subject")
# Finding values that are codes, translated the same way.
CODE_VALUES = ("employee",)
LIMITS: Dict[str, tuple] = {
    "months_in_procedure": (0, 600),
    "sowis_people": (1, 1000),
    "sowis_hours": (1, 80),
    "sowis_contract_months": (1, 1200),
    "sowis_months_in_service": (0, 600),
}
CONTRACT_WORDS = ("contract", "jaarcontract", "vast", "permanent", "onbepaalde", "indefinite",
                  "aanstelling", "for a year", "voor een jaar", "voor 1 jaar", "for 1 year")
IN_SERVICE_WORDS = ("in dienst", "in service", "werkt al", "working for", "employed for",
                    "works for us", "bij ons sinds", "since", "worked here", "werkt hier", "already worked",
                    "started", "begonnen", "gestart", "working here")
PLAN_WORDS = ("activiteitenplan", "activity plan", "activiteiten plan", "begeleidingsplan")
VALUED_WORDS = ("gewaardeerd", "valued", "nuffic", "erkend", "recognised", "recognized")
TEACHER_CONTRACT_WORDS = ("contract", "aanstelling", "fte", "baan bij de school", "job at the school")


def check_day(tracker: Tracker) -> dt.date:
    """The day the check is for: the date the user named, else today."""
    named = tracker.get_slot(DATE_SLOT)
    if named:
        try:
            return dt.date.fromisoformat(str(named))
        except ValueError:
            pass
    return dt.date.today()


def _entity(tracker: Tracker, name: str) -> Optional[Any]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return entity["value"]
    return None


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _has_any(text: str, words: tuple) -> bool:
    low = parse.normalise(text)
    return any(word in low for word in words)


class CheckFormValidation(FormValidationAction, abc.ABC):
    """Reads every slot a check may need from the latest message; subclasses pick which."""

    @abc.abstractmethod
    def name(self) -> Text:
        """`validate_<form>`."""

    @abc.abstractmethod
    def slots_needed(self, tracker: Tracker, book: Rulebook, day: dt.date) -> List[Text]:
        """The slots this check still needs, given the answers so far (in asking order)."""

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return self.slots_needed(tracker, rulebook(), check_day(tracker))

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        """Always names the next slot to ask (None ends the form), so the check decides and the
        form's list in the domain is not needed: Rasa sends the domain with no call."""
        needed = await self.required_slots([], dispatcher, tracker, domain)
        return SlotSet(REQUESTED_SLOT, next((slot for slot in needed if tracker.slots.get(slot) is None), None))

    def _requested(self, tracker: Tracker, slot: str) -> bool:
        return tracker.get_slot("requested_slot") == slot

    def _found(self, slot: str, value: Any) -> Dict[Text, Any]:
        return {slot: value} if value is not None else {}

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Also picks up a date the user names ("on 1 July 2025"): the check is then for that day."""
        day = parse.date(_text(tracker))
        if day is not None:
            tracker.slots[DATE_SLOT] = day.isoformat()
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        return ([SlotSet(DATE_SLOT, day.isoformat())] if day else []) + events

    # --- extraction: buttons (entities) first, then words in the text, then a bare answer ---
    def _status(self, tracker: Tracker, slot: str) -> Dict[Text, Any]:
        return self._found(slot, _entity(tracker, slot) or parse.status(_text(tracker)))

    def extract_person_status(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        found = self._status(tracker, "person_status")
        if not found and tracker.get_slot("person_status") is None and parse.duration_in_months(_text(tracker)):
            # "I have been here 2 months": months in the procedure only exist for asylum seekers
            found = {"person_status": "asylum_seeker"}
        return found

    def extract_sowis_employee(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._status(tracker, "sowis_employee")

    def extract_teacher_status(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._status(tracker, "teacher_status")

    def _number(self, tracker: Tracker, slot: str, from_text: Callable[[str], Optional[float]]) -> Dict[Text, Any]:
        value = from_text(_text(tracker))
        if value is None and self._requested(tracker, slot):
            value = parse.bare_number(_text(tracker))
        return self._found(slot, value)

    def _yes_no(self, tracker: Tracker, slot: str, words: tuple = ()) -> Dict[Text, Any]:
        if not self._requested(tracker, slot):
            # "... met een activiteitenplan" answers the question before it is asked
            return self._found(slot, parse.mentioned(_text(tracker), words) if words else None)
        return self._found(slot, parse.yes_no(_text(tracker), _intent(tracker)))

    def extract_months_in_procedure(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._number(tracker, "months_in_procedure", parse.duration_in_months)

    def extract_unpaid_kind(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._found("unpaid_kind", _entity(tracker, "unpaid_kind") or parse.unpaid_kind(_text(tracker)))

    def extract_internship_plan(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._yes_no(tracker, "internship_plan")

    def extract_sowis_people(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._number(tracker, "sowis_people", parse.people_count)

    def extract_sowis_hours(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._number(tracker, "sowis_hours", parse.hours_per_week)

    def extract_sowis_contract_months(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _text(tracker)
        if self._requested(tracker, "sowis_contract_months") or _has_any(text, CONTRACT_WORDS):
            value = parse.contract_months(text)
            if value is None and self._requested(tracker, "sowis_contract_months"):
                value = parse.bare_number(text)
            return self._found("sowis_contract_months", value)
        return {}

    def extract_sowis_activity_plan(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._yes_no(tracker, "sowis_activity_plan", PLAN_WORDS)

    def extract_sowis_months_in_service(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _text(tracker)
        if self._requested(tracker, "sowis_months_in_service"):
            value = parse.duration_in_months(text)
            return self._found("sowis_months_in_service", value if value is not None else parse.bare_number(text))
        return self._found("sowis_months_in_service", parse.months_in_service(text, IN_SERVICE_WORDS))

    def extract_teacher_subject(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        value = _entity(tracker, "teacher_subject") or parse.subject(_text(tracker))
        if value is None and self._requested(tracker, "teacher_subject") and _text(tracker).strip():
            value = "other"  # a subject we do not know is not one of the scheme's subjects
        return self._found("teacher_subject", value)

    def extract_teacher_diploma_valued(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._yes_no(tracker, "teacher_diploma_valued", VALUED_WORDS)

    def extract_teacher_dutch_level(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._found("teacher_dutch_level", _entity(tracker, "teacher_dutch_level") or parse.dutch_level(_text(tracker)))

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

    def _known_status(self, slot: str, value: Any) -> Dict[Text, Any]:
        return {slot: value if value in work_permission.STATUSES + ("other",) else None}

    def validate_person_status(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._known_status("person_status", value)

    def validate_sowis_employee(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._known_status("sowis_employee", value)

    def validate_teacher_status(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._known_status("teacher_status", value)


def _status_and_months(tracker: Tracker) -> List[Text]:
    needed = ["person_status"]
    if work_permission.needs_months(tracker.get_slot("person_status")):
        needed.append("months_in_procedure")
    return needed


class ValidateWorkPermissionForm(CheckFormValidation):
    def name(self) -> Text:
        return "validate_work_permission_form"

    def slots_needed(self, tracker: Tracker, book: Rulebook, day: dt.date) -> List[Text]:
        return _status_and_months(tracker)


class ValidateEmployerNeedsForm(CheckFormValidation):
    def name(self) -> Text:
        return "validate_employer_needs_form"

    def slots_needed(self, tracker: Tracker, book: Rulebook, day: dt.date) -> List[Text]:
        return _status_and_months(tracker)


class ValidateUnpaidWorkForm(CheckFormValidation):
    def name(self) -> Text:
        return "validate_unpaid_work_form"

    def slots_needed(self, tracker: Tracker, book: Rulebook, day: dt.date) -> List[Text]:
        needed = ["unpaid_kind"] + _status_and_months(tracker)
        kind, status = tracker.get_slot("unpaid_kind"), tracker.get_slot("person_status")
        if unpaid_work.needs_plan(kind, status, tracker.get_slot("months_in_procedure"), book, day):
            needed.append("internship_plan")
        return needed


class ValidateEmployerSubsidyForm(CheckFormValidation):
    def name(self) -> Text:
        return "validate_employer_subsidy_form"

    def slots_needed(self, tracker: Tracker, book: Rulebook, day: dt.date) -> List[Text]:
        needed = ["sowis_people", "sowis_employee", "sowis_hours", "sowis_contract_months", "sowis_activity_plan"]
        if employer_subsidy.needs_months_in_service(book, day):
            needed.append("sowis_months_in_service")
        if employer_subsidy.decided_early(tracker.get_slot("sowis_employee"), book, day):
            return _answered(tracker, needed)
        return needed


class ValidateTeacherSubsidyForm(CheckFormValidation):
    def name(self) -> Text:
        return "validate_teacher_subsidy_form"

    def slots_needed(self, tracker: Tracker, book: Rulebook, day: dt.date) -> List[Text]:
        needed = ["teacher_status", "teacher_subject", "teacher_diploma_valued", "teacher_dutch_level", "teacher_contract"]
        if tracker.get_slot("teacher_status") and teacher_subsidy.decided_early(_teacher_candidate(tracker), book, day):
            return _answered(tracker, needed)
        return needed


def _answered(tracker: Tracker, slots: List[Text]) -> List[Text]:
    """The slots already answered: when one answer decides 'no', the rest is not asked."""
    return [slot for slot in slots if tracker.get_slot(slot) is not None]


def _teacher_candidate(tracker: Tracker) -> teacher_subsidy.TeacherCandidate:
    level = tracker.get_slot("teacher_dutch_level")
    return teacher_subsidy.TeacherCandidate(
        status=tracker.get_slot("teacher_status") or "other",
        subject=tracker.get_slot("teacher_subject"),
        diploma_valued=tracker.get_slot("teacher_diploma_valued"),
        dutch_level=str(level).upper() if level else None,
        contract=tracker.get_slot("teacher_contract"),
    )


# --- presenting an outcome ---------------------------------------------------------------

def render_finding(finding: Finding, language: Optional[str]) -> str:
    values: Dict[str, Any] = {}
    for name, value in finding.values.items():
        if name in CODE_VALUES:
            values[name] = texts.render(f"utter_value_{value}", language)
        else:
            values[name] = display(value) if not isinstance(value, str) else value
    return texts.render(finding.key, language, **values)


def answers_summary(tracker: Tracker, slots: List[Text], language: Optional[str]) -> str:
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
    return texts.render("utter_check_answers", language, answers=" · ".join(parts))


def present(outcome: Outcome, summary: str, language: Optional[str]) -> str:
    lines = [render_finding(outcome.headline, language)]
    lines += [f"• {render_finding(reason, language)}" for reason in outcome.reasons]
    lines.append(render_finding(outcome.next_step, language))
    lines.append(render_finding(outcome.contact, language))
    parts = ["\n".join(lines), summary, "\n".join(source_lines(outcome.rules, language))]
    note = uncertainty_note(outcome.rules, language)
    if note:
        parts.append(note)
    return "\n\n".join(parts)


class ShowCheckOutcome(Action, abc.ABC):
    """Runs a check on the collected answers and shows the outcome."""

    @abc.abstractmethod
    def name(self) -> Text:
        """`action_<check>_outcome`."""

    @abc.abstractmethod
    def slots(self) -> List[Text]:
        """The check's slots, in the order they are shown in the summary."""

    @abc.abstractmethod
    def outcome(self, tracker: Tracker, book: Rulebook, day: dt.date) -> Outcome:
        """The pure check, run on the answers."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language")
        try:
            outcome = self.outcome(tracker, rulebook(), check_day(tracker))
        except (ValueError, LookupError):
            dispatcher.utter_message(response="utter_check_incomplete")
            return [SlotSet(UNCERTAIN_SLOT, True)]
        text = present(outcome, answers_summary(tracker, self.slots(), language), language)
        buttons = texts.buttons("utter_check_done", language)
        dispatcher.utter_message(text=texts.mark(text, language), buttons=buttons)
        return [SlotSet(UNCERTAIN_SLOT, outcome.uncertain)]


def _months(tracker: Tracker) -> Optional[float]:
    value = tracker.get_slot("months_in_procedure")
    return float(value) if value is not None else None


class ActionWorkPermissionOutcome(ShowCheckOutcome):
    def name(self) -> Text:
        return "action_work_permission_outcome"

    def slots(self) -> List[Text]:
        return ["person_status", "months_in_procedure"]

    def outcome(self, tracker: Tracker, book: Rulebook, day: dt.date) -> Outcome:
        return work_permission.may_work(tracker.get_slot("person_status"), _months(tracker), book, day)


class ActionEmployerNeedsOutcome(ShowCheckOutcome):
    def name(self) -> Text:
        return "action_employer_needs_outcome"

    def slots(self) -> List[Text]:
        return ["person_status", "months_in_procedure"]

    def outcome(self, tracker: Tracker, book: Rulebook, day: dt.date) -> Outcome:
        return work_permission.employer_needs(tracker.get_slot("person_status"), _months(tracker), book, day)


class ActionUnpaidWorkOutcome(ShowCheckOutcome):
    def name(self) -> Text:
        return "action_unpaid_work_outcome"

    def slots(self) -> List[Text]:
        return ["unpaid_kind", "person_status", "months_in_procedure", "internship_plan"]

    def outcome(self, tracker: Tracker, book: Rulebook, day: dt.date) -> Outcome:
        return unpaid_work.check(
            tracker.get_slot("unpaid_kind"), tracker.get_slot("person_status"), _months(tracker),
            tracker.get_slot("internship_plan"), book, day,
        )


class ActionEmployerSubsidyOutcome(ShowCheckOutcome):
    def name(self) -> Text:
        return "action_employer_subsidy_outcome"

    def slots(self) -> List[Text]:
        return ["sowis_people", "sowis_employee", "sowis_hours", "sowis_contract_months",
                "sowis_activity_plan", "sowis_months_in_service"]

    def outcome(self, tracker: Tracker, book: Rulebook, day: dt.date) -> Outcome:
        def number(slot: str) -> Optional[float]:
            value = tracker.get_slot(slot)
            return float(value) if value is not None else None

        request = employer_subsidy.SubsidyRequest(
            people=int(tracker.get_slot("sowis_people") or 1),
            employee=tracker.get_slot("sowis_employee") or "other",
            hours_per_week=number("sowis_hours"),
            contract_months=number("sowis_contract_months"),
            activity_plan=tracker.get_slot("sowis_activity_plan"),
            months_in_service=number("sowis_months_in_service"),
        )
        return employer_subsidy.check(request, book, day)


class ActionTeacherSubsidyOutcome(ShowCheckOutcome):
    def name(self) -> Text:
        return "action_teacher_subsidy_outcome"

    def slots(self) -> List[Text]:
        return ["teacher_status", "teacher_subject", "teacher_diploma_valued", "teacher_dutch_level", "teacher_contract"]

    def outcome(self, tracker: Tracker, book: Rulebook, day: dt.date) -> Outcome:
        return teacher_subsidy.check(_teacher_candidate(tracker), book, day)


class ActionStopCheck(Action):
    """Stops the active check on the user's request."""

    def name(self) -> Text:
        return "action_stop_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_check_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class AskWithRuleValues(Action, abc.ABC):
    """Asks for a slot with a text whose numbers come from the rules in force (not fixed in it).

    The first question of a check also says the rule it is about, so that a user who only wanted
    to know ("how much does a school get?") has the answer before the questions."""

    @abc.abstractmethod
    def name(self) -> Text:
        """`action_ask_<form>_<slot>`."""

    @abc.abstractmethod
    def key(self) -> Text:
        """The translation key of the question (with placeholders, and the answer buttons)."""

    @abc.abstractmethod
    def rule_ids(self) -> List[Text]:
        """The rules whose values fill the placeholders."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language")
        day = check_day(tracker)
        values: Dict[str, str] = {}
        for rule_id in self.rule_ids():
            values.update(display_values(rulebook().get(rule_id, on=day).values))
        dispatcher.utter_message(
            text=texts.mark(texts.render(self.key(), language, **values), language),
            buttons=texts.buttons(self.key(), language),
        )
        return []


class ActionAskTeacherContract(AskWithRuleValues):
    def name(self) -> Text:
        return "action_ask_teacher_subsidy_form_teacher_contract"

    def key(self) -> Text:
        return "utter_question_teacher_contract"

    def rule_ids(self) -> List[Text]:
        return ["teacher.further_conditions"]


class ActionAskTeacherStatus(AskWithRuleValues):
    def name(self) -> Text:
        return "action_ask_teacher_subsidy_form_teacher_status"

    def key(self) -> Text:
        return "utter_question_teacher_status"

    def rule_ids(self) -> List[Text]:
        return ["teacher.amount"]


class ActionAskSowisPeople(AskWithRuleValues):
    def name(self) -> Text:
        return "action_ask_employer_subsidy_form_sowis_people"

    def key(self) -> Text:
        return "utter_question_sowis_people"

    def rule_ids(self) -> List[Text]:
        return ["sowis.conditions"]


class ActionAskMonthsInProcedure(AskWithRuleValues):
    def name(self) -> Text:
        return "action_ask_months_in_procedure"

    def key(self) -> Text:
        return "utter_question_months_in_procedure"

    def rule_ids(self) -> List[Text]:
        return ["asylum.work.waiting_period"]
