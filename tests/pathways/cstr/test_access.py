"""Who sees a CSTR (DOMAIN.md, Who uses it; SECURITY.md, Access control): the probation unit
that asked, and the provider or mental health service asked to assess or named on the order.
Anyone else gets 404 with a denial naming the person; a role without the pathway, 403."""

import pytest
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.dates import local_today
from caseflow.domain import NotFound
from caseflow.extensions import db
from caseflow.pathways.cstr import records, services
from caseflow.people import services as people
from tests.factories import OrganisationFactory, UserFactory, provider_serving
from tests.helpers import page, signed_in_client
from tests.pathways.cstr.world import make_world


def denial_of(cstr) -> AuditEvent:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "deny", AuditEvent.entity_id == str(cstr.id))
    ).one()


def test_the_provider_asked_to_assess_gains_a_relationship_to_the_person():
    world = make_world()
    with pytest.raises(NotFound):
        people.find_visible_person(world.keyworker, world.person.id)
    world.request()
    assert people.find_visible_person(world.keyworker, world.person.id).id == world.person.id


def test_a_mental_health_service_is_party_only_to_an_mhtr():
    world = make_world()
    drr = world.request(("drr",))
    with pytest.raises(NotFound):
        services.find_visible_order(world.practitioner, drr.id)
    mhtr = world.request(("mhtr",))
    assert services.find_visible_order(world.practitioner, mhtr.id).id == mhtr.id


@pytest.mark.parametrize("outsider", ["probation", "keyworker"])
def test_another_unit_or_provider_gets_not_found_and_a_denial_naming_the_person(outsider):
    world = make_world()
    cstr = world.request()
    kind = "probation_delivery_unit" if outsider == "probation" else None
    other = (
        UserFactory(role="probation", organisation=OrganisationFactory(kind=kind))
        if kind
        else UserFactory(role="keyworker", organisation=provider_serving("E08000025"))
    )
    with pytest.raises(NotFound):
        services.find_visible_order(other, cstr.id)
    assert denial_of(cstr).person_id == world.person.id
    assert services.orders_of_person(other, world.person.id) == []


def test_pages_answer_404_out_of_scope_and_403_without_the_permission(app):
    world = make_world()
    cstr = world.request()
    outreach = UserFactory(role="outreach_worker")
    page(signed_in_client(app, outreach), f"/cstr/{cstr.id}", status=403)
    stranger = UserFactory(role="keyworker", organisation=provider_serving("E08000025"))
    page(signed_in_client(app, stranger), f"/cstr/{cstr.id}", status=404)
    shown = page(signed_in_client(app, world.keyworker), f"/cstr/{cstr.id}")
    assert "Assessed suitable" in shown.get_text()


def test_the_person_page_shows_the_panel_with_links_only_the_viewer_may_open(app):
    world = make_world()
    cstr = world.request()
    probation_page = page(signed_in_client(app, world.probation), f"/people/{world.person.id}")
    assert probation_page.find("a", href=f"/cstr/{cstr.id}") is not None
    assert probation_page.find("a", href=f"/cstr/people/{world.person.id}/new") is not None
    provider_page = page(signed_in_client(app, world.keyworker), f"/people/{world.person.id}")
    assert provider_page.find("a", href=f"/cstr/{cstr.id}") is not None
    assert provider_page.find("a", href=f"/cstr/people/{world.person.id}/new") is None


def test_the_timeline_and_notifications_name_the_cstr_to_its_parties(app):
    world = make_world()
    cstr = world.request()
    person_page = page(signed_in_client(app, world.probation), f"/people/{world.person.id}")
    timeline = person_page.select_one(".moj-timeline").get_text(" ", strip=True)
    assert "CSTR: suitability assessment requested" in timeline
    notices = page(signed_in_client(app, world.keyworker), "/notifications")
    text = notices.get_text(" ", strip=True)
    assert "A CSTR suitability assessment was asked of your team" in text
    assert f"CSTR {cstr.reference}" in text


def test_the_cstr_page_sums_up_attendance_and_warnings_for_compliance(app):
    world = make_world()
    today = local_today()
    cstr = world.started()
    for outcome in ("attended", "unacceptable_absence", "unacceptable_absence"):
        records.record_attendance(world.keyworker, cstr.id, appointment_date=today, outcome=outcome)
    services.change(world.probation, cstr.id, "warn", event_date=today, reason="Two absences")
    shown = page(signed_in_client(app, world.probation), f"/cstr/{cstr.id}")
    summary = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in shown.select(".govuk-summary-list--no-border .govuk-summary-list__row")
    }
    assert summary == {
        "Attended": "1",
        "Acceptable absences": "0",
        "Unacceptable absences": "2",
        "Warnings given": "1",
    }
