"""Closing a rough sleeping case ends its outreach team's relationship to the person (SECURITY.md:
access follows a legitimate relationship; DOMAIN.md: the team works the case): the team no longer
sees the person or the case (404, with an audited denial), while the case, its history and the
close itself stay for subject access and the auditors, and the opener still sees them."""

from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.auditor.subject_access import fields_of
from caseflow.extensions import db
from caseflow.pathways.rough_sleeping import services
from caseflow.people.models import Person
from caseflow.personal_data import records_of
from caseflow.security.scope import visible_people
from tests.helpers import audit_rows, page, signed_in_client
from tests.pathways.rough_sleeping.world import World


def _sees(user, person) -> bool:
    found = db.session.scalar(select(Person.id).where(Person.id == person.id, visible_people(user)))
    return found is not None


def test_a_closed_cases_team_no_longer_sees_the_person():
    world = World()
    case = world.assigned_case()
    assert _sees(world.outreach, world.person)
    services.change_status(world.outreach, case.id, "close", reason_code="other")
    assert not _sees(world.outreach, world.person)
    assert _sees(world.keyworker, world.person)  # the provider's own relationship stays


def test_the_team_closing_through_the_page_is_sent_home_and_then_told_there_is_no_such_page(app):
    world = World()
    case = world.assigned_case()
    db.session.commit()
    client = signed_in_client(app, world.outreach)
    soup = page(client, f"/rough-sleeping/cases/{case.id}/close")
    form = {"csrf_token": soup.find("input", {"name": "csrf_token"})["value"]}
    form["reason_code"] = "other"
    response = client.post(f"/rough-sleeping/cases/{case.id}/close", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")

    for url in (f"/people/{world.person.id}", f"/rough-sleeping/cases/{case.id}"):
        response = client.get(url)
        assert response.status_code == 404, url
        (denial,) = audit_rows(response)
        assert (denial.action, denial.person_id) == ("deny", world.person.id)


def test_the_closed_case_and_its_history_stay_for_the_auditors(app):
    world = World()
    case = world.assigned_case()
    services.change_status(world.outreach, case.id, "close", reason_code="other")
    db.session.commit()

    held = records_of(world.person.id, fields_of)
    (kept,) = held["rough_sleeping_cases"]
    assert kept["status"] == "closed"
    kinds = [event["kind"] for event in kept["rough_sleeping_events"]]
    assert "close" in kinds and "assign_team" in kinds
    closes = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.person_id == world.person.id,
            AuditEvent.entity_id == str(case.id),
            AuditEvent.action == "update",
        )
    ).all()
    assert any(row.detail.get("change") == "close" for row in closes)

    # The opener still reads the case and its history.
    text = page(signed_in_client(app, world.keyworker), f"/rough-sleeping/cases/{case.id}")
    assert "Closed" in text.get_text(" ")
