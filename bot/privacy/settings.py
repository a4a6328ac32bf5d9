"""Privacy settings of a deployment: how long conversations are kept, and which contact details
are public (never redacted).

They live in the tracker store's section of the endpoints file, next to the store they govern:

    tracker_store:
      type: bot.stores.tracker_store.RedactingTrackerStore
      retention_days: 30          # conversations older than this are deleted
      purge_every_minutes: 60     # how often the running server deletes them; 0: never (a
                                  # scheduled `python -m bot purge` does, e.g. the Kubernetes CronJob)
      public_contacts: ["070-315 21 11"]   # public helpdesk numbers and addresses
      keep_originals_minutes: 60  # unredacted text stays in the server's memory only this long
      store: {type: SQL, dialect: sqlite, db: var/conversations.db}   # the store that keeps data

Phone numbers and e-mail addresses that appear in the assistant's own texts (`translations/`,
`actions/**/*.yml`) are public too and are found automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, Mapping, Optional

import yaml

from bot.privacy.redaction import Redactor, find_personal_data

DEFAULT_RETENTION_DAYS = 30
DEFAULT_PURGE_EVERY_MINUTES = 60
DEFAULT_KEEP_ORIGINALS_MINUTES = 60  # as long as a conversation session (domain/_shared.yml)
PUBLIC_KINDS = ("phone", "email")


def assistant_text_files(project: Path) -> Iterable[Path]:
    """The files that hold what the assistant itself says: translations and rule data."""
    yield from sorted((project / "translations").glob("*.yml"))
    yield from sorted((project / "actions").rglob("*.yml"))


def contacts_in_texts(project: Path) -> FrozenSet[str]:
    """Phone numbers and e-mail addresses that the assistant's own texts contain."""
    found = set()
    for path in assistant_text_files(project):
        text = path.read_text(encoding="utf-8")
        for span in find_personal_data(text):
            if span.kind in PUBLIC_KINDS:
                found.add(text[span.start:span.end])
    return frozenset(found)


@dataclass(frozen=True)
class PrivacySettings:
    """Retention period and public contacts of one deployment."""

    retention_days: float = DEFAULT_RETENTION_DAYS
    purge_every_minutes: float = DEFAULT_PURGE_EVERY_MINUTES
    public_contacts: FrozenSet[str] = field(default_factory=frozenset)
    keep_originals_minutes: float = DEFAULT_KEEP_ORIGINALS_MINUTES

    @classmethod
    def from_config(cls, config: Mapping[str, Any], project: Optional[Path] = None) -> "PrivacySettings":
        """From the tracker store's section of the endpoints file (unknown keys are ignored)."""
        public = set(config.get("public_contacts") or ())
        if project is not None:
            public |= contacts_in_texts(project)
        retention = float(config.get("retention_days", DEFAULT_RETENTION_DAYS))
        every = float(config.get("purge_every_minutes", DEFAULT_PURGE_EVERY_MINUTES))
        originals = float(config.get("keep_originals_minutes", DEFAULT_KEEP_ORIGINALS_MINUTES))
        if retention <= 0 or every < 0 or originals < 0:
            raise ValueError("retention_days must be positive, purge_every_minutes 0 or more")
        return cls(retention, every, frozenset(str(item) for item in public), originals)

    @classmethod
    def from_endpoints(cls, endpoints: Path, project: Optional[Path] = None) -> "PrivacySettings":
        return cls.from_config(tracker_store_config(endpoints), project)

    def redactor(self) -> Redactor:
        return Redactor(self.public_contacts)


def tracker_store_config(endpoints: Path) -> Dict[str, Any]:
    """The `tracker_store` section of an endpoints file (empty if there is none)."""
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    return dict(config.get("tracker_store") or {})


def inner_store_config(store_config: Mapping[str, Any]) -> Dict[str, Any]:
    """The settings of the store that keeps the data: `store:` of a redacting store, else itself."""
    return dict(store_config.get("store") or store_config)
