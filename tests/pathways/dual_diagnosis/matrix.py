"""The dual diagnosis routes' part of the route matrix (tests/security/test_route_matrix.py): a
case in the state each route acts on, for "own" one the signed-in organisation is a party to
(it referred the person, it is the mental health service holding the case, or, for a keyworker,
its provider holds the person's referral and referred them), a stranger's for "other"; and a
form each POST route would accept."""

from datetime import timedelta

from sqlalchemy import select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import OrganisationKind
from caseflow.pathways.dual_diagnosis import plans
from caseflow.pathways.dual_diagnosis.codes import PLAN_STATUSES, Status
from caseflow.pathways.dual_diagnosis.models import (
    CarePlanAction,
    DualDiagnosisCase,
    JointCarePlan,
)
from caseflow.referrals.codes import Status as ReferralStatus
from caseflow.referrals.models import Referral
from caseflow.security.access import Role
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    ReferralFactory,
    UserFactory,
)
from tests.pathways.dual_diagnosis.world import mental_health_service

HOME_AREA = "E08000025"

# The status each route's "own" case is in, so its POST is one the service takes; any other
# route gets an accepted case with its plan complete.
STATE = {
    "dual_diagnosis.accept": Status.REFERRED,
    "dual_diagnosis.decline": Status.REFERRED,
    "dual_diagnosis.withdraw": Status.REFERRED,
    "dual_diagnosis.edit_need": Status.REFERRED,
    "dual_diagnosis.review": Status.PLAN_AGREED,
}


def _person_and_referrer(world, own: bool):
    if not own:
        person = world.person(False)
        prison = world.episode_of(person).prison
        return person, prison, UserFactory(role=Role.PRISON_HEALTHCARE, organisation=prison)
    if world.kind == OrganisationKind.TREATMENT_PROVIDER:
        person = world.referral(True, ReferralStatus.ACCEPTED).person
        return person, world.organisation, world.user
    if world.kind == OrganisationKind.MENTAL_HEALTH:
        # The service's own case: referred to it by the prison holding the person.
        person = world.person(False)
        prison = world.episode_of(person).prison
        return person, prison, UserFactory(role=Role.PRISON_HEALTHCARE, organisation=prison)
    return world.person(True), world.organisation, world.user


def case(world, endpoint: str, own: bool) -> DualDiagnosisCase:
    person, referrer, referrer_user = _person_and_referrer(world, own)
    if own and world.kind == OrganisationKind.MENTAL_HEALTH:
        service = world.organisation
    else:
        service = OrganisationFactory(kind=OrganisationKind.MENTAL_HEALTH)
    status = STATE.get(endpoint, Status.ACCEPTED)
    coordinator = (
        world.user
        if service.id == world.organisation.id
        else UserFactory(role=Role.MENTAL_HEALTH, organisation=service)
    )
    episode = world.episode_of(person)
    record = DualDiagnosisCase(
        person_id=person.id,
        episode_id=episode.id if episode else None,
        referring_organisation_id=referrer.id,
        referred_by_id=referrer_user.id,
        mental_health_service_id=service.id,
        status=status,
        care_coordinator_id=None if status == Status.REFERRED else coordinator.id,
        need_category="depression",
        need_severity="moderate",
        assessed_by="Matrix assessor",
        assessed_on=local_today() - timedelta(days=3),
    )
    db.session.add(record)
    db.session.flush()
    if status in PLAN_STATUSES:
        plan = JointCarePlan(
            case_id=record.id,
            person_id=person.id,
            needs="Low mood and opiate use",
            crisis_plan="Call the crisis line",
            person_has_copy=True,
            review_date=local_today() + timedelta(days=28),
        )
        db.session.add(plan)
        db.session.flush()
        db.session.add(
            CarePlanAction(
                plan_id=plan.id,
                description="Weekly visit",
                owner="Care coordinator",
                due_on=local_today() + timedelta(days=7),
                added_by_id=coordinator.id,
                organisation_id=service.id,
            )
        )
        db.session.flush()
    if endpoint == "dual_diagnosis.follow_up":
        _missed_appointment(person, episode)
    return record


def action_of(record: DualDiagnosisCase) -> CarePlanAction:
    """The action of the case's plan that the action routes ("plan_action_id") change."""
    return db.session.scalars(
        select(CarePlanAction)
        .join(JointCarePlan, JointCarePlan.id == CarePlanAction.plan_id)
        .where(JointCarePlan.case_id == record.id)
        .order_by(CarePlanAction.due_on)
    ).first()


def _missed_appointment(person, episode) -> None:
    """A did-not-attend on the person's treatment referral, to be followed up."""
    referral = db.session.scalar(select(Referral).where(Referral.person_id == person.id))
    if referral is None:
        referral = ReferralFactory(episode=episode, person=person, status="accepted")
    AppointmentFactory(referral=referral, appointment_date=local_today(), outcome="did_not_attend")


def _missed_id(record) -> str:
    if not isinstance(record, DualDiagnosisCase):
        return ""
    missed = plans.missed_appointments(record)
    return str(missed[0].id) if missed else ""


def post_forms(world, target, token) -> dict:
    today = local_today()

    def day(offset: int = 0) -> list[str]:
        moment = today + timedelta(days=offset)
        return [str(moment.day), str(moment.month), str(moment.year)]

    need = {
        "need_category": "anxiety",
        "need_severity": "mild",
        "assessed_by": "Dr Matrix",
        "assessed_on": day(-1),
    }
    record = target.record
    version = str(getattr(record, "version", 1) or 1)
    forms = {
        "dual_diagnosis.edit_need": {**need, "version": version},
        "dual_diagnosis.accept": {"care_coordinator": str(world.user.id)},
        "dual_diagnosis.name_coordinator": {"care_coordinator": str(world.user.id)},
        "dual_diagnosis.decline": {"reason_code": "out_of_area"},
        "dual_diagnosis.agree_plan": {},
        "dual_diagnosis.review": {"reviewed_on": day(), "next_review_date": day(56)},
        "dual_diagnosis.withdraw": {"reason": "Made in error"},
        "dual_diagnosis.close": {"reason_code": "needs_met"},
        "dual_diagnosis.add_action": {
            "description": "Call weekly",
            "owner": "Keyworker",
            "due_on": day(7),
            "token": token("dual_diagnosis_action", "dual_diagnosis_id"),
        },
        "dual_diagnosis.follow_up": {
            "appointment": _missed_id(record),
            "followed_up_on": day(),
            "note": "Phoned",
        },
    }
    if isinstance(record, DualDiagnosisCase) and record.plan is not None:
        forms["dual_diagnosis.edit_plan"] = {
            "version": str(record.plan.version or 1),
            "needs": "Needs again",
            "crisis_plan": "Crisis line",
            "person_has_copy": "yes",
            "review_date": day(30),
        }
    if "plan_action_id" in target.values and isinstance(record, DualDiagnosisCase):
        action_version = str(action_of(record).version)
        forms["dual_diagnosis.edit_action"] = {
            "version": action_version,
            "description": "Call twice a week",
            "owner": "Care coordinator",
            "due_on": day(14),
        }
        forms["dual_diagnosis.action_done"] = {"version": action_version, "done_on": day()}
    if "person_id" in target.values:
        forms["dual_diagnosis.new_case"] = {
            **need,
            "mental_health_service": str(mental_health_service(HOME_AREA).id),
            "token": token("dual_diagnosis_case", "person_id"),
        }
    return forms
