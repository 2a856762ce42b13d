"""The clock's two forms agree: for every day around a release, with and without a treatment
start, in every status and release type, the SQL form gives the state the Python form gives,
on the suite's database and on SQLite, and the lists' predicates pick the same rows."""

from datetime import date, timedelta
from itertools import product

import pytest
from sqlalchemy import Date, String, create_engine, literal, select

from caseflow.extensions import db
from caseflow.people.codes import ReleaseType
from caseflow.referrals.clock import (
    Clock,
    ClockState,
    breached_sql,
    clock_state_sql,
    running_sql,
)
from caseflow.referrals.codes import Status

TODAY = date(2026, 3, 31)  # across a month end and the clocks going forward (29 March)
RELEASES = [None, *(TODAY - timedelta(days=n) for n in (-5, 0, 1, 7, 20, 21, 22, 23, 60))]
START_DAYS = [None, 0, 5, 21, 22, 40]
RELEASE_TYPES = [None, ReleaseType.LICENCE, ReleaseType.DEPORTED, ReleaseType.OUTSIDE_ENGLAND]
STATUSES = list(Status)


def cases():
    for release, start_day, release_type, status in product(
        RELEASES, START_DAYS, RELEASE_TYPES, STATUSES
    ):
        start = None
        if start_day is not None:
            if release is None or release + timedelta(days=start_day) > TODAY:
                continue  # a start is never recorded before release or in the future
            start = release + timedelta(days=start_day)
        yield release, start, release_type, status


def python_answer(release, start, release_type, status):
    clock = Clock(
        release_date=release,
        today=TODAY,
        treatment_start=start,
        release_type=release_type,
        status=status,
    )
    return clock.state, clock.running, clock.breached


def sql_answers(connection, rows):
    """Each row's state, running and breached as the database works them out."""
    answers = []
    for release, start, release_type, status in rows:
        columns = (
            literal(release, Date),
            literal(start, Date),
            literal(release_type.value if release_type else None, String),
            literal(status.value, String),
        )
        released, started, kind, state = columns
        query = select(
            clock_state_sql(released, started, TODAY, release_type=kind, status=state),
            running_sql(released, started, TODAY, release_type=kind),
            breached_sql(released, started, TODAY, release_type=kind),
        )
        found, running, breached = connection.execute(query).one()
        answers.append((ClockState(found), bool(running), bool(breached)))
    return answers


def expected(rows):
    answers = []
    for release, start, release_type, status in rows:
        state = python_answer(release, start, release_type, status)[0]
        # The lists' predicates are about the release, not one referral: an ended referral's
        # release is still running or breached for the person.
        bare = Clock(
            release_date=release, today=TODAY, treatment_start=start, release_type=release_type
        )
        answers.append((state, bare.running, bare.breached))
    return answers


ROWS = list(cases())


def test_the_sql_clock_agrees_with_the_python_clock_on_the_suite_database(app):
    assert len(ROWS) > 300
    with app.app_context():
        assert sql_answers(db.session.connection(), ROWS) == expected(ROWS)


def test_the_sql_clock_agrees_with_the_python_clock_on_sqlite():
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        assert sql_answers(connection, ROWS) == expected(ROWS)


def test_the_table_reaches_every_state_a_release_can_be_in():
    reached = {python_answer(*row)[0] for row in ROWS}
    assert reached == set(ClockState) - {ClockState.COMMUNITY}


@pytest.mark.parametrize("community", [True, False])
def test_a_community_referral_has_no_release_clock_in_sql_too(app, community):
    with app.app_context():
        state = db.session.scalar(
            select(
                clock_state_sql(
                    literal(None, Date),
                    literal(None, Date),
                    TODAY,
                    status=literal(Status.SENT.value, String),
                    community=literal(community),
                )
            )
        )
    python = Clock(release_date=None, today=TODAY, status=Status.SENT, community=community)
    assert ClockState(state) == python.state
