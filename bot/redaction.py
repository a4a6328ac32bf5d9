"""Finding and redacting personal data that users type: V-numbers, BSNs, phone numbers,
e-mail addresses and IBANs.

Used before anything is kept (tracker store, logs, helpdesk tickets). Numbers are checked where a
check exists (BSN: the eleven test; IBAN: mod 97) so that ordinary numbers ("8 months",
"€6.000", "20 hours", "2024") are not redacted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

PLACEHOLDERS = {
    "email": "[e-mail]",
    "iban": "[IBAN]",
    "phone": "[phone]",
    "bsn": "[BSN]",
    "v_number": "[V-number]",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}", re.UNICODE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b", re.IGNORECASE)
# V-number (vreemdelingennummer): 10 digits, sometimes written straight after a V.
_V_NUMBER = re.compile(r"\bV[- ]?\d{10}\b", re.IGNORECASE)
_DIGITS_RUN = re.compile(r"(?<![\w€$.,])\+?\d[\d .()/-]{6,18}\d(?![\w%])")


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def is_bsn(digits: str) -> bool:
    """The Dutch eleven test for citizen service numbers (8 or 9 digits)."""
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


def is_iban(candidate: str) -> bool:
    compact = re.sub(r"\s", "", candidate).upper()
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha():
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(ch, 36)) for ch in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def _is_phone(candidate: str) -> bool:
    digits = _digits(candidate)
    stripped = candidate.strip()
    if stripped.startswith("+") or stripped.startswith("00"):
        return 9 <= len(digits) <= 15
    if digits.startswith("0") and len(digits) == 10:
        return True  # Dutch numbers: 06-12345678, 070 315 21 11
    if digits.startswith("0800") or digits.startswith("0900"):
        return 8 <= len(digits) <= 11
    return False


def find_personal_data(text: str) -> List[Span]:
    """Where personal data stands in `text`, longest and most specific first, not overlapping."""
    found: List[Span] = []

    def add(kind: str, start: int, end: int) -> None:
        if not any(s.start < end and start < s.end for s in found):
            found.append(Span(kind, start, end))

    for match in _EMAIL.finditer(text):
        add("email", match.start(), match.end())
    for match in _IBAN.finditer(text):
        if is_iban(match.group()):
            add("iban", match.start(), match.end())
    for match in _V_NUMBER.finditer(text):
        add("v_number", match.start(), match.end())
    for match in _DIGITS_RUN.finditer(text):
        candidate = match.group()
        digits = _digits(candidate)
        if is_bsn(digits) and not candidate.strip().startswith(("+", "0")):
            add("bsn", match.start(), match.end())
        elif len(digits) == 10 and not candidate.strip().startswith(("+", "0")):
            add("v_number", match.start(), match.end())
        elif _is_phone(candidate):
            add("phone", match.start(), match.end())
        elif is_bsn(digits):
            add("bsn", match.start(), match.end())
    return sorted(found, key=lambda s: s.start)


def redact(text: str) -> str:
    """`text` with every piece of personal data replaced by a placeholder such as `[BSN]`."""
    if not text:
        return text
    parts: List[str] = []
    position = 0
    for span in find_personal_data(text):
        parts.append(text[position:span.start])
        parts.append(PLACEHOLDERS[span.kind])
        position = span.end
    parts.append(text[position:])
    return "".join(parts)
