"""factory_boy factories for Caseflow's records, all synthetic."""

from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from caseflow.auth.models import User
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.people.models import CustodyEpisode, Person
from caseflow.referrals.models import Appointment, Referral
from caseflow.security import mfa, passwords
from caseflow.security.access import Role

TEST_PASSWORD = "correct horse battery staple"

ORGANISATION_FOR_ROLE = {
    Role.PRISON_HEALTHCARE: OrganisationKind.PRISON,
    Role.PROBATION: OrganisationKind.PROBATION,
    Role.KEYWORKER: OrganisationKind.TREATMENT_PROVIDER,
    Role.MENTAL_HEALTH: OrganisationKind.MENTAL_HEALTH,
    Role.OUTREACH: OrganisationKind.OUTREACH,
    Role.MANAGER: OrganisationKind.PARTNERSHIP,
    Role.AUDITOR: OrganisationKind.SERVICE,
    Role.ADMIN: OrganisationKind.SERVICE,
}

_hash_cache: dict[str, str] = {}


def password_hash(password: str = TEST_PASSWORD) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = passwords.hash_password(password)
    return _hash_cache[password]


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test organisation {n}")
    kind = OrganisationKind.PRISON


class UserFactory(BaseFactory):
    class Meta:
        model = User

    class Params:
        role_kind = factory.LazyAttribute(lambda o: ORGANISATION_FOR_ROLE[o.role])

    email = factory.Sequence(lambda n: f"user{n}@test.caseflow.test")
    display_name = factory.Sequence(lambda n: f"Test User {n}")
    role = Role.PRISON_HEALTHCARE
    password_hash = factory.LazyFunction(password_hash)
    active = True
    totp_secret = factory.LazyFunction(mfa.new_secret)
    totp_enrolled_at = factory.LazyFunction(utcnow)
    organisation = factory.SubFactory(
        OrganisationFactory, kind=factory.SelfAttribute("..role_kind")
    )


def valid_nhs_number(seed: int) -> str:
    """A 999-range NHS number passing the check digit, distinct for each seed."""
    from caseflow.people.identifiers import nhs_check_digit

    candidate = seed * 7
    while True:
        first_nine = f"999{candidate % 1_000_000:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)
        candidate += 1


class PersonFactory(BaseFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = date(1985, 3, 27)
    nhs_number = factory.Sequence(valid_nhs_number)
    prison_number = factory.Sequence(lambda n: f"A{n % 10000:04d}BC")
    crn = factory.Sequence(lambda n: f"X{n % 1000000:06d}")
    sex = "male"
    ethnic_group = "not_stated"
    recorded_by_organisation_id = factory.LazyAttribute(lambda o: o.recorded_by.id)

    class Params:
        recorded_by = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.PRISON)


class CustodyEpisodeFactory(BaseFactory):
    class Meta:
        model = CustodyEpisode

    person = factory.SubFactory(PersonFactory)
    prison = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.PRISON)
    reception_date = date(2025, 1, 10)
    expected_release_date = factory.LazyFunction(lambda: local_today() + timedelta(days=30))
    destination_local_authority_code = "E08000025"
    accommodation_on_release = "temporary"
    treatment_need = "in_treatment"
    substance_group = "opiate"
    opioid_substitution = "methadone"
    last_dose_date = factory.LazyFunction(local_today)


def person_in_custody_at(prison, **fields) -> Person:
    """A person whose open custody episode is held by prison."""
    person = PersonFactory(recorded_by=prison, **fields)
    CustodyEpisodeFactory(person=person, prison=prison)
    return person


def provider_serving(*areas: str, **fields) -> Organisation:
    """A community treatment provider covering the given local authorities."""
    from caseflow.organisations.models import LocalAuthority

    provider = OrganisationFactory(kind=OrganisationKind.TREATMENT_PROVIDER, **fields)
    provider.areas = [db.session.get(LocalAuthority, code) for code in areas or ("E08000025",)]
    db.session.flush()
    return provider


class ReferralFactory(BaseFactory):
    """A referral from the prison holding a released person to a provider serving Birmingham."""

    class Meta:
        model = Referral

    episode = factory.SubFactory(
        CustodyEpisodeFactory,
        actual_release_date=factory.LazyFunction(lambda: local_today() - timedelta(days=3)),
        expected_release_date=factory.LazyFunction(lambda: local_today() - timedelta(days=3)),
    )
    person = factory.SelfAttribute("episode.person")
    referring_organisation_id = factory.SelfAttribute("episode.prison_id")
    referred_by_id = factory.LazyAttribute(
        lambda o: UserFactory(role=Role.PRISON_HEALTHCARE, organisation=o.episode.prison).id
    )
    provider_id = factory.LazyAttribute(lambda o: provider_serving().id)
    status = "sent"
    consent = "given"
    substance_group = "opiate"
    opioid_medicine = "methadone"


class AppointmentFactory(BaseFactory):
    class Meta:
        model = Appointment

    referral = factory.SubFactory(ReferralFactory, status="accepted")
    provider_id = factory.SelfAttribute("referral.provider_id")
    appointment_date = factory.LazyFunction(local_today)
    booked_by_id = factory.LazyAttribute(
        lambda o: UserFactory(role=Role.KEYWORKER, organisation_id=o.referral.provider_id).id
    )


def person_on_every_pathway(keyworker, prison) -> Person:
    """A person released from prison to Birmingham a month ago, whose referral the keyworker's
    provider accepted, with a record the keyworker sees on each pathway, made through the
    pathway's services as its own tests make them (tests/pathways/*/world.py): a rough sleeping
    case the keyworker opened and assigned to an outreach team, which referred it to the housing
    authority; a dual diagnosis case the keyworker referred and the mental health service
    accepted; a CSTR naming the provider, assessed, made by the court and started."""
    from caseflow.organisations.models import LocalAuthority
    from caseflow.pathways.cstr import services as cstr
    from caseflow.pathways.dual_diagnosis import services as dual_diagnosis
    from caseflow.pathways.rough_sleeping import services as rough_sleeping

    today = local_today()
    released = today - timedelta(days=30)
    probation_unit = OrganisationFactory(kind=OrganisationKind.PROBATION)
    probation = UserFactory(role=Role.PROBATION, organisation=probation_unit)
    service = OrganisationFactory(kind=OrganisationKind.MENTAL_HEALTH)
    service.areas = [db.session.get(LocalAuthority, "E08000025")]
    practitioner = UserFactory(role=Role.MENTAL_HEALTH, organisation=service)
    team = OrganisationFactory(kind=OrganisationKind.OUTREACH)
    outreach = UserFactory(role=Role.OUTREACH, organisation=team)
    authority = OrganisationFactory(kind=OrganisationKind.HOUSING_AUTHORITY)
    court = OrganisationFactory(kind=OrganisationKind.COURT)
    person = ReferralFactory(
        status="accepted",
        provider_id=keyworker.organisation_id,
        episode__prison=prison,
        episode__person__recorded_by=probation_unit,  # so probation may ask for a CSTR
        episode__actual_release_date=released,
        episode__expected_release_date=released,
        episode__release_type="licence",
        episode__accommodation_on_release="no_fixed_abode",
    ).person

    case = rough_sleeping.open_case(keyworker, person.id, first_night="rough_sleeping")
    rough_sleeping.change_status(keyworker, case.id, "assign_team", team_id=team.id)
    rough_sleeping.change_status(
        outreach,
        case.id,
        "refer",
        homelessness="homeless",
        housing_authority_id=authority.id,
        referred_on=released + timedelta(days=1),
        consent_to_referral=True,
        consent_to_share_contact=True,
    )

    case = dual_diagnosis.start_case(
        keyworker,
        person.id,
        need_category="psychosis",
        need_severity="severe",
        assessed_by="Dr A Khan, prison psychiatrist",
        assessed_on=today - timedelta(days=5),
        mental_health_service_id=service.id,
    )
    dual_diagnosis.change_status(
        practitioner, case.id, "accept", care_coordinator=str(practitioner.id)
    )

    order = cstr.request_assessment(
        probation,
        person.id,
        requirements=["drr"],
        provider_id=keyworker.organisation_id,
        mental_health_service_id=None,
        local_authority_code="E08000025",
        court_report_due=today + timedelta(days=14),
    )
    cstr.change(keyworker, order.id, "assess_suitable", assessed_on=today)
    sentenced = today - timedelta(days=10)
    cstr.change(
        probation,
        order.id,
        "make_order",
        court_id=court.id,
        sentence_date=sentenced,
        order_type="community_order",
        consent=True,
        start_date=sentenced,
        end_date=sentenced + timedelta(days=180),
        requirements=["drr"],
        provider_id=keyworker.organisation_id,
        mental_health_service_id=None,
    )
    cstr.change(keyworker, order.id, "start", treatment_start_date=sentenced)
    return person
