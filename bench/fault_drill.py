"""`make fault-drill`: faults during the load of `make load`, and proof that nothing was lost.

On the private stack of bench.load (its own PostgreSQL, Redis and gunicorn, never the shared
servers), the mixed workload runs for DRILL_SECONDS while, in turn:

1. a gunicorn worker is killed (SIGKILL) while the load keeps every worker busy, so mid-request;
2. PostgreSQL is stopped as a crash would stop it (pg_ctl -m immediate), and started again after
   DRILL_OUTAGE_SECONDS: it replays its WAL, keeping every committed transaction and no other;
3. Redis is stopped for DRILL_OUTAGE_SECONDS, and started again empty.

Then it checks what the issue asks: every failure was clean (no answer at all, or one of
Caseflow's own pages, never a traceback); the app recovered by itself (no error in the last
DRILL_CALM_SECONDS, nothing restarted but the service); ``flask audit verify`` passes; every
case note and draft save answered with success is in the database, and every request answered
with success that writes an audit row has its rows; and no change was kept without its audit row
(every case note of the run has one: never half a change).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict

from bench import load, load_driver
from bench.load import ROOT, say, setting
from bench.load_driver import Record

CHECK_SCRIPT = r"""
import json, sys
from sqlalchemy import func, select
from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.people.models import CaseNote
from caseflow.referrals.models import Referral
from wsgi import app

given = json.loads(sys.stdin.read())
problems = []
with app.app_context():
    audited = set(db.session.scalars(
        select(AuditEvent.request_id).where(AuditEvent.request_id.in_(given["request_ids"]))
    ))
    missing = [rid for rid in given["request_ids"] if rid not in audited]
    if missing:
        problems.append(f"{len(missing)} requests answered with success have no audit row")
    tokens = [w["value"] for w in given["notes"]]
    kept = set(db.session.scalars(select(CaseNote.creation_token).where(
        CaseNote.creation_token.in_(tokens))))
    lost = [t for t in tokens if t not in kept]
    if lost:
        problems.append(f"{len(lost)} case notes answered with success are missing")
    for referral_id, allowed in given["drafts"].items():
        referral = db.session.get(Referral, referral_id)
        if referral.risks not in allowed:
            problems.append(f"a draft referral lost its last saved change")
    notes = list(db.session.scalars(select(CaseNote).where(
        CaseNote.creation_token.is_not(None))))
    with_rows = set(db.session.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.entity_id.in_([str(n.id) for n in notes]))))
    halves = [n for n in notes if str(n.id) not in with_rows]
    if halves:
        problems.append(f"{len(halves)} case notes were kept without their audit row")
    rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
print(json.dumps({"problems": problems, "notes": len(notes), "audit_rows": rows,
                  "checked_requests": len(given["request_ids"])}))
"""


def draft_values(record: Record) -> dict[str, list[str]]:
    """What each edited draft may hold: the last change answered with success, or one sent
    after it whose answer never came (saved or not, no one was told either way)."""
    allowed: dict[str, list[str]] = {}
    answered = sorted(record.writes, key=lambda w: w.at)
    for write in answered:
        if write.kind == "draft":
            allowed[write.record_id] = [write.value]
    for write in record.unanswered:
        last = max((w.at for w in answered if w.record_id == write.record_id), default=0)
        if write.kind == "draft" and write.at > last and write.record_id in allowed:
            allowed[write.record_id].append(write.value)
    return allowed


def check_database(made: load.Stack, record: Record) -> dict:
    given = {
        "request_ids": [s.request_id for s in record.samples if s.audited and s.request_id],
        "notes": [asdict(w) for w in record.writes if w.kind == "note"],
        "drafts": draft_values(record),
    }
    done = subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), "-c", CHECK_SCRIPT],
        cwd=ROOT,
        env=made.env,
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        return {"problems": [f"the check failed to run: {done.stderr[-2000:]}"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


class Faults:
    """The three faults, each noted with when it began and ended."""

    def __init__(self, made: load.Stack, outage: float):
        self.made, self.outage = made, outage
        self.windows: list[tuple[str, float, float]] = []

    def _window(self, name: str, action) -> None:
        began = time.perf_counter()
        action()
        self.windows.append((name, began, time.perf_counter()))
        say(f"{name}: done")

    def kill_worker(self) -> None:
        def kill():
            victim = self.made.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)

        self._window("gunicorn worker killed", kill)

    def restart_postgres(self) -> None:
        def restart():
            self.made.postgres.stop("immediate")
            time.sleep(self.outage)
            self.made.postgres.start()

        self._window("PostgreSQL crashed and restarted", restart)

    def stop_redis(self) -> None:
        def stop_and_start():
            self.made.redis.stop()
            time.sleep(self.outage)
            self.made.redis.start()

        self._window("Redis stopped and started", stop_and_start)


def phases(record: Record, windows, calm_from: float) -> list[tuple[str, list]]:
    """The requests of each fault (in flight at any moment from its start to 5 s after its
    end) and those of the calm at the end."""
    named = []
    for name, began, ended in windows:
        during = [s for s in record.samples if s.at <= ended + 5 and s.at + s.ms / 1000 >= began]
        named.append((name, during))
    named.append(("after recovery", [s for s in record.samples if s.at >= calm_from]))
    return named


def main() -> int:
    users = setting("LOAD_USERS", 20)
    seconds = setting("DRILL_SECONDS", 90)
    outage = setting("DRILL_OUTAGE_SECONDS", 5)
    calm = setting("DRILL_CALM_SECONDS", 20)
    failures: list[str] = []
    with load.stack() as made:
        team = load.actors(made, users)
        record = Record()
        say(f"mixed workload: {users} users for {seconds} s, with faults")
        loading = threading.Thread(target=lambda: load.run_mix(made, team, seconds, record))
        started, started_perf = time.monotonic(), time.perf_counter()
        loading.start()
        faults = Faults(made, outage)
        for at, fault in ((10, faults.kill_worker), (25, faults.restart_postgres)):
            time.sleep(max(0.0, started + at - time.monotonic()))
            fault()
        time.sleep(max(0.0, started + 45 - time.monotonic()))
        faults.stop_redis()
        # The last DRILL_CALM_SECONDS of the run, which begin after the last fault has ended.
        calm_from = max(started_perf + seconds - calm, faults.windows[-1][2] + 5)
        loading.join()
        made.stop_gunicorn()
        verify = made.flask_result("audit", "verify")
        checked = check_database(made, record)

    print(
        f"make fault-drill: {users} users for {seconds} s, outages of {outage} s, "
        f"{os.cpu_count()} cores, PostgreSQL and Redis private on loopback"
    )
    print("| phase | requests | errors | statuses of the errors | all clean |")
    print("| --- | --- | --- | --- | --- |")
    for name, samples in phases(record, faults.windows, calm_from):
        errors = [s for s in samples if not s.ok]
        statuses = ", ".join(str(x) for x in sorted({s.status for s in errors})) or "-"
        clean = all(s.clean for s in samples)
        print(f"| {name} | {len(samples)} | {len(errors)} | {statuses} | {clean} |")
        if name == "after recovery" and errors:
            failures.append(f"{len(errors)} errors after the faults were over: no recovery")
    unclean = [s for s in record.samples if not s.clean]
    if unclean:
        failures.append(f"{len(unclean)} failures were not Caseflow's own error page")
    summary = load_driver.summarise(record.samples, seconds)
    notes = sum(1 for w in record.writes if w.kind == "note")
    drafts = sum(1 for w in record.writes if w.kind == "draft")
    print(
        f"{summary.requests} requests, {summary.errors} errors in all; {notes} case notes and "
        f"{drafts} draft saves answered with success, {len(record.unanswered)} unanswered"
    )
    print(f"flask audit verify: {verify[1].strip().splitlines()[-1] if verify[1] else ''}")
    if verify[0] != 0:
        failures.append("flask audit verify failed")
    print(
        f"database: {checked.get('checked_requests', 0)} audited requests, "
        f"{checked.get('notes', 0)} case notes, {checked.get('audit_rows', 0)} audit rows"
    )
    failures += checked["problems"]
    for failure in failures:
        print(f"FAILED: {failure}")
    print("fault drill: PASS" if not failures else "fault drill: FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
