"""Finding and redacting personal data that users type: V-numbers, BSNs, phone numbers,
e-mail addresses and IBANs here; names, addresses, postcodes, dates of birth and passport or
ID-card numbers in `bot.privacy.identity`.

Used before anything is kept (tracker store, logs, helpdesk tickets). Numbers are checked where a
check exists (BSN: the eleven test; IBAN: mod 97) and dates, amounts and times are left alone, so
that ordinary numbers ("8 months", "€6.000", "29-11-2023", "20 hours", "2024") stay readable.
A word such as "BSN", "V-nummer" or "IBAN" just before a number makes it personal even when a
check fails (a typo in one's own BSN is still one's BSN).

Public contact details (a helpdesk's phone number or e-mail address that the assistant itself
gives) are not personal data: `Redactor(public=...)` leaves them as they are.

Measured on a labelled set by `python -m bot privacy-report` (README, "Reliability and privacy").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import FrozenSet, Iterable, List, Optional

import phonenumbers
from stdnum.nl import bsn as nl_bsn

from bot.privacy.identity import PersonalWords, default_words, find_identity, merge_addresses

PLACEHOLDERS = {
    "email": "[e-mail]",
    "iban": "[IBAN]",
    "phone": "[phone]",
    "bsn": "[BSN]",
    "v_number": "[V-number]",
    "number": "[number]",
    "name": "[name]",
    "address": "[address]",
    "postcode": "[postcode]",
    "birth_date": "[date of birth]",
    "document": "[document number]",
}

# Letters and digits of any script; `\w` in Python is Unicode-aware.
_EMAIL = re.compile(
    r"[\w.+-]+(?:@|\s?[\[(]at[\])]\s?)[\w-]+(?:(?:\.|\s?[\[(]dot[\])]\s?)[\w-]+)*"
    r"(?:\.|\s?[\[(]dot[\])]\s?)[^\W\d_]{2,}",
    re.IGNORECASE,
)
# Two letters, two check digits, then 11 to 30 letters or digits, optionally grouped by spaces.
_IBAN = re.compile(r"(?<![^\W_])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}", re.IGNORECASE)
_DUTCH_IBAN_SHAPE = re.compile(r"^NL\d{2}[A-Z]{4}\d{10}$")
# Lengths of IBANs per country (ISO 13616 registry), for the countries users are likely to have.
IBAN_LENGTHS = {
    "NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "LU": 20, "AT": 20, "CH": 21, "ES": 24,
    "IT": 27, "PL": 28, "TR": 26, "UA": 29, "SE": 24, "DK": 18, "NO": 15, "IE": 22, "PT": 25,
}
# A run of digits (any script) with the separators people use in numbers: space, dot, dash,
# brackets. Not preceded or followed by a letter or digit, nor preceded by a currency sign.
_NUMBER_RUN = re.compile(r"(?<![\w€$£(])\(?\+?\d(?:[ .()-]{0,3}\d){5,17}(?![\w%€])")
# V-number (vreemdelingennummer): 10 digits, sometimes written straight after a V.
_V_NUMBER = re.compile(r"(?<![^\W_])V[- ]?\d{10}(?!\w)", re.IGNORECASE)
_DATE = re.compile(r"^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$|^\d{4}[-./]\d{1,2}[-./]\d{1,2}$")
_AMOUNT = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?$")  # 1.000.000 / 12.345,50
# Words that make the number after them personal data, in the languages users write in.
_CONTEXT = {
    "bsn": r"bsn|burger\s?service\s?nummer|sofi\s?-?nummer|citizen\s?service\s?number|"
    r"social\s?security\s?number",
    "v_number": r"v\s?-?\s?(?:nummer|number|nr\.?|no\.?)|vreemdelingen\s?nummer|alien\s?number",
    "iban": r"iban|rekening\s?nummer|bank\s?(?:account|rekening)(?:\s?number)?|account\s?number",
    "phone": r"tel(?:efoon)?(?:\s?nummer)?|phone|mobiel|mobile|gsm|whats\s?app|nummer|number|"
    r"bel(?:len)?|call|رقم|هاتف|телефон|номер",
}
_CONTEXT_BEFORE = {
    kind: re.compile(r"(?:" + words + r")\W{0,6}(?:\w+\W{1,3}){0,2}$", re.IGNORECASE)
    for kind, words in _CONTEXT.items()
}


@dataclass(frozen=True)
class Span:
    """Where one piece of personal data stands in a text, and what it is."""

    kind: str
    start: int
    end: int


def ascii_digits(text: str) -> str:
    """The digits of `text` as ASCII digits (Arabic-Indic and Persian digits too)."""
    return "".join(str(unicodedata.decimal(ch)) for ch in text if unicodedata.decimal(ch, None) is not None)


def is_bsn(digits: str) -> bool:
    """The Dutch eleven test for citizen service numbers (8 or 9 digits; python-stdnum)."""
    return len(digits) in (8, 9) and digits.isdigit() and digits.strip("0") != "" and nl_bsn.is_valid(digits)


def is_iban(candidate: str) -> bool:
    """True when `candidate` (spaces allowed) passes the IBAN mod-97 check. Only that check:
    python-stdnum's also checks each country's own check digits, and a mistyped or made-up IBAN
    that fails those is still what a user typed as their account number."""
    compact = re.sub(r"\s", "", candidate).upper()
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha() or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(ch, 36)) for ch in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def is_possible_phone(candidate: str) -> bool:
    """Whether an international number (+ or 00) can be a phone number in its country's numbering
    plan (phonenumberslite); 9 to 15 digits when it cannot be parsed."""
    digits = ascii_digits(candidate)
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse("+" + digits.removeprefix("00").lstrip("+")))
    except phonenumbers.NumberParseException:
        return 9 <= len(digits) <= 15


def _prefix_end(text: str, start: int, end: int, length: int) -> int:
    """The end of the shortest prefix of text[start:end] that holds `length` non-space chars."""
    seen = 0
    for index in range(start, end):
        if not text[index].isspace():
            seen += 1
            if seen == length:
                return index + 1
    return end


def _has_context(text: str, start: int, kind: str) -> bool:
    return bool(_CONTEXT_BEFORE[kind].search(text[max(0, start - 40):start]))


def _classify_number(text: str, start: int, end: int) -> Optional[str]:
    """The kind of personal data a run of digits is, or None for an ordinary number."""
    candidate = text[start:end].strip().lstrip("(")
    digits = ascii_digits(candidate)
    international = candidate.startswith("+") or digits.startswith("00")
    if _DATE.match(candidate) or _AMOUNT.match(candidate) and not international:
        return None
    if international:
        return "phone" if 9 <= len(digits) <= 15 and is_possible_phone(digits) else None
    if _has_context(text, start, "bsn") and len(digits) in (8, 9):
        return "bsn"
    if _has_context(text, start, "v_number") and 8 <= len(digits) <= 10:
        return "v_number"
    if len(digits) == 9 and not digits.startswith("0") and is_bsn(digits):
        return "bsn"
    if len(digits) == 10 and not digits.startswith("0"):
        return "v_number"
    if digits.startswith("0") and len(digits) == 10:
        return "phone"  # Dutch numbers: 06-12345678, 020 123 4567
    if digits.startswith(("0800", "0900")) and 8 <= len(digits) <= 11:
        return "phone"
    if len(digits) >= 11 or (len(digits) >= 8 and _has_context(text, start, "phone")):
        return "phone" if _has_context(text, start, "phone") else "number"
    return None


class Redactor:
    """Finds and replaces personal data; contact details in `public` are left alone."""

    def __init__(self, public: Iterable[str] = (), words: Optional[PersonalWords] = None) -> None:
        self.words = words  # None: the words of bot/privacy/personal_words/, read when first needed
        self.public_numbers: FrozenSet[str] = frozenset(
            ascii_digits(item) for item in public if "@" not in item and ascii_digits(item)
        )
        self.public_emails: FrozenSet[str] = frozenset(
            item.strip().lower() for item in public if "@" in item
        )

    def _is_public(self, kind: str, value: str) -> bool:
        if kind == "email":
            return value.lower() in self.public_emails
        return ascii_digits(value) in self.public_numbers

    def find(self, text: str) -> List[Span]:
        """Where personal data stands in `text`, most specific kind first, not overlapping."""
        found: List[Span] = []

        def add(kind: str, start: int, end: int) -> None:
            if self._is_public(kind, text[start:end]):
                return
            if not any(s.start < end and start < s.end for s in found):
                found.append(Span(kind, start, end))

        for match in _EMAIL.finditer(text):
            add("email", match.start(), match.end())
        for match in _IBAN.finditer(text):
            iban = self._iban_span(text, match.start(), match.end())
            if iban is not None:
                add("iban", *iban)
        for match in _V_NUMBER.finditer(text):
            add("v_number", match.start(), match.end())
        for match in _NUMBER_RUN.finditer(text):
            kind = _classify_number(text, match.start(), match.end())
            if kind is not None:
                add(kind, match.start(), match.end())
        for kind, start, end in merge_addresses(list(find_identity(text, self.words or default_words())), text):
            add(kind, start, end)
        return sorted(found, key=lambda s: s.start)

    def _iban_span(self, text: str, start: int, end: int) -> Optional[tuple]:
        country = text[start:start + 2].upper()
        lengths = [IBAN_LENGTHS[country]] if country in IBAN_LENGTHS else range(34, 14, -1)
        for length in lengths:
            stop = _prefix_end(text, start, end, length)
            compact = re.sub(r"\s", "", text[start:stop]).upper()
            if len(compact) != length:
                continue
            if is_iban(compact) or _DUTCH_IBAN_SHAPE.match(compact) or _has_context(text, start, "iban"):
                return start, stop
        return None

    def redact(self, text: str) -> str:
        """`text` with every piece of personal data replaced by a placeholder such as `[BSN]`."""
        if not text:
            return text
        return _redact_cached(self, text)


@lru_cache(maxsize=4096)
def _redact_cached(redactor: Redactor, text: str) -> str:
    parts: List[str] = []
    position = 0
    for span in redactor.find(text):
        parts.append(text[position:span.start])
        parts.append(PLACEHOLDERS[span.kind])
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


_DEFAULT = Redactor()


def find_personal_data(text: str) -> List[Span]:
    """Where personal data stands in `text` (no public contacts known)."""
    return _DEFAULT.find(text)


def redact(text: str) -> str:
    """`text` with every piece of personal data replaced by a placeholder (no public contacts)."""
    return _DEFAULT.redact(text)
