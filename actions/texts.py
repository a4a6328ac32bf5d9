"""Texts for custom actions, read from the same translation files as the domain's responses."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.content.translations import Translations

PROJECT_DIRECTORY = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=4)
def load_translations(directory: str) -> Translations:
    return Translations.load(Path(directory))


def translations() -> Translations:
    """The project's translations; BOT_TRANSLATIONS_DIR points elsewhere (tests, deployments)."""
    return load_translations(
        os.environ.get("BOT_TRANSLATIONS_DIR", str(PROJECT_DIRECTORY / "translations"))
    )


def render(key: str, language: Optional[str], **values: Any) -> str:
    return translations().text(key, language).render(**values)


def buttons(key: str, language: Optional[str]) -> List[Dict[str, str]]:
    return [
        {"title": b.title, "payload": b.payload}
        for b in translations().text(key, language).buttons
    ]
