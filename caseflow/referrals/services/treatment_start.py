"""Correcting a recorded treatment start (the first structured intervention date): who may, the
correction itself, and keeping a release correction from moving the release past one.

DOMAIN.md: the first structured intervention date is correctable with a reason and audited; a
correction is kept with its reason and the continuity measure follows the corrected value; a
treatment start before the release date is refused. The same rule seen from custody: a release
corrected to a day after a recorded treatment start would leave that start before the release,
so the release correction is refused (a check registered with ``people.custody``, which knows
nothing of referrals).
"""

import uuid
from datetime import date

from sqlalchemy import func, select

from caseflow.audit.facts import treatment_start_facts
from caseflow.audit.services import record
from caseflow.dates import display
from caseflow.domain import InvalidChange, InvalidTransition, NotPermitted, StaleRecord
from caseflow.extensions import db
from caseflow.people import custody
from caseflow.referrals.codes import TREATMENT_START_STATUSES, ReferralEventKind
from caseflow.referrals.models import Referral
from caseflow.referrals.services.reading import find_visible_referral
from caseflow.referrals.services.records import add_history, require_side
from caseflow.referrals.transitions import PROVIDER, REFUSALS, check_treatment_start, sides_of
from caseflow.security.access import role_may


def may_correct_treatment_start(actor, referral: Referral) -> bool:
    """The provider's keyworker corrects a treatment start its referral has."""
    return (
        role_may(actor.role, "treatment.correct")
        and PROVIDER in sides_of(actor, referral)
        and referral.status in TREATMENT_START_STATUSES
        and referral.treatment_start_date is not None
    )


def correct_treatment_start(
    actor, referral_id: uuid.UUID, *, version: int | None, treatment_start_date: date, reason: str
) -> Referral:
    """Replace the recorded treatment start, keeping the old date, the new one, the reason, who
    and when in the referral's history, with an audit row carrying both dates."""
    if not role_may(actor.role, "treatment.correct"):
        raise NotPermitted("Your role does not correct treatment starts")
    referral = find_visible_referral(actor, referral_id)
    require_side(actor, referral, (PROVIDER,))
    if referral.status not in TREATMENT_START_STATUSES or referral.treatment_start_date is None:
        raise InvalidTransition(
            "No treatment start has been recorded for this referral. " + REFUSALS[referral.status]
        )
    if version is None or version != referral.version:
        raise StaleRecord("Someone else changed this referral")
    check_treatment_start(referral, treatment_start_date)
    previous = referral.treatment_start_date
    if treatment_start_date == previous:
        raise InvalidChange(
            f"Treatment start is already {display(previous)}: enter the corrected date",
            "treatment_start_date",
        )
    if not reason:
        raise InvalidChange("Enter why you are correcting the treatment start", "reason")
    referral.treatment_start_date = treatment_start_date
    add_history(
        actor,
        referral,
        ReferralEventKind.TREATMENT_START_CORRECTED,
        referral.status,
        referral.status,
        event_date=treatment_start_date,
        from_date=previous,
        reason=reason,
    )
    record(
        "update",
        actor=actor,
        entity_type="referral",
        entity_id=referral.id,
        person_id=referral.person_id,
        purpose="referral",
        detail={
            "change": ReferralEventKind.TREATMENT_START_CORRECTED.value,
            "fields": ["treatment_start_date"],
            "facts": treatment_start_facts(treatment_start_date, corrected_from=previous),
        },
    )
    # Written now, so a colleague's save of the same referral meanwhile is found here (the
    # version column) and answered as a stale form, not at the commit.
    db.session.flush()
    return referral


@custody.release_check
def release_not_after_treatment_start(episode, release_date: date) -> None:
    """A release recorded or corrected may not fall after a treatment start already recorded
    for it: that start would then come before the release."""
    earliest = db.session.scalar(
        select(func.min(Referral.treatment_start_date)).where(Referral.episode_id == episode.id)
    )
    if earliest is not None and release_date > earliest:
        raise InvalidChange(
            f"Date of release must be on or before {display(earliest)}, when treatment started "
            "in the community. If that date is wrong, ask the treatment provider to correct it "
            "first",
            "actual_release_date",
        )
