"""Reading one referral: finding it within the actor's scope (a denial recorded when it is out of
scope or gone), the audited view of it that every page of it makes, and its 21-day clock.

Every page and change of a referral starts here, so the scope rule is checked in one place
(``security.scope.visible_referrals``) and the page reads in one statement what it shows.
"""

import uuid
from datetime import date

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from caseflow.audit.services import record, record_denial, record_independent
from caseflow.dates import local_today
from caseflow.domain import NotFound
from caseflow.extensions import db
from caseflow.kept_statements import KeptStatements
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.clock import Clock, ClockSummary
from caseflow.referrals.models import Appointment, Referral, ReferralEvent
from caseflow.security.scope import (
    holds_grant,
    scope_key,
    seen_without_grant,
    viewing,
    visible_referrals,
)


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


# What every page of a referral shows of it, read with it rather than one record at a time as
# the page is drawn: the person, the release and where they are going, both ends of the
# handover, who referred and the keyworker assigned. Statements are immutable, so each is built
# once; each request adds only the scope rule and the referral's id.
_REFERRAL = select(Referral).options(
    joinedload(Referral.person),
    joinedload(Referral.episode).joinedload(CustodyEpisode.destination),
    joinedload(Referral.provider),
    joinedload(Referral.referring_organisation),
    joinedload(Referral.referred_by),
    joinedload(Referral.assigned_keyworker),
)
# With the scope rule and the referral's id, built once for each scope (caseflow.kept_statements)
# and run with the referral's id and the viewer bound (scope.viewing): a request builds no
# expression, and SQLAlchemy keys none.
_REFERRAL_ID = bindparam("found_referral_id", type_=Referral.__table__.c.id.type)
kept = KeptStatements(1_000)


def _referral_statement(actor):
    def build():
        return _REFERRAL.add_columns(holds_grant(actor, Referral.person_id, kept=True)).where(
            Referral.id == _REFERRAL_ID, visible_referrals(actor, kept=True)
        )

    return kept.built(scope_key(actor), build, dialect=db.session.get_bind().dialect.name)


# Its history (in the relationship's order) with who made each entry, and its appointments: one
# statement each by the referral's id. Selectin loading would read the same rows, but builds
# its statement again on every request.
# The referral's id is bound when they run, so neither is built again.
_HISTORY = (
    select(ReferralEvent)
    .options(joinedload(ReferralEvent.actor))
    .where(ReferralEvent.referral_id == bindparam("history_of"))
    .order_by(ReferralEvent.occurred_at)
)
_APPOINTMENTS = (
    select(Appointment)
    .where(Appointment.referral_id == bindparam("appointments_of"))
    .order_by(Appointment.appointment_date)
)


def _read_history(referral: Referral) -> None:
    """Its history and appointments, unless this session holds them already (as a relationship
    loads a collection once)."""
    unloaded = inspect(referral).unloaded
    if "events" in unloaded:
        events = db.session.scalars(_HISTORY, {"history_of": referral.id})
        set_committed_value(referral, "events", events.all())
    if "appointments" in unloaded:
        booked = db.session.scalars(_APPOINTMENTS, {"appointments_of": referral.id})
        set_committed_value(referral, "appointments", booked.all())


def find_visible_referral(actor, referral_id: uuid.UUID, *, history: bool = True) -> Referral:
    """The referral if actor may see it (``visible_referrals``), with what its pages show of it;
    a denial recorded and NotFound if not.

    ``history=False`` leaves out its history and appointments, for a page and a change that use
    neither (the draft's edit form): they are then read only if something asks for them.
    """
    parameters = {_REFERRAL_ID.key: referral_id, **viewing(actor)}
    found = db.session.execute(_referral_statement(actor), parameters).first()
    referral, grant = found if found is not None else (None, None)
    if referral is not None and history:
        _read_history(referral)
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
