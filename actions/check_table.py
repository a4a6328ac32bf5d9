"""The one table of eligibility checks: for each, its form, its slots, what it asks, how it
decides, and the information answer it falls back on.

Answer first (issue 17): a question about a topic is answered in the first reply with what the
message tells. A check asks its questions only when the user asked for a check (`check_requested`:
words like "check my situation", the "Check my situation" button, or an answer to a question of
the check) — otherwise it asks only the facts in `first_questions`, one missing fact that decides
the answer (then with the line `why`), and else answers: the outcome when the facts decide, or the
topic's answer for the facts known, with the check offered (actions/check_outcomes.py).

Every function here is pure: slots in (a mapping of slot name to value), slots or an outcome out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from actions import employer_subsidy, teacher_subsidy, unpaid_work, work_permission
from actions.eligibility import Outcome
from bot.content.rulebook import Rulebook

Slots = Mapping[str, Any]
CHECK_REQUESTED_SLOT = "check_requested"


def class_name(name: str) -> str:
    """`work_permission` → `WorkPermission`: the name part of a check's generated action classes."""
    return "".join(part.title() for part in name.split("_"))


def _number(slots: Slots, slot: str) -> Optional[float]:
    value = slots.get(slot)
    return float(value) if value is not None else None


def _status_and_months(slots: Slots, book: Rulebook, day: dt.date) -> List[str]:
    needed = ["person_status"]
    if work_permission.needs_months(slots.get("person_status")):
        needed.append("months_in_procedure")
    return needed


def _status_first(slots: Slots, book: Rulebook, day: dt.date) -> List[str]:
    """Without a status there is no answer: the status decides, so it is asked."""
    return ["person_status"]


def _known_status(slots: Slots) -> Optional[str]:
    status = slots.get("person_status")
    return status if status in work_permission.STATUSES else None


def _months_known(slots: Slots) -> bool:
    return slots.get("person_status") != "asylum_seeker" or slots.get("months_in_procedure") is not None


def _may_work(slots: Slots, book: Rulebook, day: dt.date) -> Optional[Outcome]:
    status = _known_status(slots)
    if status is None or not _months_known(slots):
        return None
    return work_permission.may_work(status, _number(slots, "months_in_procedure"), book, day)


def _employer_needs(slots: Slots, book: Rulebook, day: dt.date) -> Optional[Outcome]:
    status = _known_status(slots)
    if status is None or not _months_known(slots):
        return None
    return work_permission.employer_needs(status, _number(slots, "months_in_procedure"), book, day)


def _unpaid_needed(slots: Slots, book: Rulebook, day: dt.date) -> List[str]:
    # The internship plan is not asked: unknown, it is a condition of the answer (unpaid_work.check).
    return ["unpaid_kind"] + _status_and_months(slots, book, day)


def _unpaid_first(slots: Slots, book: Rulebook, day: dt.date) -> List[str]:
    return ["unpaid_kind", "person_status"]


def _unpaid(slots: Slots, book: Rulebook, day: dt.date) -> Optional[Outcome]:
    kind, status = slots.get("unpaid_kind"), _known_status(slots)
    if kind not in unpaid_work.KINDS or status is None or not _months_known(slots):
        return None
    return unpaid_work.check(kind, status, _number(slots, "months_in_procedure"),
                             slots.get("internship_plan"), book, day)


def _unpaid_topic(slots: Slots) -> str:
    return "ask_internship" if slots.get("unpaid_kind") == "internship" else "ask_volunteering"


def subsidy_request(slots: Slots) -> employer_subsidy.SubsidyRequest:
    people = slots.get("sowis_people")
    return employer_subsidy.SubsidyRequest(
        people=int(people) if people else None,
        employee=slots.get("sowis_employee"),
        hours_per_week=_number(slots, "sowis_hours"),
        contract_months=_number(slots, "sowis_contract_months"),
        activity_plan=slots.get("sowis_activity_plan"),
        months_in_service=_number(slots, "sowis_months_in_service"),
    )


SUBSIDY_SLOTS = ["sowis_people", "sowis_employee", "sowis_hours", "sowis_contract_months", "sowis_activity_plan"]


def _subsidy_needed(slots: Slots, book: Rulebook, day: dt.date) -> List[str]:
    needed = list(SUBSIDY_SLOTS)
    if employer_subsidy.needs_months_in_service(book, day):
        needed.append("sowis_months_in_service")
    decided = _subsidy(slots, book, day)
    if decided is not None and decided.verdict == "no":  # one answer says no: the rest is not asked
        return [slot for slot in needed if slots.get(slot) is not None]
    return needed


def _nothing_first(slots: Slots, book: Rulebook, day: dt.date) -> List[str]:
    return []


def _subsidy(slots: Slots, book: Rulebook, day: dt.date) -> Optional[Outcome]:
    """The subsidy for what the employer told; None when nothing is known (the topic answers)."""
    if all(slots.get(slot) is None for slot in SUBSIDY_SLOTS + ["sowis_months_in_service"]):
        return None
    return employer_subsidy.check(subsidy_request(slots), book, day)


def teacher_candidate(slots: Slots) -> teacher_subsidy.TeacherCandidate:
    level = slots.get("teacher_dutch_level")
    return teacher_subsidy.TeacherCandidate(
        status=slots.get("teacher_status") or "other",
        subject=slots.get("teacher_subject"),
        diploma_valued=slots.get("teacher_diploma_valued"),
        dutch_level=str(level).upper() if level else None,
        contract=slots.get("teacher_contract"),
    )


TEACHER_SLOTS = ["teacher_status", "teacher_subject", "teacher_diploma_valued", "teacher_dutch_level", "teacher_contract"]


def _teacher_needed(slots: Slots, book: Rulebook, day: dt.date) -> List[str]:
    if slots.get("teacher_status") and teacher_subsidy.decided_early(teacher_candidate(slots), book, day):
        return [slot for slot in TEACHER_SLOTS if slots.get(slot) is not None]
    return list(TEACHER_SLOTS)


def _teacher(slots: Slots, book: Rulebook, day: dt.date) -> Optional[Outcome]:
    if not slots.get("teacher_status"):
        return None
    try:
        return teacher_subsidy.check(teacher_candidate(slots), book, day)
    except ValueError:  # not decided yet by the answers given
        return None


@dataclass(frozen=True)
class Check:
    """One eligibility check.

    `needed`: every slot the full check asks, in order, given the answers so far.
    `first_questions`: the slots asked even when no check was requested (a missing one decides
    the answer); `why`: the translation key said before such a question, by slot.
    `outcome`: the verdict on the answers, or None when they do not decide yet; then `topic`
    (an intent of actions/topics.yml) answers, and the check is offered. `situation_facts`: how
    many of its facts make a message a description of one's situation, checked with questions.
    """

    name: str
    form: str
    intent: str
    slots: Tuple[str, ...]
    needed: Callable[[Slots, Rulebook, dt.date], List[str]]
    first_questions: Callable[[Slots, Rulebook, dt.date], List[str]]
    outcome: Callable[[Slots, Rulebook, dt.date], Optional[Outcome]]
    topic: Callable[[Slots], str]
    why: Mapping[str, str]
    # A user who describes their situation with this many of the check's facts is checking it:
    # the check asks what is still missing (0: never; the subsidy answers with the amount first).
    situation_facts: int = 2
    # The rule said before the check's first question when that question does not say it itself
    # (the translation key, the rules that fill it, and the slot whose question already says it):
    # a school that named the teacher's status hears the amount before "valued by Nuffic?".
    rule_line: Optional[Tuple[str, Tuple[str, ...], str]] = None

    def questions(self, slots: Slots, book: Rulebook, day: dt.date, topic_question: bool = False) -> List[str]:
        """The slots to ask now, in order: all of the check's when the user asked for a check;
        none for a question about the topic (`topic_question`: an `ask_` intent, answered with the
        facts known); else only those of `first_questions` that the check needs."""
        needed = self.needed(slots, book, day)
        if slots.get(CHECK_REQUESTED_SLOT):
            return needed
        if topic_question:
            return []
        known = sum(slots.get(slot) is not None for slot in self.slots)
        if self.situation_facts and known >= self.situation_facts:
            return needed
        first = self.first_questions(slots, book, day)
        return [slot for slot in needed if slot in first]


CHECKS: Dict[str, Check] = {
    check.name: check
    for check in (
        Check("work_permission", "work_permission_form", "check_work_permission",
              ("person_status", "months_in_procedure"), _status_and_months, _status_first, _may_work,
              lambda slots: "ask_asylum_work", {"person_status": "utter_check_why_work_status"}),
        Check("employer_needs", "employer_needs_form", "check_employer_needs",
              ("person_status", "months_in_procedure"), _status_and_months, _status_first, _employer_needs,
              lambda slots: "ask_work_permit", {"person_status": "utter_check_why_employee_status"}),
        Check("unpaid_work", "unpaid_work_form", "check_unpaid_work",
              ("unpaid_kind", "person_status", "months_in_procedure", "internship_plan"), _unpaid_needed,
              _unpaid_first, _unpaid, _unpaid_topic, {"person_status": "utter_check_why_person_status"}),
        Check("employer_subsidy", "employer_subsidy_form", "check_employer_subsidy",
              tuple(SUBSIDY_SLOTS) + ("sowis_months_in_service",), _subsidy_needed, _nothing_first, _subsidy,
              lambda slots: "ask_employer_subsidy", {}, situation_facts=0),
        Check("teacher_subsidy", "teacher_subsidy_form", "check_teacher_subsidy",
              tuple(TEACHER_SLOTS), _teacher_needed, _nothing_first, _teacher, lambda slots: "ask_teacher_subsidy", {},
              rule_line=("utter_teacher_rule_line", ("teacher.amount",), "teacher_status")),
    )
}
