"""Reminders to the holding team on day 7, 14 and 21 after release while treatment has not
started: the 21-day window of the continuity measure (DOMAIN.md), said before it closes.

A referral is held by its provider while it is sent or accepted; its release date is read from
the custody episode, as everywhere else (a correction there moves the reminders too). On each
day of the list, every active keyworker of the provider that holds it then is told once, by a
notification about the referral (the person is never named in the row). A community referral
has no release and so no reminders.

Idempotent: a reminder is made only if no reminder of that day, or of a later one, was made for
the referral, so the job can run as often as wanted. A day missed (the job did not run) is
caught up for the rest of its week only: after that the next day's reminder says more, and a
referral released long ago is not reminded about at all the first time the job runs.
"""

from datetime import date, timedelta

from sqlalchemy import select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.notifications import Notification
from caseflow.people.models import CustodyEpisode
from caseflow.referrals import notifications
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Referral
from caseflow.referrals.transitions import PROVIDER, REFERRAL_LIFECYCLE

DAYS = (7, 14, 21)
CATCH_UP_DAYS = 7
HELD = (Status.SENT, Status.ACCEPTED)


def kind_for(day: int) -> str:
    return f"reminder_{day}"


KINDS = {kind_for(day): day for day in DAYS}


def reminder_due(release: date, today: date) -> int | None:
    """The reminder day due today for a release on that date, if any."""
    since = (today - release).days
    due = [day for day in DAYS if day <= since < day + CATCH_UP_DAYS]
    return due[-1] if due else None


def _already_reminded(referral_ids: list) -> dict:
    """The latest reminder day made so far, by referral id."""
    rows = db.session.execute(
        select(Notification.record_id, Notification.kind).where(
            Notification.record_type == notifications.RECORD_TYPE,
            Notification.record_id.in_(referral_ids),
            Notification.kind.in_(KINDS),
        )
    )
    latest: dict = {}
    for referral_id, kind in rows:
        latest[referral_id] = max(latest.get(referral_id, 0), KINDS[kind])
    return latest


def send_due_reminders(*, today: date | None = None) -> int:
    """Make today's reminders; how many referrals were reminded about. Committed by the caller."""
    today = today or local_today()
    earliest = today - timedelta(days=DAYS[-1] + CATCH_UP_DAYS - 1)
    latest = today - timedelta(days=DAYS[0])
    candidates = db.session.execute(
        select(Referral, CustodyEpisode.actual_release_date)
        .join(CustodyEpisode, Referral.episode_id == CustodyEpisode.id)
        .where(
            Referral.status.in_(HELD),
            Referral.treatment_start_date.is_(None),
            CustodyEpisode.actual_release_date.between(earliest, latest),
        )
    ).all()
    due = {
        referral: day
        for referral, release in candidates
        if (day := reminder_due(release, today)) is not None
    }
    reminded = _already_reminded([referral.id for referral in due])
    count = 0
    for referral, day in due.items():
        if reminded.get(referral.id, 0) >= day:
            continue
        for user_id in REFERRAL_LIFECYCLE.recipients(referral, PROVIDER):
            notifications.notify(referral, user_id, kind_for(day))
        count += 1
    return count
