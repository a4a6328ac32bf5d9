"""`python -m bot.runtime.action_server --actions actions --port 5055`: rasa-sdk's action server
(`python -m rasa_sdk`, the same arguments, the same app) with `GET /metrics` added: each call of
a custom action is counted by action, channel and language, timed, and counted as an error when
it fails (`bot.runtime.metrics.ActionMetrics`). Nothing of the call's content is kept.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, List, Optional

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.runtime.metrics import ActionMetrics, exposition

WEBHOOK = "/webhook"


def add_metrics(app: Sanic, metrics: ActionMetrics) -> None:
    """Counts the calls of `app`'s webhook in `metrics` and serves them on `/metrics`."""

    @app.middleware("request")
    async def start_clock(request: Request) -> None:
        request.ctx.started = time.perf_counter()

    @app.middleware("response")
    async def count_call(request: Request, answer: HTTPResponse) -> None:
        if request.path != WEBHOOK or request.method != "POST" or not hasattr(request.ctx, "started"):
            return
        try:
            call = json.loads(request.body or b"null")
        except ValueError:
            call = None  # compressed or malformed: counted without labels
        metrics.observe(call if isinstance(call, dict) else {}, answer.status, time.perf_counter() - request.ctx.started)

    @app.get("/metrics")
    async def serve_metrics(_request: Request) -> HTTPResponse:
        body, content_type = exposition(metrics.registry)
        return response.raw(body, content_type=content_type)


def main(argv: Optional[List[str]] = None) -> None:
    """Runs the action server as `python -m rasa_sdk` does (rasa_sdk.__main__ and endpoint.run)."""
    args = create_argument_parser().parse_args(argv)
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    app = create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload)
    add_metrics(app, ActionMetrics())
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context: Any = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    # One worker unless ACTION_SERVER_SANIC_WORKERS says more (then each counts its own calls).
    host = os.environ.get("SANIC_HOST", "0.0.0.0")
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
