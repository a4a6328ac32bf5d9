"""Reading the translation files: every text the assistant says, per language.

`translations/<lang>.yml` has a `meta` block (language, name, direction, who produced it, and
`reviewed`: which texts a native speaker reviewed, see bot/content/review.py), a `widget` block
(the web widget's own texts) and a `responses` block keyed by response name. A response
is either a string or a mapping with `text` and optional `buttons` (`title`, `payload`).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.content import fast_yaml, review

DEFAULT_LANGUAGE = "nl"
RIGHT_TO_LEFT_MARK = "\u200f"
_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Text:
    """One response in one language."""

    text: str
    buttons: tuple = ()

    def placeholders(self) -> set:
        return {name for _, name, _, _ in _FORMATTER.parse(self.text) if name}

    def render(self, **values: Any) -> str:
        return self.text.format(**values) if self.placeholders() else self.text


@dataclass
class Language:
    code: str
    name: str
    direction: str
    produced_by: str
    responses: Dict[str, Text] = field(default_factory=dict)
    # The file as read: what per-text review status is worked out from (bot/content/review.py).
    data: Dict[str, Any] = field(default_factory=dict, repr=False)
    # What helpdesk agents can send (`helpdesk_phrases:`); not part of the Rasa domain.
    helpdesk_phrases: Dict[str, Text] = field(default_factory=dict)


class TranslationError(ValueError):
    """A translation file is malformed."""


def with_direction(text: str, direction: str) -> str:
    """`text` with a RIGHT-TO-LEFT MARK at the start of every paragraph when `direction` is rtl.

    Channels and the widget take a message's direction from its first strong character; in an
    Arabic or Farsi text that starts with a Latin name or a number ("UWV ...", "€8.000 ...") that
    would be left-to-right. The mark makes every paragraph right-to-left.
    """
    if direction != "rtl":
        return text
    return "\n".join(
        line if not line or line.startswith(RIGHT_TO_LEFT_MARK) else RIGHT_TO_LEFT_MARK + line
        for line in text.split("\n")
    )


def _parse_response(lang: str, key: str, raw: Any, direction: str = "ltr") -> Text:
    if isinstance(raw, str):
        return Text(with_direction(raw, direction))
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise TranslationError(f"{lang}: response {key} needs a text")
    buttons = tuple(
        Button(str(b["title"]), str(b["payload"])) for b in raw.get("buttons") or ()
    )
    return Text(with_direction(raw["text"], direction), buttons)


def load_language(path: Path) -> Language:
    data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    meta = data.get("meta") or {}
    code = meta.get("language") or path.stem
    if code != path.stem:
        raise TranslationError(f"{path}: meta.language {code!r} differs from the file name")
    direction = str(meta.get("direction", "ltr"))
    responses = {
        key: _parse_response(code, key, raw, direction)
        for key, raw in (data.get("responses") or {}).items()
    }
    phrases = {
        key: _parse_response(code, key, raw, direction)
        for key, raw in (data.get("helpdesk_phrases") or {}).items()
    }
    return Language(
        code=code,
        name=str(meta.get("name", code)),
        direction=direction,
        produced_by=str(meta.get("produced_by", "")),
        responses=responses,
        data=data,
        helpdesk_phrases=phrases,
    )


class Translations:
    """All languages, with the default language first."""

    def __init__(self, languages: Dict[str, Language], default: str = DEFAULT_LANGUAGE):
        if default not in languages:
            raise TranslationError(f"the default language {default!r} has no translation file")
        self.languages = languages
        self.default = default
        self._review_status: Dict[str, Dict[str, bool]] = {}

    @classmethod
    def load(cls, directory: Path, default: str = DEFAULT_LANGUAGE) -> "Translations":
        files = sorted(Path(directory).glob("*.yml"))
        if not files:
            raise TranslationError(f"no translation files in {directory}")
        return cls({f.stem: load_language(f) for f in files}, default)

    @property
    def codes(self) -> List[str]:
        return [self.default] + sorted(c for c in self.languages if c != self.default)

    def keys(self) -> List[str]:
        return sorted(set().union(*(lang.responses for lang in self.languages.values())))

    def _lookup(self, block: str, key: str, language: Optional[str]) -> Text:
        lang = self.languages.get(language or "") or self.languages[self.default]
        found = getattr(lang, block).get(key) or getattr(self.languages[self.default], block).get(key)
        if found is None:
            raise KeyError(key)
        return found

    def review_status(self, language: str) -> Dict[str, bool]:
        """text id (`responses.utter_greet`, `widget.title`) → reviewed by a native speaker?"""
        if language not in self._review_status:
            self._review_status[language] = review.review_status(
                self.languages[self.default].data, self.languages[language].data, language == self.default
            )
        return self._review_status[language]

    def unreviewed_label(self, key: str, language: Optional[str]) -> Optional[str]:
        """The label to show after response `key` in `language` when no native speaker reviewed
        it (`labels.unreviewed` of that language); None when it is reviewed."""
        lang = self.languages.get(language or "")
        if lang is None or self.review_status(lang.code).get(f"responses.{key}", True):
            return None
        label = (lang.data.get("labels") or {}).get("unreviewed")
        return with_direction(str(label), lang.direction) if label else None

    def text(self, key: str, language: Optional[str]) -> Text:
        """The text for `key` in `language`, falling back to the default language."""
        return self._lookup("responses", key, language)

    def helpdesk_phrase(self, key: str, language: Optional[str]) -> Text:
        """A helpdesk phrase (`helpdesk_phrases:`) in `language`, falling back to the default."""
        return self._lookup("helpdesk_phrases", key, language)

    def direction(self, language: Optional[str]) -> str:
        lang = self.languages.get(language or "")
        return lang.direction if lang else "ltr"

