"""Every replacement of Rasa internals, one module each, installed by `install()` only.

Rasa 3.6 spends most of a message, and most of its start, in places it offers no setting for
(docs/rasa-patches.md lists what each patch buys). Each module of this package replaces one of
them and opens with what it replaces, why, the measured gain and the test that pins it. Rules:

- Nothing is replaced at import time: `install()` does it, and returns the `Replacements` it made,
  which `undo()` puts back (tests run patched code and leave plain Rasa behind them).
- `install()` refuses to patch any Rasa other than `RASA_VERSION`, the one the patches were
  written and tested for: a new Rasa means reading each patch again, not guessing.
- `BOT_RASA_PATCHES=off` runs plain Rasa (`python -m bot.runtime.rasa_server` then installs none);
  the answers are the same (`tests/test_rasa_patches_off.py`), only slower.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Tuple

from bot.rasa_patches.replacements import Replacements

# The Rasa these patches were written for and tested against (pyproject.toml pins it).
RASA_VERSION = "3.6.21"
SWITCH = "BOT_RASA_PATCHES"

# Module names under bot.rasa_patches, in the order they are installed. `startup_imports` first:
# it must run before anything imports TensorFlow.
PATCHES: Tuple[str, ...] = (
    "startup_imports",
    "sqlite_wal",
    "graph_runner",
    "domain_loading",
    "classifier_memory_order",
    "event_class_lookup",
    "endpoint_sessions",
    "action_answer_check",
    "intent_features",
    "rule_index",
    "message_admission",
)

DEFAULT_MESSAGES_AT_ONCE = 4
SQLITE_SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")


class RasaVersionMismatch(RuntimeError):
    """The installed Rasa is not the one the patches were written for."""


@dataclass(frozen=True)
class PatchSettings:
    """What the patches are told: whether to install them at all, and their two settings."""

    enabled: bool = True
    # SQLite's `synchronous` for the tracker store's file (sqlite_wal).
    sqlite_synchronous: str = "NORMAL"
    # Messages handled at once per worker (message_admission); 0: no limit.
    messages_at_once: int = DEFAULT_MESSAGES_AT_ONCE

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "PatchSettings":
        """`BOT_RASA_PATCHES` (on/off), `BOT_SQLITE_SYNCHRONOUS`, `BOT_MESSAGES_AT_ONCE`; a wrong
        value is an error that says what is expected."""
        switch = environ.get(SWITCH, "on").strip().lower() or "on"
        if switch not in ("on", "off"):
            raise ValueError(f"{SWITCH} must be 'on' or 'off' (plain Rasa), not {switch!r}")
        synchronous = environ.get("BOT_SQLITE_SYNCHRONOUS", "NORMAL").strip().upper() or "NORMAL"
        if synchronous not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"BOT_SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA, not {synchronous!r}")
        return cls(switch == "on", synchronous, messages_at_once_setting(environ.get("BOT_MESSAGES_AT_ONCE", "")))


def messages_at_once_setting(setting: str) -> int:
    """The value of `BOT_MESSAGES_AT_ONCE`: messages handled at once per worker (0: no limit;
    empty: `DEFAULT_MESSAGES_AT_ONCE`)."""
    if not setting.strip():
        return DEFAULT_MESSAGES_AT_ONCE
    if not setting.strip().isdigit():
        raise ValueError(f"BOT_MESSAGES_AT_ONCE must be a whole number (0 for no limit), not {setting!r}")
    return int(setting)


def check_rasa_version(installed: Optional[str] = None) -> None:
    """Raises `RasaVersionMismatch` unless `installed` (default: the imported Rasa's) is `RASA_VERSION`."""
    if installed is None:  # from the package's metadata: importing Rasa would load TensorFlow
        installed = importlib.metadata.version("rasa")
    if installed != RASA_VERSION:
        raise RasaVersionMismatch(
            f"bot.rasa_patches replaces internals of Rasa {RASA_VERSION}, but Rasa {installed} is "
            f"installed. Set {SWITCH}=off to run plain Rasa, or check every module of "
            f"bot/rasa_patches against Rasa {installed} (docs/rasa-patches.md) and update RASA_VERSION."
        )


def install(
    settings: PatchSettings = PatchSettings(),
    leave_out: Iterable[str] = (),
    rasa_version: Optional[str] = None,
) -> Replacements:
    """Installs every patch of `PATCHES` except those in `leave_out` (the benchmark measures what
    each one buys by leaving it out); returns what was replaced. Installs nothing when
    `settings.enabled` is False. Refuses (`RasaVersionMismatch`) on any other Rasa than `RASA_VERSION`."""
    replacements = Replacements()
    if not settings.enabled:
        return replacements
    unknown = set(leave_out) - set(PATCHES)
    if unknown:
        raise ValueError(f"no such Rasa patch: {', '.join(sorted(unknown))} (known: {', '.join(PATCHES)})")
    check_rasa_version(rasa_version)
    try:
        for name in PATCHES:
            if name not in leave_out:
                install_patch(name, replacements, settings)
    except BaseException:
        replacements.undo()  # all or nothing
        raise
    return replacements


def install_patch(name: str, replacements: Replacements, settings: PatchSettings = PatchSettings()) -> None:
    """Installs the one patch `name` of `PATCHES` into `replacements` (no version check: `install`
    does that; the benchmark switches single patches off and on again in a running process)."""
    if name not in PATCHES:
        raise ValueError(f"no such Rasa patch: {name} (known: {', '.join(PATCHES)})")
    importlib.import_module(f"{__name__}.{name}").install(replacements, settings)
