"""Every route x every role x own / other organisation's record (SECURITY.md, Access control).

The routes come from ``app.url_map``, so a route added tomorrow is in the matrix the moment it is
registered. Its expectation follows from the permission it declares:

* a role without the permission: 403, and exactly one audit row, a "deny" naming the page;
* a role with it, on a record its organisation has a legitimate relationship with ("own"):
  a page (200), or a redirect (302) where the route sends you on;
* a role with it, on another organisation's record ("other"): 404, and exactly one "deny" row
  naming the person whose record it was;
* a role with it, on an id that names nothing ("absent"): 404 and one "deny" row naming no one.

Routes whose answer differs from that are listed in the tables below, each with its reason. A route
with a parameter this file does not know, or a PUBLIC / SIGNED_IN route missing from the tables,
fails ``test_every_route_is_classified`` until someone decides what it should answer.

The GET matrix also checks that a GET changes nothing (SECURITY.md: "GET never changes state").
The POST pass sends each state-changing route a valid form with a valid CSRF token and checks
403 / 404 for records out of reach, and that nothing in the database changed.

The tests come role by role. Each role signs in once, to one world of records built for its
tests (``SharedWorld``); routes that need the same records share them, and each test's requests
run in a savepoint rolled back at its end, so every route meets its records as they were built.
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from caseflow import create_app
from caseflow.auth.models import UserSession
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.organisations.models import LocalAuthority, OrganisationKind
from caseflow.people.models import BreakGlassGrant, CustodyEpisode
from caseflow.referrals.codes import Status
from caseflow.referrals.worklists import WORKLISTS, worklists_for
from caseflow.security import form_tokens
from caseflow.security.access import (
    PERMISSIONS,
    PUBLIC,
    SIGNED_IN,
    Role,
    declared_permission,
    role_may,
)
from caseflow.worklist_tabs import tabs_for
from tests.factories import (
    ORGANISATION_FOR_ROLE,
    TEST_PASSWORD,
    AppointmentFactory,
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    provider_serving,
)
from tests.helpers import audit_rows, signed_in_client
from tests.pathways.cstr import matrix as cstr_matrix
from tests.pathways.dual_diagnosis import matrix as dual_diagnosis_matrix
from tests.pathways.rough_sleeping import matrix as rough_sleeping_matrix
from tests.security.state import changed_tables, database_state
from tests.transactions import savepoint

ROLES = sorted(Role)
HOME_AREA = "E08000025"  # Birmingham: the area "own" partnerships and providers cover
AWAY_AREA = "E06000026"  # Plymouth: where "other" people are going, covered by no one here

# Parameters that name a record. Each gets an own, an other and an absent case.
RECORD_PARAMETERS = {
    "person_id",
    "episode_id",
    "referral_id",
    "appointment_id",
    "grant_id",
    "organisation_id",
    "user_id",
    "rough_sleeping_id",  # a rough sleeping case (tests/pathways/rough_sleeping/matrix.py)
    "cstr_id",  # a Community Sentence Treatment Requirement (tests/pathways/cstr/matrix.py)
    "dual_diagnosis_id",  # a dual diagnosis case (tests/pathways/dual_diagnosis/matrix.py)
    "plan_action_id",  # an action of that case's joint care plan (the same matrix)
}

# Parameters that are not records: every value the route accepts is tried.
CHOICE_PARAMETERS = {
    "change": None,  # <any(release, 'expected-release', transfer)>: taken from the converter
    "action": None,  # <any(disable, enable, 'reset-second-factor')>: taken from the converter
    "contact": None,  # <any('prison-offender-manager', ...)>: taken from the converter
    "name": sorted(WORKLISTS),  # worklists: the role's own lists, and every other role's
    "filename": ["caseflow.css"],  # static assets: one real file
    "token": ["not-a-set-up-link"],  # set-up links: one Caseflow never sent
}

# PUBLIC routes, as a signed-in member of staff sees them. Nobody is refused, so no denial.
PUBLIC_ROUTES = {
    "static": {"GET": 200},  # stylesheets, scripts and fonts
    "main.health": {"GET": 200},  # the load balancer's health check
    "auth.sign_in": {"GET": 302, "POST": 302},  # already signed in: sent home
    "auth.enter_code": {"GET": 302, "POST": 302},  # no half-finished sign-in: back to sign-in
    "auth.set_up_code": {"GET": 302, "POST": 302},  # likewise
    "auth.sign_out": {"POST": 200},  # POST only: signs out, says so
    "auth.set_up_account": {"GET": 404, "POST": 404},  # an unknown link: a page saying so
}

# SIGNED_IN routes: every role, no record, no denial. A callable gives the answer per role.
SIGNED_IN_ROUTES = {
    # Roles with worklists land on their first one; the others get the start page.
    "main.home": {"GET": lambda role: 302 if tabs_for(SimpleNamespace(role=role)) else 200},
    "referrals.notifications": {"GET": 200},
    "referrals.mark_notifications_read": {"POST": 302},  # marks them read, back to the list
    # Opens one of the user's own notifications; sent without one, back to the list.
    "referrals.open_notification": {"POST": 302},
    "auth.keep_alive": {"POST": 204},  # the "stay signed in" button
}

# Routes that answer "own" with something other than 200 (GET) for the roles permitted.
OWN_GET_STATUS = {
    # Break-glass is reached from an identifier search that matched someone out of scope; the
    # match is held in the session. Without one the page sends you to search first.
    "people.break_glass": 302,
}

# Records with no "other organisation": the role permitted sees every one of them by design,
# so another organisation's record answers as the role's own does.
UNSCOPED = {
    "organisations.show_organisation": "administrators manage every organisation",
    "organisations.edit_organisation": "administrators manage every organisation",
    "organisations.show_user": "administrators manage every account",
    "organisations.edit_user": "administrators manage every account",
    "organisations.user_action": "administrators manage every account",
    "audit.review": "auditors review every break-glass grant, whoever made it",
}

# An absent id answers 404 with no audit row on these. Organisations and staff accounts hold no
# data about people in care, and the administrators' pages record changes, not reads; nothing in
# SECURITY.md asks for a denial row for a mistyped organisation or user id.
ABSENT_WITHOUT_DENIAL = {
    "organisations.show_organisation",
    "organisations.edit_organisation",
    "organisations.show_user",
    "organisations.edit_user",
    "organisations.user_action",
}

# Referral routes that are only valid in one state: the state their "own" record is put in.
# Anything else gets a sent referral.
REFERRAL_STATE = {
    "referrals.edit": Status.DRAFT,  # only a draft can be edited
    "referrals.delete_draft": Status.DRAFT,  # only a draft can be deleted
    "referrals.send": Status.DRAFT,
    "referrals.engage": Status.ACCEPTED,
    "referrals.close": Status.ACCEPTED,
    "referrals.assign": Status.ACCEPTED,
    "referrals.book_appointment": Status.ACCEPTED,
    "referrals.correct_treatment_start": Status.ENGAGED,  # a start is corrected once recorded
}

# Person routes whose "own" person is someone the prison recorded and holds no custody of yet
# (scope: the recording prison holds them until the first episode); a second open episode is
# refused.
NO_CUSTODY_YET = {"people.new_episode"}

# A GET that changes something, and why that is accepted. None: showing notifications used to
# mark them read; that is a POST now (referrals.mark_notifications_read).
GET_CHANGES_STATE: set[str] = set()

# Known bugs, found by this matrix: (endpoint, case) -> what goes wrong. Strict xfail, so the
# test fails loudly once the bug is fixed and this entry can go.
KNOWN_BUGS: dict[tuple[str, str], str] = {}

# The routes, read once from a throwaway app (no database is touched to build it). ----------------


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    methods: tuple[str, ...]
    arguments: frozenset[str]
    permission: str | None
    choices: tuple[tuple[str, str], ...] = ()  # (parameter, value) for a choice parameter

    @property
    def records(self) -> frozenset[str]:
        return self.arguments & RECORD_PARAMETERS

    @property
    def label(self) -> str:
        choice = ",".join(f"{name}={value}" for name, value in self.choices)
        return self.endpoint + (f"[{choice}]" if choice else "")


@dataclass
class Classification:
    routes: list[Route] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def classify(app) -> Classification:
    found = Classification()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        methods = tuple(sorted(set(rule.methods) - {"HEAD", "OPTIONS"}))
        permission = declared_permission(app, rule.endpoint)
        unknown = set(rule.arguments) - RECORD_PARAMETERS - set(CHOICE_PARAMETERS)
        if unknown:
            found.problems.append(f"{rule.rule}: classify parameter(s) {sorted(unknown)}")
            continue
        if set(methods) - {"GET", "POST"}:
            found.problems.append(f"{rule.rule}: classify method(s) {methods}")
            continue
        if permission is None or (
            permission not in PERMISSIONS and permission not in (PUBLIC, SIGNED_IN)
        ):
            found.problems.append(f"{rule.rule}: declares no known permission ({permission!r})")
            continue
        table = {PUBLIC: PUBLIC_ROUTES, SIGNED_IN: SIGNED_IN_ROUTES}.get(permission)
        if table is not None:
            missing = [m for m in methods if m not in table.get(rule.endpoint, {})]
            if missing:
                found.problems.append(
                    f"{rule.rule} is {permission}: add {rule.endpoint} {missing} to the table"
                )
                continue
            if rule.arguments & RECORD_PARAMETERS:
                found.problems.append(f"{rule.rule} is {permission} but names a record")
                continue
        choice_values = []
        for name in sorted(rule.arguments & set(CHOICE_PARAMETERS)):
            values = CHOICE_PARAMETERS[name] or sorted(rule._converters[name].items)
            choice_values.append([(name, value) for value in values])
        combos = [()]
        for options in choice_values:
            combos = [(*combo, option) for combo in combos for option in options]
        for combo in combos:
            found.routes.append(
                Route(
                    rule=rule.rule,
                    endpoint=rule.endpoint,
                    methods=methods,
                    arguments=frozenset(rule.arguments),
                    permission=permission,
                    choices=combo,
                )
            )
    return found


CLASSIFIED = classify(create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://"))


def cases_for(route: Route, role: str) -> list[str]:
    if not route.records:
        return ["no-record"]
    if not role_may(role, route.permission):
        # Refused before any record is looked at: own and other are enough to show it.
        return ["own", "other"]
    cases = ["own", "other", "absent"]
    if route.records == {"person_id", "episode_id"}:
        cases.append("mixed")  # own person, another prison's episode of someone else
    return cases


def matrix(method: str) -> list:
    """Every route x role x case, role by role: each role's world is built once for its tests."""
    params = []
    for role in ROLES:
        for route in CLASSIFIED.routes:
            if method not in route.methods:
                continue
            for case in cases_for(route, role):
                marks = []
                bug = KNOWN_BUGS.get((route.endpoint, case))
                if bug and role_may(role, route.permission):
                    marks.append(pytest.mark.xfail(reason=bug, strict=True))
                params.append(
                    pytest.param(route, role, case, id=f"{route.label}-{role}-{case}", marks=marks)
                )
    return params


# The world each test signs in to. ---------------------------------------------------------------


def area(code: str) -> LocalAuthority:
    return db.session.get(LocalAuthority, code)


def make_user(role: str):
    """A user of the role, in an organisation of its kind (covering HOME_AREA if any)."""
    kind = ORGANISATION_FOR_ROLE[role]
    organisation = OrganisationFactory(kind=kind)
    if kind in (OrganisationKind.TREATMENT_PROVIDER, OrganisationKind.PARTNERSHIP):
        organisation.areas = [area(HOME_AREA)]
    return UserFactory(role=role, organisation=organisation)


class World:
    """Records with and without a legitimate relationship to the signed-in user's organisation.

    Own, by the kind of organisation (caseflow.security.scope):
      prison: holds the person's open custody episode (and made their referrals);
      treatment provider: the referral is with it;
      partnership: the person is going to an area it covers (HOME_AREA);
      probation and everyone else: it recorded the person (and probation made the referral).
    Mental health and outreach teams have no pathway yet (DOMAIN.md), so the relationship they
    can have today is the one the scope rule gives any organisation: having recorded the person.
    Other: a prison, provider and area that have nothing to do with the user.
    """

    def __init__(self, user):
        self.user = user
        self.organisation = user.organisation
        self.kind = user.organisation.kind

    @cached_property
    def provider(self):
        """A provider serving HOME_AREA, to refer or redirect to."""
        return provider_serving(HOME_AREA)

    @cached_property
    def prison(self):
        """Another prison, to transfer to."""
        return OrganisationFactory(kind=OrganisationKind.PRISON)

    # people
    def person(self, own: bool, *, custody: bool = True):
        if own and not custody and self.kind == OrganisationKind.PRISON:
            return PersonFactory(recorded_by=self.organisation)
        if not own:
            away = OrganisationFactory(kind=OrganisationKind.PRISON)
            person = PersonFactory(recorded_by=away)
            CustodyEpisodeFactory(
                person=person, prison=away, destination_local_authority_code=AWAY_AREA
            )
            return person
        if self.kind == OrganisationKind.TREATMENT_PROVIDER:
            return self.referral(True, Status.SENT).person
        if self.kind == OrganisationKind.PRISON:
            person = PersonFactory(recorded_by=self.organisation)
            CustodyEpisodeFactory(person=person, prison=self.organisation)
            return person
        prison = OrganisationFactory(kind=OrganisationKind.PRISON)
        if self.kind == OrganisationKind.PARTNERSHIP:
            person = PersonFactory(recorded_by=prison)
        else:
            person = PersonFactory(recorded_by=self.organisation)
        CustodyEpisodeFactory(person=person, prison=prison)
        return person

    def episode_of(self, person) -> CustodyEpisode:
        return db.session.scalar(
            select(CustodyEpisode).where(CustodyEpisode.person_id == person.id)
        )

    # referrals
    def referral(self, own: bool, status: str):
        if not own:
            return ReferralFactory(
                status=status,
                episode__destination_local_authority_code=AWAY_AREA,
                provider_id=provider_serving(AWAY_AREA).id,
            )
        if self.kind == OrganisationKind.TREATMENT_PROVIDER:
            return ReferralFactory(status=status, provider_id=self.organisation.id)
        if self.kind == OrganisationKind.PRISON:
            return ReferralFactory(
                status=status, episode__prison=self.organisation, referred_by_id=self.user.id
            )
        if self.kind == OrganisationKind.PARTNERSHIP:
            return ReferralFactory(status=status)  # going to HOME_AREA
        return ReferralFactory(
            status=status,
            referring_organisation_id=self.organisation.id,
            referred_by_id=self.user.id,
        )

    def appointment(self, own: bool):
        return AppointmentFactory(referral=self.referral(own, Status.ACCEPTED))

    # what auditors and administrators look at
    def grant(self, own: bool):
        # Auditors review grants made anywhere: "own" is a grant made at a prison, "other" one
        # made at a provider. Both are someone else's emergency access.
        holder = UserFactory(role="prison_healthcare" if own else "keyworker")
        grant = BreakGlassGrant(
            user_id=holder.id,
            organisation_id=holder.organisation_id,
            person_id=self.person(False).id,
            reason="Arrived without a referral",
            expires_at=utcnow() + timedelta(hours=1),
        )
        db.session.add(grant)
        db.session.flush()
        return grant

    def organisation_record(self, own: bool):
        return self.organisation if own else provider_serving(AWAY_AREA)

    def account(self, own: bool):
        if own:
            return UserFactory(role=self.user.role, organisation=self.organisation)
        return UserFactory(role="keyworker", organisation=provider_serving(AWAY_AREA))


@dataclass
class Target:
    """The URL values for one case, and what the denial row should name."""

    values: dict
    person_id: uuid.UUID | None = None  # whose record it was, where there is a person
    entity_id: uuid.UUID | None = None  # the record the denial should name, where checked
    record: object = None


PATHWAY_RECORDS = {"rough_sleeping_id", "cstr_id", "dual_diagnosis_id"}


def variant(route: Route):
    """What about the route, beyond the parameters it names, decides the records it is given:
    routes that agree on it share their records."""
    records = route.records
    if records == {"person_id"}:
        return route.endpoint not in NO_CUSTODY_YET  # whether the person is in custody
    if records == {"referral_id"}:
        return REFERRAL_STATE.get(route.endpoint, Status.SENT)
    if records & PATHWAY_RECORDS:
        return route.endpoint  # each pathway's matrix builds a case in the route's state
    return None


def target_for(world: World, route: Route, case: str) -> Target:
    """Records, built now, for the route's case (no-record, own, other, absent or mixed)."""
    if not route.records or case == "absent":
        return Target(nothing_to_build(route, case))
    return with_choices(route, build_target(world, route.records, case, variant(route)))


def nothing_to_build(route: Route, case: str) -> dict:
    """The URL values of a route naming no record, or of the absent case: ids naming nothing."""
    values = dict(route.choices)
    if case == "absent":
        values.update({name: uuid.uuid4() for name in route.records})
    return values


def with_choices(route: Route, target: Target) -> Target:
    return replace(target, values={**dict(route.choices), **target.values})


def build_target(world: World, records: frozenset[str], case: str, variant) -> Target:
    """The records for one case: own, other or mixed, of a route whose variant() is variant."""
    values: dict = {}
    own = case == "own"
    if records == {"person_id"}:
        person = world.person(own, custody=variant)
        return Target({**values, "person_id": person.id}, person.id, record=person)
    if records == {"person_id", "episode_id"}:
        if case == "mixed":
            # The denial names the person in the URL (people.custody._episode_for_change),
            # not the person whose episode it is; it does name the episode.
            person = world.person(True)
            episode = world.episode_of(world.person(False))
            values.update(person_id=person.id, episode_id=episode.id)
            return Target(values, person.id, entity_id=episode.id, record=episode)
        person = world.person(own)
        episode = world.episode_of(person)
        values.update(person_id=person.id, episode_id=episode.id)
        return Target(values, person.id, record=episode)
    if records == {"episode_id"}:
        # A case of the continuity measure: a release in the cohort, going to the home area
        # (own) or to an area no one here covers (other).
        person = world.person(own)
        episode = world.episode_of(person)
        episode.actual_release_date = date(2026, 3, 2)
        episode.release_type = "licence"
        episode.age_at_release = 30
        episode.treatment_need = "in_treatment"
        episode.destination_local_authority_code = HOME_AREA if own else AWAY_AREA
        db.session.flush()
        return Target({**values, "episode_id": episode.id}, person.id, record=episode)
    if records == {"referral_id"}:
        referral = world.referral(own, variant)
        return Target({**values, "referral_id": referral.id}, referral.person_id, record=referral)
    if records == {"appointment_id"}:
        appointment = world.appointment(own)
        return Target(
            {**values, "appointment_id": appointment.id},
            appointment.referral.person_id,
            record=appointment,
        )
    if records == {"rough_sleeping_id"}:
        case_ = rough_sleeping_matrix.case(world, variant, own)
        return Target({**values, "rough_sleeping_id": case_.id}, case_.person_id, record=case_)
    if records == {"cstr_id"}:
        order = cstr_matrix.cstr(world, variant, own)
        return Target({**values, "cstr_id": order.id}, order.person_id, record=order)
    if records == {"dual_diagnosis_id"}:
        case_ = dual_diagnosis_matrix.case(world, variant, own)
        return Target({**values, "dual_diagnosis_id": case_.id}, case_.person_id, record=case_)
    if records == {"dual_diagnosis_id", "plan_action_id"}:
        case_ = dual_diagnosis_matrix.case(world, variant, own)
        action = dual_diagnosis_matrix.action_of(case_)
        values.update(dual_diagnosis_id=case_.id, plan_action_id=action.id)
        return Target(values, case_.person_id, record=case_)
    if records == {"grant_id"}:
        grant = world.grant(own)
        return Target({**values, "grant_id": grant.id}, grant.person_id, record=grant)
    if records == {"organisation_id"}:
        organisation = world.organisation_record(own)
        return Target({**values, "organisation_id": organisation.id}, record=organisation)
    if records == {"user_id"}:
        account = world.account(own)
        return Target({**values, "user_id": account.id}, record=account)
    raise AssertionError(f"no records are built for {sorted(records)}")


def url_for_target(app, route: Route, target: Target) -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.build(route.endpoint, target.values, force_external=False)


# Expectations --------------------------------------------------------------------------------


@dataclass
class Expected:
    status: int | tuple[int, ...]
    denial: str | None = None  # "page", "record" or None
    person_id: uuid.UUID | None = None
    entity_id: uuid.UUID | None = None

    def allows(self, status: int) -> bool:
        return status in self.status if isinstance(self.status, tuple) else status == self.status


def expected(route: Route, role: str, case: str, target: Target, method: str) -> Expected:
    permission = route.permission
    if permission in (PUBLIC, SIGNED_IN):
        table = PUBLIC_ROUTES if permission == PUBLIC else SIGNED_IN_ROUTES
        status = table[route.endpoint][method]
        return Expected(status(role) if callable(status) else status)
    if not role_may(role, permission):
        return Expected(403, denial="page")
    own_status = OWN_GET_STATUS.get(route.endpoint, 200) if method == "GET" else (200, 204, 302)
    if route.endpoint == "referrals.worklist":
        # A worklist of another role's is not a record: it is simply not there for this role.
        mine = dict(route.choices)["name"] in worklists_for(role)
        return Expected(own_status if mine else 404)
    if case in ("no-record", "own") or (case == "other" and route.endpoint in UNSCOPED):
        return Expected(own_status)
    if case == "absent":
        if route.endpoint in ABSENT_WITHOUT_DENIAL:
            return Expected(404)
        return Expected(404, denial="record", person_id=None)
    # other, mixed
    return Expected(404, denial="record", person_id=target.person_id, entity_id=target.entity_id)


# Checks -----------------------------------------------------------------------------------------


def check_audit(response, want: Expected, world: "SharedWorld", route: Route) -> None:
    rows = audit_rows(response)
    denials = [r for r in rows if r.action == "deny"]
    if want.denial is None:
        assert denials == [], [(r.entity_type, r.detail) for r in denials]
        return
    summary = [(r.action, r.entity_type, r.entity_id, r.person_id, r.outcome) for r in rows]
    assert len(rows) == 1, f"expected exactly one audit row (a denial), got {summary}"
    row = rows[0]
    assert (row.action, row.outcome, row.user_id, row.role) == (
        "deny",
        "denied",
        world.user_id,
        world.role,
    ), summary
    if want.denial == "page":
        assert (row.entity_type, row.entity_id) == ("page", route.endpoint), summary
        return
    assert row.person_id == want.person_id, (
        f"the denial should name person {want.person_id}, names {row.person_id}: {summary}"
    )
    if want.entity_id is not None:
        assert row.entity_id == str(want.entity_id), summary


def show(response) -> str:
    text = BeautifulSoup(response.data, "html.parser").get_text(" ", strip=True)
    return f"{response.status_code} {response.headers.get('Location', '')} {text[:300]}"


# The classification itself ----------------------------------------------------------------------


def test_every_route_is_classified(app):
    """A new route with an unknown parameter, or an unlisted public route, fails here."""
    assert CLASSIFIED.problems == []
    live = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {route.endpoint for route in CLASSIFIED.routes} == live


def test_the_tables_name_only_real_routes(app):
    live = {rule.endpoint for rule in app.url_map.iter_rules()}
    tables = (PUBLIC_ROUTES, SIGNED_IN_ROUTES, OWN_GET_STATUS, UNSCOPED, REFERRAL_STATE)
    for table in tables:
        assert set(table) <= live, set(table) - live
    assert live >= ABSENT_WITHOUT_DENIAL | GET_CHANGES_STATE | NO_CUSTODY_YET
    assert {endpoint for endpoint, _ in KNOWN_BUGS} <= live


# One world per role, shared by every route ------------------------------------------------------


class SharedWorld:
    """A role's world for every route in this module, with one signed-in session.

    The records a route needs are built the first time a route needs them and shared with every
    route needing the same (same parameters, case and variant()). Each test's requests run in a
    savepoint rolled back at its end, so what one route changes is gone before the next.
    """

    def __init__(self, app, role: str):
        self.app = app
        self.world = World(make_user(role))
        self.user_id = self.world.user.id
        self.role = role
        # Built now, outside any test's savepoint: forms name them.
        _ = self.world.provider, self.world.prison
        db.session.commit()
        client = signed_in_client(app, self.world.user)
        self.csrf_token = csrf_token_for(client)
        self.session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
        self._built: dict[tuple, Target] = {}

    def client(self):
        """A client on the world's session, as if the user had just been seen (else the session
        would lapse at the idle limit: the requests that kept it alive were rolled back)."""
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == self.user_id)
            .values(last_seen_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        client = self.app.test_client()
        client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.session_cookie)
        return client

    def target(self, route: Route, case: str) -> Target:
        if not route.records or case == "absent":
            return Target(nothing_to_build(route, case))
        need = (route.records, case, variant(route))
        if need not in self._built:
            with all_or_nothing():
                self._built[need] = build_target(self.world, *need)
        return with_choices(route, self._built[need])


@contextmanager
def all_or_nothing():
    """Records built for the module, kept whole or not at all: a build that fails takes none of
    its rows with it, so the next test still finds the module's transaction usable."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


class Worlds:
    """The world of the role whose tests are running, built at its first test and undone when a
    test of another role comes. One role's records at a time keep the comparison of the whole
    database before and after each request (tests/security/state.py) as small as it can be."""

    def __init__(self, app, connection):
        self.app = app
        self.connection = connection
        self.current: SharedWorld | None = None
        self._kept = None  # the savepoint the current world was built in

    def __getitem__(self, role: str) -> SharedWorld:
        if self.current is not None and self.current.role == role:
            return self.current
        self.undo()
        self._kept = self.connection.begin_nested()
        with all_or_nothing():
            self.current = SharedWorld(self.app, role)
        return self.current

    def undo(self) -> None:
        if self._kept is None:
            return
        db.session.rollback()
        db.session.expunge_all()  # the old world's objects: their rows are gone
        self._kept.rollback()
        self._kept = None
        self.current = None


@pytest.fixture(scope="module")
def worlds(app, module_connection):
    """One role's world at a time, for the whole module (the tests come role by role)."""
    made = Worlds(app, module_connection)
    yield made
    made.undo()


# The GET matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "role", "case"), matrix("GET"))
def test_get(app, module_connection, worlds, route, role, case):
    world = worlds[role]
    target = world.target(route, case)
    want = expected(route, role, case, target, "GET")
    with savepoint(module_connection):
        client = world.client()
        before = database_state()

        response = client.get(url_for_target(app, route, target))

        assert want.allows(response.status_code), (
            f"GET {route.label} as {role} on {case}: want {want.status}, got {show(response)}"
        )
        check_audit(response, want, world, route)
        if route.endpoint not in GET_CHANGES_STATE:
            assert changed_tables(before) == [], "a GET changed the database"


# The POST pass ----------------------------------------------------------------------------------


def _date(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


REFERRAL_FORM = {
    "consent": "given",
    "substance_group": "opiate",
    "opioid_medicine": "methadone",
    "opioid_dose": "60ml daily",
    "bridging_prescription": "yes",
    "long_acting_injectable": "no",
    "naloxone_on_release": "yes",
    "risks": "None known",
    "contact_after_release": "07700900456",
}


def post_data(route: Route, world: World, target: Target) -> dict:
    """A form the route would accept from someone entitled to send it."""
    today = local_today()
    record = target.record
    change = dict(route.choices)
    endpoint = route.endpoint

    def token(kind: str, subject: str) -> str:
        # The one-time token the form's page would carry, for the record in the URL.
        return form_tokens.issue(kind, world.user.id, target.values.get(subject))

    forms = {
        "auth.sign_in": {"email": world.user.email, "password": TEST_PASSWORD},
        "people.find": {"nhs_number": "9434765919"},
        "people.break_glass": {"password": TEST_PASSWORD, "reason": "Arrived without notice"},
        "people.new_person": {
            "given_name": "Matrix",
            "family_name": "Person",
            "date_of_birth": ["2", "3", "1984"],
            "sex": "female",
            "ethnic_group": "white",
        },
        "people.add_note": {
            "text": "Spoke on the phone",
            "token": token("case_note", "person_id"),
        },
        "people.new_episode": {
            "reception_date": _date(today - timedelta(days=10)),
            "expected_release_date": _date(today + timedelta(days=60)),
            "destination_local_authority": HOME_AREA,
            "accommodation_on_release": "settled",
            "treatment_need": "in_treatment",
            "opioid_substitution": "none",
            "naloxone_issued": "yes",
            "bridging_prescription": "no",
        },
        "referrals.new_referral": {
            **REFERRAL_FORM,
            "provider": str(world.provider.id),
            "token": token("referral", "person_id"),
            "send": "Save and send",
        },
        "people.record_death": {
            "version": str(getattr(record, "version", 1) or 1),
            "date_of_death": _date(today),
            "source": "gp",
        },
        "people.record_removal": {"version": "1", "removed_on": _date(today)},
        "referrals.send": {},
        "referrals.accept": {},
        "referrals.reject": {"reason_code": "other", "reason": "Not for us"},
        "referrals.redirect": {"provider": str(world.provider.id), "reason": "Closer to home"},
        "referrals.withdraw": {"reason": "Made in error"},
        "referrals.engage": {"treatment_start_date": _date(today)},
        "referrals.close": {"reason_code": "other"},
        "referrals.assign": {"keyworker": str(world.user.id)},
        "referrals.book_appointment": {
            "appointment_date": _date(today),
            "appointment_time": "09:30",
            "token": token("appointment", "referral_id"),
        },
        "referrals.record_attendance": {"outcome": "attended"},
        "referrals.move_appointment": {
            "appointment_date": _date(today + timedelta(days=7)),
            "appointment_time": "10:00",
            "token": token("appointment", "appointment_id"),
        },
        "referrals.cancel_appointment": {"reason": "Clinic closed that day"},
        "referrals.correct_treatment_start": {
            "version": str(getattr(record, "version", 1) or 1),
            "treatment_start_date": _date(today),
            "reason": "Typed wrongly",
        },
        "audit.review": {"verdict": "appropriate", "note": "Checked"},
        "audit.subject_access_export": {"nhs_number": "9434765919"},
        "organisations.new_organisation": {
            "name": f"Matrix organisation {uuid.uuid4().hex[:8]}",
            "kind": "prison",
        },
        "organisations.new_user": {
            "display_name": "Matrix User",
            "email": f"matrix-{uuid.uuid4().hex[:8]}@test.caseflow.test",
            "role": "keyworker",
            "organisation": str(world.provider.id),
        },
    }
    forms.update(rough_sleeping_matrix.post_forms(world, target, token))
    forms.update(cstr_matrix.post_forms(world, target, token))
    forms.update(dual_diagnosis_matrix.post_forms(world, target, token))
    if endpoint == "people.change_episode":
        version = str(getattr(record, "version", 1) or 1)
        return {
            "release": {
                "version": version,
                "actual_release_date": _date(today),
                "release_type": "licence",
                "reason": "Released on licence",
            },
            "expected-release": {
                "version": version,
                "expected_release_date": _date(today + timedelta(days=90)),
                "reason": "Parole date set",
            },
            "transfer": {"version": version, "prison": str(world.prison.id), "reason": "Moved"},
            "treatment-need": {
                "version": version,
                "treatment_need": "no_need",
                "reason": "Assessed again",
            },
        }[change["change"]]
    if endpoint == "referrals.edit":
        provider = getattr(record, "provider_id", world.provider.id)
        version = str(getattr(record, "version", 1) or 1)
        return {**REFERRAL_FORM, "provider": str(provider), "version": version}
    if endpoint == "organisations.edit_organisation":
        return {"name": f"Renamed {uuid.uuid4().hex[:8]}", "areas": [HOME_AREA]}
    if endpoint == "organisations.edit_user":
        account = record or world.user
        return {"role": account.role, "organisation": str(account.organisation_id)}
    return forms.get(endpoint, {})


def csrf_token_for(client) -> str:
    """The session's CSRF token, from the sign-out form every signed-in page carries."""
    response = client.get("/notifications")
    soup = BeautifulSoup(response.data, "html.parser")
    return soup.find("input", {"name": "csrf_token"})["value"]


@pytest.mark.parametrize(("route", "role", "case"), matrix("POST"))
def test_post(app, module_connection, worlds, route, role, case):
    world = worlds[role]
    target = world.target(route, case)
    want = expected(route, role, case, target, "POST")
    with savepoint(module_connection):
        # Inside the savepoint: some forms name records made for them (a team to assign).
        data = post_data(route, world.world, target)
        client = world.client()
        before = database_state()

        response = client.post(
            url_for_target(app, route, target), data={**data, "csrf_token": world.csrf_token}
        )

        assert want.allows(response.status_code), (
            f"POST {route.label} as {role} on {case}: want {want.status}, got {show(response)}"
        )
        check_audit(response, want, world, route)
        if response.status_code in (403, 404):
            assert changed_tables(before) == [], "a refused POST changed something"
