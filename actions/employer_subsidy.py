"""The employer subsidy SOWIS: who is eligible, how much, and whether the window is open.

Pure functions over the rules in `rules/employer_subsidy.yml`: `sowis.amounts` (the sliding scale
in force on a date), `sowis.conditions` (hours, contract length), `sowis.window` (the application
period of the calendar year, and who may be hired) and `sowis.contact`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

from actions import texts
from actions.eligibility import Finding, Outcome, optional_rule
from actions.presentation import display
from bot.content.rulebook import Rule, Rulebook

CHECK = "employer_subsidy"
# Who may be hired with the subsidy when no window says otherwise (the regulation's own group).
DEFAULT_EMPLOYEES = ("status_holder",)


@dataclass(frozen=True)
class WindowStatus:
    """The application window of the year of `day`: open, upcoming, closed or unknown."""

    state: str
    day: dt.date
    rule: Optional[Rule]

    @property
    def rules(self) -> Tuple[Rule, ...]:
        return (self.rule,) if self.rule else ()

    @property
    def opens(self) -> Optional[dt.date]:
        return self.rule.values.get("opens") if self.rule else None

    @property
    def closes(self) -> Optional[dt.date]:
        return self.rule.values.get("closes") if self.rule else None


def window_status(book: Rulebook, day: dt.date) -> WindowStatus:
    rule = optional_rule(book, "sowis.window", day)
    if rule is None:
        return WindowStatus("unknown", day, None)
    opens, closes = rule.values["opens"], rule.values["closes"]
    if day < opens:
        return WindowStatus("upcoming", day, rule)
    if day > closes:
        return WindowStatus("closed", day, rule)
    return WindowStatus("open", day, rule)


def render_window(status: WindowStatus, language: Optional[str]) -> str:
    values = {"year": str(status.day.year)}
    if status.rule:
        values.update(opens=display(status.opens), closes=display(status.closes))
    return texts.render(f"utter_sowis_window_{status.state}", language, **values)


def amount(scale: Sequence[int], max_persons: int, eligible_people: int) -> int:
    """The subsidy for `eligible_people` eligible hires: the scale summed up to the cap."""
    counted = max(0, min(eligible_people, max_persons, len(scale)))
    return sum(scale[:counted])


@dataclass(frozen=True)
class SubsidyRequest:
    """An employer's answers. `months_in_service`: how long the employee has worked there.

    A field left None was not asked, because the employee's status already decides ("no")."""

    people: int
    employee: str
    hours_per_week: Optional[float] = None
    contract_months: Optional[float] = None
    activity_plan: Optional[bool] = None
    months_in_service: Optional[float] = None


def eligible_employees(book: Rulebook, day: dt.date) -> Tuple[str, ...]:
    """Who may be hired with the subsidy on `day` (the window's list, else status holders)."""
    rule = optional_rule(book, "sowis.window", day)
    return tuple((rule.values.get("employees") if rule else None) or DEFAULT_EMPLOYEES)


def decided_early(employee: Optional[str], book: Rulebook, day: dt.date) -> bool:
    """True when the employee's status alone makes the outcome 'no'."""
    return employee is not None and employee not in eligible_employees(book, day)


def needs_months_in_service(book: Rulebook, day: dt.date) -> bool:
    """Whether the window of `day` limits how long the employee may already be in service."""
    rule = optional_rule(book, "sowis.window", day)
    return bool(rule and rule.values.get("max_months_in_service"))


def check(request: SubsidyRequest, book: Rulebook, day: dt.date) -> Outcome:
    amounts = optional_rule(book, "sowis.amounts", day)
    conditions = optional_rule(book, "sowis.conditions", day)
    contact_rule = optional_rule(book, "sowis.contact", day)
    window = window_status(book, day)
    contact = Finding("utter_check_contact_uvb")
    if contact_rule:
        contact = Finding("utter_check_contact_sowis", {"contact": contact_rule.values["contact"]})
    if amounts is None or conditions is None:
        rules = tuple(r for r in (amounts, conditions) if r)
        return Outcome(
            CHECK, "unknown", Finding("utter_sowis_verdict_unknown", {"date": display(day)}),
            (), Finding("utter_sowis_next_unknown", {"year": str(day.year)}), contact, rules, {"amount": 0},
        )
    reasons: List[Finding] = []
    if request.employee not in eligible_employees(book, day):
        reasons.append(Finding("utter_sowis_reason_employee", {"employee": request.employee}))
    min_hours = conditions.values["min_hours"]
    if request.hours_per_week is not None and request.hours_per_week < min_hours:
        reasons.append(Finding("utter_sowis_reason_hours", {"hours": display(request.hours_per_week), "min_hours": min_hours}))
    min_months = conditions.values["min_contract_months"]
    if request.contract_months is not None and request.contract_months < min_months:
        reasons.append(Finding("utter_sowis_reason_contract", {"months": display(request.contract_months), "min_contract_months": min_months}))
    if request.activity_plan is False:
        reasons.append(Finding("utter_sowis_reason_plan"))
    max_in_service = window.rule.values.get("max_months_in_service") if window.rule else None
    if max_in_service and request.months_in_service is not None and request.months_in_service > max_in_service:
        reasons.append(Finding("utter_sowis_reason_in_service", {"max_months_in_service": max_in_service}))
    if not reasons and None in (request.hours_per_week, request.contract_months, request.activity_plan):
        raise ValueError("a request without a decisive 'no' needs every answer")
    rules: Tuple[Rule, ...] = tuple(r for r in (conditions, amounts, contact_rule) if r) + window.rules
    scale, max_persons = amounts.values["scale"], amounts.values["max_persons"]
    eligible = not reasons
    total = amount(scale, max_persons, request.people) if eligible else 0
    counted = min(request.people, max_persons)
    facts: dict[str, Any] = {"amount": total, "people_counted": counted, "window": window.state}
    if not eligible:
        headline = Finding("utter_sowis_verdict_no")
        next_step = Finding("utter_sowis_next_no")
    else:
        key = "utter_sowis_verdict_yes" if amounts.values.get("confirmed", True) else "utter_sowis_verdict_yes_unconfirmed"
        headline = Finding(key, {"amount": display(total), "people": counted})
        reasons.append(Finding("utter_sowis_reason_met", {"min_hours": min_hours, "min_contract_months": min_months}))
        if request.people > max_persons:
            reasons.append(Finding("utter_sowis_reason_cap", {"max_persons": max_persons, "max_total": display(amounts.values["max_total"])}))
        next_step = Finding(f"utter_sowis_next_{window.state}", {"year": str(day.year), **({"opens": display(window.opens), "closes": display(window.closes)} if window.rule else {})})
    return Outcome(CHECK, "yes" if eligible else "no", headline, tuple(reasons), next_step, contact, rules, facts)
