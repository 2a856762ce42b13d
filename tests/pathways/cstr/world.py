"""The people and organisations of a CSTR, and orders taken to any stage through the services."""

from dataclasses import dataclass
from datetime import date, timedelta

from caseflow.dates import local_today
from caseflow.organisations.models import OrganisationKind
from caseflow.pathways.cstr import records, services
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, provider_serving

BIRMINGHAM = "E08000025"


@dataclass
class World:
    probation: object
    keyworker: object
    practitioner: object
    court: object
    person: object

    def request(self, requirements=("drr",), due: date | None = None, person=None):
        return services.request_assessment(
            self.probation,
            (person or self.person).id,
            requirements=list(requirements),
            provider_id=self.keyworker.organisation_id,
            mental_health_service_id=self.practitioner.organisation_id,
            local_authority_code=BIRMINGHAM,
            court_report_due=due or local_today() + timedelta(days=14),
        )

    def order_inputs(self, requirements=("drr",), sentence=None, start=None, end=None, **extra):
        sentence = sentence or local_today() - timedelta(days=10)
        start = start or sentence
        return {
            "court_id": self.court.id,
            "sentence_date": sentence,
            "order_type": "community_order",
            "consent": True,
            "start_date": start,
            "end_date": end or start + timedelta(days=180),
            "requirements": list(requirements),
            "provider_id": self.keyworker.organisation_id,
            "mental_health_service_id": self.practitioner.organisation_id,
            **extra,
        }

    def made(self, requirements=("drr",), **order):
        cstr = self.request(requirements)
        assessor = self.practitioner if requirements == ("mhtr",) else self.keyworker
        today = local_today()
        services.change(assessor, cstr.id, "assess_suitable", assessed_on=today)
        services.change(
            self.probation, cstr.id, "make_order", **self.order_inputs(requirements, **order)
        )
        return cstr

    def started(self, requirements=("drr",), treatment_start=None, **order):
        cstr = self.made(requirements, **order)
        treating = self.practitioner if requirements == ("mhtr",) else self.keyworker
        start = treatment_start or cstr.sentence_date
        services.change(treating, cstr.id, "start", treatment_start_date=start)
        return cstr

    def running_with_a_review(self):
        """An order started today with a court review in 40 days, its report due in 33: both
        are due on the worklist."""
        today = local_today()
        order = self.started(start=today, end=today + timedelta(days=400))
        review = records.schedule_review(
            self.probation,
            order.id,
            review_date=today + timedelta(days=40),
            report_due=today + timedelta(days=33),
        )
        return order, review


def make_world() -> World:
    probation_unit = OrganisationFactory(kind=OrganisationKind.PROBATION)
    provider = provider_serving(BIRMINGHAM)
    mental_health = OrganisationFactory(kind=OrganisationKind.MENTAL_HEALTH)
    court = OrganisationFactory(kind=OrganisationKind.COURT, name="Test Magistrates' Court")
    probation = UserFactory(role="probation", organisation=probation_unit)
    return World(
        probation=probation,
        keyworker=UserFactory(role="keyworker", organisation=provider),
        practitioner=UserFactory(role="mental_health_practitioner", organisation=mental_health),
        court=court,
        person=PersonFactory(recorded_by=probation_unit),
    )
