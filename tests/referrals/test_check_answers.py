"""Checking the answers before a referral is sent (issue 9; GOV.UK's check answers pattern).

The draft form's Continue saves the draft and goes to a page listing every answer, each with a
Change link back to its field on the draft form; the referral is sent from that page only, by a
button naming the provider it goes to. A referral that cannot be sent (refused consent) says why
there and offers no button.
"""

from datetime import timedelta

from sqlalchemy import select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Referral
from tests.factories import CustodyEpisodeFactory, PersonFactory, ReferralFactory, provider_serving
from tests.helpers import page, post_form

FORM = {
    "consent": "given",
    "substance_group": "alcohol_only",
    "opioid_medicine": "none",
    "bridging_prescription": "no",
    "long_acting_injectable": "no",
    "naloxone_on_release": "yes",
    "risks": "Seizures on withdrawal",
    "contact_after_release": "Through the hostel",
}


def person_released_from(prison):
    person = PersonFactory(recorded_by=prison)
    CustodyEpisodeFactory(
        person=person,
        prison=prison,
        actual_release_date=local_today() - timedelta(days=2),
        substance_group="alcohol_only",
        opioid_substitution="none",
    )
    return person


def test_continue_saves_a_draft_and_shows_every_answer_with_a_change_link(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_released_from(user.organisation)
    provider = provider_serving(name="Aston Recovery Hub")
    db.session.commit()
    response = post_form(
        client,
        f"/people/{person.id}/referrals/new",
        {**FORM, "provider": str(provider.id), "send": "Continue"},
    )
    referral = db.session.scalar(select(Referral))
    assert referral.status == Status.DRAFT  # nothing is sent until the answers are checked
    assert response.headers["Location"] == f"/referrals/{referral.id}/send"

    check = page(client, response.headers["Location"])
    assert check.find("h1").get_text(strip=True) == (
        "Check your answers before sending the referral"
    )
    rows = {
        row.select_one(".govuk-summary-list__key").get_text(strip=True): row
        for row in check.select(".govuk-summary-list__row")
    }
    assert "Aston Recovery Hub" in rows["Community treatment provider"].get_text()
    assert "Seizures on withdrawal" in rows["Risks"].get_text()
    assert "Alcohol only" in rows["Substance group"].get_text()
    edit = f"/referrals/{referral.id}/edit"
    changes = {
        link["href"]: link.get_text(" ", strip=True)
        for link in check.select(".govuk-summary-list__actions a")
    }
    assert changes[f"{edit}#provider"] == "Change community treatment provider"
    assert changes[f"{edit}#risks"] == "Change risks"
    assert changes[f"{edit}#consent"] == "Change consent to share"
    # Each Change link lands on a field the draft form has.
    form = page(client, edit)
    for href in changes:
        field = href.split("#", 1)[1]
        assert form.find(id=field) is not None, field

    send = check.select_one("main form button")
    assert send.get_text(strip=True) == "Send referral to Aston Recovery Hub"


def test_the_referral_is_sent_from_the_check_page(sign_in):
    client, user = sign_in("prison_healthcare")
    referral = ReferralFactory(
        status="draft",
        referring_organisation_id=user.organisation_id,
        referred_by_id=user.id,
        consent="given",
    )
    db.session.commit()
    response = post_form(client, f"/referrals/{referral.id}/send", {})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/referrals/{referral.id}"
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == Status.SENT


def test_editing_a_draft_and_continuing_comes_back_to_the_check_page(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_released_from(user.organisation)
    provider = provider_serving()
    db.session.commit()
    post_form(
        client,
        f"/people/{person.id}/referrals/new",
        {**FORM, "provider": str(provider.id), "save_draft": "Save as draft"},
    )
    referral = db.session.scalar(select(Referral))
    response = post_form(
        client,
        f"/referrals/{referral.id}/edit",
        {
            **FORM,
            "provider": str(provider.id),
            "version": str(referral.version),
            "risks": "Changed on the second look",
            "send": "Continue",
        },
    )
    assert response.headers["Location"] == f"/referrals/{referral.id}/send"
    check = page(client, response.headers["Location"])
    assert "Changed on the second look" in check.get_text()
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == Status.DRAFT


def test_refused_consent_is_explained_on_the_check_page_with_no_send_button(sign_in):
    client, user = sign_in("prison_healthcare")
    referral = ReferralFactory(
        status="draft",
        referring_organisation_id=user.organisation_id,
        referred_by_id=user.id,
        consent="refused",
    )
    db.session.commit()
    check = page(client, f"/referrals/{referral.id}/send")
    assert "the person refused consent to share" in check.get_text()
    assert check.select("main form button") == []
    assert check.find("a", href=f"/referrals/{referral.id}/edit") is not None
