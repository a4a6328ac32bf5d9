"""What every input channel does with a user's text before Rasa sees it.

- Text must be a non-empty string of at most `max_length` characters.
- A text that starts with "/" is Rasa's syntax for "this intent, with these entities". Buttons
  need it, but a user could type `/restart` or `/inform{"language": "xx"}` to trigger actions or
  set slots. Only payloads the assistant itself offers as buttons pass; anything else loses its
  leading slashes and is understood as ordinary text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Optional

from bot.content.translations import Translations

DEFAULT_MAX_LENGTH = 2000


class RejectedText(ValueError):
    """The text cannot be passed on; `reason` says why in a sentence fit for an API client."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@lru_cache(maxsize=8)
def button_payloads(translations_dir: str) -> FrozenSet[str]:
    """Every payload of every button in every language."""
    translations = Translations.load(Path(translations_dir))
    return frozenset(
        button.payload
        for language in translations.languages.values()
        for text in language.responses.values()
        for button in text.buttons
    )


def _strip_control(text: str) -> str:
    """Drops control and unpaired-surrogate characters but keeps newlines and tabs."""
    return "".join(
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


@dataclass(frozen=True)
class InboundPolicy:
    """How one channel cleans user text. Built from the channel's credentials."""

    allowed_payloads: FrozenSet[str]
    max_length: int = DEFAULT_MAX_LENGTH

    @classmethod
    def for_project(
        cls, translations_dir: Optional[str] = None, max_length: int = DEFAULT_MAX_LENGTH
    ) -> "InboundPolicy":
        directory = translations_dir or str(Path.cwd() / "translations")
        return cls(button_payloads(directory), max_length)

    def clean(self, text: object) -> str:
        """The text to hand to Rasa, or RejectedText."""
        if not isinstance(text, str):
            raise RejectedText("the field 'message' must be a string")
        text = _strip_control(text).strip()
        if not text:
            raise RejectedText("the message is empty")
        if len(text) > self.max_length:
            raise RejectedText(
                f"the message is too long: at most {self.max_length} characters", status=413
            )
        if text.startswith("/") and text not in self.allowed_payloads:
            text = text.lstrip("/").strip() or "?"
        return text
