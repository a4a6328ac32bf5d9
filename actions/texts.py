"""Texts for custom actions, read from the same translation files as the domain's responses."""

from __future__ import annotations

import os
from contextvars import ContextVar
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


def marks_unreviewed() -> bool:
    """BOT_MARK_UNREVIEWED=1: a deployer wants answers whose text no native speaker reviewed to
    say so (bot/content/review.py)."""
    return os.environ.get("BOT_MARK_UNREVIEWED", "").strip().lower() in {"1", "true", "yes", "on"}


# The response keys rendered for the message an action is building (one list per action run: an
# asyncio task has its own context), so that the message can say once that it uses a text no
# native speaker reviewed (`mark`).
_rendered: ContextVar[Optional[List[str]]] = ContextVar("rendered_texts", default=None)


def render(key: str, language: Optional[str], **values: Any) -> str:
    rendered = _rendered.get()
    if rendered is None:
        rendered = []
        _rendered.set(rendered)
    rendered.append(key)
    return translations().text(key, language).render(**values)


def mark(message: str, language: Optional[str]) -> str:
    """`message`, built from the texts rendered since the last call, with the language's "not
    reviewed by a native speaker" label once at its end when BOT_MARK_UNREVIEWED=1 and any of
    them is unreviewed (docs/content.md)."""
    rendered = _rendered.get() or []
    _rendered.set([])
    if not marks_unreviewed():
        return message
    found = translations()
    label = next((found.unreviewed_label(key, language) for key in rendered
                  if found.unreviewed_label(key, language)), None)
    return f"{message}\n{label}" if label else message


def buttons(key: str, language: Optional[str]) -> List[Dict[str, str]]:
    return [
        {"title": b.title, "payload": b.payload}
        for b in translations().text(key, language).buttons
    ]
