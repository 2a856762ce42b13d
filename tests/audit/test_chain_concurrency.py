"""Two writers at once still give one chain, without forks (the chain head's row lock)."""

import threading
import time

import pytest
from sqlalchemy import text

from caseflow.audit import chain
from caseflow.audit import services as audit
from caseflow.extensions import db
from tests.audit.chain_helpers import stored_rows


def _someone_waits_on_a_lock(app) -> bool:
    with app.app_context(), db.engine.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
        )


def _previous_hashes(app) -> tuple[list, list]:
    """Each row's previous hash, found by trying every hash in the log (and the empty start)."""
    with app.app_context():
        rows = stored_rows()
        key = app.config["AUDIT_CHAIN_KEY"]
        candidates = ["", *(row["chain_hash"] for row in rows)]
        return rows, [chain.previous_hash_of(key, row, candidates) for row in rows]


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


@pytest.mark.postgres
def test_a_second_writer_waits_for_the_first_and_follows_its_last_row(committed_app):
    app = committed_app
    with app.app_context():
        audit.record("view", entity_type="page", entity_id="before")
        db.session.commit()

    first_flushed = threading.Event()
    release_first = threading.Event()
    errors: list[BaseException] = []

    def write(name: str, *, hold: bool) -> None:
        try:
            with app.app_context():
                audit.record("view", entity_type="page", entity_id=f"{name} 1")
                audit.record("view", entity_type="page", entity_id=f"{name} 2")
                db.session.flush()
                if hold:
                    first_flushed.set()
                    release_first.wait(10)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            first_flushed.set()

    first = threading.Thread(target=write, args=("first",), kwargs={"hold": True})
    second = threading.Thread(target=write, args=("second",), kwargs={"hold": False})
    first.start()
    assert first_flushed.wait(10)
    second.start()
    deadline = time.monotonic() + 5
    while second.is_alive() and not _someone_waits_on_a_lock(app):
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)
    release_first.set()
    first.join(10)
    second.join(10)
    assert not errors, errors

    rows, previous = _previous_hashes(app)
    assert [row["entity_id"] for row in rows] == [
        "before",
        "first 1",
        "first 2",
        "second 1",
        "second 2",
    ]
    assert None not in previous
    assert len(set(previous)) == len(previous), "two rows follow the same hash: the chain forked"
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Audit chain intact: 5 rows"


@pytest.mark.postgres
def test_many_writers_at_once_leave_one_chain(committed_app):
    app = committed_app
    writers, transactions, rows_each = 4, 10, 3
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            with app.app_context():
                start.wait(10)
                for transaction in range(transactions):
                    for row in range(rows_each):
                        audit.record(
                            "view",
                            entity_type="page",
                            entity_id=f"writer {number} transaction {transaction} row {row}",
                        )
                        db.session.flush()
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors

    rows, previous = _previous_hashes(app)
    assert len(rows) == writers * transactions * rows_each
    assert None not in previous
    assert len(set(previous)) == len(previous), "two rows follow the same hash: the chain forked"
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Audit chain intact: {len(rows)} rows"
