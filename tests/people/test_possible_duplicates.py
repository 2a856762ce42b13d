"""Adding someone who may already be recorded (issue 9, "Work is never lost"): a person with no
NHS number, prison number or CRN, with the given name, family name and date of birth of someone
held in the caseload of the person adding them, is not added silently. The page warns (a
warning, not an error), links the record found, and adds them only when the person adding says
they are someone else. Someone held outside the caseload is never mentioned: a name and date of
birth must not disclose that Caseflow holds a person, and emergency access is offered only by the
exact search for an NHS number, prison number or CRN (DOMAIN.md, SECURITY.md).
"""

from datetime import date

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.people import services
from caseflow.people.models import Person
from tests.factories import PersonFactory, UserFactory
from tests.helpers import csrf_token, page, signed_in_client

BORN = date(1984, 3, 2)
NEW = {
    "given_name": "Ottoline",
    "family_name": "Brackenbury",
    "date_of_birth": BORN,
    "sex": "female",
    "ethnic_group": "white",
}
POSTED = {**NEW, "date_of_birth": ["2", "3", "1984"]}


def people() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Person))


def held_by(organisation, **fields) -> Person:
    person = PersonFactory(
        recorded_by=organisation,
        given_name=fields.get("given_name", "Ottoline"),
        family_name=fields.get("family_name", "Brackenbury"),
        date_of_birth=BORN,
    )
    db.session.commit()
    return person


# The rule ---------------------------------------------------------------------------------------


def test_someone_with_the_same_names_and_birth_date_and_no_identifiers_is_not_added(app):
    actor = UserFactory(role="prison_healthcare")
    existing = held_by(actor.organisation)
    before = people()
    added = services.add_person(actor, **NEW)
    assert added.person is None
    assert added.duplicates.visible == [existing]
    assert people() == before


def test_names_match_however_they_are_typed(app):
    actor = UserFactory(role="prison_healthcare")
    existing = held_by(actor.organisation)
    added = services.add_person(
        actor, **{**NEW, "given_name": " OTTOLINE ", "family_name": "brackenbury"}
    )
    assert added.duplicates.visible == [existing]


def test_confirming_they_are_someone_else_adds_them(app):
    actor = UserFactory(role="prison_healthcare")
    held_by(actor.organisation)
    before = people()
    added = services.add_person(actor, confirmed_new=True, **NEW)
    assert added.person is not None
    assert people() == before + 1


def test_a_different_given_name_or_an_identifier_is_no_warning(app):
    actor = UserFactory(role="prison_healthcare")
    held_by(actor.organisation)
    assert services.add_person(actor, **{**NEW, "given_name": "Perpetua"}).person is not None
    with_crn = services.add_person(actor, **{**NEW, "crn": "X765432"})
    assert with_crn.person is not None


def test_someone_held_outside_the_caseload_is_not_mentioned_and_they_are_added(app):
    actor = UserFactory(role="prison_healthcare")
    held_by(UserFactory(role="prison_healthcare").organisation)
    before = people()
    added = services.add_person(actor, **NEW)
    assert added.person is not None
    assert people() == before + 1


def test_the_match_shown_is_audited_without_personal_values(app):
    actor = UserFactory(role="prison_healthcare")
    existing = held_by(actor.organisation)
    services.add_person(actor, **NEW)
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.person_id == existing.id).order_by(AuditEvent.id.desc())
    ).first()
    assert row.action == "search"
    assert row.detail["during"] == "add person"
    for value in ("Ottoline", "Brackenbury", "1984"):
        assert value not in str(row.detail)


# Through the page -------------------------------------------------------------------------------


def add_form(client) -> dict:
    soup = page(client, "/people/new")
    form = soup.find("input", {"name": "token"}).find_parent("form")
    return {name: form.find("input", {"name": name})["value"] for name in ("csrf_token", "token")}


def test_the_page_warns_links_the_record_and_adds_only_when_confirmed(app):
    user = UserFactory(role="probation")
    existing = held_by(user.organisation)
    client = signed_in_client(app, user)
    tokens = add_form(client)
    before = people()

    response = client.post("/people/new", data={**POSTED, **tokens})

    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert not soup.title.get_text().startswith("Error: ")  # a warning, not an error
    assert not soup.select(".govuk-error-summary")
    warning = soup.find(id="possible-duplicate")
    assert "may already be recorded" in warning.get_text()
    assert soup.find("a", href=f"/people/{existing.id}") is not None
    assert soup.find("input", {"name": "given_name"})["value"] == "Ottoline"
    assert soup.find("input", {"name": "confirmed_new"}) is not None
    assert people() == before

    response = client.post("/people/new", data={**POSTED, **tokens, "confirmed_new": "y"})
    assert response.status_code == 302
    assert people() == before + 1


def test_the_page_says_nothing_of_someone_outside_the_caseload(app):
    user = UserFactory(role="prison_healthcare")
    elsewhere = held_by(UserFactory(role="prison_healthcare").organisation)
    client = signed_in_client(app, user)
    before = people()
    response = client.post("/people/new", data={**POSTED, **add_form(client)})
    # Added as anyone new would be: no warning, no link, no emergency access offered.
    assert response.status_code == 302
    assert people() == before + 1
    shown = page(client, response.headers["Location"])
    assert shown.find(id="possible-duplicate") is None
    assert shown.find("a", href=f"/people/{elsewhere.id}") is None
    assert "outside your caseload" not in shown.get_text()
    assert shown.find("a", href="/people/emergency-access") is None


def test_a_name_and_birth_date_open_emergency_access_no_more_than_the_exact_search_does(app):
    """The review's scenario: the exact search by family name and date of birth finds no one and
    offers no emergency access; adding a person with that name and date of birth must not
    either, so neither tells whether Caseflow holds them."""
    user = UserFactory(role="prison_healthcare")
    elsewhere = held_by(UserFactory(role="prison_healthcare").organisation)
    client = signed_in_client(app, user)
    found = client.post(
        "/people/find",
        data={
            "family_name": "Brackenbury",
            "date_of_birth": ["2", "3", "1984"],
            "csrf_token": csrf_token(client, "/people/find"),
        },
    )
    assert (
        BeautifulSoup(found.data, "html.parser").find("a", href="/people/emergency-access") is None
    )
    added = client.post("/people/new", data={**POSTED, **add_form(client)})
    assert (
        BeautifulSoup(added.data, "html.parser").find("a", href="/people/emergency-access") is None
    )
    # Emergency access has no one to open for this session: it sends them to search first.
    emergency = client.get("/people/emergency-access")
    assert emergency.status_code == 302
    assert emergency.headers["Location"] == "/people/find"
    assert client.get(f"/people/{elsewhere.id}").status_code == 404
