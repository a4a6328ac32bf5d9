"""The web app factory. Settings are passed in; nothing is read at import time."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from aiohttp import web

from bot import analytics, helpdesk
from bot.helpdesk.config import HelpdeskConfig
from bot.runtime.metrics import HelpdeskMetrics, exposition
from bot.runtime.settings import Settings
from bot.web.widget import add_widget_routes

STATIC_DIRECTORY = Path(__file__).parent / "static"
SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", HelpdeskMetrics)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def demo_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    html = (STATIC_DIRECTORY / "demo.html").read_text(encoding="utf-8")
    return web.Response(
        text=html.replace("{{RASA_URL}}", f"http://{page_host(request)}:{settings.rasa_port}"),
        content_type="text/html",
    )


async def metrics(request: web.Request) -> web.Response:
    """Prometheus metrics (`bot.runtime.metrics`): the helpdesk outbox's backlog, measured now."""
    measured = request.app[METRICS]
    measured.update(await request.app[helpdesk.HELPDESK].store.outbox_status())
    body, content_type = exposition(measured.registry)
    return web.Response(body=body, headers={"Content-Type": content_type})


def page_host(request: web.Request) -> str:
    """The host name the visitor used (the Rasa server is on the same host), if it is a plain one."""
    host = urllib.parse.urlsplit("//" + (request.host or "")).hostname or ""
    if re.fullmatch(r"[a-z0-9.-]+", host):
        return host
    if re.fullmatch(r"[0-9a-f:]+", host):
        return f"[{host}]"
    return "127.0.0.1"


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app[METRICS] = HelpdeskMetrics()
    app.router.add_get("/", demo_page)
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    app.router.add_static("/static/", STATIC_DIRECTORY)
    helpdesk_config = HelpdeskConfig.from_env(settings)
    helpdesk.setup(app, settings, helpdesk_config)
    analytics.setup(app, settings, helpdesk_config)
    add_widget_routes(app, settings.project / "translations")
    return app


# Seconds that open requests (an agent's live event stream) get to end when the app stops.
SHUTDOWN_SECONDS = 5.0


def serve(settings: Settings) -> None:
    web.run_app(
        create_app(settings), host=settings.host, port=settings.web_port, print=None, shutdown_timeout=SHUTDOWN_SECONDS
    )
