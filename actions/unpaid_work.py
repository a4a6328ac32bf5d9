"""Volunteering and internships: may this person do them, and what is needed?

Rules used: `asylum.volunteering`, `asylum.volunteering.first_months` (the sources conflict on
volunteering in the first months: the answer says so), `asylum.internship`, `asylum.work.*`,
`status_holder.free_to_work`, `ukraine.unpaid_work`, `asylum.dublin`, `contacts.organisations`.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from actions.eligibility import Finding, Outcome, months_left
from actions.presentation import display
from actions.work_permission import FREE_TO_WORK, may_work
from bot.content.rulebook import Rulebook

KINDS = ("volunteer", "internship")


def check(kind: str, status: str, months: Optional[float], plan: Optional[bool], book: Rulebook, day: dt.date) -> Outcome:
    name = "unpaid_work"
    contacts = book.get("contacts.organisations", on=day)
    if status == "asylum_seeker":
        rule = book.get("asylum.volunteering" if kind == "volunteer" else "asylum.internship", on=day)
        needed = book.get("asylum.work.waiting_period", on=day).values["months"]
        shown = {"months": needed, "months_in_procedure": display(months)}
        if kind == "volunteer" and (months is None or months < needed):
            # The sources conflict on volunteering in the waiting period: never a flat yes or no.
            conflict = book.get("asylum.volunteering.first_months", on=day)
            return Outcome(
                name, "unclear", Finding("utter_check_verdict_unclear"),
                (Finding("utter_unpaid_reason_sources_differ", {"months": needed}),),
                Finding("utter_work_next_ask"), Finding("utter_check_contact_uwv", dict(contacts.values)),
                (conflict, contacts),
            )
        if months is None or months < needed:
            no_work = book.get("asylum.work.no_work_before_waiting_period", on=day)
            left = months_left(months or 0, needed)
            return Outcome(
                name, "not_yet", Finding("utter_unpaid_verdict_not_yet", {"months": needed, "months_left": left}),
                (Finding("utter_work_reason_waiting_not_met", shown),),
                Finding("utter_work_next_wait", {"months": needed}),
                Finding("utter_check_contact_coa_vwn", dict(contacts.values)), (no_work, contacts),
                {"months_left": left},
            )
        if kind == "volunteer":
            return Outcome(
                name, "yes", Finding("utter_unpaid_verdict_yes_volunteer"),
                (Finding("utter_work_reason_waiting_met", shown), Finding("utter_unpaid_reason_declaration", dict(rule.values))),
                Finding("utter_unpaid_next_volunteer"), Finding("utter_check_contact_uwv", dict(contacts.values)),
                (rule, contacts),
            )
        if plan is None:
            # Answer first: the plan is a condition to state, not a question to ask first.
            return Outcome(
                name, "depends", Finding("utter_unpaid_verdict_if_plan"),
                (Finding("utter_work_reason_waiting_met", shown), Finding("utter_unpaid_reason_no_twv_internship")),
                Finding("utter_unpaid_next_internship"), Finding("utter_check_contact_coa_vwn", dict(contacts.values)),
                (rule, contacts),
            )
        if not plan:
            return Outcome(
                name, "no", Finding("utter_unpaid_verdict_no_plan"),
                (Finding("utter_work_reason_waiting_met", shown),),
                Finding("utter_unpaid_next_internship"), Finding("utter_check_contact_coa_vwn", dict(contacts.values)),
                (rule, contacts),
            )
        return Outcome(
            name, "yes", Finding("utter_unpaid_verdict_yes_internship"),
            (Finding("utter_work_reason_waiting_met", shown), Finding("utter_unpaid_reason_no_twv_internship")),
            Finding("utter_unpaid_next_start"), Finding("utter_check_contact_coa_vwn", dict(contacts.values)),
            (rule, contacts),
        )
    if status in FREE_TO_WORK:
        free = book.get("status_holder.free_to_work", on=day)
        return Outcome(
            name, "yes", Finding("utter_unpaid_verdict_free"), (Finding("utter_work_reason_free"),),
            Finding("utter_unpaid_next_start"), Finding("utter_check_contact_municipality", dict(contacts.values)),
            (free, contacts),
        )
    if status == "ukraine":
        unknown = book.get("ukraine.unpaid_work", on=day)
        return Outcome(
            name, "unclear", Finding("utter_check_verdict_unclear"), (Finding("utter_unpaid_reason_ukraine"),),
            Finding("utter_work_next_ask"), Finding("utter_check_contact_uwv", dict(contacts.values)),
            (unknown, contacts),
        )
    outcome = may_work(status, months, book, day)  # dublin: unclear; rejected: no
    return Outcome(name, outcome.verdict, outcome.headline, outcome.reasons, outcome.next_step, outcome.contact, outcome.rules)
