"""Settings of the helpdesk, read from the environment (or a YAML file passed in), never at import.

Every setting has an environment variable; `HELPDESK_SETTINGS_FILE` may name a YAML file with the
same names in lower case without the `HELPDESK_` prefix (for example `office_hours:`), and the
environment wins over the file.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from bot.content import fast_yaml
from bot.helpdesk.office_hours import OfficeHours
from bot.helpdesk.stream_tokens import stream_secret
from bot.runtime.settings import Settings

Clock = Callable[[], float]
"""Returns the current time in seconds since the epoch (UTC); injected so tests control time."""


def database_url(raw: Optional[str], data_dir: Path) -> str:
    """An async SQLAlchemy URL: SQLite under the data folder by default, PostgreSQL by URL."""
    if not raw:
        return f"sqlite+aiosqlite:///{data_dir / 'helpdesk.db'}"
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if raw.startswith(plain):
            return driver + raw[len(plain):]
    return raw


@dataclass(frozen=True)
class SmtpSettings:
    """Where escalations are mailed (most helpdesk products turn mail into tickets)."""

    host: str
    port: int = 25
    sender: str = "werkwijzer@localhost"
    recipient: str = ""
    username: Optional[str] = None
    password: Optional[str] = None
    starttls: bool = False
    timeout: float = 10.0


@dataclass(frozen=True)
class WebhookSettings:
    """Where escalations are posted as JSON, signed with HMAC-SHA256 of the body."""

    url: str
    secret: str
    timeout: float = 10.0


@dataclass(frozen=True)
class ZammadSettings:
    """Where Zammad is and how to reach it (`HELPDESK_ZAMMAD_URL`, `_TOKEN`, `_WEBHOOK_SECRET`,
    `_GROUP`, `_CUSTOMER`)."""

    url: str
    token: str
    webhook_secret: str
    group: str = "Users"
    customer: str = "guess:werkwijzer@localhost"  # a user Zammad creates if it does not exist
    timeout: float = 10.0


@dataclass(frozen=True)
class HelpdeskConfig:
    """Everything the helpdesk web app needs; built once at start and passed in."""

    database_url: str
    agent_token: Optional[str] = None
    service_token: Optional[str] = None
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: Optional[str] = None
    translations_dir: Path = Path("translations")
    office_hours: OfficeHours = field(default_factory=OfficeHours.always)
    retention_days: float = 30.0
    smtp: Optional[SmtpSettings] = None
    webhook: Optional[WebhookSettings] = None
    retry_first_delay: float = 5.0
    retry_max_delay: float = 900.0
    retention_interval: float = 3600.0
    stream_secret: Optional[str] = None  # signs the widget's stream tokens (bot.helpdesk.stream_tokens)
    zammad: Optional[ZammadSettings] = None  # tickets also in Zammad (bot.helpdesk.zammad)

    @classmethod
    def from_env(
        cls, settings: Settings, environ: Optional[Mapping[str, str]] = None
    ) -> "HelpdeskConfig":
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        settings_file = env.get("HELPDESK_SETTINGS_FILE")
        if settings_file:
            loaded = fast_yaml.safe_load(Path(settings_file).read_text(encoding="utf-8")) or {}
            values.update({f"HELPDESK_{str(k).upper()}": str(v) for k, v in loaded.items()})
        values.update({k: v for k, v in env.items() if k.startswith("HELPDESK_")})

        def get(name: str, default: Optional[str] = None) -> Optional[str]:
            value = values.get(f"HELPDESK_{name}")
            return value if value not in (None, "") else default

        smtp = None
        if get("SMTP_HOST"):
            smtp = SmtpSettings(
                host=get("SMTP_HOST"),
                port=int(get("SMTP_PORT", "25")),
                sender=get("SMTP_FROM", "werkwijzer@localhost"),
                recipient=get("SMTP_TO", ""),
                username=get("SMTP_USERNAME"),
                password=get("SMTP_PASSWORD"),
                starttls=get("SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"),
            )
        webhook = None
        if get("WEBHOOK_URL"):
            webhook = WebhookSettings(url=get("WEBHOOK_URL"), secret=get("WEBHOOK_SECRET", ""))
        zammad = None
        if get("ZAMMAD_URL"):
            zammad = ZammadSettings(
                url=get("ZAMMAD_URL"),
                token=get("ZAMMAD_TOKEN", ""),
                webhook_secret=get("ZAMMAD_WEBHOOK_SECRET", ""),
                group=get("ZAMMAD_GROUP", "Users"),
                customer=get("ZAMMAD_CUSTOMER", "guess:werkwijzer@localhost"),
            )
        return cls(
            database_url=database_url(get("DATABASE_URL"), settings.data_dir),
            agent_token=get("AGENT_TOKEN"),
            service_token=get("SERVICE_TOKEN"),
            rasa_url=settings.rasa_url,
            rasa_token=env.get("RASA_API_TOKEN") or None,
            translations_dir=settings.project / "translations",
            office_hours=OfficeHours.parse(
                get("OFFICE_HOURS", "mon-fri 09:00-17:00"), get("TIMEZONE", "Europe/Amsterdam")
            ),
            retention_days=float(get("RETENTION_DAYS", "30")),
            smtp=smtp,
            webhook=webhook,
            retry_first_delay=float(get("RETRY_FIRST_DELAY", "5")),
            retry_max_delay=float(get("RETRY_MAX_DELAY", "900")),
            stream_secret=stream_secret(values),
            zammad=zammad,
        )


def utc_now() -> float:
    """The real clock."""
    return dt.datetime.now(dt.timezone.utc).timestamp()


def backoff(attempts: int, first: float, maximum: float) -> float:
    """Seconds to wait after `attempts` failed tries: first, 2×first, 4×first ... up to maximum."""
    return min(maximum, first * (2 ** max(0, attempts - 1)))

