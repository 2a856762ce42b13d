"""Reading one referral: finding it within the actor's scope (a denial recorded when it is out of
scope or gone), the audited view of it that every page of it makes, and its 21-day clock.

Every page and change of a referral starts here, so the scope rule is checked in one place
(``security.scope.visible_referrals``) and the page reads in one statement what it shows.
"""

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from caseflow.audit.services import record, record_denial, record_independent
from caseflow.dates import local_today
from caseflow.domain import NotFound
from caseflow.extensions import db
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.clock import Clock, ClockSummary
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.security.scope import holds_grant, seen_without_grant, visible_referrals


def clock_for(referral: Referral, today: date | None = None) -> Clock:
    """The referral's 21-day clock; ``clock_for(...).summary()`` is what every page says of it."""
    episode = referral.episode
    if episode is None:
        # A community referral: no release to count from.
        return Clock(
            release_date=None,
            today=today or local_today(),
            treatment_start=referral.treatment_start_date,
            status=referral.status,
            community=True,
        )
    return Clock(
        release_date=episode.actual_release_date,
        today=today or local_today(),
        treatment_start=referral.treatment_start_date,
        expected_release=episode.expected_release_date,
        release_type=episode.release_type,
        status=referral.status,
    )


def clock_summary(referral: Referral, today: date | None = None) -> ClockSummary:
    """What the referral, person and change pages say of the referral's clock."""
    return clock_for(referral, today).summary()


def find_visible_referral(actor, referral_id: uuid.UUID, *, history: bool = True) -> Referral:
    """The referral if actor may see it (``visible_referrals``), with what its pages show of it;
    a denial recorded and NotFound if not.

    ``history=False`` leaves out its history and appointments, for a page and a change that use
    neither (the draft's edit form): they are then read only if something asks for them.
    """
    options = [
        # What every page of a referral shows of it, read with it rather than one record at a
        # time as the page is drawn: the person, the release and where they are going, both
        # ends of the handover, who referred and the keyworker assigned.
        joinedload(Referral.person),
        joinedload(Referral.episode).joinedload(CustodyEpisode.destination),
        joinedload(Referral.provider),
        joinedload(Referral.referring_organisation),
        joinedload(Referral.referred_by),
        joinedload(Referral.assigned_keyworker),
    ]
    if history:
        # Its history with who made each entry in one statement, and its appointments.
        options += [
            selectinload(Referral.events).joinedload(ReferralEvent.actor),
            selectinload(Referral.appointments),
        ]
    referral, grant = db.session.execute(
        select(Referral, holds_grant(actor, Referral.person_id))
        .where(Referral.id == referral_id, visible_referrals(actor))
        .options(*options)
    ).first() or (None, None)
    if referral is not None and not grant:
        seen_without_grant(actor, referral.person_id)
    if referral is None:
        existing = db.session.get(Referral, referral_id)
        record_denial(
            actor=actor,
            entity_type="referral",
            entity_id=referral_id,
            person_id=existing.person_id if existing else None,
            reason="out of scope" if existing else "not found",
        )
        raise NotFound("No such referral")
    return referral


def still_visible(actor, referral_id: uuid.UUID) -> bool:
    """Whether actor may still see the referral, after a change that may have ended that."""
    return (
        db.session.scalar(
            select(Referral.id).where(Referral.id == referral_id, visible_referrals(actor))
        )
        is not None
    )


def view_referral(
    actor,
    referral_id: uuid.UUID,
    *,
    page: str = "referral",
    independent: bool = False,
    history: bool = True,
) -> Referral:
    """The referral for a page that shows it: one audited view (``record_view``).

    ``independent`` is for a page sent with an error status, whose transaction is rolled back.
    """
    referral = find_visible_referral(actor, referral_id, history=history)
    return record_view(actor, referral, page=page, independent=independent)


def record_view(
    actor, referral: Referral, *, page: str = "referral", independent: bool = False
) -> Referral:
    """The audited view of a referral that ``find_visible_referral`` found in this request, for
    a page that read it before knowing it would show it (a form's page, drawn only when the
    form is not saved)."""
    write = record_independent if independent else record
    write(
        "view",
        actor=actor,
        entity_type="referral",
        entity_id=referral.id,
        person_id=referral.person_id,
        purpose="referral",
        outcome="success",
        detail={"page": page},
    )
    return referral
