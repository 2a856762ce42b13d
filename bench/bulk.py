"""The bulk path: a synthetic data set with a fixed seed, built from the models, batch-inserted.

Organisations and staff accounts go through the services (caseflow.organisations.services and
caseflow.auth.services), as caseflow.demo does. People, custody episodes and their changes,
referrals with their history, appointments and notifications are too many for one service call
and one audited flush each, so they take this bulk path, which produces the rows the services
would:

* Each row starts as a plain stand-in for the model object the service makes: a class holding
  the model's own ``Encrypted`` descriptors and its ``refresh_blind_indexes`` method, without
  SQLAlchemy's instrumentation (which costs more than the encryption). Its id is drawn first, as
  ``Entity.__init__`` draws it, and every encrypted value is sealed on assignment by the model's
  descriptor: the same ``crypto.encrypt`` call, with the same table, column and row id as
  associated data. ``refresh_blind_indexes()`` is called as the before-flush hook calls it, so the
  blind indexes are the values the services write. ``check_parity`` compares a stand-in's row with
  a real model object's, column by column, on the first batch of every load.
* The values given are the ones the services would pass: ``new_person`` follows
  ``people.services.create_person`` (identifiers compacted, flags as booleans), ``_episode``
  follows ``add_custody_episode`` then ``record_release`` (release fields, age at release and one
  CustodyChange with its encrypted reason), ``_referral`` follows ``create_referral`` then
  ``change_status`` for each step (the status and its fields, one ReferralEvent, the notifications
  the lifecycle adds, ``version`` up by one), and appointments follow ``book_appointment`` and
  ``record_attendance`` with their history rows.
* The mapped columns are read off each object; a column left unset takes its column default, as
  the unit of work would (created_at and updated_at, booleans, ``version``, codes).
* The rows go in with COPY (psycopg's ``cursor.copy``; core ``insert()`` with executemany on any
  other driver), one table at a time in foreign-key order, ``BATCH_PEOPLE`` people and everything
  about them per transaction.

What the bulk path leaves to bench.audit_history: audit rows. Through the services every create,
release and status change writes one sealed audit row; the bulk load of these tables writes none,
and bench.audit_history then writes five years of the log, sealed into the chain as the app seals
it, at the size a national log reaches. Timestamps are "now", as the services would stamp them.
People recorded by a prison have exactly one custody episode; nobody is redirected. Releases are
spread over five years (a third in the last four months), with every release type (a few
excluded from the continuity measure by type), and a few are followed by a death
(``record_death``) or a removal from the country (``record_removal``) within weeks, so the
measure has cases for each outcome.

The target of the worklist figure is one treatment provider, "Bench Recovery Service", with one
keyworker and the same fixed set of cases at every size (``TARGET_CASES``: 200 accepted, plus
some in every other status), so its worklist keeps 200 rows while everything else grows tenfold.
About 7 referral events and appointments per release, against the national plan's 8 (2 million
over 250,000 releases).

The prison and probation figures measure the lists of the first prison (``World.list_prison``) and
the first probation delivery unit (``World.list_probation``): "releasing soon without a referral"
and "released, clock running". Those lists hold that team's share of the country's cases, a few
rows at the small size and pages of them at ten times it, so on their own the figure would compare
drawing 3 rows with drawing 25. So both teams also have a fixed set of cases at every size
(``LIST_CASES``): people the prison holds or released, all going to or gone to the first of the
probation unit's areas (``World.list_area``), enough that each of the four lists fills its first
page (``PAGE_SIZE`` rows, caseflow.referrals.worklist_pages) at any size. Releasing soon: still in
custody, expected out within 12 weeks, with a community treatment need and no referral sent (none,
or a draft). Clock running: released on licence 0 to 19 days ago (inside the 21-day window with
days to spare, so a run that goes past midnight keeps them on it), with a community treatment need
and no treatment start (no referral, one sent, or one accepted and not yet started). Like the
target's cases they have no deaths or removals. The two teams' other cases grow with the data as
before, so the lists grow longer; only the page shown stays full.
"""

import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from psycopg import sql as psycopg_sql
from sqlalchemy import func, inspect, select

from caseflow.auth import services as accounts
from caseflow.dates import age_on, local_today
from caseflow.demo import FAMILY_NAMES, GIVEN_NAMES, demo_nhs_number, demo_prison_number
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.notifications import Notification
from caseflow.organisations import services as organisations
from caseflow.organisations.models import LocalAuthority
from caseflow.organisations.models import OrganisationKind as Kind
from caseflow.people import codes
from caseflow.people.custody import EPISODE_FIELDS
from caseflow.people.identifiers import compact
from caseflow.people.models import CustodyChange, CustodyEpisode, Person
from caseflow.people.services import PERSON_FIELDS
from caseflow.referrals.codes import ClosingReason, RejectionReason, Status
from caseflow.referrals.models import Appointment, Referral, ReferralEvent
from caseflow.referrals.services.handover import HANDOVER_FIELDS
from caseflow.referrals.worklist_pages import PAGE_SIZE
from caseflow.security import crypto
from caseflow.security.access import Role
from caseflow.security.crypto import Encrypted

SEED = 20270401
BATCH_PEOPLE = 1000
PRISONS = 30
PROBATION_UNITS = 8
TARGET_AREA = "E08000025"  # Birmingham: served by the target and by one other provider
TARGET_NAME = "Bench Recovery Service"

RELEASED, IN_CUSTODY, COMMUNITY = "released", "in_custody", "community"
# Which fixed set a planned case belongs to: the worklist target's, or the measured prison's and
# probation unit's; None for the cases that grow with the size.
TARGET, LISTS = "target", "lists"

# (kind of case, referral status, how many): the worklist target's caseload, the same at any size.
TARGET_CASES = (
    (RELEASED, Status.ACCEPTED, 140),
    (IN_CUSTODY, Status.ACCEPTED, 60),
    (RELEASED, Status.SENT, 15),
    (IN_CUSTODY, Status.SENT, 15),
    (RELEASED, Status.ENGAGED, 40),
    (RELEASED, Status.CLOSED, 20),
    (RELEASED, Status.REJECTED, 10),
    (IN_CUSTODY, Status.WITHDRAWN, 10),
    (IN_CUSTODY, Status.DRAFT, 10),
)

# (kind of case, referral status or None for no referral, how many): the measured prison's and
# probation unit's own cases, the same at any size. The in-custody ones are releasing soon
# without a sent referral, the released ones have their clock running; each list gets 30, more
# than its first page shows.
LIST_CASES = (
    (IN_CUSTODY, None, 24),
    (IN_CUSTODY, Status.DRAFT, 6),
    (RELEASED, None, 15),
    (RELEASED, Status.SENT, 5),
    (RELEASED, Status.ACCEPTED, 10),
)
if any(
    sum(count for kind, _, count in LIST_CASES if kind == listed) <= PAGE_SIZE
    for listed in (IN_CUSTODY, RELEASED)
):
    raise RuntimeError("each measured list needs more fixed cases than its first page shows")

# Referral status by the kind of case, as weights: (status, weight).
STATUS_WEIGHTS = {
    IN_CUSTODY: (
        (Status.DRAFT, 20),
        (Status.SENT, 35),
        (Status.ACCEPTED, 35),
        (Status.REJECTED, 5),
        (Status.WITHDRAWN, 5),
    ),
    "recent": (
        (Status.DRAFT, 5),
        (Status.SENT, 15),
        (Status.ACCEPTED, 30),
        (Status.ENGAGED, 35),
        (Status.CLOSED, 5),
        (Status.REJECTED, 5),
        (Status.WITHDRAWN, 5),
    ),
    "older": (
        (Status.DRAFT, 3),
        (Status.ACCEPTED, 4),
        (Status.ENGAGED, 15),
        (Status.CLOSED, 63),
        (Status.REJECTED, 8),
        (Status.WITHDRAWN, 7),
    ),
}

# The status changes that lead to each final status (change_status actions, in order).
PATHS = {
    Status.DRAFT: (),
    Status.SENT: ("send",),
    Status.ACCEPTED: ("send", "accept"),
    Status.ENGAGED: ("send", "accept", "engage"),
    Status.CLOSED: ("send", "accept", "engage", "close"),
    Status.REJECTED: ("send", "reject"),
    Status.WITHDRAWN: ("send", "withdraw"),
}
TO_STATUS = {
    "send": Status.SENT,
    "accept": Status.ACCEPTED,
    "engage": Status.ENGAGED,
    "close": Status.CLOSED,
    "reject": Status.REJECTED,
    "withdraw": Status.WITHDRAWN,
}
NOTIFY_PROVIDER = ("send",)
NOTIFY_REFERRER = ("accept", "reject", "engage")

# Release types as record_release is given them, as weights: most go into the cohort, a few are
# excluded by type, some are remand ends (in the cohort by the default settings too).
RELEASE_TYPES, RELEASE_TYPE_WEIGHTS = zip(
    ("licence", 40),
    ("sentence_end", 20),
    ("home_detention_curfew", 20),
    ("court", 10),
    ("remand_ended", 4),
    ("other_secure_setting", 2),
    ("deported", 2),
    ("outside_england", 2),
    strict=True,
)
DIED_SHARE, REMOVED_SHARE = 0.005, 0.01  # of releases, recorded within 40 days of release

STREETS = ("High Street", "Church Road", "Station Road", "Victoria Road", "Park Lane", "Mill Lane")
TOWNS = ("Birmingham", "Coventry", "Leeds", "Bristol", "Norwich", "Hull", "Exeter", "Derby")

# Foreign-key order: each table after the ones it refers to.
TABLE_ORDER = (
    Person,
    CustodyEpisode,
    CustodyChange,
    Referral,
    ReferralEvent,
    Appointment,
    Notification,
)


@dataclass(frozen=True)
class Staff:
    """One member of staff: the ids the bulk rows name."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    role: str = ""
    email: str = ""


@dataclass
class World:
    """Organisations and staff, made through the services; the same at every size."""

    prisons: list[Staff]
    probation: list[Staff]
    providers: dict[str, list[Staff]]  # local authority code -> keyworkers serving it
    target: Staff
    areas: list[str]
    # A manager of a partnership covering every local authority: the continuity dashboard's
    # viewer, whose scope is then every release (the national figure).
    manager: Staff | None = None
    # An auditor of the Caseflow service: who searches the audit log.
    auditor: Staff | None = None

    @property
    def find_prison(self) -> Staff:
        """The prison healthcare user who searches in the find-a-person figure."""
        return self.prisons[0]

    @property
    def list_prison(self) -> Staff:
        """The prison whose worklists are measured: it holds or released every LIST_CASES case."""
        return self.prisons[0]

    @property
    def list_probation(self) -> Staff:
        """The probation unit whose worklists are measured: every LIST_CASES case is released
        into its area ``list_area``."""
        return self.probation[0]

    @property
    def list_area(self) -> str:
        """The first of ``list_probation``'s areas (build_world gives unit n every eighth area
        from the n-th), where the LIST_CASES cases are released to."""
        return self.areas[0]

    @property
    def everyone(self) -> list[Staff]:
        """Every member of staff but the auditor."""
        providers = [keyworker for team in self.providers.values() for keyworker in team]
        return [*self.prisons, *self.probation, *providers, self.target, self.manager]


def build_world() -> World:
    """Prisons, probation units and a provider per local authority, each with one user."""
    # Nobody signs in as these users (they have no password): the bench opens server-side
    # sessions directly.
    areas = {
        code: name
        for code, name in db.session.execute(
            select(LocalAuthority.ons_code, LocalAuthority.name).order_by(LocalAuthority.ons_code)
        )
    }
    if TARGET_AREA not in areas:
        raise RuntimeError(f"local authority {TARGET_AREA} is missing from the migrations' data")

    def staff(name: str, kind: str, area_codes, role: str, email: str) -> Staff:
        organisation = organisations.create_organisation(name, kind, list(area_codes))
        user = accounts.create_user(
            email=email,
            display_name=f"{name} user (bench)",
            role=role,
            organisation=organisation,
        )
        return Staff(user.id, organisation.id, role, email)

    codes_in_order = list(areas)
    prisons = [
        staff(
            f"HMP Bench {n:02d}", Kind.PRISON, (), Role.PRISON_HEALTHCARE, f"prison{n}@bench.test"
        )
        for n in range(1, PRISONS + 1)
    ]
    probation = [
        staff(
            f"Bench Probation Delivery Unit {n}",
            Kind.PROBATION,
            codes_in_order[n - 1 :: PROBATION_UNITS],
            Role.PROBATION,
            f"probation{n}@bench.test",
        )
        for n in range(1, PROBATION_UNITS + 1)
    ]
    providers = {
        code: [
            staff(
                f"{name} Treatment Service (bench)",
                Kind.TREATMENT_PROVIDER,
                (code,),
                Role.KEYWORKER,
                f"keyworker.{code.lower()}@bench.test",
            )
        ]
        for code, name in areas.items()
    }
    target = staff(
        TARGET_NAME,
        Kind.TREATMENT_PROVIDER,
        (TARGET_AREA,),
        Role.KEYWORKER,
        "keyworker.target@bench.test",
    )
    manager = staff(
        "Bench Partnership (every area)",
        Kind.PARTNERSHIP,
        codes_in_order,
        Role.MANAGER,
        "manager@bench.test",
    )
    auditor = staff("Bench Caseflow Service", Kind.SERVICE, (), Role.AUDITOR, "auditor@bench.test")
    db.session.commit()
    return World(
        prisons=prisons,
        probation=probation,
        providers=providers,
        target=target,
        areas=codes_in_order,
        manager=manager,
        auditor=auditor,
    )


# Rows from the models -----------------------------------------------------------------------


@cache
def _plain_class(model) -> type:
    """A plain class with the model's encrypted attributes and methods, but no ORM instrumentation.

    The descriptors are the model's own objects, attached after the class is made (so
    ``__set_name__`` is not called on them again).
    """

    def unset(_self, name: str):
        # An attribute of the model that was never given reads as None, as on a new object.
        if hasattr(model, name):
            return None
        raise AttributeError(name)

    plain = type(
        f"{model.__name__}Row",
        (),
        {"__tablename__": model.__tablename__, "__getattr__": unset},
    )
    plain.model = model
    for klass in reversed(model.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, Encrypted):
                setattr(plain, name, value)
    for name in ("refresh_blind_indexes", "full_name"):
        if hasattr(model, name):
            setattr(plain, name, vars(model)[name])
    return plain


def build(model, **values):
    """A stand-in for ``model(**values)``: the id first, as Entity.__init__ does, then values."""
    obj = _plain_class(model)()
    obj.id = values.pop("id", None) or uuid.uuid4()
    for name, value in values.items():
        if not hasattr(model, name):
            raise TypeError(f"{name!r} is not an attribute of {model.__name__}")
        setattr(obj, name, value)
    return obj


@cache
def _mapped_columns(model) -> tuple:
    return tuple((prop.key, prop.columns[0]) for prop in inspect(model).column_attrs)


def _column_default(column):
    default = column.default
    if default.is_callable:
        return default.arg(None)
    if default.is_scalar:
        return default.arg
    raise TypeError(f"{column}: only Python-side defaults are supported")


def row_of(model, obj) -> dict:
    """The INSERT parameters the unit of work would send for a new object of ``model``."""
    row = {}
    for key, column in _mapped_columns(model):
        value = obj.__dict__.get(key)
        if value is None and column.default is not None:
            # The unit of work leaves a None out of the INSERT, so the column default applies.
            value = _column_default(column)
        row[column.key] = value
    return row


def _copy(connection, table, rows: list[dict]) -> None:
    columns = list(rows[0])
    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        psycopg_sql.Identifier(table.name),
        psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(name) for name in columns),
    )
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


class Batch:
    """New rows for one transaction, inserted table by table."""

    def __init__(self):
        self.objects: dict[type, list] = {model: [] for model in TABLE_ORDER}

    def add(self, obj) -> None:
        self.objects[type(obj).model].append(obj)

    def insert(self, connection) -> Counter:
        counts = Counter()
        for model in TABLE_ORDER:
            objects = self.objects[model]
            if not objects:
                continue
            # Rows are read at insert time: later steps (status changes) change the objects.
            rows = [row_of(model, obj) for obj in objects]
            if connection.dialect.driver == "psycopg":
                _copy(connection, model.__table__, rows)
            else:
                connection.execute(model.__table__.insert(), rows)
            counts[model.__tablename__] = len(rows)
        return counts


def check_parity(batch: Batch, per_table: int = 5) -> int:
    """Each stand-in's row is the row the real model object gives for the same values.

    For the first few rows of every table, a real model object is made from the stand-in's values
    (encrypted ones opened to plain text, so the model seals them again) and refreshed as the
    before-flush hook would. The two rows must have the same columns and values: ciphertexts
    compared opened in their place (they differ by a random nonce), timestamps by type.
    """
    checked = 0
    for model, objects in batch.objects.items():
        plain_class = _plain_class(model)
        encrypted = {
            name for name in dir(plain_class) if isinstance(vars_of(plain_class, name), Encrypted)
        }
        indexed = hasattr(model, "refresh_blind_indexes")
        for plain in objects[:per_table]:
            values = {}
            for key, _column in _mapped_columns(model):
                if key.startswith("_") and key[1:] in encrypted:
                    values[key[1:]] = getattr(plain, key[1:])
                elif key in ("created_at", "updated_at") or (indexed and key.endswith("_index")):
                    continue
                else:
                    values[key] = plain.__dict__.get(key)
            real = model(**values)
            if indexed:
                real.refresh_blind_indexes()
            expected, got = row_of(model, real), row_of(model, plain)
            if expected.keys() != got.keys():
                raise RuntimeError(f"{model.__name__}: the bulk row has other columns")
            for name, value in expected.items():
                if isinstance(value, str) and value.startswith(crypto.VERSION + "."):
                    place = {"table": model.__tablename__, "column": name, "row_id": plain.id}
                    same = crypto.decrypt(value, **place) == crypto.decrypt(got[name], **place)
                elif isinstance(value, datetime):
                    same = isinstance(got[name], datetime)
                else:
                    same = value == got[name]
                if not same:
                    raise RuntimeError(
                        f"{model.__name__}.{name}: the bulk row differs from the ORM's"
                    )
            checked += 1
    return checked


def vars_of(klass: type, name: str):
    """The attribute as stored on the class (a descriptor itself, not what it returns)."""
    for base in klass.__mro__:
        if name in vars(base):
            return vars(base)[name]
    return None


# The synthetic data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What the bench needs to look a person up again: their identifiers, in plain text."""

    person_id: uuid.UUID
    prison_id: uuid.UUID | None
    nhs_number: str | None
    prison_number: str | None
    name: str


@dataclass
class LoadResult:
    releases: int
    rows: Counter
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds


def new_person(actor: Staff, **fields) -> Person:
    """A person as people.services.create_person makes one (without its clash check and audit)."""
    values = {name: fields.get(name) for name in PERSON_FIELDS}
    flags = fields.get("flags") or ()
    values.update({flag.value: flag in flags for flag in codes.PersonFlag})
    for name in ("nhs_number", "prison_number", "crn", "pnc_number"):
        if values[name]:
            values[name] = compact(values[name])
    person = build(Person, recorded_by_organisation_id=actor.organisation_id, **values)
    person.refresh_blind_indexes()  # what the before-flush hook does
    return person


@dataclass
class Loader:
    """Draws cases from one seeded generator, so loads in sequence give the same data every run."""

    world: World
    seed: int = SEED
    today: date = field(default_factory=local_today)
    identities: list[Identity] = field(default_factory=list)
    target_people: list[uuid.UUID] = field(default_factory=list)
    releases: int = 0
    parity_checked: int = 0

    def __post_init__(self):
        # Repeatable synthetic data: nothing secret comes from this generator.
        self.rng = random.Random(self.seed)  # noqa: S311
        self._used: dict[str, set] = {"nhs": set(), "prison": set(), "crn": set()}
        self._targets_loaded = False

    def load(self, releases: int) -> LoadResult:
        """Add about ``releases`` released people, a quarter as many still in custody, and a
        twentieth as many known only to probation, with their referrals and appointments."""
        plan = self.plan(releases)
        rows: Counter = Counter()
        started = time.perf_counter()
        for batch in self.batches(plan):
            if not self.parity_checked:
                self.parity_checked = check_parity(batch)
            with db.engine.begin() as connection:
                rows.update(batch.insert(connection))
        seconds = time.perf_counter() - started
        added = sum(1 for kind, _, _ in plan if kind == RELEASED)
        self.releases += added
        return LoadResult(releases=added, rows=rows, seconds=seconds)

    def batches(self, plan: list[tuple[str, str | None, str | None]]):
        """The plan's cases, ``BATCH_PEOPLE`` people to a batch, each batch not yet inserted."""
        for start in range(0, len(plan), BATCH_PEOPLE):
            batch = Batch()
            for kind, status, fixed in plan[start : start + BATCH_PEOPLE]:
                self._case(batch, kind, status, fixed)
            yield batch

    def plan(self, releases: int) -> list[tuple[str, str | None, str | None]]:
        """The cases to load for about ``releases`` releases (see ``load``): (kind of case,
        referral status, fixed set), the status and set None for a case drawn at random."""
        plan: list[tuple[str, str | None, str | None]] = []
        if not self._targets_loaded:
            plan = [
                (kind, status, fixed)
                for fixed, cases in ((TARGET, TARGET_CASES), (LISTS, LIST_CASES))
                for kind, status, count in cases
                for _ in range(count)
            ]
            self._targets_loaded = True
        fixed_releases = sum(1 for kind, _, _ in plan if kind == RELEASED)
        plan += [(RELEASED, None, None)] * max(0, releases - fixed_releases)
        plan += [(IN_CUSTODY, None, None)] * (releases // 4)
        plan += [(COMMUNITY, None, None)] * (releases // 20)
        self.rng.shuffle(plan)
        return plan

    def _unique(self, kind: str, draw) -> str:
        used = self._used[kind]
        value = draw()
        while value in used:
            value = draw()
        used.add(value)
        return value

    # One case: a person, their custody episode, a referral and what followed. ---------------

    def _case(self, batch: Batch, kind: str, fixed_status: str | None, fixed: str | None) -> None:
        rng, world = self.rng, self.world
        if fixed == LISTS:
            actor = world.list_prison
        else:
            actor = rng.choice(world.probation if kind == COMMUNITY else world.prisons)
        person, dob = self._person(actor, in_custody=kind != COMMUNITY)
        batch.add(person)
        if kind == COMMUNITY:
            return
        if fixed == TARGET:
            area = TARGET_AREA
        elif fixed == LISTS:
            area = world.list_area
        else:
            area = rng.choice(world.areas)
        episode, days_since_release = self._episode(
            batch, actor, person, dob, released=kind == RELEASED, area=area, fixed=fixed
        )
        if fixed == TARGET:
            provider = world.target
            status = fixed_status
            if status == Status.ACCEPTED and kind == RELEASED:
                self.target_people.append(person.id)
        elif fixed == LISTS:
            # Referred, where they are, to a provider of their area, as any other case is.
            provider = rng.choice(world.providers[area])
            status = fixed_status
        else:
            provider = rng.choice(self.world.providers[area])
            status = self._referral_status(episode, days_since_release)
        if status is not None:
            self._referral(batch, actor, provider, person, episode, status)

    def _person(self, actor: Staff, *, in_custody: bool) -> tuple[Person, date]:
        rng = self.rng
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        dob = self.today - timedelta(days=rng.randrange(19 * 365, 65 * 365))
        nhs = self._unique("nhs", lambda: demo_nhs_number(rng)) if rng.random() < 0.85 else None
        prison_number = (
            self._unique("prison", lambda: demo_prison_number(rng)) if in_custody else None
        )
        crn = (
            self._unique("crn", lambda: f"{rng.choice('BCDX')}{rng.randrange(100000, 1000000)}")
            if rng.random() < 0.6 or not in_custody
            else None
        )
        person = new_person(
            actor,
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            nhs_number=nhs,
            prison_number=prison_number,
            crn=crn,
            pnc_number=(
                f"{rng.randrange(10, 100)}/{rng.randrange(1, 10**7)}{rng.choice('ABCDEFGHJK')}"
                if rng.random() < 0.5
                else None
            ),
            address=(
                f"{rng.randrange(1, 300)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}"
                if rng.random() < 0.7
                else None
            ),
            phone=f"07{rng.randrange(10**8, 10**9)}" if rng.random() < 0.5 else None,
            sex=rng.choice(["male"] * 8 + ["female"] * 2),
            ethnic_group=rng.choice(list(codes.EthnicGroup)),
            flags=[flag for flag in codes.PersonFlag if rng.random() < 0.1],
        )
        self.identities.append(
            Identity(
                person_id=person.id,
                prison_id=actor.organisation_id if in_custody else None,
                nhs_number=nhs,
                prison_number=prison_number,
                name=f"{given} {family}",
            )
        )
        return person, dob

    def _episode(self, batch, actor, person, dob, *, released, area, fixed):
        """add_custody_episode, then record_release for a released person. A case of a fixed
        set (``fixed``) has the dates and values that keep it on its lists at every size."""
        rng, today = self.rng, self.today
        days_since_release = None
        if released:
            if fixed == LISTS:
                days_since_release = rng.randrange(0, 20)  # clock running (day 0-21)
            elif fixed == TARGET:
                days_since_release = rng.randrange(0, 45)
            elif rng.random() < 0.3:
                days_since_release = rng.randrange(0, 120)
            else:
                days_since_release = rng.randrange(120, 5 * 365)
            release = today - timedelta(days=days_since_release)
            expected = release + timedelta(days=rng.choice((0, 0, 0, 7, 14)))
            reception = release - timedelta(days=rng.randrange(30, 900))
        elif fixed == LISTS:
            expected = today + timedelta(days=rng.randrange(1, 80))  # releasing within 12 weeks
            reception = today - timedelta(days=rng.randrange(10, 700))
        else:
            expected = today + timedelta(days=rng.randrange(1, 200)) if rng.random() < 0.9 else None
            reception = today - timedelta(days=rng.randrange(10, 700))
        opioid = rng.choice(["none", "none", "methadone", "buprenorphine", "lai_buprenorphine"])
        needs = ["in_treatment", "in_treatment", "assessed_need"] + ([] if fixed else ["no_need"])
        fields = {
            "reception_date": reception,
            "expected_release_date": expected,
            "expected_release_unknown_reason": (
                None if expected else rng.choice(list(codes.ExpectedReleaseUnknown))
            ),
            "destination_local_authority_code": area,
            "accommodation_on_release": rng.choice(list(codes.Accommodation)),
            "treatment_need": rng.choice(needs),
            "substance_group": rng.choice(list(codes.SubstanceGroup)),
            "opioid_substitution": opioid,
            "last_dose_date": None if opioid == "none" else min(today, expected or today),
            "naloxone_issued": rng.random() < 0.7,
            "bridging_prescription": rng.random() < 0.3,
        }
        values = {name: fields.get(name) for name in EPISODE_FIELDS}
        if expected:
            values["expected_release_unknown_reason"] = None
        values["substance_group"] = values["substance_group"] or None
        episode = build(
            CustodyEpisode, person_id=person.id, prison_id=actor.organisation_id, **values
        )
        batch.add(episode)
        if released:
            # record_release: the release fields, age at release, one change with its reason.
            episode.actual_release_date = release
            # The fixed sets' cases keep to the cohort's release types and have no deaths or
            # removals, so their lists are the same at every size.
            episode.release_type = (
                "licence" if fixed else rng.choices(RELEASE_TYPES, RELEASE_TYPE_WEIGHTS)[0]
            )
            episode.unplanned_release = rng.random() < 0.05
            episode.age_at_release = age_on(dob, release)
            episode.version = 2  # inserted, then updated once
            batch.add(
                build(
                    CustodyChange,
                    episode_id=episode.id,
                    kind="release_recorded",
                    old_value=None,
                    new_value=release.isoformat(),
                    changed_by_id=actor.user_id,
                    reason="Released as planned (synthetic bench data)",
                )
            )
            if not fixed:
                self._after_release(person, episode, release)
        return episode, days_since_release

    def _after_release(self, person, episode, release: date) -> None:
        """A few deaths (record_death) and removals from the country (record_removal) within
        weeks of release, so the measure's two after-release exclusions have cases."""
        rng, today = self.rng, self.today
        chance = rng.random()
        if chance < DIED_SHARE:
            person.date_of_death = min(today, release + timedelta(days=rng.randrange(0, 40)))
            person.date_of_death_source = rng.choice(list(codes.DeathSource))
            person.version = 2  # inserted, then updated once
        elif chance < DIED_SHARE + REMOVED_SHARE:
            episode.removed_from_country_on = min(
                today, release + timedelta(days=rng.randrange(0, 40))
            )
            episode.version += 1

    def _referral_status(self, episode, days_since_release) -> str | None:
        rng = self.rng
        if episode.treatment_need == "no_need" or rng.random() > 0.65:
            return None
        if days_since_release is None:
            weights = STATUS_WEIGHTS[IN_CUSTODY]
        elif days_since_release <= 120:
            weights = STATUS_WEIGHTS["recent"]
        else:
            weights = STATUS_WEIGHTS["older"]
        statuses, shares = zip(*weights, strict=True)
        return rng.choices(statuses, shares)[0]

    def _referral(self, batch, referrer: Staff, provider: Staff, person, episode, status) -> None:
        """create_referral, then change_status for each step to ``status``."""
        rng = self.rng
        overridden = rng.random() < 0.05
        opioid = episode.opioid_substitution
        fields = {
            "provider_id": provider.organisation_id,
            "consent": "overridden" if overridden else "given",
            "consent_override_reason": "Serious risk of overdose on release (synthetic)",
            "substance_group": episode.substance_group,
            "opioid_medicine": opioid,
            "opioid_dose": {"methadone": "60ml daily", "buprenorphine": "16mg daily"}.get(opioid),
            "last_dose_date": episode.last_dose_date,
            "bridging_prescription": episode.bridging_prescription,
            "long_acting_injectable": opioid == "lai_buprenorphine",
            "naloxone_on_release": episode.naloxone_issued,
            "mental_health_need": rng.random() < 0.3,
            "housing_need": rng.random() < 0.3,
            "risks": "Overdose risk after release (synthetic)",
            "contact_after_release": "Via probation (synthetic)",
        }
        values = {name: fields.get(name) for name in HANDOVER_FIELDS}
        if values["consent"] != "overridden":
            values["consent_override_reason"] = None
        referral = build(
            Referral,
            person_id=person.id,
            episode_id=episode.id,
            referring_organisation_id=referrer.organisation_id,
            referred_by_id=referrer.user_id,
            status=Status.DRAFT,
            creation_token=None,
            **values,
        )
        referral.version = 1
        batch.add(referral)
        self._history(batch, referral, referrer, "created", None, Status.DRAFT)
        release = episode.actual_release_date
        path = PATHS[status]
        if "engage" in path and status == Status.CLOSED and rng.random() < 0.3:
            path = tuple(action for action in path if action != "engage")
        for action in path:
            actor = provider if action in ("accept", "engage", "close", "reject") else referrer
            self._change(batch, referral, actor, provider, action, release)
        if status in (Status.ACCEPTED, Status.ENGAGED, Status.CLOSED) and release is not None:
            count = rng.randrange(0, 3) if status == Status.ACCEPTED else rng.randrange(2, 9)
            for _ in range(count):
                self._appointment(batch, referral, provider, release)

    def _change(self, batch, referral, actor: Staff, provider: Staff, action, release) -> None:
        """change_status: the conditional UPDATE's values, one history row, notifications."""
        rng = self.rng
        seen_status = referral.status
        details: dict = {"reason_code": None, "reason": None}
        referral.status = TO_STATUS[action]
        if action == "send":
            referral.sent_at = utcnow()
        elif action == "accept":
            referral.accepted_at = utcnow()
            referral.assigned_keyworker_id = actor.user_id
        elif action == "engage":
            start = min(self.today, release + timedelta(days=rng.randrange(0, 35)))
            referral.treatment_start_date = start
            details["event_date"] = start
        elif action == "close":
            details["reason_code"] = rng.choice(list(ClosingReason))
            referral.closing_reason = details["reason_code"]
        elif action == "reject":
            details["reason_code"] = rng.choice(list(RejectionReason))
            details["reason"] = "Rejected (synthetic bench data)"
        elif action == "withdraw":
            details["reason"] = "Withdrawn (synthetic bench data)"
        referral.version += 1
        self._history(batch, referral, actor, action, seen_status, referral.status, **details)
        if action in NOTIFY_PROVIDER:
            recipients = [provider.user_id]
        elif action in NOTIFY_REFERRER:
            recipients = [referral.referred_by_id]
        else:
            recipients = []
        for user_id in recipients:
            if user_id != actor.user_id:
                batch.add(
                    build(
                        Notification,
                        user_id=user_id,
                        record_type="referral",
                        record_id=referral.id,
                        person_id=referral.person_id,
                        kind=action,
                    )
                )

    def _history(self, batch, referral, actor: Staff, kind, from_status, to_status, **details):
        batch.add(
            build(
                ReferralEvent,
                referral_id=referral.id,
                person_id=referral.person_id,
                kind=kind,
                from_status=from_status,
                to_status=to_status,
                actor_id=actor.user_id,
                organisation_id=actor.organisation_id,
                **details,
            )
        )

    def _appointment(self, batch, referral, keyworker: Staff, release: date) -> None:
        """book_appointment, and record_attendance once the day has come."""
        rng = self.rng
        day = release + timedelta(days=rng.randrange(-7, 90))
        appointment = build(
            Appointment,
            referral_id=referral.id,
            provider_id=keyworker.organisation_id,
            appointment_date=day,
            appointment_time=rng.choice([None, "09:30", "11:00", "14:00", "15:30"]),
            booked_by_id=keyworker.user_id,
            creation_token=None,
        )
        batch.add(appointment)
        status = referral.status
        self._history(
            batch, referral, keyworker, "appointment_booked", status, status, event_date=day
        )
        if day <= self.today:
            outcome = rng.choices(["attended", "did_not_attend", "rebooked"], [70, 25, 5])[0]
            appointment.outcome = outcome
            self._history(
                batch, referral, keyworker, f"appointment_{outcome}", status, status, event_date=day
            )


# Checks -------------------------------------------------------------------------------------


def check_people(person_ids: list[uuid.UUID]) -> int:
    """Read people back through the ORM: every value opens in its place, every index matches."""
    checked = 0
    for person in db.session.scalars(select(Person).where(Person.id.in_(person_ids))):
        stored = (
            person.nhs_number_index,
            person.prison_number_index,
            person.crn_index,
            person.name_dob_index,
        )
        for name in Person.ENCRYPTED_FIELDS:
            getattr(person, name)  # raises DecryptionError if the ciphertext is not this row's
        person.refresh_blind_indexes()
        again = (
            person.nhs_number_index,
            person.prison_number_index,
            person.crn_index,
            person.name_dob_index,
        )
        if stored != again:
            raise RuntimeError(f"person {person.id}: blind indexes differ from the model's")
        checked += 1
    db.session.rollback()
    return checked


def accepted_at_target(world: World) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(
            Referral.provider_id == world.target.organisation_id,
            Referral.status == Status.ACCEPTED,
        )
    )
