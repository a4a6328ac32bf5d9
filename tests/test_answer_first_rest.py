"""Answer first (issue 17) end to end, through the REST channel of a running assistant, in every
language: the issue's examples get an answer in the first reply, no question about what the user
said, and a request for a person that names a topic gets the offer of a person, with the topic in
the ticket. Here the classifier chooses the intent (tests/test_answer_first.py gives it)."""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from actions import texts
from tests.conftest import HELPDESK_AGENT_TOKEN

pytestmark = pytest.mark.server

DATA = Path(__file__).parent / "data"
CASES = yaml.safe_load((DATA / "answer_first_cases.yml").read_text(encoding="utf-8"))["cases"]
REQUESTS = yaml.safe_load((DATA / "person_requests.yml").read_text(encoding="utf-8"))
# What each group of examples must show: a fact of the answer in the reply (the general answer
# says it too, so either intent the classifier may choose is right), and no button that asks a
# fact the user gave. Where the fact decides (4 months, 12 hours), the specific verdict itself.
SHOWS = {
    "utter_employer_verdict_notification": (["UWV"], "person_status", False),
    "utter_work_verdict_yes_free": (["TWV"], "person_status", False),
    "utter_work_verdict_not_yet": (["6"], "months_in_procedure", True),
    "utter_sowis_reason_hours": (["20"], "sowis_hours", True),
}


def new_user() -> str:
    return f"af-{uuid.uuid4().hex[:10]}"


def payloads(reply: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for m in reply for b in m.get("buttons") or ()]


def answered(case: Dict[str, Any]) -> bool:
    return not case.get("asks")


@pytest.mark.parametrize("case", [c for c in CASES if answered(c)],
                         ids=[f"{c['language']}-{i}" for i, c in enumerate(c for c in CASES if answered(c))])
def test_the_first_reply_answers_over_rest(assistant, case):
    reply = assistant.say(new_user(), case["say"])
    text = "\n".join(m.get("text") or "" for m in reply)
    must, not_asked, specific = SHOWS.get(case.get("expect"), (case.get("contains") or [], "sowis_people", False))
    if specific:
        must = must + [texts.render(case["expect"], case["language"], **(case.get("values") or {}))]
    for part in must:
        assert part in text, (case["language"], case["say"], text[:400])
    assert not any(f'"{not_asked}"' in p for p in payloads(reply)), (case["say"], payloads(reply))
    # the source line in the user's language, with its date (actions/presentation.py)
    source = texts.render("utter_sources", case["language"], sources="").strip()
    assert source in text and any(d in text for d in ("2023", "2024", "2025", "2026")), text[-300:]


@pytest.mark.parametrize("language", sorted(REQUESTS))
def test_a_request_for_a_person_with_a_topic_gets_a_person_and_the_ticket_names_the_topic(assistant, language):
    for case in REQUESTS[language]:
        user = new_user()
        offer = assistant.say(user, case["say"])
        assert {"/affirm", "/deny"} <= set(payloads(offer)), (language, case["say"], offer[:1])
        assistant.say(user, "/affirm")
        tickets = _tickets(assistant)
        ticket = next(t for t in tickets if t["conversation_id"] == user)
        if case["topic"]:
            assert ticket["topic"].startswith(("ask_", "check_")), (case["say"], ticket["topic"])


def _tickets(assistant) -> List[Dict[str, Any]]:
    request = urllib.request.Request(f"{assistant.settings.web_url}/api/tickets",
                                     headers={"Authorization": f"Bearer {HELPDESK_AGENT_TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())["tickets"]
