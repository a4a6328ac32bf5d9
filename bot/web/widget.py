"""What the website widget needs from the web app besides its static files: its texts.

`GET /widget/texts` answers every language's widget texts (the `widget` block of
`translations/<lang>.yml`) with the language's name and writing direction, default language
first. Any site may embed the widget, so the answer may be read from any origin.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

from aiohttp import web

from bot.content import fast_yaml
from bot.content.translations import DEFAULT_LANGUAGE


class WidgetTextsError(ValueError):
    """A translation file lacks a widget text the default language has."""


@lru_cache(maxsize=4)
def widget_texts(translations_dir: str, default: str = DEFAULT_LANGUAGE) -> Dict[str, Any]:
    """Every language's widget texts; raises WidgetTextsError when a language lacks a key."""
    languages: List[Dict[str, Any]] = []
    for path in sorted(Path(translations_dir).glob("*.yml")):
        data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        meta = data.get("meta") or {}
        languages.append(
            {
                "code": meta.get("language", path.stem),
                "name": str(meta.get("name", path.stem)),
                "direction": "rtl" if meta.get("direction") == "rtl" else "ltr",
                "texts": {str(k): str(v) for k, v in (data.get("widget") or {}).items()},
            }
        )
    languages.sort(key=lambda language: (language["code"] != default, language["code"]))
    keys = set(languages[0]["texts"]) if languages else set()
    for language in languages:
        missing = keys - set(language["texts"])
        if missing:
            raise WidgetTextsError(f"{language['code']} lacks widget texts {sorted(missing)}")
    return {"default": default, "languages": languages}


async def texts(request: web.Request) -> web.Response:
    translations_dir = request.app[TRANSLATIONS_DIR]
    return web.json_response(
        widget_texts(translations_dir),
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=300"},
    )


TRANSLATIONS_DIR = web.AppKey("widget_translations_dir", str)


def add_widget_routes(app: web.Application, translations_dir: Path) -> None:
    app[TRANSLATIONS_DIR] = str(translations_dir)
    app.router.add_get("/widget/texts", texts)
