"""The dual diagnosis lifecycle as data (DOMAIN.md, Pathways): every status change of a case
is one row here, applied by ``caseflow.lifecycle.apply``, and nothing else changes its status.

    referred -> accepted (a care coordinator named) | declined (with a reason) | withdrawn
    accepted -> plan agreed (the joint care plan complete) | closed | withdrawn
    plan agreed -> plan agreed (a review: the next review date agreed) | closed

Three sides may act: the referrer (the organisation that recorded the need and referred), the
treatment provider holding the person's referral (their keyworker) and the mental health
service the case was referred to. The plan is agreed and reviewed by either service; only the
mental health service accepts, declines or closes its part.
"""

from sqlalchemy import exists, select

from caseflow.auth.models import User
from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition
from caseflow.extensions import db
from caseflow.lifecycle import Change, Lifecycle, Transition
from caseflow.models import utcnow
from caseflow.pathways.dual_diagnosis import forms, notifications
from caseflow.pathways.dual_diagnosis.codes import DeclineReason, Status
from caseflow.pathways.dual_diagnosis.models import (
    DualDiagnosisCase,
    DualDiagnosisEvent,
    JointCarePlan,
)
from caseflow.referrals.models import Referral
from caseflow.security.access import Role
from caseflow.security.scope import PROVIDER_HOLDS

REFERRER = "referrer"
TREATMENT = "treatment"  # the provider holding the person's referral
MENTAL_HEALTH = "mental_health"
BOTH_SERVICES = "both"  # told of a change: the referrer's side and the mental health service

REFUSALS = {
    Status.REFERRED: "This referral is waiting for the mental health service to answer.",
    Status.ACCEPTED: "The mental health service has accepted this referral.",
    Status.PLAN_AGREED: "The joint care plan has already been agreed.",
    Status.DECLINED: "The mental health service declined this referral.",
    Status.WITHDRAWN: "This referral was withdrawn.",
    Status.CLOSED: "This case is closed.",
}


def holds_treatment_referral(organisation_id, person_id_column):
    """A SQL condition: the organisation is the provider holding a referral for the person."""
    return exists().where(
        Referral.person_id == person_id_column,
        Referral.provider_id == organisation_id,
        Referral.status.in_(PROVIDER_HOLDS),
    )


def sides_of(actor, case: DualDiagnosisCase) -> set[str]:
    sides = set()
    if case.referring_organisation_id == actor.organisation_id:
        sides.add(REFERRER)
    if case.mental_health_service_id == actor.organisation_id:
        sides.add(MENTAL_HEALTH)
    if actor.role == Role.KEYWORKER and db.session.scalar(
        select(holds_treatment_referral(actor.organisation_id, case.person_id))
    ):
        sides.add(TREATMENT)
    return sides


# Checks ------------------------------------------------------------------------------------


def coordinator_in_service(case: DualDiagnosisCase, user_id) -> User:
    """A care coordinator is an active mental health practitioner of the service itself."""
    user = db.session.get(User, user_id) if user_id else None
    if (
        user is None
        or not user.active
        or user.role != Role.MENTAL_HEALTH
        or user.organisation_id != case.mental_health_service_id
    ):
        raise InvalidChange("Select a care coordinator from your service", "care_coordinator")
    return user


def _coordinator_named(_actor, case, inputs) -> None:
    coordinator_in_service(case, inputs.get("care_coordinator"))


def _decline_reason_allowed(_actor, _case, inputs) -> None:
    """Only the reasons NG58 allows (``DeclineReason``); "other" says what it is."""
    code = inputs.get("reason_code")
    if not DeclineReason.has(code):
        raise InvalidChange("Select why the referral is declined", "reason_code")
    if code == DeclineReason.OTHER and not (inputs.get("reason") or "").strip():
        raise InvalidChange("Enter the reason the referral is declined", "reason")


def plan_gaps(case: DualDiagnosisCase) -> list[str]:
    """What the joint care plan still needs before both services can agree it."""
    plan = case.plan
    gaps = []
    if case.care_coordinator_id is None:
        gaps.append("a named care coordinator")
    if plan is None or not (plan.needs or "").strip():
        gaps.append("the needs")
    if plan is None or not (plan.crisis_plan or "").strip():
        gaps.append("a crisis plan")
    if plan is None or plan.person_has_copy is None:
        gaps.append("whether the person has a copy")
    if plan is None or plan.review_date is None:
        gaps.append("an agreed review date")
    if plan is None or not plan.actions:
        gaps.append("at least one action with its owner and due date")
    return gaps


def _plan_complete(_actor, case, _inputs) -> None:
    gaps = plan_gaps(case)
    if gaps:
        raise InvalidTransition("The joint care plan needs " + ", ".join(gaps) + " first.")


def _review_dates(_actor, case, inputs) -> None:
    reviewed, following = inputs.get("reviewed_on"), inputs.get("next_review_date")
    if reviewed is None:
        raise InvalidChange("Enter the date of the review", "reviewed_on")
    if reviewed > local_today():
        raise InvalidChange("The date of the review must be today or in the past", "reviewed_on")
    if following is None:
        raise InvalidChange("Enter the date of the next review", "next_review_date")
    if following <= reviewed:
        raise InvalidChange(
            "The next review must be after the date of this review", "next_review_date"
        )


# Effects -----------------------------------------------------------------------------------


def _accepted(_actor, case, inputs) -> Change:
    def open_the_plan() -> None:
        # The joint care plan is opened blank when the service accepts: both services fill it in.
        if case.plan is None:
            case.plan = JointCarePlan(case_id=case.id, person_id=case.person_id)
            db.session.flush()

    return Change(
        columns={"answered_at": utcnow(), "care_coordinator_id": inputs["care_coordinator"]},
        then=(open_the_plan,),
    )


def _declined(_actor, _case, inputs) -> Change:
    return Change(columns={"answered_at": utcnow(), "decline_reason_code": inputs["reason_code"]})


def _agreed(_actor, case, _inputs) -> Change:
    def date_the_plan() -> None:
        case.plan.agreed_on = local_today()
        db.session.flush()

    return Change(history={"event_date": local_today()}, then=(date_the_plan,))


def _reviewed(_actor, case, inputs) -> Change:
    def move_the_review() -> None:
        case.plan.last_reviewed_on = inputs["reviewed_on"]
        case.plan.review_date = inputs["next_review_date"]
        db.session.flush()

    return Change(history={"event_date": inputs["reviewed_on"]}, then=(move_the_review,))


def _closed(_actor, _case, inputs) -> Change:
    return Change(columns={"closing_reason": inputs["reason_code"]})


ANY_SIDE = (REFERRER, TREATMENT, MENTAL_HEALTH)
SERVICES = (TREATMENT, MENTAL_HEALTH)

TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "accept",
            (Status.REFERRED,),
            Status.ACCEPTED,
            "dual_diagnosis.respond",
            (MENTAL_HEALTH,),
            label="Accept referral",
            title="Accept this referral and name a care coordinator",
            done_message="Referral accepted",
            form=forms.AcceptForm,
            group="progress",
            checks=(_coordinator_named,),
            effect=_accepted,
            notifies=REFERRER,
        ),
        Transition(
            "decline",
            (Status.REFERRED,),
            Status.DECLINED,
            "dual_diagnosis.respond",
            (MENTAL_HEALTH,),
            label="Decline referral",
            title="Decline this referral",
            done_message="Referral declined",
            form=forms.DeclineForm,
            group="ending",
            warning=True,
            checks=(_decline_reason_allowed,),
            effect=_declined,
            notifies=REFERRER,
        ),
        Transition(
            "agree_plan",
            (Status.ACCEPTED,),
            Status.PLAN_AGREED,
            "dual_diagnosis.plan",
            SERVICES,
            label="Record that both services agreed the plan",
            title="Record that both services agreed the joint care plan",
            done_message="Joint care plan agreed",
            form=forms.ConfirmForm,
            group="progress",
            checks=(_plan_complete,),
            effect=_agreed,
            notifies=BOTH_SERVICES,
        ),
        Transition(
            "review",
            (Status.PLAN_AGREED,),
            Status.PLAN_AGREED,
            "dual_diagnosis.plan",
            SERVICES,
            label="Record a review",
            title="Record a review of the joint care plan",
            done_message="Review recorded",
            form=forms.ReviewForm,
            group="progress",
            checks=(_review_dates,),
            effect=_reviewed,
            notifies=BOTH_SERVICES,
        ),
        Transition(
            "withdraw",
            (Status.REFERRED, Status.ACCEPTED),
            Status.WITHDRAWN,
            "dual_diagnosis.refer",
            (REFERRER,),
            label="Withdraw referral",
            title="Withdraw this referral",
            done_message="Referral withdrawn",
            form=forms.WithdrawForm,
            group="ending",
            warning=True,
            notifies=MENTAL_HEALTH,
        ),
        Transition(
            "close",
            (Status.ACCEPTED, Status.PLAN_AGREED),
            Status.CLOSED,
            "dual_diagnosis.respond",
            (MENTAL_HEALTH,),
            label="Close case",
            title="Close the mental health service's part of this case",
            done_message="Case closed",
            form=forms.CloseForm,
            group="ending",
            warning=True,
            effect=_closed,
            notifies=REFERRER,
        ),
    )
}


def _write_history(actor, case, transition: Transition, from_status, details) -> None:
    db.session.add(
        DualDiagnosisEvent(
            case_id=case.id,
            person_id=case.person_id,
            kind=transition.action,
            from_status=from_status,
            to_status=transition.to_status,
            actor_id=actor.id,
            organisation_id=actor.organisation_id,
            **details,
        )
    )


def _recipients(case: DualDiagnosisCase, side: str) -> list:
    told = []
    if side in (REFERRER, BOTH_SERVICES):
        told.append(case.referred_by_id)
    if side in (MENTAL_HEALTH, BOTH_SERVICES):
        if case.care_coordinator_id is not None:
            told.append(case.care_coordinator_id)
        else:
            told.extend(service_practitioners(case.mental_health_service_id))
    return told


def service_practitioners(organisation_id) -> list:
    """The active mental health practitioners of a service (told of a new referral)."""
    return list(
        db.session.scalars(
            select(User.id).where(
                User.organisation_id == organisation_id,
                User.role == Role.MENTAL_HEALTH,
                User.active.is_(True),
            )
        )
    )


DUAL_DIAGNOSIS_LIFECYCLE = Lifecycle(
    model=DualDiagnosisCase,
    entity_type="dual_diagnosis_case",
    purpose="caseload",
    transitions=TRANSITIONS,
    refusals=REFUSALS,
    sides_of=sides_of,
    write_history=_write_history,
    recipients=_recipients,
    notify=notifications.notify,
)
