"""Spelling normalisation for the intent features, and the tokenizer that applies it.

The training examples are written one way; `normalise` (bot/content/spelling.py) maps the
spellings users type to one, so that the word and character n-gram features of a message match
the examples whichever way it was typed.

`NormalisingTokenizer` is Rasa's `WhitespaceTokenizer` that stores the normalised form of each
token as its lemma. `CountVectorsFeaturizer` builds its features from the lemmas
(`use_lemma: true`, its default); the message text itself, the tokens' text (entity positions)
and what the language detector reads are unchanged: the letters that tell Farsi from Arabic are
still there for `bot.nlu.language_id`.

Measured by cross-validation on `data/nlu` (README, "Languages").
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.content.spelling import normalise

__all__ = ["NormalisingTokenizer", "normalise"]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class NormalisingTokenizer(WhitespaceTokenizer):
    """`WhitespaceTokenizer` whose tokens carry the normalised spelling as their lemma."""

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = normalise(token.text)
        return tokens

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return WhitespaceTokenizer.get_default_config()
