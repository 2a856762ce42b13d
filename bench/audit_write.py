"""The audit write on its own: what an audited request adds, and where that time goes.

    .venv/bin/python -m bench.audit_write [ROUNDS]

Loads one size (BENCH_AUDIT_RELEASES, default 2,500 releases, as make bench's SMALL) into a fresh
database (BENCH_AUDIT_URL, default caseflow_bench_audit on 127.0.0.1), then times the person page
request by request, interleaved, in three arms:

- audit on: the page as it is served, its view row written at the commit;
- audit off: the same page with recording a no-op (as make bench does). The page writes nothing
  else, so its COMMIT ends a read-only transaction and flushes no WAL;
- off, writing: recording a no-op, but the transaction writes one row of its own (a temporary
  table's row would not do: its WAL is not flushed either), so its COMMIT waits for the WAL
  flush as the audited page's does. "audit on" minus this arm is the audit's work without the
  commit's flush; this arm minus "audit off" is that flush.

Then, for the audited page, the time of each statement of the audit write as the client sees it
(lock, chain tail and ids, INSERT, COMMIT) and in Python outside them, median over the rounds,
and the server's own plan and time for the tail read (EXPLAIN ANALYZE). Drops the database.
"""

import os
import statistics
import sys
import time
from collections import defaultdict

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from bench.measure import (
    Size,
    Timings,
    audit_recording_off,
    create_database,
    drop_database,
    interleaved,
    load,
    make_app,
    say,
    signed_in_client,
    timed,
    vacuum_analyze,
)
from caseflow.audit import chain
from caseflow.extensions import db

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/caseflow_bench_audit"

# One row in a table of the bench's own, so "off, writing" commits a write as the audited page
# does without touching any of Caseflow's tables.
MAKE_SCRATCH = "CREATE TABLE bench_audit_write_scratch (n int)"
WRITE_SCRATCH = "INSERT INTO bench_audit_write_scratch VALUES (1)"


class StatementClock:
    """Client-side time of each audit statement and of the COMMIT, per request."""

    KINDS = (
        ("pg_advisory_xact_lock", "lock"),
        ("UPDATE audit_chain_head", "lock, tail and ids"),
        ("generate_series", "tail and ids"),
        ("INSERT INTO audit_events", "insert"),
    )

    def __init__(self, engine):
        self.active = False
        self.per_request: dict[str, list[float]] = defaultdict(list)
        self._current: dict[str, float] = defaultdict(float)
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._commit_starts)
        event.listen(Session, "after_commit", self._committed)
        # The audit rows are written in the session's before_commit, not by a flush: the whole
        # of the session's commit is timed from there, this listener first.
        event.listen(Session, "before_commit", self._session_commit_starts, insert=True)

    def _kind(self, statement: str) -> str | None:
        return next((kind for marker, kind in self.KINDS if marker in statement), None)

    def _before(self, _conn, _cursor, statement, *_rest):
        if self.active:
            self._started = time.perf_counter()

    def _after(self, _conn, _cursor, statement, *_rest):
        if self.active and (kind := self._kind(statement)):
            self._current[kind] += (time.perf_counter() - self._started) * 1000

    def _session_commit_starts(self, *_args):
        if self.active and "commit began" not in self._current:
            self._current["commit began"] = time.perf_counter()

    def _commit_starts(self, _conn):
        if self.active:
            self._commit_started = time.perf_counter()

    def _committed(self, _session):
        if self.active and getattr(self, "_commit_started", None):
            self._current["commit"] += (time.perf_counter() - self._commit_started) * 1000
            began = self._current.pop("commit began", None)
            if began is not None:
                self._current["session commit, whole"] += (time.perf_counter() - began) * 1000
            self._commit_started = None

    def request(self, call):
        self._current = defaultdict(float)
        self.active = True
        try:
            return call()
        finally:
            self.active = False
            self._current.pop("commit began", None)
            for kind, value in self._current.items():
                self.per_request[kind].append(value)


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    url = os.environ.get("BENCH_AUDIT_URL", DEFAULT_URL)
    releases = int(os.environ.get("BENCH_AUDIT_RELEASES", "2500"))
    create_database(url)
    size = Size("SIZE", releases, make_app(url))
    app = size.app
    try:
        load(size)
        with app.app_context():
            db.session.execute(text(MAKE_SCRATCH))
            db.session.commit()
        vacuum_analyze(url)
        with app.app_context():
            engine = db.engine
        clock = StatementClock(engine)

        world, loader = size.world, size.loader
        keyworker = signed_in_client(app, world.target.user_id)
        person_id = loader.target_people[0]
        name = next(i.name for i in loader.identities if i.person_id == person_id)

        def page():
            return timed(keyworker, "GET", f"/people/{person_id}", expect=name)

        def audited(_i):
            return clock.request(page)

        def unaudited(_i):
            with audit_recording_off():
                return page()

        def unaudited_writing(_i):
            def write_one(session, *_args):
                session.execute(text(WRITE_SCRATCH))

            event.listen(Session, "before_commit", write_one)
            try:
                return unaudited(_i)
            finally:
                event.remove(Session, "before_commit", write_one)

        arms = {"audit on": audited, "audit off": unaudited, "off, writing": unaudited_writing}
        cpu: dict[str, list[float]] = defaultdict(list)

        def on_cpu(name, arm):
            def run(i):
                started = time.thread_time()
                elapsed = arm(i)
                cpu[name].append((time.thread_time() - started) * 1000)
                return elapsed

            return run

        timings: dict[str, Timings] = interleaved(
            {name: on_cpu(name, arm) for name, arm in arms.items()}, rounds
        )
        # The warm-up rounds' CPU times are left out, as their wall times are.
        cpu_p50 = {name: statistics.median(values[-rounds:]) for name, values in cpu.items()}
        p50 = {name: t.p50 for name, t in timings.items()}
        print(f"person page, {rounds} rounds interleaved, {releases:,} releases")
        print("  p50 ms          wall     this process's CPU")
        for name, value in p50.items():
            print(f"  {name:<14} {value:7.2f}  {cpu_p50[name]:7.2f}")
        for first, second in (
            ("audit on", "audit off"),
            ("audit on", "off, writing"),
            ("off, writing", "audit off"),
        ):
            print(
                f"  {first} - {second}:".ljust(32)
                + f"{p50[first] - p50[second]:+.2f}  {cpu_p50[first] - cpu_p50[second]:+.2f}"
            )
        print("audited page, client-side time per request (median ms)")
        for kind, values in clock.per_request.items():
            print(f"  {kind:<20} {statistics.median(values):6.3f}")

        with app.app_context():
            # The statement that reads the chain's tail (named as it is in this version).
            tail = getattr(chain, "HOLD_THE_HEAD_AND_DRAW_IDS", None)
            tail = tail if tail is not None else chain.TAIL_AND_NEXT_IDS
            plan = db.session.execute(
                text("EXPLAIN (ANALYZE, SUMMARY ON) " + str(tail)), {"n": 1}
            ).scalars()
            print("the tail read, server-side:")
            for line in plan:
                print("  " + line)
            db.session.rollback()
            rows = db.session.scalar(text("SELECT count(*) FROM audit_events"))
        print(f"audit rows written: {rows}")
    finally:
        with app.app_context():
            db.engine.dispose()
        if os.environ.get("BENCH_KEEP") != "1":
            drop_database(url)
            say("dropped the database")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
