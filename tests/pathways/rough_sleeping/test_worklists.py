"""The rough sleeping worklists: people released with no fixed abode or sleeping rough, their
treatment clock beside their housing status, fewest days left first; and the 3-week and 3-month
outcomes due."""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.pathways.rough_sleeping import services, worklists
from caseflow.pathways.rough_sleeping.dues import months_after
from caseflow.worklist_tabs import tabs_for
from tests.factories import OrganisationFactory, ReferralFactory, UserFactory
from tests.helpers import page, signed_in_client
from tests.pathways.rough_sleeping.world import World


def _on_team(world: World, days_ago: int, first_night="rough_sleeping"):
    """Another person released days_ago, opened by the same keyworker's provider, same team."""
    released = local_today() - timedelta(days=days_ago)
    referral = ReferralFactory(
        status="accepted",
        provider_id=world.referral.provider_id,
        episode__actual_release_date=released,
        episode__expected_release_date=released,
        episode__release_type="licence",
    )
    case = services.open_case(world.keyworker, referral.person_id, first_night=first_night)
    services.change_status(world.keyworker, case.id, "assign_team", team_id=world.team.id)
    return referral.person, case


def test_the_team_s_people_without_a_home_fewest_days_left_first():
    world = World(released_days_ago=5)
    world.assigned_case("no_fixed_abode")
    older, _ = _on_team(world, 15)
    settled, _ = _on_team(world, 10, first_night="settled")
    breached, _ = _on_team(world, 40)

    rows = worklists.without_a_home(world.outreach).rows

    assert [row.person.id for row in rows] == [older.id, world.person.id, breached.id]
    assert settled.id not in [row.person.id for row in rows]
    assert [row.housing_status for row in rows] == [
        "rough_sleeping",
        "no_fixed_abode",
        "rough_sleeping",
    ]
    assert rows[0].clock.state == "running"
    assert rows[2].clock.state == "not_started"


def test_a_move_to_settled_accommodation_takes_the_person_off_the_list():
    world = World(released_days_ago=5)
    case = world.assigned_case()
    services.record_accommodation(
        world.outreach, case.id, category="settled", from_date=local_today()
    )
    assert worklists.without_a_home(world.outreach).rows == []


def test_a_keyworker_sees_the_release_without_a_case_yet_from_the_prison_s_expectation():
    world = World(released_days_ago=3, accommodation_on_release="rough_sleeping")
    (row,) = worklists.without_a_home(world.keyworker).rows
    assert (row.person.id, row.case, row.housing_status) == (
        world.person.id,
        None,
        "rough_sleeping",
    )
    # An outreach team with no case for the person sees nothing.
    assert worklists.without_a_home(world.outreach).rows == []


def test_outcomes_are_due_from_3_weeks_and_3_months_a_week_ahead():
    world = World(released_days_ago=14)  # 3 weeks on day 21: due within the week
    world.assigned_case()
    _not_yet, _ = _on_team(world, 13)  # due in 8 days: not yet listed
    later, later_case = _on_team(world, 60)
    services.change_status(world.outreach, later_case.id, "outcome_3_weeks", outcome="settled")
    weeks = worklists.three_week_outcomes_due(world.outreach)
    assert [row.person.id for row in weeks.rows] == [world.person.id]
    assert weeks.rows[0].due == world.release_date + timedelta(weeks=3)
    assert worklists.three_month_outcomes_due(world.outreach).rows == []
    later_case.episode.actual_release_date = months_after(local_today(), -3) + timedelta(days=7)
    db.session.flush()
    (row,) = worklists.three_month_outcomes_due(world.outreach).rows
    assert (row.person.id, row.due) == (later.id, local_today() + timedelta(days=7))


def test_outreach_lands_on_its_list_and_keyworkers_have_it_as_a_tab():
    outreach = UserFactory(
        role="outreach_worker", organisation=OrganisationFactory(kind="outreach_team")
    )
    keyworker = UserFactory(role="keyworker")
    assert tabs_for(outreach)[0].endpoint == "rough_sleeping.worklist"
    assert tabs_for(keyworker)[0].endpoint != "rough_sleeping.worklist"
    assert "rough_sleeping.outcomes" in [tab.endpoint for tab in tabs_for(keyworker)]


def test_the_pages_show_the_lists(app):
    world = World(released_days_ago=25)
    case = world.assigned_case()
    client = signed_in_client(app, world.outreach)
    assert client.get("/").headers["Location"].endswith("/rough-sleeping/worklist")
    text = page(client, "/rough-sleeping/worklist").get_text(" ", strip=True)
    assert world.person.full_name in text and "Rough sleeping" in text
    text = page(client, "/rough-sleeping/worklist/outcomes").get_text(" ", strip=True)
    assert case.reference in text
