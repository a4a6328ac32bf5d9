"""Resident memory (RSS) of running processes and their child processes (Sanic workers), read
from /proc while the load runs; the highest value seen per process is kept."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Dict, List, Optional


def rss_megabytes(pid: int) -> Optional[float]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        return None
    return None


def children(pid: int) -> List[int]:
    found: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


class PeakMemory:
    """Samples the RSS of named processes (and their children) until stopped."""

    def __init__(self, processes: Dict[str, int], every_seconds: float = 0.5):
        self.processes = processes
        self.every = every_seconds
        self.peaks: Dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        for name, pid in self.processes.items():
            members = [(name, pid)] + [(f"{name} worker {n}", child) for n, child in enumerate(children(pid), 1)]
            for label, member in members:
                value = rss_megabytes(member)
                if value is not None:
                    self.peaks[label] = max(value, self.peaks.get(label, 0.0))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def __enter__(self) -> "PeakMemory":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
