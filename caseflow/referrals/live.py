"""One live referral per release and pathway (DOMAIN.md, Referral): a second is refused with a
link to the live one.

Live means not ended: drafted, sent, accepted or engaged (``LIVE_STATUSES``). A draft counts, so
two teams cannot both be preparing the same handover; rejected, withdrawn and closed referrals
have ended, and a new referral may follow them. A community referral has no release: one live
community referral per person and pathway. The rule is checked here when a referral is made and
when it is sent, and held by two partial unique indexes (``Referral.__table_args__``) when two
are made at the same moment.
"""

import uuid

from sqlalchemy import select

from caseflow.domain import InvalidTransition
from caseflow.extensions import db
from caseflow.referrals.codes import LIVE_STATUSES, Status
from caseflow.referrals.models import Referral


class LiveReferralExists(InvalidTransition):
    """A second live referral for one release (or one person, in the community) and pathway.

    The message names the live referral by its reference, status and referring team only; the
    page it is shown on links to it when the viewer may open it (``live_referral_id``).
    """

    def __init__(self, live: Referral, *, community: bool):
        self.live_referral_id = live.id
        whose = (
            "This person already has a live community referral"
            if community
            else ("This release already has a live referral")
        )
        super().__init__(
            f"{whose}: referral {live.reference} ({Status.label_of(live.status).lower()}), "
            f"from {live.referring_organisation.name}. Only one referral can be live at a "
            "time: carry on with that one, or withdraw it first."
        )


def live_referral(
    person_id: uuid.UUID,
    episode_id: uuid.UUID | None,
    pathway: str = "release",
    *,
    other_than: uuid.UUID | None = None,
) -> Referral | None:
    """The live referral for this release (or, with no episode, this person's community
    referral) on this pathway, other than ``other_than``; None when there is none."""
    query = select(Referral).where(Referral.pathway == pathway, Referral.status.in_(LIVE_STATUSES))
    if episode_id is None:
        query = query.where(Referral.person_id == person_id, Referral.episode_id.is_(None))
    else:
        query = query.where(Referral.episode_id == episode_id)
    if other_than is not None:
        query = query.where(Referral.id != other_than)
    return db.session.scalars(query.order_by(Referral.created_at)).first()


def refuse_a_second(
    person_id: uuid.UUID,
    episode_id: uuid.UUID | None,
    pathway: str = "release",
    *,
    other_than: uuid.UUID | None = None,
) -> None:
    """Refuse (``LiveReferralExists``) when another referral is live for the same release."""
    live = live_referral(person_id, episode_id, pathway, other_than=other_than)
    if live is not None:
        raise LiveReferralExists(live, community=episode_id is None)
