"""The Rasa server's safeguards, installed explicitly by the process that runs it.

`python -m bot.runtime.rasa_server` (`make run`, the Helm chart) calls `install()` before Rasa
starts, whatever tracker store the endpoints file names and whether or not the Rasa patches are on:

- log redaction: every log record of the process is redacted (`bot.privacy.log_redaction`), with
  the public contacts of the endpoints file's `tracker_store:` section;
- the action-server fallback: a failing custom action gives the user a clear message
  (`bot.runtime.action_fallback`);
- retention: when a Sanic worker has made its tracker store, conversations older than
  `retention_days` are deleted, then every `purge_every_minutes` (`bot.privacy.retention`).

They used to be installed by the redacting tracker store's constructor, so another store type
silently lost them. Plain `rasa run` installs none of them; the redacting store says so in the log.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from pathlib import Path
from typing import Any, List, Optional, Tuple

from bot.privacy import log_redaction
from bot.privacy.retention import RetentionJob
from bot.privacy.settings import PrivacySettings, tracker_store_config
from bot.rasa_patches.replacements import Replacements

logger = logging.getLogger(__name__)
REDACTING_STORE = "bot.stores.tracker_store.RedactingTrackerStore"
_STATE = {"installed": False}


def installed() -> bool:
    """True once `install()` ran in this process (the redacting store checks it)."""
    return _STATE["installed"]


def privacy_settings(endpoints: Optional[Path], project: Path) -> PrivacySettings:
    """The privacy settings of the endpoints file (the defaults without one); warns when its
    tracker store is not the redacting one."""
    config = tracker_store_config(endpoints) if endpoints and endpoints.exists() else {}
    if config.get("type") != REDACTING_STORE:
        logger.warning(
            "The tracker store is not %s: conversations are kept unredacted and never deleted.", REDACTING_STORE
        )
    return PrivacySettings.from_config(config, project)


def redacting_store(store: Any) -> Any:
    """The redacting tracker store inside Rasa's wrappers of `store`, or None."""
    from bot.stores.tracker_store import RedactingTrackerStore

    while store is not None and not isinstance(store, RedactingTrackerStore):
        store = getattr(store, "_tracker_store", None)
    return store


def start_retention(store: Any) -> Optional[RetentionJob]:
    """Deletes the old conversations of `store` now and starts doing so periodically in the
    running event loop; None when `store` is not a redacting store."""
    redacting = redacting_store(store)
    if redacting is None:
        return None
    settings = redacting.settings
    job = RetentionJob(redacting.inner, settings.retention_days, settings.purge_every_minutes)
    job.run_once()
    job.start()
    return job


def retention_listeners() -> List[Tuple[Any, str]]:
    """Sanic listeners that start the retention job once a worker loaded the agent, and stop it."""
    jobs: List[RetentionJob] = []

    async def start(app: Any, _loop: Any) -> None:
        agent = getattr(app.ctx, "agent", None)
        job = start_retention(agent.tracker_store if agent else None)
        if job is not None:
            jobs.append(job)

    async def stop(_app: Any, _loop: Any) -> None:
        for job in jobs:
            if job.task is not None:
                job.task.cancel()
                await asyncio.gather(job.task, return_exceptions=True)

    return [(start, "after_server_start"), (stop, "before_server_stop")]


def install(endpoints: Optional[Path], project: Path) -> Replacements:
    """Installs the three safeguards for a server run with this endpoints file; returns what it
    replaced in Rasa (the fallback's actions, `serve_application` with the retention listeners)."""
    import rasa.core.run

    from bot.runtime import action_fallback

    replacements = Replacements()
    log_redaction.install(privacy_settings(endpoints, project).redactor())
    replacements.on_undo(log_redaction.uninstall)
    action_fallback.install(replacements)
    serve = rasa.core.run.serve_application

    @functools.wraps(serve)  # Rasa passes only the arguments its signature names (minimal_kwargs)
    def serve_application(*args: Any, **kwargs: Any) -> None:
        """Rasa's `serve_application`, with the retention listeners added (its own parameter)."""
        kwargs["server_listeners"] = [*(kwargs.get("server_listeners") or ()), *retention_listeners()]
        serve(*args, **kwargs)

    replacements.replace(rasa.core.run, "serve_application", serve_application)
    _STATE["installed"] = True
    replacements.on_undo(lambda: _STATE.update(installed=False))
    return replacements
