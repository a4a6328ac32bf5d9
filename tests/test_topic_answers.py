"""Information answers for every topic of facts.md sections 1-7: numbers, sources, caveats."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.answers import answer_topic, topics
from bot.content.rulebook import Rulebook

TODAY = dt.date(2026, 11, 29)

# intent -> facts the English answer must contain (numbers come from the rules' data)
KEY_FACTS = {
    "ask_asylum_work": ["6 months", "UWV", "TWV", "18"],
    "ask_24_weeks": ["24 weeks", "no longer applies", "29-11-2023"],
    "ask_work_permit": ["UWV", "2 weeks", "5 weeks", "draft employment contract"],
    "ask_coa_contribution": ["report your income", "COA", "not confirmed"],
    "ask_taxes": ["payroll taxes", "BSN", "non-official"],
    "ask_volunteering": ["volunteer declaration", "UWV", "3 years", "6 months"],
    "ask_internship": ["6 months", "internship plan", "BPV"],
    "ask_dublin": ["no official Dutch source", "IND"],
    "ask_self_employment": ["disagree", "5%", "PTO"],
    "ask_proposal_2025": ["proposal, not law", "03-11-2025", "3 months", "6 months"],
    "ask_status_holder_work": ["free to work", "TWV niet vereist"],
    "ask_inburgering": ["municipality", "PIP", "B1 route", "Z route", "education route"],
    "ask_ukraine_work": ["notifies UWV", "2 working days", "04-03-2027"],
    "ask_employer_subsidy": ["€8.000", "€6.000", "€5.000", "€24.000", "20 hours", "12 months", "closed"],
    "ask_teacher_subsidy": ["€10.000", "Nuffic", "mathematics"],
    "ask_meedoenbalie": ["COA", "24 hours", "€4 million"],
    "ask_programmes": ["19", "startbanen", "UAF", "childcare", "ESF+", "PTO"],
    "ask_where_to_go": ["088 043 0430", "0800-5151", "112", "VluchtelingenWerk", "municipality"],
}
UNCERTAIN = {
    "ask_work_permit", "ask_coa_contribution", "ask_taxes", "ask_volunteering", "ask_dublin",
    "ask_self_employment", "ask_status_holder_work", "ask_inburgering", "ask_ukraine_work",
    "ask_employer_subsidy", "ask_teacher_subsidy", "ask_where_to_go",
}


def test_every_topic_intent_has_key_facts_listed():
    assert set(KEY_FACTS) == {i for i in topics() if i.startswith("ask_")}


@pytest.mark.parametrize("intent", sorted(KEY_FACTS))
def test_english_answer_has_key_facts_source_and_date(intent):
    answer = answer_topic(intent, "en", TODAY)
    for fact in KEY_FACTS[intent]:
        assert fact in answer.text, (intent, fact)
    assert "Source:" in answer.text and "holds since" in answer.text


@pytest.mark.parametrize("intent", sorted(KEY_FACTS))
def test_uncertain_answers_say_so_and_offer_a_person(intent):
    for language, note in (("en", "not fully certain"), ("nl", "niet helemaal zeker")):
        answer = answer_topic(intent, language, TODAY)
        assert answer.uncertain == (intent in UNCERTAIN), intent
        assert (note in answer.text) == (intent in UNCERTAIN), (intent, language)
        if answer.uncertain:
            assert "/request_human" in {b["payload"] for b in answer.buttons}


@pytest.mark.parametrize("intent", sorted(KEY_FACTS))
def test_dutch_answer_is_dutch_with_source(intent):
    text = answer_topic(intent, "nl", TODAY).text
    assert "Bron:" in text and "geldt sinds" in text
    assert "Source:" not in text


def test_sources_are_one_compact_line_each():
    text = answer_topic("ask_programmes", "en", TODAY).text
    # six rules from one letter share one line; urls are shown without https://www.
    assert text.count("Source:") == 1
    assert "https://" not in text


@pytest.mark.parametrize(
    "day,expected",
    [
        (dt.date(2024, 8, 1), "The 2024 application period is not open yet: from 02-09-2024"),
        (dt.date(2024, 9, 10), "The 2024 application period is open"),
        (dt.date(2025, 6, 2), "The 2025 application period is open"),
        (dt.date(2025, 10, 1), "The 2025 application period (02-06-2025 up to and including 30-09-2025) is closed"),
        (dt.date(2026, 7, 1), "The 2026 application period is open"),
        (dt.date(2026, 11, 29), "The 2026 application period (01-06-2026 up to and including 30-09-2026) is closed"),
        (dt.date(2027, 2, 1), "No application period is known for 2027"),
    ],
)
def test_subsidy_window_is_computed_for_the_day_asked(day, expected):
    assert expected in answer_topic("ask_employer_subsidy", "en", day).text


def test_subsidy_amounts_in_2025_are_confirmed_and_in_2026_are_not():
    in_2025 = answer_topic("ask_employer_subsidy", "en", dt.date(2025, 7, 1))
    assert "€8.000" in in_2025.text and "not officially confirmed" not in in_2025.text.split("\n\n")[0]
    assert "still said €6.000" in in_2025.text  # the letter's flat amount, as history
    in_2026 = answer_topic("ask_employer_subsidy", "en", TODAY)
    assert "the new amount is not officially confirmed" in in_2026.text
    assert in_2026.uncertain


def test_every_topic_renders_in_every_language_on_many_days(project):
    book = Rulebook.load(project / "actions" / "rules")
    from actions.texts import translations

    for day in (dt.date(2024, 7, 1), dt.date(2025, 7, 1), TODAY, dt.date(2027, 2, 1)):
        for intent in topics():
            for language in translations().codes:
                answer = answer_topic(intent, language, day, book)
                assert "{" not in answer.text, (intent, language, day)


def test_a_topic_without_a_rule_on_the_day_asked_says_so_and_offers_a_person():
    answer = answer_topic("ask_proposal_2025", "en", dt.date(2024, 7, 1))
    assert "no sourced rule" in answer.text and "3 months" not in answer.text
    assert answer.uncertain and answer.buttons[0]["payload"] == "/request_human"
