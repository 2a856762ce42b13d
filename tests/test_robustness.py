"""Bad input of any kind gets a message, never a 500, and nothing personal reaches the logs."""

import logging
from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people.models import CustodyEpisode, Person
from caseflow.security.crypto import blind_index
from tests.factories import OrganisationFactory, person_in_custody_at
from tests.helpers import audit_rows, csrf_token, error_messages, post_form

PERSON = {
    "given_name": "Ottoline",
    "family_name": "Brackenbury",
    "date_of_birth": ["2", "3", "1984"],
    "sex": "female",
    "ethnic_group": "white",
}


def test_spaces_only_in_a_required_field_is_a_message(sign_in):
    client, _ = sign_in("probation")
    response = post_form(client, "/people/new", {**PERSON, "given_name": "   "})
    assert response.status_code == 200
    assert "Enter the given name" in error_messages(BeautifulSoup(response.data, "html.parser"))


def test_control_characters_are_dropped_not_stored(sign_in):
    client, _ = sign_in("probation")
    response = post_form(client, "/people/new", {**PERSON, "family_name": "Brack\x00en\x07bury"})
    assert response.status_code == 302
    assert db.session.scalar(select(Person)).family_name == "Brackenbury"


def test_a_nul_in_the_sign_in_email_is_answered_on_the_page(client):
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": "a\x00@test.caseflow.test", "password": "x" * 20, "csrf_token": token},
    )
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.data


def test_forged_select_values_are_refused(sign_in):
    client, _ = sign_in("probation")
    response = post_form(client, "/people/new", {**PERSON, "ethnic_group": "   "})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_a_change_without_a_version_is_treated_as_stale(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    episode = db.session.scalar(select(CustodyEpisode))
    db.session.commit()
    response = post_form(
        client,
        f"/people/{person.id}/custody/{episode.id}/expected-release",
        {
            "expected_release_date": _parts(local_today() + timedelta(days=90)),
            "reason": "No version",
        },
    )
    assert response.status_code == 409


def test_another_prisons_episode_is_404_with_a_denial(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    other = person_in_custody_at(OrganisationFactory(kind="prison"))
    other_episode = db.session.scalar(
        select(CustodyEpisode).where(CustodyEpisode.person_id == other.id)
    )
    db.session.commit()
    response = client.get(f"/people/{person.id}/custody/{other_episode.id}/release")
    assert response.status_code == 404
    assert [(r.action, r.entity_type) for r in audit_rows(response)] == [
        ("deny", "custody_episode")
    ]


def test_an_identifier_already_held_elsewhere_is_refused_and_audited(sign_in):
    held = person_in_custody_at(OrganisationFactory(kind="prison"), nhs_number="9434765919")
    db.session.commit()
    client, _ = sign_in("probation")
    response = post_form(client, "/people/new", {**PERSON, "nhs_number": "9434765919"})
    assert "already recorded" in response.get_data(as_text=True)
    rows = audit_rows(response)
    assert [(r.action, r.person_id) for r in rows] == [("search", held.id)]


def test_names_match_whatever_unicode_form_they_were_typed_in(app):
    composed = blind_index("name_dob", "Jos\u00e9", date(1990, 1, 1).isoformat())
    decomposed = blind_index("name_dob", "Jose\u0301", date(1990, 1, 1).isoformat())
    assert composed == decomposed


def test_a_transfer_to_a_prison_with_a_long_name_is_kept(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    episode = db.session.scalar(select(CustodyEpisode))
    long_named = OrganisationFactory(kind="prison", name="HMP " + "Long Name " * 15)
    db.session.commit()
    response = post_form(
        client,
        f"/people/{person.id}/custody/{episode.id}/transfer",
        {"version": "1", "prison": str(long_named.id), "reason": "Moved"},
    )
    assert response.status_code == 302


def test_a_failed_commit_logs_no_personal_values(sign_in, monkeypatch, caplog):
    from caseflow.audit import services as audit

    client, _ = sign_in("probation")
    original = audit._event

    def without_outcome(*args, **kwargs):
        event = original(*args, **kwargs)
        event.outcome = None
        return event

    monkeypatch.setattr(audit, "_event", without_outcome)
    with caplog.at_level(logging.DEBUG):
        response = post_form(client, "/people/new", {**PERSON, "nhs_number": "9434765919"})
    assert response.status_code == 500
    assert "IntegrityError" in caplog.text
    assert "9434765919" not in caplog.text and "Brackenbury" not in caplog.text
    assert "1984" not in caplog.text
