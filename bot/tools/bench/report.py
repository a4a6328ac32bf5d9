"""Figures, goals and the report of a benchmark run: JSON, Markdown and a latency plot."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.tools.bench.load import LoadResult

BASELINE = "rasa init"
PROJECT = "Werkwijzer"
# The goals of issue 7, measured against the baseline of the same run.
THROUGHPUT_RATIO_AT = 20
THROUGHPUT_RATIO_GOAL = 5.0
P50_RATIO_GOAL = 1 / 3
P99_GOAL_MS = 500.0
READY_GOAL_SECONDS = 20.0
MEMORY_GOAL_MB = 600.0


def percentile(values: List[float], share: float) -> Optional[float]:
    """The nearest-rank percentile (share in 0..100); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100.0 * len(ordered)))
    return ordered[rank - 1]


def level_figures(result: LoadResult) -> Dict[str, Any]:
    return {
        "concurrency": result.concurrency,
        "messages": len(result.latencies_ms),
        "seconds": round(result.seconds, 2),
        "throughput": round(result.throughput, 2),
        "p50_ms": _round(percentile(result.latencies_ms, 50)),
        "p95_ms": _round(percentile(result.latencies_ms, 95)),
        "p99_ms": _round(percentile(result.latencies_ms, 99)),
        "empty_replies": result.empty_replies,
        "errors": result.errors,
        "error_samples": result.error_samples,
        "conversations": result.conversations_started,
    }


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)


def _ratio(ours: Optional[float], theirs: Optional[float]) -> Optional[float]:
    if ours is None or not theirs:
        return None
    return round(ours / theirs, 3)


def _level(figures: Dict[str, Any], name: str, concurrency: int) -> Dict[str, Any]:
    return figures["assistants"][name]["levels"].get(str(concurrency), {})


def ratios(figures: Dict[str, Any]) -> Dict[str, Dict[str, Optional[float]]]:
    """Per concurrency: our throughput and latencies divided by the baseline's."""
    table: Dict[str, Dict[str, Optional[float]]] = {}
    for level in figures["assistants"][PROJECT]["levels"]:
        ours, theirs = _level(figures, PROJECT, int(level)), _level(figures, BASELINE, int(level))
        table[level] = {key: _ratio(ours.get(key), theirs.get(key)) for key in ("throughput", "p50_ms", "p95_ms", "p99_ms")}
    return table


def goals(figures: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Each goal of the issue: what was measured, the target, and whether it is met."""
    ours = figures["assistants"][PROJECT]
    table = figures["ratios"]
    rows: List[Dict[str, Any]] = []

    def add(goal: str, value: Any, target: str, met: Optional[bool]) -> None:
        rows.append({"goal": goal, "measured": value, "target": target, "met": met})

    at = str(THROUGHPUT_RATIO_AT)
    value = table.get(at, {}).get("throughput")
    add(f"throughput at {at} conversations vs baseline", value, f">= {THROUGHPUT_RATIO_GOAL:g}x",
        None if value is None else value >= THROUGHPUT_RATIO_GOAL)
    value = table.get("1", {}).get("p50_ms")
    add("p50 latency, one conversation, vs baseline", value, "<= 0.333x", None if value is None else value <= P50_RATIO_GOAL)
    value = ours["levels"].get(at, {}).get("p99_ms")
    add(f"p99 latency at {at} conversations", value, f"<= {P99_GOAL_MS:g} ms", None if value is None else value <= P99_GOAL_MS)
    value = ours["ready_seconds"].get("rasa server")
    add("Rasa server start to ready (trained model)", _round(value), f"<= {READY_GOAL_SECONDS:g} s",
        None if value is None else value <= READY_GOAL_SECONDS)
    rasa_memory = {k: v for k, v in ours["memory_mb"].items() if k.startswith("rasa server")}
    value = max(rasa_memory.values()) if rasa_memory else None
    add("largest Rasa process (RSS)", _round(value), f"<= {MEMORY_GOAL_MB:g} MB", None if value is None else value <= MEMORY_GOAL_MB)
    unanswered = sum(level["empty_replies"] + level["errors"] for level in ours["levels"].values())
    add("messages without an answer under load", unanswered, "0", unanswered == 0)
    return rows


def _cell(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}{unit}"
    return f"{value}{unit}"


def markdown(figures: Dict[str, Any]) -> str:
    run = figures["run"]
    lines = [
        "# Benchmark: Werkwijzer against a plain `rasa init` assistant",
        "",
        f"Run {run['started']} on {run['cpus']} CPUs (load average at start {run['load_average']}), "
        f"Rasa {run['rasa']}; command `{run['command']}`. Each level: at most {run['max_messages']} messages "
        f"or {run['max_seconds']:g} s, conversations of {run['turns']} messages in {', '.join(run['languages'])}. "
        "The machine is shared: compare the ratios, not the absolute numbers.",
        "",
        "## Goals",
        "",
        "| goal | measured | target | met |",
        "|---|---|---|---|",
    ]
    for row in figures["goals"]:
        met = {True: "yes", False: "**no**", None: "–"}[row["met"]]
        lines.append(f"| {row['goal']} | {_cell(row['measured'])} | {row['target']} | {met} |")
    lines += ["", "## Ratios (Werkwijzer ÷ rasa init, same run)", "",
              "| conversations at once | throughput | p50 | p95 | p99 |", "|---|---|---|---|---|"]
    for level, row in figures["ratios"].items():
        lines.append(f"| {level} | {_cell(row['throughput'], 'x')} | {_cell(row['p50_ms'], 'x')} | "
                     f"{_cell(row['p95_ms'], 'x')} | {_cell(row['p99_ms'], 'x')} |")
    for name, assistant in figures["assistants"].items():
        lines += ["", f"## {name}", "",
                  "| conversations at once | messages | msg/s | p50 ms | p95 ms | p99 ms | empty | errors |",
                  "|---|---|---|---|---|---|---|---|"]
        for level in assistant["levels"].values():
            lines.append(
                f"| {level['concurrency']} | {level['messages']} | {_cell(level['throughput'])} | {_cell(level['p50_ms'])} | "
                f"{_cell(level['p95_ms'])} | {_cell(level['p99_ms'])} | {level['empty_replies']} | {level['errors']} |"
            )
        ready = ", ".join(f"{k} {v:.1f} s" for k, v in assistant["ready_seconds"].items())
        memory = ", ".join(f"{k} {v:.0f} MB" for k, v in assistant["memory_mb"].items())
        lines += ["", f"- start to ready: {ready}", f"- peak memory (RSS): {memory}",
                  f"- training: {assistant['training_seconds']:.0f} s (measured {assistant['trained_on']})"]
        growth = assistant.get("tracker_growth")
        if growth:
            lines.append(f"- one conversation of {growth['messages']} messages: p50 {_cell(growth['first_20_p50_ms'])} ms "
                         f"for its first 20, {_cell(growth['last_20_p50_ms'])} ms for its last 20")
    if figures.get("action_call"):
        call = figures["action_call"]
        lines += ["", "## Action-server round trip", "",
                  f"- request to the action server: {call['full_bytes']} bytes with the whole domain, "
                  f"{call['selective_bytes']} bytes without it",
                  f"- p50 of a call: {call['full_p50_ms']} ms with the domain, {call['selective_p50_ms']} ms without"]
    if figures.get("rasa_patches"):
        from bot.tools.bench import cpu

        lines += ["", "## The Rasa patches (bot/rasa_patches): off, on, each left out", "",
                  "In-process, one message at a time, fresh process each (`python -m bot.tools.bench.cpu --each`).", "",
                  cpu.markdown(figures["rasa_patches"])]
    lines += ["", "## Accuracy", ""]
    for name, outcome in figures["accuracy"].items():
        lines += [f"### `python -m bot {name}`", "", "```", outcome.strip() or "(no output)", "```", ""]
    lines += ["", "![latency against concurrency](latency.png)", ""]
    return "\n".join(lines)


def plot(figures: Dict[str, Any], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, style in ((BASELINE, "--"), (PROJECT, "-")):
        levels = list(figures["assistants"][name]["levels"].values())
        x = [level["concurrency"] for level in levels]
        for key, marker in (("p50_ms", "o"), ("p95_ms", "s"), ("p99_ms", "^")):
            latency.plot(x, [level[key] for level in levels], style, marker=marker, label=f"{name} {key[:3]}")
        throughput.plot(x, [level["throughput"] for level in levels], style, marker="o", label=name)
    latency.set(xlabel="conversations at once", ylabel="latency (ms)", yscale="log", title="Latency")
    throughput.set(xlabel="conversations at once", ylabel="messages per second", title="Throughput")
    latency.grid(True, which="both", alpha=0.3)
    throughput.grid(True, alpha=0.3)
    latency.legend(fontsize=7)
    throughput.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    plt.close(figure)


def write(figures: Dict[str, Any], folder: Path) -> Path:
    """Adds ratios and goals to the figures and writes bench.json, bench.md and latency.png."""
    folder.mkdir(parents=True, exist_ok=True)
    figures["ratios"] = ratios(figures)
    figures["goals"] = goals(figures)
    (folder / "bench.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    plot(figures, folder / "latency.png")
    report = folder / "bench.md"
    report.write_text(markdown(figures), encoding="utf-8")
    return report
