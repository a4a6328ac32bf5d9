"""Reading answers from what users write: numbers with units, statuses, yes/no, dates, levels.

Users answer in their own words and scripts ("8 maanden", "٨ أشهر", "haftada 12 saat", "a year",
"ja", "B1", "I have a residence permit"). These functions turn such text into slot values. The
words of each language are data: `fact_words/<language>.yml` (its format is at the top of
`fact_words/nl.yml`); a function given a language reads that language's words and the Dutch and
English ones (employers mix in "statushouder", "TWV"); without a language, every file's words.
Digits of every script (Arabic-Indic ٠-٩, Persian ۰-۹, Ethiopic ፩-፱ and ፲-፺) are numbers.
Each function returns None when the text does not say it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Pattern, Sequence, Tuple

from bot.content import fast_yaml
from bot.content.spelling import normalise as spelling

FACT_WORDS_DIRECTORY = Path(__file__).parent / "fact_words"
# Always read beside the conversation's language: employers mix in Dutch and English terms.
SHARED_LANGUAGES = ("nl", "en")
STATUS_ORDER = ("rejected", "dublin", "ukraine", "permanent_permit", "status_holder", "asylum_seeker")
UNITS = ("month", "week", "year", "hour", "person")
PERMANENT_MONTHS = 1200.0  # an open-ended contract


@dataclass(frozen=True)
class FactWords:
    """The words of one or more languages for the facts of a check (see fact_words/nl.yml)."""

    number_words: Tuple[Tuple[str, float], ...]
    rewrite: Tuple[Tuple[str, str], ...]
    units: Tuple[Tuple[str, Tuple[str, ...]], ...]
    rate: Tuple[str, ...]
    contract: Tuple[str, ...]
    permanent_contract: Tuple[str, ...]
    in_service: Tuple[str, ...]
    status: Tuple[Tuple[str, Tuple[str, ...]], ...]
    employer: Tuple[str, ...]
    check: Tuple[str, ...]
    kind: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    subject: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "FactWords":
        """One language file's words, normalised like the messages they are looked for in."""
        def words(values: Iterable[Any]) -> Tuple[str, ...]:
            return tuple(normalise(str(v)) for v in values or ())

        units = data.get("units") or {}
        statuses = data.get("status") or {}
        unknown = set(statuses) - set(STATUS_ORDER)
        if unknown:
            raise ValueError(f"unknown statuses in fact words of {data.get('language')}: {sorted(unknown)}")
        return cls(
            number_words=tuple((normalise(str(k)), float(v)) for k, v in (data.get("number_words") or {}).items()),
            rewrite=tuple((normalise(str(k)), normalise(str(v))) for k, v in (data.get("rewrite") or {}).items()),
            units=tuple((unit, words(units.get(unit))) for unit in UNITS),
            rate=words(data.get("rate")),
            contract=words(data.get("contract")),
            permanent_contract=words(data.get("permanent_contract")),
            in_service=words(data.get("in_service")),
            status=tuple((name, words(statuses.get(name))) for name in STATUS_ORDER),
            employer=words(data.get("employer")),
            check=words(data.get("check")),
            kind=tuple((name, words((data.get("kind") or {}).get(name))) for name, _ in KIND_WORDS),
            subject=tuple((name, words((data.get("subject") or {}).get(name))) for name, _ in SUBJECT_WORDS),
        )

    @classmethod
    def merged(cls, many: Sequence["FactWords"]) -> "FactWords":
        """The words of several languages together (the first language's words first)."""
        def join(pairs: Iterable[Tuple[str, Tuple[str, ...]]]) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
            joined: Dict[str, Tuple[str, ...]] = {}
            for name, values in pairs:
                joined[name] = joined.get(name, ()) + values
            return tuple(joined.items())

        def flat(field: str) -> Tuple[Any, ...]:
            return tuple(item for words in many for item in getattr(words, field))

        return cls(
            number_words=flat("number_words"), rewrite=flat("rewrite"),
            units=join(flat("units")), rate=flat("rate"), contract=flat("contract"),
            permanent_contract=flat("permanent_contract"), in_service=flat("in_service"),
            status=join(flat("status")), employer=flat("employer"), check=flat("check"),
            kind=join(flat("kind")), subject=join(flat("subject")),
        )

    def unit(self, name: str) -> Tuple[str, ...]:
        return dict(self.units)[name]

    @cached_property
    def numbers(self) -> Dict[str, float]:
        """The number words and their values (the first language's value wins)."""
        found: Dict[str, float] = {}
        for word, value in self.number_words:
            found.setdefault(word, value)
        return found


@lru_cache(maxsize=1)
def fact_word_files() -> Dict[str, FactWords]:
    """Every language's fact words, by language code."""
    files = {}
    for path in sorted(FACT_WORDS_DIRECTORY.glob("*.yml")):
        data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        files[str(data.get("language") or path.stem)] = FactWords.from_mapping(data)
    return files


@lru_cache(maxsize=16)
def fact_words(language: Optional[str] = None) -> FactWords:
    """The words to read a message of `language` with (all languages' when it is not known)."""
    files = fact_word_files()
    if language in files:
        chosen = [language] + [code for code in SHARED_LANGUAGES if code != language and code in files]
    else:
        chosen = list(files)
    return FactWords.merged([files[code] for code in chosen])


# Ethiopic numerals: ፩-፱ (1-9), ፲-፺ (10-90), ፻ (100) — "፲፪" is 12, "፳፬" is 24.
ETHIOPIC_VALUES = {**{chr(0x1369 + i): i + 1 for i in range(9)}, **{chr(0x1372 + i): (i + 1) * 10 for i in range(9)}, "፻": 100}
ETHIOPIC_NUMBER = re.compile("[" + "".join(ETHIOPIC_VALUES) + "]+")


def _ethiopic_value(numeral: str) -> int:
    total, part = 0, 0
    for char in numeral:
        value = ETHIOPIC_VALUES[char]
        if value == 100:
            total += max(part, 1) * 100
            part = 0
        else:
            part += value
    return total + part


def normalise(text: Optional[str]) -> str:
    """The message as words are looked for in it: one spelling (bot/content/spelling.py), the
    digits of every script as 0-9 and Ethiopic numerals as numbers (" ፲፪ " becomes " 12 ")."""
    if not text:
        return ""
    text = ETHIOPIC_NUMBER.sub(lambda m: f" {_ethiopic_value(m.group(0))} ", text)
    return spelling(text)


@lru_cache(maxsize=512)
def _prepared(text: Optional[str], language: Optional[str]) -> str:
    """Normalised, with the language's rewrites applied ("half jaar" reads as "6 maanden"); a
    validation asks several questions of one message, so it is prepared once."""
    text = normalise(text)
    for phrase, replacement in fact_words(language).rewrite:
        if phrase in text:
            text = text.replace(phrase, replacement)
    return text


@lru_cache(maxsize=256)
def _alternatives(words: Tuple[str, ...]) -> Optional[Pattern[str]]:
    """One pattern for a list of words: each at the start of a written word, or anywhere inside
    one when it starts with "*"."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        if word.startswith("*"):
            parts.append(re.escape(word[1:]))
        elif word:
            parts.append(r"(?<![\w])" + re.escape(word))
    return re.compile("|".join(parts)) if parts else None


def _has_word(text: str, words: Iterable[str]) -> bool:
    pattern = _alternatives(tuple(words))
    return bool(pattern and pattern.search(text))


@lru_cache(maxsize=256)
def _quantity(numbers: Tuple[Tuple[str, float], ...], units: Tuple[str, ...]) -> Pattern[str]:
    """A number (digits, or a number word) directly followed by one of the units. A letter may
    stand right before digits (Tigrinya "ን12 ወርሒ", Arabic "ب8 ساعات"), not before a word."""
    unit = "|".join(re.escape(u.lstrip("*")) for u in sorted(set(units), key=len, reverse=True))
    named = "|".join(re.escape(w) for w, _ in sorted(set(numbers), key=lambda pair: len(pair[0]), reverse=True))
    number = r"(?<![\d.,])(\d+(?:[.,]\d+)?)"
    if named:
        number = rf"(?:{number}|(?<![\w])({named}))"
    return re.compile(rf"{number}\s*(?:-\s*)?(?:{unit})")


def _quantities(text: str, units: Iterable[str], words: FactWords) -> List[Tuple[float, int, int]]:
    """Numbers (digits or number words) directly followed by one of the units, with where the
    number and unit start and end in the text."""
    values = words.numbers
    found = []
    for match in _quantity(words.number_words, tuple(units)).finditer(text):
        digits, named = match.group(1), match.group(2) if match.lastindex and match.lastindex >= 2 else None
        found.append((float(digits.replace(",", ".")) if digits else values[named], match.start(), match.end()))
    return found


def _numbers_before(text: str, units: Iterable[str], words: FactWords) -> List[float]:
    """Numbers (digits or number words) directly followed by one of the units."""
    return [value for value, _, _ in _quantities(text, units, words)]


YES_WORDS = ("ja", "yes", "jawel", "zeker", "klopt", "yep", "yeah", "sure", "heb ik", "i do",
             "we do", "wel", "correct", "inderdaad", "is er", "there is", "hebben we")
NO_WORDS = ("nee", "no", "neen", "niet", "geen", "not", "nope", "nog niet", "none", "don't",
            "dont", "doesn't", "hebben we niet")
SUBJECT_WORDS: Sequence[Tuple[str, Tuple[str, ...]]] = (
    ("teaching_qualification", ("lesbevoegdheid", "onderwijsbevoegdheid", "teaching qualification",
                                "teaching licen", "teacher qualification", "leraarsdiploma",
                                "lerarenopleiding", "teacher training", "teaching degree")),
    ("english", ("engels", "english")),
    ("french", ("frans", "french")),
    ("mathematics", ("wiskunde", "math", "maths", "mathematics")),
    ("physics", ("natuurkunde", "physics")),
    ("chemistry", ("scheikunde", "chemistry", "chemie")),
    ("informatics", ("informatica", "informatics", "computer science", "ict")),
    ("technology", ("techniek", "technology", "technologie", "engineering")),
    ("other", ("biologie", "biology", "geschiedenis", "history", "aardrijkskunde", "geography",
               "economie", "economics", "arabisch", "arabic", "duits", "german", "muziek", "music",
               "gym", "sport", "tekenen", "art", "kunst", "religie", "religion", "spaans", "spanish",
               "ander vak", "other subject", "iets anders", "something else")),
)
KIND_WORDS: Sequence[Tuple[str, Tuple[str, ...]]] = (
    ("internship", ("stage", "stagi", "intern", "bpv", "werkervaringsplek", "work placement",
                    "traineeship", "placement")),
    ("volunteer", ("vrijwillig", "volunteer", "onbetaald", "unpaid")),
)
MONTH_NAMES: Dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "february": 2, "feb": 2,
    "maart": 3, "march": 3, "mrt": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "augustus": 8,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "october": 10,
    "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
LEVEL = re.compile(r"(?<![a-z0-9])([abc])\s?([12])(?![0-9])", re.IGNORECASE)
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# What may stand between "a year" and "2 months" for them to be one duration: at most one short
# word ("and", "en", "і", "و", "iyo") and commas or a suffix of the year word ("yılı", "ዓመትን").
YEARS_AND_MONTHS = re.compile(r"\w{0,3}[\s,]*\w{0,4}\s*")


def has_unit(text: Optional[str], language: Optional[str] = None) -> bool:
    """Whether a number in the text comes with a unit ("24 uur", "2 jaar", "3 statushouders")."""
    words = fact_words(language)
    units = [unit for _, values in words.units for unit in values]
    return bool(_numbers_before(_prepared(text, language), units, words))


def bare_number(text: Optional[str], language: Optional[str] = None) -> Optional[float]:
    """The only number in a short answer ("8", "٨", "ongeveer 12", "twee"), else None.

    A number with a unit ("24 uur") is not bare: it answers another question."""
    words = fact_words(language)
    text = _prepared(text, language)
    if has_unit(text, language):
        return None
    numbers = NUMBER.findall(text)
    if len(numbers) == 1:
        return float(numbers[0].replace(",", "."))
    if not numbers:
        values = words.numbers
        tokens = re.findall(r"[^\W\d_]+", text)
        named = [values[t] for t in tokens if t in values and t not in ("a", "an", "half")]
        if len(named) == 1 and len(tokens) <= 4:
            return named[0]
    return None


def _without_rates(text: str, words: FactWords) -> str:
    """The text without "per week"-like phrases: "24 hours a week" is a rate, not a duration."""
    pattern = _alternatives(words.rate)
    return pattern.sub(" ", text) if pattern else text


def duration_in_months(text: Optional[str], language: Optional[str] = None) -> Optional[float]:
    """A duration in months from "8 maanden", "a year", "1,5 jaar", "6 weeks", "٨ أشهر"."""
    words = fact_words(language)
    text = _without_rates(_prepared(text, language), words)
    months = _quantities(text, words.unit("month"), words)
    if months:
        value, start, _ = months[0]
        # "a year and 2 months", "рік і 2 місяці": the years just before the months count too
        before = [years for years, _, end in _quantities(text, words.unit("year"), words)
                  if end <= start and YEARS_AND_MONTHS.fullmatch(text[end:start])]
        return value + 12 * before[-1] if before else value
    years = _numbers_before(text, words.unit("year"), words)
    if years:
        return years[0] * 12
    if re.search(r"(?<![\w])(jaarcontract|year contract|year-long|one-year|1-year)", text):
        return 12.0
    weeks = _numbers_before(text, words.unit("week"), words)
    if weeks:
        return round(weeks[0] * 12 / 52, 1)
    return None


def _near(text: str, anchors: Iterable[str], span: int = 30) -> str:
    """The parts of the text within `span` characters of an anchor word."""
    pieces = []
    for anchor in anchors:
        for match in re.finditer(re.escape(anchor.lstrip("*")), text):
            pieces.append(text[max(0, match.start() - span): match.end() + span])
    return " | ".join(pieces)


def names_contract(text: Optional[str], language: Optional[str] = None) -> bool:
    """Whether the text speaks of the contract (so that a duration in it is the contract's)."""
    words = fact_words(language)
    text = _prepared(text, language)
    return _has_word(text, words.contract) or _has_word(text, words.permanent_contract)


def contract_months(text: Optional[str], language: Optional[str] = None) -> Optional[float]:
    """A contract's length in months; a permanent contract counts as open-ended (1200).

    With several durations in one message ("worked here 10 months, one year contract"), the one
    next to the word for a contract wins."""
    words = fact_words(language)
    text = _prepared(text, language)
    if _has_word(text, words.permanent_contract):
        return PERMANENT_MONTHS
    near = _near(text, words.contract, span=25)
    return (duration_in_months(near, language) if near else None) or duration_in_months(text, language)


def months_in_service(text: Optional[str], language: Optional[str] = None) -> Optional[float]:
    """How long someone has already worked for the employer: the duration next to the words
    for being in service ("werkt al 3 maanden bij ons")."""
    words = fact_words(language)
    near = _near(_prepared(text, language), words.in_service, span=30)
    if not near:
        return None
    contract = "|".join(re.escape(w.lstrip("*")) for w in words.contract)
    near = re.sub(rf"[^|]*(?:{contract})[^|]*", " ", near) if contract else near
    return duration_in_months(near, language)


NEGATIONS_BEFORE = ("zonder", "without", "geen", "no", "not", "niet", "nog geen")
NEGATIONS_AFTER = ("yet", "nog niet", "not")


def mentioned(text: Optional[str], words: Iterable[str]) -> Optional[bool]:
    """Whether the text says it has something ("met een activiteitenplan": True) or not
    ("zonder activiteitenplan", "no contract yet": False); None when it does not say."""
    text = normalise(text)
    for word in words:
        match = re.search(re.escape(normalise(word)), text)
        if match:
            before = text[max(0, match.start() - 25): match.start()]
            after = text[match.end(): match.end() + 12]
            negated = _has_word(before, NEGATIONS_BEFORE) or _has_word(after, NEGATIONS_AFTER)
            return not negated
    return None


def hours_per_week(text: Optional[str], language: Optional[str] = None) -> Optional[float]:
    """Hours a week: "24 uur", "haftada 12 saat", "٢٠ ساعة"."""
    words = fact_words(language)
    found = _numbers_before(_prepared(text, language), words.unit("hour"), words)
    return found[0] if found else None


def people_count(text: Optional[str], language: Optional[str] = None) -> Optional[int]:
    """How many people: "2 statushouders", "three refugees", "een statushouder"."""
    words = fact_words(language)
    found = _numbers_before(_prepared(text, language), words.unit("person"), words)
    return int(found[0]) if found and found[0] >= 1 and float(found[0]).is_integer() else None


def status(text: Optional[str], language: Optional[str] = None) -> Optional[str]:
    """The residence status the text names; the most specific first ("rejected asylum claim" is
    rejected, not an asylum seeker)."""
    words = fact_words(language)
    text = _prepared(text, language)
    named = [value for value, names in words.status if _has_word(text, names)]
    if "ukraine" in named and "asylum_seeker" in named and not {"permanent_permit", "status_holder"} & set(named):
        # "We met in Ukraine; he applied for asylum here, 2 months in the azc": the asylum
        # procedure is this person's status, Ukraine only a place (people who fled Ukraine
        # without temporary protection apply for asylum too).
        return "asylum_seeker"
    return named[0] if named else None


def has_employer(text: Optional[str], language: Optional[str] = None) -> bool:
    """Whether the user says they have an employer or a job offer."""
    words = fact_words(language)
    return _has_word(_prepared(text, language), words.employer)


def asks_for_check(text: Optional[str], language: Optional[str] = None) -> bool:
    """Whether the user asks to check their own situation ("kun je checken", "افحصلي")."""
    words = fact_words(language)
    return _has_word(_prepared(text, language), words.check)


@dataclass(frozen=True)
class Facts:
    """Everything a message says about the facts of a check (None: it does not say)."""

    status: Optional[str] = None
    months_in_procedure: Optional[float] = None
    hours_per_week: Optional[float] = None
    people: Optional[int] = None
    contract_months: Optional[float] = None
    has_employer: bool = False
    asks_for_check: bool = False

    @property
    def stated(self) -> bool:
        """Whether the message states any fact of a check (asking for a check is not one)."""
        return bool(self.status or self.has_employer) or any(value is not None for value in (
            self.months_in_procedure, self.hours_per_week, self.people, self.contract_months))


def facts(text: Optional[str], language: Optional[str] = None) -> Facts:
    """The facts of one message, read with the words of `language` (see `fact_words`)."""
    named_status = status(text, language)
    months = duration_in_months(text, language)
    contract = contract_months(text, language) if names_contract(text, language) else None
    if contract is not None and months == contract:
        months = None  # "a one-year contract" is not a year in the procedure
    return Facts(
        status=named_status,
        months_in_procedure=months if named_status in (None, "asylum_seeker") else None,
        hours_per_week=hours_per_week(text, language),
        people=people_count(text, language),
        contract_months=contract,
        has_employer=has_employer(text, language),
        asks_for_check=asks_for_check(text, language),
    )


def yes_no(text: Optional[str], intent: Optional[str] = None) -> Optional[bool]:
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    text = normalise(text)
    no, yes = _has_word(text, NO_WORDS), _has_word(text, YES_WORDS)
    if no:
        return False
    return True if yes else None


def _choice(text: Optional[str], table: Sequence[Tuple[str, Tuple[str, ...]]]) -> Optional[str]:
    """The one choice the text names; None when it names none or several ("stage of vrijwilliger")."""
    text = normalise(text)
    named = [value for value, words in table if _has_word(text, words)]
    return named[0] if len(named) == 1 else None


def subject(text: Optional[str], language: Optional[str] = None) -> Optional[str]:
    """A teacher's qualification or subject, by the words of SUBJECT_WORDS and the `subject` of
    `language`'s fact words ("matematik öğretmeniydim", "вчитель фізики")."""
    own = dict(fact_words(language).subject)
    return _choice(text, tuple((name, words + own.get(name, ())) for name, words in SUBJECT_WORDS))


def unpaid_kind(text: Optional[str], language: Optional[str] = None) -> Optional[str]:
    """Internship or volunteer work, by the words of KIND_WORDS and the `kind` of `language`'s
    fact words ("gönüllü", "стажировка", "تطوع")."""
    own = dict(fact_words(language).kind)
    return _choice(text, tuple((name, words + own.get(name, ())) for name, words in KIND_WORDS))


def dutch_level(text: Optional[str]) -> Optional[str]:
    match = LEVEL.search(normalise(text))
    return f"{match.group(1).upper()}{match.group(2)}" if match else None


def date(text: Optional[str]) -> Optional[dt.date]:
    """A date: 2025-07-01, 1-7-2025, 1/7/2025, 1 juli 2025, July 1 2025."""
    text = normalise(text)
    patterns = (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", lambda m: (int(m[1]), int(m[2]), int(m[3]))),
        (r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", lambda m: (int(m[3]), int(m[2]), int(m[1]))),
    )
    for pattern, parts in patterns:
        match = re.search(pattern, text)
        if match:
            try:
                return dt.date(*parts(match))
            except ValueError:
                return None
    names = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
    match = re.search(rf"(?<!\d)(\d{{1,2}})\s+({names})\.?\s+(\d{{4}})", text)
    if match:
        day, month, year = int(match[1]), MONTH_NAMES[match[2]], int(match[3])
    else:
        match = re.search(rf"(?<![\w])({names})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})", text)
        if not match:
            return None
        day, month, year = int(match[2]), MONTH_NAMES[match[1]], int(match[3])
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
