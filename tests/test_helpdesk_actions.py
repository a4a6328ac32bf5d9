"""The handoff actions: the offer says what is shared, a ticket opens with what the user hears,
and the helpdesk being unreachable ends in contact options, never in silence."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from aiohttp import web
from rasa_sdk import Tracker

from actions.handoff import ActionHandoff, ActionOfferHandoff


def tracker(intent: str, language: str = "en", slots: Dict[str, Any] = None, paused: bool = False,
            text: str = "/affirm", confidence: float = 1.0) -> Tracker:
    events: List[Dict[str, Any]] = [
        {"event": "user", "text": "May I work?", "timestamp": 10.0, "parse_data": {"intent": {"name": "ask_asylum_work"}}},
        {"event": "bot", "text": "Yes, after 6 months.", "timestamp": 11.0},
        {"event": "user", "text": text, "timestamp": 12.0, "parse_data": {"intent": {"name": intent, "confidence": confidence}},
         "input_channel": "telegram"},
    ]
    return Tracker(
        "someone",
        {"language": language, **(slots or {})},
        {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []},
        events,
        paused,
        None,
        {},
        "action_listen",
    )


@pytest.fixture
async def helpdesk_app(aiohttp_server, monkeypatch):
    received: List[dict] = []
    answer: Dict[str, Any] = {"office_open": True, "next_opening": None}

    async def handoffs(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer secret"
        received.append(await request.json())
        return web.json_response({"ticket_id": 7, **answer}, status=201)

    app = web.Application()
    app.router.add_post("/internal/helpdesk/handoffs", handoffs)
    server = await aiohttp_server(app)
    monkeypatch.setenv("HELPDESK_URL", str(server.make_url("")))
    monkeypatch.setenv("HELPDESK_SERVICE_TOKEN", "secret")
    return received, answer


@pytest.mark.parametrize(
    "intent,slots,reason",
    [
        ("request_human", {}, "request_human"),
        ("request_human", {"outcome_uncertain": True}, "uncertain_rule"),
        ("nlu_fallback", {}, "repeated_fallback"),
        ("report_exploitation", {}, "exploitation"),
        ("report_danger", {}, "danger"),
    ],
)
async def test_the_offer_names_what_is_shared_and_remembers_why(dispatcher, domain, intent, slots, reason):
    events = await ActionOfferHandoff().run(dispatcher, tracker(intent, "nl", slots), domain)
    [message] = dispatcher.messages
    assert "uw taal (Nederlands)" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/handoff_share_all", "/deny"]
    assert events == [{"event": "slot", "timestamp": None, "name": "handoff_reason", "value": reason}]


async def test_consent_opens_a_ticket_and_pauses(dispatcher, domain, helpdesk_app):
    received, _ = helpdesk_app
    events = await ActionHandoff().run(dispatcher, tracker("affirm", slots={"handoff_reason": "exploitation"}), domain)
    [body] = received
    assert body["conversation_id"] == "someone" and body["channel"] == "telegram" and body["language"] == "en"
    assert body["topic"] == "ask_asylum_work" and body["reason"] == "exploitation"
    assert body["shared"] is False and body["handoff_after"] == 12.0
    assert [m["text"] for m in body["transcript"]] == ["May I work?", "Yes, after 6 months.", "/affirm"]
    assert dispatcher.messages[0]["response"] == "utter_handoff_started"
    assert {"event": "pause", "timestamp": None} in events


async def test_an_unsure_yes_gets_the_offer_again_and_opens_no_ticket(dispatcher, domain, helpdesk_app):
    received, _ = helpdesk_app
    unsure = tracker("affirm", slots={"handoff_reason": "repeated_fallback"}, text='"; DROP TABLE events; --', confidence=0.47)
    events = await ActionHandoff().run(dispatcher, unsure, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "action_offer_handoff"}]
    assert received == [] and dispatcher.messages == []
    offer_events = await ActionOfferHandoff().run(dispatcher, unsure, domain)
    assert {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": "repeated_fallback"} in offer_events
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/handoff_share_all", "/deny"]


@pytest.mark.parametrize("text, confidence", [("ja", 0.89), ("اي", 0.65), ("/affirm", 1.0)])
async def test_a_clear_yes_opens_a_ticket(dispatcher, domain, helpdesk_app, text, confidence):
    received, _ = helpdesk_app
    events = await ActionHandoff().run(dispatcher, tracker("affirm", text=text, confidence=confidence), domain)
    assert len(received) == 1 and {"event": "pause", "timestamp": None} in events


async def test_outside_office_hours_the_user_hears_when_to_expect_an_answer(dispatcher, domain, helpdesk_app):
    _, answer = helpdesk_app
    answer.update(office_open=False, next_opening="2026-11-30T09:00:00+01:00")
    await ActionHandoff().run(dispatcher, tracker("handoff_share_all", "nl"), domain)
    assert "vanaf 30-11-2026 09:00" in dispatcher.messages[0]["text"]
    assert helpdesk_app[0][0]["shared"] is True


async def test_an_unreachable_helpdesk_gives_contact_options_and_no_pause(dispatcher, domain, monkeypatch):
    monkeypatch.setenv("HELPDESK_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("HELPDESK_SERVICE_TOKEN", "secret")
    events = await ActionHandoff().run(dispatcher, tracker("affirm"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_failed", "utter_human_contacts"]
    assert not any(e["event"] == "pause" for e in events)


@pytest.mark.parametrize("paused", [True, False])
async def test_a_new_session_keeps_the_slots_and_a_handoffs_pause(dispatcher, domain, paused):
    from actions.handoff import ActionSessionStart

    state = tracker("affirm", "nl", {"outcome_uncertain": None}, paused)
    events = await ActionSessionStart().run(dispatcher, state, {})  # Rasa sends no domain with it
    kinds = [e["event"] for e in events]
    assert kinds[0] == "session_started" and kinds[-1] == "action"
    assert {"event": "slot", "timestamp": None, "name": "language", "value": "nl"} in events
    assert not any(e.get("name") == "outcome_uncertain" for e in events)
    assert ("pause" in kinds) is paused


@pytest.mark.parametrize("setting, expected", [("true", True), ("false", False), (None, True)])
def test_a_new_session_carries_the_slots_over_as_the_domain_files_say(tmp_path, setting, expected):
    from actions.domain_files import DOMAIN_DIRECTORY, carry_over_slots_to_new_session

    (tmp_path / "a.yml").write_text("responses: {}\n", encoding="utf-8")
    if setting is not None:
        (tmp_path / "b.yml").write_text(
            f"session_config:\n  session_expiration_time: 60\n  carry_over_slots_to_new_session: {setting}\n",
            encoding="utf-8",
        )
    assert carry_over_slots_to_new_session(tmp_path) is expected
    assert carry_over_slots_to_new_session(DOMAIN_DIRECTORY) is True  # the project's domain/_shared.yml


async def test_a_very_long_answer_does_not_stop_the_handoff(dispatcher, domain, helpdesk_app):
    from actions.handoff import TEXT_LIMIT

    state = tracker("affirm")
    state.events.insert(0, {"event": "bot", "text": "x" * (TEXT_LIMIT + 500), "timestamp": 1.0})
    await ActionHandoff().run(dispatcher, state, domain)
    assert len(helpdesk_app[0][0]["transcript"][0]["text"]) == TEXT_LIMIT
