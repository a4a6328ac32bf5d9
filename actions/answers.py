"""Information answers whose numbers, sources and dates come from the rules' data."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.rulebook import Rule, Rulebook

TOPICS_FILE = Path(__file__).parent / "topics.yml"


@lru_cache(maxsize=1)
def rulebook() -> Rulebook:
    return Rulebook.load()


@lru_cache(maxsize=1)
def topics() -> Dict[str, Dict[str, Any]]:
    return yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))


def format_date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def compose_answer(
    response: str, rules: List[Rule], language: Optional[str], extra: Mapping[str, Any] = ()
) -> str:
    """The answer text: the response filled with the rules' values, then sources and caveats."""
    values: Dict[str, Any] = {}
    for rule in rules:
        values.update(rule.values)
    values.update(dict(extra))
    parts = [texts.render(response, language, **values)]
    for rule in rules:
        parts.append(
            texts.render(
                "utter_fact_source",
                language,
                source=rule.source,
                valid_from=format_date(rule.valid_from),
            )
        )
    uncertain = [rule for rule in rules if not rule.certain]
    if uncertain:
        referral = uncertain[0].referral or uncertain[0].source_name
        parts.append(texts.render("utter_fact_uncertain", language, referral=referral))
    return "\n\n".join(parts)


class ActionAnswerTopic(Action):
    """Answers an information question from `topics.yml` and the rules in force today."""

    def name(self) -> Text:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        language = tracker.get_slot("language")
        topic = topics().get(intent)
        if topic is None:
            dispatcher.utter_message(response="utter_rephrase")
            return []
        book = rulebook()
        today = dt.date.today()
        rules = [book.get(rule_id, on=today) for rule_id in topic["rules"]]
        dispatcher.utter_message(
            text=compose_answer(topic["response"], rules, language),
            buttons=texts.buttons(topic["response"], language),
        )
        return []
