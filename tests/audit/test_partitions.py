"""The audit log partitioned by month on PostgreSQL (migration 0020): rows land in their month's
partition, the chain and `flask audit verify` run across partitions, every partition refuses
change like the log, and the scheduled job makes a month's partition ahead of time, once."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from caseflow.audit import partitions
from caseflow.audit import services as audit
from caseflow.dates import local_today
from caseflow.extensions import db

pytestmark = pytest.mark.postgres


def first_of_month(months_later: int) -> date:
    return partitions._first_of_month(local_today(), months_later)


def write_row_at(app, when: datetime) -> int:
    with app.app_context():
        event = audit.record("view", entity_type="page", entity_id="partitioned")
        event.occurred_at = when
        db.session.commit()
        return event.id


def partition_of(row_id: int) -> str:
    return db.session.scalar(
        text("SELECT tableoid::regclass::text FROM audit_events WHERE id = :id"), {"id": row_id}
    )


def test_rows_go_to_their_months_partition_and_verify_reads_across_them(committed_app):
    app = committed_app
    this_month = first_of_month(0)
    next_month = first_of_month(1)
    long_ago = datetime(2019, 3, 14, 9, 30, tzinfo=UTC)
    ids = [
        write_row_at(app, datetime(this_month.year, this_month.month, 2, 8, 0, tzinfo=UTC)),
        write_row_at(app, datetime(next_month.year, next_month.month, 1, 0, 0, tzinfo=UTC)),
        write_row_at(app, long_ago),
    ]
    with app.app_context():
        assert [partition_of(row_id) for row_id in ids] == [
            f"audit_partitions.audit_events_{this_month:%Y_%m}",
            f"audit_partitions.audit_events_{next_month:%Y_%m}",
            "audit_partitions.audit_events_default",
        ]
        counts = partitions.partition_rows()
        assert counts[f"audit_events_{this_month:%Y_%m}"] == 1
        assert counts["audit_events_default"] == 1
    # Ids stay in chain order across partitions, so the chain verifies as one.
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit chain intact: 3 rows" in result.output


def test_every_partition_refuses_change_and_truncation(committed_app):
    app = committed_app
    this_month = first_of_month(0)
    write_row_at(app, datetime(this_month.year, this_month.month, 2, tzinfo=UTC))
    write_row_at(app, datetime(2019, 3, 14, tzinfo=UTC))  # to the default partition
    names = [f"audit_events_{this_month:%Y_%m}", "audit_events_default"]
    statements = [
        "UPDATE audit_partitions.{name} SET action = action",
        "DELETE FROM audit_partitions.{name}",
        "TRUNCATE audit_partitions.{name}",
    ]
    with app.app_context():
        for name in names:
            for statement in statements:
                refused = pytest.raises(DBAPIError, match="audit_events is append-only")
                with refused, db.session.begin_nested():
                    db.session.execute(text(statement.format(name=name)))
        assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == 2


def test_the_job_makes_this_and_next_months_partition_once(committed_app):
    with committed_app.app_context():
        # Far enough ahead that the migration made neither month.
        today = date(local_today().year + 3, 12, 20)
        made = partitions.make_ahead(today=today)
        db.session.commit()
        assert made == [f"audit_events_{today.year}_12", f"audit_events_{today.year + 1}_01"]
        assert partitions.make_ahead(today=today) == []
        january = datetime(today.year + 1, 1, 31, 23, 59, tzinfo=UTC)
    row_id = write_row_at(committed_app, january)
    with committed_app.app_context():
        assert partition_of(row_id) == f"audit_partitions.audit_events_{today.year + 1}_01"


def test_the_partitions_are_named_in_their_own_schema_not_public(committed_app):
    with committed_app.app_context():
        public = db.session.scalars(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'public.audit_events'::regclass "
                "AND c.relnamespace = 'public'::regnamespace"
            )
        ).all()
        assert public == []
