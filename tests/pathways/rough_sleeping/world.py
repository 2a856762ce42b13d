"""A released person on the rough sleeping pathway, for the pathway's tests: the prison that
released them, a keyworker whose provider holds their referral (and opens the case), an outreach
team and a local housing authority."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from caseflow.dates import local_today
from caseflow.organisations.models import OrganisationKind
from caseflow.pathways.rough_sleeping import services
from tests.factories import OrganisationFactory, ReferralFactory, UserFactory


@dataclass
class World:
    released_days_ago: int = 30
    accommodation_on_release: str = "no_fixed_abode"
    referral: object = field(init=False)
    keyworker: object = field(init=False)
    outreach: object = field(init=False)
    team: object = field(init=False)
    authority: object = field(init=False)

    def __post_init__(self):
        released = local_today() - timedelta(days=self.released_days_ago)
        self.referral = ReferralFactory(
            status="accepted",
            episode__actual_release_date=released,
            episode__expected_release_date=released,
            episode__release_type="licence",
            episode__accommodation_on_release=self.accommodation_on_release,
        )
        self.keyworker = UserFactory(role="keyworker", organisation=self.referral.provider)
        self.team = OrganisationFactory(kind=OrganisationKind.OUTREACH)
        self.outreach = UserFactory(role="outreach_worker", organisation=self.team)
        self.authority = OrganisationFactory(
            kind=OrganisationKind.HOUSING_AUTHORITY, name="Test City Council Housing Options"
        )

    @property
    def person(self):
        return self.referral.person

    @property
    def episode(self):
        return self.referral.episode

    @property
    def release_date(self) -> date:
        return self.episode.actual_release_date

    def open_case(self, first_night: str = "rough_sleeping"):
        return services.open_case(self.keyworker, self.person.id, first_night=first_night)

    def assigned_case(self, first_night: str = "rough_sleeping"):
        case = self.open_case(first_night)
        return services.change_status(self.keyworker, case.id, "assign_team", team_id=self.team.id)

    def refer(self, case, actor=None, **overrides):
        inputs = {
            "homelessness": "homeless",
            "housing_authority_id": self.authority.id,
            "referred_on": self.release_date + timedelta(days=1),
            "consent_to_referral": True,
            "consent_to_share_contact": True,
            **overrides,
        }
        return services.change_status(actor or self.outreach, case.id, "refer", **inputs)
