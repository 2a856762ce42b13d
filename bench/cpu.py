"""Where a load's CPU goes: the processor time each part of the stack used, per request answered.

On a machine of two cores the load driver, gunicorn's workers, PostgreSQL and Redis all share
the same cores, so requests a second alone cannot tell a slow application from a load tool that
eats the cores it measures. The kernel keeps each process's user and system time
(/proc/<pid>/stat); the time used between two readings, divided by the requests answered, is a
figure that holds on a busy machine too, where the wall-clock figures do not. Linux only: where
/proc is missing nothing is measured.
"""

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def seconds_used(pid: int) -> float | None:
    """User plus system time a process has used so far (all its threads); None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    """A process's direct children (gunicorn's workers, the PostgreSQL server's backends)."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def available() -> bool:
    return seconds_used(os.getpid()) is not None


@dataclass
class Reading:
    """Each part's processes and their times at one moment."""

    times: dict[str, dict[int, float]]

    @classmethod
    def take(cls, parts: dict[str, Iterable[int]]) -> "Reading":
        times = {}
        for part, pids in parts.items():
            found = {pid: seconds_used(pid) for pid in pids}
            times[part] = {pid: used for pid, used in found.items() if used is not None}
        return cls(times)


def used_between(before: Reading, after: Reading) -> dict[str, float]:
    """Seconds each part used between two readings. A process started in between counts from
    zero; one that ended in between is missed (a worker replaced mid-run: rare, and says less)."""
    return {
        part: sum(now - before.times.get(part, {}).get(pid, 0.0) for pid, now in pids.items())
        for part, pids in after.times.items()
    }


class Meter:
    """Readings before and after a phase of the load, over the parts `parts()` names then."""

    def __init__(self, parts: Callable[[], dict[str, Iterable[int]]]):
        self.parts = parts
        self.before: Reading | None = None
        self.used: dict[str, float] = {}

    def start(self) -> None:
        self.before = Reading.take(self.parts()) if available() else None

    def stop(self) -> None:
        if self.before is not None:
            self.used = used_between(self.before, Reading.take(self.parts()))

    def per_request(self, requests: int) -> str:
        """ "load driver 1.0, gunicorn 41.0, ... ms a request; the driver's share"; or ""."""
        if not self.used or not requests:
            return ""
        total = sum(self.used.values())
        parts = ", ".join(f"{part} {s * 1000 / requests:.1f}" for part, s in self.used.items())
        driver = self.used.get("load driver", 0.0)
        share = f"; the load driver's share {driver / total:.0%}" if total else ""
        return f"CPU ms a request: {parts}, all {total * 1000 / requests:.1f}{share}"
