"""Reading answers from what users write: numbers with units, statuses, yes/no, dates, levels.

Users answer in their own words and scripts ("8 maanden", "٨ أشهر", "a year", "ja", "B1",
"I have a residence permit"). These functions turn such text into slot values; they know the
words of the languages with NLU data (nl, en) and digits of every script (Arabic-Indic ٠-٩,
Persian ۰-۹, ...). Each returns None when the text does not say it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

# Number words that users write instead of digits (lower case, nl and en).
NUMBER_WORDS: Dict[str, float] = {
    "een": 1, "één": 1, "eén": 1, "one": 1, "a": 1, "an": 1,
    "twee": 2, "two": 2, "drie": 3, "three": 3, "vier": 4, "four": 4, "vijf": 5, "five": 5,
    "zes": 6, "six": 6, "zeven": 7, "seven": 7, "acht": 8, "eight": 8, "negen": 9, "nine": 9,
    "tien": 10, "ten": 10, "elf": 11, "eleven": 11, "twaalf": 12, "twelve": 12,
    "anderhalf": 1.5, "half": 0.5,
}
# Units, as the start of a word (so "maanden", "months", "mnd" all match "maand"/"month"/"mnd").
# Also the unit words of the languages being added (ar, fa, tr, uk, ti), so that "٨ أشهر" works.
MONTH_WORDS = ("maand", "mnd", "month", "mth", "أشهر", "اشهر", "شهر", "شهور", "ماه", "ay",
               "місяц", "міс", "месяц", "ወርሒ", "ኣዋርሕ")
WEEK_WORDS = ("week", "weken", "wk", "أسبوع", "اسبوع", "هفته", "hafta", "тижн", "ሰሙን")
YEAR_WORDS = ("jaar", "jaren", "year", "yr", "سنة", "سنوات", "عام", "سال", "yıl", "yil", "рік",
              "роки", "років", "год", "ዓመት", "ዓመታት")
HOUR_WORDS = ("uur", "uren", "hour", "hr", "u/w", "h/w", "u per", "h per", "ساعة", "ساعات",
              "ساعت", "saat", "годин", "ሰዓት")
# "24 hours a week" is a rate, not a duration of one week.
RATE = re.compile(
    r"(?<![\w])((per|each|every|in de|in the|/)\s*(week|wk|jaar|year)|(a|an)\s+(week|wk))\b"
)
PEOPLE_WORDS = (
    "statushouder", "status holder", "statusholder", "persoon", "personen", "person", "people",
    "mensen", "man", "vluchteling", "refugee", "werknemer", "employee", "medewerker",
    "kandidat", "kandidaat", "candidate", "nieuwkomer", "asielzoeker", "asylum seeker",
    "oekraïner", "oekrainer", "ukrainian", "docent", "teacher", "stagiair", "intern",
)
PERMANENT_CONTRACT = (
    "vast contract", "vaste baan", "onbepaalde tijd", "permanent contract", "permanent job",
    "indefinite", "open-ended", "open ended",
)
# Statuses, most specific first: "afgewezen asielaanvraag" is rejected, not asylum_seeker.
STATUS_WORDS: Sequence[Tuple[str, Tuple[str, ...]]] = (
    ("rejected", ("afgewezen", "rejected", "negatieve beslissing", "negative decision",
                  "refused", "denied", "uitgeprocedeerd", "no permit", "geen vergunning gekregen")),
    ("dublin", ("dublin",)),
    ("ukraine", ("oekra", "ukrain", "tijdelijke bescherming", "temporary protection")),
    ("permanent_permit", ("permanente verblijfsvergunning", "permanent residence", "permanent permit",
                          "verblijfsvergunning voor onbepaalde tijd", "onbepaalde tijd verblijf")),
    ("status_holder", ("statushouder", "status holder", "statusholder", "verblijfsvergunning",
                       "residence permit", "status gekregen", "got my status", "got status",
                       "refugee status", "vluchtelingenstatus", "erkende vluchteling",
                       "recognised refugee", "recognized refugee", "met status", "with status",
                       "asielvergunning", "have a permit", "heb een vergunning", "heb status",
                       "have status", "i have my status", "heb mijn status", "mijn status",
                       "my status", "status heb", "got a permit", "vergunning gekregen")),
    ("asylum_seeker", ("asielzoeker", "asylum seeker", "asylum", "asiel", "azc", "procedure",
                       "w-document", "w document", "reception centre", "reception center",
                       "coa", "ind beslissing", "wacht op de ind", "waiting for the ind",
                       "for the ind", "op de ind", "bij de ind")),
)
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


def normalise(text: Optional[str]) -> str:
    """Lower case, NFKC, and every decimal digit of any script as 0-9 (٨ and ۸ become 8)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    chars: List[str] = []
    for ch in text:
        if ch.isdigit() and not ("0" <= ch <= "9"):
            try:
                chars.append(str(unicodedata.decimal(ch)))
                continue
            except ValueError:
                pass
        chars.append(ch)
    return "".join(chars).replace("’", "'")


def _has_word(text: str, words: Iterable[str]) -> bool:
    return any(re.search(r"(?<![\w])" + re.escape(word), text) for word in words)


def _numbers_before(text: str, unit_words: Iterable[str]) -> List[float]:
    """Numbers (digits or number words) directly followed by one of the units."""
    units = "|".join(re.escape(u) for u in unit_words)
    words = "|".join(re.escape(w) for w in sorted(NUMBER_WORDS, key=len, reverse=True))
    pattern = re.compile(
        rf"(?<![\w.,])(\d+(?:[.,]\d+)?|{words})\s*(?:-\s*)?(?:{units})", re.IGNORECASE
    )
    found = []
    for match in pattern.finditer(text):
        token = match.group(1)
        found.append(NUMBER_WORDS[token] if token in NUMBER_WORDS else float(token.replace(",", ".")))
    return found


def has_unit(text: Optional[str]) -> bool:
    """Whether a number in the text comes with a unit ("24 uur", "2 jaar", "3 statushouders")."""
    text = normalise(text)
    units = MONTH_WORDS + WEEK_WORDS + YEAR_WORDS + HOUR_WORDS + PEOPLE_WORDS
    return bool(_numbers_before(text, units))


def bare_number(text: Optional[str]) -> Optional[float]:
    """The only number in a short answer ("8", "٨", "ongeveer 12", "twee"), else None.

    A number with a unit ("24 uur") is not bare: it answers another question."""
    text = normalise(text)
    if has_unit(text):
        return None
    numbers = NUMBER.findall(text)
    if len(numbers) == 1:
        return float(numbers[0].replace(",", "."))
    if not numbers:
        tokens = re.findall(r"[^\W\d_]+", text)
        values = [NUMBER_WORDS[t] for t in tokens if t in NUMBER_WORDS and t not in ("a", "an", "half")]
        if len(values) == 1 and len(tokens) <= 4:
            return values[0]
    return None


def duration_in_months(text: Optional[str]) -> Optional[float]:
    """A duration in months from "8 maanden", "a year", "1,5 jaar", "6 weeks", "half a year"."""
    text = RATE.sub(" ", normalise(text))
    if re.search(r"(half a year|half year|half jaar|halfjaar|een half jaar)", text):
        return 6.0
    months = _numbers_before(text, MONTH_WORDS)
    if months:
        return months[0]
    years = _numbers_before(text, YEAR_WORDS)
    if years:
        return years[0] * 12
    if re.search(r"(?<![\w])(jaarcontract|year contract|year-long|one-year|1-year)", text):
        return 12.0
    weeks = _numbers_before(text, WEEK_WORDS)
    if weeks:
        return round(weeks[0] * 12 / 52, 1)
    return None


def _near(text: str, anchors: Iterable[str], span: int = 30) -> str:
    """The parts of the text within `span` characters of an anchor word."""
    pieces = []
    for anchor in anchors:
        for match in re.finditer(re.escape(anchor), text):
            pieces.append(text[max(0, match.start() - span): match.end() + span])
    return " | ".join(pieces)


def contract_months(text: Optional[str]) -> Optional[float]:
    """A contract's length in months; a permanent contract counts as open-ended (1200).

    With several durations in one message ("worked here 10 months, one year contract"), the one
    next to the word "contract" wins."""
    text = normalise(text)
    if _has_word(text, PERMANENT_CONTRACT):
        return 1200.0
    near = _near(text, ("contract", "aanstelling"), span=25)
    return (duration_in_months(near) if near else None) or duration_in_months(text)


def months_in_service(text: Optional[str], anchors: Iterable[str]) -> Optional[float]:
    """How long someone has already worked for the employer: the duration next to the anchors."""
    near = _near(normalise(text), anchors, span=30)
    if not near:
        return None
    near = re.sub(r"[^|]*contract[^|]*", " ", near) if "contract" in near else near
    return duration_in_months(near)


def mentioned(text: Optional[str], words: Iterable[str]) -> Optional[bool]:
    """Whether the text says it has something ("met een activiteitenplan": True) or not
    ("zonder activiteitenplan", "no contract yet": False); None when it does not say."""
    text = normalise(text)
    for word in words:
        match = re.search(re.escape(word), text)
        if match:
            before = text[max(0, match.start() - 25): match.start()]
            after = text[match.end(): match.end() + 12]
            negated = _has_word(before, ("zonder", "without", "geen", "no", "not", "niet", "nog geen"))
            negated = negated or _has_word(after, ("yet", "nog niet", "not"))
            return not negated
    return None


def hours_per_week(text: Optional[str]) -> Optional[float]:
    text = normalise(text)
    found = _numbers_before(text, HOUR_WORDS)
    return found[0] if found else None


def people_count(text: Optional[str]) -> Optional[int]:
    """How many people: "2 statushouders", "three refugees", "een statushouder"."""
    found = _numbers_before(normalise(text), PEOPLE_WORDS)
    return int(found[0]) if found and found[0] >= 1 and float(found[0]).is_integer() else None


def status(text: Optional[str]) -> Optional[str]:
    text = normalise(text)
    for value, words in STATUS_WORDS:
        if _has_word(text, words):
            return value
    return None


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


def subject(text: Optional[str]) -> Optional[str]:
    return _choice(text, SUBJECT_WORDS)


def unpaid_kind(text: Optional[str]) -> Optional[str]:
    return _choice(text, KIND_WORDS)


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
