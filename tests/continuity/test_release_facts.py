"""The measure reads each release's kept facts (continuity.facts) and settled months' kept
counts (continuity.rollups); the facts must be what the records say, in the same transaction,
after every kind of change that decides a release's outcome (DOMAIN.md, "Rules that decide the
numbers"), and the national dashboard, every breakdown, the trend and each cell's case list
counted from what is kept must equal the same counted from the records."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, true, update

from caseflow.continuity import entries as cohort
from caseflow.continuity import facts, periods, rollups, rules, services
from caseflow.continuity.entries import Scope
from caseflow.extensions import db
from caseflow.people.models import Person
from caseflow.referrals.models import Appointment, Referral
from tests.continuity.cohort import BIRMINGHAM, COVENTRY, attended, manager_of, referral, release
from tests.continuity.test_rules_and_periods import add_settings
from tests.factories import provider_serving

QUARTER = periods.parse("2026-Q1")
# Some windows of the quarter still open, some closed: pending and not met both arise.
TODAY = date(2026, 4, 10)
DIMENSIONS = [name for name in services.DIMENSIONS if name != services.PATHWAY]


def kept() -> list[tuple]:
    rows = db.session.execute(select(facts.FACTS).order_by(facts.FACTS.c.episode_id)).all()
    return [tuple(row) for row in rows]


def from_records() -> list[tuple]:
    query = facts.facts_query(true()).subquery()
    return [tuple(row) for row in db.session.execute(select(query).order_by(query.c.episode_id))]


def _numbers(dashboard: services.Dashboard) -> tuple:
    def plain(figures):
        return (figures.met, figures.not_met, figures.pending, figures.excluded)

    measure = dashboard.measure
    return (
        plain(measure.figures),
        plain(measure.attended),
        measure.exclusions,
        {
            name: sorted((row.key or "", plain(row.figures)) for row in rows)
            for name, rows in dashboard.breakdowns.items()
        },
        [(month.code, plain(figures)) for month, figures in dashboard.trend],
    )


def assert_facts_are_the_records() -> None:
    db.session.flush()
    assert kept() == from_records()
    counted = [
        _numbers(
            services.dashboard(
                Scope.national(),
                QUARTER,
                dimensions=DIMENSIONS,
                trend_months=6,
                today=TODAY,
                from_records=source,
            )
        )
        for source in (False, True)
    ]
    assert counted[0] == counted[1]


def test_a_release_recorded_has_its_facts_and_one_not_released_has_none(app):
    episode = release(date(2026, 2, 2))
    unreleased = release(date(2026, 2, 3))
    unreleased.actual_release_date = None
    assert_facts_are_the_records()
    assert [row[0] for row in kept()] == [episode.id]


def test_the_facts_follow_each_correction_of_a_release(app):
    episode = release(date(2026, 2, 2))
    made = referral(episode, started=date(2026, 2, 10))
    assert_facts_are_the_records()
    episode.actual_release_date = date(2026, 2, 12)  # the start is now before release: none
    assert_facts_are_the_records()
    assert db.session.get(facts.ReleaseFacts, episode.id).treatment_start_date is None
    made.treatment_start_date = date(2026, 2, 20)  # the start corrected
    assert_facts_are_the_records()
    for change in (
        {"release_type": "deported"},
        {"destination_local_authority_code": COVENTRY},
        {"treatment_need": "none"},
        {"age_at_release": 17},
        {"removed_from_country_on": date(2026, 2, 14)},
    ):
        for name, value in change.items():
            setattr(episode, name, value)
        assert_facts_are_the_records()


def test_a_death_and_the_persons_breakdowns_reach_every_release_of_the_person(app):
    first = release(date(2026, 1, 5))
    second = release(date(2026, 3, 5), person=first.person)
    assert_facts_are_the_records()
    first.person.date_of_death = date(2026, 3, 9)
    first.person.ethnic_group = "white_irish"
    assert_facts_are_the_records()
    assert {db.session.get(facts.ReleaseFacts, e.id).date_of_death for e in (first, second)} == {
        date(2026, 3, 9)
    }


def test_referrals_sent_redirected_moved_and_deleted(app):
    episode = release(date(2026, 2, 2))
    other = release(date(2026, 2, 9))
    made = referral(episode)
    assert_facts_are_the_records()
    made.provider_id = provider_serving(BIRMINGHAM).id  # redirected
    assert_facts_are_the_records()
    made.status = "draft"  # a draft is with nobody: the provider credited goes
    assert_facts_are_the_records()
    made.status = "accepted"
    made.episode = other  # recorded against the wrong release, moved
    assert_facts_are_the_records()
    assert db.session.get(facts.ReleaseFacts, episode.id).provider_id is None
    db.session.execute(delete(Referral).where(Referral.id == made.id))
    assert_facts_are_the_records()
    assert db.session.get(facts.ReleaseFacts, other.id).provider_id is None


def test_appointments_attended_changed_in_bulk_and_deleted(app):
    episode = release(date(2026, 2, 2))
    made = referral(episode)
    booked = attended(made, date(2026, 2, 6), outcome="offered")
    assert_facts_are_the_records()
    # An ORM UPDATE statement changes rows without the session's objects: caught all the same.
    db.session.execute(
        update(Appointment)
        .where(Appointment.id == booked.id, Appointment.outcome == "offered")
        .values(outcome="attended")
        .execution_options(synchronize_session=False)
    )
    db.session.expire(booked)
    assert_facts_are_the_records()
    assert db.session.get(facts.ReleaseFacts, episode.id).first_attended_date == date(2026, 2, 6)
    booked.appointment_date = date(2026, 2, 1)  # before release: it does not count
    assert_facts_are_the_records()
    db.session.delete(booked)
    assert_facts_are_the_records()


def test_a_settings_change_needs_no_rewrite_the_outcome_is_decided_on_reading(app):
    episode = release(date(2026, 3, 2))
    referral(episode, started=date(2026, 3, 27))  # day 25
    assert_facts_are_the_records()
    before = services.headline(Scope.national(), QUARTER, today=TODAY).figures.met
    add_settings(date(2026, 3, 15), window_days=28)
    assert_facts_are_the_records()
    assert (before, services.headline(Scope.national(), QUARTER, today=TODAY).figures.met) == (0, 1)


def test_a_case_list_agrees_with_its_cell(app):
    manager = manager_of(BIRMINGHAM)
    met = release(date(2026, 2, 2))
    referral(met, started=date(2026, 2, 5))
    release(date(2026, 3, 30))  # pending on TODAY
    db.session.flush()
    found = services.breakdown_for(manager, QUARTER, "local_authority", today=TODAY)
    [row] = found.rows
    for outcome, count in (("met", row.figures.met), ("pending", row.figures.pending)):
        cases = services.case_list(
            manager,
            QUARTER,
            dimension="local_authority",
            value=row.key,
            outcome=outcome,
            today=TODAY,
        )
        assert cases.total == count == 1


def test_a_record_changed_outside_the_orm_is_found_and_mended_by_the_commands(app):
    episode = release(date(2026, 2, 2))
    release(date(2026, 2, 3))
    db.session.flush()
    db.session.execute(
        text("UPDATE custody_episodes SET release_type = 'deported' WHERE id = :id"),
        {"id": episode.id.hex if db.engine.dialect.name == "sqlite" else episode.id},
    )
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["continuity", "check-facts"])
    assert checked.exit_code == 1
    assert f"release {episode.id}" in checked.output and "1 release(s)" in checked.output
    rebuilt = runner.invoke(args=["continuity", "rebuild-facts"])
    assert rebuilt.exit_code == 0 and "2 release facts rows" in rebuilt.output
    assert kept() == from_records()
    assert runner.invoke(args=["continuity", "check-facts"]).exit_code == 0


# Generated: releases, and a run of changes of every kind, checked after each ---------------

CHANGES = (
    "release_date",
    "release_type",
    "destination",
    "unrelease",
    "removed",
    "died",
    "start",
    "start_cleared",
    "redirect",
    "move_referral",
    "attend",
    "attend_in_bulk",
    "appointment_gone",
    "settings",
)


def _apply(change: str, episode, others, offset: int) -> None:
    day = date(2026, 1, 1) + timedelta(days=offset)
    made = db.session.scalars(select(Referral).where(Referral.episode_id == episode.id)).first()
    if change == "release_date":
        episode.actual_release_date = day
    elif change == "release_type":
        episode.release_type = ("licence", "deported", "sentence_end")[offset % 3]
    elif change == "destination":
        episode.destination_local_authority_code = (BIRMINGHAM, COVENTRY, None)[offset % 3]
    elif change == "unrelease":
        episode.actual_release_date = None
    elif change == "removed":
        episode.removed_from_country_on = day
    elif change == "died":
        db.session.get(Person, episode.person_id).date_of_death = day
    elif change == "start":
        (made or referral(episode)).treatment_start_date = day
    elif change == "start_cleared" and made:
        made.treatment_start_date = None
    elif change == "redirect" and made:
        made.provider_id = provider_serving(COVENTRY).id
    elif change == "move_referral" and made:
        made.episode_id = others[offset % len(others)].id
    elif change == "attend":
        attended(made or referral(episode), day)
    elif change == "attend_in_bulk" and made:
        booked = attended(made, day, outcome="offered")
        db.session.flush()
        db.session.execute(
            update(Appointment).where(Appointment.id == booked.id).values(outcome="attended")
        )
    elif change == "appointment_gone" and made:
        for appointment in db.session.scalars(
            select(Appointment).where(Appointment.referral_id == made.id)
        ):
            db.session.delete(appointment)
    elif change == "settings" and day not in {v.effective_from for v in rules.versions()}:
        add_settings(day, window_days=14 + offset % 21)


@given(
    releases=st.lists(st.integers(0, 100), min_size=1, max_size=3),
    changes=st.lists(
        st.tuples(st.sampled_from(CHANGES), st.integers(0, 2), st.integers(-20, 110)),
        max_size=6,
    ),
)
def test_generated_changes_keep_the_facts_those_of_the_records(app, releases, changes):
    savepoint = db.session.begin_nested()
    try:
        episodes = [release(date(2026, 1, 1) + timedelta(days=days)) for days in releases]
        assert_facts_are_the_records()
        for change, which, offset in changes:
            _apply(change, episodes[which % len(episodes)], episodes, offset)
            # Settled months' kept counts made stale by the change: counted live...
            assert_facts_are_the_records()
            # ...and once the job has counted them again, read from the counts.
            rollups.roll(today=TODAY)
            assert_facts_are_the_records()
    finally:
        savepoint.rollback()
        db.session.expire_all()


def test_rows_decided_by_the_facts_are_those_decided_by_the_records(app):
    # Row by row, the columns a case list shows: the same from either source.
    met = release(date(2026, 2, 2))
    referral(met, started=date(2026, 2, 5))
    release(date(2026, 3, 1), release_type="deported")
    db.session.flush()
    settings = rules.settings_on(QUARTER.end)

    def rows(records: bool):
        found = cohort.entries(
            Scope.national(), QUARTER.start, QUARTER.end, settings, TODAY, from_records=records
        )
        return sorted(db.session.execute(select(found)).all(), key=lambda row: str(row[0]))

    assert rows(False) == rows(True)
    assert {row.outcome for row in rows(False)} == {"met", "excluded"}
