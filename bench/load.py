"""`make load`: Caseflow under gunicorn, a mixed load at 20 users, against the bare-endpoint floor.

Everything runs on private servers on loopback (bench.servers): a PostgreSQL cluster and a Redis
of its own, the migrations and the demo data, then gunicorn with gunicorn.conf.py. First the
floor: LOAD_USERS threads asking /healthz (one SELECT 1 through the same stack) for
LOAD_FLOOR_SECONDS. Then, on gunicorn started afresh and warmed up, the mix for LOAD_SECONDS:
prison healthcare, keyworkers and a manager opening worklists, person and referral pages, adding
case notes, saving draft referrals, and the continuity dashboard and report (bench.load_driver).
It prints requests a second, p50/p95/p99, errors and the ratio to the floor, per kind of request
and overall, and fails on any error.

Environment: LOAD_USERS (20), LOAD_SECONDS (60), LOAD_FLOOR_SECONDS (20), LOAD_WARMUP_SECONDS
(10: the mix run before it is measured; 0 measures workers from their first request),
LOAD_PEOPLE (demo people, 300), GUNICORN_WORKERS and GUNICORN_THREADS (gunicorn.conf.py),
LOAD_REPLICA=1 (a streaming replica beside the primary, named in DATABASE_REPLICA_URL: reporting
reads go there).
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import cpu, load_driver, servers
from bench.load_driver import Actor, Record, Summary

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
COOKIE = "__Host-caseflow"


def say(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Stack:
    """The private servers, the app's environment and gunicorn."""

    postgres: servers.Postgres
    redis: servers.Redis
    folder: Path
    env: dict[str, str]
    port: int
    gunicorn: subprocess.Popen | None = None

    @property
    def database_url(self) -> str:
        return self.postgres.url("caseflow")

    def flask_result(self, *args: str) -> tuple[int, str]:
        """The project's flask command on this stack: its exit status and its output."""
        done = subprocess.run(  # noqa: S603 (the project's own flask command)
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        return done.returncode, done.stdout + done.stderr

    def flask(self, *args: str) -> str:
        status, output = self.flask_result(*args)
        if status != 0:
            raise SystemExit(f"load: flask {' '.join(args)} failed:\n{output[-3000:]}")
        return output

    def start_gunicorn(self) -> None:
        log = (self.folder / "gunicorn.log").open("ab")
        self.gunicorn = subprocess.Popen(  # noqa: S603
            [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
            stdout=log,
            stderr=log,
        )
        try:
            wait_until_healthy(self.port)
        except SystemExit:
            say("gunicorn's log ends:\n" + self.log_tail())
            raise

    def log_tail(self, lines: int = 30) -> str:
        text = (self.folder / "gunicorn.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop_gunicorn(self) -> None:
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            self.gunicorn.send_signal(signal.SIGTERM)
            try:
                self.gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
        self.gunicorn = None

    def worker_pids(self) -> list[int]:
        """The gunicorn master's worker processes."""
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def cpu_parts(self) -> dict[str, list[int]]:
        """The processes of each part of the stack, for bench.cpu: this driver, gunicorn's
        master and workers, the PostgreSQL server and its backends, Redis."""
        postmaster = int((self.postgres.data / "postmaster.pid").read_text().split()[0])
        gunicorn = [self.gunicorn.pid, *cpu.children(self.gunicorn.pid)] if self.gunicorn else []
        return {
            "load driver": [os.getpid()],
            "gunicorn": gunicorn,
            "PostgreSQL": [postmaster, *cpu.children(postmaster)],
            "Redis": [self.redis.process.pid] if self.redis.process else [],
        }


def wait_until_healthy(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("load: gunicorn did not answer /healthz")


@contextmanager
def stack():
    """Private PostgreSQL and Redis, migrated, with demo data; gunicorn serving it."""
    with ExitStack() as stop:
        with_replica = os.environ.get("LOAD_REPLICA") == "1"
        postgres, replica = stop.enter_context(
            servers.private_postgres(replica=with_replica, durable=True)
        )
        redis = stop.enter_context(servers.private_redis())
        folder = Path(stop.enter_context(tempfile.TemporaryDirectory(prefix="caseflow-load-")))
        postgres.execute("CREATE DATABASE caseflow")
        env = {
            **os.environ,
            "CASEFLOW_ENV": "development",
            "CASEFLOW_INSTANCE_DIR": str(folder / "instance"),
            "DATABASE_URL": postgres.url("caseflow"),
            "REDIS_URL": redis.url,
        }
        if replica is not None:
            # The database made on the primary a moment ago reaches the replica by its WAL.
            env["DATABASE_REPLICA_URL"] = replica.url("caseflow")
        made = Stack(postgres, redis, folder, env, servers.free_port())
        started = time.monotonic()
        made.flask("db", "upgrade")
        made.flask("demo-data", "--people", str(setting("LOAD_PEOPLE", 300)))
        say(
            f"private PostgreSQL on port {postgres.port}, Redis on {redis.port}: migrated, demo "
            f"data loaded in {time.monotonic() - started:.0f} s"
        )
        stop.callback(made.stop_gunicorn)
        made.start_gunicorn()
        yield made


ACTORS_SCRIPT = r"""
import hashlib, json, sys
from sqlalchemy import select
from caseflow.auth.models import User, UserSession
from caseflow.extensions import db
from caseflow.referrals.models import Referral
from caseflow.worklist_tabs import tabs_for
from wsgi import app

ROLES = ("prison_healthcare", "probation", "keyworker", "manager")
request = json.loads(sys.stdin.read())
with app.test_request_context():
    users = [
        u for u in db.session.scalars(select(User).order_by(User.email))
        if u.role in ROLES and u.email.endswith("@demo.caseflow.test")
    ]
    drafts = {}
    for referral in db.session.scalars(select(Referral).where(Referral.status == "draft")):
        drafts.setdefault(str(referral.referred_by_id), []).append(str(referral.id))
    out = []
    for user, token in zip(users * len(request["tokens"]), request["tokens"]):
        db.session.add(UserSession(
            id=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id,
            data=json.dumps({"_user_id": str(user.id), "_fresh": True}),
        ))
        out.append({"role": user.role, "user": str(user.id), "token": token,
                    "worklists": [tab.href for tab in tabs_for(user)]})
    db.session.commit()
print(json.dumps({"actors": out, "drafts": drafts}))
"""


def actors(made: Stack, count: int) -> list[Actor]:
    """count virtual users over the demo's casework and manager accounts, each signed in with a
    session of its own (made in the database, as the bench does: the sign-in form's second
    factor takes each authenticator code once); each draft referral edited by one user only."""
    tokens = [secrets.token_urlsafe(32) for _ in range(count)]
    done = subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), "-c", ACTORS_SCRIPT],
        cwd=ROOT,
        env=made.env,
        input=json.dumps({"tokens": tokens}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"load: setting up the virtual users failed:\n{done.stderr[-3000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    made_actors = [
        Actor(a["role"], {COOKIE: a["token"]}, a["worklists"] or ["/"]) for a in found["actors"]
    ]
    by_user = [a["user"] for a in found["actors"]]
    for user, drafts in found["drafts"].items():
        mine = [i for i, owner in enumerate(by_user) if owner == user]
        for n, draft in enumerate(drafts):
            if mine:
                made_actors[mine[n % len(mine)]].drafts.append(draft)
    return made_actors


def run_floor(
    made: Stack, users: int, seconds: float, meter: cpu.Meter | None = None
) -> tuple[Record, float]:
    record = Record()
    until = time.monotonic() + seconds
    if meter:
        meter.start()
    took = load_driver.run_threads(
        [lambda: load_driver.bare("127.0.0.1", made.port, record, until) for _ in range(users)]
    )
    if meter:
        meter.stop()
    return record, took


def run_mix(
    made: Stack,
    team: list[Actor],
    seconds: float,
    record: Record | None = None,
    meter: cpu.Meter | None = None,
):
    record = record or Record()
    until = time.monotonic() + seconds
    virtual = [
        load_driver.VirtualUser(actor, "127.0.0.1", made.port, record, seed)
        for seed, actor in enumerate(team)
    ]
    if meter:
        meter.start()
    took = load_driver.run_threads([lambda v=v: v.run(until) for v in virtual])
    if meter:
        meter.stop()
    return record, took


def line(what: str, summary: Summary, floor: Summary | None = None) -> str:
    ratio = f"{summary.per_second / floor.per_second:.1%}" if floor and floor.per_second else ""
    return (
        f"| {what} | {summary.requests} | {summary.per_second:.1f} | {summary.p50:.0f} | "
        f"{summary.p95:.0f} | {summary.p99:.0f} | {summary.errors} | {ratio} |"
    )


def table(floor: Summary, mix: Summary, kinds: dict[str, Summary]) -> str:
    rows = [
        "| requests | count | per second | p50 ms | p95 ms | p99 ms | errors | of the floor |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        line("floor: /healthz", floor),
        line("mixed workload", mix, floor),
    ]
    rows += [line(f"  {what}", summary) for what, summary in kinds.items()]
    return "\n".join(rows)


def report(floor_record, floor_took, record, took) -> tuple[str, int]:
    floor = load_driver.summarise(floor_record.samples, floor_took)
    mix = load_driver.summarise(record.samples, took)
    kinds = {
        what: load_driver.summarise(samples, took)
        for what, samples in load_driver.by_kind(record.samples).items()
    }
    return table(floor, mix, kinds), floor.errors + mix.errors


def main() -> int:
    users = setting("LOAD_USERS", 20)
    seconds = setting("LOAD_SECONDS", 60)
    floor_seconds = setting("LOAD_FLOOR_SECONDS", 20)
    warmup = setting("LOAD_WARMUP_SECONDS", 10)
    with stack() as made:
        team = actors(made, users)
        say(
            f"{users} virtual users: " + ", ".join(sorted({a.role for a in team})) + "; "
            f"{sum(len(a.drafts) for a in team)} draft referrals to edit"
        )
        floor_meter, mix_meter = cpu.Meter(made.cpu_parts), cpu.Meter(made.cpu_parts)
        say(f"floor: {users} users on /healthz for {floor_seconds} s")
        floor_record, floor_took = run_floor(made, users, floor_seconds, floor_meter)
        # The floor's requests count towards each worker's max_requests: on a fast machine
        # nearly all of them (4,600 of 5,000 seen), so the same workers would be replaced early
        # in the mix. The mix gets workers of its own, started as a deployment starts them, and
        # LOAD_WARMUP_SECONDS of the same mix first, unmeasured (its errors still count), as a
        # server that has been running a while has compiled its statements and kept its caches.
        made.stop_gunicorn()
        made.start_gunicorn()
        say(f"mixed workload: {users} users, {warmup} s to warm up, then {seconds} s measured")
        warm_record = run_mix(made, team, warmup)[0] if warmup else Record()
        record, took = run_mix(made, team, seconds, meter=mix_meter)
        text, errors = report(floor_record, floor_took, record, took)
    workers = os.environ.get("GUNICORN_WORKERS", f"{os.cpu_count() * 2 + 1} (default)")
    print(
        f"make load: gunicorn {workers} workers, {users} users, {seconds} s mixed, "
        f"{floor_seconds} s floor, {os.cpu_count()} cores, PostgreSQL and Redis on loopback"
        + (", reporting reads on a streaming replica" if os.environ.get("LOAD_REPLICA") else "")
    )
    print(text)
    for what, meter, samples in (
        ("floor", floor_meter, floor_record.samples),
        ("mixed workload", mix_meter, record.samples),
    ):
        if meter.per_request(len(samples)):
            print(f"{what}: {meter.per_request(len(samples))}")
    warm = load_driver.summarise(warm_record.samples, warmup) if warm_record.samples else None
    if warm:
        print(f"warm-up, not measured: {warm.requests} requests, {warm.errors} errors")
        errors += warm.errors
    every = record.samples + floor_record.samples + warm_record.samples
    statuses = sorted({s.status for s in every if not s.ok})
    if errors:
        print(f"{errors} errors (statuses {statuses})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
