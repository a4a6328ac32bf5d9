"""One spelling for the ways a word is typed: the same text for the intent features and for the
actions that read facts from a message (actions/answer_parsing.py).

Chat messages are typed on whatever keyboard is at hand: Turkish without ç ş ğ ı, Dutch without
ë, Arabic with or without hamza and vowel marks, Farsi on an Arabic keyboard (ي/ك for ی/ک) and
without the zero-width non-joiner, Tigrinya with either of the letters that sound the same.
`normalise` maps all these spellings to one. No Rasa import: the action server uses it too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict


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
    """Lower case, without accents and vowel marks, one spelling for interchangeable letters,
    and the decimal digits of every script as 0-9.

    >>> normalise("Çalışma İzni")
    'calisma izni'
    >>> normalise("أريد العمل") == normalise("اريد العمل")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    digits = "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in stripped)
    return unicodedata.normalize("NFC", digits.translate(_LETTERS))


_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")


def unstretched(text: str) -> str:
    """`text` with a letter typed three or more times in a row typed once ("hiii" → "hi",
    "pleeease" → "please"): no word of the supported languages has a letter three times."""
    return _STRETCHED.sub(r"\1", text)
