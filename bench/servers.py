"""Private PostgreSQL and Redis servers on loopback: for `make load`, the fault drill, the replica.

Never the shared servers on 5432 and 6379, which other people's tests are using: each server
started here has its own data directory in a temporary folder, a port of its own on 127.0.0.1
(no other address, and its Unix socket inside that folder), and is stopped, its folder removed,
when the ``with`` block that started it ends, however it ends.

PostgreSQL refuses to run as root, so under root its commands run as the ``postgres`` account
(runuser), which then owns the folder.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

START_SECONDS = 30
# A durable server syncs its WAL as production does (the fault drill restarts it as a crash
# would); a throwaway one, for a test, does not.
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class ServerError(RuntimeError):
    """A private server did not start, stop or copy as asked."""


def postgres_bin() -> Path:
    """PG_BIN, else the newest /usr/lib/postgresql/*/bin, else the folder of initdb on PATH."""
    named = os.environ.get("PG_BIN")
    if named:
        return Path(named)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise ServerError("PostgreSQL's initdb was not found: install postgresql or set PG_BIN")


def _version(path: str) -> int:
    number = Path(path).parent.parent.name
    return int(number) if number.isdigit() else 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _owner_command(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(  # noqa: S603 (fixed programs, arguments made here)
        _owner_command(command), capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise ServerError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def _private_folder(label: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"caseflow-{label}-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


@dataclass
class Postgres:
    """One PostgreSQL server: its data directory, port and log."""

    data: Path
    port: int
    settings: tuple[str, ...] = ()

    @property
    def log(self) -> Path:
        return self.data.parent / f"{self.data.name}.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.data}",
            *(f"-c {setting}" for setting in self.settings),
        ]
        command = [str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        _run([*command, "-w", "-t", str(START_SECONDS), "-o", " ".join(options), "start"], "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends sessions and shuts down cleanly; ``immediate`` is a crash: the next
        start replays the WAL, keeping every committed transaction and nothing else."""
        command = [str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w"]
        _run([*command, "-t", str(START_SECONDS), "stop"], "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def execute(self, sql: str, database: str = "postgres") -> str:
        """One statement through psql, its output (for setup and checks, not for the app)."""
        psql = [str(postgres_bin() / "psql"), "-X", "-A", "-t", "-h", "127.0.0.1"]
        done = subprocess.run(  # noqa: S603
            [*psql, "-p", str(self.port), "-U", "postgres", "-d", database, "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise ServerError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()


def init_primary(folder: Path, *, durable: bool = True) -> Postgres:
    """A new cluster in folder/primary, ready to stream WAL to replicas, started."""
    data = folder / "primary"
    initdb = [str(postgres_bin() / "initdb"), "-D", str(data), "-U", "postgres"]
    _run([*initdb, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], "initdb")
    settings = ("wal_level=replica", "max_wal_senders=4", "max_connections=60")
    server = Postgres(data, free_port(), settings + (() if durable else FAST))
    server.start()
    return server


def start_replica(primary: Postgres, folder: Path) -> Postgres:
    """A streaming replica of primary in folder/replica (pg_basebackup -R), started.

    -R writes standby.signal and the primary's address, so the copy starts as a hot standby
    that answers reads and replays the primary's WAL as it streams in.
    """
    data = folder / "replica"
    backup = [str(postgres_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port)]
    _run([*backup, "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast"], "copy")
    replica = Postgres(data, free_port(), (*primary.settings, "hot_standby=on"))
    replica.start()
    return replica


def wait_for_replay(primary: Postgres, replica: Postgres, timeout: float = 10.0) -> None:
    """Until the replica has replayed everything the primary has written so far.

    The target is where the primary's WAL has been inserted up to, not where it has been
    written: a commit without synchronous_commit (FAST) returns before its record is written,
    and a replica could otherwise be caught up with the write position and not yet have it."""
    target = primary.execute("SELECT pg_current_wal_insert_lsn()")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        behind = replica.execute(f"SELECT pg_wal_lsn_diff('{target}', pg_last_wal_replay_lsn())")
        if float(behind or 0) <= 0:
            return
        time.sleep(0.05)
    raise ServerError(f"the replica did not catch up within {timeout} s")


@contextmanager
def private_postgres(*, replica: bool = False, durable: bool = True) -> Iterator[tuple]:
    """(primary, replica or None), stopped and removed afterwards."""
    folder = _private_folder("postgres")
    started: list[Postgres] = []
    try:
        primary = init_primary(folder, durable=durable)
        started.append(primary)
        copy = start_replica(primary, folder) if replica else None
        if copy is not None:
            started.append(copy)
        yield primary, copy
    finally:
        for server in reversed(started):
            if server.running():
                with suppress(ServerError):
                    server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Redis:
    """One Redis server, nothing saved to disk."""

    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
        command += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise ServerError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def private_redis() -> Iterator[Redis]:
    server = Redis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
