"""The audit log's hash chain: each row's chain_hash seals it to every row before it.

    chain_hash = "v2." + base64url(HMAC-SHA256(AUDIT_CHAIN_KEY, "v2." + previous hash + row))

where ``row`` is the row in canonical form and ``""`` is the previous hash of the first row. The
key lives outside the database (see config.py), so someone who can write to the table but does
not hold the key cannot alter, insert or remove a row without ``flask audit verify`` naming the
first row whose hash no longer follows. Removing the newest rows leaves a chain that still
follows; the checkpoints published outside the database (caseflow.audit.checkpoints) catch that.

The canonical form is JSON with sorted keys, no spaces and ASCII escapes, of every column except
``chain_hash``: the id as decimal text, UUIDs as lower-case hyphenated text, datetimes in UTC as
``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``, ``detail`` as ``json.dumps(detail, sort_keys=True)`` (the
text it was stored as before the column became JSON), absent values as ``null``. The same row
read back from PostgreSQL or SQLite gives the same text.

Seal versions. Rows written before ids were sealed carry version 1: 64 hexadecimal digits of
HMAC-SHA256(key, previous hash + row without its id). They keep verifying in that form, so a log
that spans the upgrade verifies whole. A stored hash says its own version (``v2.`` or none); a
version 1 row after a version 2 row is a break, since Caseflow no longer writes them.

The id is sealed, so it is known before the row is: the hook draws it itself, after reading the
previous hash from the chain's head, a one-row table (audit_chain_head) that a trigger on the
log moves on with every row inserted (migration 0025), so the head is one primary-key read, not
a search of every month's partition for the newest row. The trigger refuses a row whose id the
sequence has not handed out, or that does not come after the head (migration 0026): an id chosen
by hand cannot move the head past the ids still to be drawn. On PostgreSQL one statement takes
the head's row lock, held until commit or rollback, reads the head and draws the new rows' ids
from the table's sequence: an UPDATE of the head that returns them. An UPDATE that had to wait
for another transaction's lock on the row goes on with the row as that transaction committed it
(READ COMMITTED), and its RETURNING list, ids included, is computed only once it holds the lock.
So a second transaction writing audit rows waits until the first has committed, then reads the
head the first left and draws later ids. Ids, chain order and commit order agree, so every row
with a lower id than a committed row is itself committed. Several new rows in one flush chain to
each other in the order they were added, with ids in that order.

Since every audited request would wait for that lock, it is taken as late as it can be: the
rows a request records are held (caseflow.audit.held) until its commit, so the lock covers the
audit INSERT and the COMMIT, not the queries and template rendering in between. A flush the code
asks for (``db.session.flush()``) writes them too; the flush a query makes for itself
(autoflush) does not, unless the query reads the audit log. Rows held in a savepoint that is
rolled back, or a transaction that is, are dropped with it.

Lock order: the head is the last lock an audit write takes. A commit, and a flush the code asks
for, first flush everything else, with its row locks (the release episodes the facts hook locks
FOR UPDATE, in id order: caseflow.continuity.facts; a changed row's own), and only then take the
head and write the held rows. Were the head taken first, a transaction holding it could wait for
an episode that another holds while that one waits for the head at its commit: a deadlock,
which PostgreSQL ends by aborting one of them. Rows written before the commit (at a flush asked
for, or before a query of the log) hold the head to the commit, so the order is kept within a
flush, not across a transaction's flushes: what is changed after the rows are written is locked
after the head. A row added to the session itself (below) takes the head as its flush begins.

SQLite, the development default, runs the same UPDATE without the ids: it serialises writers
itself, and the UPDATE takes its writer lock, held to the commit, so a second writer waits for
the first (or, past its timeout, fails and saves nothing); the new ids follow the head's.

The rows a request holds are written with the table's own INSERT on the session's connection
(``write``), not through the unit of work: two statements and the commit are the whole of an
audited request's write, with none of the ORM's bookkeeping for rows it never reads back. A row
added to the session some other way is sealed in the same way by the flush (``before_flush``).

The rows are written only through caseflow.audit.services; this module seals and inserts them.
"""

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import JSON, Connection, DateTime, Uuid, event, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

from caseflow.audit.models import AuditEvent
from caseflow.dates import as_utc
from caseflow.models import utcnow

V2_PREFIX = "v2."
SEALED_NAMES = tuple(sorted(c.name for c in AuditEvent.__table__.columns if c.name != "chain_hash"))
# Version 1 left the id out: it was drawn at INSERT, after the seal.
V1_SEALED_NAMES = tuple(name for name in SEALED_NAMES if name != "id")
_COLUMNS = AuditEvent.__table__.columns
_UUID_COLUMNS = frozenset(c.name for c in _COLUMNS if isinstance(c.type, Uuid))
_DATETIME_COLUMNS = frozenset(c.name for c in _COLUMNS if isinstance(c.type, DateTime))
_JSON_COLUMNS = frozenset(c.name for c in _COLUMNS if isinstance(c.type, JSON))

# One round trip takes the chain's lock (the head's row), reads the previous hash and, on
# PostgreSQL, draws the new rows' ids: RETURNING is computed after the row is locked, so the
# ids are drawn inside the lock. (A SELECT ... FOR UPDATE would not do: its select list is
# computed before the row is locked.) It sets only the id, to itself: the application's role
# may update that column alone, and the log's trigger moves the head on.
# Both are written out whole, the second being the first with the ids added.
HOLD_THE_HEAD = text(
    "UPDATE audit_chain_head SET id = id WHERE id = 1 RETURNING last_id, last_hash"
)
HOLD_THE_HEAD_AND_DRAW_IDS = text(
    "UPDATE audit_chain_head SET id = id WHERE id = 1 RETURNING last_id, last_hash, "
    "(SELECT array_agg(nextval(pg_get_serial_sequence('audit_events', 'id'))) "
    "FROM generate_series(1, :n))"
)
# Most requests write one row: its id drawn in the RETURNING list itself, without the subquery
# and array (a quarter of the statement's time).
HOLD_THE_HEAD_AND_DRAW_AN_ID = text(
    "UPDATE audit_chain_head SET id = id WHERE id = 1 RETURNING last_id, last_hash, "
    "nextval(pg_get_serial_sequence('audit_events', 'id'))"
)


class ChainKeyMissing(RuntimeError):
    """AUDIT_CHAIN_KEY is not configured: no audit row can be sealed, so none is written."""


class ChainHeadMissing(RuntimeError):
    """The chain's head row is gone: no row can be sealed after the last, so none is written."""


def chain_key() -> bytes:
    key = current_app.config.get("AUDIT_CHAIN_KEY")
    if not key:
        raise ChainKeyMissing("AUDIT_CHAIN_KEY is not configured")
    return key


def _canonical_value(name: str, value):
    if value is None:
        return None
    if name in _UUID_COLUMNS:
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    if name in _DATETIME_COLUMNS:
        return as_utc(value).isoformat(timespec="microseconds")
    if name in _JSON_COLUMNS:
        # The text rows were written with while detail was a text column (and still read as,
        # where the column is text), so a row sealed then verifies now that it is JSON.
        return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return str(value)


def canonical(row: Mapping, names: Sequence[str] = SEALED_NAMES) -> str:
    """The sealed columns of a row (a mapping of column name to value) as one unambiguous text."""
    values = {name: _canonical_value(name, row[name]) for name in names}
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def seal(key: bytes, previous: str | None, row: Mapping) -> str:
    """The hash a new row is written with (version 2: its id and time are sealed with it)."""
    message = V2_PREFIX + (previous or "") + canonical(row)
    digest = hmac.new(key, message.encode("ascii"), hashlib.sha256).digest()
    return V2_PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def seal_v1(key: bytes, previous: str | None, row: Mapping) -> str:
    """The hash rows were written with before ids were sealed; kept so those rows verify."""
    message = (previous or "") + canonical(row, V1_SEALED_NAMES)
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()


def seal_version(stored_hash: str | None) -> int:
    return 2 if (stored_hash or "").startswith(V2_PREFIX) else 1


def _expected(key: bytes, previous: str | None, row: Mapping) -> str:
    """The hash the row should carry, in the seal version it says it was written with."""
    sealer = seal if seal_version(row["chain_hash"]) == 2 else seal_v1
    return sealer(key, previous, row)


def _columns_of(obj: AuditEvent) -> dict:
    return {name: getattr(obj, name) for name in SEALED_NAMES}


def latest_row(session: Session) -> tuple[int | None, str | None]:
    """The id and hash of the chain's last row, or (None, None) while the log is empty."""
    row = session.execute(
        select(AuditEvent.id, AuditEvent.chain_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (row.id, row.chain_hash) if row else (None, None)


def latest_hash(session: Session) -> str | None:
    return latest_row(session)[1]


def _hold_head_and_new_ids(connection: Connection, count: int) -> tuple[str | None, list[int]]:
    """The chain's last hash and ids for the new rows, in order, the chain held until commit.

    SQLite draws no ids from a sequence: its writer lock serialises, and ids follow the head's.
    """
    if connection.dialect.name == "postgresql":
        if count == 1:
            head = connection.execute(HOLD_THE_HEAD_AND_DRAW_AN_ID).first()
        else:
            head = connection.execute(HOLD_THE_HEAD_AND_DRAW_IDS, {"n": count}).first()
        if head is None:
            raise ChainHeadMissing("audit_chain_head has no row")
        return head.last_hash, [head[2]] if count == 1 else sorted(head[2])
    head = connection.execute(HOLD_THE_HEAD).first()
    if head is None:
        raise ChainHeadMissing("audit_chain_head has no row")
    start = (head.last_id or 0) + 1
    return head.last_hash, list(range(start, start + count))


def _audit_connection(session: Session) -> Connection:
    return session.connection(bind_arguments={"mapper": AuditEvent.__mapper__})


def _seal_in_order(key: bytes, previous: str | None, rows, ids) -> list[dict]:
    """Each row given its id and sealed after the one before it; the columns as sealed."""
    written = []
    for obj, new_id in zip(rows, ids, strict=True):
        obj.id = new_id
        # Fixed now, in UTC, so the stored value is the value that was sealed.
        obj.occurred_at = as_utc(obj.occurred_at) if obj.occurred_at else utcnow()
        columns = _columns_of(obj)
        previous = obj.chain_hash = columns["chain_hash"] = seal(key, previous, columns)
        written.append(columns)
    return written


# Every column, the id and hash included: the row goes in exactly as it was sealed.
INSERT_ROWS = AuditEvent.__table__.insert()


def write(session: Session, rows: Sequence[AuditEvent]) -> int:
    """Seal new rows after the chain's last, in the order given, and INSERT them in the session's
    transaction, which holds the chain until it ends. Returns the newest row's id.

    The rows stay out of the session: each object is given its id, time and hash, as written.
    """
    key = chain_key()  # before the lock: without a key nothing is locked or written
    connection = _audit_connection(session)
    previous, ids = _hold_head_and_new_ids(connection, len(rows))
    written = _seal_in_order(key, previous, rows, ids)
    connection.execute(INSERT_ROWS, written[0] if len(written) == 1 else written)
    return ids[-1]


@event.listens_for(Session, "before_flush")
def _seal_new_audit_rows(session: Session, _context, _instances) -> None:
    """A row added to the session itself rather than recorded: sealed as ``write`` seals."""
    new_rows = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new_rows:
        return
    # The unit of work inserts new rows of one table in the order they were added.
    new_rows.sort(key=lambda obj: instance_state(obj).insert_order)
    key = chain_key()
    previous, ids = _hold_head_and_new_ids(_audit_connection(session), len(new_rows))
    _seal_in_order(key, previous, new_rows, ids)


# Verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head as published outside the database: what the log held at a moment."""

    rows: int
    last_id: int
    last_hash: str
    at: datetime


@dataclass(frozen=True)
class Gap:
    """Where the log falls short of a checkpoint.

    missing: the checkpoint's last row is not in the log; ``count`` rows up to ``after_id`` (the
    last row before where it should be, None for none) verified, so ``checkpoint.rows - count``
    rows after ``after_id`` are gone. mismatch: the row is there but it is not the row, or not
    the row number, the checkpoint recorded.
    """

    kind: str  # "missing" or "mismatch"
    checkpoint: Checkpoint
    after_id: int | None
    count: int
    same_row: bool = False  # for a mismatch: the row is the one recorded, the count is not

    @property
    def missing(self) -> int:
        return self.checkpoint.rows - self.count


@dataclass
class Verification:
    rows: int
    broken_id: int | None = None
    last_id: int | None = None
    gap: Gap | None = None
    # The newest checkpoint the log was found to match.
    matched: Checkpoint | None = None

    @property
    def intact(self) -> bool:
        return self.broken_id is None and self.gap is None


def stored_rows(session: Session, batch_size: int) -> Iterator[Mapping]:
    """Every audit row in id order, read in keyset batches so memory stays flat."""
    table = AuditEvent.__table__
    after = None
    while True:
        query = select(table).order_by(table.c.id).limit(batch_size)
        if after is not None:
            query = query.where(table.c.id > after)
        batch = session.execute(query).mappings().all()
        if not batch:
            return
        yield from batch
        after = batch[-1]["id"]


class _Checkpoints:
    """The checkpoints in last-row order, compared with the log as it is walked."""

    def __init__(self, checkpoints: Sequence[Checkpoint]):
        self.pending = sorted(set(checkpoints), key=lambda c: (c.last_id, c.rows))
        self.next = 0
        self.matched: Checkpoint | None = None

    def _passed(self, before_id: int | None) -> list[Checkpoint]:
        """The checkpoints whose last row comes before before_id (all left, for None)."""
        passed = []
        while self.next < len(self.pending) and (
            before_id is None or self.pending[self.next].last_id < before_id
        ):
            passed.append(self.pending[self.next])
            self.next += 1
        return passed

    def gap_before(self, row_id: int | None, after_id: int | None, count: int) -> Gap | None:
        """A gap if a checkpoint's last row should have come between after_id and row_id."""
        passed = self._passed(row_id)
        if not passed:
            return None
        # The newest of them says the most about how much is gone.
        return Gap("missing", passed[-1], after_id=after_id, count=count)

    def check_row(self, row: Mapping, count: int) -> Gap | None:
        """Compare the row (the count'th of the log) with the checkpoints that end at it."""
        while self.next < len(self.pending) and self.pending[self.next].last_id == row["id"]:
            checkpoint = self.pending[self.next]
            self.next += 1
            same_row = hmac.compare_digest(checkpoint.last_hash, row["chain_hash"] or "")
            if not same_row or checkpoint.rows != count:
                return Gap("mismatch", checkpoint, row["id"], count, same_row=same_row)
            self.matched = checkpoint
        return None


def verify(
    session: Session,
    *,
    batch_size: int = 5000,
    key: bytes | None = None,
    checkpoints: Sequence[Checkpoint] = (),
) -> Verification:
    """Recompute the chain from the first row and compare it with the published checkpoints.

    Stops at the first row whose hash does not follow, or the first checkpoint the log falls
    short of: a checkpoint whose last row is missing, or is not the row it recorded.
    """
    key = key or chain_key()
    heads = _Checkpoints(checkpoints)
    previous = ""
    count = 0
    last_id = None
    newer_seal_seen = False
    for row in stored_rows(session, batch_size):
        # Rows a checkpoint says came before this one are gone whatever this row's hash, and
        # saying which is the better answer: the rows written after the newest were removed
        # chain to the removed rows (the chain's head), so they do not follow what is left.
        gap = heads.gap_before(row["id"], last_id, count)
        if gap:
            return Verification(rows=count, last_id=last_id, gap=gap, matched=heads.matched)
        version = seal_version(row["chain_hash"])
        follows = hmac.compare_digest(_expected(key, previous, row), row["chain_hash"] or "")
        if not follows or (version == 1 and newer_seal_seen):
            return Verification(rows=count, broken_id=row["id"], last_id=last_id)
        newer_seal_seen = newer_seal_seen or version == 2
        previous = row["chain_hash"]
        count += 1
        last_id = row["id"]
        gap = heads.check_row(row, count)
        if gap:
            return Verification(rows=count, last_id=last_id, gap=gap, matched=heads.matched)
    gap = heads.gap_before(None, last_id, count)
    return Verification(rows=count, last_id=last_id, gap=gap, matched=heads.matched)


def previous_hash_of(key: bytes, row: Mapping, candidates) -> str | None:
    """Which of the candidate hashes this row was sealed after, if any (for investigations)."""
    for candidate in candidates:
        if hmac.compare_digest(_expected(key, candidate, row), row["chain_hash"] or ""):
            return candidate
    return None
