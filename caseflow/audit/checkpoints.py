"""The audit chain's head, published outside the database as the log grows.

The hash chain shows that no row was altered, inserted or removed between the first row and the
last, but someone who can write to the table can still remove the newest rows, or all of them,
and leave a chain that verifies. So Caseflow publishes checkpoints: the number of rows the log
held, the last row's id and that row's hash, and when, signed with HMAC-SHA256 under the chain
key (which lives outside the database). ``flask audit verify`` compares the log with every
checkpoint it can read and names the rows that are gone.

When. A checkpoint is considered when an application context ends (after a request's
transactions have committed and its denials have been written, or at the end of a command) in
which audit rows were committed. It is published once the newest row this process has seen is
AUDIT_CHECKPOINT_EVERY_ROWS ids past the last checkpoint, or AUDIT_CHECKPOINT_EVERY_MINUTES
after it, and always for the first rows a process writes when no earlier checkpoint can be read.
Ids are drawn in chain order, so every row up to a committed row is committed: the head read
after the commit is final. The count is the last checkpoint's plus the rows since, so it costs
an index range, not a count of the whole table.

Where. Every checkpoint goes to the application log (logger ``caseflow.audit.checkpoints``, at
INFO, one line ``audit checkpoint {json}``), to AUDIT_CHECKPOINT_FILE (one JSON line appended per
checkpoint; the instance folder by default) and, when REDIS_URL is set, to a Redis sorted set
keeping the latest REDIS_KEEP. Production ships the log to a store the database's owner cannot
write, which is the copy that counts; ``flask audit verify --checkpoints FILE`` reads an export.

Never in the way. Publishing happens after the commit, never inside a transaction that keeps
audit rows, and never raises: a failure is logged (the destination and the error's class; no
checkpoint holds personal data in any case) and tried again at the next opportunity, no sooner
than RETRY_SECONDS later so an unreachable Redis does not cost every request its timeout.
"""

import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from caseflow.audit.chain import Checkpoint, chain_key, latest_row
from caseflow.audit.checkpoint_lines import (
    LOG_MARKER,
    CheckpointRejected,
    checkpoint_text,
    parse_line,
    read_lines,
    signed_line,
)
from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.models import utcnow

logger = logging.getLogger("caseflow.audit.checkpoints")

REDIS_KEY = "caseflow:audit:checkpoints"
REDIS_KEEP = 1000
REDIS_TIMEOUT_SECONDS = 0.5
RETRY_SECONDS = 30
TAIL_BYTES = 64 * 1024
STATE_KEY = "caseflow.audit_checkpoints"
_FLUSHED = "caseflow.audit_flushed_id"


# Destinations --------------------------------------------------------------------------------


class LogDestination:
    name = "the application log"

    def write(self, line: str) -> None:
        logger.info("%s%s", LOG_MARKER, line)


@dataclass
class FileDestination:
    path: Path
    name: str = "the checkpoint file"

    def write(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write of one short line with O_APPEND: lines from several processes never mix.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (line + "\n").encode("ascii"))
        finally:
            os.close(fd)

    def read(self, key: bytes) -> list[Checkpoint]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="ascii", errors="replace") as lines:
            return read_lines(key, lines, source=str(self.path))

    def latest(self, key: bytes) -> Checkpoint | None:
        """The last checkpoint in the file, from its tail only."""
        if not self.path.exists():
            return None
        with self.path.open("rb") as handle:
            start = max(0, handle.seek(0, os.SEEK_END) - TAIL_BYTES)
            handle.seek(start)
            tail = handle.read().decode("ascii", errors="replace").splitlines()
        if start:
            tail = tail[1:]  # the first line read is only the end of one
        for line in reversed(tail):
            text = checkpoint_text(line)
            if text:
                return parse_line(key, text, source=str(self.path), line_number=None)
        return None


_redis_clients: dict[str, object] = {}


@dataclass
class RedisDestination:
    url: str
    name: str = "Redis"

    def client(self):
        """One client, and so one connection pool, per URL for the life of the process."""
        if self.url not in _redis_clients:
            import redis

            _redis_clients[self.url] = redis.Redis.from_url(
                self.url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
        return _redis_clients[self.url]

    def write(self, line: str) -> None:
        last_id = json.loads(line)["last_id"]
        pipe = self.client().pipeline()
        pipe.zadd(REDIS_KEY, {line: last_id})
        pipe.zremrangebyrank(REDIS_KEY, 0, -REDIS_KEEP - 1)
        pipe.execute()

    def _members(self, start: int) -> list[str]:
        return [m.decode("ascii", "replace") for m in self.client().zrange(REDIS_KEY, start, -1)]

    def read(self, key: bytes) -> list[Checkpoint]:
        return read_lines(key, self._members(0), source=f"Redis key {REDIS_KEY}")

    def latest(self, key: bytes) -> Checkpoint | None:
        found = read_lines(key, self._members(-1), source=f"Redis key {REDIS_KEY}")
        return found[-1] if found else None


def destinations(app: Flask) -> list:
    """Where checkpoints go, the log first: it is the one that cannot fail."""
    found: list = [LogDestination()]
    if app.config.get("AUDIT_CHECKPOINT_FILE"):
        found.append(FileDestination(Path(app.config["AUDIT_CHECKPOINT_FILE"])))
    if app.config.get("REDIS_URL"):
        found.append(RedisDestination(app.config["REDIS_URL"]))
    return found


def readable_destinations(app: Flask) -> list:
    return [place for place in destinations(app) if hasattr(place, "read")]


# Publishing ----------------------------------------------------------------------------------


@dataclass
class Publisher:
    """One process's view of the chain's head and of the last checkpoint it published."""

    seen_id: int | None = None  # the newest audit row id committed here
    last: Checkpoint | None = None  # the newest checkpoint published or read at start
    started: bool = False
    retry_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def publisher(app: Flask) -> Publisher:
    return app.extensions.setdefault(STATE_KEY, Publisher())


def is_due(state: Publisher, *, now: datetime, every_rows: int, every_minutes: float) -> bool:
    if state.seen_id is None:
        return False
    if state.last is None:
        return True
    if state.seen_id <= state.last.last_id:
        return False
    grown = state.seen_id - state.last.last_id >= every_rows
    return grown or now - state.last.at >= timedelta(minutes=every_minutes)


def _rows_up_to(session: Session, head_id: int, baseline: Checkpoint | None) -> int:
    """How many rows the log holds up to head_id, counting on from the baseline if it stands."""
    if baseline is not None and baseline.last_id <= head_id:
        stored = session.scalar(
            select(AuditEvent.chain_hash).where(AuditEvent.id == baseline.last_id)
        )
        if stored is not None and hmac.compare_digest(stored, baseline.last_hash):
            since = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.id > baseline.last_id, AuditEvent.id <= head_id)
            )
            return baseline.rows + since
    # No baseline, or it no longer stands (rows were removed): count afresh. Earlier
    # checkpoints still name whatever went missing.
    return session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= head_id)
    )


def current_head(baseline: Checkpoint | None) -> Checkpoint | None:
    """The chain's head now, as a checkpoint; None when the log is empty or has not moved."""
    with Session(bind=db.engine) as session:
        head_id, head_hash = latest_row(session)
        if head_id is None or (baseline is not None and baseline.last_id == head_id):
            return None
        rows = _rows_up_to(session, head_id, baseline)
    return Checkpoint(rows=rows, last_id=head_id, last_hash=head_hash, at=utcnow())


def publish(checkpoint: Checkpoint, places: Sequence) -> list[str]:
    """Write the checkpoint everywhere; the names of the destinations that failed."""
    line = signed_line(chain_key(), checkpoint)
    failed = []
    for place in places:
        try:
            place.write(line)
        except Exception as error:  # any failure here must not reach the request
            failed.append(place.name)
            logger.warning(
                "Audit checkpoint at row id %s not written to %s (%s); it will be tried again",
                checkpoint.last_id,
                place.name,
                type(error).__name__,
            )
    return failed


def _latest_stored(places: Sequence) -> Checkpoint | None:
    """The newest checkpoint a destination holds, to count on from after a restart."""
    key = chain_key()
    found = []
    for place in places:
        if hasattr(place, "latest"):
            try:
                latest = place.latest(key)
            except Exception as error:  # unreadable now: counting afresh is always correct
                logger.warning(
                    "Audit checkpoint not read from %s (%s)", place.name, type(error).__name__
                )
                continue
            if latest:
                found.append(latest)
    return max(found, key=lambda c: c.last_id, default=None)


def publish_if_due(app: Flask) -> Checkpoint | None:
    """Publish the chain's head if it is due; the checkpoint published, if one was."""
    state = publisher(app)
    if state.seen_id is None or not state.lock.acquire(blocking=False):
        return None  # nothing written here yet, or another thread is publishing
    try:
        if not state.started:
            state.last = _latest_stored(destinations(app))
            state.started = True
        due = is_due(
            state,
            now=utcnow(),
            every_rows=app.config["AUDIT_CHECKPOINT_EVERY_ROWS"],
            every_minutes=app.config["AUDIT_CHECKPOINT_EVERY_MINUTES"],
        )
        if not due or time.monotonic() < state.retry_at:
            return None
        checkpoint = current_head(state.last)
        if checkpoint is None:
            return None
        if publish(checkpoint, destinations(app)):
            state.retry_at = time.monotonic() + RETRY_SECONDS
            return None
        state.last = checkpoint
        state.retry_at = 0.0
        return checkpoint
    finally:
        state.lock.release()


def publish_head(app: Flask) -> Checkpoint | None:
    """Publish the chain's head now if it has moved since the newest stored checkpoint (the
    scheduled job: a process that has written no rows itself, so publish_if_due never fires)."""
    state = publisher(app)
    with state.lock:
        baseline = _latest_stored(destinations(app))
        checkpoint = current_head(baseline)
        if checkpoint is None or publish(checkpoint, destinations(app)):
            return None
        state.last, state.started = checkpoint, True
        return checkpoint


def stored_checkpoints(app: Flask, exports: Sequence[Path] = ()) -> tuple[list, list[str]]:
    """Every checkpoint Caseflow can read back, and the places read; raises CheckpointRejected.

    Checkpoints come from the checkpoint file, Redis when configured, and any exported log or
    checkpoint files named. A destination that cannot be reached is skipped with a warning.
    """
    key = chain_key()
    found: list[Checkpoint] = []
    read: list[str] = []
    places = [*readable_destinations(app), *(FileDestination(Path(path)) for path in exports)]
    for place in places:
        label = str(place.path) if isinstance(place, FileDestination) else place.name
        try:
            found.extend(place.read(key))
        except CheckpointRejected:
            raise
        except Exception as error:  # e.g. Redis unreachable: the other copies still count
            logger.warning("Audit checkpoints not read from %s (%s)", label, type(error).__name__)
            continue
        read.append(label)
    return found, read


# Hooks ---------------------------------------------------------------------------------------


def note_written(session: Session, newest_id: int) -> None:
    """Audit rows up to newest_id were written in the session's transaction (published once it
    commits)."""
    session.info[_FLUSHED] = max(session.info.get(_FLUSHED, 0), newest_id)


@event.listens_for(Session, "after_flush")
def _note_flushed_rows(session: Session, _context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, AuditEvent) and obj.id is not None]
    if ids:
        note_written(session, max(ids))


@event.listens_for(Session, "after_commit")
def _note_committed_rows(session: Session) -> None:
    newest = session.info.pop(_FLUSHED, None)
    if newest is not None and has_app_context():
        state = publisher(current_app._get_current_object())
        state.seen_id = max(state.seen_id or 0, newest)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_rows(session: Session) -> None:
    session.info.pop(_FLUSHED, None)


def init_app(app: Flask) -> None:
    _ = app.logger  # Flask gives its logger, this one's parent, a handler if none is configured
    if logger.level == logging.NOTSET:
        # Checkpoints are the point of this logger: they are written whatever the root's level.
        logger.setLevel(logging.INFO)

    @app.teardown_appcontext
    def _publish_after_commit(_error) -> None:
        try:
            publish_if_due(app)
        except Exception as error:  # never let a checkpoint fail or delay a response further
            logger.warning("Audit checkpoint not published (%s)", type(error).__name__)
