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
`KEEP_SHARE` of each (and nothing else measured, see its module) goes.
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
FIGURES = ("cpu_ms_per_message", "wall_ms_per_message", "load_seconds", "memory_mb")


def without(patch: str) -> str:
    """The name of the configuration that leaves `patch` out."""
    return f"without {patch}"


async def _measure(model: Path, endpoints: Path, scripts: List[List[str]], leave_out: Optional[List[str]]) -> Dict[str, Any]:
    """Figures of this process, patched unless `leave_out` is None (plain Rasa)."""
    import logging

    from bot import rasa_patches
    from bot.runtime import safeguards

    started = time.perf_counter()  # the start: imports, patches, safeguards, model
    rasa_patches.install(rasa_patches.PatchSettings(enabled=leave_out is not None), leave_out=leave_out or ())
    safeguards.install(endpoints, Settings.from_env().project)  # as the server does, patched or not
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = await load_agent(model_path=str(model), endpoints=AvailableEndpoints.read_endpoints(str(endpoints)))
    load_seconds = time.perf_counter() - started

    async def talk(script: List[str]) -> int:
        sender = uuid.uuid4().hex
        for text in script:
            await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest"))
        return len(script)

    for script in scripts[:WARMUP_CONVERSATIONS]:
        await talk(script)
    cpu, wall = time.process_time(), time.perf_counter()
    messages = 0
    for script in scripts[WARMUP_CONVERSATIONS:]:
        messages += await talk(script)
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
    """Name -> patches left out (None: no patches at all)."""
    chosen: Dict[str, Optional[List[str]]] = {PLAIN: None, PATCHED: []}
    if each:
        chosen.update({without(patch): [patch] for patch in PATCHES})
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
            chosen = "off" if leave_out is None else ",".join(leave_out) or "none"
            done = subprocess.run(
                [sys.executable, "-m", "bot.tools.bench.cpu", "--child", str(model), str(runtime_endpoints(measured)),
                 str(conversation_count), chosen],
                cwd=settings.project, env={**os.environ, **env}, capture_output=True, text=True, check=True,
            )
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def patch_shares(results: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """For each patch measured: what leaving it out adds, as a share of the patched figures, and
    whether it buys at least `KEEP_SHARE` of one of them."""
    patched = results[PATCHED]
    shares: Dict[str, Dict[str, Any]] = {}
    for patch in PATCHES:
        left_out = results.get(without(patch))
        if left_out is None:
            continue
        share = {figure: left_out[figure] / patched[figure] - 1.0 for figure in FIGURES}
        shares[patch] = {**share, "buys_enough": max(share.values()) >= KEEP_SHARE}
    return shares


def markdown(results: Dict[str, Dict[str, Any]]) -> str:
    """The figures as Markdown tables (all configurations, then each patch's share)."""
    lines = ["| Rasa process | CPU ms per message | wall ms per message | start (imports + model) | memory (RSS) |",
             "|---|---|---|---|---|"]
    for name, figures in results.items():
        lines.append(f"| {name} | {figures['cpu_ms_per_message']:.2f} | {figures['wall_ms_per_message']:.2f} | "
                     f"{figures['load_seconds']:.1f} s | {figures['memory_mb']:.0f} MB |")
    plain, patched = results[PLAIN], results[PATCHED]
    lines += ["", f"Patched ÷ plain: {patched['cpu_ms_per_message'] / plain['cpu_ms_per_message']:.2f}x the CPU "
              f"per message, {patched['load_seconds'] / plain['load_seconds']:.2f}x the load time "
              f"({patched['messages']} messages each)."]
    shares = patch_shares(results)
    if shares:
        lines += ["", f"What each patch buys (leaving it out adds, as a share of the patched figure; "
                  f"kept when one share is at least {KEEP_SHARE:.0%}):", "",
                  "| patch | CPU per message | wall per message | load time | memory | ≥ 3 % |",
                  "|---|---|---|---|---|---|"]
        for patch, share in shares.items():
            lines.append(f"| {patch} | {share['cpu_ms_per_message']:+.1%} | {share['wall_ms_per_message']:+.1%} | "
                         f"{share['load_seconds']:+.1%} | {share['memory_mb']:+.1%} | "
                         f"{'yes' if share['buys_enough'] else '**no**'} |")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.bench.cpu", description=__doc__)
    parser.add_argument("--conversations", type=int, default=30, help="conversations of four messages")
    parser.add_argument("--each", action="store_true", help="also leave each patch out in turn")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)  # model endpoints count patches-left-out
    args = parser.parse_args(argv)
    if args.child:
        model, endpoints, count, chosen = args.child
        leave_out = None if chosen == "off" else [] if chosen == "none" else chosen.split(",")
        scripts = conversations(Settings.from_env().project, int(count) + WARMUP_CONVERSATIONS)
        print(json.dumps(asyncio.run(_measure(Path(model), Path(endpoints), scripts, leave_out))))
        return 0
    print(markdown(run(args.conversations, each=args.each)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
