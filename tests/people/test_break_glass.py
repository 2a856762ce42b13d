"""Break-glass: an exact identifier match outside scope, the password again and a reason, one
hour for one person, a banner, and a record flagged for auditors."""

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people.models import BreakGlassGrant
from tests.factories import TEST_PASSWORD, OrganisationFactory, person_in_custody_at
from tests.helpers import audit_rows, page, post_form

COOKIE = "__Host-caseflow"


def someone_elsewhere(**fields):
    person = person_in_custody_at(OrganisationFactory(kind="prison"), **fields)
    db.session.commit()
    return person


def search(client, **fields):
    response = post_form(client, "/people/find", fields)
    return BeautifulSoup(response.data, "html.parser")


def test_an_exact_match_out_of_scope_offers_break_glass(sign_in):
    someone_elsewhere(nhs_number="9434765919")
    client, _ = sign_in("prison_healthcare")
    soup = search(client, nhs_number="943 476 5919")
    assert "not in your organisation's caseload" in soup.get_text()
    assert soup.find("a", href="/people/emergency-access")


def test_a_name_search_never_offers_break_glass(sign_in):
    from datetime import date

    someone_elsewhere(family_name="Fairweather", date_of_birth=date(1980, 5, 5))
    client, _ = sign_in("prison_healthcare")
    soup = search(client, family_name="Fairweather", date_of_birth=["5", "5", "1980"])
    assert not soup.find("a", href="/people/emergency-access")


def test_managers_are_not_offered_break_glass(sign_in):
    someone_elsewhere(nhs_number="9434765919")
    client, _ = sign_in("manager")
    soup = search(client, nhs_number="9434765919")
    assert not soup.find("a", href="/people/emergency-access")
    assert client.get("/people/emergency-access").status_code == 403


def test_break_glass_needs_a_search_first(sign_in):
    client, _ = sign_in("keyworker")
    response = client.get("/people/emergency-access")
    assert response.headers["Location"] == "/people/find"


def test_a_wrong_password_grants_nothing_and_is_audited(sign_in):
    person = someone_elsewhere(nhs_number="9434765919")
    client, _user = sign_in("prison_healthcare")
    search(client, nhs_number="9434765919")
    response = post_form(
        client, "/people/emergency-access", {"password": "not my password at all", "reason": "x"}
    )
    assert "Your password is not correct" in response.get_data(as_text=True)
    assert db.session.scalar(select(BreakGlassGrant)) is None
    assert [(r.action, r.outcome) for r in audit_rows(response)] == [("reauthenticate", "failed")]
    assert client.get(f"/people/{person.id}").status_code == 404


def test_a_reason_is_required(sign_in):
    someone_elsewhere(nhs_number="9434765919")
    client, _ = sign_in("prison_healthcare")
    search(client, nhs_number="9434765919")
    response = post_form(client, "/people/emergency-access", {"password": TEST_PASSWORD})
    assert "Enter why you need this record now" in response.get_data(as_text=True)


def test_break_glass_opens_one_record_for_one_hour_with_a_banner(sign_in, monkeypatch):
    person = someone_elsewhere(nhs_number="9434765919")
    other = someone_elsewhere(nhs_number="9990000018")
    client, _user = sign_in("prison_healthcare")
    search(client, nhs_number="9434765919")
    before = client.get_cookie(COOKIE).value
    response = post_form(
        client,
        "/people/emergency-access",
        {"password": TEST_PASSWORD, "reason": "Arrived at reception without a referral"},
    )
    assert response.headers["Location"] == f"/people/{person.id}"
    assert client.get_cookie(COOKIE).value != before  # a new session id for raised access
    rows = audit_rows(response)
    assert [(r.action, r.purpose, r.person_id) for r in rows] == [
        ("break_glass", "break-glass", person.id)
    ]
    assert "reception" not in str(rows[0].detail)
    grant = db.session.scalar(select(BreakGlassGrant))
    assert grant.reason == "Arrived at reception without a referral"
    assert timedelta(minutes=59) < grant.expires_at - utcnow() <= timedelta(hours=1)

    shown = client.get(f"/people/{person.id}")
    assert shown.status_code == 200
    banner = BeautifulSoup(shown.data, "html.parser").select_one(".govuk-notification-banner")
    assert "emergency access" in banner.get_text()
    assert [r.purpose for r in audit_rows(shown)] == ["break-glass"]
    assert client.get(f"/people/{other.id}").status_code == 404

    # Grants are append-only: the hour ends on the clock the scope rule reads.
    later = utcnow() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr("caseflow.security.scope.utcnow", lambda: later)
    assert client.get(f"/people/{person.id}").status_code == 404


def test_the_page_says_what_will_happen(sign_in):
    someone_elsewhere(nhs_number="9434765919")
    client, _ = sign_in("keyworker")
    search(client, nhs_number="9434765919")
    text = page(client, "/people/emergency-access").get_text()
    assert "one hour" in text and "reviewed" in text
