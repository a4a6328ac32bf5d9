"""The Dutch column of a ticket: what each message says, in Dutch, for agents who cannot read
the user's language.

- A user message: the question its intent stands for and the facts the assistant took from it,
  in Dutch words ("Mag ik werken als asielzoeker? (asielzoeker, 4 maanden)"), from
  `dutch_summaries.yml`.
- An assistant message: the Dutch text of the same response. The handoff action sends the
  response's name (Rasa's `utter_action`) or the Dutch text itself when an action composed the
  message; otherwise the text is matched against the user's language's response templates, and
  the values that filled its placeholders are put into the Dutch template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Pattern, Tuple

from bot.content import fast_yaml
from bot.content.translations import RIGHT_TO_LEFT_MARK, Text, Translations

SUMMARIES_FILE = Path(__file__).with_name("dutch_summaries.yml")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MIN_LITERAL = 8  # characters of fixed text a template needs to be recognised by


@dataclass(frozen=True)
class Summaries:
    """The Dutch wording of intents and facts (`dutch_summaries.yml`)."""

    intents: Dict[str, str]
    facts: Dict[str, Dict[str, Any]]
    not_understood: str
    unknown_bot_text: str
    restart_note: str

    @classmethod
    def load(cls, path: Path = SUMMARIES_FILE) -> "Summaries":
        data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(
            intents={str(k): str(v) for k, v in (data.get("intents") or {}).items()},
            facts={str(k): dict(v) for k, v in (data.get("facts") or {}).items()},
            not_understood=str(data["not_understood"]),
            unknown_bot_text=str(data["unknown_bot_text"]),
            restart_note=str(data["restart_note"]),
        )

    def fact(self, slot: str, value: Any) -> Optional[str]:
        """One fact in Dutch words, or None for a slot or value agents need not see."""
        wording = self.facts.get(slot)
        if wording is None or value is None or value == "":
            return None
        if isinstance(value, bool):
            return wording.get("when_true" if value else "when_false")
        if "values" in wording:
            return (wording["values"] or {}).get(str(value))
        if "format" in wording:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(wording["format"]).format(value=value)
        return None

    def user_message(self, intent: Optional[str], facts: Mapping[str, Any]) -> str:
        """"<the question in Dutch> (<facts in Dutch>)" for one user message."""
        question = self.intents.get(intent or "", self.not_understood)
        said = [text for slot, value in facts.items() if (text := self.fact(slot, value))]
        return f"{question} ({', '.join(said)})" if said else question


def facts_of(parse_data: Mapping[str, Any]) -> Dict[str, Any]:
    """The entities of a parsed user message as facts (entity name → plain value)."""
    return {
        entity["entity"]: entity["value"]
        for entity in parse_data.get("entities") or ()
        if isinstance(entity, dict)
        and isinstance(entity.get("entity"), str)
        and isinstance(entity.get("value"), (str, int, float, bool))
    }


@lru_cache(maxsize=1)
def summaries() -> Summaries:
    return Summaries.load()


def _plain(text: str) -> str:
    return text.replace(RIGHT_TO_LEFT_MARK, "").strip()


def _template_pattern(template: str) -> Tuple[Pattern[str], List[str]]:
    """A regular expression matching `template` filled in, and its placeholders in order."""
    names: List[str] = []
    parts: List[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position:match.start()]))
        name = match.group(1)
        parts.append(f"(?P={name})" if name in names else f"(?P<{name}>.+?)")
        if name not in names:
            names.append(name)
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL), names


class DutchTexts:
    """Finds the Dutch text of what the assistant said in any language."""

    def __init__(self, translations: Translations, wording: Optional[Summaries] = None):
        self.translations = translations
        self.wording = wording or summaries()
        self._patterns: Dict[str, List[Tuple[str, Pattern[str], List[str]]]] = {}

    def _patterns_of(self, language: str) -> List[Tuple[str, Pattern[str], List[str]]]:
        """(response name, pattern, placeholders) of a language, longest template first."""
        if language not in self._patterns:
            known = self.translations.languages.get(language) or self.translations.languages[self.translations.default]
            found = []
            for key, text in known.responses.items():
                literal = _PLACEHOLDER.sub("", _plain(text.text)).strip()
                if len(literal) < MIN_LITERAL:
                    continue  # a template of placeholders alone would match any text
                pattern, names = _template_pattern(_plain(text.text))
                found.append((len(literal), key, pattern, names))
            found.sort(key=lambda item: -item[0])
            self._patterns[language] = [(key, pattern, names) for _, key, pattern, names in found]
        return self._patterns[language]

    def _dutch(self, key: str) -> Text:
        return self.translations.text(key, self.translations.default)

    def _filled(self, key: str, language: str, text: str) -> Optional[str]:
        """The Dutch text of response `key`, with the values that filled its placeholders in `text`
        (None when `text` is not that response)."""
        for known, pattern, names in self._patterns_of(language):
            if known != key:
                continue
            match = pattern.match(_plain(text))
            if match is None:
                return None
            dutch = self._dutch(key)
            values = {name: match.group(name) for name in names}
            return dutch.text.format(**values) if dutch.placeholders() <= set(values) else dutch.text
        return None

    def bot_message(
        self, text: str, language: str, response: Optional[str] = None, dutch: Optional[str] = None
    ) -> str:
        """The Dutch text of one assistant message in `language`."""
        if dutch and dutch.strip():
            return dutch.strip()
        if language == self.translations.default:
            return text
        if response:
            try:
                template = self._dutch(response)
            except KeyError:
                template = None
            if template is not None:
                if not template.placeholders():
                    return template.text
                filled = self._filled(response, language, text)
                if filled:
                    return filled
        for key, pattern, _ in self._patterns_of(language):
            if pattern.fullmatch(_plain(text)):
                filled = self._filled(key, language, text)
                if filled:
                    return filled
        return self.wording.unknown_bot_text

    def user_message(self, intent: Optional[str], facts: Mapping[str, Any]) -> str:
        return self.wording.user_message(intent, facts)
