"""Deleting a draft referral that was never sent: by its referring team, or by the purge of
drafts untouched for 90 days. Both go one way (``delete_drafts``).

A draft is its referring team's alone (README, "The handover"): the team may delete it, with a
confirmation first, until it is sent. Once sent a referral is part of the person's history and
is withdrawn instead, never deleted. The deletion is audited (which referral, whose, that it was
a draft), and the draft goes the way the 90-day purge takes drafts (``delete_drafts``).
"""

import uuid
from datetime import timedelta

from sqlalchemy import delete, select

from caseflow.audit.services import record
from caseflow.domain import InvalidTransition, NotPermitted
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.notifications import forget as forget_notifications
from caseflow.referrals import notifications as referral_notifications
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.referrals.services.reading import find_visible_referral, view_referral
from caseflow.referrals.transitions import REFERRER, REFUSALS, sides_of
from caseflow.security.access import role_may

NOT_YOURS = "Only the team that made a draft can delete it"
SENT_ALREADY = "Only a draft that has not been sent can be deleted. "
DRAFT_LIFETIME = timedelta(days=90)


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
    referral = view_referral(actor, referral_id, page="delete draft")
    _check(actor, referral)
    return referral


def delete_draft(actor, referral_id: uuid.UUID) -> uuid.UUID:
    """Delete the actor's team's unsent draft; the person's id, to go back to their page.

    The draft's row is locked first, so a send at the same moment either finds it gone or
    makes this refusal: a referral once sent is never deleted.
    """
    referral = find_visible_referral(actor, referral_id)
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
    delete_drafts([referral_id])
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


def delete_drafts(ids: list[uuid.UUID]) -> None:
    """Delete these drafts and everything held under them: the one way a referral goes, for
    the 90-day purge and for a referrer deleting their draft (``delete_draft``)."""
    db.session.execute(delete(ReferralEvent).where(ReferralEvent.referral_id.in_(ids)))
    forget_notifications(referral_notifications.RECORD_TYPE, ids)
    db.session.execute(delete(Referral).where(Referral.id.in_(ids)))


def purge_old_drafts(*, apply: bool, now=None) -> int:
    """Delete drafts never sent and untouched for 90 days. A dry run only counts them."""
    cutoff = (now or utcnow()) - DRAFT_LIFETIME
    stale = select(Referral.id).where(Referral.status == Status.DRAFT, Referral.updated_at < cutoff)
    ids = list(db.session.scalars(stale))
    if apply and ids:
        delete_drafts(ids)
        record(
            "delete",
            entity_type="referral",
            purpose="retention",
            detail={"drafts_deleted": len(ids)},
        )
    return len(ids)
