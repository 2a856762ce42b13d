"""The legitimate-relationship rule: which people and referrals a member of staff may see.

Every query of people, referrals and their records filters through ``visible_people`` or
``visible_referrals``. Anything out of scope is answered as if absent (404), and the attempt is
audited as a denial. Subqueries use their own aliases, so a condition can sit in a query that
already joins custody episodes or referrals.

Two bases of access, kept apart:

- a relationship (``caseload_people``): the organisation holds a custody episode, is a party to a
  referral, recorded the person, or (managers and probation) covers their destination;
- emergency access (break-glass): one user, one person, one hour.

Emergency access is decided when a statement runs, not when it is built: the moment is a bind
parameter evaluated at each execution (``_NOW``), and in a condition asked for with
``kept=True`` so is the viewer (``VIEWER``, given by ``viewing(user)`` in the parameters the
statement runs with). Such a condition holds nothing of a user or a moment, so a statement
holding it can be kept for everyone with the same ``scope_key`` and run again: an hour that has
ended is ended at the next run, and one user's grant is never another's.

Emergency access never becomes a relationship. Records are not started under it (see
``access_basis`` and ``people.services.person_for_new_record``), and every access whose only
basis is a grant is audited with the purpose "break-glass" (``caseflow.audit.services``). When
the hour ends the person is out of scope again.

A provider's relationship to a referral starts when the referral is sent to it and ends when it
is redirected elsewhere, rejected or withdrawn: a draft belongs to its referrer alone, whatever
provider it names.
"""

import uuid
from collections.abc import Callable
from enum import StrEnum

from flask import g, has_request_context
from sqlalchemy import ColumnElement, and_, bindparam, exists, false, or_, select
from sqlalchemy.orm import aliased

from caseflow.audit import services as audit_services
from caseflow.extensions import db
from caseflow.kept_statements import KeptStatements
from caseflow.models import utcnow
from caseflow.organisations.models import OrganisationKind, organisation_areas
from caseflow.people.models import BreakGlassGrant, CustodyEpisode, Person
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Appointment, Referral
from caseflow.security.access import CLINICAL_ROLES, Role

# The statuses in which the provider named on a referral holds it. Drafts were never sent;
# a rejected or withdrawn referral was given back; a redirect names the new provider instead.
PROVIDER_HOLDS = (Status.SENT, Status.ACCEPTED, Status.ENGAGED, Status.CLOSED)


# The subqueries' own aliases, built once: building an alias adapts every column of its table,
# and doing that on every call cost about 2.4 ms a request (make bench). Each subquery has its
# own alias, so no condition here is ever correlated with another's alias (they are private to
# this module, and never nested inside one another).
_held_episode = aliased(CustodyEpisode, name="scope_held_episode")
_any_episode = aliased(CustodyEpisode, name="scope_any_episode")
_area_episode = aliased(CustodyEpisode, name="scope_area_episode")
_referral_episode = aliased(CustodyEpisode, name="scope_referral_episode")
_party_referral = aliased(Referral, name="scope_party_referral")


class Basis(StrEnum):
    """Why a member of staff may see a person."""

    RELATIONSHIP = "relationship"
    BREAK_GLASS = "break-glass"


# A pathway's partner organisation (a mental health service, an outreach team) is related to a
# person through that pathway's own records. Each pathway registers its condition when its package
# is loaded, so this rule names no pathway and stays the one place that decides who sees whom.
PathwayRelationship = Callable[[object, object], ColumnElement[bool]]  # (org id, person id column)
_pathway_relationships: list[PathwayRelationship] = []
# The route values a pathway's pages name their records by, and how each finds its person, so a
# denial of a pathway page is audited against the person too (``person_named_by``).
_route_people: dict[str, Callable[[object], uuid.UUID | None]] = {}


def related_through_pathway(condition: PathwayRelationship) -> PathwayRelationship:
    """Register a pathway's relationship: ``condition(organisation_id, person_id_column)`` is
    true where the organisation holds one of the pathway's records for that person. It may name
    nothing but the organisation (no clock, no user): it is built once per organisation."""
    if condition not in _pathway_relationships:
        _pathway_relationships.append(condition)
        _caseload_conditions.clear()
    return condition


def route_names_person(key: str, person_of: Callable[[object], uuid.UUID | None]) -> None:
    """Register how a route value (a pathway record's id) names the person it is about."""
    _route_people[key] = person_of


def _pathway_party(organisation_id) -> list[ColumnElement[bool]]:
    return [condition(organisation_id, Person.id) for condition in _pathway_relationships]


def _partnership_areas(organisation_id):
    """The local authorities an organisation covers (a partnership, or a probation unit)."""
    return select(organisation_areas.c.local_authority_code).where(
        organisation_areas.c.organisation_id == organisation_id
    )


def _referral_party(referral, organisation_id) -> ColumnElement[bool]:
    """The referring organisation, always; the provider only while it holds the referral."""
    return or_(
        referral.referring_organisation_id == organisation_id,
        and_(referral.provider_id == organisation_id, referral.status.in_(PROVIDER_HOLDS)),
    )


# Each organisation's relationship condition, built once: it is an immutable expression naming
# only the organisation (no clock, no user), so every request of its staff can share it. A
# pathway registering its relationship starts the cache afresh; organisations are a few hundred.
_caseload_conditions: dict[tuple, ColumnElement[bool]] = {}
_CACHED_ORGANISATIONS = 5_000


def caseload_people(user) -> ColumnElement[bool]:
    """A SQL condition on Person: the people user's organisation has a relationship with."""
    if user.role not in CLINICAL_ROLES:
        return false()  # auditors and administrators see no clinical records
    manager = user.role == Role.MANAGER
    key = (manager, None if manager else user.organisation.kind, user.organisation_id)
    condition = _caseload_conditions.get(key)
    if condition is None:
        if len(_caseload_conditions) >= _CACHED_ORGANISATIONS:
            _caseload_conditions.clear()
        condition = _caseload_conditions[key] = _relationship(user, manager)
    return condition


def _relationship(user, manager: bool) -> ColumnElement[bool]:
    organisation_id = user.organisation_id
    if manager:
        # A partnership sees people whose destination is one of its local authorities.
        return _released_into_areas(organisation_id)
    holds_custody = exists().where(
        _held_episode.person_id == Person.id, _held_episode.prison_id == organisation_id
    )
    referral_party = exists().where(
        _party_referral.person_id == Person.id, _referral_party(_party_referral, organisation_id)
    )
    recorded_here = Person.recorded_by_organisation_id == organisation_id
    if user.organisation.kind == OrganisationKind.PRISON:
        # A prison's relationship is the episode it holds, so a transfer hands it on. Until the
        # first episode is added, the prison that recorded the person holds them.
        no_custody_yet = ~exists().where(_any_episode.person_id == Person.id)
        return or_(
            holds_custody,
            and_(recorded_here, no_custody_yet),
            referral_party,
            *_pathway_party(organisation_id),
        )
    if user.organisation.kind == OrganisationKind.PROBATION:
        # A probation delivery unit supervises people released into its area.
        supervised = _released_into_areas(organisation_id)
        return or_(recorded_here, supervised, referral_party, *_pathway_party(organisation_id))
    return or_(recorded_here, holds_custody, referral_party, *_pathway_party(organisation_id))


def _released_into_areas(organisation_id) -> ColumnElement[bool]:
    """A SQL condition on Person: an episode of theirs has a destination in the organisation's
    local authorities."""
    return exists().where(
        _area_episode.person_id == Person.id,
        _area_episode.destination_local_authority_code.in_(_partnership_areas(organisation_id)),
    )


def releases_into_areas_of(organisation_id) -> ColumnElement[bool]:
    """A SQL condition on CustodyEpisode: released into one of the organisation's local
    authorities (a partnership's continuity measure counts the releases into its area, by the
    episode's destination as corrected)."""
    return CustodyEpisode.destination_local_authority_code.in_(_partnership_areas(organisation_id))


def measured_releases(user) -> ColumnElement[bool]:
    """A SQL condition on CustodyEpisode: the releases whose measure user may see. A manager
    sees their partnership's releases (the people behind them are in the manager's scope by the
    same destination); no other role reads the measure."""
    if user.role != Role.MANAGER:
        return false()
    return releases_into_areas_of(user.organisation_id)


def worked_episodes(user) -> list[ColumnElement[bool]] | None:
    """SQL conditions on CustodyEpisode, the releases a prison or probation team works on as its
    own records find them: an episode meeting any of them. Its worklists start from these rather
    than from every release in the country, checking each against the rule.

    Each is one of ``caseload_people``'s relationships read from the episode's side, so every
    episode they find is of someone in the caseload (tests/security/test_worked_episodes.py): a
    prison, the episodes it holds (a transfer hands them on); a probation delivery unit, those
    released into its areas and those of the people it recorded or is a party to a referral
    of. Each can be met from an index, so they are kept apart for the list to query one by one:
    an OR of them would be checked row by row. None for another kind of organisation, whose
    lists start from ``caseload_people`` itself.
    """
    organisation_id = user.organisation_id
    kind = user.organisation.kind
    if user.role not in CLINICAL_ROLES or user.role == Role.MANAGER:
        return [false()]
    if kind == OrganisationKind.PRISON:
        return [CustodyEpisode.prison_id == organisation_id]
    if kind == OrganisationKind.PROBATION:
        # The areas' codes as values, so PostgreSQL reads the index of releases by area for just
        # those (against a subquery it planned to read every release not yet made). Each
        # subquery reads its own table (correlate(None)), whatever the list joins.
        areas = [area.ons_code for area in user.organisation.areas]
        recorded = select(Person.id).where(Person.recorded_by_organisation_id == organisation_id)
        referred = select(Referral.person_id).where(_referral_party(Referral, organisation_id))
        return [
            CustodyEpisode.destination_local_authority_code.in_(areas),
            CustodyEpisode.person_id.in_(recorded.correlate(None)),
            CustodyEpisode.person_id.in_(referred.correlate(None)),
        ]
    return None


def visible_people(user, *, kept: bool = False) -> ColumnElement[bool]:
    """A SQL condition on Person that is true exactly for the people user may see.

    ``kept=True``: the viewer is a parameter of the statement (``VIEWER``), so the condition
    names only what ``scope_key(user)`` does, and a statement holding it must run with
    ``viewing(user)``'s parameters (without them it refuses to run)."""
    if user.role not in CLINICAL_ROLES:
        return false()
    return or_(caseload_people(user), _break_glass(_viewer(user, kept), Person.id))


_SENT = Referral.status != Status.DRAFT
# Each organisation's part of visible_referrals, built once, as _caseload_conditions are: it
# names only the organisation (the emergency access part names the user and the hour, and is
# built on every call).
_referral_conditions: dict[tuple, ColumnElement[bool]] = {}


def visible_referrals(user, *, kept: bool = False) -> ColumnElement[bool]:
    """A SQL condition on Referral: its referrer; its provider while it holds it; area managers
    once it has been sent; emergency access to the person once it has been sent. ``kept`` as
    for ``visible_people``."""
    if user.role not in CLINICAL_ROLES:
        return false()
    manager = user.role == Role.MANAGER
    key = (manager, user.organisation_id)
    organisations = _referral_conditions.get(key)
    if organisations is None:
        if len(_referral_conditions) >= _CACHED_ORGANISATIONS:
            _referral_conditions.clear()
        organisations = _referral_conditions[key] = _referrals_of(user.organisation_id, manager)
    if manager:
        return organisations
    return or_(organisations, and_(_SENT, _break_glass(_viewer(user, kept), Referral.person_id)))


def _referrals_of(organisation_id, manager: bool) -> ColumnElement[bool]:
    """The referrals an organisation holds: a partnership's, those sent into its areas."""
    if manager:
        episode = _referral_episode
        return and_(
            _SENT,
            exists().where(
                episode.id == Referral.episode_id,
                episode.destination_local_authority_code.in_(_partnership_areas(organisation_id)),
            ),
        )
    return _referral_party(Referral, organisation_id)


# The viewer of a kept statement and the moment it runs, bound when it runs. VIEWER has no value
# of its own: a statement holding it runs only with the parameters viewing(user) gives (without
# them SQLAlchemy refuses it). _NOW is evaluated at every execution, through this module's
# utcnow (the clock the tests move).
VIEWER = bindparam("scope_viewer_id", type_=BreakGlassGrant.__table__.c.user_id.type)
_NOW = bindparam(
    "scope_now", type_=BreakGlassGrant.__table__.c.expires_at.type, callable_=lambda: utcnow()
)


def viewing(user) -> dict:
    """The parameters every statement holding a ``kept=True`` condition runs with: whose
    emergency access it asks about."""
    return {VIEWER.key: user.id}


def scope_key(user) -> tuple:
    """What the ``kept=True`` conditions for user are built from: the role, the organisation and
    its kind, and the pathways' relationships registered. A statement holding them may be kept
    by this key and run for any user with the same key, with that user's ``viewing``. A
    partnership's conditions, and those of a role seeing no clinical record, do not depend on
    the kind of organisation (as ``caseload_people`` keys them), so it is not read for them."""
    by_kind = user.role in CLINICAL_ROLES and user.role != Role.MANAGER
    kind = user.organisation.kind if by_kind else None
    # Registering a pathway's relationship changes every organisation's condition.
    return (user.role, kind, user.organisation_id, len(_pathway_relationships))


def _viewer(user, kept: bool):
    """What a grant's holder is compared with: the parameter for a kept statement, otherwise
    the user's own id (a statement built for this call)."""
    return VIEWER if kept else user.id


def live_grant_conditions(viewer, person_id_column) -> tuple[ColumnElement[bool], ...]:
    """The emergency access rule, written here only: a grant held by the viewer, to this one
    person, that has not expired at the moment the statement runs."""
    return (
        BreakGlassGrant.user_id == viewer,
        BreakGlassGrant.person_id == person_id_column,
        BreakGlassGrant.expires_at > _NOW,
    )


def _break_glass(viewer, person_id_column) -> ColumnElement[bool]:
    """An unexpired emergency access by the viewer to this one person."""
    return exists().where(*live_grant_conditions(viewer, person_id_column))


# access_basis's statement, kept by scope_key: the person and the viewer are bound when it runs.
_PERSON = bindparam("basis_person_id", type_=Person.__table__.c.id.type)
_basis_statements = KeptStatements(1_000)


def _basis_statement(user):
    def build():
        return select(
            exists().where(Person.id == _PERSON, caseload_people(user)),
            _break_glass(VIEWER, _PERSON),
        )

    dialect = db.session.get_bind().dialect.name
    return _basis_statements.built(("basis", *scope_key(user)), build, dialect=dialect)


def access_basis(user, person_id: uuid.UUID | None) -> Basis | None:
    """Why user may see this person now: a relationship, emergency access only, or neither.

    Asked by the audit writer for every row about a person, so it is kept for the rest of the
    request; a grant made during the request is recorded with its own purpose anyway.
    """
    if person_id is None or user is None or user.role not in CLINICAL_ROLES:
        return None
    cache = g.setdefault("access_basis", {}) if has_request_context() else {}
    key = (user.id, person_id)
    if key not in cache:
        related, emergency = db.session.execute(
            _basis_statement(user), {_PERSON.key: person_id, **viewing(user)}
        ).one()
        cache[key] = Basis.RELATIONSHIP if related else Basis.BREAK_GLASS if emergency else None
    return cache[key]


def holds_grant(user, person_id_column, *, kept: bool = False) -> ColumnElement[bool]:
    """Whether user holds a live grant for the person: a column to select beside a record found
    through ``visible_people`` or ``visible_referrals``, for ``seen_without_grant``. ``kept`` as
    for ``visible_people``."""
    return _break_glass(_viewer(user, kept), person_id_column)


def live_grant_id(user, person_id_column, *, kept: bool = False):
    """The id of user's latest unexpired grant for the person (NULL without one): a scalar
    subquery to join the grant by, beside a person found through ``visible_people``. ``kept``
    as for ``visible_people``."""
    return (
        select(BreakGlassGrant.id)
        .where(*live_grant_conditions(_viewer(user, kept), person_id_column))
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def seen_with(user, person_id: uuid.UUID, *, related: bool, granted: bool) -> None:
    """Remember for this request what the query that found a person already told: whether the
    relationship rule (``caseload_people``, selected beside the person) or only a grant lets
    user see them, so ``access_basis`` runs nothing more for the page and its audit rows."""
    if has_request_context() and user.role in CLINICAL_ROLES:
        basis = Basis.RELATIONSHIP if related else Basis.BREAK_GLASS if granted else None
        g.setdefault("access_basis", {})[(user.id, person_id)] = basis


def seen_without_grant(user, person_id: uuid.UUID) -> None:
    """Remember for this request what a scoped query already showed: a person (or one of their
    referrals) seen with no grant is seen through a relationship, so ``access_basis`` need not
    build and run the relationship rule again for every audit row about them."""
    if has_request_context():
        g.setdefault("access_basis", {})[(user.id, person_id)] = Basis.RELATIONSHIP


def only_emergency_access(user, person_id: uuid.UUID) -> bool:
    """Whether user sees this person only through emergency access."""
    return access_basis(user, person_id) == Basis.BREAK_GLASS


# Every audit row about a person the actor sees only through emergency access says
# "break-glass", whatever page wrote it.
audit_services.judge_emergency_access_with(only_emergency_access)


def forget_access_basis() -> None:
    """Drop what this request learnt about access, after a change that alters it."""
    if has_request_context():
        g.pop("access_basis", None)


def person_named_by(route_values: dict | None) -> uuid.UUID | None:
    """The person whose record a route asks for, from its path values, if Caseflow holds them.

    A denial names that person, so their subject access export lists attempts by anyone,
    including roles that may not open the page at all.
    """
    values = route_values or {}
    if "person_id" in values:
        return db.session.scalar(select(Person.id).where(Person.id == values["person_id"]))
    if "referral_id" in values:
        return db.session.scalar(
            select(Referral.person_id).where(Referral.id == values["referral_id"])
        )
    if "appointment_id" in values:
        return db.session.scalar(
            select(Referral.person_id)
            .join(Appointment, Appointment.referral_id == Referral.id)
            .where(Appointment.id == values["appointment_id"])
        )
    if "grant_id" in values:
        return db.session.scalar(
            select(BreakGlassGrant.person_id).where(BreakGlassGrant.id == values["grant_id"])
        )
    if "episode_id" in values:
        return db.session.scalar(
            select(CustodyEpisode.person_id).where(CustodyEpisode.id == values["episode_id"])
        )
    for key, person_of in _route_people.items():
        if key in values:
            return person_of(values[key])
    return None
