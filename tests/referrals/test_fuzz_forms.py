"""Hypothesis over the referral forms: drafts, every action of the lifecycle, appointments,
attendance, assigning a keyworker, and the worklist filters (the checks are in tests/fuzz.py)."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from caseflow.dates import parse_time
from caseflow.extensions import db
from caseflow.people.models import (
    Person,
)
from caseflow.referrals.models import Appointment, Referral, ReferralEvent
from tests.factories import (
    AppointmentFactory,
    CustodyEpisodeFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    provider_serving,
)
from tests.fuzz import (
    AWAY_AREA,
    FORGED_TOKENS,
    HOME_AREA,
    INTEGER,
    TEXT,
    TODAY,
    Actor,
    as_date,
    as_text,
    assert_escaped,
    first,
    fuzz_post,
    issued,
    parts,
)

# Referrals --------------------------------------------------------------------------------------

REFERRAL = {
    "token": "hidden",
    "provider": "id",
    "consent": "choice",
    "consent_override_reason": "text",
    "substance_group": "choice",
    "opioid_medicine": "choice",
    "opioid_dose": "text",
    "last_dose_date": "date",
    "bridging_prescription": "choice",
    "long_acting_injectable": "choice",
    "naloxone_on_release": "choice",
    "other_needs": "multi",
    "risks": "text",
    "contact_after_release": "text",
    "send": "choice",
}


REFERRAL_VALUES = {
    "consent": "overridden",
    "consent_override_reason": "Risk of overdose outweighs",
    "substance_group": "opiate",
    "opioid_medicine": "methadone",
    "opioid_dose": "60ml daily",
    "last_dose_date": parts(TODAY - timedelta(days=4)),
    "bridging_prescription": "yes",
    "long_acting_injectable": "no",
    "naloxone_on_release": "yes",
    "other_needs": ["housing_need"],
    "risks": "History of overdose",
    "contact_after_release": "07700900456",
    "send": "Continue",
}


def check_handover(referral: Referral, sent: dict) -> None:
    assert str(referral.provider_id) == first(sent["provider"])
    assert referral.consent == first(sent["consent"])
    if referral.consent == "overridden":
        assert referral.consent_override_reason == as_text(sent["consent_override_reason"])
    else:
        assert referral.consent_override_reason is None
    assert referral.opioid_dose == as_text(sent.get("opioid_dose"))
    assert referral.risks == as_text(sent.get("risks"))
    assert referral.contact_after_release == as_text(sent.get("contact_after_release"))
    assert referral.last_dose_date == as_date(sent.get("last_dose_date"))
    assert referral.housing_need == ("housing_need" in (sent.get("other_needs") or []))


def released_at(prison, area=HOME_AREA) -> Person:
    person = PersonFactory(recorded_by=prison)
    CustodyEpisodeFactory(
        person=person,
        prison=prison,
        destination_local_authority_code=area,
        actual_release_date=TODAY - timedelta(days=3),
    )
    return person


@given(data=st.data())
def test_create_a_referral(actor, data):
    me = actor("prison_healthcare")
    person = released_at(me.user.organisation)
    provider = provider_serving(HOME_AREA)
    far_provider = provider_serving(AWAY_AREA)
    db.session.commit()
    token = issued("referral", me, person.id)
    valid = {**REFERRAL_VALUES, "provider": str(provider.id), "token": token}
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/people/{person.id}/referrals/new",
        REFERRAL,
        valid,
        real_ids=[far_provider.id, person.id, me.user.organisation_id],
    )
    if outcome.succeeded:
        referral = db.session.get(Referral, outcome.record_id("/referrals"))
        assert referral.person_id == person.id
        assert referral.referring_organisation_id == me.user.organisation_id
        # Continue goes on to check the answers: the referral is sent from that page only.
        assert referral.status == "draft"
        check_handover(referral, outcome.sent)


@given(data=st.data())
def test_edit_a_draft_referral(actor, data):
    me = actor("prison_healthcare")
    referral = ReferralFactory(
        status="draft", episode__prison=me.user.organisation, referred_by_id=me.user.id
    )
    far_provider = provider_serving(AWAY_AREA)
    db.session.commit()
    spec = {**REFERRAL, "version": "int"}
    del spec["token"]
    valid = {**REFERRAL_VALUES, "provider": str(referral.provider_id), "version": "1"}
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/referrals/{referral.id}/edit",
        spec,
        valid,
        real_ids=[far_provider.id, referral.person_id],
    )
    if outcome.succeeded:
        db.session.refresh(referral)
        assert referral.status == "draft"
        check_handover(referral, outcome.sent)


# action: (role acting, side, status before, fields, valid values, status after)
ACTIONS = {
    "send": ("prison_healthcare", "referrer", "draft", {}, {}, "sent"),
    "accept": ("keyworker", "provider", "sent", {}, {}, "accepted"),
    "reject": (
        "keyworker",
        "provider",
        "sent",
        {"reason_code": "choice", "reason": "text"},
        {"reason_code": "other", "reason": "Not for us"},
        "rejected",
    ),
    "redirect": (
        "keyworker",
        "provider",
        "sent",
        {"provider": "id", "reason": "text"},
        {"reason": "Closer to home"},
        "sent",
    ),
    "withdraw": (
        "prison_healthcare",
        "referrer",
        "sent",
        {"reason": "text"},
        {"reason": "Made in error"},
        "withdrawn",
    ),
    "engage": (
        "keyworker",
        "provider",
        "accepted",
        {"treatment_start_date": "date"},
        {"treatment_start_date": parts(TODAY)},
        "engaged",
    ),
    "close": (
        "keyworker",
        "provider",
        "accepted",
        {"reason_code": "choice", "reason": "text"},
        {"reason_code": "lost_contact", "reason": "No answer"},
        "closed",
    ),
}


def referral_for(me: Actor, side: str, status: str) -> Referral:
    if side == "provider":
        return ReferralFactory(status=status, provider_id=me.user.organisation_id)
    return ReferralFactory(
        status=status, episode__prison=me.user.organisation, referred_by_id=me.user.id
    )


@pytest.mark.parametrize("action", sorted(ACTIONS))
@given(data=st.data())
def test_referral_actions(actor, data, action):
    role, side, before, spec, valid, after = ACTIONS[action]
    me = actor(role)
    referral = referral_for(me, side, before)
    new_provider = provider_serving(HOME_AREA)
    db.session.commit()
    if action == "redirect":
        valid = {**valid, "provider": str(new_provider.id)}
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/referrals/{referral.id}/{action}",
        spec,
        valid,
        real_ids=[new_provider.id, referral.provider_id, referral.person_id],
    )
    db.session.refresh(referral)
    if outcome.succeeded:
        sent = outcome.sent
        assert referral.status == after
        event = db.session.scalar(
            select(ReferralEvent).where(
                ReferralEvent.referral_id == referral.id, ReferralEvent.kind == action
            )
        )
        if "reason" in spec:
            assert event.reason == as_text(sent.get("reason"))
        if action == "redirect":
            assert str(referral.provider_id) == first(sent["provider"])
        if action == "engage":
            assert referral.treatment_start_date == as_date(sent["treatment_start_date"])
        if action in ("reject", "close"):
            assert event.reason_code == first(sent["reason_code"])
    else:
        assert referral.status == before


APPOINTMENT = {"token": "hidden", "appointment_date": "date", "appointment_time": "text"}


@given(data=st.data())
def test_book_an_appointment(actor, data):
    me = actor("keyworker")
    referral = referral_for(me, "provider", "accepted")
    db.session.commit()
    valid = {
        "token": issued("appointment", me, referral.id),
        "appointment_date": parts(TODAY),
        "appointment_time": "09:30",
    }
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/referrals/{referral.id}/appointments/new",
        APPOINTMENT,
        valid,
    )
    if outcome.succeeded:
        booked = list(
            db.session.scalars(select(Appointment).where(Appointment.referral_id == referral.id))
        )
        assert len(booked) == 1
        assert booked[0].appointment_date == as_date(outcome.sent["appointment_date"])
        typed = as_text(outcome.sent.get("appointment_time"))
        # Kept on the 24-hour clock however it was typed (caseflow.dates.parse_time).
        assert booked[0].appointment_time == (f"{parse_time(typed):%H:%M}" if typed else None)


@given(data=st.data())
def test_record_attendance(actor, data):
    me = actor("keyworker")
    appointment = AppointmentFactory(referral=referral_for(me, "provider", "accepted"))
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/appointments/{appointment.id}/attendance",
        {"outcome": "choice"},
        {"outcome": "attended"},
    )
    db.session.refresh(appointment)
    if outcome.succeeded:
        assert appointment.outcome == first(outcome.sent["outcome"])
    else:
        assert appointment.outcome == "offered"


@given(data=st.data())
def test_assign_a_keyworker(actor, data):
    me = actor("keyworker")
    referral = referral_for(me, "provider", "accepted")
    colleague = UserFactory(role="keyworker", organisation=me.user.organisation)
    stranger = UserFactory(role="keyworker")
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/referrals/{referral.id}/assign",
        {"keyworker": "id"},
        {"keyworker": str(colleague.id)},
        real_ids=[stranger.id, referral.person_id],
    )
    db.session.refresh(referral)
    if outcome.succeeded:
        assert str(referral.assigned_keyworker_id) == first(outcome.sent["keyworker"])
        assert referral.assigned_keyworker.organisation_id == me.user.organisation_id


@FORGED_TOKENS
def test_regression_forged_referral_token(actor, token):
    me = actor("prison_healthcare")
    person = released_at(me.user.organisation)
    provider = provider_serving(HOME_AREA)
    db.session.commit()
    data = {**REFERRAL_VALUES, "provider": str(provider.id), "token": token}
    response = me.client.post(
        f"/people/{person.id}/referrals/new", data={**data, "csrf_token": me.token}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Referral).where(Referral.person_id == person.id)) is None


@FORGED_TOKENS
def test_regression_forged_appointment_token(actor, token):
    me = actor("keyworker")
    referral = referral_for(me, "provider", "accepted")
    db.session.commit()
    response = me.client.post(
        f"/referrals/{referral.id}/appointments/new",
        data={"appointment_date": parts(TODAY), "token": token, "csrf_token": me.token},
    )
    assert response.status_code == 400
    booked = select(Appointment).where(Appointment.referral_id == referral.id)
    assert db.session.scalar(booked) is None


def test_regression_worklist_filter_with_a_nul(actor):
    """Was a 500 on PostgreSQL: the at-risk list's local_authority argument went into SQL as
    typed, and a NUL is a DataError there."""
    me = actor("manager")
    response = me.client.get("/worklists/at-risk", query_string={"local_authority": "E08\x00"})
    assert response.status_code == 200


# The worklist filters are the one GET form (flag and area, page): fuzzed too. ----------------


@given(
    flag=st.one_of(st.sampled_from(["all", "day7", "breached", ""]), TEXT),
    area=st.one_of(st.sampled_from([HOME_AREA, AWAY_AREA, ""]), TEXT),
    page=INTEGER,
)
def test_worklist_filters(actor, flag, area, page):
    me = actor("manager")
    response = me.client.get(
        "/worklists/at-risk", query_string={"flag": flag, "local_authority": area, "page": page}
    )
    assert response.status_code == 200
    assert_escaped(response, {"flag": flag, "area": area, "page": page}, "the at-risk worklist")
