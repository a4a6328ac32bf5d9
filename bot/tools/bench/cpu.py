"""CPU time per message of the Rasa process, with and without the speed fixes, in one run.

`python -m bot.tools.bench.cpu [--conversations 30]` starts this assistant's action server, then loads
the trained model in two fresh processes (the project's endpoints file, each with a fresh SQLite
store), one as Rasa 3.6 runs it and one with `bot.runtime.rasa_server.install_speedups`, and lets each handle the same conversations of the benchmark
(`bot.tools.bench.conversations`) in-process, one message at a time. It prints the CPU milliseconds per
message (`time.process_time` of the process: what the message costs, whatever else the machine
runs) and the time to load the model. Not a test: `make test` never times anything.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.tools.bench.assistants import free_port
from bot.tools.bench.conversations import conversations
from bot.runtime.processes import Service, Stack, runtime_endpoints
from bot.runtime.settings import Settings, rasa_environment
from bot.runtime.training import train

WARMUP_CONVERSATIONS = 5


async def _measure(model: Path, endpoints: Path, scripts: List[List[str]], speedups: bool) -> Dict[str, Any]:
    import logging

    if speedups:
        from bot.runtime.rasa_server import install_speedups

        install_speedups()
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    started = time.perf_counter()
    agent = await load_agent(model_path=str(model), endpoints=AvailableEndpoints.read_endpoints(str(endpoints)))
    load_seconds = time.perf_counter() - started

    async def talk(script: List[str]) -> int:
        sender = uuid.uuid4().hex
        for text in script:
            await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest"))
        return len(script)

    for script in scripts[:WARMUP_CONVERSATIONS]:
        await talk(script)
    cpu = time.process_time()
    messages = 0
    for script in scripts[WARMUP_CONVERSATIONS:]:
        messages += await talk(script)
    return {"cpu_ms_per_message": 1000.0 * (time.process_time() - cpu) / messages, "messages": messages,
            "load_seconds": load_seconds}


def run(conversation_count: int = 30, settings: Optional[Settings] = None) -> Dict[str, Dict[str, Any]]:
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
        for name, speedups in (("as Rasa 3.6 runs it", False), ("with bot.runtime.rasa_server's fixes", True)):
            # The project's endpoints file (redacting store, retention, ...) with a fresh SQLite file.
            measured = dataclasses.replace(
                settings.with_ports(settings.rasa_port, port, settings.web_port),
                data_dir=Path(scratch) / ("fast" if speedups else "plain"),
            )
            done = subprocess.run(
                [sys.executable, "-m", "bot.tools.bench.cpu", "--child", str(model), str(runtime_endpoints(measured)),
                 str(conversation_count), "1" if speedups else "0"],
                cwd=settings.project, env={**os.environ, **env}, capture_output=True,
                text=True, check=True,
            )
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.bench.cpu", description=__doc__)
    parser.add_argument("--conversations", type=int, default=30, help="conversations of four messages")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)  # model endpoints count speedups
    args = parser.parse_args(argv)
    if args.child:
        model, endpoints, count, speedups = args.child
        scripts = conversations(Settings.from_env().project, int(count) + WARMUP_CONVERSATIONS)
        print(json.dumps(asyncio.run(_measure(Path(model), Path(endpoints), scripts, speedups == "1"))))
        return 0
    results = run(args.conversations)
    print("| Rasa process | CPU ms per message | model loaded in |\n|---|---|---|")
    for name, figures in results.items():
        print(f"| {name} | {figures['cpu_ms_per_message']:.1f} | {figures['load_seconds']:.1f} s |")
    plain, fast = results.values()
    print(f"\nratio: {fast['cpu_ms_per_message'] / plain['cpu_ms_per_message']:.2f}x the CPU per message, "
          f"{fast['messages']} messages each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
