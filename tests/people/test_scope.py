"""People out of scope are answered as absent (404), and every attempt is an audited denial."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.people.models import CustodyEpisode
from tests.factories import OrganisationFactory, UserFactory, person_in_custody_at
from tests.helpers import audit_rows, post_form

PERSON_ROUTES = [
    ("get", "/people/{person}"),
    ("get", "/people/{person}/custody/new"),
    ("post", "/people/{person}/custody/new"),
    ("get", "/people/{person}/custody/{episode}/release"),
    ("post", "/people/{person}/custody/{episode}/release"),
    ("get", "/people/{person}/custody/{episode}/expected-release"),
    ("post", "/people/{person}/custody/{episode}/expected-release"),
    ("get", "/people/{person}/custody/{episode}/transfer"),
    ("post", "/people/{person}/custody/{episode}/transfer"),
]


@pytest.fixture
def prison_a_person():
    prison_a = OrganisationFactory(kind=OrganisationKind.PRISON, name="HMP A")
    person = person_in_custody_at(prison_a, nhs_number="9434765919", prison_number="A1234BC")
    episode = db.session.scalar(select(CustodyEpisode).where(CustodyEpisode.person_id == person.id))
    db.session.commit()
    return person, episode


@pytest.mark.parametrize(("method", "route"), PERSON_ROUTES)
def test_prison_b_gets_404_and_a_denial_on_every_person_route(
    sign_in, prison_a_person, method, route
):
    person, episode = prison_a_person
    client, user = sign_in("prison_healthcare")
    url = route.format(person=person.id, episode=episode.id)
    if method == "post":
        response = post_form(
            client,
            url,
            {"version": "1", "reason": "x", "release_type": "licence"},
            form_url="/people/find",
        )
    else:
        response = client.get(url)
    assert response.status_code == 404
    assert b"Page not found" in response.data
    rows = audit_rows(response)
    assert [(r.action, r.outcome, r.person_id, r.user_id) for r in rows] == [
        ("deny", "denied", person.id, user.id)
    ]


def test_an_unknown_person_is_404_with_a_denial_naming_no_person(sign_in):
    import uuid

    client, _ = sign_in("prison_healthcare")
    response = client.get(f"/people/{uuid.uuid4()}")
    assert response.status_code == 404
    assert [(r.action, r.person_id) for r in audit_rows(response)] == [("deny", None)]


def test_search_hides_a_person_out_of_scope_and_records_the_denial(sign_in, prison_a_person):
    person, _ = prison_a_person
    client, _user = sign_in("prison_healthcare")
    for search in ({"nhs_number": "9434765919"}, {"prison_number": "A1234BC"}):
        response = post_form(client, "/people/find", search)
        soup = BeautifulSoup(response.data, "html.parser")
        assert soup.find(id="results").get_text(strip=True) == "No one in your caseload found"
        assert str(person.id) not in response.get_data(as_text=True)
        rows = audit_rows(response)
        assert [(r.action, r.outcome, r.person_id) for r in rows] == [
            ("search", "denied", person.id)
        ]


def test_the_holding_prison_sees_the_person(sign_in, prison_a_person):
    person, _ = prison_a_person
    prison_a = db.session.scalar(select(Organisation).where(Organisation.name == "HMP A"))
    client, _ = sign_in("prison_healthcare", organisation=prison_a)
    assert client.get(f"/people/{person.id}").status_code == 200


def test_a_manager_sees_people_heading_to_their_partnership_only(sign_in, prison_a_person):
    person, _ = prison_a_person  # destination Birmingham, E08000025
    from caseflow.organisations.services import create_organisation

    west_midlands = create_organisation("Test WM partnership", "partnership", ["E08000025"])
    plymouth = create_organisation("Test Plymouth partnership", "partnership", ["E06000026"])
    db.session.commit()
    inside, _ = sign_in(user=UserFactory(role="manager", organisation=west_midlands))
    outside, _ = sign_in(user=UserFactory(role="manager", organisation=plymouth))
    assert inside.get(f"/people/{person.id}").status_code == 200
    assert outside.get(f"/people/{person.id}").status_code == 404


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditors_and_admins_see_no_clinical_records(sign_in, prison_a_person, role):
    person, _ = prison_a_person
    client, user = sign_in(role)
    response = client.get(f"/people/{person.id}")
    assert response.status_code == 403
    rows = audit_rows(response)
    assert [(r.action, r.outcome, r.user_id) for r in rows] == [("deny", "denied", user.id)]


def test_a_keyworker_with_no_relationship_sees_nothing(sign_in, prison_a_person):
    person, _ = prison_a_person
    client, _ = sign_in("keyworker")
    assert client.get(f"/people/{person.id}").status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.person_id == person.id))


def test_a_probation_unit_sees_people_released_into_its_area(sign_in, prison_a_person):
    person, _ = prison_a_person  # going to Birmingham, E08000025
    from caseflow.organisations.services import create_organisation

    birmingham = create_organisation(
        "Test Birmingham PDU", "probation_delivery_unit", ["E08000025"]
    )
    plymouth = create_organisation("Test Plymouth PDU", "probation_delivery_unit", ["E06000026"])
    db.session.commit()
    inside, _ = sign_in(user=UserFactory(role="probation", organisation=birmingham))
    outside, _ = sign_in(user=UserFactory(role="probation", organisation=plymouth))
    assert inside.get(f"/people/{person.id}").status_code == 200
    assert outside.get(f"/people/{person.id}").status_code == 404
