"""Demo stories for this pathway: people at every stage of it, on the synthetic demo data.

Probation (Birmingham Central) adds each person, never in custody, and asks Birmingham Recovery
Service (or, for an MHTR, the West Midlands Dual Diagnosis Service) to assess them; Birmingham
Magistrates' Court makes the orders. Everything goes through the services after the release
stories, at the moment of loading (so the audit log's times keep rising with its ids); the
dates the stories record (sentence, start, tests, reviews) are in the weeks before.
"""

import random
from datetime import date, timedelta

from caseflow.dates import local_today
from caseflow.demo import FAMILY_NAMES, GIVEN_NAMES, demo_nhs_number
from caseflow.domain import DomainError
from caseflow.organisations import services as organisations
from caseflow.pathways.cstr import records, services
from caseflow.people import services as people
from caseflow.security.access import Role

PROVIDER = "Birmingham Recovery Service"
MENTAL_HEALTH = "West Midlands Dual Diagnosis Service"
COURT = "Birmingham Magistrates' Court"
BIRMINGHAM = "E08000025"

# (requirements, the stage reached, sentenced this many days ago, months the order runs)
STORIES = (
    (("drr",), "requested", None, None),
    (("atr",), "requested", None, None),
    (("mhtr",), "suitable", None, None),
    (("drr",), "unsuitable", None, None),
    (("drr", "atr"), "order_made", 5, 6),
    (("drr",), "started", 40, 18),  # over 12 months: court reviews required
    (("atr",), "started", 30, 6),
    (("drr", "mhtr"), "reviewed", 70, 12),
    (("drr",), "completed", 200, 6),
    (("atr",), "revoked", 90, 6),
    (("drr",), "breached", 120, 9),
    (("mhtr",), "not_made", None, None),
)


def _months(start: date, months: int) -> date:
    return start + timedelta(days=round(months * 30.4))


def _person(probation, rng: random.Random, index: int):
    return people.create_person(
        probation,
        given_name=rng.choice(GIVEN_NAMES),
        family_name=rng.choice(FAMILY_NAMES),
        date_of_birth=date(1975 + index, 1 + index % 12, 10 + index % 15),
        nhs_number=demo_nhs_number(rng),
        crn=f"D{rng.randrange(100000, 1000000)}",
        sex=rng.choice(("male", "female")),
        ethnic_group="not_stated",
    )


def _tell(story, probation, keyworker, practitioner, parties, person, today) -> None:
    requirements, stage, sentenced_ago, months = story
    order = services.request_assessment(
        probation,
        person.id,
        requirements=list(requirements),
        provider_id=parties["provider"].id,
        mental_health_service_id=parties["mental_health"].id,
        local_authority_code=BIRMINGHAM,
        court_report_due=today + timedelta(days=10 + len(requirements)),
    )
    assessor = practitioner if requirements == ("mhtr",) else keyworker
    if stage == "requested":
        return
    if stage == "unsuitable":
        services.change(
            assessor,
            order.id,
            "assess_unsuitable",
            assessed_on=today,
            reason="No current drug use found at assessment",
        )
        return
    services.change(assessor, order.id, "assess_suitable", assessed_on=today)
    if stage == "suitable":
        return
    if stage == "not_made":
        services.change(probation, order.id, "not_made", reason="Sentenced to custody instead")
        return
    sentence = today - timedelta(days=sentenced_ago)
    services.change(
        probation,
        order.id,
        "make_order",
        court_id=parties["court"].id,
        sentence_date=sentence,
        order_type="suspended_sentence_order" if stage == "breached" else "community_order",
        consent=True,
        start_date=sentence,
        end_date=_months(sentence, months),
        requirements=list(requirements),
        provider_id=parties["provider"].id,
        mental_health_service_id=parties["mental_health"].id,
    )
    if stage == "order_made":
        return
    if stage == "revoked":
        services.change(
            probation, order.id, "revoke", event_date=today - timedelta(days=30), reason="Revoked"
        )
        return
    treating = practitioner if requirements == ("mhtr",) else keyworker
    # Most start within the 3 weeks; the breached story started late.
    started = sentence + timedelta(days=30 if stage == "breached" else 9)
    services.change(treating, order.id, "start", treatment_start_date=started)
    for weeks in range(1, 4):
        day = started + timedelta(weeks=weeks)
        if day <= today:
            if "drr" in requirements:
                result = "positive_opiates" if weeks == 1 else "negative"
                records.record_drug_test(treating, order.id, tested_on=day, result=result)
            records.record_attendance(treating, order.id, appointment_date=day, outcome="attended")
    if stage == "reviewed":
        records.schedule_review(
            probation,
            order.id,
            review_date=today + timedelta(days=5),
            report_due=today + timedelta(days=1),
        )
        records.schedule_review(
            probation,
            order.id,
            review_date=today + timedelta(days=40),
            report_due=today + timedelta(days=35),
        )
    elif stage == "completed":
        services.change(probation, order.id, "complete", event_date=today - timedelta(days=3))
    elif stage == "breached":
        services.change(
            probation,
            order.id,
            "warn",
            event_date=today - timedelta(days=40),
            reason="Two unacceptable absences",
        )
        services.change(
            probation,
            order.id,
            "breach",
            event_date=today - timedelta(days=10),
            reason="Failed to attend after a final warning",
        )


def load(users) -> None:
    """Tell this pathway's stories, given the demo accounts (caseflow/demo.py)."""
    probation = next((u for u in users if u.role == Role.PROBATION), None)
    keyworker = next(
        (u for u in users if u.role == Role.KEYWORKER and u.organisation.name == PROVIDER), None
    )
    practitioner = next((u for u in users if u.role == Role.MENTAL_HEALTH), None)
    parties = {
        "provider": organisations.organisation_by_name(PROVIDER),
        "mental_health": organisations.organisation_by_name(MENTAL_HEALTH),
        "court": organisations.organisation_by_name(COURT),
    }
    if None in (probation, keyworker, practitioner, *parties.values()):
        return
    # A fixed seed, so every run tells the same stories; nothing secret comes from it.
    rng = random.Random(20261201)  # noqa: S311  # nosec B311  # repeatable demo data
    today = local_today()
    for index, story in enumerate(STORIES):
        try:
            person = _person(probation, rng, index)
        except DomainError:
            continue  # an identifier another demo person already has: skip this story
        _tell(story, probation, keyworker, practitioner, parties, person, today)
