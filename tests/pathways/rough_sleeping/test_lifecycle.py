"""The rough sleeping case's lifecycle (DOMAIN.md, Pathways: Rough sleeping; HRA 2017), through
its one transition table: every action from every status, the Duty to Refer's consents and
eligibility, the outcome due dates, and the history, audit and notifications each change leaves."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.dates import clock_at, local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.notifications import Notification
from caseflow.pathways.rough_sleeping import services
from caseflow.pathways.rough_sleeping.dues import due_dates, months_after
from caseflow.pathways.rough_sleeping.models import RoughSleepingCase, RoughSleepingEvent
from caseflow.pathways.rough_sleeping.transitions import TRANSITIONS
from tests.factories import OrganisationFactory, UserFactory
from tests.pathways.rough_sleeping.world import World

# Written out from the brief's lifecycle, not read from the table: the status each action leads
# to from each status ("-": refused).
GOLDEN = """
action            open      assigned  referred   responded  3_weeks   3_months  closed
assign_team       assigned  -         -          -          -         -         -
refer             -         referred  -          -          -         -         -
respond           -         -         responded  -          -         -         -
outcome_3_weeks   -         3_weeks   -          3_weeks    -         -         -
outcome_3_months  -         -         -          -          3_months  -         -
close             closed    closed    closed     closed     closed    closed    -
"""
# Short names in the table for the statuses' codes.
CODES = {"assigned": "team_assigned", "3_weeks": "three_weeks", "3_months": "three_months"}
_header, *_rows = (line.split() for line in GOLDEN.strip().splitlines())
STATUSES = [CODES.get(status, status) for status in _header[1:]]
LEADS_TO = {
    (row[0], status): CODES.get(to, to)
    for row in _rows
    for status, to in zip(STATUSES, row[1:], strict=True)
}


def test_the_table_has_exactly_the_lifecycle_s_actions():
    assert sorted(TRANSITIONS) == sorted(row[0] for row in _rows)


def inputs_for(world: World, action: str) -> dict:
    return {
        "assign_team": {"team_id": world.team.id},
        "refer": {
            "homelessness": "threatened",
            "housing_authority_id": world.authority.id,
            "referred_on": world.release_date,
            "consent_to_referral": True,
            "consent_to_share_contact": True,
        },
        "respond": {"authority_response": "relief_duty", "response_on": local_today()},
        "outcome_3_weeks": {"outcome": "settled"},
        "outcome_3_months": {"outcome": "not_settled"},
        "close": {"reason_code": "moved_away"},
    }[action]


@pytest.mark.parametrize(("action", "status"), sorted(LEADS_TO))
def test_each_action_from_each_status(action, status):
    world = World(released_days_ago=100)
    case = world.open_case()
    case.status = status
    case.referred_on = world.release_date
    if action != "assign_team":
        case.outreach_team_id = world.team.id
    db.session.flush()
    actor = world.keyworker if action == "assign_team" else world.outreach
    if status == "closed":
        # Closing ended the team's relationship to the person, so the case is out of its
        # sight (test_closing.py); the opener, who still sees it, is refused by the table.
        with pytest.raises(NotFound):
            services.change_status(world.outreach, case.id, action, **inputs_for(world, action))
        actor = world.keyworker
    want = LEADS_TO[action, status]
    if want == "-":
        with pytest.raises(InvalidTransition):
            services.change_status(actor, case.id, action, **inputs_for(world, action))
        return
    services.change_status(actor, case.id, action, **inputs_for(world, action))
    assert case.status == want
    event = db.session.scalars(
        select(RoughSleepingEvent).where(
            RoughSleepingEvent.case_id == case.id, RoughSleepingEvent.kind == action
        )
    ).one()
    assert (event.from_status, event.to_status, event.actor_id) == (status, want, actor.id)


def test_opening_records_the_first_night_from_the_release_date_and_audits_it():
    world = World()
    case = world.open_case("rough_sleeping")
    assert case.status == "open"
    (entry,) = case.accommodation
    assert (entry.category, entry.from_date, entry.first_night) == (
        "rough_sleeping",
        world.release_date,
        True,
    )
    assert services.housing_status(case) == "rough_sleeping"
    audit = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == str(case.id), AuditEvent.action == "create"
        )
    ).one()
    assert audit.person_id == world.person.id


def test_until_the_pathway_records_accommodation_the_prison_s_expectation_is_the_status():
    world = World(accommodation_on_release="no_fixed_abode")
    case = world.open_case("rough_sleeping")
    case.accommodation.clear()  # as if the first night had not been recorded yet
    assert services.housing_status(case) == "no_fixed_abode"


def test_a_second_live_case_for_the_same_release_is_refused():
    world = World()
    world.open_case()
    with pytest.raises(InvalidTransition, match="already open"):
        world.open_case()


def test_two_opening_a_case_at_once_leave_one_and_the_second_is_told(monkeypatch):
    world = World()
    first = world.open_case()
    # The second looked before the first was saved: only the database can refuse it now.
    monkeypatch.setattr(services, "release_to_open", lambda _actor, person: world.episode)
    with pytest.raises(InvalidTransition, match="already open"):
        world.open_case()
    cases = db.session.scalars(
        select(RoughSleepingCase.id).where(RoughSleepingCase.person_id == world.person.id)
    ).all()
    assert cases == [first.id]


def test_no_case_before_the_release():
    world = World()
    world.episode.actual_release_date = None
    db.session.flush()
    with pytest.raises(InvalidTransition, match="not been released"):
        world.open_case()


def test_outreach_cannot_open_a_case():
    world = World()
    with pytest.raises(NotPermitted):
        services.open_case(world.outreach, world.person.id, first_night="rough_sleeping")


def test_assigning_the_team_notifies_its_outreach_workers():
    world = World()
    case = world.assigned_case()
    assert case.outreach_team_id == world.team.id
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.record_id == case.id)
    ).all()
    assert told == [world.outreach.id]


def test_only_an_outreach_team_can_be_assigned():
    world = World()
    case = world.open_case()
    with pytest.raises(InvalidChange) as refused:
        services.change_status(world.keyworker, case.id, "assign_team", team_id=world.authority.id)
    assert refused.value.field == "team"


# The Duty to Refer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ("consent_to_referral", "consent_to_referral"),
        ("consent_to_share_contact", "consent_to_share_contact"),
    ],
)
def test_the_duty_to_refer_needs_both_consents(missing, field):
    world = World()
    case = world.assigned_case()
    with pytest.raises(InvalidChange) as refused:
        world.refer(case, **{missing: False})
    assert refused.value.field == field
    assert case.status == "team_assigned"
    assert case.referred_on is None


def test_the_duty_to_refer_is_for_someone_homeless_or_threatened_within_56_days():
    world = World()
    case = world.assigned_case()
    with pytest.raises(InvalidChange) as refused:
        world.refer(case, homelessness="neither")
    assert refused.value.field == "homelessness"


def test_the_duty_to_refer_goes_to_a_local_housing_authority():
    world = World()
    case = world.assigned_case()
    with pytest.raises(InvalidChange) as refused:
        world.refer(case, housing_authority_id=world.team.id)
    assert refused.value.field == "housing_authority"


def test_a_referral_before_the_release_is_refused():
    world = World()
    case = world.assigned_case()
    with pytest.raises(InvalidChange) as refused:
        world.refer(case, referred_on=world.release_date - timedelta(days=1))
    assert refused.value.field == "referred_on"


def test_the_duty_to_refer_and_the_response_are_kept_and_the_opener_is_told():
    world = World()
    case = world.assigned_case()
    world.refer(case)
    assert (case.status, case.housing_authority_id, case.homelessness) == (
        "referred",
        world.authority.id,
        "homeless",
    )
    assert case.consent_to_referral and case.consent_to_share_contact
    services.change_status(
        world.outreach,
        case.id,
        "respond",
        authority_response="prevention_duty",
        response_on=local_today(),
    )
    assert (case.status, case.authority_response) == ("responded", "prevention_duty")
    told = db.session.scalars(
        select(Notification.kind).where(
            Notification.record_id == case.id, Notification.user_id == world.keyworker.id
        )
    ).all()
    assert sorted(told) == ["refer", "respond"]


def test_a_response_before_the_referral_is_refused():
    world = World()
    case = world.assigned_case()
    world.refer(case)
    with pytest.raises(InvalidChange) as refused:
        services.change_status(
            world.outreach,
            case.id,
            "respond",
            authority_response="no_duty",
            response_on=case.referred_on - timedelta(days=1),
        )
    assert refused.value.field == "response_on"


def test_a_team_not_on_the_case_cannot_change_it():
    world = World()
    case = world.assigned_case()
    # Another team that (having recorded the person) may see them, but is not on the case.
    other_team = OrganisationFactory(kind="outreach_team")
    world.person.recorded_by_organisation_id = other_team.id
    db.session.flush()
    stranger = UserFactory(role="outreach_worker", organisation=other_team)
    with pytest.raises(NotPermitted):
        world.refer(case, actor=stranger)


# The outcomes' due dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("released", "three_weeks", "three_months"),
    [
        (date(2026, 3, 2), date(2026, 3, 23), date(2026, 6, 2)),
        # A shorter month: the last day of it.
        (date(2026, 5, 31), date(2026, 6, 21), date(2026, 8, 31)),
        (date(2026, 11, 30), date(2026, 12, 21), date(2027, 2, 28)),
        (date(2027, 11, 30), date(2027, 12, 21), date(2028, 2, 29)),
        # Across the clocks going back (25 Oct 2026): London dates, no hour lost or gained.
        (date(2026, 10, 20), date(2026, 11, 10), date(2027, 1, 20)),
    ],
)
def test_outcomes_are_due_3_weeks_and_3_months_after_the_release_date(
    released, three_weeks, three_months
):
    dues = due_dates(released)
    assert (dues.three_weeks, dues.three_months) == (three_weeks, three_months)


def test_months_after_goes_back_as_well():
    assert months_after(date(2026, 5, 31), -3) == date(2026, 2, 28)


def test_the_3_week_outcome_is_refused_before_it_is_due():
    world = World(released_days_ago=20)
    case = world.assigned_case()
    with pytest.raises(InvalidChange) as refused:
        services.change_status(world.outreach, case.id, "outcome_3_weeks", outcome="settled")
    assert refused.value.field == "outcome"
    assert case.status == "team_assigned"


def test_the_3_week_outcome_on_day_21_and_the_3_month_one_when_due():
    world = World(released_days_ago=21)
    case = world.assigned_case()
    services.change_status(world.outreach, case.id, "outcome_3_weeks", outcome="not_settled")
    assert (case.status, case.outcome_3_weeks) == ("three_weeks", "not_settled")
    with pytest.raises(InvalidChange):
        services.change_status(world.outreach, case.id, "outcome_3_months", outcome="settled")
    world.episode.actual_release_date = months_after(local_today(), -3)
    db.session.flush()
    services.change_status(world.outreach, case.id, "outcome_3_months", outcome="settled")
    assert (case.status, case.outcome_3_months) == ("three_months", "settled")


# Beside the lifecycle -------------------------------------------------------------------------


def test_a_move_is_added_to_the_accommodation_history_and_becomes_the_status():
    world = World()
    case = world.assigned_case()
    services.record_accommodation(
        world.outreach, case.id, category="temporary", from_date=local_today()
    )
    db.session.refresh(case)
    assert [entry.category for entry in case.accommodation] == ["rough_sleeping", "temporary"]
    assert services.housing_status(case) == "temporary"
    with pytest.raises(InvalidChange) as refused:
        services.record_accommodation(
            world.outreach,
            case.id,
            category="settled",
            from_date=world.release_date - timedelta(days=1),
        )
    assert refused.value.field == "from_date"


def test_same_day_prescribing_names_the_prescriber():
    world = World()
    case = world.assigned_case()
    with pytest.raises(InvalidChange) as refused:
        services.record_prescribing(world.outreach, case.id, arranged=True, prescriber="")
    assert refused.value.field == "prescriber"
    services.record_prescribing(
        world.outreach, case.id, arranged=True, prescriber="Dr Test, Street Clinic"
    )
    assert (case.same_day_prescribing, case.prescriber) == (True, "Dr Test, Street Clinic")


@pytest.mark.parametrize(
    ("released", "moment", "due_yet"),
    [
        # 23:30 UTC on day 20 is 00:30 on day 21 in London in summer (BST): due.
        (date(2026, 6, 1), datetime(2026, 6, 21, 23, 30, tzinfo=UTC), True),
        # In winter London is on UTC: still day 20, not due.
        (date(2026, 12, 1), datetime(2026, 12, 21, 23, 30, tzinfo=UTC), False),
    ],
)
def test_whether_an_outcome_is_due_is_decided_by_the_date_in_london(released, moment, due_yet):
    world = World()
    case = world.assigned_case()
    world.episode.actual_release_date = released
    db.session.flush()
    with clock_at(moment):
        if due_yet:
            services.change_status(world.outreach, case.id, "outcome_3_weeks", outcome="settled")
            assert case.status == "three_weeks"
        else:
            with pytest.raises(InvalidChange, match="22 December 2026"):
                services.change_status(
                    world.outreach, case.id, "outcome_3_weeks", outcome="settled"
                )
