"""A person's named contacts (DOMAIN.md, Records): whom the next person on shift calls.

The prison offender manager, the community offender manager (probation) and the assigned
keyworker, each with a name, a team and a phone number or email. Who records which is an
activity of its own (``PERMISSION_FOR``): the prison and probation keep the offender managers,
and the keyworker's provider keeps its keyworker, whom assigning a keyworker on a referral
records by itself (``referrals.services.assign_keyworker`` calls
``record_assigned_keyworker``). Recording needs a relationship with the person, not
emergency access (it changes the record). Everyone who sees the person sees their contacts,
on the person page and on the referral page. Each change is audited with the names of the
fields that changed, never their values, and is on the timeline.
"""

import uuid
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from caseflow import timeline
from caseflow.audit.services import record, record_independent
from caseflow.dates import as_utc
from caseflow.domain import InvalidChange, NotPermitted, StaleRecord
from caseflow.extensions import db
from caseflow.people import services
from caseflow.people.codes import ContactKind
from caseflow.people.models import NamedContact, Person
from caseflow.security.access import role_may
from caseflow.security.scope import Basis, access_basis
from caseflow.timeline import TimelineItem

# The activity that records each kind of contact (``security.access.PERMISSIONS``): the prison
# and probation keep the offender managers, a provider's keyworkers their own.
PERMISSION_FOR = {
    ContactKind.PRISON_OFFENDER_MANAGER: "contact.offender_manager",
    ContactKind.COMMUNITY_OFFENDER_MANAGER: "contact.offender_manager",
    ContactKind.KEYWORKER: "contact.keyworker",
}
# The page that records each kind: (endpoint, values besides the person).
PAGES = {
    ContactKind.PRISON_OFFENDER_MANAGER: (
        "people.change_contact",
        {"contact": "prison-offender-manager"},
    ),
    ContactKind.COMMUNITY_OFFENDER_MANAGER: (
        "people.change_contact",
        {"contact": "community-offender-manager"},
    ),
    ContactKind.KEYWORKER: ("people.change_keyworker_contact", {}),
}
KIND_OF_SLUG = {values["contact"]: kind for kind, (_endpoint, values) in PAGES.items() if values}
FIELDS = ("name", "team", "phone", "email")
NOT_YOURS = "Your role does not record this contact"


@dataclass(frozen=True)
class ContactShown:
    """One kind of contact as a page shows it: the contact if recorded, and whether this viewer
    may add or change it (then ``page`` is where)."""

    kind: ContactKind
    contact: NamedContact | None
    may_change: bool

    @property
    def page(self) -> tuple[str, dict]:
        return PAGES[self.kind]


def _may_record(actor, person_id: uuid.UUID, kind: ContactKind) -> bool:
    return (
        role_may(actor.role, PERMISSION_FOR[kind])
        and access_basis(actor, person_id) == Basis.RELATIONSHIP
    )


def _contacts_of(person_id: uuid.UUID) -> dict[str, NamedContact]:
    rows = db.session.scalars(
        select(NamedContact)
        .options(joinedload(NamedContact.changed_by))
        .where(NamedContact.person_id == person_id)
    )
    return {row.kind: row for row in rows}


def _contacts_shown(person: Person) -> dict[str, NamedContact]:
    """The contacts a page shows, read once for the request: the person page lists them in
    their section and dates them in its timeline, from the rows read with the person when it
    found them (``services.view_person``). (Changing one reads them afresh.)"""
    if "named_contacts" not in inspect(person).unloaded:
        return {row.kind: row for row in person.named_contacts}
    if not has_request_context():
        return _contacts_of(person.id)
    shown = g.setdefault("named_contacts_shown", {})
    if person.id not in shown:
        shown[person.id] = _contacts_of(person.id)
    return shown[person.id]


def contacts_for(actor, person: Person) -> list[ContactShown]:
    """The person's contacts in ``ContactKind`` order, for a viewer who sees the person (the
    caller found them through the scope rule)."""
    held = _contacts_shown(person)
    return [
        ContactShown(kind, held.get(kind.value), _may_record(actor, person.id, kind))
        for kind in ContactKind
    ]


def kind_of(slug: str) -> ContactKind:
    return KIND_OF_SLUG[slug]


def contact_for_change(
    actor, person_id: uuid.UUID, kind: ContactKind, *, independent: bool = False
) -> tuple[Person, NamedContact | None]:
    """The person and their contact of this kind (None if not recorded yet), for the page that
    adds or changes it: one audited view. Refused (NotPermitted) to a role that does not record
    this kind, or under emergency access only."""
    if not role_may(actor.role, PERMISSION_FOR[kind]):
        raise NotPermitted(NOT_YOURS)
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
        detail={"page": f"contact {kind.value}"},
    )
    return person, _contacts_of(person.id).get(kind.value)


def _save(actor, person_id, kind, values: dict, *, version, user_id=None) -> NamedContact:
    """Add or change the contact; audited with the fields that changed."""
    contact = _contacts_of(person_id).get(kind.value)
    if contact is None:
        contact = NamedContact(person_id=person_id, kind=kind.value, changed_by_id=actor.id)
        db.session.add(contact)
        changed = sorted(name for name in FIELDS if values.get(name))
        action = "create"
    else:
        if version is not None and version != contact.version:
            raise StaleRecord("Someone else changed this contact")
        changed = sorted(name for name in FIELDS if getattr(contact, name) != values.get(name))
        action = "update"
    for name in FIELDS:
        setattr(contact, name, values.get(name) or None)
    contact.user_id = user_id
    contact.changed_by_id = actor.id
    if action == "create" or changed:
        db.session.flush()
        record(
            action,
            actor=actor,
            entity_type="named_contact",
            entity_id=contact.id,
            person_id=person_id,
            detail={"kind": kind.value, "fields": changed},
        )
    return contact


def save_contact(
    actor, person_id: uuid.UUID, kind: ContactKind, *, version: int | None, **fields
) -> NamedContact:
    """Record the person's contact of this kind as given: a name, a team, and a phone number or
    an email (how to reach them is the point). ``version`` is the one the form was shown with;
    None for a contact not recorded when it was shown."""
    if not role_may(actor.role, PERMISSION_FOR[kind]):
        raise NotPermitted(NOT_YOURS)
    person = services.person_for_new_record(actor, person_id)
    values = {name: (fields.get(name) or None) for name in FIELDS}
    if not values["name"]:
        raise InvalidChange("Enter the contact's name", "name")
    if not values["phone"] and not values["email"]:
        raise InvalidChange("Enter a phone number or an email address", "phone")
    existing = _contacts_of(person.id).get(kind.value)
    if existing is not None and version is None:
        # The form was shown before anyone recorded this contact: someone has since.
        raise StaleRecord("Someone else recorded this contact")
    return _save(actor, person.id, kind, values, version=version)


def record_assigned_keyworker(actor, person_id: uuid.UUID, keyworker, team: str) -> None:
    """The keyworker assigned on a referral becomes the person's keyworker contact, reached at
    their Caseflow email; a phone number their team adds is kept while the keyworker is the
    same."""
    held = _contacts_of(person_id).get(ContactKind.KEYWORKER.value)
    phone = held.phone if held is not None and held.user_id == keyworker.id else None
    values = {
        "name": keyworker.display_name,
        "team": team,
        "phone": phone,
        "email": keyworker.email,
    }
    _save(
        actor,
        person_id,
        ContactKind.KEYWORKER,
        values,
        version=held.version if held is not None else None,
        user_id=keyworker.id,
    )


@timeline.entries
def contact_entries(_actor, person: Person) -> list[TimelineItem]:
    """Each contact's latest change: who recorded it and when (the audit log keeps every one)."""
    return [
        TimelineItem(
            as_utc(contact.updated_at),
            f"{ContactKind.label_of(contact.kind)} recorded as a named contact",
            f"{contact.changed_by.display_name}, {contact.changed_by.organisation.name}",
        )
        for contact in _contacts_shown(person).values()
    ]


@timeline.section("people/_contacts.html", order=5)
def contacts_section(actor, person: Person) -> dict:
    return {"contacts": contacts_for(actor, person)}
