"""Office hours: when a person reads the tickets, and what the user hears outside them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.helpdesk.config import HelpdeskConfig
from bot.helpdesk.office_hours import OfficeHours, OfficeHoursError
from bot.runtime.settings import Settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def moment(*args: int) -> float:
    return dt.datetime(*args, tzinfo=AMSTERDAM).timestamp()


HOURS = OfficeHours.parse("mon-fri 09:00-17:00; sat 10:00-12:00", "Europe/Amsterdam")


@pytest.mark.parametrize(
    "when,open_now",
    [
        ((2026, 11, 30, 9, 0), True),  # Monday
        ((2026, 11, 30, 16, 59), True),
        ((2026, 11, 30, 17, 0), False),
        ((2026, 11, 28, 11, 0), True),  # Saturday
        ((2026, 11, 29, 11, 0), False),  # Sunday
    ],
)
def test_open_or_closed(when, open_now):
    assert HOURS.is_open(moment(*when)) is open_now


def test_next_opening_after_friday_evening_is_saturday_morning():
    opening = HOURS.next_opening(moment(2026, 11, 27, 18, 30))
    assert opening == dt.datetime(2026, 11, 28, 10, 0, tzinfo=AMSTERDAM)


def test_next_opening_on_sunday_is_monday_and_none_while_open():
    assert HOURS.next_opening(moment(2026, 11, 29, 12, 0)) == dt.datetime(2026, 11, 30, 9, 0, tzinfo=AMSTERDAM)
    assert HOURS.next_opening(moment(2026, 11, 30, 12, 0)) is None


@pytest.mark.parametrize("text", ["monday 9-5", "mon-fri 17:00-09:00", "mon-fri", "xyz 09:00-10:00"])
def test_unreadable_office_hours_are_refused(text):
    with pytest.raises(OfficeHoursError):
        OfficeHours.parse(text)


def test_settings_come_from_the_environment_or_a_file(tmp_path):
    settings_file = tmp_path / "helpdesk.yml"
    settings_file.write_text("office_hours: 'sat 10:00-12:00'\nretention_days: 3\nagent_token: from-file\n")
    config = HelpdeskConfig.from_env(
        Settings(data_dir=tmp_path),
        {"HELPDESK_SETTINGS_FILE": str(settings_file), "HELPDESK_AGENT_TOKEN": "from-env"},
    )
    assert config.retention_days == 3 and config.agent_token == "from-env"
    assert not config.office_hours.is_open(moment(2026, 11, 30, 10, 30))
    assert config.database_url.startswith("sqlite+aiosqlite:///") and config.database_url.endswith("helpdesk.db")
    postgres = HelpdeskConfig.from_env(Settings(data_dir=tmp_path), {"HELPDESK_DATABASE_URL": "postgresql://u@h/db"})
    assert postgres.database_url == "postgresql+asyncpg://u@h/db"
