"""Subject access: one export of everything Caseflow holds about a person, and who accessed it.

This is the one place clinical content leaves the pages. The auditor finds the person by NHS
number or prison number (a POSTed form, never a URL) and downloads one JSON file:

``person``            every field of the record, decrypted (blind indexes left out: they are
                      keyed hashes, not information about the person)
``custody_episodes``  each episode, with its ``changes`` (what changed, from, to, why, by whom)
``referrals``         each referral, decrypted, with its ``events`` and ``appointments``
``notifications``     each notification staff were sent about one of the person's records,
                      naming the record by type and id
``case_notes``        each note, decrypted
``break_glass``       each emergency access to the record, with its reason
``access_log``        every audit row about the person, oldest first: when (UTC), who (name,
                      role, organisation), what (action, record), why (purpose), outcome;
                      this export is the last of them
``staff`` / ``organisations``  the names behind every staff and organisation id above

JSON rather than CSV because the record is nested (episodes hold changes, referrals hold events);
a flat file would repeat or lose that shape. The export is audited as action "export", purpose
"subject access", with how many of each kind of record it holds.
"""

import contextlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.audit.services import record
from caseflow.auditor.log import find_person_id
from caseflow.auth.models import User
from caseflow.dates import as_utc
from caseflow.domain import InvalidChange
from caseflow.extensions import db
from caseflow.organisations.models import Organisation
from caseflow.people.models import Person
from caseflow.personal_data import records_of
from caseflow.security.access import Role
from caseflow.security.crypto import Encrypted

PURPOSE = "subject access"
FORMAT = "caseflow-subject-access-1"
# Bookkeeping columns that say nothing about the person.
LEFT_OUT = {"version", "creation_token"}
# Ids that name another record in this export rather than a member of staff or an organisation.
RECORD_IDS = {"id", "person_id", "episode_id", "referral_id", "grant_id", "record_id"}


def _plain(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def fields_of(obj) -> dict:
    """Every stored field of a record, encrypted ones opened, in column order."""
    model = type(obj)
    values = {}
    for attribute in sa_inspect(model).column_attrs:
        name = attribute.key
        if name.startswith("_") and isinstance(getattr(model, name[1:], None), Encrypted):
            name = name[1:]
        if name in LEFT_OUT or name.endswith("_index"):
            continue
        values[name] = _plain(getattr(obj, name))
    return values


@dataclass
class SubjectAccessExport:
    person_id: uuid.UUID
    filename: str
    content: bytes
    counts: dict


def _access_log(person_id: uuid.UUID) -> list[dict]:
    rows = db.session.execute(
        select(AuditEvent, User.display_name, Organisation.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .where(AuditEvent.person_id == person_id)
        .order_by(AuditEvent.id)
    ).all()
    return [_access_entry(event, name, organisation) for event, name, organisation in rows]


def _access_entry(event: AuditEvent, name: str | None, organisation: str | None) -> dict:
    return {
        "id": event.id,
        "when_utc": _plain(event.occurred_at),
        "who": name,
        "user_id": _plain(event.user_id),
        "role": Role.label_of(event.role) if event.role else None,
        "organisation": organisation,
        "action": event.action,
        "record_type": event.entity_type,
        "record_id": event.entity_id,
        "purpose": event.purpose,
        "outcome": event.outcome,
    }


def _names_behind(document: dict) -> tuple[dict, dict]:
    """The staff and organisations named by id anywhere in the export."""
    ids: set[uuid.UUID] = set()

    def collect(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("_id") and key not in RECORD_IDS and isinstance(item, str):
                    with contextlib.suppress(ValueError):
                        ids.add(uuid.UUID(item))
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(document)
    if not ids:
        return {}, {}
    staff = {
        str(user.id): {
            "name": user.display_name,
            "role": Role.label_of(user.role),
            "organisation_id": str(user.organisation_id),
        }
        for user in db.session.scalars(select(User).where(User.id.in_(ids)))
    }
    organisation_ids = ids | {uuid.UUID(entry["organisation_id"]) for entry in staff.values()}
    organisations = {
        str(organisation.id): organisation.name
        for organisation in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(organisation_ids))
        )
    }
    return staff, organisations


def _record_of(person: Person) -> dict:
    """The person and every record each domain registered as holding their data."""
    return {"person": fields_of(person), **records_of(person.id, fields_of)}


def export_subject_access(
    actor, *, nhs_number: str | None = None, prison_number: str | None = None
) -> SubjectAccessExport:
    """Everything held about the person with these identifiers, and every access to it.

    A search that finds no one is audited as such and answered with InvalidChange naming the
    field, for the page to show beside it.
    """
    given = {"nhs_number": nhs_number, "prison_number": prison_number}
    searched_by = [name for name, value in given.items() if value]
    try:
        person_id = find_person_id(nhs_number, prison_number)
    except InvalidChange:
        record(
            "search",
            actor=actor,
            entity_type="person",
            purpose=PURPOSE,
            detail={"by": searched_by, "results": 0},
        )
        raise
    if person_id is None:
        raise InvalidChange("Enter an NHS number or a prison number", "nhs_number")
    person = db.session.get(Person, person_id)
    document = _record_of(person)
    access_log = _access_log(person.id)
    counts = {
        **{name: len(records) for name, records in document.items() if name != "person"},
        "access_log": len(access_log) + 1,
    }
    # Recorded before the file is made, so the export is the last entry of its own access log.
    export_row = record(
        "export",
        actor=actor,
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        purpose=PURPOSE,
        detail={"by": searched_by, "format": "json", **counts},
    )
    db.session.flush()
    access_log.append(_access_entry(export_row, actor.display_name, actor.organisation.name))
    generated = datetime.now(UTC)
    document = {
        "format": FORMAT,
        "generated_at_utc": generated.isoformat(timespec="seconds"),
        "generated_by_user_id": str(actor.id),
        **document,
        "access_log": access_log,
    }
    document["staff"], document["organisations"] = _names_behind(document)
    content = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    return SubjectAccessExport(
        person_id=person.id,
        filename=f"subject-access-{person.id}-{generated:%Y%m%d}.json",
        content=content,
        counts=counts,
    )
