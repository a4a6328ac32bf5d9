"""Which messaging channels are on, decided by the environment.

A messaging channel is on when all of its required environment variables are set, and off when
none are. Secrets stay in the environment: the credentials file that switches a channel on names
only the channel, and the channel reads its settings from the environment when Rasa starts it.
This module imports nothing from Rasa, so the launcher can use it cheaply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Mapping, Tuple

DEFAULT_WHATSAPP_API_BASE = "https://graph.facebook.com"
# Meta retires each Graph API version about two years after its release (v20.0 went in Sept 2026);
# WHATSAPP_API_VERSION sets another one without a new release of Werkwijzer.
DEFAULT_WHATSAPP_API_VERSION = "v23.0"
_API_VERSION = re.compile(r"^v\d+\.\d+$")
DEFAULT_TELEGRAM_API_BASE = "https://api.telegram.org"


@dataclass(frozen=True)
class PlatformChannel:
    """A messaging channel: its name, its Rasa class and the variables it needs."""

    name: str
    class_path: str
    required: Tuple[str, ...]
    optional: Tuple[str, ...] = ()

    def missing(self, env: Mapping[str, str]) -> List[str]:
        return [variable for variable in self.required if not env.get(variable, "").strip()]

    def is_on(self, env: Mapping[str, str]) -> bool:
        return not self.missing(env)


WHATSAPP = PlatformChannel(
    "whatsapp",
    "bot.channels.whatsapp.WhatsAppInput",
    ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"),
    ("WHATSAPP_API_BASE", "WHATSAPP_API_VERSION"),
)
TELEGRAM = PlatformChannel(
    "telegram",
    "bot.channels.telegram.TelegramInput",
    ("TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN"),
    ("TELEGRAM_API_BASE",),
)
PLATFORM_CHANNELS: Tuple[PlatformChannel, ...] = (WHATSAPP, TELEGRAM)


class ChannelNotConfigured(ValueError):
    """A channel was switched on but some of its environment variables are not set."""


def _require(channel: PlatformChannel, env: Mapping[str, str]) -> None:
    missing = channel.missing(env)
    if missing:
        raise ChannelNotConfigured(
            f"the {channel.name} channel needs the environment variables {', '.join(missing)}"
        )


@dataclass(frozen=True)
class WhatsAppConfig:
    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    api_base: str = DEFAULT_WHATSAPP_API_BASE
    api_version: str = DEFAULT_WHATSAPP_API_VERSION

    @property
    def messages_url(self) -> str:
        """Where messages are sent: `{base}/{version}/{phone number id}/messages`."""
        return f"{self.api_base}/{self.api_version}/{self.phone_number_id}/messages"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "WhatsAppConfig":
        _require(WHATSAPP, env)
        base = (env.get("WHATSAPP_API_BASE") or DEFAULT_WHATSAPP_API_BASE).strip().rstrip("/")
        version = (env.get("WHATSAPP_API_VERSION") or DEFAULT_WHATSAPP_API_VERSION).strip()
        if not _API_VERSION.match(version):
            raise ChannelNotConfigured(f"WHATSAPP_API_VERSION must look like v23.0, not {version!r}")
        if _API_VERSION.match(base.rsplit("/", 1)[-1]):
            raise ChannelNotConfigured(
                "WHATSAPP_API_BASE holds a version: set only the host there (https://graph.facebook.com) "
                "and the version in WHATSAPP_API_VERSION"
            )
        return cls(
            verify_token=env["WHATSAPP_VERIFY_TOKEN"].strip(),
            app_secret=env["WHATSAPP_APP_SECRET"].strip(),
            access_token=env["WHATSAPP_ACCESS_TOKEN"].strip(),
            phone_number_id=env["WHATSAPP_PHONE_NUMBER_ID"].strip(),
            api_base=base,
            api_version=version,
        )


@dataclass(frozen=True)
class TelegramConfig:
    bot_token: str
    secret_token: str
    api_base: str = DEFAULT_TELEGRAM_API_BASE

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "TelegramConfig":
        _require(TELEGRAM, env)
        return cls(
            bot_token=env["TELEGRAM_BOT_TOKEN"].strip(),
            secret_token=env["TELEGRAM_SECRET_TOKEN"].strip(),
            api_base=(env.get("TELEGRAM_API_BASE") or DEFAULT_TELEGRAM_API_BASE).strip().rstrip("/"),
        )


def platform_credentials(env: Mapping[str, str]) -> Dict[str, Dict[str, str]]:
    """Credentials-file entries for the messaging channels that are on (no secrets in them)."""
    return {channel.class_path: {} for channel in PLATFORM_CHANNELS if channel.is_on(env)}


def _short_name(entry: str) -> str:
    """`bot.channels.rest.SafeRestInput` → `rest`; a built-in name such as `rest` stays."""
    parts = entry.split(".")
    return parts[-2] if len(parts) > 1 else entry


def describe(credentials: Mapping[str, object], env: Mapping[str, str]) -> str:
    """One line for the operator: the channels on, and what each messaging channel that is off needs."""
    on = [_short_name(entry) for entry in credentials]
    off = [
        f"{c.name} (set {', '.join(c.missing(env))})"
        for c in PLATFORM_CHANNELS
        if c.class_path not in credentials
    ]
    return "channels on: " + ", ".join(on) + ("; off: " + "; ".join(off) if off else "")
