"""The checks' form actions, called as the action server calls them."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker

from actions.check_outcomes import OUTCOMES, ActionStopCheck
from actions.check_questions import ASK_ACTIONS
from actions.check_validation import VALIDATIONS

ValidateWorkPermissionForm, ValidateEmployerNeedsForm, ValidateUnpaidWorkForm, ValidateEmployerSubsidyForm, \
    ValidateTeacherSubsidyForm = (VALIDATIONS[name] for name in (
        "work_permission", "employer_needs", "unpaid_work", "employer_subsidy", "teacher_subsidy"))
ActionWorkPermissionOutcome, ActionEmployerSubsidyOutcome = OUTCOMES["work_permission"], OUTCOMES["employer_subsidy"]
ActionAskTeacherContract = ASK_ACTIONS["action_ask_teacher_subsidy_form_teacher_contract"]


def tracker(text: str, slots: Dict[str, Any] = None, intent: str = "check_work_permission", entities: List[dict] = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    return Tracker("u", dict(slots or {}), latest, [], False, None, {"name": None}, "action_listen")


def slot_events(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_one_message_fills_status_and_months_and_asks_nothing(dispatcher, domain):
    events = await ValidateWorkPermissionForm().run(
        dispatcher, tracker("I have been in the procedure for 8 months and found an employer, what now?"), domain
    )
    assert slot_events(events) == {"person_status": "asylum_seeker", "months_in_procedure": 8.0, "requested_slot": None}


async def test_a_status_holder_is_not_asked_for_months(dispatcher, domain):
    events = await ValidateWorkPermissionForm().run(dispatcher, tracker("ik ben statushouder, mag ik werken?"), domain)
    assert slot_events(events) == {"person_status": "status_holder", "requested_slot": None}


async def test_a_question_is_answered_and_a_check_asks_only_the_missing_answer(dispatcher, domain):
    events = await ValidateWorkPermissionForm().run(dispatcher, tracker("mag ik werken als asielzoeker?"), domain)
    assert slot_events(events) == {"person_status": "asylum_seeker", "requested_slot": None}
    events = await ValidateWorkPermissionForm().run(dispatcher, tracker("kun je checken of ik als asielzoeker mag werken?"), domain)
    assert slot_events(events) == {"person_status": "asylum_seeker", "check_requested": True, "requested_slot": "months_in_procedure"}


async def test_a_button_answer_and_a_persian_digit(dispatcher, domain):
    button = tracker('/check_work_permission{"person_status":"asylum_seeker"}',
                     {"requested_slot": "person_status"}, entities=[{"entity": "person_status", "value": "asylum_seeker"}])
    assert slot_events(await ValidateWorkPermissionForm().run(dispatcher, button, domain))["person_status"] == "asylum_seeker"
    digit = tracker("۸", {"requested_slot": "months_in_procedure", "person_status": "asylum_seeker"}, intent="nlu_fallback")
    assert slot_events(await ValidateWorkPermissionForm().run(dispatcher, digit, domain))["months_in_procedure"] == 8.0


async def test_an_answer_can_be_changed_while_another_is_asked(dispatcher, domain):
    slots = {"requested_slot": "sowis_contract_months", "sowis_people": 1, "sowis_employee": "status_holder", "sowis_hours": 16}
    events = await ValidateEmployerSubsidyForm().run(dispatcher, tracker("sorry, 24 uur", slots, intent="inform"), domain)
    changed = slot_events(events)
    assert changed["sowis_hours"] == 24 and "sowis_contract_months" not in changed
    assert changed["requested_slot"] == "sowis_contract_months"


async def test_nonsense_fills_nothing_so_the_form_can_hand_over(dispatcher, domain):
    events = await ValidateWorkPermissionForm().run(dispatcher, tracker("stop", {"requested_slot": "person_status"}, intent="stop"), domain)
    assert {k for k in slot_events(events)} <= {"requested_slot", "check_requested"}


async def test_an_impossible_number_is_asked_again(dispatcher, domain):
    slots = {"requested_slot": "sowis_hours", "sowis_people": 1, "sowis_employee": "status_holder"}
    events = await ValidateEmployerSubsidyForm().run(dispatcher, tracker("500", slots, intent="inform"), domain)
    assert slot_events(events)["sowis_hours"] is None
    assert "getal" in dispatcher.messages[0]["text"]


async def test_a_decisive_no_stops_the_questions(dispatcher, domain):
    events = await ValidateEmployerSubsidyForm().run(dispatcher, tracker("ik wil subsidie voor 1 asielzoeker", intent="check_employer_subsidy"), domain)
    assert slot_events(events) == {"sowis_people": 1, "sowis_employee": "asylum_seeker", "requested_slot": None}
    events = await ValidateTeacherSubsidyForm().run(dispatcher, tracker("I was a biology teacher, I am a status holder", intent="check_teacher_subsidy"), domain)
    assert slot_events(events) == {"teacher_status": "status_holder", "teacher_subject": "other", "requested_slot": None}


async def test_the_internship_plan_is_a_condition_of_the_answer_not_a_question(dispatcher, domain):
    """Answer first: past the waiting period the answer is "yes, if there is an internship plan";
    the plan is not asked before it (round 2 of the blind set: asked in four languages)."""
    for text in ("stage, ik zit 3 maanden in het azc", "check het: stage, ik zit 9 maanden in het azc",
                 "stage, ik zit 9 maanden in het azc"):
        events = await ValidateUnpaidWorkForm().run(dispatcher, tracker(text, intent="check_unpaid_work"), domain)
        assert slot_events(events)["requested_slot"] is None, text
    answered = await ValidateUnpaidWorkForm().run(dispatcher, tracker("mag ik stage lopen?", intent="check_unpaid_work"), domain)
    assert slot_events(answered)["requested_slot"] == "person_status"  # the fact that decides, with why


async def test_outcome_shows_verdict_reasons_next_step_contact_answers_and_sources(dispatcher, domain):
    slots = {"language": "en", "person_status": "asylum_seeker", "months_in_procedure": 8.0}
    events = await ActionWorkPermissionOutcome().run(dispatcher, tracker("", slots), domain)
    first, rest = (m["text"] for m in dispatcher.messages)  # a phone-sized first message, then the rest
    assert len(first) <= 700 and "Source: UWV" in first and "Next step:" not in first
    text = first + "\n" + rest
    assert text.startswith("Yes, you may work")
    for part in ("6 months", "Next step:", "Contact: UWV", "Your answers: asylum seeker in the procedure · 8 months", "Source: UWV"):
        assert part in text
    # Since 12 June 2026 every answer that says "6 months" adds the EU Migration Pact caveat.
    assert "EU Migration Pact" in text
    assert slot_events(events) == {"outcome_uncertain": True, "check_requested": None}


async def test_an_uncertain_outcome_says_so_offers_a_person_and_sets_the_slot(dispatcher, domain):
    slots = {"language": "nl", "person_status": "dublin"}
    events = await ActionWorkPermissionOutcome().run(dispatcher, tracker("", slots), domain)
    message = dispatcher.messages[-1]
    assert "niet helemaal zeker" in message["text"]
    assert "/request_human" in [b["payload"] for b in message["buttons"]]
    assert slot_events(events) == {"outcome_uncertain": True, "check_requested": None}


async def test_subsidy_outcome_for_a_date_the_user_named(dispatcher, domain):
    slots = {"language": "en", "sowis_people": 2, "sowis_employee": "status_holder", "sowis_hours": 32.0,
             "sowis_contract_months": 12.0, "sowis_activity_plan": True, "sowis_months_in_service": 1.0,
             "check_date": "2025-07-01"}
    await ActionEmployerSubsidyOutcome().run(dispatcher, tracker("", slots), domain)
    text = "\n".join(m["text"] for m in dispatcher.messages)
    assert "Yes, you qualify: €14.000 for 2 status holder(s)" in text
    assert "apply to UVB before 30-09-2025" in text and "date 01-07-2025" in text


async def test_the_contract_question_uses_the_rule_values(dispatcher, domain):
    await ActionAskTeacherContract().run(dispatcher, tracker("", {"language": "en"}), domain)
    assert "0,2 FTE" in dispatcher.messages[0]["text"] and "6-month" in dispatcher.messages[0]["text"]


async def test_stop_ends_the_form(dispatcher, domain):
    events = await ActionStopCheck().run(dispatcher, tracker("stop", {"language": "en"}), domain)
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert dispatcher.messages[0]["response"] == "utter_check_stopped"


async def test_the_first_question_of_a_check_already_gives_the_rule(dispatcher, domain):
    ActionAskTeacherStatus = ASK_ACTIONS["action_ask_teacher_subsidy_form_teacher_status"]
    ActionAskSowisPeople = ASK_ACTIONS["action_ask_employer_subsidy_form_sowis_people"]
    ActionAskMonthsInProcedure = ASK_ACTIONS["action_ask_months_in_procedure"]

    await ActionAskTeacherStatus().run(dispatcher, tracker("", {"language": "en"}), domain)
    await ActionAskSowisPeople().run(dispatcher, tracker("", {"language": "nl"}), domain)
    await ActionAskMonthsInProcedure().run(dispatcher, tracker("", {"language": "en"}), domain)
    teacher, sowis, months = (m["text"] for m in dispatcher.messages)
    assert "€10.000" in teacher and "Nuffic" in teacher
    assert "20 uur" in sowis and "12 maanden" in sowis
    assert "6 months" in months and "TWV" in months
    assert '/check_teacher_subsidy{"teacher_status":"status_holder"}' in [b["payload"] for b in dispatcher.messages[0]["buttons"]]


async def test_the_validations_answer_the_same_without_the_domain_rasa_no_longer_sends():
    """No action call carries the domain (600 KB as JSON); the validations read their forms from
    domain/ and answer exactly as with the domain Rasa would send."""
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa_sdk.executor import CollectingDispatcher

    trained = Domain.load(str(Path(__file__).resolve().parent.parent / "domain"))
    assert [a for a in trained.user_actions if trained.does_custom_action_explicitly_need_domain(a)] == []
    sent = trained.as_dict()
    cases = [
        (ValidateWorkPermissionForm(), "mag ik werken als asielzoeker?", {}),
        (ValidateWorkPermissionForm(), "I have been in the procedure for 8 months", {}),
        (ValidateEmployerNeedsForm(), "ik wil een vluchteling aannemen", {}),
        (ValidateUnpaidWorkForm(), "stage, ik zit 3 maanden in het azc", {}),
        (ValidateEmployerSubsidyForm(), "sorry, 24 uur", {"sowis_people": 1, "requested_slot": "sowis_hours"}),
        (ValidateTeacherSubsidyForm(), "I was a biology teacher, I am a status holder", {}),
    ]
    for form, text, slots in cases:
        without, with_domain = CollectingDispatcher(), CollectingDispatcher()
        events = await form.run(without, tracker(text, slots), {})
        assert events == await form.run(with_domain, tracker(text, slots), sent), (form.name(), text)
        assert without.messages == with_domain.messages
        assert any(e.get("name") == "requested_slot" for e in events) or events, (form.name(), text)


def said(text: str, language: str = "en") -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "x"}, "entities": [{"entity": "language", "value": language}]}}


async def test_a_status_said_earlier_in_the_conversation_is_not_asked_again(dispatcher, domain):
    """"I'm from Ukraine", then "what must my new boss do?": the employee is the user, from
    Ukraine (round 3 of the blind set asked it in English, Dutch and Tigrinya)."""
    latest = "my new boss asked what he must do before I start in his warehouse"
    events = [said("hi"), said("I'm from Ukraine, living in Utrecht with my daughter"), said(latest)]
    conversation = Tracker("u", {"language": "en"}, {"text": latest, "intent": {"name": "check_employer_needs", "confidence": 1.0},
                                                     "entities": []}, events, False, None, {"name": None}, "action_listen")
    found = slot_events(await ValidateEmployerNeedsForm().run(dispatcher, conversation, domain))
    assert found["person_status"] == "ukraine" and found["requested_slot"] is None
    # after a restart, what was said before no longer counts: the status is asked, with the rule
    restarted = Tracker("u", {"language": "en"}, conversation.latest_message, [events[1], {"event": "restart"}, events[2]],
                        False, None, {"name": None}, "action_listen")
    found = slot_events(await ValidateEmployerNeedsForm().run(dispatcher, restarted, domain))
    assert found["requested_slot"] == "person_status"
    overview = dispatcher.messages[-1]["text"]
    assert all(part in overview for part in ("Status holder", "From Ukraine", "Asylum seeker", "TWV", "UWV")), overview


async def test_volunteer_work_said_before_is_not_asked_again(dispatcher, domain):
    latest = "i am in azc only 3 months"
    events = [said("can i do volunteer work?"), said(latest)]
    conversation = Tracker("u", {"language": "en"}, {"text": latest, "intent": {"name": "check_unpaid_work", "confidence": 1.0},
                                                     "entities": []}, events, False, None, {"name": None}, "action_listen")
    found = slot_events(await ValidateUnpaidWorkForm().run(dispatcher, conversation, domain))
    assert found["unpaid_kind"] == "volunteer" and found["requested_slot"] is None


async def test_a_teacher_check_that_skips_the_status_question_still_says_the_amount_first(dispatcher, domain):
    """The status question says what a school gets; a school that named the status and subject
    went straight to "valued by Nuffic?" and never heard the amount (round 1 of the blind set)."""
    text = "we are a secondary school, a maths teacher with a residence permit applied, is there money to train him?"
    events = await ValidateTeacherSubsidyForm().run(dispatcher, tracker(text, {"language": "en"}, intent="check_teacher_subsidy"), domain)
    asked = slot_events(events)["requested_slot"]
    assert asked not in (None, "teacher_status")
    assert any("10.000" in m.get("text", "") and "Nuffic" in m.get("text", "") for m in dispatcher.messages), dispatcher.messages
