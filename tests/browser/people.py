"""People the browser journeys start from, set up through the services as the prison and the
provider would have made them, committed to the live server's database.

Each journey names its person (a name and identifiers no other test uses), so the journeys run
in any order on the one shared database.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from caseflow.auth.services import user_by_email
from caseflow.extensions import db
from caseflow.people import custody
from caseflow.people import services as people
from caseflow.referrals.services import handover as referrals
from tests.browser.pages import synthetic_nhs_number

PRISON_HEALTHCARE = "prison.healthcare@demo.caseflow.test"
KEYWORKER = "keyworker@demo.caseflow.test"
BIRMINGHAM = "E08000025"


@dataclass(frozen=True)
class Someone:
    """Who a journey is about: what prison healthcare records, and the dose referred."""

    given_name: str
    family_name: str
    nhs_first_six: str  # the synthetic NHS number starts 999 and these
    prison_number: str
    sex: str
    age_at_release: int
    days_in_custody: int
    dose: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class Accepted:
    person_id: uuid.UUID
    referral_id: uuid.UUID


def released_to_birmingham(
    nurse, someone: Someone, released: date, *, accommodation="settled", bridging=False
):
    """Someone recorded by prison healthcare (``nurse``) and released on licence to Birmingham
    on ``released``, on methadone; inside the caller's app context, not yet committed."""
    person = people.create_person(
        nurse,
        given_name=someone.given_name,
        family_name=someone.family_name,
        date_of_birth=released - timedelta(days=someone.age_at_release * 365),
        nhs_number=synthetic_nhs_number(someone.nhs_first_six),
        prison_number=someone.prison_number,
        sex=someone.sex,
        ethnic_group="white",
    )
    episode = custody.add_custody_episode(
        nurse,
        person.id,
        reception_date=released - timedelta(days=someone.days_in_custody),
        expected_release_date=released,
        destination_local_authority_code=BIRMINGHAM,
        accommodation_on_release=accommodation,
        treatment_need="in_treatment",
        substance_group="opiate",
        opioid_substitution="methadone",
        last_dose_date=released,
        naloxone_issued=True,
        bridging_prescription=bridging,
    )
    custody.record_release(
        nurse,
        person.id,
        episode.id,
        version=episode.version,
        actual_release_date=released,
        release_type="licence",
        unplanned_release=False,
        reason="Released on licence",
    )
    return person


def released_and_accepted(live_server, someone: Someone, released: date) -> Accepted:
    """Someone recorded by prison healthcare, released on licence to Birmingham on
    ``released``, referred to the demo keyworker's provider and accepted by it."""
    with live_server["app"].app_context():
        nurse = user_by_email(PRISON_HEALTHCARE)
        keyworker = user_by_email(KEYWORKER)
        person = released_to_birmingham(nurse, someone, released)
        referral = referrals.create_referral(
            nurse,
            person.id,
            provider_id=keyworker.organisation_id,
            consent="given",
            substance_group="opiate",
            opioid_medicine="methadone",
            opioid_dose=someone.dose,
        )
        referrals.change_status(nurse, referral.id, "send")
        referrals.change_status(keyworker, referral.id, "accept")
        db.session.commit()
        return Accepted(person.id, referral.id)
