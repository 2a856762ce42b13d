"""Five years of audit log for the bench: rows as the app writes them, sealed into the chain.

Through the app every page shown, search made, record changed and sign-in writes one audit row;
the bulk load of people and referrals writes none, so the log is made here, after them, to the
size a national log reaches (``ROWS_PER_RELEASE``: 10M+ rows at 250,000 releases).

What the rows are. Each names one of the world's staff (user, role and organisation as the
recorder takes them from the signed-in user) and does one thing from the catalogue
(caseflow.audit.catalogue), in a mix of a live service: mostly people's pages and worklists, then
searches, referral and record changes, sign-ins and outs, a few refusals, exports and audit
searches. Staff are not equally busy (a log-normal spread), and people are not equally looked at
(a fifth of them, the active caseload, draw four rows in five). The months fill up as the
service grows: the last month holds about twice the first's rows. Detail holds field names,
pages and counts, never a value, as the recorder's rows do. The world has a few hundred staff at
every size, so at national scale each has more rows than a real user would: the user search is
the harder for it.

How they are sealed. In chain order, each batch in a transaction of its own, exactly as the
chain's before-flush hook seals a flush's rows: the chain's head held and the batch's ids drawn
in the hook's own statement (chain.HOLD_THE_HEAD_AND_DRAW_IDS), then ``chain.seal`` row after
row, each after the one before; the head is left at the batch's last row. The rows go in with
COPY through audit_events, which puts each in its month's partition; the partitions for the
generated months are made first with the migration's own function (caseflow_audit_partition),
as the scheduled job makes them. Their times are in order too, except against the few rows the
world's set-up wrote through the services "now", which come first in the chain.
"""

import json
import math
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg import sql as psycopg_sql
from sqlalchemy import func, select, text

from caseflow.audit import catalogue, chain
from caseflow.audit.models import AuditEvent, Outcome

# 10.5M at 250,000 releases; BENCH_AUDIT_ROWS_PER_RELEASE sets another (a log of national size
# beside a smaller data set, say).
ROWS_PER_RELEASE = int(os.environ.get("BENCH_AUDIT_ROWS_PER_RELEASE", "42"))
MONTHS = 60
BATCH_ROWS = 20_000
ACTIVE_SHARE, ACTIVE_DRAW = 0.2, 0.8
SEARCH_DAYS = 30

COLUMNS = (*chain.SEALED_NAMES, "chain_hash")
PAGES = ("summary", "timeline", "referrals", "custody", "contacts")
WORKLISTS = ("accepted", "releasing", "clock-running", "sent", "engaged")
REFERRAL_CHANGES = ("send", "accept", "engage", "close", "reject", "withdraw")


@dataclass(frozen=True)
class Actor:
    """Who a row says did it: as the recorder reads them off the signed-in user."""

    user_id: uuid.UUID
    role: str
    organisation_id: uuid.UUID


# What a row does: (weight, action, record type, purpose, names a person, outcome).
KINDS = (
    (300, "view", "person", "caseload", True, Outcome.SUCCESS),
    (180, "list", "worklist", "caseload", False, Outcome.SUCCESS),
    (100, "view", "referral", "referral", True, Outcome.SUCCESS),
    (80, "search", "person", "caseload", False, Outcome.SUCCESS),
    (60, "update", "referral", "referral", True, Outcome.SUCCESS),
    (40, "create", "case_note", "caseload", True, Outcome.SUCCESS),
    (30, "create", "referral", "referral", True, Outcome.SUCCESS),
    (30, "update", "custody_episode", "caseload", True, Outcome.SUCCESS),
    (25, "view", "appointment", "referral", True, Outcome.SUCCESS),
    (20, "create", "person", "caseload", True, Outcome.SUCCESS),
    (15, "update", "person", "caseload", True, Outcome.SUCCESS),
    (50, "sign_in", "user", None, False, Outcome.SUCCESS),
    (40, "sign_out", "user", None, False, Outcome.SUCCESS),
    (8, "sign_in", "user", None, False, Outcome.FAILED),
    (8, "deny", "person", None, True, Outcome.DENIED),
    (5, "export", "worklist", "caseload", False, Outcome.SUCCESS),
    (2, "break_glass", "break_glass_grant", "break-glass", True, Outcome.SUCCESS),
    (2, "search", "audit_event", "audit", False, Outcome.SUCCESS),
)
for _weight, _action, _type, _purpose, _person, _outcome in KINDS:
    catalogue.check(_action, _type, _purpose, _outcome)  # real catalogue names only
KIND_WEIGHTS = [kind[0] for kind in KINDS]
AUDITOR_KINDS = ((2, "search", "audit_event", "audit", False, Outcome.SUCCESS),)


def _detail(rng: random.Random, action: str, entity_type: str, outcome: str) -> dict | None:
    """Names, pages and counts only, as the services' rows hold."""
    if outcome == Outcome.DENIED:
        return {"reason": "not in scope"}
    if action == "view":
        return {"page": rng.choice(PAGES)} if entity_type == "person" else None
    if action in ("list", "export"):
        return {"list": rng.choice(WORKLISTS), "page": 1, "rows": rng.randrange(0, 26)}
    if action == "search":
        by = rng.choice((["nhs_number"], ["prison_number"], ["name", "date_of_birth"]))
        return {"by": by, "found": rng.randrange(0, 2)}
    if action == "update" and entity_type == "referral":
        return {"change": rng.choice(REFERRAL_CHANGES), "fields": ["status"]}
    if action in ("create", "update"):
        return {"fields": sorted(rng.sample(("address", "phone", "text", "notes", "dates"), 2))}
    if action == "break_glass":
        return {"fields": ["reason"]}
    return None


@dataclass
class History:
    """The rows, month by month in time order; what the searches will look for, once drawn."""

    actors: list[Actor]
    auditors: list[Actor]
    person_ids: list[uuid.UUID]
    total: int
    now: datetime
    seed: int

    def __post_init__(self):
        self.rng = random.Random(self.seed)  # noqa: S311 - repeatable synthetic data
        rng = self.rng
        self.actor_weights = [rng.lognormvariate(0, 1) for _ in self.actors]
        people = list(self.person_ids)
        rng.shuffle(people)
        cut = max(1, int(len(people) * ACTIVE_SHARE))
        self.active, self.others = people[:cut], people[cut:] or people[:cut]
        # Rows of the last SEARCH_DAYS, by user and by person: which to search for.
        self.recent_users: Counter = Counter()
        self.recent_people: Counter = Counter()
        self.recent_from = self.now - timedelta(days=SEARCH_DAYS)

    def months(self) -> list[tuple[datetime, datetime, int]]:
        """(start, end, rows) for each month, oldest first; the last ends now."""
        this_month = self.now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        starts = [this_month]
        for _ in range(MONTHS - 1):
            starts.insert(0, (starts[0] - timedelta(days=1)).replace(day=1))
        growth = [1 + index / (MONTHS - 1) for index in range(MONTHS)]
        shares = [weight / sum(growth) for weight in growth]
        counts = [math.floor(self.total * share) for share in shares]
        counts[-1] += self.total - sum(counts)
        ends = [*starts[1:], self.now]
        return list(zip(starts, ends, counts, strict=True))

    def rows(self) -> Iterator[dict]:
        """Every row without its id and hash, in time order."""
        rng = self.rng
        for start, end, count in self.months():
            span = (end - start).total_seconds()
            moments = sorted(rng.random() * span for _ in range(count))
            actors = rng.choices(self.actors, self.actor_weights, k=count)
            kinds = rng.choices(KINDS, KIND_WEIGHTS, k=count)
            for moment, actor, kind in zip(moments, actors, kinds, strict=True):
                if kind[1:3] == ("search", "audit_event"):
                    actor = rng.choice(self.auditors)
                yield self._row(start + timedelta(seconds=moment), actor, kind)

    def _row(self, occurred_at: datetime, actor: Actor, kind) -> dict:
        rng = self.rng
        _weight, action, entity_type, purpose, names_person, outcome = kind
        person_id = None
        if names_person:
            pool = self.active if rng.random() < ACTIVE_DRAW else self.others
            person_id = rng.choice(pool)
        if entity_type == "user":
            entity_id = str(actor.user_id)
        elif entity_type in ("person",) and person_id is not None:
            entity_id = str(person_id)
        elif entity_type in ("worklist", "audit_event"):
            entity_id = None
        else:
            entity_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if occurred_at >= self.recent_from:
            self.recent_users[actor.user_id] += 1
            if person_id is not None:
                self.recent_people[person_id] += 1
        return {
            "occurred_at": occurred_at,
            "request_id": f"{rng.getrandbits(128):032x}",
            "user_id": actor.user_id,
            "role": actor.role,
            "organisation_id": actor.organisation_id,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "person_id": person_id,
            "purpose": purpose,
            "outcome": outcome,
            "detail": _detail(rng, action, entity_type, outcome),
        }


@dataclass
class AuditLoad:
    rows: int
    seconds: float
    partitions: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def make_partitions(connection, history: History) -> int:
    """The months the history spans, made as the scheduled job makes them (migration 0020)."""
    made = 0
    for start, _end, _count in history.months():
        made += (
            connection.execute(
                text("SELECT caseflow_audit_partition(CAST(:month AS date))"),
                {"month": start.date()},
            ).scalar()
            is not None
        )
    return made


def _copy(connection, rows: list[dict]) -> None:
    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        psycopg_sql.Identifier(AuditEvent.__tablename__),
        psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(name) for name in COLUMNS),
    )
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(statement) as copy:
        for row in rows:
            detail = row["detail"]
            copy.write_row(
                [
                    json.dumps(detail, sort_keys=True) if name == "detail" and detail else row[name]
                    for name in COLUMNS
                ]
            )


def _hold_the_chain(connection, count: int) -> tuple[str | None, list[int]]:
    """The chain's last hash and ids for ``count`` new rows, drawn while holding the chain's head,
    in the chain hook's own statement."""
    head = connection.execute(chain.HOLD_THE_HEAD_AND_DRAW_IDS, {"n": count}).first()
    if head is None:
        raise chain.ChainHeadMissing("audit_chain_head has no row")
    return head.last_hash, sorted(head[2])


def _seal_batch(connection, key: bytes, rows: list[dict]) -> None:
    """What the chain's before-flush hook does for a flush of these rows, on one connection."""
    previous, ids = _hold_the_chain(connection, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
        row["chain_hash"] = chain.seal(key, previous, row)
        previous = row["chain_hash"]


def _copy_moving_the_head(connection, rows: list[dict]) -> None:
    """COPY the sealed rows; the chain's head (migration 0025) left at the last, as its trigger
    leaves it.

    The trigger moves the head's one row for every row inserted, and each UPDATE of a row this
    transaction has already updated walks every version it made before: tens of thousands of
    rows in one COPY cost time in the square of their number. So the COPY runs with triggers
    off for this transaction (session_replication_role: the log's other triggers refuse UPDATE,
    DELETE and TRUNCATE, which a COPY never does) and the head is moved once, as the trigger's
    last UPDATE would have moved it.
    """
    connection.execute(text("SET LOCAL session_replication_role = replica"))
    _copy(connection, rows)
    connection.execute(text("SET LOCAL session_replication_role = origin"))
    connection.execute(
        text(
            "UPDATE audit_chain_head SET last_id = :id, last_hash = :hash "
            "WHERE id = 1 AND (last_id IS NULL OR last_id < :id)"
        ),
        {"id": rows[-1]["id"], "hash": rows[-1]["chain_hash"]},
    )


def write(connection, key: bytes, rows: list[dict]) -> None:
    """Seal the rows after the chain's last and copy them in, in the connection's transaction."""
    _seal_batch(connection, key, rows)
    _copy_moving_the_head(connection, rows)


def load(transaction, key: bytes, history: History) -> AuditLoad:
    """Partitions, then every row of the history sealed and copied in, batch by batch, each in
    ``transaction()`` (a context manager giving a connection: ``engine.begin``)."""
    started = time.perf_counter()
    with transaction() as connection:
        partitions = make_partitions(connection, history)
    written = 0
    batch: list[dict] = []

    def flush() -> None:
        nonlocal written
        with transaction() as connection:
            write(connection, key, batch)
        written += len(batch)
        batch.clear()

    for row in history.rows():
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            flush()
    if batch:
        flush()
    return AuditLoad(rows=written, seconds=time.perf_counter() - started, partitions=partitions)


def now() -> datetime:
    return datetime.now(UTC)


# Verifying ------------------------------------------------------------------------------------

# Up to this many rows the whole chain is verified by chain.verify, the function `flask audit
# verify` runs; past it, a sample, unless BENCH_VERIFY_WHOLE=1. (The whole chain of 1,050,000
# rows took 291 s on the shared 2-core machine, a tenth of make bench's time.)
VERIFY_WHOLE_UP_TO = 10_000_000_000 if os.environ.get("BENCH_VERIFY_WHOLE") == "1" else 200_000
SAMPLE_WINDOWS, SAMPLE_ROWS = 40, 2500


@dataclass(frozen=True)
class Verified:
    rows: int
    seconds: float
    whole: bool

    @property
    def words(self) -> str:
        what = "whole chain verified" if self.whole else "a sample of the chain verified"
        return f"{what}: {self.rows:,} rows in {self.seconds:.0f} s"


def verify(session, key: bytes) -> Verified:
    """The whole chain (chain.verify) up to VERIFY_WHOLE_UP_TO rows, else windows of it.

    A window is SAMPLE_ROWS consecutive rows, each checked to follow the one before it (the
    window's first row follows the row before the window): SAMPLE_WINDOWS of them spread evenly
    from the first row to the last, the last ending at the chain's tail.
    """
    started = time.perf_counter()
    table = AuditEvent.__table__
    total = session.scalar(select(func.count()).select_from(table))
    head = session.execute(text("SELECT last_id, last_hash FROM audit_chain_head")).one()
    last = session.execute(
        select(table.c.id, table.c.chain_hash).order_by(table.c.id.desc()).limit(1)
    ).one()
    if tuple(head) != tuple(last):
        raise RuntimeError("the chain's head is not the log's last row")
    if total <= VERIFY_WHOLE_UP_TO:
        result = chain.verify(session, key=key)
        if not result.intact or result.rows != total:
            raise RuntimeError(f"the audit chain does not verify: {result}")
        return Verified(result.rows, time.perf_counter() - started, whole=True)
    first, last = session.execute(select(func.min(table.c.id), func.max(table.c.id))).one()
    step = (last - first) // (SAMPLE_WINDOWS - 1)
    checked = 0
    for window in range(SAMPLE_WINDOWS):
        start = min(first + window * step, last - SAMPLE_ROWS)
        rows = session.execute(
            select(table).where(table.c.id >= start).order_by(table.c.id).limit(SAMPLE_ROWS + 1)
        ).mappings()
        previous = None if start <= first else next(rows)["chain_hash"]
        for row in rows:
            if chain.seal(key, previous, row) != row["chain_hash"]:
                raise RuntimeError(f"the audit chain does not verify at row id {row['id']}")
            previous = row["chain_hash"]
            checked += 1
    return Verified(checked, time.perf_counter() - started, whole=False)
