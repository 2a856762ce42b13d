"""A missed appointment is followed up when it was on or after the day the case was referred
(DOMAIN.md, Pathways), and that day is the London date, as appointments' dates are
(caseflow/dates.py): a referral at 23:30 UTC on 30 June was made on 1 July in London, so a
did-not-attend on 30 June came before it. The SQL the lists use gives the London date the pages
show, on PostgreSQL and on SQLite."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import DateTime, create_engine, literal, select

from caseflow.dates import in_london, london_date
from caseflow.extensions import db
from caseflow.pathways.dual_diagnosis import plans
from tests.factories import AppointmentFactory
from tests.pathways.dual_diagnosis.world import Story

# Moments either side of midnight in London, in winter and summer, and either side of the
# clocks changing (01:00 UTC on the last Sunday of March and of October).
MOMENTS = [
    datetime(2026, 1, 15, 23, 30, tzinfo=UTC),  # winter: London is UTC
    datetime(2026, 6, 30, 22, 59, tzinfo=UTC),  # summer: 23:59 in London
    datetime(2026, 6, 30, 23, 0, tzinfo=UTC),  # summer: midnight in London, 1 July
    datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # the night before the clocks go forward
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 23, 30, tzinfo=UTC),  # the first night of summer time
    datetime(2026, 10, 24, 23, 30, tzinfo=UTC),  # the last night of summer time
    datetime(2026, 10, 25, 23, 30, tzinfo=UTC),  # back on UTC
    datetime(2028, 2, 28, 23, 30, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda moment: moment.isoformat())
def test_the_sql_london_date_is_the_london_date_on_both_databases(moment):
    expected = in_london(moment).date()
    as_sql = select(london_date(literal(moment, DateTime(timezone=True))))
    assert db.session.scalar(as_sql) == expected
    sqlite = create_engine("sqlite://")
    with sqlite.connect() as connection:
        # SQLite keeps moments as UTC text without a zone, as Caseflow stores them there.
        naive = literal(moment.replace(tzinfo=None), DateTime())
        found = connection.scalar(select(london_date(naive)))
    assert str(found) == expected.isoformat()


def test_a_missed_appointment_is_counted_from_the_london_day_of_the_referral():
    story = Story()
    case = story.accepted()
    # Referred at 23:30 UTC on 30 June: 00:30 on 1 July in London.
    case.referred_at = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    before = AppointmentFactory(
        referral=story.referral, appointment_date=date(2026, 6, 30), outcome="did_not_attend"
    )
    on_the_day = AppointmentFactory(
        referral=story.referral, appointment_date=date(2026, 7, 1), outcome="did_not_attend"
    )
    db.session.flush()
    missed = {item.id for item in plans.missed_appointments(case)}
    assert on_the_day.id in missed
    assert before.id not in missed
