"""Demo stories for this pathway: people at every stage of it, on the synthetic demo data.

The prison that released someone with nowhere to stay opens the case (it holds
the episode), and the Birmingham Street Outreach Team works it: one person at each stage of the
lifecycle, and a few more waiting on the team's list. Everything goes through the services,
after the release stories (so the audit log's times keep rising with its ids).
"""

from datetime import timedelta

from sqlalchemy import case, select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations import services as organisations
from caseflow.pathways.rough_sleeping import services
from caseflow.pathways.rough_sleeping.dues import months_after
from caseflow.pathways.rough_sleeping.models import RoughSleepingCase
from caseflow.people.models import CustodyEpisode
from caseflow.security.access import Role

HOUSING_AUTHORITY = "Birmingham City Council Housing Options"
TEAM = "Birmingham Street Outreach Team"
BIRMINGHAM = "E08000025"

# (the stage reached, where the first night was spent, released at least this many days ago)
STORIES = (
    ("three_months", "no_fixed_abode", 93),
    ("closed", "rough_sleeping", 93),
    ("three_weeks", "rough_sleeping", 21),
    ("team_assigned", "rough_sleeping", 10),
    ("open", "rough_sleeping", 0),
    ("team_assigned", "rough_sleeping", 0),
    ("team_assigned", "no_fixed_abode", 0),
    ("referred", "no_fixed_abode", 0),
    ("responded", "rough_sleeping", 0),
)
ORDER = ("open", "team_assigned", "referred", "responded", "three_weeks", "three_months", "closed")


def _releases(prison_ids):
    """(release date, person id, prison id) of releases from the demo prisons with no case
    yet, the newest first."""
    rows = db.session.execute(
        select(
            CustodyEpisode.actual_release_date, CustodyEpisode.person_id, CustodyEpisode.prison_id
        )
        .where(
            CustodyEpisode.prison_id.in_(prison_ids),
            CustodyEpisode.actual_release_date.is_not(None),
            CustodyEpisode.actual_release_date <= local_today(),
            ~select(RoughSleepingCase.id)
            .where(RoughSleepingCase.episode_id == CustodyEpisode.id)
            .exists(),
        )
        # Birmingham's releases first: the team's own area (it works beyond it when asked).
        .order_by(
            case((CustodyEpisode.destination_local_authority_code == BIRMINGHAM, 0), else_=1),
            CustodyEpisode.actual_release_date.desc(),
            CustodyEpisode.id,
        )
    )
    return list(rows.all())


def load(users) -> None:
    """Tell this pathway's stories, given the demo accounts (caseflow/demo.py)."""
    team = organisations.organisation_by_name(TEAM)
    authority = organisations.organisation_by_name(HOUSING_AUTHORITY)
    outreach = next((u for u in users if u.role == Role.OUTREACH), None)
    openers = {u.organisation_id: u for u in users if u.role == Role.PRISON_HEALTHCARE}
    if None in (team, authority, outreach) or not openers:
        return
    candidates = _releases(list(openers))
    today = local_today()
    for stage, first_night, days_ago in STORIES:
        earliest = today - timedelta(days=days_ago)
        chosen = next((c for c in candidates if c[0] <= earliest), None)
        if chosen is None:
            continue
        candidates.remove(chosen)
        released, person_id, prison_id = chosen
        if stage == "three_months" and months_after(released, 3) > today:
            continue
        _tell(
            openers[prison_id], outreach, team, authority, person_id, released, stage, first_night
        )
        db.session.flush()


def _tell(opener, outreach, team, authority, person_id, released, stage, first_night):
    case = services.open_case(opener, person_id, first_night=first_night)
    reached = ORDER.index(stage)

    def past(step: str) -> bool:
        return reached >= ORDER.index(step)

    if past("team_assigned"):
        services.change_status(opener, case.id, "assign_team", team_id=team.id)
        services.record_prescribing(
            outreach, case.id, arranged=True, prescriber="Street Clinic non-medical prescriber"
        )
    if stage == "closed":
        services.change_status(outreach, case.id, "outcome_3_weeks", outcome="not_settled")
        services.change_status(outreach, case.id, "close", reason_code="returned_to_custody")
        return
    if past("referred"):
        services.change_status(
            outreach,
            case.id,
            "refer",
            homelessness="homeless",
            housing_authority_id=authority.id,
            referred_on=released,
            consent_to_referral=True,
            consent_to_share_contact=True,
        )
    if past("responded"):
        services.change_status(
            outreach,
            case.id,
            "respond",
            authority_response="relief_duty",
            response_on=min(released + timedelta(days=2), local_today()),
        )
    if past("three_weeks"):
        services.record_accommodation(
            outreach, case.id, category="temporary", from_date=released + timedelta(days=5)
        )
        services.change_status(outreach, case.id, "outcome_3_weeks", outcome="not_settled")
    if past("three_months"):
        services.record_accommodation(
            outreach, case.id, category="settled", from_date=released + timedelta(days=60)
        )
        services.change_status(outreach, case.id, "outcome_3_months", outcome="settled")
