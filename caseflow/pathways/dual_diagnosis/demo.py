"""Demo stories for this pathway: people at every stage of it, on the synthetic demo data.

People released into the West Midlands Dual Diagnosis Service's areas whose treatment referral
a demo provider holds (and a demo keyworker there) have a co-occurring mental health need
recorded by that keyworker and referred to the service: one waiting to be answered, one
declined, one accepted with the plan being written, one with the plan agreed, one whose agreed
review date has passed, one with a missed appointment to follow up, and one closed. Everything
goes through the services, after the release stories, at today's moment (so the audit log's
times keep rising with its ids): the overdue review is a plan agreed with a review date already
gone.
"""

from datetime import timedelta

from sqlalchemy import select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations import services as organisations
from caseflow.organisations.models import organisation_areas
from caseflow.pathways.dual_diagnosis import plans, services
from caseflow.pathways.dual_diagnosis.models import DualDiagnosisCase
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.codes import AppointmentOutcome
from caseflow.referrals.models import Referral
from caseflow.referrals.services import appointments
from caseflow.security.access import Role

SERVICE = "West Midlands Dual Diagnosis Service"

# (stage, category, severity)
STORIES = (
    ("referred", "psychosis", "severe"),
    ("referred", "depression", "moderate"),
    ("declined", "anxiety", "mild"),
    ("accepted", "bipolar", "severe"),
    ("plan_agreed", "trauma", "moderate"),
    ("review_overdue", "depression", "severe"),
    ("missed_appointment", "personality_disorder", "moderate"),
    ("closed", "anxiety", "moderate"),
)


def _people(service, providers):
    """(person id, provider id) of people released into the service's areas whose referral one
    of the demo providers holds, with no dual diagnosis case yet, the newest release first."""
    areas = select(organisation_areas.c.local_authority_code).where(
        organisation_areas.c.organisation_id == service.id
    )
    rows = db.session.execute(
        select(Referral.person_id, Referral.provider_id)
        .join(CustodyEpisode, CustodyEpisode.id == Referral.episode_id)
        .where(
            Referral.provider_id.in_(providers),
            Referral.status.in_(("accepted", "engaged")),
            CustodyEpisode.actual_release_date.is_not(None),
            CustodyEpisode.destination_local_authority_code.in_(areas),
            ~select(DualDiagnosisCase.id)
            .where(DualDiagnosisCase.person_id == Referral.person_id)
            .exists(),
        )
        .order_by(CustodyEpisode.actual_release_date.desc(), Referral.id)
    )
    seen, found = set(), []
    for person_id, provider_id in rows:
        if person_id not in seen:
            seen.add(person_id)
            found.append((person_id, provider_id))
    return found


def load(users) -> None:
    """Tell this pathway's stories, given the demo accounts (caseflow/demo.py)."""
    service = organisations.organisation_by_name(SERVICE)
    practitioner = next(
        (
            u
            for u in users
            if u.role == Role.MENTAL_HEALTH and service and u.organisation_id == service.id
        ),
        None,
    )
    keyworkers = {u.organisation_id: u for u in users if u.role == Role.KEYWORKER}
    if service is None or practitioner is None or not keyworkers:
        return
    people = _people(service, list(keyworkers))
    for (stage, category, severity), (person_id, provider_id) in zip(STORIES, people, strict=False):
        _tell(keyworkers[provider_id], practitioner, service, person_id, stage, category, severity)
        db.session.flush()


def _tell(keyworker, practitioner, service, person_id, stage, category, severity):
    today = local_today()
    case = services.start_case(
        keyworker,
        person_id,
        need_category=category,
        need_severity=severity,
        assessed_by="Dr R Osei, prison in-reach psychiatrist",
        assessed_on=today - timedelta(days=10),
        mental_health_service_id=service.id,
    )
    if stage == "referred":
        return
    if stage == "declined":
        services.change_status(practitioner, case.id, "decline", reason_code="primary_care")
        return
    services.change_status(practitioner, case.id, "accept", care_coordinator=str(practitioner.id))
    db.session.flush()
    review = today + timedelta(days=-3 if stage == "review_overdue" else 28)
    plans.save_plan(
        practitioner,
        case.id,
        version=case.plan.version,
        needs="Low mood and anxiety alongside drug use; finds morning appointments hard",
        crisis_plan="Warning signs: not answering the phone, using more than usual. "
        "Call the care coordinator in office hours, the crisis line at night.",
        person_has_copy="yes" if stage != "accepted" else None,
        review_date=review if stage != "accepted" else None,
    )
    plans.add_action(
        keyworker,
        case.id,
        description="Joint appointment with the care coordinator and keyworker",
        owner="Care coordinator",
        due_on=today + timedelta(days=7),
    )
    if stage == "accepted":
        return
    db.session.flush()
    services.change_status(keyworker, case.id, "agree_plan")
    if stage == "missed_appointment":
        _missed_appointment(keyworker, person_id)
    if stage == "closed":
        services.change_status(practitioner, case.id, "close", reason_code="needs_met")


def _missed_appointment(keyworker, person_id) -> None:
    """The keyworker books an appointment for today and the person does not come."""
    referral_id = db.session.scalar(
        select(Referral.id).where(
            Referral.person_id == person_id, Referral.provider_id == keyworker.organisation_id
        )
    )
    booked = appointments.book_appointment(
        keyworker, referral_id, appointment_date=local_today(), appointment_time="10:00"
    )
    appointments.record_attendance(keyworker, booked.id, outcome=AppointmentOutcome.DID_NOT_ATTEND)
