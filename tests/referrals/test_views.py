"""The referral journey through the pages: create, send, act on it, and what goes wrong."""

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Appointment, Referral
from tests.factories import (
    CustodyEpisodeFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    provider_serving,
)
from tests.helpers import audit_rows, error_messages, page, post_form


def referral_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Referral))


def released_person_at(prison, days_ago=3):
    person = PersonFactory(recorded_by=prison)
    CustodyEpisodeFactory(
        person=person,
        prison=prison,
        actual_release_date=local_today() - timedelta(days=days_ago),
        substance_group="non_opiate_and_alcohol",
        opioid_substitution="buprenorphine",
        bridging_prescription=True,
    )
    return person


def token_on(client, url) -> str:
    """The one-time token of the form the page at url shows, as a browser would send it."""
    return page(client, url).find("input", {"name": "token"})["value"]


def referral_form(provider, **overrides) -> dict:
    data = {
        "provider": str(provider.id),
        "consent": "given",
        "substance_group": "opiate",
        "opioid_medicine": "methadone",
        "opioid_dose": "60ml daily",
        "bridging_prescription": "yes",
        "long_acting_injectable": "no",
        "naloxone_on_release": "yes",
        "risks": "History of overdose",
        "contact_after_release": "07700900456",
        "send": "Continue",
    }
    data.update(overrides)
    return data


def test_the_form_is_prefilled_from_custody_and_lists_providers_for_the_area(sign_in):
    client, user = sign_in("prison_healthcare")
    person = released_person_at(user.organisation)
    serving = provider_serving("E08000025", name="Serves Birmingham")
    provider_serving("E06000026", name="Serves Plymouth")
    db.session.commit()
    soup = page(client, f"/people/{person.id}/referrals/new")
    options = [o.get_text(strip=True) for o in soup.select("#provider option")]
    assert "Serves Birmingham" in options and "Serves Plymouth" not in options
    assert soup.select_one("#substance_group option[selected]")["value"] == "non_opiate_and_alcohol"
    assert soup.select_one("#opioid_medicine option[selected]")["value"] == "buprenorphine"
    assert soup.find("input", {"name": "bridging_prescription", "value": "yes"}).has_attr("checked")
    assert serving is not None


def test_prison_healthcare_creates_and_sends_a_referral(sign_in):
    """The form saves a draft and goes on to check the answers; the referral is sent from the
    check answers page (GOV.UK's pattern), which names the provider."""
    client, user = sign_in("prison_healthcare")
    person = released_person_at(user.organisation)
    provider = provider_serving()
    keyworker = UserFactory(role="keyworker", organisation=provider)
    db.session.commit()
    response = post_form(client, f"/people/{person.id}/referrals/new", referral_form(provider))
    assert response.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert response.headers["Location"] == f"/referrals/{referral.id}/send"
    assert (referral.status, referral.provider_id, referral.opioid_dose) == (
        Status.DRAFT,
        provider.id,
        "60ml daily",
    )
    assert [(r.action, r.entity_type) for r in audit_rows(response)] == [("create", "referral")]

    sent = post_form(client, f"/referrals/{referral.id}/send", {})
    assert sent.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == Status.SENT
    shown = page(client, f"/referrals/{referral.id}")
    assert "Sent" in shown.get_text() and "History of overdose" in shown.get_text()
    from caseflow.notifications import unread_count

    assert unread_count(keyworker) == 1


def test_refused_consent_saves_a_draft_and_says_why_it_cannot_be_sent(sign_in):
    client, user = sign_in("prison_healthcare")
    person = released_person_at(user.organisation)
    provider = provider_serving()
    db.session.commit()
    response = post_form(
        client, f"/people/{person.id}/referrals/new", referral_form(provider, consent="refused")
    )
    referral = db.session.scalar(select(Referral))
    assert referral.status == Status.DRAFT
    check = page(client, response.headers["Location"])
    assert "refused consent" in check.get_text()
    assert check.find("button", string=lambda text: text and "Send referral" in text) is None


def test_an_override_needs_a_reason(sign_in):
    client, user = sign_in("prison_healthcare")
    person = released_person_at(user.organisation)
    provider = provider_serving()
    db.session.commit()
    response = post_form(
        client, f"/people/{person.id}/referrals/new", referral_form(provider, consent="overridden")
    )
    assert "Enter the reason for sharing without consent" in error_messages(
        BeautifulSoup(response.data, "html.parser")
    )
    assert referral_count() == 0


def test_a_double_submitted_referral_form_creates_one_referral(sign_in):
    client, user = sign_in("prison_healthcare")
    person = released_person_at(user.organisation)
    provider = provider_serving()
    db.session.commit()
    token = token_on(client, f"/people/{person.id}/referrals/new")
    data = referral_form(provider, token=token, send=None, save_draft="Save as draft")
    data = {k: v for k, v in data.items() if v is not None}
    first = post_form(client, f"/people/{person.id}/referrals/new", data)
    second = post_form(client, f"/people/{person.id}/referrals/new", data)
    assert first.headers["Location"] == second.headers["Location"]
    assert referral_count() == 1


def test_a_stale_draft_edit_is_a_409_that_keeps_what_was_typed(sign_in):
    client, user = sign_in("prison_healthcare")
    referral = ReferralFactory(
        status=Status.DRAFT,
        episode__prison=user.organisation,
        referring_organisation_id=user.organisation_id,
    )
    db.session.commit()
    referral.risks = "Changed by a colleague"
    db.session.commit()
    data = referral_form(
        referral.provider, version="1", risks="What I typed", send=None, save_draft="Save as draft"
    )
    response = post_form(
        client, f"/referrals/{referral.id}/edit", {k: v for k, v in data.items() if v is not None}
    )
    assert response.status_code == 409
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.find("textarea", {"name": "risks"}).get_text() == "What I typed"
    assert "Someone else changed this referral" in soup.get_text()
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).risks == "Changed by a colleague"


def test_the_keyworker_accepts_books_records_attendance_and_treatment_start(sign_in):
    referral = ReferralFactory(status=Status.SENT)
    db.session.commit()
    client, _keyworker = sign_in(user=UserFactory(role="keyworker", organisation=referral.provider))
    db.session.commit()
    base = f"/referrals/{referral.id}"
    assert "Accept referral" in page(client, base).get_text()
    response = post_form(client, f"{base}/accept", {})
    assert response.status_code == 302
    today = local_today()
    day = [str(today.day), str(today.month), str(today.year)]
    booking = {
        "appointment_date": day,
        "appointment_time": "10:30",
        "token": token_on(client, f"{base}/appointments/new"),
    }
    post_form(client, f"{base}/appointments/new", booking)
    post_form(client, f"{base}/appointments/new", booking)
    appointments = db.session.scalars(select(Appointment)).all()
    assert len(appointments) == 1
    response = post_form(
        client, f"/appointments/{appointments[0].id}/attendance", {"outcome": "attended"}
    )
    assert response.status_code == 302
    response = post_form(client, f"{base}/engage", {"treatment_start_date": day})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Referral, referral.id)
    assert (stored.status, stored.treatment_start_date) == (Status.ENGAGED, today)
    text = page(client, base).get_text()
    assert "within the 21 days" in text
    assert "Appointment attended" in text


def test_an_invalid_change_is_a_message_not_an_error(sign_in):
    referral = ReferralFactory(status=Status.ACCEPTED)
    db.session.commit()
    client, _ = sign_in(user=UserFactory(role="keyworker", organisation=referral.provider))
    response = post_form(
        client, f"/referrals/{referral.id}/accept", {}, form_url=f"/referrals/{referral.id}"
    )
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This referral has already been accepted." in shown


def test_a_treatment_start_before_release_is_a_message_beside_the_date(sign_in):
    referral = ReferralFactory(status=Status.ACCEPTED)
    db.session.commit()
    client, _ = sign_in(user=UserFactory(role="keyworker", organisation=referral.provider))
    early = referral.episode.actual_release_date - timedelta(days=1)
    response = post_form(
        client,
        f"/referrals/{referral.id}/engage",
        {"treatment_start_date": [str(early.day), str(early.month), str(early.year)]},
    )
    assert response.status_code == 200
    assert "The treatment start cannot be before the release date" in error_messages(
        BeautifulSoup(response.data, "html.parser")
    )


def test_after_a_redirect_the_old_provider_loses_the_referral_and_the_person(sign_in):
    referral = ReferralFactory(status=Status.ACCEPTED)
    db.session.commit()
    client, _ = sign_in(user=UserFactory(role="keyworker", organisation=referral.provider))
    elsewhere = provider_serving(name="Second provider")
    db.session.commit()
    response = post_form(
        client,
        f"/referrals/{referral.id}/redirect",
        {"provider": str(elsewhere.id), "reason": "Released to another area"},
    )
    assert response.status_code == 302
    assert client.get(f"/referrals/{referral.id}").status_code == 404
    assert client.get(f"/people/{referral.person_id}").status_code == 404
    newcomer, _ = sign_in(user=UserFactory(role="keyworker", organisation=elsewhere))
    assert newcomer.get(f"/referrals/{referral.id}").status_code == 200


def test_the_referral_page_is_404_with_a_denial_for_anyone_else(sign_in):
    referral = ReferralFactory(status=Status.SENT)
    db.session.commit()
    client, _ = sign_in("keyworker")
    response = client.get(f"/referrals/{referral.id}")
    assert response.status_code == 404
    assert [(r.action, r.person_id) for r in audit_rows(response)] == [("deny", referral.person_id)]


def test_a_case_note_is_added_once_encrypted_and_shown_on_the_timeline(sign_in):
    from sqlalchemy import text

    from caseflow.people.models import CaseNote

    client, user = sign_in("prison_healthcare")
    person = released_person_at(user.organisation)
    db.session.commit()
    token = token_on(client, f"/people/{person.id}")
    data = {"text": "Spoke to the GP about the bridging script", "token": token}
    post_form(client, f"/people/{person.id}/notes", data, form_url=f"/people/{person.id}")
    post_form(client, f"/people/{person.id}/notes", data, form_url=f"/people/{person.id}")
    assert len(db.session.scalars(select(CaseNote)).all()) == 1
    raw = db.session.execute(text("SELECT text FROM case_notes")).scalar()
    assert "bridging" not in raw
    timeline = page(client, f"/people/{person.id}").select_one(".moj-timeline").get_text()
    assert "Spoke to the GP about the bridging script" in timeline
    assert "Released from" in timeline


def test_notifications_are_counted_in_the_header_and_marked_read_by_a_post(sign_in):
    referral = ReferralFactory(status=Status.SENT)
    db.session.commit()
    keyworker, _ = sign_in(user=UserFactory(role="keyworker", organisation=referral.provider))
    post_form(keyworker, f"/referrals/{referral.id}/accept", {})
    referrer, _ = sign_in(user=referral.referred_by)

    def menu() -> list[str]:
        soup = page(referrer, "/people/find")
        return [a.get_text(strip=True) for a in soup.select(".govuk-service-navigation a")]

    assert "Notifications (1)" in menu()
    assert "Your referral was accepted" in page(referrer, "/notifications").get_text()
    assert "Notifications (1)" in menu()  # looking changes nothing
    post_form(referrer, "/notifications/read", {}, form_url="/notifications")
    assert "Notifications" in menu() and "Notifications (1)" not in menu()


def test_ending_a_referral_cancels_its_booked_appointments(sign_in):
    from tests.factories import AppointmentFactory

    appointment = AppointmentFactory(appointment_date=local_today() + timedelta(days=2))
    referral = appointment.referral
    db.session.commit()
    client, _ = sign_in(user=UserFactory(role="keyworker", organisation=referral.provider))
    soup = page(client, f"/referrals/{referral.id}")
    assert not soup.find("a", string=lambda s: s and "Record attendance" in s)  # a future day
    post_form(client, f"/referrals/{referral.id}/close", {"reason_code": "lost_contact"})
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).outcome == "cancelled"
    assert "Cancelled" in page(client, f"/referrals/{referral.id}").get_text()
