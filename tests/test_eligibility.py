"""The eligibility checks as pure functions: a decision table of dated cases, and properties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from actions import employer_subsidy, teacher_subsidy, unpaid_work, work_permission
from actions.eligibility import Outcome
from bot.content.rulebook import Rulebook
from bot.content.translations import Translations

CASES = yaml.safe_load((Path(__file__).parent / "data" / "eligibility_cases.yml").read_text(encoding="utf-8"))["cases"]
BOOK = Rulebook.load()


def run_case(case: Dict[str, Any]) -> Outcome:
    day = case["day"]
    check = case["check"]
    if check == "may_work":
        return work_permission.may_work(case["status"], case.get("months"), BOOK, day)
    if check == "employer_needs":
        return work_permission.employer_needs(case["status"], case.get("months"), BOOK, day)
    if check == "unpaid_work":
        return unpaid_work.check(case["kind"], case["status"], case.get("months"), case.get("plan"), BOOK, day)
    if check == "employer_subsidy":
        request = employer_subsidy.SubsidyRequest(
            people=case.get("people"), employee=case.get("employee"), hours_per_week=case.get("hours"),
            contract_months=case.get("contract"), activity_plan=case.get("plan"),
            months_in_service=case.get("in_service"),
        )
        return employer_subsidy.check(request, BOOK, day)
    if check == "teacher_subsidy":
        candidate = teacher_subsidy.TeacherCandidate(
            status=case["status"], subject=case.get("subject"), diploma_valued=case.get("valued"),
            dutch_level=case.get("level"), contract=case.get("contract"),
        )
        return teacher_subsidy.check(candidate, BOOK, day)
    raise AssertionError(f"unknown check {check}")


def case_id(case: Dict[str, Any]) -> str:
    inputs = "-".join(f"{k}={v}" for k, v in case.items() if k not in ("check", "expect"))
    return f"{case['check']}:{inputs}"


def test_the_table_is_big_enough_and_covers_every_check():
    assert len(CASES) >= 60
    assert {c["check"] for c in CASES} == {"may_work", "employer_needs", "unpaid_work", "employer_subsidy", "teacher_subsidy"}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_decision_table(case):
    outcome = run_case(case)
    expect = case["expect"]
    assert outcome.verdict == expect["verdict"]
    if "uncertain" in expect:
        assert outcome.uncertain is expect["uncertain"]
    if "amount" in expect:
        assert outcome.facts["amount"] == expect["amount"]
    if "months_left" in expect:
        assert outcome.facts["months_left"] == expect["months_left"]
    if "window" in expect:
        assert outcome.facts["window"] == expect["window"]
    if "headline" in expect:
        assert outcome.headline.key == expect["headline"]
    if "next" in expect:
        assert outcome.next_step.key == expect["next"]
    for key in expect.get("reasons", ()):
        assert key in [r.key for r in outcome.reasons]
    # every outcome rests on sourced rules, and the uncertain ones on at least one S/U rule
    assert outcome.rules and all(rule.source_name for rule in outcome.rules)


@pytest.fixture(scope="module")
def translations(project):
    return Translations.load(project / "translations")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_sentence_of_every_outcome_exists_in_every_language(case, translations):
    outcome = run_case(case)
    for finding in (outcome.headline, *outcome.reasons, outcome.next_step, outcome.contact):
        for code in translations.codes:
            text = translations.languages[code].responses[finding.key]
            missing = text.placeholders() - set(finding.values)
            assert not missing, (finding.key, code, missing)


def test_every_branch_of_the_table_is_taken():
    """Each verdict key the checks can give is reached by some case."""
    headlines = {run_case(case).headline.key for case in CASES}
    assert headlines >= {
        "utter_work_verdict_yes_twv", "utter_work_verdict_not_yet", "utter_work_verdict_yes_free",
        "utter_work_verdict_yes_notification", "utter_check_verdict_unclear", "utter_work_verdict_no_rejected",
        "utter_employer_verdict_twv", "utter_employer_verdict_not_yet", "utter_employer_verdict_nothing",
        "utter_employer_verdict_notification", "utter_employer_verdict_no",
        "utter_unpaid_verdict_not_yet", "utter_unpaid_verdict_yes_volunteer", "utter_unpaid_verdict_no_plan",
        "utter_unpaid_verdict_if_plan", "utter_unpaid_verdict_yes_internship", "utter_unpaid_verdict_free",
        "utter_sowis_verdict_yes", "utter_sowis_verdict_yes_unconfirmed", "utter_sowis_verdict_no",
        "utter_sowis_verdict_unknown", "utter_teacher_verdict_yes", "utter_teacher_verdict_no",
    }
    next_steps = {run_case(case).next_step.key for case in CASES if case["check"] == "employer_subsidy"}
    assert next_steps >= {"utter_sowis_next_open", "utter_sowis_next_upcoming", "utter_sowis_next_closed", "utter_sowis_next_unknown", "utter_sowis_next_no"}


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        work_permission.may_work("tourist", None, BOOK, dt.date(2026, 11, 29))


def test_an_incomplete_subsidy_request_is_answered_with_the_amount_and_the_conditions_to_meet():
    outcome = employer_subsidy.check(employer_subsidy.SubsidyRequest(1, "status_holder"), BOOK, dt.date(2025, 7, 1))
    assert outcome.verdict == "depends" and outcome.facts["amount"] == 8000
    # with the conditions of the 2025 round (facts.md, section 4): the employee is or was
    # inburgeringsplichtig, and employers funded in an earlier round are excluded
    assert [r.key for r in outcome.reasons] == [
        "utter_sowis_condition_inburgering", "utter_sowis_condition_hours", "utter_sowis_condition_contract",
        "utter_sowis_condition_plan", "utter_sowis_condition_in_service", "utter_sowis_condition_earlier"]


def test_the_amount_for_a_year_without_confirmed_amounts_names_the_years_of_the_scale():
    request = employer_subsidy.SubsidyRequest(2, None, 24, 12)
    outcome = employer_subsidy.check(request, BOOK, dt.date(2026, 12, 7))
    assert outcome.verdict == "depends" and outcome.facts["amount"] == 14000
    assert outcome.facts["scale_years"].startswith("2024")
    year_note = next(r for r in outcome.reasons if r.key == "utter_sowis_reason_amount_year")
    assert year_note.values["year"] == "2026"
    assert outcome.facts["window"] == "closed" and outcome.uncertain


def test_an_incomplete_teacher_request_is_refused():
    with pytest.raises(ValueError):
        teacher_subsidy.check(teacher_subsidy.TeacherCandidate("status_holder", "english"), BOOK, dt.date(2025, 7, 1))


# --- properties of the subsidy ----------------------------------------------------------

# The days with a published or draft scale (from 2027 nothing is known: the check says "unknown").
DAYS = st.dates(min_value=dt.date(2024, 6, 12), max_value=dt.date(2026, 12, 31))
ELIGIBLE = st.builds(
    employer_subsidy.SubsidyRequest,
    people=st.integers(1, 50),
    employee=st.just("status_holder"),
    hours_per_week=st.floats(20, 60),
    contract_months=st.floats(12, 1200),
    activity_plan=st.just(True),
    months_in_service=st.floats(0, 6),
)


def _amounts_rule(day):
    return BOOK.get("sowis.amounts", on=day)


@settings(max_examples=200, deadline=None)
@given(request=ELIGIBLE, day=DAYS)
def test_the_subsidy_never_exceeds_the_maximum(request, day):
    outcome = employer_subsidy.check(request, BOOK, day)
    assert 0 < outcome.facts["amount"] <= _amounts_rule(day).values["max_total"]


@settings(max_examples=200, deadline=None)
@given(request=ELIGIBLE, day=DAYS)
def test_one_more_eligible_person_never_lowers_the_subsidy(request, day):
    more = employer_subsidy.SubsidyRequest(**{**request.__dict__, "people": request.people + 1})
    assert employer_subsidy.check(more, BOOK, day).facts["amount"] >= employer_subsidy.check(request, BOOK, day).facts["amount"]


@settings(max_examples=200, deadline=None)
@given(request=ELIGIBLE, day=DAYS, hours=st.floats(0, 19.99))
def test_the_subsidy_is_zero_below_20_hours(request, day, hours):
    short = employer_subsidy.SubsidyRequest(**{**request.__dict__, "hours_per_week": hours})
    outcome = employer_subsidy.check(short, BOOK, day)
    assert outcome.facts["amount"] == 0 and outcome.verdict == "no"


@settings(max_examples=200, deadline=None)
@given(request=ELIGIBLE, day=DAYS, months=st.floats(0, 11.99))
def test_the_subsidy_is_zero_under_a_year(request, day, months):
    short = employer_subsidy.SubsidyRequest(**{**request.__dict__, "contract_months": months})
    assert employer_subsidy.check(short, BOOK, day).facts["amount"] == 0


@settings(max_examples=200, deadline=None)
@given(request=ELIGIBLE, day=DAYS, employee=st.sampled_from(["ukraine", "asylum_seeker", "dublin", "rejected", "other"]))
def test_the_subsidy_is_zero_for_someone_who_is_not_a_status_holder(request, day, employee):
    other = employer_subsidy.SubsidyRequest(**{**request.__dict__, "employee": employee})
    assert employer_subsidy.check(other, BOOK, day).facts["amount"] == 0


@settings(max_examples=200, deadline=None)
@given(people=st.integers(0, 100), scale=st.lists(st.integers(0, 20000), min_size=1, max_size=8), cap=st.integers(0, 10))
def test_the_scale_sum_is_monotone_and_capped(people, scale, cap):
    total = employer_subsidy.amount(scale, cap, people)
    assert total <= sum(scale[:cap])
    assert employer_subsidy.amount(scale, cap, people + 1) >= total


@settings(max_examples=100, deadline=None)
@given(months=st.floats(0, 240), day=st.dates(min_value=dt.date(2023, 11, 29), max_value=dt.date(2027, 12, 31)))
def test_an_asylum_seeker_may_work_exactly_from_the_waiting_period_on(months, day):
    needed = BOOK.get("asylum.work.waiting_period", on=day).values["months"]
    verdict = work_permission.may_work("asylum_seeker", months, BOOK, day).verdict
    assert verdict == ("yes" if months >= needed else "not_yet")


def test_no_subsidy_for_someone_from_ukraine_says_what_the_employer_does_instead():
    """Employers hiring Ukrainians heard only "no SOWIS" (round 4 of the blind set, four
    languages): the answer also gives the notification to UWV and the end of the protection."""
    import datetime as dt

    from actions.answers import rulebook
    from actions.employer_subsidy import SubsidyRequest, check

    outcome = check(SubsidyRequest(people=3, employee="ukraine", hours_per_week=40, contract_months=12), rulebook(), dt.date(2026, 12, 7))
    keys = [f.key for f in outcome.reasons]
    assert outcome.verdict == "no" and keys[:3] == ["utter_sowis_reason_employee", "utter_employer_reason_notification", "utter_work_reason_protection"]
    assert {"ukraine.notification", "ukraine.protection_until"} <= {r.id for r in outcome.rules}
