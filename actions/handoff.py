"""Handing a conversation to a person at the helpdesk.

`action_offer_handoff` says what will be shared (the conversation, the language, the channel)
and asks for consent; `action_handoff` (after "yes") opens a ticket in the helpdesk web app and
pauses the assistant for this conversation. Without consent the user gets contact options
(rules in data/rules/handoff.yml).

The domain must have the slot `handoff_reason` and the responses `utter_handoff_offer`,
`utter_handoff_started`, `utter_handoff_started_later`, `utter_handoff_failed` and
`utter_human_contacts`. The helpdesk's address and token come from the environment of the
action server at run time: `HELPDESK_URL`, `HELPDESK_SERVICE_TOKEN` (`python -m bot run` sets both).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any, Dict, List, Optional, Text

import aiohttp
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, ConversationPaused, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.answers import answer_topic, topics
from actions.domain_files import DOMAIN_DIRECTORY, carry_over_slots_to_new_session
from actions.language import starting_language
from bot.helpdesk.dutch import facts_of

logger = logging.getLogger(__name__)

REASONS = {
    "request_human": "request_human",
    "nlu_fallback": "repeated_fallback",
    "report_exploitation": "exploitation",
    "report_danger": "danger",
}
UNCERTAIN_SLOT = "outcome_uncertain"
# A typed "yes" to the offer of a person hands the conversation over (and shows it to a person)
# only when the classifier is this sure of it; otherwise the offer is made again, with buttons.
# Plain yes words in the nine languages score 0.65-0.99; a stray string once got 0.47, and since
# the Somali data ("haa") what is left of a text of lone surrogates ("aaaaa", "éaa") up to 0.63.
CLEAR_CONSENT = 0.65
TRANSCRIPT_LIMIT = 100
TEXT_LIMIT = 4000  # what the helpdesk takes per message
TIMEOUT_SECONDS = 10


def handoff_reason(tracker: Tracker) -> str:
    """Why the user is offered a person."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if tracker.get_slot(UNCERTAIN_SLOT) is True and intent == "request_human":
        return "uncertain_rule"
    if intent == "affirm" and tracker.get_slot("handoff_reason"):
        return tracker.get_slot("handoff_reason")  # the offer made again (ActionHandoff)
    return REASONS.get(intent, "request_human")


def unclear_consent(tracker: Tracker) -> bool:
    """Is the latest message a "yes" the classifier is not sure enough of (`CLEAR_CONSENT`)?"""
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name") == "affirm" and float(intent.get("confidence") or 0.0) < CLEAR_CONSENT


NOT_FACTS = frozenset({"language", "requested_slot", "handoff_reason", UNCERTAIN_SLOT})


def _user_entry(event: Dict[str, Any]) -> Dict[str, Any]:
    parse = event.get("parse_data") or {}
    return {"intent": (parse.get("intent") or {}).get("name"), "facts": facts_of(parse)}


def _bot_entry(
    event: Dict[str, Any], asked: Optional[str], answered_by: Optional[str], language: Optional[str]
) -> Dict[str, Any]:
    """The response a bot message came from; for an information answer, its Dutch text (also when
    a check answered the question with the topic's answer: answer first)."""
    entry: Dict[str, Any] = {}
    response = (event.get("metadata") or {}).get("utter_action")
    if response:
        entry["response"] = response
    elif answered_by and asked in topics() and (
        answered_by == "action_answer_topic" or answered_by.endswith("_outcome")
    ):
        day = dt.date.fromtimestamp(event.get("timestamp") or dt.datetime.now().timestamp())
        answer = answer_topic(asked, language, day)
        if answer is not None and answer.text == event.get("text"):
            entry["dutch"] = answer_topic(asked, texts.translations().default, day).text[:TEXT_LIMIT]
    return entry


def transcript(tracker: Tracker) -> List[Dict[str, Any]]:
    """What the user and the assistant wrote, oldest first (the last TRANSCRIPT_LIMIT messages),
    with what the helpdesk needs for its Dutch column: a user message's intent and the facts
    taken from it (its entities and the slots set in answer to it), a bot message's response."""
    said: List[Dict[str, Any]] = []
    last_user: Optional[Dict[str, Any]] = None
    asked: Optional[str] = None
    action: Optional[str] = None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "action":
            action = event.get("name")
        elif kind == "slot" and last_user is not None and event.get("name") not in NOT_FACTS:
            if isinstance(event.get("value"), (str, int, float, bool)):
                last_user["facts"][event["name"]] = event["value"]
        if kind not in ("user", "bot") or not (event.get("text") or "").strip():
            continue
        entry = {"author": "user" if kind == "user" else "bot", "text": event["text"][:TEXT_LIMIT], "at": event.get("timestamp") or 0}
        if kind == "user":
            entry.update(_user_entry(event))
            last_user, asked, action = entry, entry["intent"], None
        else:
            entry.update(_bot_entry(event, asked, action, tracker.get_slot("language")))
        said.append(entry)
    return said[-TRANSCRIPT_LIMIT:]


TOPIC_ENTITY = "handoff_topic"  # the topic a request for a person named (bot/nlu/person_request.py)


def topic(tracker: Tracker, fallback: str) -> str:
    """The topic a request for a person named, else the last information topic the user asked
    about, or `fallback`."""
    known = topics()
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        parsed = event.get("parse_data") or {}
        named = next((e.get("value") for e in parsed.get("entities") or () if e.get("entity") == TOPIC_ENTITY), None)
        if named:
            return str(named)
        name = (parsed.get("intent") or {}).get("name")
        if name in known:
            return name
    return fallback


def format_opening(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).strftime("%d-%m-%Y %H:%M")


class ActionOfferHandoff(Action):
    """Says what a person at the helpdesk will see and asks whether that is all right; ends a
    check (form) that is going on."""

    def name(self) -> Text:
        return "action_offer_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = tracker.get_slot("language")
        known = texts.translations().languages.get(language or "")
        dispatcher.utter_message(
            text=texts.render(
                "utter_handoff_offer",
                language,
                language_name=known.name if known else (language or "?"),
            ),
            buttons=texts.buttons("utter_handoff_offer", language),
        )
        events: List[Dict[Text, Any]] = [SlotSet("handoff_reason", handoff_reason(tracker))]
        if tracker.active_loop_name:
            # Asking for a person ends a check (form): otherwise the form would ask its next
            # question at once and take the user's "yes" as the answer to it.
            events += [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("check_requested", None)]
        return events


class ActionHandoff(Action):
    """Opens a ticket (stored before anything is sent) and pauses the assistant."""

    def name(self) -> Text:
        return "action_handoff"

    async def open_ticket(self, body: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        url = os.environ.get("HELPDESK_URL")
        token = os.environ.get("HELPDESK_SERVICE_TOKEN")
        if not url or not token:
            logger.error("HELPDESK_URL or HELPDESK_SERVICE_TOKEN is not set; cannot hand over")
            return None
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as session:
                async with session.post(
                    url.rstrip("/") + "/internal/helpdesk/handoffs",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                ) as reply:
                    if reply.status == 201:
                        return await reply.json()
                    logger.error("The helpdesk refused a handoff: %s %s", reply.status, await reply.text())
        except (aiohttp.ClientError, OSError, TimeoutError) as problem:
            logger.error("The helpdesk cannot be reached: %r", problem)
        return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if unclear_consent(tracker):
            return [FollowupAction("action_offer_handoff")]
        language = tracker.get_slot("language") or texts.translations().default
        reason = tracker.get_slot("handoff_reason") or "request_human"
        said = transcript(tracker)
        body = {
            "conversation_id": tracker.sender_id,
            "channel": tracker.get_latest_input_channel() or "unknown",
            "language": language,
            "topic": topic(tracker, reason),
            "reason": reason,
            "shared": (tracker.latest_message.get("intent") or {}).get("name") == "handoff_share_all",
            "handoff_after": max([m["at"] for m in said if m["author"] == "user"] or [0]),
            "transcript": said,
        }
        opened = await self.open_ticket(body)
        if opened is None:
            dispatcher.utter_message(response="utter_handoff_failed")
            dispatcher.utter_message(response="utter_human_contacts")
            return [SlotSet("handoff_reason", None)]
        if opened.get("office_open", True) or not opened.get("next_opening"):
            dispatcher.utter_message(response="utter_handoff_started")
        else:
            dispatcher.utter_message(
                text=texts.render("utter_handoff_started_later", language, opening=format_opening(opened["next_opening"]))
            )
        # action_listen after the pause: the conversation waits for the user as after any answer,
        # so that a message Rasa still handles while paused (the restart intent) follows the
        # rules (restart → action_restart) instead of falling back and handing over again.
        return [SlotSet("handoff_reason", None), ConversationPaused(), ActionExecuted("action_listen")]


class ActionSessionStart(Action):
    """Starts a new session like Rasa's own action (carrying the slots over when the domain says
    so), but keeps a handoff's pause: a user who waits for the helpdesk longer than a session
    lasts (for example over a weekend) still writes to the person, not to the assistant."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        carry_over = carry_over_slots_to_new_session(DOMAIN_DIRECTORY)
        if carry_over:
            events += [SlotSet(name, value) for name, value in tracker.slots.items() if value is not None]
        events += starting_language(tracker, carry_over)  # the channel's language hint, if none yet
        if tracker.is_paused():
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
