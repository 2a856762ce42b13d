"""What staff are told about referrals, and how the notifications list names a referral.

A referral is named with its person only to someone who may still see it (``visible_referrals``);
a provider it was redirected away from sees its reference alone.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow import notifications
from caseflow.extensions import db
from caseflow.notifications import Subject
from caseflow.referrals.links import referral_link
from caseflow.referrals.models import Referral, short_reference
from caseflow.security.scope import visible_referrals

RECORD_TYPE = "referral"

MESSAGES = {
    "send": "A referral was sent to your team",
    "redirect": "A referral was redirected to your team",
    "accept": "Your referral was accepted",
    "reject": "Your referral was rejected",
    "engage": "Treatment started on your referral",
    # caseflow.referrals.reminders: the 21-day window after release, while no treatment start.
    "reminder_7": "7 days since release and treatment has not started",
    "reminder_14": "14 days since release and treatment has not started",
    "reminder_21": "21 days since release: the last day to start treatment in the window",
}


def _in_sight(viewer, referral_ids: list[uuid.UUID]) -> dict[uuid.UUID, Subject]:
    referrals = db.session.scalars(
        select(Referral)
        .options(joinedload(Referral.person))
        .where(Referral.id.in_(referral_ids), visible_referrals(viewer))
    )
    return {
        referral.id: Subject(
            f"{referral.person.full_name}, referral {referral.reference}",
            referral_link(viewer, referral.id),
        )
        for referral in referrals
    }


def _out_of_sight(referral_id: uuid.UUID) -> Subject:
    return Subject(f"referral {short_reference(referral_id)} (now with another team)")


notifications.record_type(
    RECORD_TYPE, messages=MESSAGES, in_sight=_in_sight, out_of_sight=_out_of_sight
)

# The referral lifecycle's notify: (referral, user id, action).
notify = notifications.notifier(RECORD_TYPE)
