"""`python -m bot content`: what content work is waiting, per language and per rule.

Per language: how many texts it has, how many a native speaker has not reviewed (or reviewed
against a Dutch text that has changed since), and how many of the Dutch texts it lacks. Per rule:
which are past their `review_by` date and which fall due within the next `days` days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, TextIO

from bot.content.rulebook import Rule, Rulebook
from bot.content.translations import Translations

DUE_WITHIN_DAYS = 60


@dataclass(frozen=True)
class LanguageReport:
    code: str
    name: str
    texts: int
    unreviewed: int
    missing: int


def language_reports(translations: Translations) -> List[LanguageReport]:
    source = translations.review_status(translations.default)
    reports = []
    for code in translations.codes:
        status = translations.review_status(code)
        reports.append(LanguageReport(
            code=code,
            name=translations.languages[code].name,
            texts=len(status),
            unreviewed=sum(1 for ok in status.values() if not ok),
            missing=len(set(source) - set(status)),
        ))
    return reports


def rules_due(book: Rulebook, today: dt.date, days: int = DUE_WITHIN_DAYS) -> List[Rule]:
    """Rules whose `review_by` has passed or falls within `days` days, soonest first."""
    return book.overdue_reviews(today) + book.due_within(days, today)


def report(project: Path, out: TextIO, today: Optional[dt.date] = None) -> int:
    """Prints the report; returns how many items wait (texts unreviewed or missing, rules due)."""
    today = today or dt.date.today()
    translations = Translations.load(project / "translations")
    waiting = 0
    print("Texts per language (review status per text: bot/content/review.py)", file=out)
    print(f"  {'language':<22}{'texts':>7}{'unreviewed':>12}{'missing':>9}", file=out)
    for item in language_reports(translations):
        print(f"  {item.code + ' ' + item.name:<22}{item.texts:>7}{item.unreviewed:>12}{item.missing:>9}", file=out)
        waiting += item.unreviewed + item.missing
    book = Rulebook.load(project / "actions" / "rules")
    due = rules_due(book, today)
    print(f"\nRules past or within {DUE_WITHIN_DAYS} days of their review date (today {today.isoformat()})", file=out)
    for rule in due:
        state = "OVERDUE" if rule.review_by < today else "due"
        print(f"  {state:<8}{rule.review_by.isoformat()}  {rule.id}  ({rule.source_name})", file=out)
    if not due:
        print("  none", file=out)
    return waiting + len(due)
