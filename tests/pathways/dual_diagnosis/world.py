"""The people and organisations the dual diagnosis tests act in: a person released to
Birmingham, referred for treatment to a provider there, the prison that held them, and a mental
health service serving Birmingham."""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, Organisation, OrganisationKind
from caseflow.pathways.dual_diagnosis import plans, services
from caseflow.security.access import Role
from tests.factories import OrganisationFactory, ReferralFactory, UserFactory

BIRMINGHAM = "E08000025"


def mental_health_service(*areas: str):
    service = OrganisationFactory(kind=OrganisationKind.MENTAL_HEALTH)
    service.areas = [db.session.get(LocalAuthority, code) for code in areas or (BIRMINGHAM,)]
    db.session.flush()
    return service


class Story:
    """One person, their treatment referral (accepted by the provider), and the two services."""

    def __init__(self, referral_status: str = "accepted", referred_by: str = "keyworker"):
        self.referral = ReferralFactory(status=referral_status)
        self.person = self.referral.person
        self.prison = self.referral.episode.prison
        self.nurse = UserFactory(role=Role.PRISON_HEALTHCARE, organisation=self.prison)
        self.provider = db.session.get(Organisation, self.referral.provider_id)
        self.keyworker = UserFactory(role=Role.KEYWORKER, organisation=self.provider)
        self.service = mental_health_service()
        self.practitioner = UserFactory(role=Role.MENTAL_HEALTH, organisation=self.service)
        self.coordinator = UserFactory(role=Role.MENTAL_HEALTH, organisation=self.service)
        self.referrer = self.nurse if referred_by == "nurse" else self.keyworker

    def referred(self, by=None, **need):
        fields = {
            "need_category": "psychosis",
            "need_severity": "severe",
            "assessed_by": "Dr A Khan, prison psychiatrist",
            "assessed_on": local_today() - timedelta(days=5),
            "mental_health_service_id": self.service.id,
        } | need
        return services.start_case(by or self.referrer, self.person.id, **fields)

    def accepted(self):
        case = self.referred()
        return services.change_status(
            self.practitioner, case.id, "accept", care_coordinator=str(self.coordinator.id)
        )

    def planned(self, review_in_days: int = 28):
        """Accepted, with every part of the plan filled in (not yet agreed)."""
        case = self.accepted()
        db.session.flush()
        plans.save_plan(
            self.keyworker,
            case.id,
            version=case.plan.version,
            needs="Psychosis and opiate use",
            crisis_plan="Call the crisis team on 0121 000 0000",
            person_has_copy="yes",
            review_date=local_today() + timedelta(days=review_in_days),
        )
        plans.add_action(
            self.practitioner,
            case.id,
            description="Weekly visit",
            owner="Care coordinator",
            due_on=local_today() + timedelta(days=7),
        )
        db.session.flush()
        return case

    def agreed(self, review_in_days: int = 28):
        case = self.planned(review_in_days)
        return services.change_status(self.keyworker, case.id, "agree_plan")
