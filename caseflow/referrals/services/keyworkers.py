"""The provider's keyworker for an accepted referral: who may be assigned (an active keyworker of
the actor's own team) and the assignment, which the person's keyworker contact follows
(``people.contacts``) so whoever calls next finds the right one.
"""

import uuid

from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.domain import InvalidChange, InvalidTransition
from caseflow.extensions import db
from caseflow.people.contacts import record_assigned_keyworker
from caseflow.referrals.codes import WORKING_STATUSES
from caseflow.referrals.models import Referral
from caseflow.referrals.services.reading import find_visible_referral
from caseflow.referrals.services.records import add_history, audit_update, require_side
from caseflow.referrals.transitions import PROVIDER
from caseflow.security.access import Role


def colleagues_who_can_be_assigned(actor) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == actor.organisation_id,
                User.role == Role.KEYWORKER,
                User.active.is_(True),
            )
            .order_by(User.display_name)
        )
    )


def assign_keyworker(actor, referral_id: uuid.UUID, keyworker_id: uuid.UUID) -> Referral:
    referral = find_visible_referral(actor, referral_id)
    require_side(actor, referral, (PROVIDER,))
    if referral.status not in WORKING_STATUSES:
        raise InvalidTransition("Accept the referral before assigning a keyworker.")
    colleague = db.session.get(User, keyworker_id)
    if colleague is None or colleague not in colleagues_who_can_be_assigned(actor):
        raise InvalidChange("Select a keyworker in your team", "keyworker")
    referral.assigned_keyworker_id = colleague.id
    add_history(actor, referral, "assigned", referral.status, referral.status)
    audit_update(actor, referral, {"change": "assigned", "fields": ["assigned_keyworker_id"]})
    # The person's keyworker contact follows, so whoever calls next finds the right one.
    record_assigned_keyworker(actor, referral.person_id, colleague, referral.provider.name)
    return referral
