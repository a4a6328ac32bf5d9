"""Rules kept as data: the YAML files in `actions/rules/`, evaluated for a date.

Every number or rule the assistant states comes from here. A rule has an id, a statement, a
source (name and url), a confidence (D: read on the official page, S: secondary source only,
U: not confirmed), `valid_from` (the day the rule started to hold), an optional `valid_until`,
a required `review_by` (after it the answer says when the rule was last checked), and the values
the assistant may say. Optional: `confirmed_on` (the date of the source, when the day the rule
started to hold is unknown: the answer then says "confirmed on" instead of "holds since"),
`checked_on` (the day someone last checked the rule against its source), `referral` (who to ask)
and `caveat` (a translation key said with every answer that uses the rule).
Several entries may share an id for different periods; `get(id, on=date)` picks the one in force
on that date. Every function that depends on today takes the day as an argument.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional

from bot.content import fast_yaml

# The rules are content kept next to the actions that apply them.
RULES_DIRECTORY = Path(__file__).resolve().parents[2] / "actions" / "rules"
CONFIDENCE_LEVELS = ("D", "S", "U")


class RuleError(ValueError):
    """A rule file is malformed: no source, no date, or an unknown confidence."""


class NoRuleInForce(LookupError):
    """No version of a rule holds on the asked date."""


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str
    source_name: str
    source_url: str
    confidence: str
    valid_from: dt.date
    review_by: dt.date
    valid_until: Optional[dt.date] = None
    confirmed_on: Optional[dt.date] = None
    checked_on: Optional[dt.date] = None
    referral: Optional[str] = None
    caveat: Optional[str] = None
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def certain(self) -> bool:
        return self.confidence == "D"

    def holds_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def stale_on(self, day: dt.date) -> bool:
        """True when the rule is past its `review_by` on `day`: still answered, with a warning."""
        return self.review_by < day

    @property
    def shown_date(self) -> dt.date:
        """The date an answer shows: the start date, or the source's date when that is unknown."""
        return self.confirmed_on or self.valid_from

    @property
    def last_checked(self) -> dt.date:
        """When the rule was last checked against its source (at the latest its source's date)."""
        return self.checked_on or self.confirmed_on or self.valid_from

    @property
    def source(self) -> str:
        return f"{self.source_name} ({self.source_url})" if self.source_url else self.source_name


def _date(value: Any, where: str, required: bool) -> Optional[dt.date]:
    if value is None:
        if required:
            raise RuleError(f"{where}: missing date")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise RuleError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from error


def parse_rule(raw: Mapping[str, Any], where: str) -> Rule:
    if not isinstance(raw, Mapping) or not raw.get("id"):
        raise RuleError(f"{where}: a rule needs an id")
    where = f"{where}: {raw['id']}"
    source = raw.get("source") or {}
    if not isinstance(source, Mapping) or not source.get("name"):
        raise RuleError(f"{where}: missing source")
    if raw.get("confidence") not in CONFIDENCE_LEVELS:
        raise RuleError(f"{where}: confidence must be one of {CONFIDENCE_LEVELS}")
    if not raw.get("statement"):
        raise RuleError(f"{where}: missing statement")
    rule = Rule(
        id=str(raw["id"]),
        statement=" ".join(str(raw["statement"]).split()),
        source_name=str(source["name"]),
        source_url=str(source.get("url") or ""),
        confidence=raw["confidence"],
        valid_from=_date(raw.get("valid_from"), f"{where} valid_from", required=True),
        review_by=_date(raw.get("review_by"), f"{where} review_by", required=True),
        valid_until=_date(raw.get("valid_until"), f"{where} valid_until", required=False),
        confirmed_on=_date(raw.get("confirmed_on"), f"{where} confirmed_on", required=False),
        checked_on=_date(raw.get("checked_on"), f"{where} checked_on", required=False),
        referral=raw.get("referral"),
        caveat=raw.get("caveat"),
        values=dict(raw.get("values") or {}),
    )
    if rule.valid_until is not None and rule.valid_until < rule.valid_from:
        raise RuleError(f"{where}: valid_until is before valid_from")
    return rule


class Rulebook:
    """All rules, by id, each with its versions over time."""

    def __init__(self, rules: Iterable[Rule]):
        self._versions: Dict[str, List[Rule]] = {}
        for rule in rules:
            self._versions.setdefault(rule.id, []).append(rule)
        for rule_id, versions in self._versions.items():
            versions.sort(key=lambda r: r.valid_from)
            for earlier, later in zip(versions, versions[1:]):
                if earlier.valid_until is None or earlier.valid_until >= later.valid_from:
                    raise RuleError(f"{rule_id}: versions overlap in time")

    @classmethod
    def load(cls, directory: Path = RULES_DIRECTORY) -> "Rulebook":
        rules: List[Rule] = []
        for path in sorted(Path(directory).glob("*.yml")):
            data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for index, raw in enumerate(data.get("rules") or []):
                rules.append(parse_rule(raw, f"{path.name}[{index}]"))
        return cls(rules)

    def ids(self) -> List[str]:
        return sorted(self._versions)

    def all_rules(self) -> List[Rule]:
        return [rule for versions in self._versions.values() for rule in versions]

    def get(self, rule_id: str, on: Optional[dt.date] = None) -> Rule:
        day = on or dt.date.today()
        for rule in self._versions.get(rule_id, ()):
            if rule.holds_on(day):
                return rule
        raise NoRuleInForce(f"no version of {rule_id} holds on {day.isoformat()}")

    def overdue_reviews(self, on: Optional[dt.date] = None) -> List[Rule]:
        """The rules past their `review_by` on `on` (default today)."""
        day = on or dt.date.today()
        return sorted((r for r in self.all_rules() if r.stale_on(day)), key=lambda r: (r.review_by, r.id))

    def due_within(self, days: int, on: dt.date) -> List[Rule]:
        """The rules whose `review_by` falls in the next `days` days after `on` (inclusive),
        soonest first: what `python -m bot check` lists for the content team."""
        last = on + dt.timedelta(days=days)
        due = (r for r in self.all_rules() if on <= r.review_by <= last)
        return sorted(due, key=lambda r: (r.review_by, r.id))
