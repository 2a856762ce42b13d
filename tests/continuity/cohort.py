"""Hand-built cohorts: releases, referrals and appointments written straight to the tables, so
each test states the facts a rule reads and the numbers DOMAIN.md gives for them."""

from datetime import date

from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, OrganisationKind
from caseflow.security.access import Role
from tests.factories import (
    AppointmentFactory,
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    provider_serving,
)

BIRMINGHAM = "E08000025"
COVENTRY = "E08000026"
PLYMOUTH = "E06000026"


def partnership(*areas: str, name: str | None = None):
    extra = {"name": name} if name else {}
    organisation = OrganisationFactory(kind=OrganisationKind.PARTNERSHIP, **extra)
    organisation.areas = [db.session.get(LocalAuthority, code) for code in areas]
    db.session.flush()
    return organisation


def manager_of(*areas: str):
    return UserFactory(role=Role.MANAGER, organisation=partnership(*areas))


def release(
    on: date,
    *,
    person=None,
    age: int | None = 30,
    need: str = "in_treatment",
    release_type: str = "licence",
    destination: str | None = BIRMINGHAM,
    **fields,
):
    """A custody episode released on the given day."""
    return CustodyEpisodeFactory(
        person=person or PersonFactory(),
        actual_release_date=on,
        expected_release_date=on,
        release_type=release_type,
        age_at_release=age,
        treatment_need=need,
        destination_local_authority_code=destination,
        **fields,
    )


def referral(episode, *, provider=None, started: date | None = None, status: str | None = None):
    provider = provider or provider_serving(BIRMINGHAM)
    return ReferralFactory(
        episode=episode,
        person=episode.person,
        provider_id=provider.id,
        treatment_start_date=started,
        status=status or ("engaged" if started else "accepted"),
    )


def attended(referral_, on: date, outcome: str = "attended"):
    return AppointmentFactory(
        referral=referral_, provider_id=referral_.provider_id, appointment_date=on, outcome=outcome
    )
