"""The rough sleeping worklists, sorted, filtered and paged in SQL (``caseflow.kept_pages``).

- Released without a home: people released with no fixed abode or sleeping rough (the housing
  status: the pathway's latest accommodation, else what the prison expected), each with the
  release's 21-day treatment clock beside it, fewest days left first.
- Accommodation outcomes due: the 3-week and the 3-month outcome of each live case the viewer's
  organisation works (opened it, or is its outreach team), due now or within a week.

An outreach team lands on the first; a keyworker has both as tabs after the release lists.
Each list's statement is built once for its dates and everyone with the viewer's
``scope_key``, and run again.
"""

import importlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from caseflow import worklist_tabs
from caseflow.audit.services import record
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.kept_pages import kept_page
from caseflow.paging import Page
from caseflow.pathways.rough_sleeping.codes import LIVE_STATUSES, WITHOUT_A_HOME, Status
from caseflow.pathways.rough_sleeping.dues import THREE_MONTHS, due_dates, months_after
from caseflow.pathways.rough_sleeping.models import RoughSleepingCase, housing_status_sql
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.clock import Clock, ClockState, clock_state_sql
from caseflow.referrals.models import Referral
from caseflow.security.access import Role
from caseflow.security.scope import caseload_people, scope_key

PAGE_SIZE = 25
SOON = timedelta(days=7)
# A release with no case yet stays on the list this long: after it, it is no longer news.
RECENT_RELEASE = timedelta(days=92)

ROLES = (Role.OUTREACH, Role.KEYWORKER)


def first_start_sql(episode_id_column):
    """The release's first treatment start on any referral (the clock belongs to the release)."""
    return (
        select(func.min(Referral.treatment_start_date))
        .where(Referral.episode_id == episode_id_column)
        .scalar_subquery()
    )


def _live_case(episode_id_column):
    return (
        select(RoughSleepingCase.id)
        .where(
            RoughSleepingCase.episode_id == episode_id_column,
            RoughSleepingCase.status.in_(LIVE_STATUSES),
        )
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class HousingRow:
    episode: CustodyEpisode
    housing_status: str
    case: RoughSleepingCase | None
    clock: object  # ClockSummary

    @property
    def person(self):
        return self.episode.person


def without_a_home(user, *, page: int = 1, today: date | None = None) -> Page:
    today = today or local_today()
    result = kept_page(
        ("rough sleeping: released without a home", today, scope_key(user)),
        lambda: _without_a_home(user, today),
        page,
        size=PAGE_SIZE,
        generic_plan=True,
    )
    cases = _cases([row[2] for row in result.rows if row[2] is not None])
    starts = _starts([row[0].id for row in result.rows])
    return result.map(
        lambda row: HousingRow(
            episode=row[0],
            housing_status=row[1],
            case=cases.get(row[2]),
            clock=Clock(
                release_date=row[0].actual_release_date,
                today=today,
                treatment_start=starts.get(row[0].id),
                release_type=row[0].release_type,
            ).summary(),
        )
    )


def _without_a_home(user, today: date):
    released = CustodyEpisode.actual_release_date
    status = housing_status_sql(CustodyEpisode.id, CustodyEpisode.accommodation_on_release)
    live_case = _live_case(CustodyEpisode.id)
    any_case = select(RoughSleepingCase.id).where(RoughSleepingCase.episode_id == CustodyEpisode.id)
    clock = clock_state_sql(
        released,
        first_start_sql(CustodyEpisode.id),
        today,
        release_type=CustodyEpisode.release_type,
    )
    return (
        select(CustodyEpisode, status, live_case)
        .join(CustodyEpisode.person)
        .options(contains_eager(CustodyEpisode.person))
        .where(
            caseload_people(user),
            released.is_not(None),
            released <= today,
            status.in_(WITHOUT_A_HOME),
            # Someone whose case was closed is off the list; so is an old release never opened.
            or_(
                live_case.is_not(None),
                ~any_case.exists() & (released >= today - RECENT_RELEASE),
            ),
        )
        # Fewest days left first: running clocks by release date, then clocks run out, then
        # the rest (started, or no community clock).
        .order_by(
            case(
                (clock == ClockState.RUNNING.value, 0),
                (clock == ClockState.NOT_STARTED.value, 1),
                else_=2,
            ),
            released,
            CustodyEpisode.id,
        )
    )


def _cases(ids) -> dict:
    if not ids:
        return {}
    found = db.session.scalars(
        select(RoughSleepingCase)
        .options(joinedload(RoughSleepingCase.outreach_team))
        .where(RoughSleepingCase.id.in_(ids))
    )
    return {found_case.id: found_case for found_case in found}


def _starts(episode_ids) -> dict:
    if not episode_ids:
        return {}
    rows = db.session.execute(
        select(Referral.episode_id, func.min(Referral.treatment_start_date))
        .where(Referral.episode_id.in_(episode_ids))
        .group_by(Referral.episode_id)
    )
    return dict(rows.all())


# Outcomes due ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    case: RoughSleepingCase
    due: date
    housing_status: str

    @property
    def person(self):
        return self.case.person


def latest_release_due_by(day: date) -> date:
    """The latest release date whose 3-month outcome is due on or before ``day`` (a shorter
    month moves several release dates to its last day, so this is counted, not subtracted)."""
    candidate = months_after(day, -THREE_MONTHS)
    while months_after(candidate + timedelta(days=1), THREE_MONTHS) <= day:
        candidate += timedelta(days=1)
    return candidate


def _works_on(user):
    return or_(
        RoughSleepingCase.opening_organisation_id == user.organisation_id,
        RoughSleepingCase.outreach_team_id == user.organisation_id,
    )


def _outcomes(user, statuses, released_by: date, page: int, which: str) -> Page:
    result = kept_page(
        ("rough sleeping: outcomes due", which, released_by, scope_key(user)),
        lambda: _outcomes_due(user, statuses, released_by),
        page,
        size=PAGE_SIZE,
        generic_plan=True,
    )
    return result.map(
        lambda row: OutcomeRow(
            case=row[0],
            due=getattr(due_dates(row[0].episode.actual_release_date), which),
            housing_status=row[1],
        )
    )


def _outcomes_due(user, statuses, released_by: date):
    status = housing_status_sql(CustodyEpisode.id, CustodyEpisode.accommodation_on_release)
    return (
        select(RoughSleepingCase, status)
        .join(RoughSleepingCase.episode)
        .join(RoughSleepingCase.person)
        .options(
            contains_eager(RoughSleepingCase.episode),
            contains_eager(RoughSleepingCase.person),
            joinedload(RoughSleepingCase.outreach_team),
        )
        .where(
            caseload_people(user),
            _works_on(user),
            RoughSleepingCase.status.in_(statuses),
            CustodyEpisode.actual_release_date <= released_by,
        )
        .order_by(CustodyEpisode.actual_release_date, RoughSleepingCase.id)
    )


def three_week_outcomes_due(user, *, page: int = 1, today: date | None = None) -> Page:
    soon = (today or local_today()) + SOON
    statuses = (Status.OPEN, Status.TEAM_ASSIGNED, Status.REFERRED, Status.RESPONDED)
    return _outcomes(user, statuses, soon - timedelta(weeks=3), page, "three_weeks")


def three_month_outcomes_due(user, *, page: int = 1, today: date | None = None) -> Page:
    soon = (today or local_today()) + SOON
    return _outcomes(user, (Status.THREE_WEEKS,), latest_release_due_by(soon), page, "three_months")


def audit_list(actor, name: str, *pages: Page) -> None:
    record(
        "list",
        actor=actor,
        entity_type="worklist",
        entity_id=name,
        purpose="caseload",
        detail={
            "people": len({row.person.id for shown in pages for row in shown.rows}),
            "page": pages[0].page if pages else 1,
        },
    )


# The release lists are a keyworker's first tabs (their home is "Incoming referrals"), whichever
# module is imported first (a test may import this one before the app is made).
importlib.import_module("caseflow.referrals.worklists")
worklist_tabs.worklist("rough_sleeping.worklist", "Released without a home", ROLES)
worklist_tabs.worklist("rough_sleeping.outcomes", "Accommodation outcomes due", ROLES)
