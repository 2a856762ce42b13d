"""The operations on people: finding one within scope, adding a person, searching by exact
identifier, case notes. Each checks scope, changes, and audits. Custody episodes are in
``custody.py``, emergency access in ``break_glass.py``."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from caseflow import timeline
from caseflow.audit.services import filled_fields, record, record_denial, record_independent
from caseflow.domain import InvalidChange, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.kept_statements import KeptStatements
from caseflow.made_once import add_once, made_with
from caseflow.people.break_glass import active_grant, remember_grant
from caseflow.people.codes import PersonFlag
from caseflow.people.identifiers import compact
from caseflow.people.models import BreakGlassGrant, CaseNote, CustodyEpisode, NamedContact, Person
from caseflow.security.access import role_may
from caseflow.security.crypto import blind_index, normalise
from caseflow.security.scope import (
    Basis,
    access_basis,
    caseload_people,
    live_grant_id,
    scope_key,
    seen_with,
    viewing,
    visible_people,
)

IDENTIFIERS = ("nhs_number", "prison_number", "crn")


# The grant read with the person, for the emergency access banner (its own alias: the
# subquery choosing it reads the grants table too).
_live_grant = aliased(BreakGlassGrant, name="live_grant")

# The statements finding a person, built once for each scope (caseflow.kept_statements) and run
# with the person's id and the viewer bound (scope.viewing): building it, with the scope rule's
# conditions, and SQLAlchemy keying it cost more CPU than PostgreSQL takes to run it. A few per
# organisation and role (which loads it asks for), a few hundred organisations.
_PERSON_ID = bindparam("found_person_id", type_=Person.__table__.c.id.type)
kept = KeptStatements(1_000)


def _person_statement(actor, *, load_contacts: bool, ask_held: bool):
    held = timeline.held_columns(Person.id) if ask_held else []

    def build():
        query = (
            select(Person, _live_grant, caseload_people(actor).label("related"), *held)
            .outerjoin(_live_grant, _live_grant.id == live_grant_id(actor, Person.id, kept=True))
            .where(Person.id == _PERSON_ID, visible_people(actor, kept=True))
        )
        if load_contacts:
            # One of each kind at most: joined to the person's own row.
            query = query.options(
                joinedload(Person.named_contacts).joinedload(NamedContact.changed_by)
            )
        return query

    # The kinds of record asked about by name: each name's condition never changes once
    # registered (timeline.held), so the names say which columns the statement holds.
    key = (*scope_key(actor), load_contacts, tuple(column.name for column in held))
    return kept.built(key, build, dialect=db.session.get_bind().dialect.name)


def find_visible_person(
    actor,
    person_id: uuid.UUID,
    *,
    load_episodes: bool = False,
    load_contacts: bool = False,
    ask_held: bool = False,
) -> Person:
    """The person, if actor may see them. Otherwise NotFound, and an audited denial.

    One statement finds the person within scope, and says beside them whether the relationship
    rule or only emergency access lets actor in, with the live grant if any: the page and its
    audit rows ask no more about access. ``ask_held``, for the person page: the same statement
    says which kinds of record the person has at all (``timeline.held``), so the page reads
    none it has not.
    """
    statement = _person_statement(actor, load_contacts=load_contacts, ask_held=ask_held)
    parameters = {_PERSON_ID.key: person_id, **viewing(actor)}
    # all(), not first(): a joined collection is filled from every row.
    rows = db.session.execute(statement, parameters).unique().all()
    person, grant, related = rows[0][:3] if rows else (None, None, False)
    if person is not None:
        if ask_held:
            timeline.remember_held(person.id, rows[0][3:])
        seen_with(actor, person.id, related=related, granted=grant is not None)
        if grant is not None:
            remember_grant(actor, person.id, grant)
        if load_episodes and "episodes" not in inspect(person).dict:
            _load_episodes(person)
    if person is None:
        exists = db.session.get(Person, person_id) is not None
        record_denial(
            actor=actor,
            entity_type="person",
            entity_id=person_id,
            person_id=person_id if exists else None,
            reason="out of scope" if exists else "not found",
        )
        raise NotFound("No such person")
    return person


# A person's episodes, each with its prison, area and changes, by the person's id: built once
# (it holds no value of any request), so running it again builds no SQL expression and no
# cache key. What selectinload would run, without its loader's work for one parent.
_EPISODES = (
    select(CustodyEpisode)
    .where(CustodyEpisode.person_id == bindparam("person_id"))
    .options(
        joinedload(CustodyEpisode.changes),
        joinedload(CustodyEpisode.prison),
        joinedload(CustodyEpisode.destination),
    )
    .order_by(CustodyEpisode.reception_date.desc())
)


def _load_episodes(person: Person) -> None:
    episodes = db.session.scalars(_EPISODES, {"person_id": person.id}).unique()
    set_committed_value(person, "episodes", list(episodes))


# What emergency access allows: reading the record and adding case notes. Custody episodes and
# referrals would make the organisation a party to the person's care, which a relationship must
# do, not an hour's emergency access.
EMERGENCY_ACCESS_ONLY = (
    "You are using emergency access to this person. It lets you read their record and add "
    "case notes, not start a custody episode or a referral."
)


def person_for_new_record(actor, person_id: uuid.UUID, *, load_episodes: bool = False) -> Person:
    """The person, for starting a record that would tie the actor's organisation to them.

    Refused (NotPermitted) when the only basis is emergency access.
    """
    person = find_visible_person(actor, person_id, load_episodes=load_episodes)
    if access_basis(actor, person.id) == Basis.BREAK_GLASS:
        record_denial(
            actor=actor,
            entity_type="person",
            entity_id=person.id,
            person_id=person.id,
            reason="emergency access only",
        )
        raise NotPermitted(EMERGENCY_ACCESS_ONLY)
    return person


def emergency_access(actor, person_id: uuid.UUID) -> "BreakGlassGrant | None":
    """The grant that lets actor see this person, when it is the only basis they have."""
    if access_basis(actor, person_id) != Basis.BREAK_GLASS:
        return None
    return active_grant(actor, person_id)


def view_person(
    actor, person_id: uuid.UUID, *, page: str = "person", starting_record: bool = False
) -> Person:
    """The person for a page that shows them: one audited view.

    ``starting_record`` is for the form that starts a custody episode or a referral, which
    emergency access does not allow.
    """
    if starting_record:
        person = person_for_new_record(actor, person_id, load_episodes=True)
    else:
        person = find_visible_person(
            actor, person_id, load_episodes=True, load_contacts=True, ask_held=True
        )
    record(
        "view",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        purpose="caseload",
        detail={"page": page},
        actor=actor,
    )
    return person


def _identifier_clash(actor, fields: dict) -> None:
    """Refuse a second record of someone already held, and audit that a match was shown."""
    for name in IDENTIFIERS:
        value = fields.get(name)
        if not value:
            continue
        column = getattr(Person, f"{name}_index")
        existing = db.session.scalar(select(Person.id).where(column == blind_index(name, value)))
        if existing is not None:
            # Saying "already recorded" discloses that Caseflow holds the person: audited.
            record_independent(
                "search",
                actor=actor,
                entity_type="person",
                person_id=existing,
                detail={"by": name, "during": "add person", "results": 1},
                outcome="success",
            )
            raise InvalidChange(
                "Someone with this identifier is already recorded. Search for them instead.", name
            )


PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "prison_number",
    "crn",
    "pnc_number",
    "address",
    "phone",
    "sex",
    "ethnic_group",
)


def create_person(actor, *, token: str | None = None, **fields) -> Person:
    """A new person, recorded by the actor's organisation. The same form sent twice (same
    token), even at the same moment, adds one person (caseflow.made_once)."""
    if not role_may(actor.role, "person.create"):
        raise NotPermitted("Only prison healthcare and probation add people")
    # Before the identifier check: the person the first sending added has those identifiers.
    existing = made_with(Person, token)
    if existing is not None:
        return existing
    values = {name: fields.get(name) for name in PERSON_FIELDS}
    flags = fields.get("flags") or ()
    values.update({flag.value: flag in flags for flag in PersonFlag})
    for name in ("nhs_number", "prison_number", "crn", "pnc_number"):
        if values[name]:
            values[name] = compact(values[name])
    _identifier_clash(actor, values)
    person, made = add_once(
        Person(recorded_by_organisation_id=actor.organisation_id, creation_token=token, **values)
    )
    if not made:
        return person
    record(
        "create",
        actor=actor,
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        detail={"fields": filled_fields(values)},
    )
    return person


@dataclass(frozen=True)
class PossibleDuplicates:
    """People already recorded with the name and date of birth of someone being added, among
    those the actor may open. Anyone outside their caseload is never mentioned: a name and date
    of birth must not tell whether Caseflow holds someone, nor open emergency access (only the
    exact search by an identifier offers that)."""

    visible: list[Person]

    def __bool__(self) -> bool:
        return bool(self.visible)


@dataclass(frozen=True)
class Added:
    """What adding a person came to: the person, or the possible duplicates to warn about."""

    person: Person | None
    duplicates: PossibleDuplicates | None = None


def possible_duplicates(
    actor, *, given_name: str, family_name: str, date_of_birth: date
) -> PossibleDuplicates:
    """Who, among the people the actor may open, is already recorded with this family name,
    date of birth and given name.

    The family name and date of birth are matched through their blind index, within scope; the
    few people found are then compared by given name in memory (it has no index of its own).
    Saying that someone is recorded discloses that Caseflow holds them, so a match is audited
    like a search.
    """
    index = blind_index("name_dob", family_name, date_of_birth.isoformat())
    same_name = normalise("name", given_name)
    # Only people in scope are loaded, so no one else's name is ever decrypted.
    in_scope = select(Person).where(Person.name_dob_index == index, visible_people(actor))
    visible = [
        person
        for person in db.session.scalars(in_scope)
        if normalise("name", person.given_name) == same_name
    ]
    if not visible:
        return PossibleDuplicates(visible=[])
    record_independent(
        "search",
        actor=actor,
        entity_type="person",
        person_id=visible[0].id if len(visible) == 1 else None,
        detail={"by": "name_dob", "during": "add person", "results": len(visible)},
        outcome="success",
    )
    return PossibleDuplicates(visible=visible)


def add_person(actor, *, token: str | None = None, confirmed_new: bool = False, **fields) -> Added:
    """The add-a-person form: a person with no NHS number, prison number or CRN who has the
    name and date of birth of someone already recorded is not added until the actor confirms
    they are someone else; until then the page warns and offers the record found."""
    if not role_may(actor.role, "person.create"):
        raise NotPermitted("Only prison healthcare and probation add people")
    existing = made_with(Person, token)
    if existing is not None:
        return Added(existing)
    identified = any(fields.get(name) for name in IDENTIFIERS)
    if not identified and not confirmed_new and fields.get("date_of_birth"):
        duplicates = possible_duplicates(
            actor,
            given_name=fields.get("given_name") or "",
            family_name=fields.get("family_name") or "",
            date_of_birth=fields["date_of_birth"],
        )
        if duplicates:
            return Added(None, duplicates)
    return Added(create_person(actor, token=token, **fields))


@dataclass
class SearchResult:
    people: list[Person]
    searched_by: str
    # An exact identifier matched someone outside the searcher's caseload: emergency access
    # (break-glass) may be offered for that one person.
    out_of_scope_match: uuid.UUID | None = None


def search(
    actor,
    *,
    nhs_number: str | None = None,
    prison_number: str | None = None,
    crn: str | None = None,
    family_name: str | None = None,
    date_of_birth: date | None = None,
) -> SearchResult:
    """Exact-match search through the blind indexes, within the actor's scope."""
    if nhs_number:
        searched_by, condition = (
            "nhs_number",
            Person.nhs_number_index == blind_index("nhs_number", compact(nhs_number)),
        )
    elif prison_number:
        searched_by, condition = (
            "prison_number",
            Person.prison_number_index == blind_index("prison_number", prison_number),
        )
    elif crn:
        searched_by, condition = "crn", Person.crn_index == blind_index("crn", crn)
    elif family_name and date_of_birth:
        searched_by, condition = (
            "name_dob",
            Person.name_dob_index
            == blind_index("name_dob", family_name, date_of_birth.isoformat()),
        )
    else:
        raise InvalidChange("Enter something to search by", "nhs_number")

    shown = list(db.session.scalars(select(Person).where(condition, visible_people(actor))))
    shown_ids = {person.id for person in shown}
    withheld = [
        person_id
        for person_id in db.session.scalars(select(Person.id).where(condition))
        if person_id not in shown_ids
    ]
    detail = {"by": searched_by, "results": len(shown)}
    if withheld:
        # A match out of scope is a denial: one row for the whole search, kept whatever happens.
        detail["withheld"] = len(withheld)
        record_independent(
            "search",
            actor=actor,
            entity_type="person",
            person_id=withheld[0] if len(withheld) == 1 else None,
            detail=detail,
        )
    else:
        record("search", actor=actor, entity_type="person", detail=detail)
    offer = (
        withheld[0]
        if len(withheld) == 1
        and searched_by in IDENTIFIERS
        and role_may(actor.role, "break_glass.use")
        else None
    )
    return SearchResult(people=shown, searched_by=searched_by, out_of_scope_match=offer)


def add_case_note(actor, person_id: uuid.UUID, *, text: str, token: str | None = None):
    """A case note on the person's timeline. The same form sent twice (same token), even at
    the same moment, adds one note (caseflow.made_once)."""
    existing = made_with(CaseNote, token)
    if existing is not None:
        return existing
    person = find_visible_person(actor, person_id)
    note, made = add_once(
        CaseNote(
            person_id=person.id,
            author_id=actor.id,
            organisation_id=actor.organisation_id,
            text=text,
            creation_token=token,
        )
    )
    if not made:
        return note
    record(
        "create",
        actor=actor,
        entity_type="case_note",
        entity_id=note.id,
        person_id=person.id,
        detail={"fields": ["text"]},
    )
    return note
