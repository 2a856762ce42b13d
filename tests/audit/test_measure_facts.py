"""The audit rows that decide a continuity-of-care cohort entry carry their dates and codes
(DOMAIN.md, "The measure is auditable"), so the rate can be recomputed from the log alone; they
never carry names, identifiers or free text."""

import json
from datetime import date, timedelta

from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people import custody
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.services import handover as referrals
from tests.factories import ReferralFactory, UserFactory, person_in_custody_at, provider_serving

BORN = date(1990, 7, 14)
WEST_MIDLANDS = "E08000025"  # Birmingham


def last_update_of(entity_id) -> dict:
    row = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_id == str(entity_id), AuditEvent.action == "update")
        .order_by(AuditEvent.id.desc())
    ).first()
    return row.detail


def released_person(nurse, released_on: date):
    person = person_in_custody_at(
        nurse.organisation,
        given_name="Marguerite",
        family_name="Factfinder",
        date_of_birth=BORN,
        nhs_number="9434765919",
    )
    episode = db.session.scalar(select(CustodyEpisode).where(CustodyEpisode.person_id == person.id))
    episode.destination_local_authority_code = WEST_MIDLANDS
    episode.treatment_need = "in_treatment"
    db.session.flush()
    custody.record_release(
        nurse,
        person.id,
        episode.id,
        version=episode.version,
        actual_release_date=released_on,
        release_type="licence",
        unplanned_release=False,
        reason="Released on the day planned",
    )
    db.session.flush()
    return person, episode


def test_a_release_recorded_and_corrected_carries_its_facts(app):
    nurse = UserFactory(role="prison_healthcare")
    first_day = local_today() - timedelta(days=10)
    _, episode = released_person(nurse, first_day)
    expected_age = first_day.year - BORN.year - ((first_day.month, first_day.day) < (7, 14))
    assert last_update_of(episode.id)["facts"] == {
        "release_date": first_day.isoformat(),
        "release_type": "licence",
        "destination_local_authority_code": WEST_MIDLANDS,
        "age_at_release": expected_age,
        "treatment_need": "in_treatment",
    }

    corrected = first_day - timedelta(days=2)
    custody.record_release(
        nurse,
        episode.person_id,
        episode.id,
        version=episode.version,
        actual_release_date=corrected,
        release_type="sentence_end",
        unplanned_release=False,
        reason="Released two days earlier than recorded",
    )
    db.session.flush()
    detail = last_update_of(episode.id)
    assert detail["change"] == "release_corrected"
    assert detail["facts"]["release_date"] == corrected.isoformat()
    assert detail["facts"]["release_type"] == "sentence_end"


def test_sending_redirecting_and_starting_treatment_carry_provider_and_date(app):
    referral = ReferralFactory(status="draft")
    referrer = UserFactory(role="prison_healthcare", organisation=referral.referring_organisation)
    first_provider = referral.provider_id
    referrals.change_status(referrer, referral.id, "send")
    db.session.flush()
    assert last_update_of(referral.id)["facts"] == {
        "provider_id": str(first_provider),
        "custody_episode_id": str(referral.episode_id),
    }

    second = provider_serving(referral.episode.destination_local_authority_code)
    referrals.change_status(
        referrer, referral.id, "redirect", provider_id=second.id, reason="Moving area"
    )
    db.session.flush()
    assert last_update_of(referral.id)["facts"] == {
        "provider_id": str(second.id),
        "from_provider_id": str(first_provider),
        "custody_episode_id": str(referral.episode_id),
    }

    keyworker = UserFactory(role="keyworker", organisation=second)
    referrals.change_status(keyworker, referral.id, "accept")
    referral.episode.actual_release_date = local_today() - timedelta(days=3)
    db.session.flush()
    started = local_today() - timedelta(days=1)
    referrals.change_status(keyworker, referral.id, "engage", treatment_start_date=started)
    db.session.flush()
    assert last_update_of(referral.id)["facts"] == {"treatment_start_date": started.isoformat()}


def test_the_facts_carry_no_names_identifiers_or_free_text(app):
    nurse = UserFactory(role="prison_healthcare")
    released_person(nurse, local_today() - timedelta(days=5))
    text = " ".join(
        json.dumps(row.detail) for row in db.session.scalars(select(AuditEvent)).all() if row.detail
    )
    for value in ("Marguerite", "Factfinder", "9434765919", BORN.isoformat()):
        assert value not in text
