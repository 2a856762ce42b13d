"""The legitimate-relationship rule: which people a member of staff may see.

Every query of people and their records filters through ``visible_people``. A person out of
scope is answered as if absent (404), and the attempt is audited as a denial.
"""

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from caseflow.organisations.models import OrganisationKind, organisation_areas
from caseflow.people.models import CustodyEpisode, Person
from caseflow.security.access import CLINICAL_ROLES, Role


def visible_people(user) -> ColumnElement[bool]:
    """A SQL condition on Person that is true exactly for the people user may see."""
    if user.role not in CLINICAL_ROLES:
        return false()  # auditors and administrators see no clinical records
    organisation_id = user.organisation_id
    if user.role == Role.MANAGER:
        # A partnership sees people whose destination is one of its local authorities.
        partnership_areas = select(organisation_areas.c.local_authority_code).where(
            organisation_areas.c.organisation_id == organisation_id
        )
        return exists().where(
            and_(
                CustodyEpisode.person_id == Person.id,
                CustodyEpisode.destination_local_authority_code.in_(partnership_areas),
            )
        )
    holds_custody = exists().where(
        and_(CustodyEpisode.person_id == Person.id, CustodyEpisode.prison_id == organisation_id)
    )
    recorded_here = Person.recorded_by_organisation_id == organisation_id
    if user.organisation.kind == OrganisationKind.PRISON:
        # A prison's relationship is the episode it holds, so a transfer hands it on. Until the
        # first episode is added, the prison that recorded the person holds them.
        no_custody_yet = ~exists().where(CustodyEpisode.person_id == Person.id)
        return or_(holds_custody, and_(recorded_here, no_custody_yet))
    return or_(recorded_here, holds_custody)
