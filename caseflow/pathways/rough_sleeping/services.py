"""The rough sleeping pathway's operations: opening a case for a release, its lifecycle, the
accommodation history and same-day prescribing. Each checks scope, changes, and audits."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from caseflow import lifecycle
from caseflow.audit.services import record, record_denial
from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.made_once import add_once, made_with
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.pathways.rough_sleeping import scoping
from caseflow.pathways.rough_sleeping.codes import LIVE_STATUSES, EventKind, Status
from caseflow.pathways.rough_sleeping.dues import Dues, due_dates
from caseflow.pathways.rough_sleeping.models import (
    AccommodationEntry,
    RoughSleepingCase,
    RoughSleepingEvent,
)
from caseflow.pathways.rough_sleeping.transitions import (
    RECORD_TYPE,
    ROUGH_SLEEPING_LIFECYCLE,
    sides_of,
)
from caseflow.people import services as people
from caseflow.people.codes import Accommodation
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.clock import Clock, ClockSummary
from caseflow.referrals.models import Referral
from caseflow.security.access import role_may
from caseflow.security.scope import holds_grant, seen_without_grant

# Finding cases -----------------------------------------------------------------------------


def find_visible_case(actor, case_id: uuid.UUID) -> RoughSleepingCase:
    """The case, if actor may see its person. Otherwise NotFound and an audited denial."""
    found = db.session.execute(
        select(RoughSleepingCase, holds_grant(actor, RoughSleepingCase.person_id))
        .options(
            joinedload(RoughSleepingCase.person),
            joinedload(RoughSleepingCase.episode),
            joinedload(RoughSleepingCase.outreach_team),
            joinedload(RoughSleepingCase.housing_authority),
            selectinload(RoughSleepingCase.events).joinedload(RoughSleepingEvent.actor),
            selectinload(RoughSleepingCase.events).joinedload(RoughSleepingEvent.organisation),
            selectinload(RoughSleepingCase.accommodation).joinedload(
                AccommodationEntry.recorded_by
            ),
        )
        .where(RoughSleepingCase.id == case_id, scoping.visible_cases(actor))
    ).first()
    if found is None:
        existing = db.session.get(RoughSleepingCase, case_id)
        record_denial(
            actor=actor,
            entity_type=RECORD_TYPE,
            entity_id=case_id,
            person_id=existing.person_id if existing else None,
            reason="out of scope" if existing else "not found",
        )
        raise NotFound("No such case")
    case, grant = found
    if not grant:
        seen_without_grant(actor, case.person_id)
    return case


def view_case(actor, case_id: uuid.UUID, *, page: str = "case") -> RoughSleepingCase:
    case = find_visible_case(actor, case_id)
    record(
        "view",
        actor=actor,
        entity_type=RECORD_TYPE,
        entity_id=case.id,
        person_id=case.person_id,
        detail={"page": page},
    )
    return case


# What a case shows -------------------------------------------------------------------------


def first_treatment_start(episode_id) -> date | None:
    """The release's first treatment start on any referral: the clock belongs to the release.
    A date only, which the outreach team may see beside the housing status."""
    return db.session.scalar(
        select(func.min(Referral.treatment_start_date)).where(Referral.episode_id == episode_id)
    )


def clock_of(case: RoughSleepingCase, today: date | None = None) -> ClockSummary:
    return release_clock(case.episode, first_treatment_start(case.episode_id), today)


def release_clock(episode, treatment_start: date | None, today: date | None = None):
    """The release's 21-day clock as every page words it (``referrals.clock``)."""
    return Clock(
        release_date=episode.actual_release_date,
        today=today or local_today(),
        treatment_start=treatment_start,
        expected_release=episode.expected_release_date,
        release_type=episode.release_type,
    ).summary()


def dues_of(case: RoughSleepingCase) -> Dues:
    return due_dates(case.episode.actual_release_date)


def housing_status(case: RoughSleepingCase) -> str | None:
    """The latest accommodation recorded, else what the prison expected at release: the same
    rule as ``models.housing_status_sql``, for one case."""
    if case.accommodation:
        return case.accommodation[-1].category
    return case.episode.accommodation_on_release


@dataclass(frozen=True)
class ActionLink:
    endpoint: str
    label: str


# The pages beside the lifecycle's, and the permission each needs.
OTHER_ACTIONS = (
    ("rough_sleeping.accommodation", "Record a change of accommodation", "rough_sleeping.record"),
    ("rough_sleeping.prescribing", "Record same-day prescribing", "rough_sleeping.record"),
)


def actions_for(actor, case: RoughSleepingCase) -> list[ActionLink]:
    """What this viewer may do on the case now: the lifecycle's actions, then the others."""
    links = [
        ActionLink(f"rough_sleeping.{t.action}", t.label)
        for t in ROUGH_SLEEPING_LIFECYCLE.allowed(actor, case)
    ]
    if case.status in LIVE_STATUSES and sides_of(actor, case):
        links += [
            ActionLink(endpoint, label)
            for endpoint, label, permission in OTHER_ACTIONS
            if role_may(actor.role, permission)
        ]
    return links


def refusal_of(actor, case, action: str) -> str | None:
    return lifecycle.refusal(ROUGH_SLEEPING_LIFECYCLE, actor, case, action)


def outreach_teams() -> list[Organisation]:
    return _organisations(OrganisationKind.OUTREACH)


def housing_authorities() -> list[Organisation]:
    return _organisations(OrganisationKind.HOUSING_AUTHORITY)


def _organisations(kind: str) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.kind == kind).order_by(Organisation.name)
        )
    )


ALREADY_OPEN = "A rough sleeping case is already open for this release."

# Opening a case ----------------------------------------------------------------------------


def release_to_open(actor, person) -> CustodyEpisode | None:
    """The release a case can be opened for: the person's latest episode, once released, with
    no live case. None otherwise (not released, or a case is already live)."""
    episode = person.current_episode
    if episode is None or not episode.released:
        return None
    live = db.session.scalar(
        select(RoughSleepingCase.id).where(
            RoughSleepingCase.episode_id == episode.id,
            RoughSleepingCase.status.in_(LIVE_STATUSES),
        )
    )
    return None if live else episode


def person_for_opening(actor, person_id: uuid.UUID):
    """The person, for the page that opens their case: one audited view; not under emergency
    access, which does not start records."""
    return people.view_person(
        actor, person_id, page="new rough sleeping case", starting_record=True
    )


def open_case(
    actor, person_id: uuid.UUID, *, first_night: str, token: str | None = None
) -> RoughSleepingCase:
    """A case for the person's latest release, with where they stayed on the first night (from
    the release date). Emergency access does not open one (``person_for_new_record``)."""
    if not role_may(actor.role, "rough_sleeping.open"):
        raise NotPermitted("Your role cannot open a rough sleeping case")
    existing = made_with(RoughSleepingCase, token)
    if existing is not None:
        return existing
    person = people.person_for_new_record(actor, person_id, load_episodes=True)
    episode = person.current_episode
    # Said on the person's page: nothing on the form could change either.
    if episode is None or not episode.released:
        raise InvalidTransition(
            "The person has not been released yet. A rough sleeping case is opened once the "
            "release is recorded."
        )
    if release_to_open(actor, person) is None:
        raise InvalidTransition(ALREADY_OPEN)
    if not Accommodation.has(first_night):
        raise InvalidChange("Select where the person stayed on the first night", "first_night")
    try:
        # Two people opening a case for one release at the same moment: the database's one
        # live case per release decides, and the second is told as if it had looked first.
        with db.session.begin_nested():
            case, made = add_once(
                RoughSleepingCase(
                    person_id=person.id,
                    episode_id=episode.id,
                    status=Status.OPEN,
                    opened_by_id=actor.id,
                    opening_organisation_id=actor.organisation_id,
                    creation_token=token,
                )
            )
    except IntegrityError:
        raise InvalidTransition(ALREADY_OPEN) from None
    if not made:
        return case
    db.session.add_all(
        [
            AccommodationEntry(
                case_id=case.id,
                category=first_night,
                from_date=episode.actual_release_date,
                first_night=True,
                recorded_by_id=actor.id,
                organisation_id=actor.organisation_id,
            ),
            _event(actor, case, EventKind.OPEN, None, Status.OPEN, value=first_night),
        ]
    )
    record(
        "create",
        actor=actor,
        entity_type=RECORD_TYPE,
        entity_id=case.id,
        person_id=person.id,
        detail={"fields": ["first_night"]},
    )
    db.session.flush()
    return case


def _event(actor, case, kind, from_status, to_status, **details) -> RoughSleepingEvent:
    return RoughSleepingEvent(
        case_id=case.id,
        person_id=case.person_id,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id,
        organisation_id=actor.organisation_id,
        **details,
    )


# The lifecycle -----------------------------------------------------------------------------


def change_status(actor, case_id: uuid.UUID, action: str, **inputs) -> RoughSleepingCase:
    case = find_visible_case(actor, case_id)
    return lifecycle.apply(ROUGH_SLEEPING_LIFECYCLE, actor, case, action, **inputs)


# Changes beside the lifecycle: one side or the other, on a live case. ------------------------


def _case_to_change(actor, case_id: uuid.UUID) -> RoughSleepingCase:
    if not role_may(actor.role, "rough_sleeping.record"):
        raise NotPermitted("Your role cannot change this case")
    case = find_visible_case(actor, case_id)
    if not sides_of(actor, case):
        raise NotPermitted("Your organisation cannot change this case")
    if case.status not in LIVE_STATUSES:
        raise InvalidTransition("This case has been closed.")
    return case


def record_accommodation(
    actor, case_id: uuid.UUID, *, category: str, from_date: date | None
) -> AccommodationEntry:
    """A move: where the person is staying now, from a date on or after the release."""
    case = _case_to_change(actor, case_id)
    if not Accommodation.has(category):
        raise InvalidChange("Select where the person is staying, or Not known", "category")
    if from_date is None:
        raise InvalidChange("Enter the date they started staying there", "from_date")
    if from_date < case.episode.actual_release_date:
        raise InvalidChange("The date cannot be before the release date", "from_date")
    if from_date > local_today():
        raise InvalidChange("The date must be today or in the past", "from_date")
    entry = AccommodationEntry(
        case_id=case.id,
        category=category,
        from_date=from_date,
        recorded_by_id=actor.id,
        organisation_id=actor.organisation_id,
    )
    db.session.add_all(
        [
            entry,
            _event(
                actor,
                case,
                EventKind.ACCOMMODATION,
                case.status,
                case.status,
                value=category,
                event_date=from_date,
            ),
        ]
    )
    _audit_update(actor, case, "accommodation", ["accommodation"])
    db.session.flush()
    return entry


def record_prescribing(
    actor, case_id: uuid.UUID, *, arranged: bool, prescriber: str | None
) -> RoughSleepingCase:
    """Same-day prescribing on the day of release, yes or no; a yes names the prescriber."""
    case = _case_to_change(actor, case_id)
    prescriber = (prescriber or "").strip() or None
    if arranged and not prescriber:
        raise InvalidChange("Enter the prescriber", "prescriber")
    case.same_day_prescribing = arranged
    case.prescriber = prescriber if arranged else None
    db.session.add(
        _event(
            actor,
            case,
            EventKind.PRESCRIBING,
            case.status,
            case.status,
            value="yes" if arranged else "no",
        )
    )
    _audit_update(actor, case, "prescribing", ["same_day_prescribing", "prescriber"])
    db.session.flush()
    return case


def _audit_update(actor, case, change: str, fields: list[str]) -> None:
    record(
        "update",
        actor=actor,
        entity_type=RECORD_TYPE,
        entity_id=case.id,
        person_id=case.person_id,
        detail={"change": change, "fields": fields},
    )
