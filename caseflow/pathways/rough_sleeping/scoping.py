"""Who sees a rough sleeping case, and the relationship the case gives its outreach team.

The outreach team assigned to a person's case has a legitimate relationship to the person
(``security.scope.related_through_pathway``) while the case is live, limited to what the pathway
needs: what it may see on the person page is decided by the permissions ``casenote.view`` and
``treatment_detail.view``, which outreach workers do not hold. Closing the case ends the
relationship: the team's work with the person is over, so the person leaves its sight (unless
another live case or another relationship keeps them there), while the case and its history stay
for subject access and the auditors. A case itself is seen by whoever may see its person.
"""

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, joinedload

from caseflow.extensions import db
from caseflow.notifications import Subject
from caseflow.pathways.rough_sleeping.codes import LIVE_STATUSES
from caseflow.pathways.rough_sleeping.models import RoughSleepingCase
from caseflow.people.models import Person
from caseflow.security.access import may_open
from caseflow.security.scope import related_through_pathway, route_names_person, visible_people


@related_through_pathway
def team_assigned(organisation_id, person_id_column):
    case = aliased(RoughSleepingCase)
    return exists().where(
        case.person_id == person_id_column,
        case.outreach_team_id == organisation_id,
        case.status.in_(LIVE_STATUSES),
    )


def _person_of(case_id) -> uuid.UUID | None:
    return db.session.scalar(
        select(RoughSleepingCase.person_id).where(RoughSleepingCase.id == case_id)
    )


route_names_person("rough_sleeping_id", _person_of)


def visible_cases(user):
    """A SQL condition on RoughSleepingCase: its person is one user may see."""
    return exists().where(Person.id == RoughSleepingCase.person_id, visible_people(user))


def may_see(user, case_id) -> bool:
    """Whether user may still see the case, after a change that may have ended that (closing
    ends the outreach team's relationship to the person)."""
    found = db.session.scalar(
        select(RoughSleepingCase.id).where(RoughSleepingCase.id == case_id, visible_cases(user))
    )
    return found is not None


def case_link(viewer, case_id) -> tuple[str, dict] | None:
    if not may_open(viewer, "rough_sleeping.show"):
        return None
    return ("rough_sleeping.show", {"rough_sleeping_id": case_id})


def cases_in_sight(viewer, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, Subject]:
    cases = db.session.scalars(
        select(RoughSleepingCase)
        .options(joinedload(RoughSleepingCase.person))
        .where(RoughSleepingCase.id.in_(case_ids), visible_cases(viewer))
    )
    return {
        case.id: Subject(
            f"{case.person.full_name}, rough sleeping case {case.reference}",
            case_link(viewer, case.id),
        )
        for case in cases
    }
