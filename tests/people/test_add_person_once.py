"""The add-a-person form carries a one-time token: sent twice, it adds one person.

SECURITY.md, Reliability: "Double-submitted forms create one record." The token is bound to
the user shown the form and the organisation recording the person (there is no person yet), so
a token from someone else's form, or from another kind of form, is refused with a 400 page.
"""

from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.people.models import Person
from tests.factories import UserFactory, person_in_custody_at
from tests.helpers import page, signed_in_client
from tests.security.state import changed_tables, database_state

PERSON = {
    "given_name": "Ottoline",
    "family_name": "Brackenbury",
    "date_of_birth": ["2", "3", "1984"],
    "sex": "female",
    "ethnic_group": "white",
    "nhs_number": "9434765919",
}


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def form_on(client, url: str) -> dict:
    """The CSRF and one-time tokens of the form the page at url shows."""
    soup = page(client, url)
    form = soup.find("input", {"name": "token"}).find_parent("form")
    return {name: form.find("input", {"name": name})["value"] for name in ("csrf_token", "token")}


def test_the_add_a_person_form_sent_twice_adds_one_person(app):
    user = UserFactory(role="probation")
    db.session.commit()
    client = signed_in_client(app, user)
    tokens = form_on(client, "/people/new")

    first = client.post("/people/new", data={**PERSON, **tokens})
    second = client.post("/people/new", data={**PERSON, **tokens})

    # The second lands on the person the first added: not "already recorded" by its own NHS number.
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.headers["Location"] == second.headers["Location"]
    assert people() == 1


def test_two_forms_add_two_people(app):
    user = UserFactory(role="prison_healthcare")
    db.session.commit()
    client = signed_in_client(app, user)
    client.post("/people/new", data={**PERSON, **form_on(client, "/people/new")})
    other = {**PERSON, "given_name": "Perpetua", "nhs_number": ""}
    client.post("/people/new", data={**other, **form_on(client, "/people/new")})
    assert people() == 2


def test_a_token_from_someone_elses_add_a_person_form_is_refused(app):
    user = UserFactory(role="probation")
    colleague = UserFactory(role="probation", organisation=user.organisation)
    db.session.commit()
    theirs = form_on(signed_in_client(app, colleague), "/people/new")
    mine = signed_in_client(app, user)
    csrf = form_on(mine, "/people/new")["csrf_token"]
    before = database_state()

    response = mine.post(
        "/people/new", data={**PERSON, "token": theirs["token"], "csrf_token": csrf}
    )

    assert response.status_code == 400
    assert "This form could not be sent" in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_a_token_from_a_case_note_form_is_refused_on_the_add_a_person_form(app):
    user = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(user.organisation)
    db.session.commit()
    client = signed_in_client(app, user)
    note = form_on(client, f"/people/{person.id}")
    before = database_state()

    response = client.post("/people/new", data={**PERSON, **note})

    assert response.status_code == 400
    assert changed_tables(before) == []
