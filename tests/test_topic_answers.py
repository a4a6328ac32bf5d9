"""Information answers for every topic of facts.md sections 1-7: numbers, sources, caveats, and
a first message that fits a phone screen on every channel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml

from actions.answers import ActionAnswerDetails, ActionAnswerTopic, answer_topic, topics
from actions.presentation import MAX_BUTTONS
from actions.texts import translations
from bot.content.rulebook import Rulebook

TODAY = dt.date(2026, 12, 7)  # the day facts.md was last reviewed
CASES = yaml.safe_load((Path(__file__).parent / "data" / "information_cases.yml").read_text(encoding="utf-8"))["cases"]
LANGUAGES = ("nl", "en", "ar", "fa", "ti", "tr", "uk")
# The first message of a reply: at most this many characters in 9 of 10 answers (issue #17).
FIRST_MESSAGE_LIMIT = 700
WHATSAPP_TITLE = 20

# intent -> facts the English answer (first message or details) must contain
KEY_FACTS = {
    "ask_asylum_work": ["6 months", "UWV", "TWV", "18"],
    "ask_24_weeks": ["24 weeks", "no longer applies", "29-11-2023"],
    "ask_work_permit": ["UWV", "2 weeks", "5 weeks", "draft employment contract"],
    "ask_coa_contribution": ["report your income", "COA", "not confirmed"],
    "ask_taxes": ["payroll taxes", "BSN", "non-official"],
    "ask_volunteering": ["volunteer declaration", "UWV", "3 years", "6 months"],
    "ask_internship": ["6 months", "internship plan", "BPV"],
    "ask_dublin": ["no official Dutch source", "IND"],
    "ask_self_employment": ["disagree", "From Ukraine", "client needs a TWV"],
    "ask_proposal_2025": ["03-11-2025", "3 months", "6 months", "12-06-2026"],
    "ask_status_holder_work": ["free to work", "TWV niet vereist"],
    "ask_inburgering": ["municipality", "PIP", "B1 route", "Z route", "education route", "A2"],
    "ask_ukraine_work": ["notifies UWV", "2 working days", "04-03-2027"],
    "ask_employer_subsidy": ["€8.000", "€6.000", "€5.000", "€24.000", "20 hours", "12 months", "closed"],
    "ask_teacher_subsidy": ["€10.000", "Nuffic", "mathematics", "DUS-I"],
    "ask_meedoenbalie": ["COA", "24 hours", "€4 million"],
    "ask_programmes": ["19", "startbanen", "UAF", "childcare", "ESF+", "PTO"],
    "ask_where_to_go": ["088 043 0430", "0800-5151", "112", "VluchtelingenWerk", "municipality"],
}
UNCERTAIN = {
    "ask_asylum_work", "ask_work_permit", "ask_coa_contribution", "ask_taxes", "ask_volunteering",
    "ask_internship", "ask_dublin", "ask_self_employment", "ask_proposal_2025", "ask_status_holder_work",
    "ask_inburgering", "ask_employer_subsidy", "ask_teacher_subsidy",
}


def full_text(answer) -> str:
    return "\n".join([m.text for m in answer.messages] + ([answer.details.text] if answer.details else []))


def test_every_topic_intent_has_key_facts_listed():
    assert set(KEY_FACTS) == {i for i in topics() if i.startswith("ask_")}


@pytest.mark.parametrize("intent", sorted(KEY_FACTS))
def test_english_answer_has_key_facts_and_its_first_message_a_source_with_a_date(intent):
    answer = answer_topic(intent, "en", TODAY)
    for fact in KEY_FACTS[intent]:
        assert fact in full_text(answer), (intent, fact)
    [source_line] = [line for line in answer.text.split("\n") if line.startswith("Source:")]
    assert ("holds since" in source_line or "confirmed on" in source_line)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['intent']}-{c['day']}-{c['language']}")
def test_information_decision_table(case: Dict[str, Any]):
    answer = answer_topic(case["intent"], case["language"], case["day"])
    for text in case.get("first", ()):
        assert text in answer.text, (text, answer.text)
    for text in case.get("not_first", ()):
        assert text not in answer.text, (text, answer.text)
    for text in case.get("details", ()):
        assert answer.details is not None and text in answer.details.text, (text, answer.details)
    if "uncertain" in case:
        assert answer.uncertain is case["uncertain"]


@pytest.mark.parametrize("intent", sorted(KEY_FACTS))
def test_uncertain_answers_say_so_in_a_short_second_message_and_offer_a_person(intent):
    for language, note in (("en", "not fully certain"), ("nl", "niet helemaal zeker")):
        answer = answer_topic(intent, language, TODAY)
        assert answer.uncertain == (intent in UNCERTAIN), intent
        if answer.uncertain:
            assert len(answer.messages) == 2 and note in answer.messages[1].text
            assert len(answer.messages[1].text) <= 250
            assert "/request_human" in {b["payload"] for b in answer.buttons}
        else:
            assert len(answer.messages) == 1 and note not in answer.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_waiting_period_answer_carries_the_june_2026_caveat_in_every_language(language):
    caveat = translations().text("utter_caveat_migration_pact", language).text
    answer = answer_topic("ask_asylum_work", language, TODAY)
    assert caveat in answer.text and "12-06-2026" in answer.text and "6" in answer.text
    before = answer_topic("ask_asylum_work", language, dt.date(2026, 6, 11))
    assert caveat not in before.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rule_past_its_review_date_is_answered_with_last_checked_body_and_link(language):
    """On a test clock past `review_by` (15-01-2027) the answer still comes, with when the rule
    was last checked, who to check with and the official link, in the user's language."""
    late = dt.date(2027, 2, 1)
    answer = answer_topic("ask_asylum_work", language, late)
    expected = translations().text("utter_stale_rule", language).render(
        date="07-12-2026", body="UWV (uwv.nl/werkgevers)", link="uwv.nl",
    )
    assert expected in answer.text, answer.text
    assert "6" in answer.text  # still answered
    on_time = answer_topic("ask_asylum_work", language, TODAY)
    assert "07-12-2026; " not in on_time.text
    assert answer.text.count(expected) == 1  # one note, however many of its rules are overdue


def test_a_stale_rule_without_a_link_names_the_body(tmp_path):
    rules = yaml.safe_load((Path(__file__).parents[1] / "actions" / "rules" / "contacts.yml").read_text(encoding="utf-8"))
    (tmp_path / "contacts.yml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    book = Rulebook.load(tmp_path)
    # contacts.organisations has no url: the note then says only who to check with
    from actions.presentation import stale_notes

    notes = stale_notes([book.get("contacts.organisations", on=dt.date(2027, 7, 1))], "en", dt.date(2027, 7, 1))
    assert notes == ["Last checked on 07-12-2026; check with UWV, IND, COA, VluchtelingenWerk."]


def first_messages(day: dt.date):
    for intent in topics():
        for language in translations().codes:
            yield intent, language, answer_topic(intent, language, day)


@pytest.mark.parametrize("day,wanted", [(TODAY, 1.0), (dt.date(2025, 7, 1), 1.0), (dt.date(2027, 2, 1), 0.85)])
def test_the_first_message_fits_a_phone_screen_in_9_of_10_answers(day, wanted):
    """On a day when many rules are past their review date (2027-02-01) the "last checked" note
    makes some first messages longer: still short enough for WhatsApp, in most answers <= 700."""
    lengths = {(i, lang): len(a.text) for i, lang, a in first_messages(day)}
    within = [key for key, n in lengths.items() if n <= FIRST_MESSAGE_LIMIT]
    share = len(within) / len(lengths)
    short = sum(n <= 500 for n in lengths.values()) / len(lengths)
    print(f"{day}: {len(lengths)} answers, <= 700: {share:.0%}, <= 500: {short:.0%}, longest {max(lengths.values())}")
    assert share >= wanted, sorted(((n, key) for key, n in lengths.items() if n > FIRST_MESSAGE_LIMIT), reverse=True)
    assert max(lengths.values()) <= 1024  # WhatsApp's limit for a message with reply buttons
    # The answer itself (before its caveats and sources): at most about 4 short lines.
    answers = {(i, lang): len(a.text.split("\n")[0]) for i, lang, a in first_messages(day)}
    assert max(answers.values()) <= 500, max(answers.items(), key=lambda item: item[1])


def test_each_source_appears_once_on_the_compact_line():
    for intent, language, answer in first_messages(TODAY):
        line = answer.text.split("\n")[-1]
        if "07-12-2026; " in line:  # a "last checked" note follows the sources
            line = answer.text.split("\n")[-2]
        for rule in answer.rules:
            if rule.source_name in line:
                assert line.count(f"{rule.source_name} (") <= 1 and line.count(f"{rule.source_name},") <= 1, (intent, language, line)
        assert "https://" not in line


def test_buttons_fit_whatsapp_reply_buttons_in_every_language():
    for intent, language, answer in first_messages(TODAY):
        for message in answer.messages + ([answer.details] if answer.details else []):
            assert len(message.buttons) <= MAX_BUTTONS, (intent, language)
            for button in message.buttons:
                assert len(button["title"]) <= WHATSAPP_TITLE, (intent, language, button["title"])


def test_more_details_is_offered_exactly_when_a_topic_has_details():
    for intent, language, answer in first_messages(TODAY):
        offered = "/more_details" in {b["payload"] for b in answer.buttons}
        assert offered == (answer.details is not None), (intent, language)
        if answer.details:
            assert "https://" not in answer.details.text
            assert answer.details.text.count("\n") >= 2  # details, then one line per source


@pytest.mark.parametrize("intent", ["ask_employer_subsidy", "ask_work_permit", "ask_where_to_go"])
def test_details_give_every_source_with_its_whole_link(intent):
    answer = answer_topic(intent, "en", TODAY)
    links = {"ask_work_permit": "uwv.nl/werkgevers/werkvergunning/speciale-voorwaarden-per-categorie/detail/asielzoeker",
             "ask_employer_subsidy": "zoek.officielebekendmakingen.nl/kst-32824-412.html",
             "ask_where_to_go": "nllabourauthority.nl"}
    assert links[intent] in answer.details.text


def test_the_2026_subsidy_answer_never_promises_an_amount_and_2027_has_none():
    for language in LANGUAGES:
        text = answer_topic("ask_employer_subsidy", language, TODAY).text
        assert "2024-2025" in text and "2026" in text
    english = answer_topic("ask_employer_subsidy", "en", TODAY).text
    assert "The amount per person for 2026 differs and is not known here" in english
    assert answer_topic("ask_employer_subsidy", "en", dt.date(2027, 2, 1)).uncertain


@pytest.mark.parametrize(
    "day,expected",
    [
        (dt.date(2024, 8, 1), "The 2024 application period is not open yet: from 02-09-2024"),
        (dt.date(2024, 9, 10), "The 2024 application period is open"),
        (dt.date(2025, 6, 2), "The 2025 application period is open"),
        (dt.date(2025, 10, 1), "The 2025 application period (02-06-2025 up to and including 30-09-2025) is closed"),
        (dt.date(2026, 7, 1), "The 2026 application period is open"),
        (dt.date(2026, 11, 29), "The 2026 application period (01-06-2026 up to and including 30-09-2026) is closed"),
    ],
)
def test_subsidy_window_is_computed_for_the_day_asked(day, expected):
    assert expected in answer_topic("ask_employer_subsidy", "en", day).text


def test_every_topic_renders_in_every_language_on_many_days(project):
    book = Rulebook.load(project / "actions" / "rules")
    for day in (dt.date(2024, 7, 1), dt.date(2025, 7, 1), TODAY, dt.date(2027, 2, 1), dt.date(2027, 12, 1)):
        for intent in topics():
            for language in translations().codes:
                answer = answer_topic(intent, language, day, book)
                for text in [m.text for m in answer.messages] + ([answer.details.text] if answer.details else []):
                    assert "{" not in text, (intent, language, day)


def test_a_topic_without_a_rule_on_the_day_asked_says_so_and_offers_a_person():
    answer = answer_topic("ask_proposal_2025", "en", dt.date(2024, 7, 1))
    assert "no sourced rule" in answer.text and "3 months" not in answer.text
    assert answer.uncertain and answer.buttons[0]["payload"] == "/request_human"


async def test_the_actions_answer_for_the_day_of_their_clock_and_more_details_follows(tracker_for, dispatcher, domain):
    late = ActionAnswerTopic(today=lambda: dt.date(2027, 2, 1))
    events = await late.run(dispatcher, tracker_for("ask_work_permit", "TWV?", slots={"language": "en"}), domain)
    assert "Last checked on 07-12-2026" in dispatcher.messages[0]["text"]
    slots = {e["name"]: e["value"] for e in events}
    assert slots == {"outcome_uncertain": True, "last_topic": "ask_work_permit", "feedback_asked": True}
    details = ActionAnswerDetails(today=lambda: TODAY)
    await details.run(dispatcher, tracker_for("more_details", "more details", slots={"language": "en", "last_topic": "ask_work_permit"}), domain)
    assert "market-rate wage" in dispatcher.messages[-1]["text"]
    await details.run(dispatcher, tracker_for("more_details", "more details", slots={"language": "en"}), domain)
    assert dispatcher.messages[-1]["response"] == "utter_no_more_details"


def test_the_clock_can_be_set_for_a_process(monkeypatch):
    from actions.answers import answer_day

    monkeypatch.setenv("BOT_TODAY", "2027-02-01")
    assert answer_day() == dt.date(2027, 2, 1)
    monkeypatch.setenv("BOT_TODAY", "not a date")
    assert answer_day() == dt.date.today()


@pytest.mark.parametrize("day", [dt.date(2026, 7, 1), TODAY, dt.date(2027, 2, 1), dt.date(2028, 6, 1)])
@pytest.mark.parametrize("people", [1, 2, 5])
def test_the_subsidy_check_never_promises_an_amount_for_2026_or_later(day, people):
    from actions import employer_subsidy

    request = employer_subsidy.SubsidyRequest(people, "status_holder", 32, 12, True, 1)
    outcome = employer_subsidy.check(request, Rulebook.load(), day)
    for language in LANGUAGES:
        headline = translations().text(outcome.headline.key, language).render(
            **{k: str(v) for k, v in outcome.headline.values.items()}
        )
        assert "€" not in headline, (day, language, headline)
