"""One benchmark run: both assistants, every concurrency level, accuracy, the report."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.runtime.settings import Settings
from bot.tools.bench import report
from bot.tools.bench.assistants import (
    Running,
    TrainedModel,
    baseline_model,
    project_model,
    start_baseline,
    start_project,
)
from bot.tools.bench.conversations import conversations, examples_by_language
from bot.tools.bench.load import LoadPlan, LoadResult, result_from_json
from bot.tools.bench.memory import PeakMemory

# `python -m bot <command>` of the knowledge and language lanes, reported when they exist.
ACCURACY_COMMANDS = ("evaluate", "quality")


@dataclass
class BenchOptions:
    levels: Tuple[int, ...] = (1, 10, 20, 50)
    # Enough messages that p99 is not the few slowest of a short burst (at 190 msg/s, 400
    # messages took 2 s and p99 was the 4th slowest); every level also stops after max_seconds.
    max_messages: Dict[int, int] = field(default_factory=lambda: {1: 200, 10: 1000, 20: 2000, 50: 2500})
    max_seconds: float = 45.0
    turns: int = 4
    warmup_messages: int = 10
    out: Path = Path("reports/bench")
    cache: Path = Path(".cache/bench")
    project_env: Dict[str, str] = field(default_factory=dict)  # e.g. SANIC_WORKERS for the project
    accuracy: bool = True
    # The Rasa patches off, on and each left out (`bot.tools.bench.cpu`), in the same run.
    patch_figures: bool = True
    patch_conversations: int = 30
    command: str = "python -m bot bench"


def _load_result(plan: LoadPlan, scratch: Path, python: str = sys.executable) -> LoadResult:
    plan_file = scratch / f"plan-{plan.concurrency}.json"
    plan_file.write_text(json.dumps(asdict(plan)), encoding="utf-8")
    done = subprocess.run(
        [python, "-m", "bot.tools.bench.load", str(plan_file)],
        capture_output=True, text=True, check=True, timeout=plan.max_seconds * 3 + 120,
    )
    return result_from_json(json.loads(done.stdout))


def run_load_process(plan: LoadPlan, python: str = sys.executable) -> Dict[str, Any]:
    """Runs the load generator in its own process (so that it does not compete with the
    measuring process for the interpreter); returns the figures of the level."""
    with tempfile.TemporaryDirectory() as scratch:
        return report.level_figures(_load_result(plan, Path(scratch), python))


def measure(running: Running, trained: TrainedModel, scripts: List[List[str]], options: BenchOptions,
            announce: Callable[[str], None]) -> Dict[str, Any]:
    levels: Dict[str, Any] = {}
    with PeakMemory(running.pids()) as memory:
        for concurrency in options.levels:
            plan = LoadPlan(
                url=running.rest_url, concurrency=concurrency, conversations=scripts,
                max_messages=options.max_messages.get(concurrency, 300), max_seconds=options.max_seconds,
                warmup_messages=options.warmup_messages if concurrency == options.levels[0] else 0,
            )
            figures = run_load_process(plan)
            levels[str(concurrency)] = figures
            announce(f"  {running.name}, {concurrency:>2} at once: {figures['throughput']:6.1f} msg/s, "
                     f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
                     f"{figures['empty_replies']} empty, {figures['errors']} errors")
        growth = tracker_growth(running, scripts)
    return {
        "tracker_growth": growth,
        "training_seconds": trained.training_seconds,
        "trained_on": trained.trained_on,
        "ready_seconds": running.ready_seconds,
        "memory_mb": {name: round(value, 1) for name, value in memory.peaks.items()},
        "levels": levels,
    }


def tracker_growth(running: Running, scripts: List[List[str]], messages: int = 120) -> Dict[str, Any]:
    """Latency of one long conversation: its first messages against its last ones (every message
    loads the conversation so far from the tracker store)."""
    flat = [text for script in scripts for text in script]
    plan = LoadPlan(url=running.rest_url, concurrency=1, conversations=[flat[:messages]],
                    max_messages=messages, max_seconds=120)
    with tempfile.TemporaryDirectory() as scratch:
        result = _load_result(plan, Path(scratch))
    first, last = result.latencies_ms[:20], result.latencies_ms[-20:]
    return {"messages": len(result.latencies_ms),
            "first_20_p50_ms": _rounded(report.percentile(first, 50)),
            "last_20_p50_ms": _rounded(report.percentile(last, 50))}


def _rounded(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)


def _post_ms(url: str, body: bytes) -> float:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as reply:
        reply.read()
    return (time.perf_counter() - started) * 1000.0


def action_call_cost(project: Path, action_url: str, calls: int = 40) -> Dict[str, Any]:
    """What one call of `action_answer_topic` costs, with the whole domain in the request (Rasa's
    default) and without it (`enable_selective_domain`)."""
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(project / "domain")).as_dict()
    tracker = {
        "sender_id": "bench", "slots": {"language": "nl"}, "events": [], "paused": False,
        "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
        "latest_message": {"text": "Mag ik werken als asielzoeker?", "intent": {"name": "ask_asylum_work", "confidence": 1.0}, "entities": []},
    }
    call = {"next_action": "action_answer_topic", "sender_id": "bench", "tracker": tracker, "version": "3.6.21"}
    full = json.dumps({**call, "domain": domain}).encode()
    selective = json.dumps(call).encode()
    timings = {"full": [], "selective": []}
    for _ in range(calls):
        timings["full"].append(_post_ms(action_url, full))
        timings["selective"].append(_post_ms(action_url, selective))
    return {
        "full_bytes": len(full), "selective_bytes": len(selective),
        "full_p50_ms": round(report.percentile(timings["full"], 50), 2),
        "selective_p50_ms": round(report.percentile(timings["selective"], 50), 2),
    }


def accuracy(project: Path, python: str = sys.executable) -> Dict[str, str]:
    """The output of the accuracy commands of the knowledge and language lanes, when they exist."""
    outcomes: Dict[str, str] = {}
    for command in ACCURACY_COMMANDS:
        asked = subprocess.run([python, "-m", "bot", command, "--help"], cwd=project, capture_output=True)
        if asked.returncode != 0:
            outcomes[command] = "not available (no `python -m bot " + command + "` on this branch)"
            continue
        try:
            done = subprocess.run([python, "-m", "bot", command], cwd=project, capture_output=True, text=True, timeout=1800)
            text = done.stdout + (f"\n(exit code {done.returncode})" if done.returncode else "")
        except subprocess.TimeoutExpired:
            text = "did not finish within 30 minutes"
        outcomes[command] = "\n".join(text.strip().splitlines()[-40:])
    return outcomes


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def run_bench(settings: Settings, options: BenchOptions, announce: Callable[[str], None] = print) -> Path:
    """Measures the baseline, then this assistant, and writes the report; returns its path."""
    import rasa

    project = settings.project
    cache = options.cache if options.cache.is_absolute() else project / options.cache
    out = options.out if options.out.is_absolute() else project / options.out
    scripts = conversations(project, count=400, turns=options.turns)
    figures: Dict[str, Any] = {
        "run": {
            "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
            "load_average": _load_average(), "rasa": rasa.__version__, "command": options.command,
            "levels": list(options.levels), "max_messages": max(options.max_messages.values()),
            "max_seconds": options.max_seconds, "turns": options.turns,
            "languages": sorted(examples_by_language(project)), "project_env": options.project_env,
        },
        "assistants": {},
    }
    baseline = baseline_model(cache, announce=announce)
    ours = project_model(project, cache, announce=announce)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        for trained, start in (
            (baseline, lambda: start_baseline(baseline, Path(scratch))),
            (ours, lambda: start_project(ours, settings, Path(scratch), options.project_env)),
        ):
            announce(f"Starting {trained.name} ...")
            running = start()
            try:
                figures["assistants"][trained.name] = measure(running, trained, scripts, options, announce)
                if trained is ours:
                    action_url = running.stack.service("action server").health_url.replace("/health", "/webhook")
                    figures["action_call"] = action_call_cost(project, action_url)
            finally:
                running.stack.stop()
    if options.patch_figures:
        from bot.tools.bench import cpu

        announce("Measuring the Rasa patches: off, on, and each left out ...")
        figures["rasa_patches"] = cpu.run(options.patch_conversations, settings, each=True)
    figures["accuracy"] = accuracy(project) if options.accuracy else {}
    return report.write(figures, out)


def bench_from_arguments(settings: Settings, args: Any) -> int:
    """`python -m bot bench`: runs the benchmark and prints the report."""
    options = BenchOptions(
        levels=tuple(int(level) for level in args.levels.split(",")),
        max_seconds=args.max_seconds,
        out=Path(args.out),
        accuracy=not args.no_accuracy,
        patch_figures=not getattr(args, "no_patch_figures", False),
        project_env={"SANIC_WORKERS": str(args.workers)} if args.workers else {},
        command="python -m bot bench " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["bench"] else "python -m bot bench",
    )
    if args.endpoints:
        settings = dataclasses.replace(settings, endpoints=Path(args.endpoints).resolve())
    path = run_bench(settings, options, announce=lambda line: print(line, flush=True))
    print(path.read_text(encoding="utf-8"))
    print(f"Report: {path} (and bench.json, latency.png)", flush=True)
    return 0
