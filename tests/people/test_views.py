"""Adding, finding and opening people, as prison healthcare and probation do it."""

from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.audit.models import AuditEvent
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people.models import CustodyChange, CustodyEpisode, Person
from tests.factories import CustodyEpisodeFactory, OrganisationFactory, person_in_custody_at
from tests.helpers import audit_rows, error_messages, page, post_form

PERSON = {
    "given_name": "Tamsin",
    "family_name": "Ravenscroft",
    "date_of_birth": ["14", "7", "1990"],
    "sex": "female",
    "ethnic_group": "white",
    "nhs_number": "943 476 5919",
    "prison_number": "a1234bc",
    "flags": ["risk_to_staff"],
}


def episode_form(**overrides) -> dict:
    reception = local_today() - timedelta(days=100)
    expected = local_today() + timedelta(days=40)
    data = {
        "reception_date": [str(reception.day), str(reception.month), str(reception.year)],
        "expected_release_date": [str(expected.day), str(expected.month), str(expected.year)],
        "destination_local_authority": "E08000025",
        "accommodation_on_release": "temporary",
        "treatment_need": "in_treatment",
        "substance_group": "opiate",
        "opioid_substitution": "methadone",
        "last_dose_date": [
            str(local_today().day),
            str(local_today().month),
            str(local_today().year),
        ],
        "naloxone_issued": "yes",
        "bridging_prescription": "no",
    }
    data.update(overrides)
    return data


def people_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def test_prison_healthcare_adds_a_person_then_a_custody_episode(sign_in):
    client, user = sign_in("prison_healthcare")
    response = post_form(client, "/people/new", PERSON)
    assert response.status_code == 302
    person = db.session.scalar(select(Person))
    assert response.headers["Location"] == f"/people/{person.id}/custody/new"
    assert (person.given_name, person.nhs_number, person.prison_number) == (
        "Tamsin",
        "9434765919",
        "A1234BC",
    )
    assert person.risk_to_staff and not person.safeguarding
    rows = audit_rows(response)
    assert [(r.action, r.entity_type, r.person_id, r.outcome) for r in rows] == [
        ("create", "person", person.id, "success")
    ]
    assert rows[0].user_id == user.id and rows[0].organisation_id == user.organisation_id
    assert "Tamsin" not in str(rows[0].detail)

    response = post_form(client, f"/people/{person.id}/custody/new", episode_form())
    assert response.status_code == 302
    episode = db.session.scalar(select(CustodyEpisode))
    assert episode.prison_id == user.organisation_id
    assert episode.naloxone_issued and not episode.bridging_prescription
    assert [r.action for r in audit_rows(response)] == ["create"]

    shown = page(client, f"/people/{person.id}")
    assert shown.h1.get_text(strip=True) == "Tamsin Ravenscroft"
    assert "943 476 5919" in shown.get_text()
    assert user.organisation.name in shown.get_text()


def test_an_empty_person_form_is_answered_beside_each_field(sign_in):
    client, _ = sign_in("prison_healthcare")
    response = post_form(client, "/people/new", {})
    assert response.status_code == 200
    messages = error_messages(BeautifulSoup(response.data, "html.parser"))
    assert "Enter the given name" in messages
    assert "Enter the family name" in messages
    assert "Enter the date of birth" in messages
    assert "Select sex" in messages
    assert people_count() == 0


def test_bad_identifiers_and_dates_keep_what_was_typed(sign_in):
    client, _ = sign_in("probation")
    data = {
        **PERSON,
        "nhs_number": "943 476 5918",
        "prison_number": "12345",
        "date_of_birth": ["31", "2", "1990"],
    }
    response = post_form(client, "/people/new", data)
    soup = BeautifulSoup(response.data, "html.parser")
    messages = error_messages(soup)
    assert "Enter a valid NHS number, like 943 476 5919" in messages
    assert "Enter a prison number in the correct format, like A1234BC" in messages
    assert "Date of birth must be a real date" in messages
    assert soup.find("input", {"name": "given_name"})["value"] == "Tamsin"
    assert soup.find("input", {"id": "date_of_birth-day"})["value"] == "31"
    assert people_count() == 0


def test_a_future_date_of_birth_is_refused(sign_in):
    client, _ = sign_in("probation")
    tomorrow = local_today() + timedelta(days=1)
    data = {**PERSON, "date_of_birth": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]}
    response = post_form(client, "/people/new", data)
    assert "Date of birth must be in the past and the person must be at least 16" in (
        error_messages(BeautifulSoup(response.data, "html.parser"))
    )


def test_a_second_person_with_the_same_nhs_number_is_refused(sign_in):
    client, _ = sign_in("probation")
    assert post_form(client, "/people/new", PERSON).status_code == 302
    response = post_form(client, "/people/new", {**PERSON, "prison_number": "B1234CD"})
    assert response.status_code == 200
    assert "Someone with this identifier is already recorded" in response.get_data(as_text=True)
    assert people_count() == 1


def test_probation_adds_a_person_never_in_custody(sign_in):
    client, user = sign_in("probation")
    response = post_form(client, "/people/new", {**PERSON, "prison_number": "", "crn": "X123456"})
    person = db.session.scalar(select(Person))
    assert response.headers["Location"] == f"/people/{person.id}"
    shown = page(client, f"/people/{person.id}")
    assert "No custody episodes recorded." in shown.get_text()
    assert person.recorded_by_organisation_id == user.organisation_id


def test_probation_cannot_add_custody(sign_in):
    client, _user = sign_in("probation")
    person = person_in_custody_at(OrganisationFactory())
    assert client.get(f"/people/{person.id}/custody/new").status_code == 403


def test_find_by_each_identifier_and_by_name_and_date_of_birth(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(
        user.organisation,
        nhs_number="9434765919",
        prison_number="A1234BC",
        crn="X123456",
        family_name="Ravenscroft",
        date_of_birth=date(1990, 7, 14),
    )
    db.session.commit()
    searches = [
        {"nhs_number": "943 476 5919"},
        {"prison_number": "a1234bc"},
        {"crn": "x123456"},
        {"family_name": "RAVENSCROFT", "date_of_birth": ["14", "07", "1990"]},
    ]
    for search in searches:
        response = post_form(client, "/people/find", search)
        soup = BeautifulSoup(response.data, "html.parser")
        assert soup.find(id="results").get_text(strip=True) == "1 person found", search
        assert soup.find("a", href=f"/people/{person.id}")
        rows = audit_rows(response)
        assert [(r.action, r.outcome) for r in rows] == [("search", "success")]
        assert rows[0].detail["results"] == 1


def test_searching_needs_something_to_search_by(sign_in):
    client, _ = sign_in("keyworker")
    response = post_form(client, "/people/find", {"family_name": "Ravenscroft"})
    assert "Enter the date of birth to search by family name" in error_messages(
        BeautifulSoup(response.data, "html.parser")
    )
    response = post_form(client, "/people/find", {})
    assert "Enter an NHS number, prison number, CRN, or family name and date of birth" in (
        error_messages(BeautifulSoup(response.data, "html.parser"))
    )


def test_searches_are_posts_so_identifiers_never_reach_a_url(sign_in):
    client, _ = sign_in("keyworker")
    soup = page(client, "/people/find")
    assert soup.find("form")["method"] == "post"
    response = client.get("/people/find?nhs_number=9434765919")
    assert b"person found" not in response.data


def _episode_of(person) -> CustodyEpisode:
    return db.session.scalar(select(CustodyEpisode).where(CustodyEpisode.person_id == person.id))


def test_recording_a_release_keeps_the_reason_and_age_at_release(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation, date_of_birth=date(1990, 7, 14))
    episode = _episode_of(person)
    db.session.commit()
    url = f"/people/{person.id}/custody/{episode.id}/release"
    today = local_today()
    response = post_form(
        client,
        url,
        {
            "version": str(episode.version),
            "actual_release_date": [str(today.day), str(today.month), str(today.year)],
            "release_type": "court",
            "unplanned_release": "y",
            "reason": "Released from court after sentencing",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    episode = db.session.get(CustodyEpisode, episode.id)
    assert episode.actual_release_date == today
    assert episode.unplanned_release
    assert episode.age_at_release == today.year - 1990 - ((today.month, today.day) < (7, 14))
    change = db.session.scalar(select(CustodyChange))
    assert (change.kind, change.reason) == (
        "release_recorded",
        "Released from court after sentencing",
    )
    rows = audit_rows(response)
    assert [(r.action, r.entity_type) for r in rows] == [("update", "custody_episode")]
    assert "sentencing" not in rows[0].detail
    assert "Released from court after sentencing" in page(client, f"/people/{person.id}").get_text()


def test_moving_the_expected_release_date_needs_a_reason(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    episode = _episode_of(person)
    db.session.commit()
    url = f"/people/{person.id}/custody/{episode.id}/expected-release"
    later = local_today() + timedelta(days=90)
    new_date = [str(later.day), str(later.month), str(later.year)]
    response = post_form(client, url, {"version": "1", "expected_release_date": new_date})
    assert "Enter the reason for the change" in error_messages(
        BeautifulSoup(response.data, "html.parser")
    )
    response = post_form(
        client,
        url,
        {"version": "1", "expected_release_date": new_date, "reason": "Parole hearing moved"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CustodyEpisode, episode.id).expected_release_date == later


def test_a_stale_edit_gets_a_409_that_keeps_what_was_typed(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    episode = _episode_of(person)
    db.session.commit()
    episode.expected_release_date = local_today() + timedelta(days=10)
    db.session.commit()  # someone else's change: version 2
    later = local_today() + timedelta(days=90)
    response = post_form(
        client,
        f"/people/{person.id}/custody/{episode.id}/expected-release",
        {
            "version": "1",
            "expected_release_date": [str(later.day), str(later.month), str(later.year)],
            "reason": "My typed reason",
        },
    )
    assert response.status_code == 409
    soup = BeautifulSoup(response.data, "html.parser")
    assert "Someone else changed this custody episode" in soup.get_text()
    assert soup.find("textarea", {"name": "reason"}).get_text() == "My typed reason"
    assert soup.find("input", {"name": "version"})["value"] == "2"
    db.session.expire_all()
    assert db.session.get(CustodyEpisode, episode.id).expected_release_date != later
    assert [r.action for r in audit_rows(response)] == ["view"]


def test_a_transfer_hands_the_person_to_the_new_prison(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    episode = _episode_of(person)
    new_prison = OrganisationFactory(kind="prison", name="HMP Elsewhere")
    db.session.commit()
    response = post_form(
        client,
        f"/people/{person.id}/custody/{episode.id}/transfer",
        {"version": "1", "prison": str(new_prison.id), "reason": "Moved for a course"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CustodyEpisode, episode.id).prison_id == new_prison.id
    assert client.get(f"/people/{person.id}").status_code == 404
    receiving, _ = sign_in("prison_healthcare", organisation=new_prison)
    shown = page(receiving, f"/people/{person.id}")
    assert "Moved for a course" in shown.get_text()


def test_a_release_before_reception_is_refused_with_a_message(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    episode = _episode_of(person)
    # Received recently, so the day before is a plausible release date but for the reception.
    episode.reception_date = local_today() - timedelta(days=30)
    db.session.commit()
    early = episode.reception_date - timedelta(days=1)
    response = post_form(
        client,
        f"/people/{person.id}/custody/{episode.id}/release",
        {
            "version": str(episode.version),
            "actual_release_date": [str(early.day), str(early.month), str(early.year)],
            "release_type": "licence",
            "reason": "Typo check",
        },
    )
    assert response.status_code == 200
    assert "Date of release must be on or after the reception date" in error_messages(
        BeautifulSoup(response.data, "html.parser")
    )


def test_person_page_view_is_audited_once(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    CustodyEpisodeFactory  # noqa: B018 - factories imported for the module's other tests
    db.session.commit()
    response = client.get(f"/people/{person.id}")
    rows = audit_rows(response)
    assert [(r.action, r.person_id, r.purpose) for r in rows] == [("view", person.id, "caseload")]
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert total >= 1
