"""The load generator: virtual users talking to a REST channel, run as its own process.

`python -m bot.tools.bench.load PLAN.json` reads a plan (see `LoadPlan`), sends its conversations with
`concurrency` users at once, each user starting a new conversation when one ends, until
`max_messages` messages are answered or `max_seconds` have passed, and prints the result as JSON.
Loopback only: it refuses any other host.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional
from urllib.parse import urlsplit

import aiohttp

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class LoadPlan:
    url: str
    concurrency: int
    conversations: List[List[str]]
    max_messages: int
    max_seconds: float
    warmup_messages: int = 0
    timeout_seconds: float = 30.0


@dataclass
class LoadResult:
    concurrency: int
    latencies_ms: List[float] = field(default_factory=list)
    empty_replies: int = 0
    errors: int = 0
    error_samples: List[str] = field(default_factory=list)
    seconds: float = 0.0
    conversations_started: int = 0

    @property
    def answered(self) -> int:
        return len(self.latencies_ms) - self.empty_replies

    @property
    def throughput(self) -> float:
        """Messages answered per second of wall-clock time."""
        return self.answered / self.seconds if self.seconds else 0.0


class _Budget:
    """How many messages may still be sent, and until when."""

    def __init__(self, messages: int, seconds: float):
        self.left = messages
        self.deadline = time.monotonic() + seconds

    def take(self) -> bool:
        if self.left <= 0 or time.monotonic() >= self.deadline:
            return False
        self.left -= 1
        return True


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Optional[list]:
    async with session.post(url, json={"sender": sender, "message": text}) as reply:
        if reply.status != 200:
            raise RuntimeError(f"HTTP {reply.status}: {(await reply.text())[:200]}")
        return await reply.json()


async def _user(plan: LoadPlan, session, scripts, budget: _Budget, result: LoadResult, record: bool) -> None:
    while True:
        script = next(scripts)
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        result.conversations_started += 1
        for text in script:
            if not budget.take():
                return
            started = time.perf_counter()
            try:
                reply = await _send(session, plan.url, sender, text)
            except Exception as problem:  # a failed message is counted, the user goes on
                result.errors += 1
                if len(result.error_samples) < 5:
                    result.error_samples.append(f"{type(problem).__name__}: {problem}")
                continue
            if not record:
                continue
            result.latencies_ms.append((time.perf_counter() - started) * 1000.0)
            if not reply or not any(part.get("text") or part.get("buttons") for part in reply):
                result.empty_replies += 1


async def run_load(plan: LoadPlan) -> LoadResult:
    """Sends the plan's conversations; returns latencies and counts of what went wrong."""
    if urlsplit(plan.url).hostname not in LOOPBACK:
        raise ValueError(f"the benchmark only talks to this machine, not to {plan.url}")
    scripts = itertools.cycle(plan.conversations)
    timeout = aiohttp.ClientTimeout(total=plan.timeout_seconds)
    connector = aiohttp.TCPConnector(limit=plan.concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        if plan.warmup_messages:
            warmup = LoadResult(plan.concurrency)
            budget = _Budget(plan.warmup_messages, plan.max_seconds)
            await asyncio.gather(*(_user(plan, session, scripts, budget, warmup, False) for _ in range(min(plan.concurrency, plan.warmup_messages))))
        result = LoadResult(plan.concurrency)
        budget = _Budget(plan.max_messages, plan.max_seconds)
        started = time.monotonic()
        await asyncio.gather(*(_user(plan, session, scripts, budget, result, True) for _ in range(plan.concurrency)))
        result.seconds = time.monotonic() - started
    return result


def result_from_json(data: Dict) -> LoadResult:
    return LoadResult(**data)


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    with open(args[0], encoding="utf-8") as handle:
        plan = LoadPlan(**json.load(handle))
    result = asyncio.run(run_load(plan))
    json.dump(asdict(result), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
