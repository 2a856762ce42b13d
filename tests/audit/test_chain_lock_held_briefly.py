"""The audit chain's lock is taken at commit, for the audit rows' INSERT only (issue 12).

Every audited request waits for the lock, so a request that recorded a row and then went on
querying (and rendering) must not hold it meanwhile: the row is held back from the flushes
queries make for themselves and written when the transaction commits, after everything else.
"""

import pytest
from sqlalchemy import exists, func, select

from caseflow.audit import chain
from caseflow.audit import services as audit
from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.people.models import Person
from tests.audit.chain_helpers import (
    CHAIN_LOCK,
    chain_held_by_another_transaction,
    statements_of,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.postgres


def _chain_locks_held() -> int:
    """1 while this transaction holds the chain (another cannot take it), else 0."""
    return int(chain_held_by_another_transaction())


def _audit_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_queries_after_recording_do_not_take_the_lock_and_the_commit_writes_the_row():
    person = PersonFactory()
    db.session.commit()
    before = _audit_rows()
    row = audit.record("view", entity_type="person", entity_id=person.id, person_id=person.id)
    # A page goes on reading after recording its view: each query flushes the session first.
    assert db.session.get(Person, person.id) is not None
    db.session.scalars(select(Person)).all()
    assert _chain_locks_held() == 0
    assert row.id is None  # not written yet
    db.session.commit()
    assert _audit_rows() == before + 1
    assert row.id is not None and row.chain_hash.startswith("v2.")


def test_a_query_of_the_log_sees_the_rows_recorded_so_far():
    before = _audit_rows()
    audit.record("view", entity_type="page", entity_id="recorded")
    assert _audit_rows() == before + 1
    assert db.session.scalars(
        select(AuditEvent.entity_id).order_by(AuditEvent.id.desc())
    ).first() == ("recorded")


def test_the_same_queries_asked_again_still_see_the_log_and_still_leave_other_rows_held():
    # Pages build the same statements request after request; each time, a query of the log,
    # even one reaching it only in a subquery, sees what was recorded, and a query of anything
    # else leaves the row held.
    person = PersonFactory()
    db.session.commit()
    for turn in ("first", "second", "third"):
        row = audit.record("view", entity_type="person", entity_id=turn, person_id=person.id)
        db.session.scalars(select(Person).where(Person.id == person.id)).all()
        assert row.id is None
        seen = db.session.scalars(
            select(Person.id).where(exists().where(AuditEvent.entity_id == turn))
        ).all()
        assert seen == [person.id]
        assert row.id is not None
        db.session.commit()


def test_the_commit_writes_other_changes_before_it_locks_the_chain(app):
    person = PersonFactory()
    db.session.commit()
    audit.record("view", entity_type="person", entity_id=person.id, person_id=person.id)
    person.phone = "0121 496 0000"
    statements = statements_of(db.session.commit)
    lock = next(i for i, s in enumerate(statements) if s.startswith(CHAIN_LOCK))
    update = next(i for i, s in enumerate(statements) if s.startswith("UPDATE people"))
    assert update < lock
    # The lock reads the chain's tail and draws the new ids; after it the audit INSERT, and
    # nothing else.
    assert [s.split()[0] for s in statements[lock + 1 :]] == ["INSERT"]
    assert "audit_events" in statements[-1]


def test_a_flush_asked_for_writes_held_rows_at_once():
    row = audit.record("view", entity_type="page", entity_id="asked")
    db.session.flush()
    assert row.id is not None
    assert _chain_locks_held() == 1


def test_rows_of_a_rolled_back_savepoint_are_dropped_and_the_others_kept():
    before = _audit_rows()
    audit.record("view", entity_type="page", entity_id="kept")
    try:
        with db.session.begin_nested():
            audit.record("view", entity_type="page", entity_id="undone")
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    audit.record("view", entity_type="page", entity_id="also kept")
    db.session.commit()
    written = db.session.scalars(
        select(AuditEvent.entity_id).order_by(AuditEvent.id).offset(before)
    ).all()
    assert written == ["kept", "also kept"]


def test_rows_of_a_rolled_back_transaction_are_never_written():
    before = _audit_rows()
    audit.record("view", entity_type="page", entity_id="undone")
    db.session.rollback()
    db.session.commit()
    assert _audit_rows() == before


def test_the_rows_of_one_commit_are_one_lock_and_one_insert_and_stay_out_of_the_session():
    first = audit.record("view", entity_type="page", entity_id="one")
    second = audit.record("view", entity_type="page", entity_id="two")
    statements = statements_of(db.session.commit)
    assert [s.split()[0] for s in statements] == ["UPDATE", "INSERT"]
    assert statements[0].startswith(CHAIN_LOCK)
    # Written as recorded, in order, each sealed after the one before: the objects carry what
    # was written, and the session never tracked them.
    assert first.id + 1 == second.id
    assert first not in db.session and second not in db.session
    stored = db.session.execute(
        select(AuditEvent.id, AuditEvent.chain_hash).where(AuditEvent.id >= first.id)
    ).all()
    assert stored == [(first.id, first.chain_hash), (second.id, second.chain_hash)]


def test_a_row_added_to_the_session_itself_is_sealed_into_the_chain_too():
    written = audit.record("view", entity_type="page", entity_id="recorded")
    db.session.commit()
    added = AuditEvent(action="view", entity_type="page", entity_id="added", outcome="success")
    db.session.add(added)
    db.session.commit()
    assert added.id > written.id and added.chain_hash.startswith("v2.")
    assert chain.verify(db.session).intact


def test_a_change_is_never_kept_without_its_rows_after_a_failed_audit_write(app, monkeypatch):
    # SECURITY.md: if the audit write fails, nothing is saved. A caller that commits again in
    # the same transaction (a batch job, a retry) must save the change with its row, not alone.
    real_key = chain.chain_key
    failures = iter([True])

    def fails_once():
        if next(failures, False):
            raise chain.ChainKeyMissing("no key this once")
        return real_key()

    monkeypatch.setattr(chain, "chain_key", fails_once)
    person = PersonFactory()
    audit.record("create", entity_type="person", entity_id=person.id, person_id=person.id)
    with pytest.raises(chain.ChainKeyMissing):
        db.session.commit()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Person, person.id) is not None
    written = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.person_id == person.id)
    ).all()
    assert written == ["create"]
    assert chain.verify(db.session).intact
