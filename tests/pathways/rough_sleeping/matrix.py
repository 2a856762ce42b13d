"""The rough sleeping routes' part of the route matrix (tests/security/test_route_matrix.py): a
case in the state each route acts on, opened by the signed-in organisation and worked by it
(its outreach team, for an outreach worker) for "own", a stranger's for "other"; and a form each
POST route would accept."""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import OrganisationKind
from caseflow.pathways.rough_sleeping.models import AccommodationEntry, RoughSleepingCase
from tests.factories import OrganisationFactory, UserFactory

RELEASED_DAYS_AGO = 100  # both outcomes are due

# The status each route's "own" case is in, so its POST is one the service takes.
STATE = {
    "rough_sleeping.assign_team": "open",
    "rough_sleeping.respond": "referred",
    "rough_sleeping.outcome_3_months": "three_weeks",
}


def case(world, endpoint: str, own: bool) -> RoughSleepingCase:
    person = world.person(own)
    episode = world.episode_of(person)
    released = local_today() - timedelta(days=RELEASED_DAYS_AGO)
    episode.actual_release_date = released
    episode.release_type = "licence"
    if own:
        opener = world.organisation
        opener_user = world.user
    else:
        opener = episode.prison
        opener_user = UserFactory(role="prison_healthcare", organisation=opener)
    status = STATE.get(endpoint, "team_assigned")
    team = (
        world.organisation
        if own and world.kind == OrganisationKind.OUTREACH
        else OrganisationFactory(kind=OrganisationKind.OUTREACH)
    )
    record = RoughSleepingCase(
        person_id=person.id,
        episode_id=episode.id,
        status=status,
        opened_by_id=opener_user.id,
        opening_organisation_id=opener.id,
        outreach_team_id=None if status == "open" else team.id,
        referred_on=released if status == "referred" else None,
    )
    db.session.add(record)
    db.session.flush()
    db.session.add(
        AccommodationEntry(
            case_id=record.id,
            category="rough_sleeping",
            from_date=released,
            first_night=True,
            recorded_by_id=opener_user.id,
            organisation_id=opener.id,
        )
    )
    db.session.flush()
    return record


def post_forms(world, target, token) -> dict:
    today = local_today()
    day = [str(today.day), str(today.month), str(today.year)]
    forms = {
        "rough_sleeping.open_case": {
            "first_night": "rough_sleeping",
            "token": token("rough_sleeping_case", "person_id"),
        },
        "rough_sleeping.close": {"reason_code": "other"},
        "rough_sleeping.respond": {"authority_response": "relief_duty", "response_on": day},
        "rough_sleeping.outcome_3_weeks": {"outcome": "settled"},
        "rough_sleeping.outcome_3_months": {"outcome": "not_settled"},
        "rough_sleeping.accommodation": {"category": "temporary", "from_date": day},
        "rough_sleeping.prescribing": {"arranged": "yes", "prescriber": "Dr Matrix"},
    }
    if "rough_sleeping_id" in target.values:
        forms["rough_sleeping.assign_team"] = {
            "team": str(OrganisationFactory(kind=OrganisationKind.OUTREACH).id)
        }
        forms["rough_sleeping.refer"] = {
            "homelessness": "homeless",
            "housing_authority": str(
                OrganisationFactory(kind=OrganisationKind.HOUSING_AUTHORITY).id
            ),
            "referred_on": day,
            "consent_to_referral": "y",
            "consent_to_share_contact": "y",
        }
    return forms
