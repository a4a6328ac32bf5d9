"""What the content team sees: the counts with small cells hidden, and the unanswered questions
grouped by similarity.

Small cells: a cell with fewer than `SMALL_CELL` conversations shows "< 5" for every measure, so a
rare combination (one Tigrinya conversation on Telegram with a crisis answer, on one day) cannot
point at a person.

Grouping: texts are compared per language on their words (lower case, letters and digits, the
placeholders of redaction kept as words): two texts are similar when their word sets overlap by at
least `SIMILAR` (Jaccard: shared words / all words), or their characters by difflib's ratio.
Each text joins the first group whose first text is similar; groups are shown largest first.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Union

from bot.analytics.counting import ALL, MEASURES, Cell
from bot.analytics.store import StoredQuestion

SMALL_CELL = 5
SMALL = f"< {SMALL_CELL}"
SIMILAR = 0.5
SIMILAR_CHARACTERS = 0.8
EXAMPLES_PER_GROUP = 3
Shown = Union[int, str]


def shown(measures: Dict[str, int]) -> Dict[str, Shown]:
    """The measures of one cell as shown: all "< 5" when it has fewer than 5 conversations."""
    if measures.get("conversations", 0) < SMALL_CELL:
        return {measure: SMALL for measure in MEASURES}
    return {measure: measures.get(measure, 0) for measure in MEASURES}


def _rows(cells: Dict[Cell, Dict[str, int]], keys: Iterable[str], wanted) -> List[Dict[str, Any]]:
    rows = []
    for cell in sorted(c for c in cells if wanted(c)):
        row: Dict[str, Any] = {"day": cell.day}
        row.update({key: getattr(cell, key) for key in keys})
        row.update(shown(cells[cell]))
        rows.append(row)
    return rows


def stats(cells: Dict[Cell, Dict[str, int]], groups: List["QuestionGroup"]) -> Dict[str, Any]:
    """The JSON of `GET /api/stats`."""
    return {
        "small_cell": SMALL_CELL,
        "measures": list(MEASURES),
        "days": _rows(cells, (), lambda c: (c.language, c.channel, c.topic) == (ALL, ALL, ALL)),
        "by_language": _rows(cells, ("language",), lambda c: c.language != ALL and (c.channel, c.topic) == (ALL, ALL)),
        "by_topic": _rows(cells, ("topic",), lambda c: c.topic != ALL and (c.language, c.channel) == (ALL, ALL)),
        "by_channel": _rows(cells, ("channel",), lambda c: c.channel != ALL and (c.language, c.topic) == (ALL, ALL)),
        "by_topic_and_language": _rows(
            cells, ("topic", "language"), lambda c: c.channel == ALL and ALL not in (c.language, c.topic)
        ),
        "cells": _rows(cells, ("language", "channel", "topic"), lambda c: ALL not in (c.language, c.channel, c.topic)),
        "unanswered": [group.as_json() for group in groups],
    }


def cells_csv(report: Dict[str, Any]) -> str:
    """The finest cells of a report as CSV (one row per day, language, channel and topic)."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["day", "language", "channel", "topic", *MEASURES]
    writer.writerow(header)
    for row in report["cells"]:
        writer.writerow([spreadsheet_safe(row[key]) for key in header])
    return out.getvalue()


def spreadsheet_safe(value: Shown) -> Shown:
    """A text that a spreadsheet would run as a formula (=, +, -, @) starts with a quote instead."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


_WORD = re.compile(r"\[[^\]]+\]|\w+")


def words(text: str) -> FrozenSet[str]:
    return frozenset(found.lower() for found in _WORD.findall(text))


def similar(first: str, second: str) -> bool:
    a, b = words(first), words(second)
    if a and b and len(a & b) / len(a | b) >= SIMILAR:
        return True
    return difflib.SequenceMatcher(None, first.lower(), second.lower()).ratio() >= SIMILAR_CHARACTERS


@dataclass
class QuestionGroup:
    """Similar unanswered questions of one language."""

    language: str
    texts: List[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.texts)

    def as_json(self) -> Dict[str, Any]:
        common = [text for text, _ in Counter(self.texts).most_common(EXAMPLES_PER_GROUP)]
        return {"language": self.language, "count": self.count, "examples": common}


def group_questions(questions: Iterable[StoredQuestion]) -> List[QuestionGroup]:
    """Groups of similar questions per language, the largest first."""
    groups: List[QuestionGroup] = []
    by_language: Dict[str, List[QuestionGroup]] = {}
    for question in questions:
        candidates = by_language.setdefault(question.language, [])
        group = next((g for g in candidates if similar(g.texts[0], question.text)), None)
        if group is None:
            group = QuestionGroup(question.language)
            candidates.append(group)
            groups.append(group)
        group.texts.append(question.text)
    return sorted(groups, key=lambda g: (-g.count, g.language))
