"""What the Rasa patches buy: CPU per message and start time, patches off, on, and each left out.

`python -m bot.tools.bench.cpu [--conversations 30] [--each]` starts this assistant's action server,
then loads the trained model in fresh processes (the project's endpoints file, each with a fresh
SQLite store and the server's safeguards): one as plain Rasa 3.6 runs it (`BOT_RASA_PATCHES=off`),
one with every patch of `bot.rasa_patches`, and with `--each` one per patch with all the others.
Each handles the same conversations of the benchmark (`bot.tools.bench.conversations`) in-process,
one message at a time. It prints the CPU milliseconds per message (`time.process_time` of the
process: what the message costs, whatever else the machine runs), the wall milliseconds per
message, the start (imports, patches and model loaded) and the resident memory after the messages, and for each
patch what leaving it out costs as a share of the patched figures. A patch that buys less than
`KEEP_SHARE` of CPU per message and of start time goes, unless its module names another measured
gain (tail latency under load). Patches that act on every message are measured by switching each
off and on again in one process, in rounds (the machine's load touches every configuration alike).
`make bench` includes these figures. Not a test: `make test` never times anything.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.rasa_patches import PATCHES
from bot.runtime.processes import Service, Stack, runtime_endpoints
from bot.runtime.settings import Settings, rasa_environment
from bot.runtime.training import train
from bot.tools.bench.assistants import free_port
from bot.tools.bench.conversations import conversations

WARMUP_CONVERSATIONS = 5
KEEP_SHARE = 0.03
PLAIN = "plain Rasa 3.6 (BOT_RASA_PATCHES=off)"
PATCHED = "with every Rasa patch"
SWITCHED = "with every Rasa patch, one process switching patches"
FIGURES = ("cpu_ms_per_message", "wall_ms_per_message", "load_seconds", "memory_mb")
# What decides whether a patch stays: CPU per message and start time (wall time and memory are
# shown, but on a shared machine wall time is noise at this scale).
DECIDING = ("cpu_ms_per_message", "load_seconds")
# Patches that act on every message, so that switching one off and on again in a running process
# measures it. The others act when the model or the store is made: a fresh process each.
SWITCHABLE = ("event_class_lookup", "endpoint_sessions", "action_answer_check", "intent_features", "rule_index",
              "message_admission")
SWITCHING_ROUNDS = 5


def without(patch: str) -> str:
    """The name of the configuration that leaves `patch` out."""
    return f"without {patch}" + (" (switched off)" if patch in SWITCHABLE else "")


async def _load(model: Path, endpoints: Path) -> Any:
    """Rasa's agent for `model`, as the server loads it (warnings only in the log)."""
    import logging

    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    return await load_agent(model_path=str(model), endpoints=AvailableEndpoints.read_endpoints(str(endpoints)))


async def _talk(agent: Any, script: List[str]) -> int:
    """One conversation of `script`, in a new conversation; returns the number of messages."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    sender = uuid.uuid4().hex
    for text in script:
        await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest"))
    return len(script)


async def _measure_switching(model: Path, endpoints: Path, scripts: List[List[str]]) -> Dict[str, Any]:
    """Every patch installed; then, in rounds, the same conversations with all patches and with
    each of `SWITCHABLE` switched off (and on again after): what changes in the machine's load
    between rounds touches every configuration alike."""
    from bot import rasa_patches
    from bot.rasa_patches.replacements import Replacements
    from bot.runtime import safeguards

    rasa_patches.check_rasa_version()
    installed: Dict[str, Replacements] = {}
    for name in rasa_patches.PATCHES:
        installed[name] = Replacements()
        rasa_patches.install_patch(name, installed[name])
    safeguards.install(endpoints, Settings.from_env().project)
    agent = await _load(model, endpoints)
    for script in scripts[:WARMUP_CONVERSATIONS]:
        await _talk(agent, script)
    measured = scripts[WARMUP_CONVERSATIONS:]
    per_round = max(1, len(measured) // SWITCHING_ROUNDS)
    totals = {name: [0.0, 0.0, 0] for name in (None, *SWITCHABLE)}
    for start in range(0, per_round * SWITCHING_ROUNDS, per_round):
        for name in totals:
            if name is not None:
                installed[name].undo()
            cpu, wall = time.process_time(), time.perf_counter()
            for script in measured[start:start + per_round]:
                totals[name][2] += await _talk(agent, script)
            totals[name][0] += time.process_time() - cpu
            totals[name][1] += time.perf_counter() - wall
            if name is not None:
                installed[name] = Replacements()
                rasa_patches.install_patch(name, installed[name])
    return {SWITCHED if name is None else without(name): {
        "cpu_ms_per_message": 1000.0 * cpu / messages, "wall_ms_per_message": 1000.0 * wall / messages,
        "messages": messages} for name, (cpu, wall, messages) in totals.items()}


async def _measure(model: Path, endpoints: Path, scripts: List[List[str]], leave_out: Optional[List[str]]) -> Dict[str, Any]:
    """Figures of this process, patched unless `leave_out` is None (plain Rasa)."""
    from bot import rasa_patches
    from bot.runtime import safeguards

    started = time.perf_counter()  # the start: imports, patches, safeguards, model
    rasa_patches.install(rasa_patches.PatchSettings(enabled=leave_out is not None), leave_out=leave_out or ())
    safeguards.install(endpoints, Settings.from_env().project)  # as the server does, patched or not
    agent = await _load(model, endpoints)
    load_seconds = time.perf_counter() - started
    for script in scripts[:WARMUP_CONVERSATIONS]:
        await _talk(agent, script)
    cpu, wall = time.process_time(), time.perf_counter()
    messages = 0
    for script in scripts[WARMUP_CONVERSATIONS:]:
        messages += await _talk(agent, script)
    return {"cpu_ms_per_message": 1000.0 * (time.process_time() - cpu) / messages,
            "wall_ms_per_message": 1000.0 * (time.perf_counter() - wall) / messages,
            "messages": messages, "load_seconds": load_seconds,
            "memory_mb": resident_memory_mb()}


def resident_memory_mb() -> float:
    """This process's resident memory now (VmRSS; the peak where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def configurations(each: bool) -> Dict[str, Optional[List[str]]]:
    """Name -> patches left out (None: no patches at all; "switching": `_measure_switching`)."""
    chosen: Dict[str, Any] = {PLAIN: None, PATCHED: []}
    if each:
        chosen.update({without(patch): [patch] for patch in PATCHES if patch not in SWITCHABLE})
        chosen[SWITCHED] = "switching"
    return chosen


def run(conversation_count: int = 30, settings: Optional[Settings] = None, each: bool = False) -> Dict[str, Dict[str, Any]]:
    """The figures of every configuration, measured one after the other in fresh processes."""
    settings = settings or Settings.from_env()
    model = train(settings.project)
    port = free_port()
    env = {"PYTHONPATH": str(settings.project), **rasa_environment()}
    action_server = Service(
        "action server", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        f"http://127.0.0.1:{port}/health", "custom actions", env,
    )
    results: Dict[str, Dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as scratch, Stack([action_server], settings.project):
        for number, (name, leave_out) in enumerate(configurations(each).items()):
            # The project's endpoints file (redacting store, retention, ...) with a fresh SQLite file.
            measured = dataclasses.replace(
                settings.with_ports(settings.rasa_port, port, settings.web_port), data_dir=Path(scratch) / str(number)
            )
            chosen = "off" if leave_out is None else leave_out if isinstance(leave_out, str) else ",".join(leave_out) or "none"
            done = subprocess.run(
                [sys.executable, "-m", "bot.tools.bench.cpu", "--child", str(model), str(runtime_endpoints(measured)),
                 str(conversation_count), chosen],
                cwd=settings.project, env={**os.environ, **env}, capture_output=True, text=True, check=True,
            )
            figures = child_figures(name, done.stdout, done.stderr)
            results.update(figures if leave_out == "switching" else {name: figures})
    return results


def child_figures(name: str, stdout: str, stderr: str) -> Dict[str, Any]:
    """The JSON line a measuring process printed last (a library may print after it)."""
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{name}: no figures printed; output ends {stdout[-500:]!r}, errors end {stderr[-1500:]!r}")


def patch_shares(results: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """For each patch measured: what leaving it out adds, as a share of the patched figures, and
    whether it buys at least `KEEP_SHARE` of one of them."""
    shares: Dict[str, Dict[str, Any]] = {}
    for patch in PATCHES:
        left_out = results.get(without(patch))
        if left_out is None:
            continue
        patched = results[SWITCHED if patch in SWITCHABLE else PATCHED]
        share = {figure: left_out[figure] / patched[figure] - 1.0 for figure in FIGURES if figure in left_out}
        shares[patch] = {**share, "buys_enough": any(share.get(figure, 0.0) >= KEEP_SHARE for figure in DECIDING)}
    return shares


def markdown(results: Dict[str, Dict[str, Any]]) -> str:
    """The figures as Markdown tables (all configurations, then each patch's share)."""
    lines = ["| Rasa process | CPU ms per message | wall ms per message | start (imports + model) | memory (RSS) |",
             "|---|---|---|---|---|"]
    for name, figures in results.items():
        start = f"{figures['load_seconds']:.1f} s" if "load_seconds" in figures else "–"
        memory = f"{figures['memory_mb']:.0f} MB" if "memory_mb" in figures else "–"
        lines.append(f"| {name} | {figures['cpu_ms_per_message']:.2f} | {figures['wall_ms_per_message']:.2f} | "
                     f"{start} | {memory} |")
    plain, patched = results[PLAIN], results[PATCHED]
    lines += ["", f"Patched ÷ plain: {patched['cpu_ms_per_message'] / plain['cpu_ms_per_message']:.2f}x the CPU "
              f"per message, {patched['load_seconds'] / plain['load_seconds']:.2f}x the load time "
              f"({patched['messages']} messages each)."]
    shares = patch_shares(results)
    if shares:
        lines += ["", f"What each patch buys (leaving it out adds, as a share of the patched figure; "
                  f"kept when CPU per message or start time is at least {KEEP_SHARE:.0%}):", "",
                  "| patch | CPU per message | wall per message | load time | memory | ≥ 3 % |",
                  "|---|---|---|---|---|---|"]
        for patch, share in shares.items():
            cells = " | ".join(f"{share[figure]:+.1%}" if figure in share else "–" for figure in FIGURES)
            lines.append(f"| {patch} | {cells} | {'yes' if share['buys_enough'] else '**no**'} |")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.bench.cpu", description=__doc__)
    parser.add_argument("--conversations", type=int, default=30, help="conversations of four messages")
    parser.add_argument("--each", action="store_true", help="also leave each patch out in turn")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)  # model endpoints count patches-left-out
    args = parser.parse_args(argv)
    if args.child:
        model, endpoints, count, chosen = args.child
        scripts = conversations(Settings.from_env().project, int(count) + WARMUP_CONVERSATIONS)
        if chosen == "switching":
            measured = _measure_switching(Path(model), Path(endpoints), scripts)
        else:
            leave_out = None if chosen == "off" else [] if chosen == "none" else chosen.split(",")
            measured = _measure(Path(model), Path(endpoints), scripts, leave_out)
        print(json.dumps(asyncio.run(measured)))
        return 0
    print(markdown(run(args.conversations, each=args.each)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
