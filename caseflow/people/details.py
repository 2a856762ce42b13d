"""Changing a person's details: who may, and the change itself.

The details are changed by the roles that hold people (``person.update``: prison healthcare and
probation, who add them) when their organisation has a relationship with the person. Emergency
access lets someone read the record and add case notes, not change it. The person page offers
the Change links only to those the service would let through (``may_change_details``).
"""

import uuid

from caseflow.audit.services import record, record_independent
from caseflow.domain import NotPermitted, StaleRecord
from caseflow.people import services
from caseflow.people.codes import PersonFlag
from caseflow.people.identifiers import compact
from caseflow.people.models import Person
from caseflow.security.access import role_may
from caseflow.security.scope import Basis, access_basis

CHANGE_REFUSED = "Your role does not change a person's details"
IDENTIFIER_FIELDS = ("nhs_number", "prison_number", "crn", "pnc_number")


def may_change_details(actor, person: Person) -> bool:
    """Whether the actor may change this person's details now (the person is in their sight)."""
    return (
        role_may(actor.role, "person.update")
        and access_basis(actor, person.id) == Basis.RELATIONSHIP
    )


def person_for_change(actor, person_id: uuid.UUID, *, independent: bool = False) -> Person:
    """The person, for the page that changes their details: one audited view. Refused
    (NotPermitted) without the role, or when the only basis is emergency access.

    ``independent`` is for a page sent with an error status, whose transaction is rolled back.
    """
    if not role_may(actor.role, "person.update"):
        raise NotPermitted(CHANGE_REFUSED)
    person = services.person_for_new_record(actor, person_id)
    write = record_independent if independent else record
    write(
        "view",
        actor=actor,
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        purpose="caseload",
        outcome="success",
        detail={"page": "change details"},
    )
    return person


def stored_values(person: Person) -> dict:
    """The person's details as the change form asks for them."""
    values = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    values["flags"] = [flag.value for flag in PersonFlag if getattr(person, flag.value)]
    return values


def change_details(actor, person_id: uuid.UUID, *, version: int | None, **fields) -> Person:
    """Save the person's details as given; audited with the names of the fields that changed.

    ``version`` is the one the form was shown with: a person changed since is a StaleRecord.
    """
    if not role_may(actor.role, "person.update"):
        raise NotPermitted(CHANGE_REFUSED)
    person = services.person_for_new_record(actor, person_id)
    if version is None or version != person.version:
        raise StaleRecord("Someone else changed this person's details")
    values = {name: fields.get(name) for name in services.PERSON_FIELDS}
    for name in IDENTIFIER_FIELDS:
        values[name] = compact(values[name]) if values[name] else None
    flags = {str(flag) for flag in fields.get("flags") or ()}
    values.update({flag.value: flag.value in flags for flag in PersonFlag})
    changed = sorted(name for name, value in values.items() if getattr(person, name) != value)
    # Only an identifier that changed can clash: an unchanged one is this person's own.
    services._identifier_clash(
        actor, {name: values[name] for name in services.IDENTIFIERS if name in changed}
    )
    for name in changed:
        setattr(person, name, values[name])
    if changed:
        record(
            "update",
            actor=actor,
            entity_type="person",
            entity_id=person.id,
            person_id=person.id,
            detail={"fields": changed},
        )
    return person
