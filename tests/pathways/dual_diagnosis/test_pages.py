"""Who sees a dual diagnosis case and its joint care plan, through the pages: the referrer, the
keyworker of the provider holding the person's referral and the mental health service holding
the case; 404 (with an audited denial naming the person) for any other organisation; 403 for
roles without the pathway, an outreach worker among them, who sees no care-plan detail
anywhere. And the plan edited by both services at once keeps both changes."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import OrganisationKind
from caseflow.pathways.dual_diagnosis import services
from caseflow.security.access import Role
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import audit_rows, page, signed_in_client
from tests.pathways.dual_diagnosis.world import Story

CRISIS = "Call the crisis team on 0121 000 0000"


def plan_url(case) -> str:
    return f"/dual-diagnosis/{case.id}/plan"


@pytest.mark.parametrize("who", ["nurse", "keyworker", "practitioner", "coordinator"])
def test_the_parties_see_the_plan(app, who):
    story = Story(referred_by="nurse")
    case = story.planned()
    db.session.commit()
    client = signed_in_client(app, getattr(story, who))
    response = client.get(plan_url(case))
    assert response.status_code == 200
    assert CRISIS in response.get_data(as_text=True)
    views = [row for row in audit_rows(response) if row.action == "view"]
    assert [(row.entity_type, row.person_id) for row in views] == [
        ("dual_diagnosis_plan", case.person_id)
    ]


def other_parties():
    return {
        "another mental health service": lambda: UserFactory(role=Role.MENTAL_HEALTH),
        "another provider's keyworker": lambda: UserFactory(role=Role.KEYWORKER),
        "another prison": lambda: UserFactory(role=Role.PRISON_HEALTHCARE),
    }


@pytest.mark.parametrize("who", sorted(other_parties()))
def test_any_other_organisation_is_told_there_is_no_such_case(app, who):
    story = Story()
    case = story.planned()
    outsider = other_parties()[who]()
    db.session.commit()
    client = signed_in_client(app, outsider)
    for url in (f"/dual-diagnosis/{case.id}", plan_url(case)):
        response = client.get(url)
        assert response.status_code == 404
        assert CRISIS not in response.get_data(as_text=True)
        (denial,) = audit_rows(response)
        assert (denial.action, denial.person_id) == ("deny", case.person_id)


@pytest.mark.parametrize("role", [Role.OUTREACH, Role.PROBATION, Role.MANAGER])
def test_roles_without_the_pathway_are_refused(app, role):
    story = Story()
    case = story.planned()
    db.session.commit()
    client = signed_in_client(app, UserFactory(role=role))
    assert client.get(plan_url(case)).status_code == 403


def test_an_outreach_team_working_with_the_person_sees_no_care_plan(app):
    """An outreach team related to the person (here: it recorded them) sees the person's page,
    and nothing of the dual diagnosis case or its plan."""
    story = Story()
    case = story.planned()
    team = OrganisationFactory(kind=OrganisationKind.OUTREACH)
    story.person.recorded_by_organisation_id = team.id
    worker = UserFactory(role=Role.OUTREACH, organisation=team)
    db.session.commit()
    client = signed_in_client(app, worker)
    person_page = page(client, f"/people/{story.person.id}")
    text = person_page.get_text(" ")
    assert "Dual diagnosis" not in text and CRISIS not in text
    assert not person_page.select(f'a[href*="{case.id}"]')
    assert client.get(plan_url(case)).status_code == 403


def test_a_service_that_declined_no_longer_sees_the_case_or_the_person(app):
    story = Story()
    case = story.referred()
    services.change_status(story.practitioner, case.id, "decline", reason_code="out_of_area")
    db.session.commit()
    client = signed_in_client(app, story.practitioner)
    assert client.get(f"/dual-diagnosis/{case.id}").status_code == 404
    assert client.get(f"/people/{story.person.id}").status_code == 404


def test_the_person_page_shows_the_case_to_the_mental_health_service(app):
    story = Story()
    case = story.referred()
    db.session.commit()
    client = signed_in_client(app, story.practitioner)
    soup = page(client, f"/people/{story.person.id}")
    assert "Dual diagnosis" in soup.get_text(" ")
    assert soup.select(f'a[href="/dual-diagnosis/{case.id}"]')
    # It may answer the referral, not make another.
    assert not soup.select(f'a[href="/dual-diagnosis/people/{story.person.id}/new"]')


def test_the_keyworker_is_offered_to_record_a_need_and_refer(app):
    story = Story()
    db.session.commit()
    client = signed_in_client(app, story.keyworker)
    soup = page(client, f"/people/{story.person.id}")
    assert soup.select(f'a[href="/dual-diagnosis/people/{story.person.id}/new"]')


def form_of(soup: BeautifulSoup) -> dict:
    data = {}
    for field in soup.select("main form input, main form textarea"):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.get("type") == "radio":
            if field.has_attr("checked"):
                data[name] = [field["value"]]
            continue
        value = field.get_text() if field.name == "textarea" else field.get("value", "")
        # A date is three boxes of one name: day, month and year, in that order.
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def test_two_services_editing_the_plan_at_once_keep_both_changes(app):
    story = Story()
    case = story.planned()
    db.session.commit()
    keyworker = signed_in_client(app, story.keyworker)
    practitioner = signed_in_client(app, story.practitioner)
    url = f"/dual-diagnosis/{case.id}/plan/edit"
    mine = form_of(page(keyworker, url))
    theirs = form_of(page(practitioner, url))

    theirs["crisis_plan"] = "Call the home treatment team first"
    assert practitioner.post(url, data=theirs).status_code == 302
    mine["needs"] = "Psychosis, opiate use and debt"
    conflict = keyworker.post(url, data=mine)
    assert conflict.status_code == 409
    merged = form_of(BeautifulSoup(conflict.data, "html.parser"))
    assert merged["needs"] == "Psychosis, opiate use and debt"
    assert merged["crisis_plan"] == "Call the home treatment team first"
    assert keyworker.post(url, data=merged).status_code == 302

    plan_page = page(keyworker, plan_url(case)).get_text(" ")
    assert "Psychosis, opiate use and debt" in plan_page
    assert "Call the home treatment team first" in plan_page
    assert plan_page.count("Joint care plan changed") >= 3  # both saves, and the first edit


def test_accepting_through_the_page_names_the_coordinator_and_is_audited(app):
    story = Story()
    case = story.referred()
    db.session.commit()
    client = signed_in_client(app, story.practitioner)
    soup = page(client, f"/dual-diagnosis/{case.id}/accept")
    token = soup.find("input", {"name": "csrf_token"})["value"]
    response = client.post(
        f"/dual-diagnosis/{case.id}/accept",
        data={"csrf_token": token, "care_coordinator": str(story.coordinator.id)},
    )
    assert response.status_code == 302
    changes = [row for row in audit_rows(response) if row.action == "update"]
    assert [(row.entity_type, row.detail["change"]) for row in changes] == [
        ("dual_diagnosis_case", "accept")
    ]
    shown = page(client, f"/dual-diagnosis/{case.id}").get_text(" ")
    assert story.coordinator.display_name in shown


def test_a_review_date_in_the_past_shows_as_overdue(app):
    story = Story()
    case = story.agreed()
    case.plan.review_date = local_today() - timedelta(days=1)
    db.session.commit()
    client = signed_in_client(app, story.keyworker)
    assert "Review overdue" in page(client, plan_url(case)).get_text(" ")
