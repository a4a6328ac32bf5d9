"""Finding who and where a person is in what they type: names, street addresses, postcodes, dates
of birth, and passport or ID-card numbers.

Numbers with a check or a fixed shape are found by `bot.privacy.redaction`; these kinds need the
words around them, so they are found from the words of `personal_words/<language>.yml` (one file
per language, no code per language): a name after "my name is / ik heet / اسمي / меня зовут", a date
after "geboren / born / متولد", a document number after "paspoort / passport / паспорт". A few
shapes are personal on their own: a Dutch street with a house number, a Dutch postcode, a full date
with a year in which adults of working age were born (Gregorian or Solar Hijri), and the shape of
Dutch passport and ID-card numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Iterator, List, Pattern, Tuple

from bot.content import fast_yaml

WORDS_DIRECTORY = Path(__file__).with_name("personal_words")
KEYS = ("name_is", "titles", "relations", "introductions", "name_stops", "birth", "document", "address")

# The years in which adults who ask about work were born: Gregorian and Solar Hijri (Persian).
BIRTH_YEARS = [(1920, 2010), (1300, 1390)]
# Particles inside names: "Jan van der Berg", "Ahmed al Hassan", "Omar bin Laden".
NAME_PARTICLES = frozenset("van von de der den het ter ten te la le da di del al el bin ibn abu ben bint".split())
MAX_NAME_WORDS = 4
MAX_CASELESS_NAME_WORDS = 2

# A word of letters of any script, with inner hyphens or apostrophes (Al-Hassan, O'Neil).
_WORD = re.compile(r"[ \t]*([^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*\.?)")
_GAP = re.compile(r"[ \t]*[:：=\-–—]?[ \t]*")
_DATE_SHAPES = (
    r"\d{1,2}[ ]?[./\-][ ]?\d{1,2}[ ]?[./\-][ ]?\d{2,4}",
    r"\d{4}[./\-]\d{1,2}[./\-]\d{1,2}",
    r"\d{1,2}\.?[ ]+[^\W\d_]{3,12}\.?,?[ ]+\d{4}",
    r"[^\W\d_]{3,12}[ ]+\d{1,2}(?:st|nd|rd|th)?,?[ ]+\d{4}",
)
_FULL_DATE = re.compile(r"(?<![\w/.\-])(?:" + "|".join(_DATE_SHAPES) + r")(?![\w/\-]|\.\d)")
_DATE_AFTER_WORD = re.compile(r"(?:" + "|".join(_DATE_SHAPES) + r")(?![\w/\-]|\.\d)")
# Dutch passport / ID card: two letters, six letters or digits, one digit; never the letter O.
_DUTCH_DOCUMENT = re.compile(r"(?<![\w-])[A-NP-Z]{2}[A-NP-Z0-9]{6}\d(?![\w-])")
# Passports of many countries: one or two capital letters (Latin or Cyrillic) and 6 to 8 digits.
_LETTERS_DIGITS_DOCUMENT = re.compile(r"(?<![\w-])[A-ZА-ЯІЇЄҐ]{1,2}[ ]?\d{6,8}(?![\w-])")
_DOCUMENT_TOKEN = re.compile(r"[ \t]*(?:[:#=\-–—][ \t]*)?([0-9A-Za-zА-Яа-яІіЇїЄєҐґ]{5,14})(?![\w])")
_SKIPPED_WORD = re.compile(r"[ \t]*(?:[:#=\-–—][ \t]*)?[^\W\d_]{1,12}[:.]?")
# Street names: distinctive endings may be typed in lower case; short ones need a capital.
_STREET_ANY_CASE = "straat|laan|plein|gracht|kade|singel|dijk|dreef|steeg|plantsoen|boulevard|burgwal|straatweg"
_STREET_CAPITAL = "weg|ring|wal|dam|hof|pad|erf|park|veld|berg|wijk|oord|kamp|hoek|baan|markt|haven|allee|hoven|brink|zoom|park"
_HOUSE_NUMBER = r"[ ]?\d{1,4}(?:[ ]?[A-Za-z](?![\w]))?(?:[ ]?[-/][ ]?[A-Za-z0-9]{1,4})?(?![\w])"
_STREET = re.compile(
    r"(?<![\w])(?:(?:[A-Z][\w'’.-]*[ ]){0,2}[A-Za-z][\w'’-]*?(?i:" + _STREET_ANY_CASE + r")"
    r"|(?:[A-Z][\w'’.-]*[ ]){0,2}[A-Z][\w'’-]*?(?:" + _STREET_CAPITAL + r"))" + _HOUSE_NUMBER
)
_ENGLISH_STREET = re.compile(
    r"(?<![\w])\d{1,4}[a-zA-Z]?,?[ ](?:[A-Z][\w'’-]*[ ]){1,3}(?:Street|Road|Avenue|Lane|Drive|St\.?|Rd\.?|Ave\.?)(?![\w])"
)
_ADDRESS_AFTER_WORD = re.compile(r"((?:[ \t]*[^\W\d_][\w'’.-]*){0,3}?[ \t]*[A-Z][\w'’.-]*)" + _HOUSE_NUMBER)
_POSTCODE = re.compile(
    r"(?<![\w€$£.,])[1-9]\d{3}(?:[ ]?(?!S[ADS]|EU|NL|AD|BC)[A-Z]{2}|(?!s[ads])[a-z]{2})(?![\w])(?:,?[ ][A-Z][\w'’-]+(?:[ ][A-Z][\w'’-]+)?)?"
)


@dataclass(frozen=True)
class PersonalWords:
    """The words of every language that point at personal data (lower case), by kind."""

    words: Dict[str, Tuple[str, ...]]

    @classmethod
    def load(cls, directory: Path = WORDS_DIRECTORY) -> "PersonalWords":
        collected: Dict[str, set] = {key: set() for key in KEYS}
        for path in sorted(directory.glob("*.yml")):
            data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            unknown = set(data) - set(KEYS)
            if unknown:
                raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}; known: {KEYS}")
            for key, values in data.items():
                collected[key].update(str(value).strip().lower() for value in values or ())
        return cls({key: tuple(sorted(values, key=len, reverse=True)) for key, values in collected.items()})

    def pattern(self, key: str) -> Pattern[str]:
        """Any of the words of `key`, as whole words, ignoring case."""
        return _trigger_pattern(self.words[key])

    @property
    def name_stops(self) -> FrozenSet[str]:
        return frozenset(self.words["name_stops"])


@lru_cache(maxsize=None)
def _trigger_pattern(words: Tuple[str, ...]) -> Pattern[str]:
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w])" + _trie_regex(words) + r"(?![\w'’])", re.IGNORECASE)


def _trie_regex(words: Iterable[str]) -> str:
    """One regex for many words, sharing their common beginnings ("mijn naam|mijn man" →
    "mijn (?:naam|man)"): the regex engine then tries one branch per letter instead of every word
    at every position. A space matches any run of spaces."""
    trie: Dict[str, dict] = {}
    for word in words:
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}

    def build(node: Dict[str, dict]) -> str:
        branches = [
            (r"\s+" if character == " " else re.escape(character)) + build(child)
            for character, child in sorted(node.items()) if character
        ]
        if not branches:
            return ""
        optional = "" in node
        if len(branches) == 1 and not optional:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if optional else "")

    return build(trie)


@lru_cache(maxsize=1)
def default_words() -> PersonalWords:
    """The words of `personal_words/`, read once."""
    return PersonalWords.load()


def _is_cased(word: str) -> bool:
    return word[0].lower() != word[0].upper()


def _looks_like_a_name(word: str) -> bool:
    """Capitalised, and not an abbreviation such as IND, UWV or BSN."""
    letters = [ch for ch in word if ch.isalpha()]
    return word[0].isupper() and not (len(letters) > 1 and all(ch.isupper() for ch in letters))


def name_after(text: str, position: int, words: PersonalWords, strong: bool, caseless_allowed: bool) -> Tuple[int, int]:
    """The span of the name that starts at `position` (empty when there is none).

    `strong`: after "my name is", the first word is a name even in lower case."""
    gap = _GAP.match(text, position)
    start = end = gap.end() if gap else position
    taken = 0
    cursor = start
    while taken < MAX_NAME_WORDS:
        match = _WORD.match(text, cursor)
        if not match:
            break
        word = match.group(1).rstrip(".")
        lower = word.lower()
        if lower in words.name_stops:
            break
        if not _is_cased(word):
            if not caseless_allowed or taken >= MAX_CASELESS_NAME_WORDS:
                break
        elif taken == 0 and not (_looks_like_a_name(word) or strong and lower not in NAME_PARTICLES):
            break
        elif taken > 0 and not _looks_like_a_name(word) and not (
            lower in NAME_PARTICLES and _next_is_name(text, match.end())
        ):
            break
        if taken == 0:
            start = match.start(1)
        end = match.start(1) + len(word)
        cursor = match.end()
        taken += 1
    return (start, end) if taken else (position, position)


def _next_is_name(text: str, position: int) -> bool:
    match = _WORD.match(text, position)
    return bool(match) and (_looks_like_a_name(match.group(1)) or match.group(1).lower() in NAME_PARTICLES)


def _in_birth_years(date_text: str) -> bool:
    years = [int(found) for found in re.findall(r"\d{4}", _ascii(date_text))]
    return any(low <= year <= high for year in years for low, high in BIRTH_YEARS)


def _ascii(text: str) -> str:
    return "".join(str(int(ch)) if ch.isdigit() else ch for ch in text)


def _after_skipping_words(text: str, position: int, pattern: Pattern[str], words: int, reach: int) -> Iterator[re.Match]:
    """Matches of `pattern` at `position` or after up to `words` skipped words, within `reach`."""
    cursor = position
    for _ in range(words + 1):
        gap = _GAP.match(text, cursor)
        at = gap.end() if gap else cursor
        if at - position > reach:
            return
        match = pattern.match(text, at)
        if match:
            yield match
            return
        skipped = _SKIPPED_WORD.match(text, at)
        if not skipped:
            return
        cursor = skipped.end()


def find_identity(text: str, words: PersonalWords) -> Iterator[Tuple[str, int, int]]:
    """(kind, start, end) of every name, address, postcode, date of birth and document number."""
    for key, strong, caseless in (
        ("name_is", True, True), ("titles", False, True), ("relations", False, False), ("introductions", False, False),
    ):
        for trigger in words.pattern(key).finditer(text):
            start, end = name_after(text, trigger.end(), words, strong, caseless)
            if end > start:
                yield "name", start, end
    for trigger in words.pattern("birth").finditer(text):
        for match in _after_skipping_words(text, trigger.end(), _DATE_AFTER_WORD, 3, 40):
            yield "birth_date", match.start(), match.end()
    for match in _FULL_DATE.finditer(text):
        if _in_birth_years(match.group(0)):
            yield "birth_date", match.start(), match.end()
    for trigger in words.pattern("document").finditer(text):
        for match in _after_skipping_words(text, trigger.end(), _DOCUMENT_TOKEN, 3, 40):
            token = match.group(1)
            if any(ch.isdigit() for ch in token):
                yield "document", match.start(1), match.end(1)
    for pattern in (_DUTCH_DOCUMENT, _LETTERS_DIGITS_DOCUMENT):
        for match in pattern.finditer(text):
            if sum(ch.isdigit() for ch in match.group(0)) >= 2:
                yield "document", match.start(), match.end()
    for pattern in (_STREET, _ENGLISH_STREET):
        for match in pattern.finditer(text):
            yield "address", match.start(), match.end()
    for trigger in words.pattern("address").finditer(text):
        match = _ADDRESS_AFTER_WORD.match(text, trigger.end())
        if match and match.end() - trigger.end() <= 60:
            yield "address", match.start(1) + len(match.group(1)) - len(match.group(1).lstrip()), match.end()
    for match in _POSTCODE.finditer(text):
        yield "postcode", match.start(), match.end()


def merge_addresses(spans: List[Tuple[str, int, int]], text: str) -> List[Tuple[str, int, int]]:
    """Street, house number, postcode and town next to each other become one address.

    Overlapping spans become one too (a street found both by its shape and after "my address")."""
    merged: List[Tuple[str, int, int]] = []
    for kind, start, end in sorted(spans, key=lambda span: (span[1], -span[2])):
        if merged:
            previous_kind, previous_start, previous_end = merged[-1]
            places = {kind, previous_kind} <= {"address", "postcode"}
            if start < previous_end or places and re.fullmatch(r"[\s,]*", text[previous_end:start]):
                merged[-1] = ("address" if places else previous_kind, previous_start, max(previous_end, end))
                continue
        merged.append((kind, start, end))
    return merged
