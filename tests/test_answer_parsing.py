"""Reading answers from what users write, in their words and digits."""

from __future__ import annotations

import datetime as dt

import pytest

from actions import answer_parsing as parse


@pytest.mark.parametrize(
    "text,months",
    [
        ("I have been in the procedure for 8 months and found an employer, what now?", 8),
        ("ik zit al ٨ maanden in het azc", 8),          # Arabic-Indic digit
        ("۸ ماه است که منتظرم", 8),                      # Persian digit and word
        ("٨ أشهر", 8),
        ("een jaar", 12),
        ("1,5 jaar", 18),
        ("half jaar", 6),
        ("sinds twee maanden", 2),
        ("we hire refugees 24 hours a week", None),     # a rate, not a duration
        ("24 hours a week for a year", 12),
        ("geen idee", None),
    ],
)
def test_durations_in_months(text, months):
    assert parse.duration_in_months(text) == months


@pytest.mark.parametrize(
    "text,status",
    [
        ("ik ben asielzoeker", "asylum_seeker"),
        ("I live in the azc", "asylum_seeker"),
        ("I have a residence permit", "status_holder"),
        ("ik heb status gekregen", "status_holder"),
        ("ik kom uit Oekraïne", "ukraine"),
        ("I'm in the Dublin procedure", "dublin"),
        ("mijn asielaanvraag is afgewezen", "rejected"),
        ("my asylum claim was rejected", "rejected"),
        ("permanente verblijfsvergunning", "permanent_permit"),
        ("hallo", None),
    ],
)
def test_statuses(text, status):
    assert parse.status(text) == status


def test_hours_people_and_contracts():
    text = "ik neem 2 statushouders aan voor 32 uur met een jaarcontract"
    assert (parse.people_count(text), parse.hours_per_week(text), parse.contract_months(text)) == (2, 32, 12)
    assert parse.people_count("we hire three refugees") == 3
    assert parse.contract_months("vast contract") >= 1200
    assert parse.hours_per_week("٢٤ ساعة") == 24


@pytest.mark.parametrize("text,number", [("8", 8), ("٨", 8), ("۱۲", 12), ("ongeveer 12", 12), ("twee", 2), ("sorry, 24 uur", None), ("8 of 9", None)])
def test_bare_numbers(text, number):
    assert parse.bare_number(text) == number


def test_yes_no_from_words_or_buttons():
    assert parse.yes_no("ja hoor") is True
    assert parse.yes_no("nee, nog niet") is False
    assert parse.yes_no("we have no plan") is False
    assert parse.yes_no("/affirm", "affirm") is True
    assert parse.yes_no("/deny", "deny") is False
    assert parse.yes_no("misschien") is None


def test_levels_subjects_kinds_and_dates():
    assert parse.dutch_level("mijn Nederlands is B1") == "B1"
    assert parse.dutch_level("niveau a2") == "A2"
    assert parse.subject("ik heb een diploma wiskunde") == "mathematics"
    assert parse.subject("I was a biology teacher") == "other"
    assert parse.subject("teaching qualification from Iran") == "teaching_qualification"
    assert parse.unpaid_kind("ik wil vrijwilligerswerk doen") == "volunteer"
    assert parse.unpaid_kind("stage of vrijwilligerswerk") is None  # two answers: ask
    assert parse.date("op 1 juli 2025") == dt.date(2025, 7, 1)
    assert parse.date("2026-06-15") == dt.date(2026, 6, 15)
    assert parse.date("July 1, 2025") == dt.date(2025, 7, 1)
    assert parse.date("31-02-2025") is None


@pytest.mark.parametrize("text,language,kind", [
    ("mag ik vrijwilligerswerk doen bij de kerk", "nl", "volunteer"),
    ("can I do an internship at a hospital", "en", "internship"),
    ("ابني بدو يتطوع بالهلال الأحمر", "ar", "volunteer"),
    ("okulum üzerinden staj yapmam lazım", "tr", "internship"),
    ("ኣብ ቤት ትምህርቲ ብወለንታ ክሰርሕ ደልየ", "ti", "volunteer"),
    ("میخوام تو بیمارستان کارآموزی کنم", "fa", "internship"),
    ("хочу волонтерити у притулку для тварин", "uk", "volunteer"),
    ("школа требует пройти стажировку в больнице", "ru", "internship"),
    ("waxaan rabaa inaan tabaruc ka sameeyo masjidka", "so", "volunteer"),
])
def test_the_kind_of_unpaid_work_is_read_in_every_language(text, language, kind):
    """The unpaid-work check asked "volunteer work or an internship?" of users who had said it."""
    assert parse.unpaid_kind(text, language) == kind
