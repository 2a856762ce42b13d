"""The dual diagnosis worklists, sorted, filtered and paged in SQL (``caseflow.kept_pages``).

* Referrals to answer: the mental health service's referrals waiting for it (its home page).
* Reviews and missed appointments: overdue reviews of agreed plans, and missed appointments on
  the person's treatment referral not yet followed up. The same list is on both services'
  worklists: the mental health service's, and the keyworkers' (their one dual diagnosis tab).
* Caseload: the cases the viewer's service is caring for.

Each list's statement is built once for the day and everyone with the viewer's ``scope_key``
(the scope rule's conditions kept with the viewer as a parameter), and run again.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from caseflow import worklist_tabs
from caseflow.audit.services import record
from caseflow.dates import local_today
from caseflow.kept_pages import kept_page
from caseflow.paging import Page
from caseflow.pathways.dual_diagnosis.codes import LIVE_STATUSES, Status
from caseflow.pathways.dual_diagnosis.finding import visible_cases
from caseflow.pathways.dual_diagnosis.models import (
    DualDiagnosisCase,
    JointCarePlan,
)
from caseflow.pathways.dual_diagnosis.plans import (
    has_missed_appointment,
    missed_for,
    review_overdue,
)

# The referral lists are each role's first tabs (a keyworker's home stays "Incoming
# referrals"): they are registered before this pathway's, whichever module is loaded first.
from caseflow.referrals import worklists as _referral_worklists  # noqa: F401
from caseflow.security.access import Role
from caseflow.security.scope import scope_key, viewing

PAGE_SIZE = 25


def _cases(actor):
    return (
        select(DualDiagnosisCase)
        .join(DualDiagnosisCase.person)
        .outerjoin(DualDiagnosisCase.plan)
        .options(
            contains_eager(DualDiagnosisCase.person),
            contains_eager(DualDiagnosisCase.plan),
            selectinload(DualDiagnosisCase.mental_health_service),
        )
        .where(visible_cases(actor, kept=True))
    )


def to_answer(actor, today: date):
    """Referred to the viewer's own service and not yet answered, oldest first."""
    return (
        _cases(actor)
        .where(
            DualDiagnosisCase.status == Status.REFERRED,
            DualDiagnosisCase.mental_health_service_id == actor.organisation_id,
        )
        .order_by(DualDiagnosisCase.referred_at, DualDiagnosisCase.id)
    )


def due(actor, today: date):
    """A review overdue, or a missed appointment to follow up; the longest overdue first."""
    overdue = and_(
        DualDiagnosisCase.status == Status.PLAN_AGREED, JointCarePlan.review_date < today
    )
    missed = has_missed_appointment()
    return (
        _cases(actor)
        .where(or_(overdue, missed))
        .order_by(JointCarePlan.review_date.asc().nulls_last(), DualDiagnosisCase.id)
    )


def caseload(actor, today: date):
    """Open cases, the soonest review first."""
    return (
        _cases(actor)
        .where(DualDiagnosisCase.status.in_(LIVE_STATUSES))
        .order_by(
            JointCarePlan.review_date.asc().nulls_last(),
            DualDiagnosisCase.referred_at,
            DualDiagnosisCase.id,
        )
    )


@dataclass(frozen=True)
class Worklist:
    endpoint: str
    title: str
    query: object
    roles: tuple[str, ...]
    empty: str


WORKLISTS = {
    "to_answer": Worklist(
        "dual_diagnosis.referrals_to_answer",
        "Referrals to answer",
        to_answer,
        (Role.MENTAL_HEALTH,),
        "No referrals are waiting for your service.",
    ),
    "due": Worklist(
        "dual_diagnosis.due",
        "Dual diagnosis: reviews and missed appointments",
        due,
        (Role.MENTAL_HEALTH, Role.KEYWORKER),
        "No reviews are overdue and no missed appointment is waiting to be followed up.",
    ),
    "caseload": Worklist(
        "dual_diagnosis.caseload",
        "Dual diagnosis caseload",
        caseload,
        (Role.MENTAL_HEALTH,),
        "No open dual diagnosis cases.",
    ),
}

for _list in WORKLISTS.values():
    worklist_tabs.worklist(_list.endpoint, _list.title, _list.roles)


@dataclass(frozen=True)
class Row:
    case: DualDiagnosisCase
    review_overdue: bool
    missed: list


def show(actor, name: str, page: int = 1) -> tuple[Worklist, Page]:
    """One page of a list, each row with what is due; one audit row for the list."""
    today = local_today()
    chosen = WORKLISTS[name]
    shown = kept_page(
        ("dual diagnosis", name, today, scope_key(actor)),
        lambda: chosen.query(actor, today),
        page,
        size=PAGE_SIZE,
        params=viewing(actor),
        generic_plan=True,
    )
    missed = missed_for(shown.rows)
    shown.rows = [Row(case, review_overdue(case, today), missed[case.id]) for case in shown.rows]
    record(
        "list",
        actor=actor,
        entity_type="worklist",
        entity_id=f"dual-diagnosis-{name}",
        purpose="caseload",
        detail={"rows": len(shown.rows)},
    )
    return chosen, shown
