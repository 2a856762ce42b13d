"""The CSTR routes' part of the route matrix (tests/security/test_route_matrix.py): a CSTR in
the state each route acts on, party to the signed-in organisation ("own") or to strangers
("other"), and a form each POST route would accept."""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import OrganisationKind
from caseflow.pathways.cstr.models import CstrOrder, CstrReview
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, provider_serving

# The status each route's "own" CSTR is in, so its POST is one the service takes.
STATE = {
    "cstr.assess_suitable": "requested",
    "cstr.assess_unsuitable": "requested",
    "cstr.make_order": "suitable",
    "cstr.not_made": "suitable",
    "cstr.start": "order_made",
}
STARTED = "started"  # every other CSTR route acts on a started order


def _parties(world, own: bool) -> dict:
    """probation, provider and mental health service of the CSTR, the user's own where its
    organisation is one of them."""
    kind = world.kind
    mine = world.organisation if own else None
    probation = OrganisationFactory(kind=OrganisationKind.PROBATION)
    provider = provider_serving("E08000025")
    mental_health = OrganisationFactory(kind=OrganisationKind.MENTAL_HEALTH)
    if mine is not None and kind == OrganisationKind.PROBATION:
        probation = mine
    if mine is not None and kind == OrganisationKind.TREATMENT_PROVIDER:
        provider = mine
    if mine is not None and kind == OrganisationKind.MENTAL_HEALTH:
        mental_health = mine
    return {"probation": probation, "provider": provider, "mental_health": mental_health}


def cstr(world, endpoint: str, own: bool) -> CstrOrder:
    parties = _parties(world, own)
    requester = (
        world.user
        if own and world.kind == OrganisationKind.PROBATION
        else UserFactory(role="probation", organisation=parties["probation"])
    )
    today = local_today()
    status = STATE.get(endpoint, STARTED)
    sentenced = status in ("order_made", STARTED)
    person = PersonFactory(recorded_by=parties["probation"])
    court = OrganisationFactory(kind=OrganisationKind.COURT)
    order = CstrOrder(
        person_id=person.id,
        probation_id=parties["probation"].id,
        requested_by_id=requester.id,
        provider_id=parties["provider"].id,
        mental_health_service_id=parties["mental_health"].id,
        local_authority_code="E08000025",
        status=status,
        drr=True,
        mhtr=True,
        court_report_due=today + timedelta(days=7),
        assessed_on=None if status == "requested" else today - timedelta(days=20),
        court_id=court.id if sentenced else None,
        sentence_date=today - timedelta(days=14) if sentenced else None,
        order_type="community_order" if sentenced else None,
        consent=True if sentenced else None,
        start_date=today - timedelta(days=14) if sentenced else None,
        end_date=today + timedelta(days=400) if sentenced else None,
        treatment_start_date=today - timedelta(days=7) if status == STARTED else None,
    )
    db.session.add(order)
    db.session.flush()
    if endpoint == "cstr.review_report":
        db.session.add(
            CstrReview(
                order_id=order.id,
                review_date=today + timedelta(days=30),
                report_due=today + timedelta(days=23),
                scheduled_by_id=requester.id,
            )
        )
        db.session.flush()
    world.cstr_court = court
    return order


def _date(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def post_forms(world, target, token) -> dict:
    """A form each CSTR POST route would accept from someone entitled to send it."""
    today = local_today()
    record = target.record
    court = getattr(world, "cstr_court", None)
    return {
        "cstr.new_request": {
            "requirements": ["drr"],
            "provider": str(world.provider.id),
            "local_authority": "E08000025",
            "court_report_due": _date(today + timedelta(days=14)),
            "token": token("cstr", "person_id"),
        },
        "cstr.assess_suitable": {"assessed_on": _date(today)},
        "cstr.assess_unsuitable": {"assessed_on": _date(today), "reason": "Not using drugs"},
        "cstr.make_order": {
            "court": str(court.id) if court else "",
            "sentence_date": _date(today),
            "order_type": "community_order",
            "consent": "yes",
            "start_date": _date(today),
            "end_date": _date(today + timedelta(days=180)),
            "requirements": ["drr"],
            "provider": str(getattr(record, "provider_id", "") or ""),
        },
        "cstr.not_made": {"reason": "Custody instead"},
        "cstr.start": {"treatment_start_date": _date(today)},
        "cstr.warn": {"event_date": _date(today), "reason": "Missed appointments"},
        "cstr.vary": {"end_date": _date(today + timedelta(days=500)), "reason": "Extended"},
        "cstr.complete": {"event_date": _date(today)},
        "cstr.revoke": {"event_date": _date(today), "reason": "Revoked on application"},
        "cstr.breach": {"event_date": _date(today), "reason": "Failed to comply"},
        "cstr.drug_test": {"tested_on": _date(today), "result": "negative"},
        "cstr.attendance": {"appointment_date": _date(today), "outcome": "attended"},
        "cstr.review": {
            "review_date": _date(today + timedelta(days=30)),
            "report_due": _date(today + timedelta(days=23)),
        },
        "cstr.review_report": {"report_sent_on": _date(today)},
    }
