"""How rule values, sources and caveats look in a chat message (read on phones: compact)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

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


# A link longer than this is shown as its site only in the compact source line of a first
# message (the whole link is in the details); it keeps the first message short on a phone.
COMPACT_LINK = 40


def compact_url(url: str) -> str:
    """The link without scheme and www., or only its site when that is long."""
    link = short_url(url)
    return link if len(link) <= COMPACT_LINK else link.split("/")[0]


def unique_rules(rules: Iterable[Rule]) -> List[Rule]:
    seen: Dict[tuple, Rule] = {}
    for rule in rules:
        seen.setdefault((rule.id, rule.valid_from), rule)
    return list(seen.values())


def _source_items(
    rules: Iterable[Rule], language: Optional[str], link: Callable[[str], str], mark: bool = True
) -> List[str]:
    """One item per source: name, link, and the date its rules hold from (or, when the start is
    unknown, the date they were confirmed); with `mark`, S/U sources say they are not officially
    confirmed."""
    by_source: Dict[tuple, List[Rule]] = {}
    for rule in unique_rules(rules):
        by_source.setdefault((rule.source_name, rule.source_url), []).append(rule)
    items = []
    for (name, url), group in by_source.items():
        source = f"{name} ({link(url)})" if url else name
        latest = max(group, key=lambda rule: rule.shown_date)
        key = "utter_source_confirmed" if latest.confirmed_on else "utter_source_since"
        item = texts.render(key, language, source=source, date=format_date(latest.shown_date))
        if mark and not all(rule.certain for rule in group):
            item += " · " + texts.render("utter_source_not_official", language)
        items.append(item)
    return items


def source_line(rules: Iterable[Rule], language: Optional[str]) -> str:
    """All sources of an answer on one compact line, each source once (long links as their site);
    when none is official, the line says so once at its end."""
    rules = unique_rules(rules)
    none_official = bool(rules) and not any(rule.certain for rule in rules)
    line = texts.render(
        "utter_sources", language, sources="; ".join(_source_items(rules, language, compact_url, not none_official))
    )
    return line + " · " + texts.render("utter_source_not_official", language) if none_official else line


def source_lines(rules: Iterable[Rule], language: Optional[str]) -> List[str]:
    """One line per source with its whole link (rules with the same source share a line, with
    the latest date)."""
    return [texts.render("utter_sources", language, sources=item) for item in _source_items(rules, language, short_url)]


def referral_text(rule: Rule, language: Optional[str]) -> str:
    """Who to ask about a rule: its referral (a text or a translation key), else its source."""
    referral = rule.referral or rule.source_name
    return texts.render(referral, language) if referral.startswith("utter_") else referral


def stale_notes(rules: Iterable[Rule], language: Optional[str], day: dt.date) -> List[str]:
    """One note when rules of an answer are past their `review_by` on `day`: when they were last
    checked, who to check with and the official link (of the first such rule: the answer's own
    rules come first; the other links are on the source line); none when all are up to date."""
    stale = [rule for rule in unique_rules(rules) if rule.stale_on(day)]
    if not stale:
        return []
    links = compact_url(stale[0].source_url)
    key = "utter_stale_rule" if links else "utter_stale_rule_no_link"
    date = format_date(min(rule.last_checked for rule in stale))
    return [texts.render(key, language, date=date, body=referral_text(stale[0], language), link=links)]


def caveats(rules: Iterable[Rule], language: Optional[str]) -> List[str]:
    """The caveats (translation keys in the rules' data) of the rules an answer uses, each once."""
    keys = dict.fromkeys(rule.caveat for rule in unique_rules(rules) if rule.caveat)
    return [texts.render(key, language) for key in keys]


def uncertainty_note(rules: Iterable[Rule], language: Optional[str]) -> Optional[str]:
    """The caveat for an answer that rests on a rule marked S or U, or None."""
    uncertain = [rule for rule in unique_rules(rules) if not rule.certain]
    if not uncertain:
        return None
    return texts.render("utter_fact_uncertain", language, referral=referral_text(uncertain[0], language))


# WhatsApp shows at most 3 reply buttons (titles up to 20 characters); more become a list.
MAX_BUTTONS = 3


def first_buttons(buttons: List[Dict[str, str]], person: bool, language: Optional[str]) -> List[Dict[str, str]]:
    """`buttons` in order, at most MAX_BUTTONS; 'talk to a person' last when `person` is set or
    when `buttons` has it (so a cut never drops the way to a person)."""
    person_buttons = texts.buttons("utter_offer_person", language)
    payloads = {b["payload"] for b in person_buttons}
    others = [b for b in buttons if b["payload"] not in payloads]
    if not (person or len(others) < len(buttons)):
        return others[:MAX_BUTTONS]
    return others[: MAX_BUTTONS - len(person_buttons)] + person_buttons
