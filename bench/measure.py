"""Measuring: full requests through the Flask test client, at two sizes in one run, one table.

Both sizes live side by side in the run, each in a database of its own (the run's name with
``_small`` and ``_large``), migrated as production is, with its own app in the "test"
configuration (keys generated for the run). That lets every figure be measured interleaved:
request by request, SMALL and LARGE (and, for the audit figure, auditing on and off) take turns,
so a noisy neighbour slows both sides alike and the ratios and differences hold.

Every timed request goes through the whole app (session lookup, permission check, the service,
its audit row and commit, the template) on PostgreSQL.
"""

import contextvars
import hashlib
import json
import math
import os
import platform
import random
import re
import secrets
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import flask_migrate
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

import config
from bench import audit_history, audit_search, bulk, dashboard, floors, kept
from caseflow import create_app
from caseflow.audit import chain
from caseflow.audit.models import AuditEvent
from caseflow.auth.models import UserSession
from caseflow.continuity import services
from caseflow.extensions import db
from caseflow.people.identifiers import compact
from caseflow.security import crypto

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/caseflow_bench"
SMALL_RELEASES = 2_500
GROWTH = 10
NATIONAL_RELEASES = 250_000
SIZES = ("SMALL", "LARGE")
WARMUP = 5
ROUNDS = 100  # timed requests per figure and size
# Each a dozen queries over the cohort, so fewer rounds; BENCH_DASHBOARD_ROUNDS sets them while
# the service is far slower than its target (seconds a call).
DASHBOARD_ROUNDS = int(os.environ.get("BENCH_DASHBOARD_ROUNDS", "20"))
CHECKED_PEOPLE = 200

TARGETS = {
    "load_minutes": 10.0,
    "worklist_p95": 100.0,
    "worklist_growth": 1.3,
    "find_p95": 30.0,
    "find_growth": 1.3,
    "worklist_floor_ratio": 5.0,
    "find_floor_ratio": 20.0,
    "audit_ms": 2.0,
    "dashboard_ratio": 1.5,
    "dashboard_national_ms": 300.0,
    "dashboard_growth": 3.0,
    "audit_search_p95": 200.0,
}


class BenchError(RuntimeError):
    """A request did not answer as expected, so its timing would mean nothing."""


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# The database ------------------------------------------------------------------------------


def _admin_and_name(url: str):
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        raise SystemExit("bench: BENCH_DATABASE_URL must be a PostgreSQL URL")
    name = target.database or ""
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"bench: unsupported database name {name!r}")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    return admin, name


def size_url(url: str, label: str) -> str:
    """The database of one size: the run's name with the size after it."""
    target = make_url(url)
    return target.set(database=f"{target.database}_{label.lower()}").render_as_string(
        hide_password=False
    )


def create_database(url: str) -> None:
    """A fresh database, migrated as production is (its own schema, public).

    Not DROP ... WITH (FORCE): a database someone is still using is an error, not a casualty.
    """
    admin, name = _admin_and_name(url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def make_app(url: str, keep: kept.Kept | None = None) -> Flask:
    """The app in its test configuration on one size's database.

    Kept (BENCH_KEEP=1): with the keys written beside the database and checkpoints published to
    the file beside it, so the app served from them later opens the data and verifies the log.
    """
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=url,
        # The test configuration publishes an audit checkpoint every few rows so its tests see
        # them; the bench measures what production does.
        AUDIT_CHECKPOINT_EVERY_ROWS=config.Config.AUDIT_CHECKPOINT_EVERY_ROWS,
        AUDIT_CHECKPOINT_EVERY_MINUTES=config.Config.AUDIT_CHECKPOINT_EVERY_MINUTES,
        **(keep.settings() if keep else {}),
    )
    app.test_client_class = BenchClient
    return app


def drop_database(url: str) -> None:
    admin, name = _admin_and_name(url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def vacuum_analyze(url: str) -> None:
    """Statistics and visibility maps as autovacuum would leave them on a live database."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")
    engine.dispose()


# Requests ------------------------------------------------------------------------------------


class BenchClient(FlaskClient):
    """Each request in a fresh context, as a real one would be (as tests/conftest.py does)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def signed_in_client(app, user_id: uuid.UUID) -> FlaskClient:
    """A client with a live server-side session, without the sign-in form (tests/helpers.py)."""
    token = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(
            UserSession(
                id=hashlib.sha256(token.encode()).hexdigest(),
                user_id=user_id,
                data=json.dumps({"_user_id": str(user_id), "_fresh": True}),
            )
        )
        db.session.commit()
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], token)
    return client


def timed(client, method: str, url: str, *, expect: str, **kwargs) -> float:
    """Milliseconds for one request; the answer must be 200 and contain ``expect``."""
    started = time.perf_counter()
    response = client.open(url, method=method, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    body = response.get_data(as_text=True)
    if response.status_code != 200 or expect not in body:
        raise BenchError(f"{method} {url}: status {response.status_code}, expected {expect!r}")
    return elapsed


def csrf_token(client, url: str) -> str:
    response = client.get(url)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    if response.status_code != 200 or match is None:
        raise BenchError(f"GET {url}: no CSRF token")
    return match.group(1)


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Timings:
    samples: list[float]

    @property
    def p50(self) -> float:
        return percentile(self.samples, 0.50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)


class Counters:
    """Per request: SQL statements, values decrypted, and how long the audit chain's advisory
    lock was held (from the flush that wrote the audit row to the commit), to show N+1 queries,
    needless decryption, and how long other audited requests would wait."""

    def __init__(self, apps):
        self.active = False
        self.statements = self.decrypts = 0
        self.lock_taken: float | None = None
        self.lock_held = 0.0
        for app in apps:
            with app.app_context():
                event.listen(db.engine, "after_cursor_execute", self._statement)
        event.listen(Session, "after_commit", self._committed)
        original = crypto.decrypt

        def counting_decrypt(*args, **kwargs):
            if self.active:
                self.decrypts += 1
            return original(*args, **kwargs)

        crypto.decrypt = counting_decrypt

    def _statement(self, _connection, _cursor, statement, *_rest) -> None:
        if not self.active:
            return
        self.statements += 1
        if "pg_advisory_xact_lock" in statement and self.lock_taken is None:
            self.lock_taken = time.perf_counter()

    def _committed(self, _session) -> None:
        if self.active and self.lock_taken is not None:
            self.lock_held += (time.perf_counter() - self.lock_taken) * 1000
            self.lock_taken = None

    def count(self, call, repeat: int = 9) -> tuple[int, int, float]:
        """Statements and decryptions of one request; the median lock hold over ``repeat``."""
        held = []
        for attempt in range(repeat):
            self.statements = self.decrypts = 0
            self.lock_taken, self.lock_held = None, 0.0
            self.active = True
            try:
                call()
            finally:
                self.active = False
            if attempt == 0:
                counted = (self.statements, self.decrypts)
            held.append(self.lock_held)
        return (*counted, statistics.median(held))


@contextmanager
def audit_recording_off():
    """Replace audit.services.record and record_independent with a no-op, in every module."""
    from caseflow.audit import services as audit

    originals = {"record": audit.record, "record_independent": audit.record_independent}

    def no_op(*_args, **_kwargs):
        return None

    swapped = []
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "caseflow" or name.startswith("caseflow.")):
            continue
        for attribute, original in originals.items():
            if getattr(module, attribute, None) is original:
                setattr(module, attribute, no_op)
                swapped.append((module, attribute, original))
    try:
        yield
    finally:
        for module, attribute, original in swapped:
            setattr(module, attribute, original)


def audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


# The two sizes ---------------------------------------------------------------------------


@dataclass
class Size:
    label: str
    releases: int
    app: Flask
    world: bulk.World | None = None
    loader: bulk.Loader | None = None
    load: bulk.LoadResult | None = None
    audit_load: audit_history.AuditLoad | None = None
    audit_verified: audit_history.Verified | None = None
    searches: audit_search.Searches | None = None
    worklist_rows: int = 0
    # Per prison and probation figure: the rows page 1 showed, and the cases the list said it held.
    list_rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    arms: dict[str, Callable[[int], float]] = field(default_factory=dict)
    timings: dict[str, Timings] = field(default_factory=dict)
    counts: dict[str, tuple[int, int, float]] = field(default_factory=dict)

    @property
    def audit_ms(self) -> float:
        return self.timings["audit on"].p50 - self.timings["audit off"].p50


def load(size: Size) -> None:
    with size.app.app_context():
        flask_migrate.upgrade()
        size.world = bulk.build_world()
        size.loader = bulk.Loader(size.world)
        size.load = size.loader.load(size.releases)
    loaded = size.load
    say(
        f"{size.label}: {loaded.total_rows:,} rows in {loaded.seconds:.1f} s "
        f"({loaded.rows_per_second:,.0f} rows/s): {dict(loaded.rows)}"
    )
    say(
        f"{size.label}: {size.loader.parity_checked} bulk rows compared with the rows the models "
        "give for the same values: identical"
    )
    load_audit_log(size)


def load_audit_log(size: Size) -> None:
    """Five years of audit log, sealed into the chain; then the chain verified."""
    world, loader = size.world, size.loader
    with size.app.app_context():
        history = audit_history.History(
            actors=[
                audit_history.Actor(s.user_id, s.role, s.organisation_id) for s in world.everyone
            ],
            auditors=[
                audit_history.Actor(
                    world.auditor.user_id, world.auditor.role, world.auditor.organisation_id
                )
            ],
            person_ids=[identity.person_id for identity in loader.identities],
            total=audit_history.ROWS_PER_RELEASE * size.load.releases,
            now=audit_history.now(),
            seed=bulk.SEED,
        )
        size.audit_load = audit_history.load(db.engine.begin, chain.chain_key(), history)
        size.searches = audit_search.Searches.choose(history, world, loader.identities)
    loaded = size.audit_load
    say(
        f"{size.label}: {loaded.rows:,} audit rows sealed and copied in {loaded.seconds:.1f} s "
        f"({loaded.rows_per_second:,.0f} rows/s; {loaded.partitions} monthly partitions made)"
    )
    with size.app.app_context():
        size.audit_verified = audit_history.verify(db.session, chain.chain_key())
        db.session.rollback()
    say(f"{size.label}: {size.audit_verified.words}")


def prepare(size: Size) -> None:
    """Checks on the data, signed-in clients, and one callable per timed request."""
    app, world, loader = size.app, size.world, size.loader
    # Which people are looked up: repeatable, nothing secret.
    rng = random.Random(bulk.SEED)  # noqa: S311
    with app.app_context():
        checked = bulk.check_people(
            rng.sample([i.person_id for i in loader.identities], CHECKED_PEOPLE)
        )
        size.worklist_rows = bulk.accepted_at_target(world)
    say(f"{size.label}: {checked} people read back through the ORM: values open, indexes match")

    bare = app.test_client()
    size.arms["healthz"] = lambda _i: timed(bare, "GET", "/healthz", expect="ok")

    # (b) the keyworker's accepted-referrals worklist: page 1 of about 200 rows.
    keyworker = signed_in_client(app, world.target.user_id)
    pages = -(-size.worklist_rows // 25)
    expect = f"{size.worklist_rows} cases, page 1 of {pages}"
    size.arms["worklist"] = lambda _i: timed(keyworker, "GET", "/worklists/accepted", expect=expect)
    first_page = keyworker.get("/worklists/accepted").get_data(as_text=True)
    size.arms["worklist SQL"] = floors.worklist_arm(app, first_page, world.target.organisation_id)

    # (b') a prison's and a probation unit's own lists, page 1: they start from the team's own
    # releases (scope.worked_episodes), so they should stay flat as the country's data grows.
    # Both teams have a fixed set of cases that fills each first page at any size
    # (bulk.LIST_CASES); what each page showed is said here and in the table.
    for team, staff in (("prison", world.list_prison), ("probation", world.list_probation)):
        client = signed_in_client(app, staff.user_id)
        for name in REFERRER_LISTS:
            size.list_rows[f"{team} {name}"] = rows_shown(client, f"/worklists/{name}")
            size.arms[f"{team} {name}"] = lambda _i, client=client, name=name: timed(
                client, "GET", f"/worklists/{name}", expect='id="list-title"'
            )
    say(
        f"{size.label}: rows shown on page 1: "
        + "; ".join(f"{name} {shown} of {total}" for name, (shown, total) in size.list_rows.items())
    )

    # (c) find a person by NHS number and by prison number: someone else each time, as long as
    # the prison holds enough people (at the default sizes SMALL repeats a few).
    searcher = signed_in_client(app, world.find_prison.user_id)
    token = csrf_token(searcher, "/people/find")
    held = [i for i in loader.identities if i.prison_id == world.find_prison.organisation_id]
    for identifier, label in (("nhs_number", "NHS number"), ("prison_number", "prison number")):
        candidates = [i for i in held if getattr(i, identifier)]
        wanted = WARMUP + ROUNDS + 1
        people = (
            rng.sample(candidates, wanted)
            if len(candidates) >= wanted
            else rng.choices(candidates, k=wanted)  # a small BENCH_SCALE: some searched twice
        )

        def find(i, identifier=identifier, people=people):
            return timed(
                searcher,
                "POST",
                "/people/find",
                data={identifier: getattr(people[i], identifier), "csrf_token": token},
                expect=people[i].name,
            )

        size.arms[f"find by {label}"] = find
        size.arms[f"find by {label} SQL"] = floors.find_arm(
            app, identifier, people, FIND_INDEX[identifier]
        )

    # (d) the person page with auditing on, and with audit recording replaced by a no-op.
    person_id = loader.target_people[0]
    name = next(i.name for i in loader.identities if i.person_id == person_id)

    def person_page(_i):
        return timed(keyworker, "GET", f"/people/{person_id}", expect=name)

    def person_page_unaudited(i):
        with audit_recording_off():
            return person_page(i)

    size.arms["audit on"] = person_page
    size.arms["audit off"] = person_page_unaudited

    # (e) the continuity dashboard: the service, its SQL floor, and the pages as a manager.
    manager = signed_in_client(app, world.manager.user_id)
    size.arms.update(dashboard.arms(app, manager, timed))
    say(f"{size.label}: the continuity service and the hand-written SQL give the same numbers")

    # (f) the auditor's searches of the log: the page, and the hand-written SQL it needs.
    auditor = signed_in_client(app, world.auditor.user_id)
    size.arms.update(
        audit_search.arms(app, auditor, size.searches, timed, csrf_token(auditor, "/audit/"))
    )
    say(f"{size.label}: the auditor's pages and the hand-written SQL find the same rows")


LIST_TOTAL = re.compile(r'<p class="govuk-body">(\d+) cases?[,.]')
TABLE_BODY = re.compile(r'<tbody class="govuk-table__body">(.*?)</tbody>', re.DOTALL)


def rows_shown(client: FlaskClient, path: str) -> tuple[int, int]:
    """How many rows page 1 of a worklist draws, and how many cases it says the list holds."""
    response = client.get(path)
    body = response.get_data(as_text=True)
    total = LIST_TOTAL.search(body)
    if response.status_code != 200 or total is None:
        raise BenchError(f"{path}: {response.status_code}, no count of cases on the page")
    table_body = TABLE_BODY.search(body)
    shown = table_body.group(1).count('<tr class="govuk-table__row">') if table_body else 0
    return shown, int(total.group(1))


def interleaved(arms: dict, rounds: int, warmup: int = WARMUP) -> dict:
    """Each arm once per round, the order rotating, after ``warmup`` rounds not kept."""
    names = list(arms)
    samples: dict = {name: [] for name in names}
    for i in range(warmup + rounds):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed = arms[name](i)
            if i >= warmup:
                samples[name].append(elapsed)
    return {name: Timings(values) for name, values in samples.items()}


# The blind index a find by each identifier looks up (people.services.find_people).
FIND_INDEX = {
    "nhs_number": lambda person: crypto.blind_index("nhs_number", compact(person.nhs_number)),
    "prison_number": lambda person: crypto.blind_index("prison_number", person.prison_number),
}

REFERRER_LISTS = ("releasing", "clock-running")
REFERRER_FIGURES = tuple(
    f"{team} {name}" for team in ("prison", "probation") for name in REFERRER_LISTS
)
FIGURES = (
    ("healthz",),
    ("worklist", "worklist SQL"),
    REFERRER_FIGURES,
    ("find by NHS number", "find by NHS number SQL"),
    ("find by prison number", "find by prison number SQL"),
    ("audit on", "audit off"),
)
DASHBOARD_FIGURE = ("dashboard service", "dashboard SQL", "dashboard pages")
COUNTED = {
    "worklist page": "worklist",
    "prison releasing page": "prison releasing",
    "probation releasing page": "probation releasing",
    "find by NHS number": "find by NHS number",
    "find by prison number": "find by prison number",
    "person page": "audit on",
}


def measure(sizes: list[Size], counters: Counters) -> None:
    before = {size.label: audit_rows(size.app) for size in sizes}
    for figure in FIGURES:
        say(f"measuring {' / '.join(figure)}, SMALL and LARGE interleaved")
        arms = {(size.label, name): size.arms[name] for size in sizes for name in figure}
        for (label, name), timings in interleaved(arms, ROUNDS).items():
            next(size for size in sizes if size.label == label).timings[name] = timings
    for size in sizes:
        written = audit_rows(size.app) - before[size.label]
        # One row per worklist page, search and person page audited; none from /healthz or
        # from the person pages with recording off.
        expected = (WARMUP + ROUNDS) * (4 + len(REFERRER_FIGURES))
        if written != expected:
            raise BenchError(f"{size.label}: {written} audit rows, expected {expected}")
        for page, arm in COUNTED.items():
            size.counts[page] = counters.count(lambda arm=arm, size=size: size.arms[arm](0))
    # After the audit count above: the dashboard's pages write their own view rows.
    figure = DASHBOARD_FIGURE
    say(f"measuring {' / '.join(figure)}, SMALL and LARGE interleaved")
    arms = {(size.label, name): size.arms[name] for size in sizes for name in figure}
    for (label, name), timings in interleaved(arms, DASHBOARD_ROUNDS, warmup=1).items():
        next(size for size in sizes if size.label == label).timings[name] = timings
    # Also after the audit count: each search page writes its own row.
    say(f"measuring {' / '.join(audit_search.FIGURE)}, SMALL and LARGE interleaved")
    arms = {(size.label, name): size.arms[name] for size in sizes for name in audit_search.FIGURE}
    for (label, name), timings in interleaved(arms, ROUNDS).items():
        next(size for size in sizes if size.label == label).timings[name] = timings


# The table ----------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def command() -> str:
    """How this run was asked for: its BENCH_ settings (not the database URLs, BENCH_DATABASE_URL
    or another bench script's, any of which may hold a password) and make bench."""
    settings = sorted(
        f"{name}={value}"
        for name, value in os.environ.items()
        if name.startswith("BENCH_") and not name.endswith("_URL")
    )
    return " ".join([*settings, "make bench"])


def machine(url: str) -> str:
    """Where it ran: the figures are only comparable on the same machine."""
    engine = create_engine(url)
    with engine.connect() as connection:
        server = connection.exec_driver_sql("SHOW server_version").scalar()
    engine.dispose()
    return (
        f"Machine: {platform.node()}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"PostgreSQL {server}."
    )


def national_load(large: Size) -> tuple[float, str]:
    """Minutes for the national set (250,000 releases, no audit rows) through the bulk path:
    measured when LARGE is that size (BENCH_SCALE=10), else projected at LARGE's release rate."""
    releases_per_second = large.load.releases / large.load.seconds
    minutes = NATIONAL_RELEASES / releases_per_second / 60
    if large.releases >= NATIONAL_RELEASES:
        return minutes, f"measured: {large.load.seconds / 60:.1f} min for {large.releases:,}"
    return minutes, "projected from LARGE's rate"


def table(small: Size, large: Size) -> str:
    rows = []

    def row(what, small_value, large_value, target="", result=""):
        rows.append(f"| {what} | {small_value} | {large_value} | {target} | {result} |")

    def load_figure(size: Size) -> str:
        load = size.load
        return (
            f"{load.rows_per_second:,.0f} rows/s ({load.total_rows:,} rows in {load.seconds:.1f} s)"
        )

    def p50_p95(size: Size, name: str) -> str:
        timings = size.timings[name]
        return f"{timings.p50:.1f} / {timings.p95:.1f} ms"

    def growth(name: str) -> float:
        return large.timings[name].p95 / small.timings[name].p95

    def ratio(size: Size, name: str) -> float:
        return size.timings[name].p95 / size.timings[f"{name} SQL"].p95

    def floor_ratio(size: Size, name: str) -> str:
        sql = size.timings[f"{name} SQL"].p95
        return f"{ratio(size, name):.1f}x ({size.timings[name].p95:.1f} / {sql:.2f} ms)"

    def worst_ratio(name: str) -> float:
        return max(ratio(small, name), ratio(large, name))

    row(
        "data load through the bulk path, encryption included (no audit rows)",
        load_figure(small),
        load_figure(large),
        "rows per second",
        "info",
    )
    national_minutes, how = national_load(large)
    row(
        "national set load (250k releases, without the audit rows): releases/s, minutes",
        "",
        f"{large.load.releases / large.load.seconds:,.0f} releases/s; "
        f"{national_minutes:.1f} min ({how})",
        "under 10 min on 2 cores",
        _verdict(national_minutes < TARGETS["load_minutes"]),
    )

    def audit_load_figure(size: Size) -> str:
        loaded = size.audit_load
        return (
            f"{loaded.rows_per_second:,.0f} rows/s "
            f"({loaded.rows:,} rows in {loaded.seconds:.0f} s); {size.audit_verified.words}"
        )

    row(
        "audit log load: 5 years sealed in chain order, COPY into monthly partitions",
        audit_load_figure(small),
        audit_load_figure(large),
        "rows per second; flask audit verify passes",
        "info",
    )
    row(
        "reference: GET /healthz (one SELECT 1), p50 / p95",
        *_pair(p50_p95, small, large, "healthz"),
    )
    worst = max(small.timings["worklist"].p95, large.timings["worklist"].p95)
    row(
        f"worklist page (keyworker, accepted: 25 rows of {large.worklist_rows}), p50 / p95",
        p50_p95(small, "worklist"),
        p50_p95(large, "worklist"),
        "p95 under 100 ms",
        _verdict(worst < TARGETS["worklist_p95"]),
    )
    row(
        "worklist page against its SQL floor (the page's rows by one hand-written query), "
        "p95 page / p95 SQL",
        floor_ratio(small, "worklist"),
        floor_ratio(large, "worklist"),
        "at most 5x",
        _verdict(worst_ratio("worklist") <= TARGETS["worklist_floor_ratio"]),
    )
    row(
        "worklist growth, p95 LARGE / SMALL",
        "",
        f"{growth('worklist'):.2f}",
        "at most 1.3",
        _verdict(growth("worklist") <= TARGETS["worklist_growth"]),
    )

    def with_rows(size: Size, name: str) -> str:
        shown, total = size.list_rows[name]
        return f"{p50_p95(size, name)} ({shown} rows shown of {total})"

    for name in REFERRER_FIGURES:
        worst = max(small.timings[name].p95, large.timings[name].p95)
        row(
            f"worklist page ({name}, page 1), p50 / p95 (rows on the page, of the list's cases)",
            with_rows(small, name),
            with_rows(large, name),
            "p95 under 100 ms",
            _verdict(worst < TARGETS["worklist_p95"]),
        )
        row(
            f"{name}: growth, p95 LARGE / SMALL",
            "",
            f"{growth(name):.2f}",
            "at most 1.3",
            _verdict(growth(name) <= TARGETS["worklist_growth"]),
        )
    for name in ("find by NHS number", "find by prison number"):
        worst = max(small.timings[name].p95, large.timings[name].p95)
        row(
            f"{name} (POST /people/find), p50 / p95",
            p50_p95(small, name),
            p50_p95(large, name),
            "p95 under 30 ms",
            _verdict(worst < TARGETS["find_p95"]),
        )
        row(
            f"{name} against its SQL floor (by the blind index), p95 page / p95 SQL",
            floor_ratio(small, name),
            floor_ratio(large, name),
            "at most 20x",
            _verdict(worst_ratio(name) <= TARGETS["find_floor_ratio"]),
        )
        row(
            f"{name}: growth, p95 LARGE / SMALL",
            "",
            f"{growth(name):.2f}",
            "flat (at most 1.3)",
            _verdict(growth(name) <= TARGETS["find_growth"]),
        )

    def audit_figure(size: Size) -> str:
        on, off = size.timings["audit on"].p50, size.timings["audit off"].p50
        return f"{size.audit_ms:+.2f} ms ({on:.1f} on, {off:.1f} off)"

    row(
        "audit write: person page p50 with auditing on minus p50 with recording a no-op",
        audit_figure(small),
        audit_figure(large),
        "under 2 ms per audited request",
        _verdict(max(small.audit_ms, large.audit_ms) < TARGETS["audit_ms"]),
    )
    for page in COUNTED:
        row(
            f"{page}: SQL statements / values decrypted / audit chain lock held, per request",
            "{} / {} / {:.1f} ms".format(*small.counts[page]),
            "{} / {} / {:.1f} ms".format(*large.counts[page]),
            "",
            "info",
        )
    dashboard_rows(row, small, large)
    audit_search_rows(row, small, large)
    row(
        "under load (gunicorn, 2 cores, mixed reads and writes)",
        "measured by make load (bench/load.py), not here",
        "",
        "requests/s and p95, zero errors; ratio to a bare indexed SELECT",
        "-",
    )
    header = [
        f"| figure | SMALL ({small.releases:,} releases) | LARGE ({large.releases:,} releases) "
        "| target | result |",
        "| --- | --- | --- | --- | --- |",
    ]
    return "\n".join(header + rows)


def dashboard_rows(row, small: Size, large: Size) -> None:
    """The continuity dashboard: the service against its SQL floor, growth, and the pages."""

    def p50(size: Size, name: str) -> float:
        return size.timings[name].p50

    def ratio(size: Size) -> float:
        return p50(size, "dashboard service") / p50(size, "dashboard SQL")

    def service(size: Size) -> str:
        timings = size.timings["dashboard service"]
        return (
            f"{timings.p50:.0f} / {timings.p95:.0f} ms; SQL {p50(size, 'dashboard SQL'):.0f} ms; "
            f"{ratio(size):.2f}x"
        )

    row(
        "continuity dashboard through the service (this financial year: headline, every "
        "breakdown but pathway's, 24-month trend, one statement), p50 / p95; one hand-written "
        "SQL query, p50; ratio",
        service(small),
        service(large),
        "at most 1.5x the SQL query",
        _verdict(max(ratio(small), ratio(large)) <= TARGETS["dashboard_ratio"]),
    )
    growth = p50(large, "dashboard service") / p50(small, "dashboard service")
    row(
        "dashboard growth, service p50 LARGE / SMALL",
        "",
        f"{growth:.2f}",
        "at most 3x for 10x data",
        _verdict(growth <= TARGETS["dashboard_growth"]),
    )
    if large.releases >= NATIONAL_RELEASES:
        national, how = p50(large, "dashboard service"), "measured at LARGE"
    else:
        # Another tenfold at the growth just measured.
        national, how = p50(large, "dashboard service") * growth, "projected from LARGE x growth"
    row(
        "dashboard service at national scale (250k releases), p50",
        "",
        f"{national:.0f} ms ({how})",
        "under 300 ms",
        _verdict(national < TARGETS["dashboard_national_ms"]),
    )
    row(
        f"dashboard pages as a manager (the dashboard and its {len(services.DIMENSIONS)} "
        "breakdown pages, summed), p50 / p95",
        p50_p95_of(small, "dashboard pages"),
        p50_p95_of(large, "dashboard pages"),
        "",
        "info",
    )


def audit_search_rows(row, small: Size, large: Size) -> None:
    """The auditor's two searches: the page against its SQL floor, and the target."""
    for search in ("user", "person"):
        name = f"audit search by {search}"

        def figure(size: Size, name=name, search=search) -> str:
            page, sql = size.timings[name], size.timings[f"{name} SQL"]
            matched = getattr(size.searches, search).recent_rows
            return (
                f"{page.p50:.1f} / {page.p95:.1f} ms; SQL {sql.p95:.1f} ms; "
                f"{page.p95 / sql.p95:.2f}x ({matched:,} rows of {audit_total(size):,})"
            )

        worst = max(small.timings[name].p95, large.timings[name].p95)
        whose = "a busy user's" if search == "user" else "one person's"
        row(
            f"audit search: {whose} events over 30 days (POST /audit/, 50 a page, count "
            "up to 10,000), p50 / p95; hand-written SQL p95; ratio",
            figure(small),
            figure(large),
            "under 200 ms (with 10M+ rows: BENCH_SCALE=10)",
            _verdict(worst < TARGETS["audit_search_p95"])
            + ("" if audit_total(large) >= 10_000_000 else f" at {audit_total(large):,} rows"),
        )


def audit_total(size: Size) -> int:
    return size.audit_load.rows


def p50_p95_of(size: Size, name: str) -> str:
    timings = size.timings[name]
    return f"{timings.p50:.0f} / {timings.p95:.0f} ms"


def _pair(figure, small: Size, large: Size, name: str) -> tuple[str, str, str, str]:
    return figure(small, name), figure(large, name), "", "info"


# The run -------------------------------------------------------------------------------------


def main() -> int:
    started = time.perf_counter()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    keep = os.environ.get("BENCH_KEEP") == "1"
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    small_releases = max(1, round(SMALL_RELEASES * scale))

    urls = {label: size_url(url, label) for label in SIZES}
    for label in SIZES:
        say(f"creating {make_url(urls[label]).render_as_string(hide_password=True)}")
        create_database(urls[label])
    kept_files = {label: kept.Kept.prepare(urls[label]) for label in SIZES} if keep else {}
    sizes: list[Size] = []
    try:
        for label, releases in zip(SIZES, (small_releases, GROWTH * small_releases), strict=True):
            sizes.append(Size(label, releases, make_app(urls[label], kept_files.get(label))))
            say(f"{label}: migrating and loading {releases:,} releases")
            load(sizes[-1])
        for label in SIZES:
            vacuum_analyze(urls[label])
        for size in sizes:
            prepare(size)
        measure(sizes, Counters([size.app for size in sizes]))
        small, large = sizes
        rows_per_release = large.load.total_rows / large.load.releases
        print(table(small, large))
        print()
        print(
            f"Rows per release in this data set: {rows_per_release:.1f}, and "
            f"{audit_history.ROWS_PER_RELEASE} audit rows. Load rates include building each row "
            "(encryption, blind indexes; for audit rows their seal, one after another) and the "
            "COPY; the national load figure leaves the audit rows out, as the target does. "
            "Timings are full requests through the Flask test client on PostgreSQL, "
            f"{ROUNDS} per figure and size ({DASHBOARD_ROUNDS} for the continuity dashboard), "
            "SMALL and LARGE interleaved request by request; SQL floors are the hand-written "
            "queries on the same connection pool, timed in the same rounds."
        )
        print(f"Command: {command()}. {machine(urls['LARGE'])}")
    finally:
        for size in sizes:
            with size.app.app_context():
                db.engine.dispose()
        for label in SIZES:
            shown = make_url(urls[label]).render_as_string(hide_password=True)
            if keep:
                say(
                    f"kept {shown} (BENCH_KEEP=1): source {kept_files[label].env_file}, "
                    "then flask --app wsgi run"
                )
                continue
            try:
                drop_database(urls[label])
            except SQLAlchemyError as error:  # said, not raised: never hide an earlier error
                say(f"could not drop {shown}: {error}")
            else:
                say(f"dropped {shown}")
    print(f"Wall time: {time.perf_counter() - started:.0f} s")
    return 0
