"""What the action server needs of the project's domain, read from `domain/` once.

Rasa can send the whole domain with an action call (600 KB as JSON with seven languages), and it
costs both servers several milliseconds to write and read it. The actions that need a part of the
domain read that part from the same files Rasa was trained on (the form validations need none of
it: `actions.check_validation`), so no call sends the domain (`enable_selective_domain: true` in the
endpoints files, no `send_domain` in `domain/`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Text

from actions.texts import PROJECT_DIRECTORY
from bot.content import fast_yaml

DOMAIN_DIRECTORY = PROJECT_DIRECTORY / "domain"


@lru_cache(maxsize=16)
def section(domain_directory: Path, key: Text) -> Dict[Text, Any]:
    """The `key` mapping of the domain (`session_config`, ...), merged over its files
    in the order Rasa reads them (by name)."""
    merged: Dict[Text, Any] = {}
    for path in sorted(domain_directory.glob("*.yml")):
        part = (fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(key)
        if isinstance(part, dict):
            merged.update(part)
    return merged


def carry_over_slots_to_new_session(domain_directory: Path) -> bool:
    """`session_config.carry_over_slots_to_new_session` (Rasa's default: true)."""
    return bool(section(domain_directory, "session_config").get("carry_over_slots_to_new_session", True))

