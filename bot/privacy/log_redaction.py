"""Personal data out of the logs: every log record's message is redacted when it is made.

Installed as the logging module's record factory, so it covers every logger and every handler,
also those that Rasa, Sanic or a library add later. Only records that a logger actually emits are
made, so messages below the log level cost nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from bot.privacy.redaction import Redactor

RecordFactory = Callable[..., logging.LogRecord]


def redact_record(record: logging.LogRecord, redactor: Redactor) -> logging.LogRecord:
    """`record` with its message (arguments filled in) redacted."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is logging's problem, not ours
        return record
    cleaned = redactor.redact(message)
    if cleaned != message:
        record.msg = cleaned
        record.args = None
    return record


class RedactingRecordFactory:
    """A log record factory that redacts what the factory before it makes."""

    def __init__(self, inner: RecordFactory, redactor: Redactor) -> None:
        self.inner = inner
        self.redactor = redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(self.inner(*args, **kwargs), self.redactor)


def install(redactor: Redactor) -> None:
    """Redacts every log record of this process from now on (installing twice replaces)."""
    current = logging.getLogRecordFactory()
    inner = current.inner if isinstance(current, RedactingRecordFactory) else current
    logging.setLogRecordFactory(RedactingRecordFactory(inner, redactor))


def uninstall() -> None:
    """Back to the record factory before `install` (tests)."""
    current = logging.getLogRecordFactory()
    if isinstance(current, RedactingRecordFactory):
        logging.setLogRecordFactory(current.inner)
