"""Questions of the checks whose text carries numbers from the rules in force (not fixed in it).

The first question of a check also says the rule it is about, so that a user who only wanted to
know ("how much does a school get?") has the answer before the questions. The domain lists each
`action_ask_<form>_<slot>` (or `action_ask_<slot>`) below; Rasa calls it to ask that slot.
"""

from __future__ import annotations

import abc
from typing import Dict, List, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.answers import rulebook
from actions.check_table import class_name
from actions.check_validation import check_day
from actions.presentation import display_values


class AskWithRuleValues(Action, abc.ABC):
    """Asks for a slot with a text whose numbers come from the rules in force."""

    key: Text = ""  # the translation key of the question (with placeholders, and the answer buttons)
    rule_ids: Tuple[Text, ...] = ()  # the rules whose values fill the placeholders

    @abc.abstractmethod
    def name(self) -> Text:
        """`action_ask_<form>_<slot>` or `action_ask_<slot>`."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language")
        day = check_day(tracker)
        values: Dict[str, str] = {}
        for rule_id in self.rule_ids:
            values.update(display_values(rulebook().get(rule_id, on=day).values))
        dispatcher.utter_message(
            text=texts.mark(texts.render(self.key, language, **values), language),
            buttons=texts.buttons(self.key, language),
        )
        return []


# action name (`action_ask_<form>_<slot>` or `action_ask_<slot>`): the question and its rules.
QUESTIONS: Dict[Text, Tuple[Text, Tuple[Text, ...]]] = {
    "action_ask_teacher_subsidy_form_teacher_contract": ("utter_question_teacher_contract", ("teacher.further_conditions",)),
    "action_ask_teacher_subsidy_form_teacher_status": ("utter_question_teacher_status", ("teacher.amount",)),
    "action_ask_employer_subsidy_form_sowis_people": ("utter_question_sowis_people", ("sowis.conditions",)),
    "action_ask_months_in_procedure": ("utter_question_months_in_procedure", ("asylum.work.waiting_period",)),
}


def _ask_action(name: Text, key: Text, rules: Tuple[Text, ...]) -> type:
    return type(class_name(name), (AskWithRuleValues,),
                {"name": lambda self: name, "key": key, "rule_ids": rules, "__module__": __name__})


# One action per question (rasa-sdk registers every subclass of Action when it imports this module).
ASK_ACTIONS: Dict[Text, type] = {name: _ask_action(name, key, rules) for name, (key, rules) in QUESTIONS.items()}
