"""Correcting a treatment start, and the release correction that would pass one (DOMAIN.md:
"first structured intervention date (correctable with a reason, audited)"; Rules that decide
the numbers: "A treatment start before the release date is refused with a message", "A
correction to a release date or a treatment-start date is kept with its reason and audited, and
the measure follows the corrected value")."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound, NotPermitted, StaleRecord
from caseflow.extensions import db
from caseflow.people import custody
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.referrals.services import page_actions, treatment_start
from tests.factories import ReferralFactory, UserFactory, provider_serving
from tests.helpers import error_messages, page, post_form

TODAY = local_today()
RELEASED = TODAY - timedelta(days=10)


def engaged_referral(started=RELEASED + timedelta(days=4)):
    referral = ReferralFactory(
        status=Status.ENGAGED,
        treatment_start_date=started,
        episode__actual_release_date=RELEASED,
        episode__expected_release_date=RELEASED,
    )
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    db.session.flush()
    return referral, keyworker


def correct(keyworker, referral, start, reason="Date typed wrongly"):
    return treatment_start.correct_treatment_start(
        keyworker,
        referral.id,
        version=referral.version,
        treatment_start_date=start,
        reason=reason,
    )


def corrections_of(referral) -> list[ReferralEvent]:
    return db.session.scalars(
        select(ReferralEvent).where(
            ReferralEvent.referral_id == referral.id,
            ReferralEvent.kind == "treatment_start_corrected",
        )
    ).all()


def test_a_correction_is_kept_with_the_old_date_the_new_date_the_reason_who_and_when(app):
    first = RELEASED + timedelta(days=4)
    referral, keyworker = engaged_referral(first)
    corrected = RELEASED + timedelta(days=2)
    correct(keyworker, referral, corrected, reason="The first session was on the Monday")
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).treatment_start_date == corrected
    [kept] = corrections_of(referral)
    assert (kept.from_date, kept.event_date) == (first, corrected)
    assert kept.reason == "The first session was on the Monday"
    assert (kept.actor_id, kept.organisation_id) == (keyworker.id, keyworker.organisation_id)
    assert kept.occurred_at is not None


def test_the_audit_row_carries_the_corrected_date_and_the_one_it_replaced_and_no_reason(app):
    first = RELEASED + timedelta(days=4)
    referral, keyworker = engaged_referral(first)
    corrected = RELEASED + timedelta(days=1)
    correct(keyworker, referral, corrected, reason="Secret free text")
    row = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_id == str(referral.id), AuditEvent.action == "update")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert row.detail["facts"] == {
        "treatment_start_date": corrected.isoformat(),
        "previous_treatment_start_date": first.isoformat(),
    }
    assert row.detail["change"] == "treatment_start_corrected"
    assert "Secret free text" not in str(row.detail)


def test_the_day_of_release_is_allowed(app):
    referral, keyworker = engaged_referral()
    correct(keyworker, referral, RELEASED)
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).treatment_start_date == RELEASED


def test_a_start_before_the_release_is_refused_with_a_message(app):
    referral, keyworker = engaged_referral()
    with pytest.raises(InvalidChange) as refused:
        correct(keyworker, referral, RELEASED - timedelta(days=1))
    assert refused.value.field == "treatment_start_date"
    assert "before the release date" in str(refused.value)
    assert corrections_of(referral) == []


def test_a_start_in_the_future_is_refused(app):
    referral, keyworker = engaged_referral()
    with pytest.raises(InvalidChange) as refused:
        correct(keyworker, referral, TODAY + timedelta(days=1))
    assert refused.value.field == "treatment_start_date"


def test_the_same_date_again_is_refused_as_no_correction(app):
    referral, keyworker = engaged_referral()
    with pytest.raises(InvalidChange):
        correct(keyworker, referral, referral.treatment_start_date)


def test_a_correction_needs_a_reason(app):
    referral, keyworker = engaged_referral()
    with pytest.raises(InvalidChange) as refused:
        correct(keyworker, referral, RELEASED, reason="")
    assert refused.value.field == "reason"


def test_a_closed_referral_keeps_its_start_correctable(app):
    referral, keyworker = engaged_referral()
    referral.status = Status.CLOSED
    db.session.flush()
    correct(keyworker, referral, RELEASED)
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).treatment_start_date == RELEASED


def test_a_referral_without_a_treatment_start_has_nothing_to_correct(app):
    referral = ReferralFactory(status=Status.ACCEPTED)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    db.session.flush()
    with pytest.raises(InvalidTransition):
        correct(keyworker, referral, TODAY)


def test_a_form_based_on_an_older_version_is_stale(app):
    referral, keyworker = engaged_referral()
    with pytest.raises(StaleRecord):
        treatment_start.correct_treatment_start(
            keyworker,
            referral.id,
            version=referral.version - 1,
            treatment_start_date=RELEASED,
            reason="Typed wrongly",
        )


def test_only_the_provider_holding_the_referral_corrects_it(app):
    referral, _ = engaged_referral()
    referrer = UserFactory(role="prison_healthcare", organisation=referral.referring_organisation)
    elsewhere = UserFactory(role="keyworker", organisation=provider_serving())
    with pytest.raises(NotPermitted):
        correct(referrer, referral, RELEASED)
    with pytest.raises(NotFound):
        correct(elsewhere, referral, RELEASED)


def test_the_referral_page_offers_the_correction_to_its_keyworker_only(app):
    referral, keyworker = engaged_referral()
    referrer = UserFactory(role="prison_healthcare", organisation=referral.referring_organisation)
    offered = [action[0] for action in page_actions.actions_for(keyworker, referral)]
    assert "correct_treatment_start" in offered
    assert "correct_treatment_start" not in [
        a[0] for a in page_actions.actions_for(referrer, referral)
    ]


# The release side of the same rule ---------------------------------------------------------


def correct_release(nurse, referral, released_on):
    episode = referral.episode
    return custody.record_release(
        nurse,
        episode.person_id,
        episode.id,
        version=episode.version,
        actual_release_date=released_on,
        release_type="licence",
        unplanned_release=False,
        reason="Release date corrected",
    )


def test_a_release_corrected_to_after_a_recorded_treatment_start_is_refused(app):
    started = RELEASED + timedelta(days=3)
    referral, _ = engaged_referral(started)
    nurse = UserFactory(role="prison_healthcare", organisation=referral.episode.prison)
    with pytest.raises(InvalidChange) as refused:
        correct_release(nurse, referral, started + timedelta(days=1))
    assert refused.value.field == "actual_release_date"
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).episode.actual_release_date == RELEASED


def test_a_release_corrected_to_the_day_treatment_started_or_before_is_accepted(app):
    started = RELEASED + timedelta(days=3)
    referral, _ = engaged_referral(started)
    nurse = UserFactory(role="prison_healthcare", organisation=referral.episode.prison)
    correct_release(nurse, referral, started)
    db.session.flush()
    assert referral.episode.actual_release_date == started


def test_the_release_page_says_why_beside_the_date(sign_in):
    started = RELEASED + timedelta(days=3)
    referral, _ = engaged_referral(started)
    episode = referral.episode
    nurse = UserFactory(role="prison_healthcare", organisation=episode.prison)
    db.session.commit()
    client, _ = sign_in(user=nurse)
    url = f"/people/{episode.person_id}/custody/{episode.id}/release"
    later = started + timedelta(days=2)
    response = post_form(
        client,
        url,
        {
            "version": str(episode.version),
            "actual_release_date": [str(later.day), str(later.month), str(later.year)],
            "release_type": "licence",
            "reason": "Released later than recorded",
        },
    )
    soup = page_from(response)
    assert any("when treatment started" in message for message in error_messages(soup))
    assert soup.select_one(".govuk-error-summary")


def page_from(response):
    from bs4 import BeautifulSoup

    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.data, "html.parser")


def test_the_keyworker_corrects_a_start_through_the_page(sign_in):
    referral, keyworker = engaged_referral()
    db.session.commit()
    client, _ = sign_in(user=keyworker)
    url = f"/referrals/{referral.id}/treatment-start"
    form = page(client, url)
    assert form.find("input", {"name": "version"})["value"] == str(referral.version)
    before = RELEASED - timedelta(days=1)
    response = post_form(
        client,
        url,
        {
            "version": str(referral.version),
            "treatment_start_date": [str(before.day), str(before.month), str(before.year)],
            "reason": "Typed wrongly",
        },
    )
    refused = page_from(response)
    assert any("before the release date" in m for m in error_messages(refused))
    assert refused.find("textarea", {"name": "reason"}).get_text() == "Typed wrongly"
    response = post_form(
        client,
        url,
        {
            "version": str(referral.version),
            "treatment_start_date": [str(RELEASED.day), str(RELEASED.month), str(RELEASED.year)],
            "reason": "Typed wrongly",
        },
    )
    assert response.status_code == 302
    shown = page(client, f"/referrals/{referral.id}").get_text()
    assert "Treatment start corrected" in shown
    assert "Typed wrongly" in shown
