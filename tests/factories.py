"""factory_boy factories for Caseflow's records, all synthetic."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from caseflow.auth.models import User
from caseflow.extensions import db
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.security import passwords
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
    organisation = factory.SubFactory(
        OrganisationFactory, kind=factory.SelfAttribute("..role_kind")
    )
