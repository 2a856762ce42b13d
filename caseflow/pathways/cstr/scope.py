"""Who sees a CSTR: the organisations party to it (the probation delivery unit that asked for
the assessment, the treatment provider and the mental health service asked to assess or named
on the order), and only while the person is in their sight by the one scope rule.

The same parties are the pathway's relationship to the person (``related_through_pathway``),
so a provider asked to assess someone it has never treated can open their page.
"""

import uuid

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from caseflow.extensions import db
from caseflow.pathways.cstr.models import CstrOrder
from caseflow.people.models import Person
from caseflow.security.access import role_may
from caseflow.security.scope import related_through_pathway, route_names_person, visible_people


def _party(model, organisation_id) -> ColumnElement[bool]:
    return or_(
        model.probation_id == organisation_id,
        model.provider_id == organisation_id,
        model.mental_health_service_id == organisation_id,
    )


@related_through_pathway
def holds_a_cstr(organisation_id, person_id_column) -> ColumnElement[bool]:
    order = aliased(CstrOrder)
    return exists().where(order.person_id == person_id_column, _party(order, organisation_id))


def visible_orders(user, *, kept: bool = False) -> ColumnElement[bool]:
    """A SQL condition on CstrOrder: the user's organisation is party to it and the person is
    in the user's sight. Roles without the pathway's view see none. ``kept`` as for
    ``scope.visible_people``."""
    if not role_may(user.role, "cstr.view"):
        return false()
    person_in_sight = exists(
        select(Person.id).where(Person.id == CstrOrder.person_id, visible_people(user, kept=kept))
    )
    return and_(_party(CstrOrder, user.organisation_id), person_in_sight)


def _person_of(order_id) -> uuid.UUID | None:
    return db.session.scalar(select(CstrOrder.person_id).where(CstrOrder.id == order_id))


route_names_person("cstr_id", _person_of)
