"""What every change to a referral writes beside itself: the entry in its history and the audit
row of an update, and the check that the actor's organisation is on the side of the handover
that may make the change. One place for each, so every change records alike.
"""

from caseflow.audit.services import record
from caseflow.domain import NotPermitted
from caseflow.extensions import db
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.referrals.transitions import sides_of


def require_side(actor, referral: Referral, sides) -> None:
    if not sides_of(actor, referral).intersection(sides):
        raise NotPermitted("Your organisation cannot make this change")


def add_history(actor, referral, kind, from_status, to_status, **details) -> ReferralEvent:
    event = ReferralEvent(
        referral=referral,
        person_id=referral.person_id,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id,
        organisation_id=actor.organisation_id,
        **details,
    )
    db.session.add(event)
    return event


def audit_update(actor, referral: Referral, detail: dict) -> None:
    record(
        "update",
        actor=actor,
        entity_type="referral",
        entity_id=referral.id,
        person_id=referral.person_id,
        purpose="referral",
        detail=detail,
    )
