"""Spelling normalisation for the intent features, and the tokenizer that applies it.

Chat messages are typed on whatever keyboard is at hand: Turkish without ç ş ğ ı, Dutch without
ë, Arabic with or without hamza and vowel marks, Farsi on an Arabic keyboard (ي/ك for ی/ک) and
without the zero-width non-joiner, Tigrinya with either of the letters that sound the same. The
training examples are written one way; `normalise` maps all these spellings to one, so that the
word and character n-gram features of a message match the examples whichever way it was typed.

`NormalisingTokenizer` is Rasa's `WhitespaceTokenizer` that stores the normalised form of each
token as its lemma. `CountVectorsFeaturizer` builds its features from the lemmas
(`use_lemma: true`, its default); the message text itself, the tokens' text (entity positions)
and what the language detector reads are unchanged: the letters that tell Farsi from Arabic are
still there for `bot.nlu.language_id`.

Measured by cross-validation on `data/nlu` (README, "Languages").
"""

from __future__ import annotations

import unicodedata
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message


def _ethiopic_rows(source: int, target: int, count: int = 7) -> Dict[int, int]:
    return {source + offset: target + offset for offset in range(count)}


# One spelling for letters that are typed interchangeably.
_LETTERS: Dict[int, Any] = {
    ord("ı"): "i",  # Turkish dotless i (İ becomes i + a combining dot, removed below)
    ord("ى"): "ي", ord("ی"): "ي", ord("ئ"): "ي",  # Arabic alef maksura, Farsi yeh → yeh
    ord("ک"): "ك",  # Farsi keheh → kaf
    ord("ة"): "ه", ord("ۀ"): "ه", ord("ہ"): "ه",  # teh marbuta, heh with yeh → heh
    ord("ـ"): None,  # tatweel (letter stretching)
    ord("\u200c"): None, ord("\u200d"): None,  # zero-width (non-)joiner
    ord("\u200e"): None, ord("\u200f"): None,  # direction marks
    ord("’"): "'", ord("ʼ"): "'", ord("`"): "'", ord("´"): "'",  # apostrophes (Ukrainian, Dutch)
    # Tigrinya: ሠ-row → ሰ-row, ፀ-row → ጸ-row, ኀ-row → ሐ-row (same sound, both spellings in use).
    **_ethiopic_rows(0x1220, 0x1230),
    **_ethiopic_rows(0x1340, 0x1338),
    **_ethiopic_rows(0x1280, 0x1210),
}


def normalise(text: str) -> str:
    """Lower case, without accents and vowel marks, one spelling for interchangeable letters.

    >>> normalise("Çalışma İzni")
    'calisma izni'
    >>> normalise("أريد العمل") == normalise("اريد العمل")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    digits = "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in stripped)
    return unicodedata.normalize("NFC", digits.translate(_LETTERS))


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
