"""The audit log's hash chain: each row's chain_hash seals it to every row before it.

    chain_hash = HMAC-SHA256(AUDIT_CHAIN_KEY, previous row's chain_hash + this row, canonical)

with ``""`` as the previous hash of the first row. The key lives outside the database (see
config.py), so someone who can write to the table but does not hold the key cannot alter, insert
or remove a row without ``flask audit verify`` naming the first row whose hash no longer follows.

The canonical form is JSON with sorted keys, no spaces and ASCII escapes, of every column except
``id`` and ``chain_hash``: UUIDs as lower-case hyphenated text, datetimes in UTC as
``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``, absent values as ``null``. The same row read back from
PostgreSQL or SQLite gives the same text.

One chain, no forks. The hash is computed when the row is flushed, in a before-flush hook, from the
latest row's hash read ``ORDER BY id DESC LIMIT 1``. On PostgreSQL the hook first takes a
transaction-level advisory lock, held until commit or rollback, so a second transaction writing
audit rows waits until the first has committed and then reads its last row; ids, chain order and
commit order agree. Several new rows in one flush chain to each other in the order they were added
(the order the unit of work inserts them, and so the order their ids are drawn).

SQLite, the development default, takes no lock here: it serialises writers itself. A transaction
that has read the chain's tail cannot go on to write once another writer has committed after that
read (SQLite answers "database is locked" or refuses the stale snapshot), so two rows never follow
the same hash; at worst the later request fails and is not saved.

The rows are written only through caseflow.audit.services; this module only seals them.
"""

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import DateTime, Uuid, event, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

from caseflow.audit.models import AuditEvent
from caseflow.models import utcnow

# pg_advisory_xact_lock key for the chain: any fixed bigint no other lock in Caseflow uses
# (the bytes of "cfaudit1" read as a signed 64-bit integer).
CHAIN_LOCK_KEY = int.from_bytes(b"cfaudit1", "big", signed=True)

UNSEALED = ("id", "chain_hash")
COLUMNS = tuple(c for c in AuditEvent.__table__.columns if c.name not in UNSEALED)
SEALED_NAMES = tuple(sorted(c.name for c in COLUMNS))
_UUID_COLUMNS = frozenset(c.name for c in COLUMNS if isinstance(c.type, Uuid))
_DATETIME_COLUMNS = frozenset(c.name for c in COLUMNS if isinstance(c.type, DateTime))


class ChainKeyMissing(RuntimeError):
    """AUDIT_CHAIN_KEY is not configured: no audit row can be sealed, so none is written."""


def chain_key() -> bytes:
    key = current_app.config.get("AUDIT_CHAIN_KEY")
    if not key:
        raise ChainKeyMissing("AUDIT_CHAIN_KEY is not configured")
    return key


def utc_datetime(value: datetime) -> datetime:
    """The same instant in UTC. A naive value (as SQLite returns it) is taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _canonical_value(name: str, value):
    if value is None:
        return None
    if name in _UUID_COLUMNS:
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    if name in _DATETIME_COLUMNS:
        return utc_datetime(value).isoformat(timespec="microseconds")
    return str(value)


def canonical(row: Mapping) -> str:
    """The sealed columns of a row (a mapping of column name to value) as one unambiguous text."""
    values = {name: _canonical_value(name, row[name]) for name in SEALED_NAMES}
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def seal(key: bytes, previous: str | None, row: Mapping) -> str:
    message = (previous or "") + canonical(row)
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()


def _columns_of(obj: AuditEvent) -> dict:
    return {name: getattr(obj, name) for name in SEALED_NAMES}


def _take_chain_lock(session: Session) -> None:
    bind = session.get_bind(mapper=AuditEvent.__mapper__)
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def latest_hash(session: Session) -> str | None:
    return session.execute(
        select(AuditEvent.chain_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar()


@event.listens_for(Session, "before_flush")
def _seal_new_audit_rows(session: Session, _context, _instances) -> None:
    new_rows = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new_rows:
        return
    # The unit of work inserts new rows of one table in the order they were added.
    new_rows.sort(key=lambda obj: instance_state(obj).insert_order)
    key = chain_key()
    _take_chain_lock(session)
    previous = latest_hash(session)
    for obj in new_rows:
        # Fixed now, in UTC, so the stored value is the value that was sealed.
        obj.occurred_at = utc_datetime(obj.occurred_at) if obj.occurred_at else utcnow()
        obj.chain_hash = seal(key, previous, _columns_of(obj))
        previous = obj.chain_hash


# Verification ------------------------------------------------------------------------------


@dataclass
class Verification:
    rows: int
    broken_id: int | None = None
    last_id: int | None = None

    @property
    def intact(self) -> bool:
        return self.broken_id is None


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


def verify(session: Session, *, batch_size: int = 5000, key: bytes | None = None) -> Verification:
    """Recompute the chain from the first row; stop at the first row whose hash does not follow."""
    key = key or chain_key()
    previous = ""
    count = 0
    last_id = None
    for row in stored_rows(session, batch_size):
        expected = seal(key, previous, row)
        if not hmac.compare_digest(expected, row["chain_hash"] or ""):
            return Verification(rows=count, broken_id=row["id"], last_id=last_id)
        previous = row["chain_hash"]
        count += 1
        last_id = row["id"]
    return Verification(rows=count, last_id=last_id)


def previous_hash_of(key: bytes, row: Mapping, candidates) -> str | None:
    """Which of the candidate hashes this row was sealed after, if any (for investigations)."""
    for candidate in candidates:
        if hmac.compare_digest(seal(key, candidate, row), row["chain_hash"] or ""):
            return candidate
    return None
