"""The release facts the measure reads: one row per release (``ReleaseFacts``), kept up to date
in the transaction of every change that alters it.

The continuity measure counts every release of a period, each decided by its episode, its
person, its referrals and its appointments. Reading those four tables (two of them the largest
in the database) on every dashboard request made its time grow with the whole history of
referrals and appointments; a facts row holds what the rules need of all four, so the measure
reads one narrow table by release date (``continuity.entries``).

What a row holds is the records' own values and what follows from them whatever the settings
and whatever the day: the first treatment start on or after the release date, the provider
credited, the first attended appointment. Outcomes are not stored: the window, the mappings and
"today" (a window still open) are applied when the measure is read, so a settings change or a
day passing rewrites nothing.

How it is kept: ``facts_query`` is the one definition of a row from the records. A hook on every
session (``after_flush``) sees each flushed change to the columns a row is made from: an episode
recorded, released or corrected (release date, type, destination, age, need, prison, substance,
removal from the country), a person's sex, ethnic group or date of death, a referral made, sent,
redirected, started, its start corrected or deleted, an appointment booked, attended or
corrected. It rewrites the rows of the releases concerned from ``facts_query`` before the
transaction goes on, so no service has to remember to. ORM ``update()`` and ``delete()``
statements on those tables (which change rows without the session's objects) are caught the same
way (``do_orm_execute``): the releases they touch are found from their WHERE clause and
rewritten after them. A plain SQL statement on those tables, outside the ORM, is not seen: the
bulk loaders call ``rebuild`` after loading.

Two transactions changing the same release at once (a treatment start and an attendance, say)
would each compute the row from its own snapshot, and the later write would lose the earlier
change. So the rewrite first locks the releases' episode rows (``FOR UPDATE``, in id order) on
PostgreSQL: the second waits for the first to commit, and its rewrite, a new statement under READ
COMMITTED, then reads the first one's change too.

``rebuild(connection)`` writes every row from the records: migration 0021 runs it for existing
data, and ``flask continuity rebuild-facts`` runs it after a bulk load.

Each rewrite also marks the months of the releases rewritten (as they were and as they are) as
stale: their kept counts (``continuity.rollups``) are not used until counted again.
"""

import uuid
from collections.abc import Iterable
from itertools import chain

from sqlalchemy import (
    Uuid,
    and_,
    delete,
    event,
    except_,
    func,
    insert,
    inspect,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from caseflow.continuity.models import MonthCounts, ReleaseFacts, StaleMonth
from caseflow.people.models import CustodyEpisode, Person
from caseflow.referrals.codes import AppointmentOutcome, Status
from caseflow.referrals.models import Appointment, Referral

FACTS = ReleaseFacts.__table__

# The columns of each record a facts row is made from: a change to another column (a name, a
# note, an address) leaves the facts as they were.
EPISODE_COLUMNS = (
    "person_id",
    "prison_id",
    "actual_release_date",
    "release_type",
    "age_at_release",
    "destination_local_authority_code",
    "treatment_need",
    "substance_group",
    "removed_from_country_on",
)
PERSON_COLUMNS = ("sex", "ethnic_group", "date_of_death")
REFERRAL_COLUMNS = ("episode_id", "provider_id", "status", "treatment_start_date", "created_at")
APPOINTMENT_COLUMNS = ("referral_id", "outcome", "appointment_date")
# Facts columns copied from the episode under the same name.
COPIED = (
    "person_id",
    "age_at_release",
    "treatment_need",
    "release_type",
    "removed_from_country_on",
    "destination_local_authority_code",
    "prison_id",
    "substance_group",
)


def _bare(column, name: str):
    """A column as a plain value of its type: a subquery copies a column's foreign keys with
    it, and SQLAlchemy registers each copy, milliseconds a column."""
    return type_coerce(column, column.type).label(name)


def facts_query(condition):
    """The facts rows of the released episodes meeting ``condition`` (on CustodyEpisode), from
    the records: the one definition of a row. Its columns are FACTS's, in its order."""
    released = (
        select(
            _bare(CustodyEpisode.id, "episode_id"),
            _bare(CustodyEpisode.actual_release_date, "release_date"),
            *(_bare(getattr(CustodyEpisode, name), name) for name in COPIED),
        )
        .where(CustodyEpisode.actual_release_date.is_not(None), condition)
        .cte()
    )
    # The first treatment start from release day on, and the referral that made it.
    starts = (
        select(
            _bare(Referral.episode_id, "episode_id"),
            _bare(Referral.treatment_start_date, "treatment_start_date"),
            _bare(Referral.provider_id, "provider_id"),
            func.row_number()
            .over(
                partition_by=Referral.episode_id,
                order_by=(Referral.treatment_start_date, Referral.created_at),
            )
            .label("n"),
        )
        .join(released, released.c.episode_id == Referral.episode_id)
        .where(Referral.treatment_start_date >= released.c.release_date)
        .subquery("starts")
    )
    # The referral the release is with now: its latest one sent.
    latest = (
        select(
            _bare(Referral.episode_id, "episode_id"),
            _bare(Referral.provider_id, "provider_id"),
            func.row_number()
            .over(
                partition_by=Referral.episode_id,
                order_by=(Referral.created_at.desc(), Referral.id),
            )
            .label("n"),
        )
        .join(released, released.c.episode_id == Referral.episode_id)
        .where(Referral.status != Status.DRAFT)
        .subquery("latest")
    )
    attendances = (
        select(
            _bare(Referral.episode_id, "episode_id"),
            func.min(Appointment.appointment_date).label("first_attended"),
        )
        .join(Appointment, Appointment.referral_id == Referral.id)
        .join(released, released.c.episode_id == Referral.episode_id)
        .where(
            Appointment.outcome == AppointmentOutcome.ATTENDED,
            Appointment.appointment_date >= released.c.release_date,
        )
        .group_by(Referral.episode_id)
        .subquery("attendances")
    )
    episode = released.c
    values = {
        "episode_id": episode.episode_id,
        "release_date": episode.release_date,
        **{name: episode[name] for name in COPIED},
        "sex": Person.sex,
        "ethnic_group": Person.ethnic_group,
        "date_of_death": Person.date_of_death,
        "treatment_start_date": starts.c.treatment_start_date,
        "provider_id": func.coalesce(starts.c.provider_id, latest.c.provider_id, type_=Uuid),
        "first_attended_date": attendances.c.first_attended,
    }
    return (
        select(*(values[column.name].label(column.name) for column in FACTS.columns))
        .select_from(released)
        .join(Person, Person.id == episode.person_id)
        .outerjoin(starts, and_(starts.c.episode_id == episode.episode_id, starts.c.n <= 1))
        .outerjoin(latest, and_(latest.c.episode_id == episode.episode_id, latest.c.n <= 1))
        .outerjoin(attendances, attendances.c.episode_id == episode.episode_id)
    )


def _upsert(connection, condition) -> None:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(FACTS).from_select(
        [column.name for column in FACTS.columns], facts_query(condition)
    )
    statement = statement.on_conflict_do_update(
        index_elements=[FACTS.c.episode_id],
        set_={
            column.name: statement.excluded[column.name]
            for column in FACTS.columns
            if column.name != "episode_id"
        },
    )
    connection.execute(statement)


def month_of(dialect_name: str, day):
    """A date's month as text, "2026-03", in SQL."""
    if dialect_name == "sqlite":
        return func.strftime("%Y-%m", day)
    return func.to_char(day, "YYYY-MM")


def _mark_stale(connection, ids: list) -> None:
    """The months of these releases' facts rows are to be counted again: one new row each, so
    no writer waits on another's (``continuity.rollups``)."""
    months = (
        select(month_of(connection.dialect.name, FACTS.c.release_date))
        .where(FACTS.c.episode_id.in_(ids))
        .distinct()
    )
    connection.execute(insert(StaleMonth.__table__).from_select(["month"], months))


def refresh(connection, episode_ids: Iterable[uuid.UUID]) -> None:
    """Rewrite the facts rows of these episodes from the records: written for the released
    ones, removed for the others (not released, or no longer there)."""
    ids = sorted(set(episode_ids))
    if not ids:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(CustodyEpisode.id)
            .where(CustodyEpisode.id.in_(ids))
            .order_by(CustodyEpisode.id)
            .with_for_update()
        )
    _mark_stale(connection, ids)  # the months the releases were in
    _upsert(connection, CustodyEpisode.id.in_(ids))
    _mark_stale(connection, ids)  # and the months they are in now
    released = select(CustodyEpisode.id).where(
        CustodyEpisode.id.in_(ids), CustodyEpisode.actual_release_date.is_not(None)
    )
    connection.execute(
        delete(FACTS).where(FACTS.c.episode_id.in_(ids), FACTS.c.episode_id.not_in(released))
    )


def rebuild(connection) -> int:
    """Every facts row from the records (after a bulk load, or to repair): the rows of
    episodes no longer released go. Returns the number of rows."""
    # NOT EXISTS, not NOT IN: nationally the released episodes are too many for PostgreSQL to
    # hash, and NOT IN then scans them once per facts row.
    released = (
        select(CustodyEpisode.id)
        .where(
            CustodyEpisode.id == FACTS.c.episode_id,
            CustodyEpisode.actual_release_date.is_not(None),
        )
        .exists()
    )
    connection.execute(delete(FACTS).where(~released))
    _upsert(connection, CustodyEpisode.actual_release_date.is_not(None))
    # Every month's kept counts may now be wrong: they are counted again from the facts.
    connection.execute(delete(MonthCounts.__table__))
    return connection.scalar(select(func.count()).select_from(FACTS))


# The hook: which releases a flush or a bulk statement changes ---------------------------------


def _changed(obj, columns) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in columns)


def _values(obj, name: str) -> set:
    """The attribute's value now and before the flush (a referral moved to another release
    changes both)."""
    history = inspect(obj).attrs[name].history
    return {value for value in chain(history.added, history.unchanged, history.deleted)} - {None}


# For each kind of record: the columns a facts row is made from, whether a new or deleted one
# matters, the set its key goes in (episodes, people or referrals) and the attribute holding it.
_FLUSHED = (
    (CustodyEpisode, EPISODE_COLUMNS, True, 0, "id"),
    (Person, PERSON_COLUMNS, False, 1, "id"),  # a new person has no release yet
    (Referral, REFERRAL_COLUMNS, True, 0, "episode_id"),
    (Appointment, APPOINTMENT_COLUMNS, True, 2, "referral_id"),
)


def _touched(session: Session) -> tuple[set, set, set]:
    """(episode ids, person ids, referral ids) whose facts the pending flush changes."""
    found: tuple[set, set, set] = (set(), set(), set())
    for obj in chain(session.new, session.dirty, session.deleted):
        for entity, columns, when_created_or_gone, into, key in _FLUSHED:
            if not isinstance(obj, entity):
                continue
            created_or_gone = obj in session.new or obj in session.deleted
            if (created_or_gone and when_created_or_gone) or (
                not created_or_gone and _changed(obj, columns)
            ):
                found[into].update(_values(obj, key))
    return found


def _episodes_of(connection, people: set, referrals: set) -> set:
    found: set = set()
    if people:
        found |= set(
            connection.scalars(
                select(CustodyEpisode.id).where(CustodyEpisode.person_id.in_(sorted(people)))
            )
        )
    if referrals:
        found |= set(
            connection.scalars(
                select(Referral.episode_id).where(
                    Referral.id.in_(sorted(referrals)), Referral.episode_id.is_not(None)
                )
            )
        )
    return found


@event.listens_for(Session, "after_flush")
def _rewrite_changed_facts(session: Session, _context) -> None:
    episodes, people, referrals = _touched(session)
    if not (episodes or people or referrals):
        return
    connection = session.connection()
    refresh(connection, episodes | _episodes_of(connection, people, referrals))


# For an ORM update() or delete(): the releases its rows belong to, from its WHERE clause.
_BULK = {
    CustodyEpisode: (EPISODE_COLUMNS, lambda where: select(CustodyEpisode.id).where(where)),
    Person: (
        PERSON_COLUMNS,
        lambda where: (
            select(CustodyEpisode.id)
            .join(Person, Person.id == CustodyEpisode.person_id)
            .where(where)
        ),
    ),
    Referral: (
        REFERRAL_COLUMNS,
        lambda where: select(Referral.episode_id).where(where, Referral.episode_id.is_not(None)),
    ),
    Appointment: (
        APPOINTMENT_COLUMNS,
        lambda where: (
            select(Referral.episode_id)
            .join(Appointment, Appointment.referral_id == Referral.id)
            .where(where, Referral.episode_id.is_not(None))
        ),
    ),
}


def _sets_only_other_columns(statement, columns) -> bool:
    """An UPDATE whose SET names none of the columns facts are made from (unknown: False)."""
    values = getattr(statement, "_values", None)
    if not values:
        return False
    names = {getattr(key, "key", key) for key in values}
    return all(isinstance(name, str) for name in names) and not names & set(columns)


@event.listens_for(Session, "do_orm_execute")
def _rewrite_facts_of_bulk_changes(state):
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    entity = state.bind_mapper.class_
    if entity not in _BULK:
        return None
    columns, releases_of = _BULK[entity]
    if state.is_update and _sets_only_other_columns(state.statement, columns):
        return None
    where = state.statement.whereclause
    if where is None:
        where = true()  # every row of the table
    connection = state.session.connection()
    before = set(connection.scalars(releases_of(where)))
    result = state.invoke_statement()
    after = set() if state.is_delete else set(connection.scalars(releases_of(where)))
    refresh(connection, before | after)
    return result


def differences(connection) -> list[uuid.UUID]:
    """The releases whose kept facts row is not what their records make (or is missing, or
    has no release behind it): none, unless a record was changed outside the application."""
    records = facts_query(true())
    kept = select(*FACTS.columns)
    wrong: set = set()
    # Each way round in its own statement: SQLite cannot put an EXCEPT inside a UNION.
    for one, other in ((records, kept), (kept, records)):
        rows = except_(one, other).subquery()
        wrong.update(connection.scalars(select(rows.c.episode_id)))
    return sorted(wrong, key=str)
