"""The teacher subsidy "Statushouders en de stap naar de klas": may the school board get it?

Rules used: `teacher.amount`, `teacher.diploma` (subjects, Nuffic valuation; from the letter),
`teacher.further_conditions` (Dutch level, contract, Ukrainians; secondary sources only, so an
outcome that uses them is marked uncertain) and `teacher.window` (the yearly DUS-I window that
the outcome names: the school board can only apply in one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from actions.eligibility import Finding, Outcome, optional_rule
from actions.presentation import display
from bot.content.rulebook import Rulebook

LEVELS = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
SUBJECTS = (
    "teaching_qualification", "english", "french", "mathematics", "physics", "chemistry",
    "informatics", "technology", "other",
)


@dataclass(frozen=True)
class TeacherCandidate:
    """The answers; a field left None was not asked because an earlier answer already decides."""

    status: str
    subject: Optional[str] = None
    diploma_valued: Optional[bool] = None
    dutch_level: Optional[str] = None
    contract: Optional[bool] = None


def level_at_least(level: str, minimum: str) -> bool:
    return LEVELS.index(level.upper()) >= LEVELS.index(minimum.upper())


def status_allowed(status: str, book: Rulebook, day: dt.date) -> bool:
    if status in ("status_holder", "permanent_permit"):
        return True
    further = optional_rule(book, "teacher.further_conditions", day)
    return status == "ukraine" and further is not None and day >= further.values["ukrainians_from"]


def subject_allowed(subject: str, book: Rulebook, day: dt.date) -> bool:
    """A teaching qualification, or a diploma in one of the rule's subjects."""
    subjects = book.get("teacher.diploma", on=day).values["subjects"]
    return subject == "teaching_qualification" or subject in subjects


def decided_early(candidate: TeacherCandidate, book: Rulebook, day: dt.date) -> bool:
    """True when an answer already makes the outcome 'no', so the rest need not be asked."""
    if not status_allowed(candidate.status, book, day):
        return True
    if candidate.subject is not None and not subject_allowed(candidate.subject, book, day):
        return True
    return candidate.diploma_valued is False


def check(candidate: TeacherCandidate, book: Rulebook, day: dt.date) -> Outcome:
    amount = book.get("teacher.amount", on=day)
    diploma = book.get("teacher.diploma", on=day)
    further = optional_rule(book, "teacher.further_conditions", day)
    values = {"teacher_amount": display(amount.values["teacher_amount"])}
    if further is not None:
        values.update(further.values, ukrainians_from=display(further.values["ukrainians_from"]))
    reasons: List[Finding] = []
    if not status_allowed(candidate.status, book, day):
        key = "utter_teacher_reason_status" if further else "utter_teacher_reason_status_only"
        reasons.append(Finding(key, values))
    if candidate.subject is not None and not subject_allowed(candidate.subject, book, day):
        reasons.append(Finding("utter_teacher_reason_subject"))
    if candidate.diploma_valued is False:
        reasons.append(Finding("utter_teacher_reason_valuation"))
    if further and candidate.dutch_level and not level_at_least(candidate.dutch_level, further.values["dutch_level"]):
        reasons.append(Finding("utter_teacher_reason_dutch", {**values, "level": candidate.dutch_level}))
    if further and candidate.contract is False:
        reasons.append(Finding("utter_teacher_reason_contract", values))
    if not reasons and None in (candidate.subject, candidate.diploma_valued, candidate.dutch_level, candidate.contract):
        raise ValueError("a candidate without a decisive 'no' needs every answer")
    contact = Finding("utter_check_contact_school")
    window = optional_rule(book, "teacher.window", day)
    rules = (amount, diploma) + ((further,) if further else ()) + ((window,) if window else ())
    if reasons:
        return Outcome("teacher_subsidy", "no", Finding("utter_teacher_verdict_no"), tuple(reasons),
                       Finding("utter_teacher_next_no"), contact, rules, {"amount": 0})
    return Outcome(
        "teacher_subsidy", "yes", Finding("utter_teacher_verdict_yes", values),
        (Finding("utter_teacher_reason_met" if further else "utter_teacher_reason_met_diploma",
                 {**values, "level": candidate.dutch_level}),),
        Finding("utter_teacher_next_yes"), contact, rules, {"amount": amount.values["teacher_amount"]},
    )
