"""Patch: what Rasa passes to its debug logs deep-copied only when it logs at debug level.

Replaces: the `copy` module as seen by four modules of Rasa (`DEBUG_LOG_COPIERS`), with
`CopyForDebugLogs`, whose `deepcopy` copies only when the `rasa` logger is enabled for DEBUG.
Why: those modules use `copy` only in `structlogger.debug(..., events=copy.deepcopy(events))`.
Python works out a call's arguments before the call, so Rasa deep-copied the events, states and
slots of every turn for log lines it then dropped.
Measured gain: ~5 % of the CPU of a message (docs/performance.md).
Pinned by: tests/test_rasa_patches.py::test_rasa_deep_copies_only_for_debug_logs_and_only_when_it_logs_them
(it reads each module's source, so a Rasa that copies for another reason is caught).
"""

from __future__ import annotations

import copy
import importlib
import logging
from typing import Any

from bot.rasa_patches.replacements import Replacements

# Modules of Rasa that use `copy` only to deep-copy what they pass to debug logs.
DEBUG_LOG_COPIERS = (
    "rasa.core.processor",
    "rasa.core.policies.memoization",
    "rasa.core.policies.rule_policy",
    "rasa.core.actions.forms",
)


class CopyForDebugLogs:
    """`copy` for those modules: `deepcopy` copies only when Rasa logs at debug level."""

    rasa_logger = logging.getLogger("rasa")

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return copy.deepcopy(value, memo) if CopyForDebugLogs.rasa_logger.isEnabledFor(logging.DEBUG) else value


def install(replacements: Replacements, settings: Any) -> None:
    for name in DEBUG_LOG_COPIERS:
        replacements.replace(importlib.import_module(name), "copy", CopyForDebugLogs())
