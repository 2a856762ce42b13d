"""`make replica`: a private PostgreSQL primary and a streaming replica beside it, for trying
DATABASE_REPLICA_URL (caseflow.reporting_db) on one machine.

It starts a new cluster on a free loopback port (never the shared server on 5432), makes a
database ``caseflow`` and applies the migrations, copies the cluster with ``pg_basebackup -R``
into a hot standby on another port, and prints the two URLs to set. Both stop, and their folder
goes, when it ends: after REPLICA_SECONDS (default 3600) or at Ctrl-C.

    DATABASE_URL=<primary> DATABASE_REPLICA_URL=<replica> make run
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

from bench import servers

ROOT = Path(__file__).resolve().parent.parent


def _interrupt(_signum, _frame) -> None:
    # A stop from outside ends the wait like Ctrl-C, so the servers are stopped either way.
    raise KeyboardInterrupt


def main() -> int:
    seconds = int(os.environ.get("REPLICA_SECONDS", "3600"))
    signal.signal(signal.SIGTERM, _interrupt)
    with servers.private_postgres(replica=False, durable=True) as (primary, _):
        primary.execute("CREATE DATABASE caseflow")
        env = {**os.environ, "DATABASE_URL": primary.url("caseflow")}
        subprocess.run(  # noqa: S603 (the project's own flask command)
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        replica = servers.start_replica(primary, primary.data.parent)
        try:
            servers.wait_for_replay(primary, replica)
            streaming = primary.execute("SELECT count(*) FROM pg_stat_replication")
            print(f"DATABASE_URL={primary.url('caseflow')}")
            print(f"DATABASE_REPLICA_URL={replica.url('caseflow')}")
            print(
                f"replica: {streaming} standby streaming, in recovery: "
                f"{replica.execute('SELECT pg_is_in_recovery()')}; "
                f"stopping in {seconds} s or at Ctrl-C",
                flush=True,
            )
            with suppress(KeyboardInterrupt):
                time.sleep(seconds)
        finally:
            replica.stop("fast")
    return 0


if __name__ == "__main__":
    sys.exit(main())
