"""The blind-set runner (`python -m bot blind`): how a reply is judged, the report, and a run of a
tiny sample set (tests/data/blind_sample.yml, not a blind set) through a running assistant."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tools.blind import Case, judge, load_cases, report, run_cases, unknown_facts
from bot.tools.evaluation import RestClient

SAMPLE = Path(__file__).parent / "data" / "blind_sample.yml"
CASE = Case("nl-01", "nl", "one-shot", ("ik zit 4 maanden in het azc mag ik al werken",),
            facts=(("6",), ("TWV", "UWV")), person=False, no_question_about=("months", "status"))
ANSWER = {"text": "Nog niet. U mag werken als uw asielaanvraag 6 maanden loopt. Uw werkgever vraagt een TWV aan bij UWV."}


def dutch(text):
    return "nl"


def test_a_right_answer_in_the_language_of_the_case_is_correct():
    assert judge(CASE, [ANSWER], None, dutch).correct


def test_every_fact_group_needs_one_alternative_in_the_last_reply():
    verdict = judge(CASE, [{"text": "U mag werken na 6 maanden."}], None, dutch)
    assert verdict.problems == ["missing one of ['TWV', 'UWV']"]


def test_a_question_about_a_fact_the_user_gave_is_wrong_by_slot_or_by_button():
    assert judge(CASE, [ANSWER], "months_in_procedure", dutch).problems == ["asks for months"]
    buttons = [{**ANSWER, "buttons": [{"title": "Asielzoeker", "payload": '/check_work_permission{"person_status":"asylum_seeker"}'}]}]
    assert judge(CASE, buttons, None, dutch).problems == ["asks for status"]


def test_a_person_must_be_offered_when_expected():
    asks = Case("en-2", "en", "person", ("talk to a person",), person=True)
    offer = [{"text": "A person can read this conversation. OK?", "buttons": [{"payload": "/affirm"}, {"payload": "/deny"}]}]
    assert judge(asks, offer, None, lambda text: "en").correct
    assert judge(asks, [{"text": "The TWV is requested by the employer."}], None, lambda text: "en").problems == ["no person offered"]


def test_a_reply_in_another_language_is_wrong():
    assert judge(CASE, [ANSWER], None, lambda text: "en").problems == ["reply in en, not nl"]


def test_the_sample_set_loads_and_names_only_known_facts():
    cases = load_cases_from(SAMPLE)
    assert [c.id for c in cases] == ["en-s1", "en-s2", "en-s3"] and all(c.language == "en" for c in cases)
    assert cases[2].say == ("can you check whether I may work?", "asylum seeker, 8 months")
    assert unknown_facts(cases) == []
    assert unknown_facts([Case("x", "en", "", ("hi",), no_question_about=("shoe size",))]) == ["shoe size"]


def load_cases_from(path: Path):
    """load_cases reads a folder of answers_<lang>.yml; the sample is one such file."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(path, Path(folder) / "answers_en.yml")
        return load_cases(Path(folder))


def test_the_report_gives_each_language_and_all():
    verdicts = [judge(CASE, [ANSWER], None, dutch), judge(CASE, [ANSWER], "months_in_procedure", dutch)]
    lines = report(verdicts).splitlines()
    assert lines[0].split() == ["language", "cases", "correct", "%", "correct"]
    assert lines[1].split() == ["nl", "2", "1", "50.0%"]
    assert lines[2].split() == ["ALL", "2", "1", "50.0%"]


@pytest.mark.server
def test_the_sample_set_through_a_running_assistant(assistant, project):
    from bot.nlu.language_id import LanguageIdentifier

    token = assistant.stack.service("rasa server").env["RASA_API_TOKEN"]
    client = RestClient(assistant.settings.rasa_url, token)
    verdicts = run_cases(client, load_cases_from(SAMPLE), LanguageIdentifier.from_project(project).detect)
    assert [v.problems for v in verdicts] == [[], [], []], [(v.case.id, v.text[:200]) for v in verdicts]
    assert report(verdicts).splitlines()[-1].split() == ["ALL", "3", "3", "100.0%"]
