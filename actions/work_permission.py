"""May I work, and what does my employer need? Decided by status from the rules in force.

Statuses: `asylum_seeker` (with months in the procedure), `status_holder`, `permanent_permit`
(a former status holder with a permanent permit: treated as a status holder), `ukraine`
(temporary protection), `dublin` (no official source: unclear), `rejected`.
Rules used: `asylum.work.*`, `asylum.pact_2026` (its caveat, from 12 June 2026), `asylum.twv.decision_time`, `status_holder.free_to_work`,
`ukraine.*` and `contacts.organisations`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import List, Optional, Tuple

from actions.eligibility import Finding, Outcome, months_left, optional_rule
from actions.presentation import display
from bot.content.rulebook import Rule, Rulebook

STATUSES = ("asylum_seeker", "status_holder", "permanent_permit", "ukraine", "dublin", "rejected")
FREE_TO_WORK = ("status_holder", "permanent_permit")


def needs_months(status: Optional[str]) -> bool:
    """Whether the months in the procedure matter for this status (or the status is unknown)."""
    return status in (None, "asylum_seeker")


def _contact(book: Rulebook, day: dt.date, key: str) -> Tuple[Finding, Tuple[Rule, ...]]:
    rule = book.get("contacts.organisations", on=day)
    return Finding(key, dict(rule.values)), (rule,)


def _protection(book: Rulebook, day: dt.date) -> Tuple[List[Finding], Tuple[Rule, ...]]:
    """The end date of temporary protection, when a rule about it holds on `day`."""
    rule = optional_rule(book, "ukraine.protection_until", day)
    if rule is None:
        return [], ()
    return [Finding("utter_work_reason_protection", {"protection_until": display(rule.values["protection_until"])})], (rule,)


def pact_caveat(book: Rulebook, day: dt.date) -> Tuple[List[Finding], Tuple[Rule, ...]]:
    """From the EU Migration Pact's date, every answer that says "6 months" says that the rule
    may have changed (the rule `asylum.pact_2026` and its caveat text), until a source confirms."""
    rule = optional_rule(book, "asylum.pact_2026", day)
    if rule is None or not rule.caveat:
        return [], ()
    return [Finding(rule.caveat)], (rule,)


def may_work(status: str, months: Optional[float], book: Rulebook, day: dt.date) -> Outcome:
    """May this person do paid work in the Netherlands on `day`?"""
    check = "work_permission"
    if status == "asylum_seeker":
        wait = book.get("asylum.work.waiting_period", on=day)
        needed = wait.values["months"]
        shown = {"months": needed, "months_in_procedure": display(months), "min_age": wait.values["min_age"]}
        caveat, caveat_rules = pact_caveat(book, day)
        if months is not None and months >= needed:
            contact, contact_rules = _contact(book, day, "utter_check_contact_uwv")
            return Outcome(
                check, "yes", Finding("utter_work_verdict_yes_twv"),
                (Finding("utter_work_reason_waiting_met", shown), Finding("utter_work_reason_conditions", shown), *caveat),
                Finding("utter_work_next_twv"), contact, (wait,) + caveat_rules + contact_rules,
            )
        no_work = book.get("asylum.work.no_work_before_waiting_period", on=day)
        left = months_left(months or 0, needed)
        contact, contact_rules = _contact(book, day, "utter_check_contact_coa_vwn")
        return Outcome(
            check, "not_yet", Finding("utter_work_verdict_not_yet", {"months": needed, "months_left": left}),
            (Finding("utter_work_reason_waiting_not_met", shown), *caveat),
            Finding("utter_work_next_wait", {"months": needed}), contact, (wait, no_work) + caveat_rules + contact_rules,
            {"months_left": left},
        )
    if status in FREE_TO_WORK:
        free = book.get("status_holder.free_to_work", on=day)
        contact, contact_rules = _contact(book, day, "utter_check_contact_municipality")
        return Outcome(
            check, "yes", Finding("utter_work_verdict_yes_free"), (Finding("utter_work_reason_free"),),
            Finding("utter_work_next_free"), contact, (free,) + contact_rules,
        )
    if status == "ukraine":
        notify = book.get("ukraine.notification", on=day)
        protection, protection_rules = _protection(book, day)
        contact, contact_rules = _contact(book, day, "utter_check_contact_uwv")
        return Outcome(
            check, "yes", Finding("utter_work_verdict_yes_notification"),
            (Finding("utter_work_reason_notification", dict(notify.values)), *protection),
            Finding("utter_work_next_notification"), contact, (notify,) + protection_rules + contact_rules,
        )
    if status == "dublin":
        dublin = book.get("asylum.dublin", on=day)
        contact, contact_rules = _contact(book, day, "utter_check_contact_uwv_ind")
        return Outcome(
            check, "unclear", Finding("utter_check_verdict_unclear"), (Finding("utter_work_reason_dublin"),),
            Finding("utter_work_next_ask"), contact, (dublin,) + contact_rules,
        )
    if status == "rejected":
        ended = book.get("asylum.work.no_work_before_waiting_period", on=day)
        contact, contact_rules = _contact(book, day, "utter_check_contact_vwn_ind")
        return Outcome(
            check, "no", Finding("utter_work_verdict_no_rejected"), (Finding("utter_work_reason_rejected"),),
            Finding("utter_work_next_rejected"), contact, (ended,) + contact_rules,
        )
    raise ValueError(f"unknown status {status!r}")


# How the employer's view relabels the worker's outcome: verdict, headline, next step, contact.
EMPLOYER_VIEW = {
    "not_yet": ("not_yet", "utter_employer_verdict_not_yet", None, "utter_check_contact_uwv"),
    "free": ("nothing", "utter_employer_verdict_nothing", "utter_employer_next_nothing", None),
    "unclear": ("unclear", "utter_check_verdict_unclear", None, None),
    "no": ("no", "utter_employer_verdict_no", None, None),
}


def employer_needs(status: str, months: Optional[float], book: Rulebook, day: dt.date) -> Outcome:
    """What does an employer need to let this person work: a TWV, a notification, or nothing?"""
    check = "employer_needs"
    worker = may_work(status, months, book, day)
    if status == "asylum_seeker" and worker.verdict == "yes":
        wait, contact_rules = worker.rules[0], worker.rules[1:]
        decision = book.get("asylum.twv.decision_time", on=day)
        validity = book.get("asylum.work.24_week_limit_ended", on=day)
        return Outcome(
            check, "twv", Finding("utter_employer_verdict_twv"),
            (worker.reasons[0], Finding("utter_employer_reason_how"),
             Finding("utter_employer_reason_time", dict(decision.values)), Finding("utter_employer_reason_validity")),
            Finding("utter_employer_next_twv"), worker.contact, (wait, decision, validity) + contact_rules,
        )
    if status == "ukraine":
        client = book.get("ukraine.self_employed_client", on=day)
        notify = worker.reasons[0].values
        return Outcome(
            check, "notification", Finding("utter_employer_verdict_notification"),
            (Finding("utter_employer_reason_notification", notify), Finding("utter_employer_reason_self_employed"),
             *worker.reasons[1:]),
            Finding("utter_employer_next_notification"), worker.contact, worker.rules + (client,),
        )
    view = "free" if status in FREE_TO_WORK else worker.verdict
    verdict, headline, next_step, contact = EMPLOYER_VIEW[view]
    return dataclasses.replace(
        worker, check=check, verdict=verdict, headline=Finding(headline, worker.headline.values),
        next_step=Finding(next_step) if next_step else worker.next_step,
        contact=Finding(contact, worker.contact.values) if contact else worker.contact,
    )
