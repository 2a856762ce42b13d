"""The chain's head is the last lock an audit write takes (caseflow.audit.chain, Lock order).

A flush that changes a release locks its episode row (caseflow.continuity.facts); a commit
writes the held audit rows after everything else, so a transaction normally takes episodes
first and the head last. If a flush the code asks for took the head first, two transactions
could each hold what the other waits for: one the head, waiting for an episode; the other the
episode, waiting for the head at its commit. PostgreSQL would then abort one of them.
"""

import threading
import time
from datetime import date

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from caseflow.audit import services as audit
from caseflow.extensions import db
from caseflow.people.models import CustodyEpisode
from tests.audit.chain_helpers import (
    CHAIN_LOCK,
    chain_held_by_another_transaction,
    statements_of,
)
from tests.factories import CustodyEpisodeFactory

pytestmark = pytest.mark.postgres


def _episode_lock(statements: list[str]) -> int:
    return next(
        i
        for i, s in enumerate(statements)
        if s.startswith("SELECT custody_episodes.id") and s.rstrip().endswith("FOR UPDATE")
    )


def _head_lock(statements: list[str]) -> int:
    return next(i for i, s in enumerate(statements) if s.startswith(CHAIN_LOCK))


@pytest.mark.parametrize("ending", ["flush", "commit"])
def test_a_release_s_episode_is_locked_before_the_chain_s_head(ending):
    episode = CustodyEpisodeFactory(actual_release_date=date(2026, 3, 2))
    db.session.commit()
    row = audit.record("update", entity_type="custody_episode", entity_id=episode.id)
    episode.actual_release_date = date(2026, 3, 3)

    statements = statements_of(getattr(db.session, ending))

    assert _episode_lock(statements) < _head_lock(statements)
    # The flush asked for still writes the held row, as its callers rely on (a subject access
    # export lists its own row): after the change, under the head taken last.
    assert row.id is not None
    assert [s.split()[0] for s in statements[_head_lock(statements) + 1 :]] == ["INSERT"]


def _waiting_for_a_lock(connection) -> bool:
    return bool(
        connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    )


def test_a_flush_waiting_for_a_release_s_episode_does_not_hold_the_chain(committed_app):
    """The deadlock's first half, between two real transactions: one holds a release's episode;
    another records a row, changes that release and flushes. It waits for the episode without
    the head, so every other audited commit, the first transaction's included, goes on."""
    app = committed_app
    with app.app_context():
        episode = CustodyEpisodeFactory(actual_release_date=date(2026, 3, 2))
        db.session.commit()
        episode_id = episode.id
        url = db.engine.url
    failures: list[BaseException] = []

    def record_change_and_flush():
        with app.app_context():
            try:
                changed = db.session.get(CustodyEpisode, episode_id)
                audit.record("update", entity_type="custody_episode", entity_id=episode_id)
                changed.actual_release_date = date(2026, 3, 3)
                db.session.flush()
            except BaseException as error:  # reported by the test's own thread below
                failures.append(error)
            finally:
                db.session.rollback()
                db.session.remove()

    holder_engine = create_engine(url, poolclass=NullPool)
    try:
        with holder_engine.connect() as holder:
            holder.execute(
                text("SELECT id FROM custody_episodes WHERE id = :id FOR UPDATE"),
                {"id": episode_id},
            )
            flusher = threading.Thread(target=record_change_and_flush)
            flusher.start()
            deadline = time.monotonic() + 10
            while not _waiting_for_a_lock(holder) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _waiting_for_a_lock(holder), "the flush never waited for the episode"
            with app.app_context():
                head_held = chain_held_by_another_transaction()
            holder.rollback()
        flusher.join(timeout=10)
    finally:
        holder_engine.dispose()
    assert not flusher.is_alive() and failures == []
    assert not head_held
