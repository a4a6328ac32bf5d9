"""The REST channel, hardened: bad requests get a clear 4xx, never a 500.

Plain Rasa 3.6 answers 500 to a body that is not a JSON object (`null`, `[]`) and passes on
empty or enormous messages and `/intent{...}` injections. This channel keeps Rasa's URL and
response format (`POST /webhooks/rest/webhook` with `{"sender": ..., "message": ...}`).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.inbound import DEFAULT_MAX_LENGTH, InboundPolicy, RejectedText
from bot.stores.shared_state import ReadyWorkers, this_servers_file

logger = logging.getLogger(__name__)
MAX_SENDER_LENGTH = 128
MAX_BODY_BYTES = 1_048_576


def error(reason: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


class SafeRestInput(RestInput):
    """Rasa's REST channel with validation of every request."""

    def __init__(self, policy: InboundPolicy) -> None:
        self.policy = policy

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SafeRestInput":
        credentials = credentials or {}
        return cls(
            InboundPolicy.for_project(
                credentials.get("translations_dir"),
                int(credentials.get("max_message_length", DEFAULT_MAX_LENGTH)),
            )
        )

    def parse(self, request: Request) -> Dict[str, Any]:
        """The request's sender, text and metadata, or RejectedText."""
        if len(request.body or b"") > MAX_BODY_BYTES:
            raise RejectedText("the request body is too large", status=413)
        try:
            body = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise RejectedText("the request body must be JSON")
        if not isinstance(body, dict):
            raise RejectedText("the request body must be a JSON object")
        sender = body.get("sender", "default")
        if isinstance(sender, int) and not isinstance(sender, bool):
            sender = str(sender)
        if not isinstance(sender, str) or not sender.strip():
            raise RejectedText("the field 'sender' must be a non-empty string")
        if not sender.isprintable():
            raise RejectedText("the field 'sender' must not hold control or invisible characters")
        if len(sender) > MAX_SENDER_LENGTH:
            raise RejectedText(f"the field 'sender' is longer than {MAX_SENDER_LENGTH} characters")
        if "message" not in body:
            raise RejectedText("the field 'message' is missing")
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise RejectedText("the field 'metadata' must be a JSON object")
        return {"sender": sender, "text": self.policy.clean(body["message"]), "metadata": metadata}

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        ready = ReadyWorkers(this_servers_file("ready"))

        @webhook.listener("after_server_start")
        async def serving(_app: Any, _loop: Any) -> None:  # in each worker, after the model loaded
            ready.serving(os.getpid())

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/ready", methods=["GET"])
        async def all_workers_ready(request: Request) -> HTTPResponse:
            """200 once every Sanic worker serves (`bot.stores.shared_state.ReadyWorkers`), else 503."""
            workers, serving_now = max(1, request.app.state.workers), ready.count()
            return response.json(
                {"ready": serving_now >= workers, "workers": workers, "serving": serving_now},
                status=200 if serving_now >= workers else 503,
            )

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                parsed = self.parse(request)
            except RejectedText as rejected:
                return error(rejected.reason, rejected.status)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        parsed["text"],
                        collector,
                        parsed["sender"],
                        input_channel=self.name(),
                        metadata=parsed["metadata"],
                    )
                )
            except Exception:  # noqa: BLE001 - the user must get an answer, not a 500
                logger.exception("Handling a REST message failed")
                return error("the assistant could not handle this message; please try again", 503)
            return response.json(collector.messages)

        return webhook
