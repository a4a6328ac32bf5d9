"""The web app factory. Settings are passed in; nothing is read at import time."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot import helpdesk
from bot.settings import Settings

STATIC_DIRECTORY = Path(__file__).parent / "static"
SETTINGS = web.AppKey("settings", Settings)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def demo_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    html = (STATIC_DIRECTORY / "demo.html").read_text(encoding="utf-8")
    return web.Response(
        text=html.replace("{{RASA_URL}}", f"http://{request.url.host}:{settings.rasa_port}"),
        content_type="text/html",
    )


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app.router.add_get("/", demo_page)
    app.router.add_get("/health", health)
    app.router.add_static("/static/", STATIC_DIRECTORY)
    helpdesk.setup(app, settings)
    return app


def serve(settings: Settings) -> None:
    web.run_app(create_app(settings), host=settings.host, port=settings.web_port, print=None)
