"""Spelling normalisation for the intent features, and the tokenizer that applies it.

The training examples are written one way; `normalise` (bot/content/spelling.py) maps the
spellings users type to one, so that the word and character n-gram features of a message match
the examples whichever way it was typed.

`NormalisingTokenizer` is Rasa's `WhitespaceTokenizer` that stores the normalised form of each
token as its lemma. `CountVectorsFeaturizer` builds its features from the lemmas
(`use_lemma: true`, its default); the message text itself, the tokens' text (entity positions)
and what the language detector reads are unchanged: the letters that tell Farsi from Arabic are
still there for `bot.nlu.language_id`.

A token with five digits or more is a phone, BSN, V- or account number: personal, and no sign
of what the message asks. Its lemma is `NUMBER_LEMMA`, which no example has, so its digits do
not pull the message towards an intent whose examples have numbers ("24 weeks"); short numbers
(months, hours) keep their digits.

Measured by cross-validation on `data/nlu` (README, "Languages").
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.content.spelling import normalise, unstretched

__all__ = ["NormalisingTokenizer", "normalise", "lemma"]

NUMBER_LEMMA = "__number__"
MIN_NUMBER_DIGITS = 5


def lemma(token_text: Text) -> Text:
    """The form a token is featurised by: a long number's placeholder, else its normalised spelling."""
    if sum(char.isdigit() for char in token_text) >= MIN_NUMBER_DIGITS:
        return NUMBER_LEMMA
    return normalise(unstretched(token_text))


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class NormalisingTokenizer(WhitespaceTokenizer):
    """`WhitespaceTokenizer` whose tokens carry the normalised spelling as their lemma."""

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = lemma(token.text)
        return tokens

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return WhitespaceTokenizer.get_default_config()
