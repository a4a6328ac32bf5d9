"""The Rasa server's entry point: the patches' switch and version guard, the explicit safeguards."""

from __future__ import annotations

import inspect
import logging
import subprocess
import sys

import pytest

from bot import rasa_patches
from bot.rasa_patches import PatchSettings, RasaVersionMismatch, messages_at_once_setting
from bot.runtime.rasa_server import endpoints_argument

pytestmark = pytest.mark.unit


def test_rasa_processes_send_no_telemetry_unless_asked(project, tmp_path, monkeypatch):
    from bot.runtime.processes import services
    from bot.runtime.settings import Settings, rasa_environment

    monkeypatch.delenv("RASA_TELEMETRY_ENABLED", raising=False)
    settings = Settings.from_env({"BOT_DATA_DIR": str(tmp_path)})
    for service in services(settings, project / "models" / "any.tar.gz"):
        assert service.env["RASA_TELEMETRY_ENABLED"] == "false", service.name
    assert rasa_environment({"RASA_TELEMETRY_ENABLED": "true"})["RASA_TELEMETRY_ENABLED"] == "true"


@pytest.mark.parametrize("setting, limit", [("", 4), (" ", 4), ("0", 0), ("8", 8)])
def test_the_messages_at_once_setting_is_read_as_a_number(setting, limit):
    assert messages_at_once_setting(setting) == limit


@pytest.mark.parametrize("setting", ["four", "-1", "2.5"])
def test_a_wrong_messages_at_once_setting_says_what_is_expected(setting):
    with pytest.raises(ValueError, match="BOT_MESSAGES_AT_ONCE must be a whole number"):
        messages_at_once_setting(setting)


@pytest.mark.parametrize("switch, enabled", [("", True), ("on", True), ("ON", True), ("off", False), (" Off ", False)])
def test_the_switch_turns_the_patches_on_and_off(switch, enabled):
    assert PatchSettings.from_env({"BOT_RASA_PATCHES": switch}).enabled is enabled
    assert PatchSettings.from_env({}).enabled


@pytest.mark.parametrize("variable, value", [("BOT_RASA_PATCHES", "maybe"), ("BOT_SQLITE_SYNCHRONOUS", "OFF")])
def test_a_wrong_patch_setting_says_what_is_expected(variable, value):
    with pytest.raises(ValueError, match=variable):
        PatchSettings.from_env({variable: value})


def test_the_patches_refuse_another_rasa_version_and_replace_nothing():
    from rasa.core.policies.rule_policy import RulePolicy

    own = RulePolicy.__dict__["_get_possible_keys"]
    with pytest.raises(RasaVersionMismatch, match=r"Rasa 3\.6\.22 is installed.*BOT_RASA_PATCHES=off"):
        rasa_patches.install(rasa_version="3.6.22")
    assert RulePolicy.__dict__["_get_possible_keys"] is own
    rasa_patches.check_rasa_version()  # the installed one is the one they were written for


def test_off_installs_nothing_and_undo_restores_every_replacement():
    from rasa.core.actions.action import RemoteAction
    from rasa.core.policies.rule_policy import RulePolicy

    assert rasa_patches.install(PatchSettings(enabled=False)).names() == []
    before = dict(vars(RemoteAction)), dict(vars(RulePolicy))
    replacements = rasa_patches.install()
    assert "rasa.core.actions.action.RemoteAction._validate_action_result" in replacements.names()
    assert "rasa_get_possible_keys" in vars(RulePolicy)  # Rasa's own, kept beside the patch
    replacements.undo()
    assert (dict(vars(RemoteAction)), dict(vars(RulePolicy))) == before


def test_every_patch_module_says_what_it_replaces_why_its_gain_and_its_test():
    import importlib

    for name in rasa_patches.PATCHES:
        doc = importlib.import_module(f"bot.rasa_patches.{name}").__doc__ or ""
        for part in ("Replaces:", "Why:", "Measured gain:", "Pinned by:"):
            assert part in doc, (name, part)


def test_the_tests_that_pin_the_patches_exist(project):
    """Every `tests/<file>.py::<test>` (or `::<test>` after one) a patch names is a test there."""
    import importlib
    import re

    for name in rasa_patches.PATCHES:
        doc = importlib.import_module(f"bot.rasa_patches.{name}").__doc__
        pinned = doc[doc.index("Pinned by:"):]
        current = None
        for path, test in re.findall(r"(tests/\w+\.py)?::(\w+)", pinned):
            current = path or current
            assert current, (name, test)
            assert re.search(rf"^(async )?def {test}\(", (project / current).read_text(), re.M), (name, current, test)


def test_a_patch_that_is_not_known_cannot_be_left_out():
    with pytest.raises(ValueError, match="no such Rasa patch: rule_indx"):
        rasa_patches.install(leave_out=["rule_indx"])


@pytest.mark.parametrize("argv, expected", [
    (["run", "--endpoints", "var/e.yml"], "var/e.yml"), (["run", "--endpoints=x.yml"], "x.yml"), (["run"], "endpoints.yml"),
])
def test_the_server_reads_the_endpoints_file_rasa_reads(argv, expected):
    assert str(endpoints_argument(argv)) == expected


def test_creating_the_redacting_store_changes_nothing_outside_it(caplog):
    """No side effects in the constructor: logging, Rasa's actions and the event loop are as
    before; the store says in the log that the server's safeguards are missing."""
    import rasa.core.actions.action as rasa_actions
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.stores.tracker_store import RedactingTrackerStore

    factory, remote_action = logging.getLogRecordFactory(), rasa_actions.RemoteAction
    with caplog.at_level(logging.WARNING):
        RedactingTrackerStore(Domain.empty(), inner=InMemoryTrackerStore(Domain.empty()))
    assert logging.getLogRecordFactory() is factory and rasa_actions.RemoteAction is remote_action
    assert "Logs are not redacted" in caplog.text


def test_the_server_process_installs_the_safeguards_explicitly(project, tmp_path):
    """`install` redacts the logs, gives custom actions the fallback and adds the retention
    listeners to Rasa's server; `undo` puts everything back."""
    import rasa.core.actions.action as rasa_actions
    import rasa.core.run

    from bot.runtime import action_fallback, safeguards

    serve, factory = rasa.core.run.serve_application, logging.getLogRecordFactory()
    installed = safeguards.install(project / "endpoints.yml", project)
    try:
        assert safeguards.installed()
        assert rasa_actions.RemoteAction is action_fallback.RemoteActionWithFallback
        record = logging.getLogger("t").makeRecord("t", logging.INFO, "f", 1, "BSN %s", ("111222333",), None)
        assert "111222333" not in record.getMessage()
        assert rasa.core.run.serve_application is not serve
        # Rasa's `rasa run` passes only the arguments the signature names (port, interface, ...)
        assert inspect.signature(rasa.core.run.serve_application) == inspect.signature(serve)
    finally:
        installed.undo()
    assert not safeguards.installed() and rasa.core.run.serve_application is serve
    assert logging.getLogRecordFactory() is factory


def test_retention_starts_when_the_server_has_made_its_store(tmp_path):
    """The listener the server process adds purges old conversations of the agent's store."""
    import asyncio
    import time
    from types import SimpleNamespace

    from rasa.core.tracker_store import AwaitableTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.runtime.safeguards import retention_listeners
    from bot.stores.tracker_store import RedactingTrackerStore

    inner = InMemoryTrackerStore(Domain.empty())
    store = RedactingTrackerStore(Domain.empty(), inner=inner, retention_days=30)
    old = DialogueStateTracker.from_events("old", [UserUttered("hallo", timestamp=time.time() - 40 * 86_400)])
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=AwaitableTrackerStore(store))))
    (start, start_event), (stop, stop_event) = retention_listeners()

    async def server_start_and_stop():
        await inner.save(old)
        await start(app, None)
        kept = list(await inner.keys())
        await stop(app, None)
        return kept

    assert (start_event, stop_event) == ("after_server_start", "before_server_stop")
    assert asyncio.run(server_start_and_stop()) == []


def test_the_patches_are_installed_only_by_the_server_entry_point():
    """Importing the project's modules replaces nothing in Rasa (checked in a fresh process)."""
    code = (
        "import bot.runtime.rasa_server, bot.stores.tracker_store, bot.runtime.processes\n"
        "from rasa.core.policies.rule_policy import RulePolicy\n"
        "from rasa.core.actions import action\n"
        "assert not hasattr(RulePolicy, 'rasa_get_possible_keys')\n"
        "assert action.RemoteAction.__module__ == 'rasa.core.actions.action'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
