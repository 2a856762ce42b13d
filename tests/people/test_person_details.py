"""Changing a person's details (issue #9, "No dead ends").

Rules: the roles that add and hold people (prison healthcare and probation, DOMAIN.md "Who uses
it") change their details when their organisation has a relationship with the person;
emergency access lets someone read and add case notes only (README, Who sees whom); the page
offers Change links only to those who may follow them; a change is audited with field names,
never values (SECURITY.md, Audit log); a second record of an identifier is refused.
"""

from datetime import date, timedelta

import pytest

from caseflow.domain import InvalidChange, NotPermitted, StaleRecord
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people import details
from caseflow.people.models import BreakGlassGrant, Person
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    person_in_custody_at,
)
from tests.helpers import audit_rows, csrf_token, page, signed_in_client

DETAILS = {
    "given_name": "Jo",
    "family_name": "Bloggs",
    "date_of_birth": date(1980, 5, 4),
    "sex": "female",
    "ethnic_group": "white",
    "nhs_number": None,
    "prison_number": None,
    "crn": None,
    "pnc_number": None,
    "address": "1 New Street\nBirmingham",
    "phone": "07700900123",
    "flags": ["risk_to_staff"],
}


def change_links(client, person) -> list[str]:
    soup = page(client, f"/people/{person.id}")
    return [
        a.get_text(" ", strip=True)
        for a in soup.select("main a")
        if a.get("href", "").startswith(f"/people/{person.id}/details")
    ]


def test_the_prison_holding_the_person_changes_their_details(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)

    details.change_details(healthcare, person.id, version=person.version, **DETAILS)
    db.session.flush()

    saved = db.session.get(Person, person.id)
    assert (saved.given_name, saved.family_name, saved.date_of_birth) == (
        "Jo",
        "Bloggs",
        date(1980, 5, 4),
    )
    assert saved.address == "1 New Street\nBirmingham"
    assert saved.risk_to_staff and not saved.safeguarding
    # Cleared identifiers no longer find the person.
    assert saved.nhs_number is None and saved.nhs_number_index is None


def test_probation_changes_the_details_of_someone_it_recorded(app):
    probation = UserFactory(role="probation")
    person = PersonFactory(recorded_by=probation.organisation)

    details.change_details(probation, person.id, version=person.version, **DETAILS)

    assert db.session.get(Person, person.id).family_name == "Bloggs"


@pytest.mark.parametrize("role", ["keyworker", "mental_health_practitioner", "manager"])
def test_other_roles_do_not_change_details(app, role):
    user = UserFactory(role=role)
    person = PersonFactory(recorded_by=user.organisation)
    with pytest.raises(NotPermitted):
        details.change_details(user, person.id, version=person.version, **DETAILS)


def test_emergency_access_does_not_change_details(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(OrganisationFactory())
    db.session.add(
        BreakGlassGrant(
            user_id=healthcare.id,
            organisation_id=healthcare.organisation_id,
            person_id=person.id,
            reason="Arrived at reception",
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    db.session.flush()
    with pytest.raises(NotPermitted):
        details.change_details(healthcare, person.id, version=person.version, **DETAILS)
    assert not details.may_change_details(healthcare, person)


def test_a_change_from_an_older_version_is_stale(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    with pytest.raises(StaleRecord):
        details.change_details(healthcare, person.id, version=person.version + 1, **DETAILS)


def test_an_identifier_held_by_someone_else_is_refused(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    other = PersonFactory()
    with pytest.raises(InvalidChange):
        details.change_details(
            healthcare,
            person.id,
            version=person.version,
            **{**DETAILS, "nhs_number": other.nhs_number},
        )


def test_keeping_ones_own_identifiers_is_no_clash(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    own = {name: getattr(person, name) for name in ("nhs_number", "prison_number", "crn")}

    details.change_details(healthcare, person.id, version=person.version, **{**DETAILS, **own})

    assert db.session.get(Person, person.id).nhs_number == own["nhs_number"]


def test_the_page_offers_change_links_only_to_those_who_may_change(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    referral = ReferralFactory(episode=person.episodes[0], person=person)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    db.session.commit()

    assert "Change name" in change_links(signed_in_client(app, healthcare), person)
    assert "Change date of birth" in change_links(signed_in_client(app, healthcare), person)
    assert change_links(signed_in_client(app, keyworker), person) == []


def test_healthcare_changes_details_through_the_page_and_it_is_audited(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    db.session.commit()
    client = signed_in_client(app, healthcare)
    url = f"/people/{person.id}/details"
    form = page(client, url)
    assert form.find("input", {"name": "given_name"})["value"] == person.given_name

    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "version": str(person.version),
            "given_name": "Jo",
            "family_name": "Bloggs",
            "date_of_birth": ["4", "5", "1980"],
            "sex": "female",
            "ethnic_group": "white",
            "nhs_number": person.nhs_number,
            "prison_number": person.prison_number,
            "crn": person.crn,
            "phone": "07700900123",
        },
    )

    assert response.status_code == 302, response.data[:500]
    rows = [row for row in audit_rows(response) if row.action == "update"]
    assert [(row.entity_type, row.person_id) for row in rows] == [("person", person.id)]
    assert rows[0].detail["fields"] == [
        "date_of_birth",
        "ethnic_group",
        "family_name",
        "given_name",
        "phone",
        "sex",
    ]
    assert "Bloggs" not in str(rows[0].detail)
    shown = page(client, f"/people/{person.id}")
    assert "Jo Bloggs" in shown.find("h1").get_text()


def test_bad_input_is_shown_beside_the_field_and_nothing_is_lost(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    db.session.commit()
    client = signed_in_client(app, healthcare)
    url = f"/people/{person.id}/details"
    soup = page(
        client,
        url,
        method="post",
        status=200,
        data={
            "csrf_token": csrf_token(client, url),
            "version": str(person.version),
            "given_name": "Typed name",
            "family_name": "",
            "date_of_birth": ["4", "5", "1980"],
            "sex": "female",
            "ethnic_group": "white",
        },
    )
    assert "Enter the family name" in soup.get_text()
    assert soup.find("input", {"name": "given_name"})["value"] == "Typed name"
    assert db.session.get(Person, person.id).given_name == person.given_name
