"""What every eligibility check returns: a verdict with reasons, a next step and a contact.

The checks (`work_permission`, `employer_subsidy`, `teacher_subsidy`, `unpaid_work`) are pure
functions of the answers and the rules in force on a date; they name their sentences by
translation key, so that the form actions only collect answers and present the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

from bot.content.rulebook import Rule


@dataclass(frozen=True)
class Finding:
    """One sentence of an outcome: a translation key and the values it needs."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """The result of a check.

    `verdict` is a short code (e.g. "yes", "no", "not_yet", "unclear") that tests and the
    helpdesk can read; `headline`, `reasons`, `next_step` and `contact` are what the user reads;
    `rules` are the rules the outcome rests on (their sources are shown); `facts` holds computed
    numbers (e.g. the subsidy amount) for tests and presentation.
    """

    check: str
    verdict: str
    headline: Finding
    reasons: Tuple[Finding, ...]
    next_step: Finding
    contact: Finding
    rules: Tuple[Rule, ...]
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def uncertain(self) -> bool:
        """True when the outcome rests on a rule that is not confirmed (S or U)."""
        return any(not rule.certain for rule in self.rules)

    def values(self) -> Dict[str, Any]:
        """Every value of every rule the outcome rests on, for the texts' placeholders."""
        merged: Dict[str, Any] = {}
        for rule in self.rules:
            merged.update(rule.values)
        merged.update(self.facts)
        return merged


def months_left(months: float, needed: float) -> int:
    """Whole months still to wait (at least 1 when not yet there)."""
    left = needed - months
    return max(1, int(left) if float(left).is_integer() else int(left) + 1)


def optional_rule(book: Any, rule_id: str, on: Any) -> Optional[Rule]:
    """The version of a rule in force on a date, or None when there is none."""
    from bot.content.rulebook import NoRuleInForce

    try:
        return book.get(rule_id, on=on)
    except NoRuleInForce:
        return None
