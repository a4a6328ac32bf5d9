"""How rule values, sources and caveats look in a chat message (read on phones: compact)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterable, List, Mapping, Optional

from actions import texts
from bot.content.rulebook import Rule


class ValueConflict(ValueError):
    """Two rules of one answer give the same placeholder different values."""


def format_date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def display(value: Any) -> str:
    """A value as the assistant writes it: 8.000, 29-11-2023, 2."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return display(int(value)) if value.is_integer() else f"{value:.1f}".replace(".", ",")
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


def display_values(values: Mapping[str, Any]) -> Dict[str, str]:
    """Placeholder values for a text; a list `scale` also gives `scale_1`, `scale_2`, ..."""
    shown: Dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value, start=1):
                shown[f"{name}_{index}"] = display(item)
            shown[name] = ", ".join(display(item) for item in value)
        elif value is not None:
            shown[name] = display(value)
    return shown


def merged_values(rules: Iterable[Rule], extra: Mapping[str, Any] = ()) -> Dict[str, str]:
    """The placeholder values of several rules; a name with two different values is an error."""
    values: Dict[str, str] = {}
    for rule in rules:
        for name, value in display_values(rule.values).items():
            if name in values and values[name] != value:
                raise ValueConflict(f"{rule.id}: {name} is {value}, another rule says {values[name]}")
            values[name] = value
    values.update(display_values(dict(extra)))
    return values


def short_url(url: str) -> str:
    for prefix in ("https://", "http://", "www."):
        if url.startswith(prefix):
            url = url[len(prefix):]
    return url.rstrip("/")


def unique_rules(rules: Iterable[Rule]) -> List[Rule]:
    seen: Dict[tuple, Rule] = {}
    for rule in rules:
        seen.setdefault((rule.id, rule.valid_from), rule)
    return list(seen.values())


def source_lines(rules: Iterable[Rule], language: Optional[str]) -> List[str]:
    """One line per source (rules with the same source share a line, with the latest date)."""
    by_source: Dict[tuple, List[Rule]] = {}
    for rule in unique_rules(rules):
        by_source.setdefault((rule.source_name, rule.source_url, rule.certain), []).append(rule)
    lines = []
    for (name, url, _), group in by_source.items():
        source = f"{name} ({short_url(url)})" if url else name
        key = "utter_fact_source" if all(r.certain for r in group) else "utter_fact_source_unconfirmed"
        since = max(r.valid_from for r in group)
        lines.append(texts.render(key, language, source=source, valid_from=format_date(since)))
    return lines


def uncertainty_note(rules: Iterable[Rule], language: Optional[str]) -> Optional[str]:
    """The caveat for an answer that rests on a rule marked S or U, or None."""
    uncertain = [rule for rule in unique_rules(rules) if not rule.certain]
    if not uncertain:
        return None
    referral = uncertain[0].referral or uncertain[0].source_name
    if referral.startswith("utter_"):
        referral = texts.render(referral, language)
    return texts.render("utter_fact_uncertain", language, referral=referral)


def with_person_button(buttons: List[Dict[str, str]], language: Optional[str]) -> List[Dict[str, str]]:
    """Adds the 'talk to a person' button when it is missing."""
    if any(b["payload"] == "/request_human" for b in buttons):
        return buttons
    return buttons + texts.buttons("utter_offer_person", language)
