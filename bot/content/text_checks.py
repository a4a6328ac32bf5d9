"""What a translation must keep from its Dutch source, and how long it may be.

Used by the translation tests (every text of every language) and by the import of a reviewed PO
file (`python -m bot po import`), which refuses a file with any problem and writes nothing.
"""

from __future__ import annotations

import re
from typing import List

from bot.content.translations import Text

# A translation may be this much longer (in characters) than the Dutch source ...
MAX_LENGTH_RATIO = 1.5
SHORT_TEXT_SLACK = 50  # characters: a short text may need a few words more ("uw gemeente")
MAX_BUTTON_TITLE = 40  # characters, or the Dutch title's length + 10: one short line
# ... and no text may be longer than this many characters (one phone screen at chat font size).
MAX_CHARACTERS = 900

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
LINK = re.compile(r"\b[a-z0-9.-]+\.(?:nl|com|org|eu|net)\b(?:/[\w/.-]*[\w/])?", re.IGNORECASE)
NUMBER = re.compile(r"\d+")


def kept_from_source(text: Text, source: Text) -> List[str]:
    """Links, numbers, placeholders and button payloads the translation must share with Dutch."""
    problems = []
    if sorted(LINK.findall(text.text)) != sorted(LINK.findall(source.text)):
        problems.append(f"links differ from the Dutch text: {LINK.findall(source.text)}")
    plain, plain_source = PLACEHOLDER.sub(" ", text.text), PLACEHOLDER.sub(" ", source.text)
    missing = set(NUMBER.findall(plain_source)) - set(NUMBER.findall(plain))
    if missing:
        problems.append(f"numbers of the Dutch text missing: {sorted(missing)}")
    if text.placeholders() != source.placeholders():
        problems.append(f"placeholders differ: {sorted(text.placeholders())} vs {sorted(source.placeholders())}")
    if [b.payload for b in text.buttons] != [b.payload for b in source.buttons]:
        problems.append("button payloads differ from the Dutch text")
    return problems


def length_problems(text: Text, source: Text) -> List[str]:
    """A translation fits a phone screen: not much longer than Dutch, never over MAX_CHARACTERS."""
    problems = []
    limit = max(MAX_LENGTH_RATIO * len(source.text), len(source.text) + SHORT_TEXT_SLACK)
    if len(text.text) > limit:
        problems.append(f"{len(text.text)} characters, more than {int(limit)} (1.5x the Dutch text)")
    if len(text.text) > MAX_CHARACTERS:
        problems.append(f"{len(text.text)} characters, more than {MAX_CHARACTERS}")
    for button, source_button in zip(text.buttons, source.buttons):
        title_limit = max(MAX_BUTTON_TITLE, len(source_button.title) + 10)
        if len(button.title) > title_limit:
            problems.append(f"button title {button.title!r} longer than {title_limit} characters")
    return problems


def problems(text: Text, source: Text) -> List[str]:
    """Every check a translated text must pass against its Dutch source."""
    return kept_from_source(text, source) + length_problems(text, source)
