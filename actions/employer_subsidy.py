"""The employer subsidy SOWIS: who is eligible, how much, and whether the window is open.

Pure functions over the rules in `rules/employer_subsidy.yml`: `sowis.amounts` (the sliding scale
in force on a date; `confirmed: false` when that period's amounts are not known), `sowis.conditions`
(hours, contract length), `sowis.window` (the application period of the calendar year, who may be
hired, and optionally `earlier_recipients_excluded`, `inburgeringsplichtig`), `sowis.contact` and
optionally `sowis.inburgeringsplichtig`.

Answer first: `check` answers with what the employer told. A fact that decides "no" (12 hours a
week, a 6-month contract, an asylum seeker) ends it with that reason and the minimum; otherwise the
amount on the last confirmed scale, with the years of that scale (never a promise for a year whose
amounts are not known), and the conditions still to meet as a list, not as questions.
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

    A field left None was not said (and not asked: the check answers with what it knows)."""

    people: Optional[int] = None
    employee: Optional[str] = None
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


def last_confirmed_amounts(book: Rulebook, day: dt.date) -> Optional[Rule]:
    """The newest version of `sowis.amounts` with confirmed amounts that started by `day`."""
    versions = [rule for rule in book.all_rules() if rule.id == "sowis.amounts"
                and rule.values.get("confirmed", True) and rule.valid_from <= day]
    return max(versions, key=lambda rule: rule.valid_from, default=None)


def scale_years(rule: Rule) -> str:
    """The years a scale is of ("2024-2025"): from the data, else from its dates."""
    named = rule.values.get("scale_years")
    if named:
        return str(named)
    last = rule.valid_until.year if rule.valid_until else rule.valid_from.year
    return str(rule.valid_from.year) if last == rule.valid_from.year else f"{rule.valid_from.year}-{last}"


def scale_values(rule: Rule) -> dict:
    """The scale's amounts as placeholders: scale_1 ... scale_n and max_total."""
    values = {f"scale_{i}": display(amount) for i, amount in enumerate(rule.values["scale"], start=1)}
    values["max_total"] = display(rule.values["max_total"])
    return values


def conditions_to_meet(request: SubsidyRequest, conditions: Rule, window: WindowStatus, book: Rulebook, day: dt.date) -> List[Finding]:
    """The conditions the answers do not show yet, and those the check never asks (civic
    integration, no earlier subsidy): said as a list, so the employer knows them at once."""
    open_ones: List[Finding] = []
    values = window.rule.values if window.rule else {}
    if request.employee is None:
        permanent = "permanent_permit" in eligible_employees(book, day)
        open_ones.append(Finding("utter_sowis_condition_employee_permanent" if permanent else "utter_sowis_condition_employee"))
    if values.get("inburgeringsplichtig") or optional_rule(book, "sowis.inburgeringsplichtig", day):
        open_ones.append(Finding("utter_sowis_condition_inburgering"))
    if request.hours_per_week is None:
        open_ones.append(Finding("utter_sowis_condition_hours", {"min_hours": conditions.values["min_hours"]}))
    if request.contract_months is None:
        open_ones.append(Finding("utter_sowis_condition_contract", {"min_contract_months": conditions.values["min_contract_months"]}))
    if request.activity_plan is None:
        open_ones.append(Finding("utter_sowis_condition_plan"))
    if values.get("max_months_in_service") and request.months_in_service is None:
        open_ones.append(Finding("utter_sowis_condition_in_service", {"max_months_in_service": values["max_months_in_service"]}))
    if values.get("earlier_recipients_excluded"):
        open_ones.append(Finding("utter_sowis_condition_earlier"))
    return open_ones


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
    ukraine_rules: Tuple[Rule, ...] = ()
    if request.employee is not None and request.employee not in eligible_employees(book, day):
        reasons.append(Finding("utter_sowis_reason_employee", {"employee": request.employee}))
        notify, protection = optional_rule(book, "ukraine.notification", day), optional_rule(book, "ukraine.protection_until", day)
        if request.employee == "ukraine" and notify and protection:
            # what the employer does instead: the notification, and how long the protection runs
            reasons.append(Finding("utter_employer_reason_notification", dict(notify.values)))
            reasons.append(Finding("utter_work_reason_protection", {"protection_until": display(protection.values["protection_until"])}))
            ukraine_rules = (notify, protection)
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
    rules: Tuple[Rule, ...] = tuple(r for r in (conditions, amounts, contact_rule) if r) + window.rules + ukraine_rules
    people = request.people or 1
    counted = min(people, amounts.values["max_persons"])
    if reasons:
        facts: dict[str, Any] = {"amount": 0, "people_counted": counted, "window": window.state}
        return Outcome(CHECK, "no", Finding("utter_sowis_verdict_no"), tuple(reasons),
                       Finding("utter_sowis_next_no"), contact, rules, facts)
    to_meet = conditions_to_meet(request, conditions, window, book, day)
    asked = (request.employee, request.hours_per_week, request.contract_months, request.activity_plan)
    confirmed = amounts.values.get("confirmed", True)
    scale_rule = amounts if confirmed else last_confirmed_amounts(book, day)
    if scale_rule is None:  # no confirmed scale at all: say what is known, not an amount
        scale_rule = amounts
    total = amount(scale_rule.values["scale"], scale_rule.values["max_persons"], people)
    facts = {"amount": total, "people_counted": counted, "window": window.state,
             "scale_years": scale_years(scale_rule), "conditions_to_meet": len(to_meet)}
    shown = {"amount": display(total), "people": counted, "scale_years": scale_years(scale_rule), **scale_values(scale_rule)}
    if None in asked:
        verdict, headline = "depends", Finding("utter_sowis_verdict_depends", shown)
    elif confirmed:
        verdict, headline = "yes", Finding("utter_sowis_verdict_yes", shown)
        reasons.append(Finding("utter_sowis_reason_met", {"min_hours": min_hours, "min_contract_months": min_months}))
    else:
        verdict, headline = "yes", Finding("utter_sowis_verdict_yes_unconfirmed", shown)
        reasons.append(Finding("utter_sowis_reason_met", {"min_hours": min_hours, "min_contract_months": min_months}))
    if not confirmed:
        reasons.append(Finding("utter_sowis_reason_amount_year", {"scale_years": scale_years(scale_rule), "year": str(day.year)}))
        rules = rules + ((scale_rule,) if scale_rule is not amounts else ())
    reasons.extend(to_meet)
    if people > amounts.values["max_persons"]:
        reasons.append(Finding("utter_sowis_reason_cap", {"max_persons": amounts.values["max_persons"], "max_total": display(amounts.values["max_total"])}))
    window_values = {"opens": display(window.opens), "closes": display(window.closes)} if window.rule else {}
    next_step = Finding(f"utter_sowis_next_{window.state}", {"year": str(day.year), **window_values})
    return Outcome(CHECK, verdict, headline, tuple(reasons), next_step, contact, rules, facts)
