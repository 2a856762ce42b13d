"""Deleting a draft referral that was never sent.

A draft is its referring team's alone (README, "The handover"): the team may delete it, with a
confirmation first, until it is sent. Once sent a referral is part of the person's history and
is withdrawn instead, never deleted. The deletion is audited (which referral, whose, that it was
a draft), and the draft goes the way the 90-day purge takes drafts (``services.delete_drafts``).
"""

import uuid

from sqlalchemy import select

from caseflow.audit.services import record
from caseflow.domain import InvalidTransition, NotPermitted
from caseflow.extensions import db
from caseflow.referrals import services
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Referral
from caseflow.referrals.transitions import REFERRER, REFUSALS, sides_of
from caseflow.security.access import role_may

NOT_YOURS = "Only the team that made a draft can delete it"
SENT_ALREADY = "Only a draft that has not been sent can be deleted. "


def may_delete(actor, referral: Referral) -> bool:
    """Whether the referral page offers this viewer to delete the referral now."""
    return (
        role_may(actor.role, "referral.delete")
        and REFERRER in sides_of(actor, referral)
        and referral.status == Status.DRAFT
    )


def _check(actor, referral: Referral) -> None:
    if not role_may(actor.role, "referral.delete") or REFERRER not in sides_of(actor, referral):
        raise NotPermitted(NOT_YOURS)
    if referral.status != Status.DRAFT:
        raise InvalidTransition(SENT_ALREADY + REFUSALS[referral.status])


def draft_to_delete(actor, referral_id: uuid.UUID) -> Referral:
    """The draft, for the page asking whether to delete it: one audited view."""
    referral = services.view_referral(actor, referral_id, page="delete draft")
    _check(actor, referral)
    return referral


def delete_draft(actor, referral_id: uuid.UUID) -> uuid.UUID:
    """Delete the actor's team's unsent draft; the person's id, to go back to their page.

    The draft's row is locked first, so a send at the same moment either finds it gone or
    makes this refusal: a referral once sent is never deleted.
    """
    referral = services.find_visible_referral(actor, referral_id)
    _check(actor, referral)
    still_draft = db.session.scalar(
        select(Referral.id)
        .where(Referral.id == referral.id, Referral.status == Status.DRAFT)
        .with_for_update()
    )
    if still_draft is None:
        db.session.refresh(referral)
        raise InvalidTransition(SENT_ALREADY + REFUSALS[referral.status])
    person_id = referral.person_id
    for event in referral.events:
        db.session.expunge(event)
    db.session.expunge(referral)
    services.delete_drafts([referral_id])
    record(
        "delete",
        actor=actor,
        entity_type="referral",
        entity_id=referral_id,
        person_id=person_id,
        purpose="referral",
        detail={"status": Status.DRAFT},
    )
    return person_id
