"""Finding who and where a person is in what they type: names, street addresses, postcodes, dates
of birth, and passport or ID-card numbers.

Numbers with a check or a fixed shape are found by `bot.privacy.redaction`; these kinds need the
words around them, so they are found from the words of `personal_words/<language>.yml` (one file
per language, no code per language): a name after "my name is / ik heet / اسمي / меня зовут", a date
after "geboren / born / متولد", a document number after "paspoort / passport / паспорт". Names
without such a word come from a gazetteer of common given names (`personal_words/given_names.yml`):
"Ahmed wil werken", "groeten, Fatima", "زوجتي فاطمة". A few
shapes are personal on their own: a Dutch street with a house number, a Dutch postcode, a full date
with a year in which adults of working age were born (Gregorian or Solar Hijri), and the shape of
Dutch passport and ID-card numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Iterator, List, Pattern, Tuple

from bot.content import fast_yaml

WORDS_DIRECTORY = Path(__file__).with_name("personal_words")
KEYS = (
    "name_is", "titles", "relations", "introductions", "sign_offs", "name_stops", "birth", "document", "address",
    "given_names", "second_names", "name_particles",
)

# The years in which adults who ask about work were born: Gregorian and Solar Hijri (Persian).
BIRTH_YEARS = [(1920, 2010), (1300, 1390)]
# Letters stuck to the front of an Arabic or Persian word: "and", "with", "for", "so" (ومحمد).
ATTACHED_PREFIXES = "وبلف"
# The Arabic article of family names made from a given name: الحسن, الأحمد.
ARTICLE = "ال"
MAX_NAME_WORDS = 4
MAX_CASELESS_NAME_WORDS = 2

# What may stand between a sign-off and the name under it: a comma or colon, and a line break.
_SIGN_OFF_GAP = re.compile(r"[ \t]*[,:،-]?[ \t]*(?:\r?\n[ \t]*)?")
# The rest of a line after a signature: only punctuation (or nothing) up to the line's end.
_LINE_END = re.compile(r"[ \t]*[.!,;:)]*[ \t]*(?:\r?\n|$)")
# The rest of a hyphenated name after its first part: "-Ali" of "Hassan-Ali".
_HYPHENATED = re.compile(r"(?:[-‐][^\W\d_]+)+(?![\w'’])")
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
                collected[key].update(str(value).strip().lower() for value in _flat(values))
        return cls({key: tuple(sorted(values, key=len, reverse=True)) for key, values in collected.items()})

    def pattern(self, key: str) -> Pattern[str]:
        """Any of the words of `key`, as whole words, ignoring case."""
        return _trigger_pattern(self.words[key])

    # The sets and the pattern below are built on first use and kept (cached_property): they are
    # asked for once per word of a name, and hashing a tuple of hundreds of names each time is slow.
    @cached_property
    def name_stops(self) -> FrozenSet[str]:
        return frozenset(self.words["name_stops"])

    @cached_property
    def name_particles(self) -> FrozenSet[str]:
        return frozenset(self.words["name_particles"])

    @cached_property
    def given_names(self) -> Pattern[str]:
        """Any given name of the gazetteer as a whole word, with an Arabic or Persian letter stuck to
        its front allowed; group 1 is the name itself."""
        return _gazetteer_pattern(self.words["given_names"])

    @cached_property
    def _given(self) -> FrozenSet[str]:
        return frozenset(self.words["given_names"])

    @cached_property
    def _given_or_second(self) -> FrozenSet[str]:
        return frozenset(self.words["given_names"] + self.words["second_names"])

    def is_gazetteer_name(self, word: str, second: bool) -> bool:
        """`word` is a given name (or, with `second`, also a name that is an ordinary word elsewhere),
        with an attached و/ب/ل/ف or the article ال allowed in front (الحسن: "Al-Hassan")."""
        names = self._given_or_second if second else self._given
        lower = word.lower()
        particle, hyphen, rest = lower.partition("-")
        if hyphen and particle in self.name_particles:  # al-hassan, el-amin
            lower = rest
        candidates = [lower]
        if lower[:1] in ATTACHED_PREFIXES and len(lower) > 3:
            candidates.append(lower[1:])
        candidates += [name[len(ARTICLE):] for name in candidates if name.startswith(ARTICLE) and len(name) > 4]
        return any(name in names for name in candidates)


def _flat(values: object) -> Iterator[object]:
    """The items of a list, or of every list of a mapping of groups (given_names: {arabic: [...]})."""
    if isinstance(values, dict):
        for group in values.values():
            yield from _flat(group)
    elif values:
        yield from values  # type: ignore[misc]


# The zero-width non-joiner (U+200C) is inside Persian words: "آدم‌های" is one word, not a name.
@lru_cache(maxsize=None)
def _gazetteer_pattern(words: Tuple[str, ...]) -> Pattern[str]:
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(
        r"(?<![\w\u200c])[" + ATTACHED_PREFIXES + r"]?(" + _trie_regex(words) + r")(?![\w'’\u200c])", re.IGNORECASE
    )


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
    particles = words.name_particles
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
        elif taken == 0 and not (_looks_like_a_name(word) or strong and lower not in particles):
            break
        elif taken > 0 and not _looks_like_a_name(word) and not (
            lower in particles and _next_is_name(text, match.end(), particles)
        ):
            break
        if taken == 0:
            start = match.start(1)
        end = match.start(1) + len(word)
        cursor = match.end()
        taken += 1
        if _ends_a_sentence(match.group(1)):
            break
    return (start, end) if taken else (position, position)


def _ends_a_sentence(word: str) -> bool:
    """A word with a full stop ends the name, unless it is an initial ("J. Smith")."""
    return word.endswith(".") and len(word) > 2


def _next_is_name(text: str, position: int, particles: FrozenSet[str]) -> bool:
    match = _WORD.match(text, position)
    return bool(match) and (_looks_like_a_name(match.group(1)) or match.group(1).lower() in particles)


def gazetteer_name_at(text: str, position: int, words: PersonalWords, second: bool) -> Tuple[int, int]:
    """The span of a gazetteer name (and the family name after it) that starts at `position`, after
    spaces; empty when the word there is not one. `second`: names that are also ordinary words count
    too (after "my wife" or a sign-off), in scripts with capitals only when capitalised."""
    gap = _GAP.match(text, position)
    at = gap.end() if gap else position
    given = words.given_names.match(text, at)
    if given:
        return given.start(1), _family_name(text, given.end(1), words)
    match = _WORD.match(text, at)
    if not match:
        return position, position
    word = match.group(1).rstrip(".")
    if not words.is_gazetteer_name(word, second) or (_is_cased(word) and not _looks_like_a_name(word)):
        return position, position
    end = match.start(1) + len(word)
    return match.start(1), end if _ends_a_sentence(match.group(1)) else _family_name(text, end, words)


def _family_name(text: str, position: int, words: PersonalWords) -> int:
    """Where the name that continues a given name ends: capitalised words in scripts with capitals
    ("Ahmed Al-Hassan"), gazetteer names in any script ("فاطمة يوسف", "محمد الأحمد", "fatima yusuf"),
    particles followed by one of those ("Pieter van der Berg"), or in scripts without capitals by
    any word ("محمد بن سلمان": "son of" is always followed by a name). On the same line."""
    joined = _HYPHENATED.match(text, position)  # "Hassan-Ali": the rest of the word
    end = cursor = joined.end() if joined else position
    taken = 0
    while taken < MAX_NAME_WORDS - 1:
        match = _WORD.match(text, cursor)
        particles = 0
        while match and _is_particle(text, match, words):
            particles += 1
            match = _WORD.match(text, match.end())
        if not match or not _continues_a_name(text, match, words, after_particle=particles > 0):
            break
        given = words.given_names.match(text, match.start(1))
        if given and given.end(1) > match.end(1):  # a name of two words: "عبد الله"
            end = cursor = given.end(1)
        else:
            end = match.start(1) + len(match.group(1).rstrip("."))
            cursor = match.end()
        taken += 1 + particles
        if _ends_a_sentence(match.group(1)):
            break
    return end


def _is_particle(text: str, match: re.Match, words: PersonalWords) -> bool:
    return (
        match.group(1).lower() in words.name_particles
        and not _ends_a_sentence(match.group(1))
        and not words.given_names.match(text, match.start(1))
    )


def _continues_a_name(text: str, match: re.Match, words: PersonalWords, after_particle: bool) -> bool:
    word = match.group(1).rstrip(".")
    if word.lower() in words.name_stops:
        return False
    if words.given_names.match(text, match.start(1)):
        return True
    if _is_cased(word):
        return _looks_like_a_name(word) or words.is_gazetteer_name(word, second=False)
    return after_particle or words.is_gazetteer_name(word, second=True)


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
    for kind, start, end in _names(text, words):
        if end > start:
            yield kind, start, end
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


def _names(text: str, words: PersonalWords) -> Iterator[Tuple[str, int, int]]:
    """Names after trigger words, after sign-offs, and given names of the gazetteer on their own."""
    for key, strong, caseless in (("name_is", True, True), ("titles", False, True)):
        for trigger in words.pattern(key).finditer(text):
            yield "name", *name_after(text, trigger.end(), words, strong, caseless)
    # "my wife Amina" / "زوجتي أمل": a capitalised word after a word in a script with capitals, or
    # a name of the gazetteer (Persian "من" is also Arabic "from": "من Nuffic" is no name).
    for key, second in (("relations", True), ("introductions", False)):
        for trigger in words.pattern(key).finditer(text):
            start = end = trigger.end()
            if _is_cased(trigger.group(0)[0]):
                start, end = name_after(text, trigger.end(), words, False, False)
            yield "name", *((start, end) if end > start else gazetteer_name_at(text, trigger.end(), words, second))
    # "groeten,\nFatima": a given name; a second name or capitalised words only when they end the
    # line ("Thanks, John", but not "Thanks, Can I ..." nor "شكرا علي المساعدة").
    for trigger in words.pattern("sign_offs").finditer(text):
        gap = _SIGN_OFF_GAP.match(text, trigger.end())
        at = gap.end() if gap else trigger.end()
        start, end = gazetteer_name_at(text, at, words, second=False)
        if end == start:
            start, end = gazetteer_name_at(text, at, words, second=True)
            if end == start or _is_cased(text[start]):
                start, end = name_after(text, at, words, False, False)
            if not _LINE_END.match(text, end):  # "شكرا علي المساعدة": "thanks for the help"
                continue
        yield "name", start, end
    for match in words.given_names.finditer(text):
        yield "name", match.start(1), _family_name(text, match.end(1), words)


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
