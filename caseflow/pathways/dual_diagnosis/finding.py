"""Who sees a dual diagnosis case, and finding one.

Who sees a case and its joint care plan (``visible_cases``): the organisation that referred,
the treatment provider holding the person's referral (its keyworkers), and the mental health
service while it holds the case (``SERVICE_HOLDS``: not once it declined). No one else: not an
outreach team or a probation unit related to the person some other way, not a manager, and not
emergency access, which reads the person's record but not this pathway's care-plan detail.
Out of sight is answered as absent (404) with an audited denial.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import joinedload, selectinload

from caseflow.audit.services import record, record_denial, record_independent
from caseflow.domain import NotFound
from caseflow.extensions import db
from caseflow.pathways.dual_diagnosis.codes import (
    LIVE_STATUSES,
    SERVICE_HOLDS,
)
from caseflow.pathways.dual_diagnosis.models import (
    DualDiagnosisCase,
    DualDiagnosisEvent,
    JointCarePlan,
)
from caseflow.pathways.dual_diagnosis.transitions import (
    holds_treatment_referral,
)
from caseflow.people.models import Person
from caseflow.security.access import Role, may_open, role_may
from caseflow.security.scope import (
    related_through_pathway,
    route_names_person,
    visible_people,
)

ENTITY = "dual_diagnosis_case"
PLAN_ENTITY = "dual_diagnosis_plan"


# The scope rule -----------------------------------------------------------------------------


@related_through_pathway
def holds_a_case(organisation_id, person_id_column):
    """The pathway's relationship: the organisation referred the person, or is the mental
    health service holding their case."""
    case = DualDiagnosisCase.__table__.alias("dd_case")
    return exists().where(
        case.c.person_id == person_id_column,
        or_(
            case.c.referring_organisation_id == organisation_id,
            and_(
                case.c.mental_health_service_id == organisation_id,
                case.c.status.in_(SERVICE_HOLDS),
            ),
        ),
    )


def _person_of(case_id) -> uuid.UUID | None:
    return db.session.scalar(
        select(DualDiagnosisCase.person_id).where(DualDiagnosisCase.id == case_id)
    )


route_names_person("dual_diagnosis_id", _person_of)


def visible_cases(actor, *, kept: bool = False) -> object:
    """A SQL condition on DualDiagnosisCase: the cases (and so the joint care plans) actor may
    see: a person actor may see, and a case actor's organisation is a party to. ``kept`` as for
    ``scope.visible_people``: the condition names only what ``scope_key(actor)`` does."""
    if not role_may(actor.role, "dual_diagnosis.view"):
        return false()
    organisation_id = actor.organisation_id
    parties = [
        DualDiagnosisCase.referring_organisation_id == organisation_id,
        and_(
            DualDiagnosisCase.mental_health_service_id == organisation_id,
            DualDiagnosisCase.status.in_(SERVICE_HOLDS),
        ),
    ]
    if actor.role == Role.KEYWORKER:
        parties.append(holds_treatment_referral(organisation_id, DualDiagnosisCase.person_id))
    # Its own Person, never the outer query's: a worklist joins the person to show the name.
    person = (
        exists()
        .where(Person.id == DualDiagnosisCase.person_id, visible_people(actor, kept=kept))
        .correlate_except(Person)
    )
    return and_(person, or_(*parties))


def case_link(viewer, case_id) -> tuple[str, dict] | None:
    """Where a case's page is, for a viewer who found it through ``visible_cases``."""
    if not may_open(viewer, "dual_diagnosis.show"):
        return None
    return ("dual_diagnosis.show", {"dual_diagnosis_id": case_id})


# Finding cases ------------------------------------------------------------------------------


def find_visible_case(actor, case_id: uuid.UUID) -> DualDiagnosisCase:
    case = db.session.scalar(
        select(DualDiagnosisCase)
        .where(DualDiagnosisCase.id == case_id, visible_cases(actor))
        .options(
            selectinload(DualDiagnosisCase.events).selectinload(DualDiagnosisEvent.actor),
            selectinload(DualDiagnosisCase.plan).selectinload(JointCarePlan.actions),
        )
    )
    if case is None:
        existing = _person_of(case_id)
        record_denial(
            actor=actor,
            entity_type=ENTITY,
            entity_id=case_id,
            person_id=existing,
            reason="out of scope" if existing else "not found",
        )
        raise NotFound("No such case")
    return case


def view_case(actor, case_id: uuid.UUID, *, page: str = "case", independent: bool = False):
    """The case for a page that shows it: one audited view. ``independent`` for a page sent
    with an error status, whose transaction is rolled back."""
    case = find_visible_case(actor, case_id)
    write = record_independent if independent else record
    write(
        "view",
        actor=actor,
        entity_type=PLAN_ENTITY if page.startswith("plan") else ENTITY,
        entity_id=case.id,
        person_id=case.person_id,
        purpose="caseload",
        outcome="success",
        detail={"page": page},
    )
    return case


def may_see(actor, case_id) -> bool:
    """Whether actor may still see the case, after a change that may have ended that."""
    found = db.session.scalar(
        select(DualDiagnosisCase.id).where(DualDiagnosisCase.id == case_id, visible_cases(actor))
    )
    return found is not None


@dataclass(frozen=True)
class PersonCases:
    """The person's cases this viewer may see (newest first), and whether the person has a
    live case anywhere (which a second referral would clash with)."""

    visible: list
    any_live: bool


def cases_of(actor, person) -> PersonCases:
    """One statement for the person page: every case of the person with whether this viewer
    may see it, each with its plan and service, and the history of those they may see (for the
    timeline; a case they may not see is read with no history)."""
    visible = visible_cases(actor)
    rows = (
        db.session.execute(
            select(DualDiagnosisCase, visible.label("visible"))
            .where(DualDiagnosisCase.person_id == person.id)
            .options(
                joinedload(DualDiagnosisCase.plan),
                joinedload(DualDiagnosisCase.mental_health_service),
                joinedload(DualDiagnosisCase.events.and_(visible)).options(
                    joinedload(DualDiagnosisEvent.actor),
                    joinedload(DualDiagnosisEvent.organisation),
                ),
            )
            .order_by(DualDiagnosisCase.created_at.desc(), DualDiagnosisCase.id)
        )
        .unique()
        .all()
    )
    return PersonCases(
        visible=[case for case, visible in rows if visible],
        any_live=any(case.status in LIVE_STATUSES for case, _visible in rows),
    )


def live_case_of(person_id) -> DualDiagnosisCase | None:
    return db.session.scalar(
        select(DualDiagnosisCase).where(
            DualDiagnosisCase.person_id == person_id,
            DualDiagnosisCase.status.in_(LIVE_STATUSES),
        )
    )


def write_history(actor, case, kind, *, to_status=None, changed=(), reason=None, event_date=None):
    db.session.add(
        DualDiagnosisEvent(
            case_id=case.id,
            person_id=case.person_id,
            kind=kind,
            from_status=None,
            to_status=to_status,
            actor_id=actor.id,
            organisation_id=actor.organisation_id,
            changed_fields=",".join(changed) or None,
            reason=reason,
            event_date=event_date,
        )
    )
