"""Audit rows held back until their transaction commits (see caseflow.audit.chain).

Sealing a row takes the chain's lock, which every other audited request then waits for, so a
row recorded during a request is held here, out of the session, while the page goes on querying
and rendering (the flush each query makes for itself leaves it alone), and is written when the
transaction commits or the code asks for a flush, in both cases after everything else has been
flushed, or when a query reads the audit log. It is written by caseflow.audit.chain.write, never
by the unit of work, so the objects stay out of the session once written too.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import find_tables

from caseflow.audit import chain, checkpoints
from caseflow.audit.models import AuditEvent
from caseflow.extensions import BEFORE_ASKED_FLUSH

# session.info keys: the rows recorded and not yet written, each with the savepoint (or None)
# it was recorded in; and whether a flush must leave them held (the flush of everything else
# that comes before they are written).
_HELD = "caseflow.audit.held"
_HOLDING = "caseflow.audit.holding"

# Whether a statement reads the audit log, by the statement's cache key. Walking a statement's
# tree costs more than the query it guards on a page of a dozen queries, and pages build the same
# few statement shapes again and again; the key is the one SQLAlchemy computes (and keeps on the
# statement) for its own compiled cache, so the walk is made once per shape. Bounded: a shape
# never seen again is forgotten when the map fills.
_READS_LOG: dict[tuple, bool] = {}
_READS_LOG_SHAPES = 2000


def hold(session: Session, row: AuditEvent) -> None:
    """Keep a new row out of the session until the transaction commits or the code flushes."""
    session.info.setdefault(_HELD, []).append((row, session.get_nested_transaction()))


def write(session: Session, rows) -> None:
    """Seal and INSERT rows now, in the session's transaction (caseflow.audit.chain.write)."""
    if rows:
        checkpoints.note_written(session, chain.write(session, rows))


def _write_held(session: Session) -> None:
    held = session.info.pop(_HELD, None)
    if not held:
        return
    try:
        newest = chain.write(session, [row for row, _savepoint in held])
    except BaseException:
        # Not written (no key, no chain head, a value that cannot be sealed): the rows stay
        # held, so a later commit of this same transaction tries them again before it keeps
        # anything, and a change is never kept without its rows; a rollback drops both.
        session.info[_HELD] = held + session.info.get(_HELD, [])
        raise
    checkpoints.note_written(session, newest)


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _write_held_after_the_rest(session: Session) -> None:
    """Everything else flushed first, then the held rows written: the chain's head is the last
    lock they take (caseflow.audit.chain, Lock order), at a commit and at a flush the code asks
    for alike. A flush asked for still writes them (a subject access export lists its own row,
    the demo seals each step at its moment), but no longer before the changes it flushes, whose
    release episodes the facts hook locks (caseflow.continuity.facts)."""
    if session.info.get(_HOLDING) or not session.info.get(_HELD):
        return
    session.info[_HOLDING] = True
    try:
        session.flush()  # this hook again, which leaves the rows held, then the changes
    finally:
        session.info.pop(_HOLDING, None)
    _write_held(session)


BEFORE_ASKED_FLUSH.append(_write_held_after_the_rest)


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading_the_log(state) -> None:
    """A query of the audit log sees the rows recorded so far, as any query sees the
    transaction's other changes: they are written before it runs (rare: pages read the log or
    record to it, and a page recording a view records it after reading)."""
    session = state.session
    if session.info.get(_HELD) and _reads_the_log(state.statement):
        _write_held(session)


def _walk_finds_the_log(statement) -> bool:
    return AuditEvent.__table__ in find_tables(statement, check_columns=True, include_crud=True)


def _reads_the_log(statement) -> bool:
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # a statement SQLAlchemy cannot cache: walked every time
        return _walk_finds_the_log(statement)
    reads = _READS_LOG.get(cache_key.key)
    if reads is None:
        if len(_READS_LOG) >= _READS_LOG_SHAPES:
            _READS_LOG.clear()
        reads = _READS_LOG[cache_key.key] = _walk_finds_the_log(statement)
    return reads


@event.listens_for(Session, "before_commit")
def _write_held_rows_last(session: Session) -> None:
    """Everything else first, then the audit rows: the chain is locked only for their INSERT
    and the COMMIT."""
    _write_held_after_the_rest(session)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back_rows(session: Session, previous_transaction) -> None:
    held = session.info.get(_HELD)
    if not held:
        return
    if not previous_transaction.nested:
        session.info.pop(_HELD, None)
        return
    session.info[_HELD] = [
        (row, savepoint) for row, savepoint in held if not _within(savepoint, previous_transaction)
    ]


@event.listens_for(Session, "after_transaction_end")
def _forget_rows_of_an_ended_transaction(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HELD, None)
