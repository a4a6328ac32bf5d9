"""Questions of the checks whose text carries numbers from the rules in force (not fixed in it).

The first question of a check also says the rule it is about, so that a user who only wanted to
know ("how much does a school get?") has the answer before the questions. The domain lists each
`action_ask_<form>_<slot>` (or `action_ask_<slot>`) below; Rasa calls it to ask that slot.
"""

from __future__ import annotations

import abc
from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.answers import rulebook
from actions.check_validation import check_day
from actions.presentation import display_values


class AskWithRuleValues(Action, abc.ABC):
    """Asks for a slot with a text whose numbers come from the rules in force (not fixed in it).

    The first question of a check also says the rule it is about, so that a user who only wanted
    to know ("how much does a school get?") has the answer before the questions."""

    @abc.abstractmethod
    def name(self) -> Text:
        """`action_ask_<form>_<slot>`."""

    @abc.abstractmethod
    def key(self) -> Text:
        """The translation key of the question (with placeholders, and the answer buttons)."""

    @abc.abstractmethod
    def rule_ids(self) -> List[Text]:
        """The rules whose values fill the placeholders."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language")
        day = check_day(tracker)
        values: Dict[str, str] = {}
        for rule_id in self.rule_ids():
            values.update(display_values(rulebook().get(rule_id, on=day).values))
        dispatcher.utter_message(
            text=texts.render(self.key(), language, **values), buttons=texts.buttons(self.key(), language)
        )
        return []


class ActionAskTeacherContract(AskWithRuleValues):
    def name(self) -> Text:
        return "action_ask_teacher_subsidy_form_teacher_contract"

    def key(self) -> Text:
        return "utter_question_teacher_contract"

    def rule_ids(self) -> List[Text]:
        return ["teacher.further_conditions"]


class ActionAskTeacherStatus(AskWithRuleValues):
    def name(self) -> Text:
        return "action_ask_teacher_subsidy_form_teacher_status"

    def key(self) -> Text:
        return "utter_question_teacher_status"

    def rule_ids(self) -> List[Text]:
        return ["teacher.amount"]


class ActionAskSowisPeople(AskWithRuleValues):
    def name(self) -> Text:
        return "action_ask_employer_subsidy_form_sowis_people"

    def key(self) -> Text:
        return "utter_question_sowis_people"

    def rule_ids(self) -> List[Text]:
        return ["sowis.conditions"]


class ActionAskMonthsInProcedure(AskWithRuleValues):
    def name(self) -> Text:
        return "action_ask_months_in_procedure"

    def key(self) -> Text:
        return "utter_question_months_in_procedure"

    def rule_ids(self) -> List[Text]:
        return ["asylum.work.waiting_period"]
