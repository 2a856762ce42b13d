"""The demo data tells a believable story (issue 9): substance group and medicine agree, so
opioid substitution (methadone, buprenorphine) is only ever given for an opiate need, and each
person's events happen over the weeks before today, in the order of their story."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from caseflow import demo
from caseflow.audit import chain
from caseflow.audit.models import AuditEvent
from caseflow.dates import LONDON, as_utc, local_today
from caseflow.extensions import db
from caseflow.people.models import CaseNote, CustodyEpisode
from caseflow.referrals.models import Appointment, Referral, ReferralEvent

OPIOID_SUBSTITUTES = {"methadone", "buprenorphine", "lai_buprenorphine"}


def test_only_opiate_users_are_on_opioid_substitution_in_the_demo_data(app):
    assert demo.load(people=60) is True
    episodes = db.session.scalars(select(CustodyEpisode)).all()
    assert episodes
    on_substitution = [e for e in episodes if e.opioid_substitution in OPIOID_SUBSTITUTES]
    assert on_substitution  # the demo still shows people on substitution treatment
    assert {e.substance_group for e in on_substitution} == {"opiate"}
    for referral in db.session.scalars(select(Referral)):
        if referral.opioid_medicine in OPIOID_SUBSTITUTES:
            assert referral.substance_group == "opiate"


def test_the_demo_stories_happen_over_the_weeks_before_today_in_story_order(app):
    """Issue 9: events are spread over the weeks before today, not stamped at load time; sent
    before accepted before engaged, reception before release, attendance from the appointment's
    day."""
    assert demo.load(people=60) is True
    loaded_at = datetime.now(UTC)
    history = db.session.scalars(select(ReferralEvent)).all()
    notes = db.session.scalars(select(CaseNote)).all()
    assert history and notes
    for moments in (
        [as_utc(event.occurred_at) for event in history],
        [as_utc(note.created_at) for note in notes],
    ):
        assert max(moments) <= loaded_at  # nothing in the future
        assert max(moments) - min(moments) >= timedelta(days=14)
        assert min(moments) < loaded_at - timedelta(days=14)

    by_status = {}
    for event in history:
        by_status.setdefault(event.referral_id, {}).setdefault(event.to_status, event.occurred_at)
    engaged = 0
    for moments in by_status.values():
        order = [
            as_utc(moments[s]) for s in ("draft", "sent", "accepted", "engaged") if s in moments
        ]
        assert order == sorted(order)
        assert len(set(order)) == len(order)  # each step at its own moment
        engaged += "engaged" in moments
    assert engaged  # the demo still shows treatment starts
    # Appointments: booked, then attended or missed on or after their day (never one still to
    # come), and treatment starts on the day of one attended.
    appointments = db.session.scalars(select(Appointment)).all()
    assert {"offered", "attended", "did_not_attend"} <= {a.outcome for a in appointments}
    attended_days = {}
    for appointment in appointments:
        if appointment.outcome in ("attended", "did_not_attend"):
            assert appointment.appointment_date <= local_today()
        if appointment.outcome == "attended":
            attended_days.setdefault(appointment.referral_id, set()).add(
                appointment.appointment_date
            )
    for event in history:
        if event.kind in ("appointment_attended", "appointment_did_not_attend"):
            assert as_utc(event.occurred_at).astimezone(LONDON).date() >= event.event_date
    engaged_referrals = db.session.scalars(
        select(Referral).where(Referral.status == "engaged", Referral.pathway == "release")
    )
    for referral in engaged_referrals:
        assert referral.treatment_start_date in attended_days[referral.id]
    for episode in db.session.scalars(select(CustodyEpisode)):
        assert episode.reception_date < (episode.actual_release_date or date.max)
        assert as_utc(episode.created_at) < loaded_at - timedelta(days=1)
    audit_times = [
        as_utc(moment)
        for moment in db.session.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.id))
    ]
    assert audit_times == sorted(audit_times)  # the log's ids and times rise together
    db.session.commit()
    assert chain.verify(db.session).intact
