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


def seconds_used(pid: int, reaped: bool = False) -> float | None:
    """User plus system time a process has used so far (all its threads), with reaped: and
    that of its children that have ended and been waited for; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    spent = int(fields[11]) + int(fields[12])
    if reaped:
        spent += int(fields[13]) + int(fields[14])
    return spent / TICKS


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
        """Each part's first process is its parent (gunicorn's master, PostgreSQL's server):
        its time includes that of its children that have ended since it started, so a worker
        replaced or a connection closed mid-phase is still counted (once it is waited for)."""
        times = {}
        for part, pids in parts.items():
            found = {pid: seconds_used(pid, reaped=n == 0) for n, pid in enumerate(pids)}
            times[part] = {pid: used for pid, used in found.items() if used is not None}
        return cls(times)


def used_between(before: Reading, after: Reading) -> dict[str, float]:
    """Seconds each part used between two readings: its processes' times then, less their
    times before. A process started in between counts from zero; one that ended in between has
    moved, whole, into its parent's time, and its time before is taken off with the rest."""
    return {
        part: sum(pids.values()) - sum(before.times.get(part, {}).values())
        for part, pids in after.times.items()
    }


def cores_busy() -> tuple[int, int] | None:
    """The machine's busy and total clock ticks so far, over every core (/proc/stat)."""
    try:
        ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and waiting on the disk
    return sum(ticks) - idle, sum(ticks)


class Meter:
    """Readings before and after a phase of the load, over the parts `parts()` names then, and
    how busy the machine's cores were in between: near 100% says the phase was bound by the
    processors, well under it that requests waited on something else (a lock, the disk)."""

    def __init__(self, parts: Callable[[], dict[str, Iterable[int]]]):
        self.parts = parts
        self.before: Reading | None = None
        self.used: dict[str, float] = {}
        self.machine_before: tuple[int, int] | None = None
        self.busy: float | None = None

    def start(self) -> None:
        self.before = Reading.take(self.parts()) if available() else None
        self.machine_before = cores_busy()

    def stop(self) -> None:
        if self.before is not None:
            self.used = used_between(self.before, Reading.take(self.parts()))
        after = cores_busy()
        if self.machine_before is not None and after is not None:
            total = after[1] - self.machine_before[1]
            self.busy = (after[0] - self.machine_before[0]) / total if total else None

    def per_request(self, requests: int) -> str:
        """ "load driver 1.0, gunicorn 41.0, ... ms a request; the driver's share; cores
        busy"; or ""."""
        if not self.used or not requests:
            return ""
        total = sum(self.used.values())
        parts = ", ".join(f"{part} {s * 1000 / requests:.1f}" for part, s in self.used.items())
        driver = self.used.get("load driver", 0.0)
        share = f"; the load driver's share {driver / total:.0%}" if total else ""
        busy = f"; the cores busy {self.busy:.0%} of the time" if self.busy is not None else ""
        return f"CPU ms a request: {parts}, all {total * 1000 / requests:.1f}{share}{busy}"
