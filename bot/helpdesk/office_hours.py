"""Office hours of the helpdesk: when a person reads the tickets.

Written like `mon-fri 09:00-17:00; sat 10:00-12:00` in a time zone such as `Europe/Amsterdam`;
`always` means a person is always there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Span = Tuple[dt.time, dt.time]


class OfficeHoursError(ValueError):
    """The office hours cannot be read."""


def _time(text: str) -> dt.time:
    try:
        hours, minutes = text.strip().split(":")
        if hours == "24" and minutes == "00":
            return dt.time.max
        return dt.time(int(hours), int(minutes))
    except ValueError as problem:
        raise OfficeHoursError(f"not a time: {text!r} (write 09:00)") from problem


def _days(text: str) -> List[int]:
    days: List[int] = []
    for part in text.split(","):
        first, _, last = part.strip().lower().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise OfficeHoursError(f"not a day or day range: {part!r} (write mon-fri)")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days.extend(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
    return days


@dataclass(frozen=True)
class OfficeHours:
    """Opening spans per weekday (0 = Monday) in one time zone."""

    spans: Dict[int, Tuple[Span, ...]]
    zone: str = "Europe/Amsterdam"
    always_open: bool = False

    @classmethod
    def always(cls) -> "OfficeHours":
        return cls({}, "UTC", True)

    @classmethod
    def parse(cls, text: str, zone: str = "Europe/Amsterdam") -> "OfficeHours":
        if text.strip().lower() == "always":
            return cls({}, zone, True)
        spans: Dict[int, List[Span]] = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            try:
                days, hours = part.split(None, 1)
            except ValueError as problem:
                raise OfficeHoursError(f"write days and hours, like 'mon-fri 09:00-17:00': {part!r}") from problem
            start, _, end = hours.partition("-")
            span = (_time(start), _time(end))
            if span[0] >= span[1]:
                raise OfficeHoursError(f"the hours must end after they start: {part!r}")
            for day in _days(days):
                spans.setdefault(day, []).append(span)
        try:
            ZoneInfo(zone)
        except Exception as problem:  # noqa: BLE001 - zoneinfo raises several kinds
            raise OfficeHoursError(f"unknown time zone: {zone!r}") from problem
        return cls({day: tuple(sorted(s)) for day, s in spans.items()}, zone)

    def _local(self, moment: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(moment, ZoneInfo(self.zone))

    def is_open(self, moment: float) -> bool:
        if self.always_open:
            return True
        local = self._local(moment)
        return any(start <= local.time() < end for start, end in self.spans.get(local.weekday(), ()))

    def next_opening(self, moment: float) -> Optional[dt.datetime]:
        """When a person is next there (local time), or None when open now or never open."""
        if self.is_open(moment) or not self.spans:
            return None
        local = self._local(moment)
        for offset in range(8):
            day = (local + dt.timedelta(days=offset)).date()
            for start, _ in self.spans.get(day.weekday(), ()):
                opening = dt.datetime.combine(day, start, ZoneInfo(self.zone))
                if opening > local:
                    return opening
        return None
