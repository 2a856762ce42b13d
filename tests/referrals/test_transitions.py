"""Every allowed and refused change of a referral, through the one transition table."""

import pytest
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.notifications import Notification, unread_count
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.referrals.services import deletion, handover, reading
from caseflow.referrals.transitions import TRANSITIONS
from tests.factories import ReferralFactory, UserFactory, provider_serving

# The referral lifecycle, written out from DOMAIN.md ("Referral lifecycle (release pathway)"),
# not read from the transition table: every action from every status, the status it leads to
# ("-" where it is refused), and the side of the handover that takes it. Redirect is allowed
# from sent or accepted and returns the referral to sent at the new provider; rejected and
# withdrawn end a referral early; closing follows acceptance or the start of treatment.
GOLDEN = """
action    by        draft      sent       accepted   engaged    closed  rejected  withdrawn
send      referrer  sent       -          -          -          -       -         -
accept    provider  -          accepted   -          -          -       -         -
reject    provider  -          rejected   -          -          -       -         -
redirect  either    -          sent       sent       -          -       -         -
withdraw  referrer  withdrawn  withdrawn  withdrawn  -          -       -         -
engage    provider  -          -          engaged    -          -       -         -
close     provider  -          -          closed     closed     -       -         -
"""

_header, *_rows = (line.split() for line in GOLDEN.strip().splitlines())
ALL_STATUSES = _header[2:]
SIDE = {row[0]: row[1] for row in _rows}
LEADS_TO = {
    (row[0], status): to for row in _rows for status, to in zip(ALL_STATUSES, row[2:], strict=True)
}


def test_the_transition_table_has_exactly_the_actions_of_the_lifecycle():
    assert sorted(TRANSITIONS) == sorted(SIDE)


def actor_for(referral: Referral, action: str):
    """Someone on the side of the handover that takes this action (the provider, for either)."""
    if SIDE[action] in ("provider", "either"):
        return UserFactory(role="keyworker", organisation=referral.provider)
    return UserFactory(role="prison_healthcare", organisation=referral.referring_organisation)


def arguments_for(action: str) -> dict:
    return {
        "reject": {"reason_code": "not_eligible", "reason": "Not for us"},
        "redirect": {"provider_id": provider_serving().id, "reason": "Released elsewhere"},
        "withdraw": {"reason": "No longer needed"},
        "engage": {"treatment_start_date": local_today()},
        "close": {"reason_code": "handed_to_routine_care"},
    }.get(action, {})


# DOMAIN.md and SECURITY.md: the provider named on a referral holds it from the moment it is
# sent until it is redirected away, rejected or withdrawn; a draft is the referrer's alone.
# Out of scope is answered as if absent.
PROVIDER_DOES_NOT_HOLD = (Status.DRAFT, Status.REJECTED, Status.WITHDRAWN)

CASES = [
    (action, status, LEADS_TO[action, status] != "-") for action in SIDE for status in ALL_STATUSES
]


@pytest.mark.parametrize(("action", "status", "allowed"), CASES)
def test_each_action_from_each_status(app, action, status, allowed):
    referral = ReferralFactory(status=status)
    actor = actor_for(referral, action)
    db.session.flush()
    arguments = arguments_for(action)
    events_before = len(referral.events)
    if allowed:
        handover.change_status(actor, referral.id, action, **arguments)
        db.session.flush()
        db.session.refresh(referral)
        assert referral.status == LEADS_TO[action, status]
        event = db.session.scalars(
            select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
        ).all()[-1]
        assert (event.kind, event.from_status, event.to_status, event.actor_id) == (
            action,
            status,
            LEADS_TO[action, status],
            actor.id,
        )
        audit = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == str(referral.id))
        ).all()[-1]
        assert (audit.action, audit.outcome) == ("update", "success")
    else:
        provider_side = actor.organisation_id == referral.provider_id
        refusal = (
            NotFound if provider_side and status in PROVIDER_DOES_NOT_HOLD else InvalidTransition
        )
        with pytest.raises(refusal):
            handover.change_status(actor, referral.id, action, **arguments)
        db.session.refresh(referral)
        assert referral.status == status
        assert len(referral.events) == events_before


@pytest.mark.parametrize("action", ["accept", "reject", "engage", "close"])
def test_the_referrer_cannot_take_the_providers_actions(app, action):
    first = next(status for status in ALL_STATUSES if LEADS_TO[action, status] != "-")
    referral = ReferralFactory(status=first)
    referrer = UserFactory(role="keyworker", organisation=referral.referring_organisation)
    with pytest.raises(NotPermitted):
        handover.change_status(referrer, referral.id, action, **arguments_for(action))


@pytest.mark.parametrize(
    ("action", "status", "refusal"),
    [
        # A draft is the referrer's alone: the provider it names cannot even find it.
        ("send", Status.DRAFT, NotFound),
        ("withdraw", Status.DRAFT, NotFound),
        ("withdraw", Status.SENT, NotPermitted),
        ("withdraw", Status.ACCEPTED, NotPermitted),
    ],
)
def test_the_provider_cannot_take_the_referrers_actions(app, action, status, refusal):
    referral = ReferralFactory(status=status)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    with pytest.raises(refusal):
        handover.change_status(keyworker, referral.id, action, **arguments_for(action))


def test_a_referral_outside_scope_is_not_found(app):
    referral = ReferralFactory()
    stranger = UserFactory(role="keyworker")
    with pytest.raises(NotFound):
        handover.change_status(stranger, referral.id, "accept")


def test_refused_consent_blocks_sending(app):
    referral = ReferralFactory(status=Status.DRAFT, consent="refused")
    actor = actor_for(referral, "send")
    with pytest.raises(InvalidTransition, match="refused consent"):
        handover.change_status(actor, referral.id, "send")
    referral.consent = "overridden"
    referral.consent_override_reason = "Risk of overdose on release"
    handover.change_status(actor, referral.id, "send")
    assert db.session.get(Referral, referral.id).status == Status.SENT


def test_a_redirect_keeps_history_and_clock_and_moves_access(app):
    referral = ReferralFactory(status=Status.ACCEPTED)
    old_provider = referral.provider
    keyworker = UserFactory(role="keyworker", organisation=old_provider)
    release = referral.episode.actual_release_date
    new_provider = provider_serving(name="New provider")
    handover.change_status(
        keyworker,
        referral.id,
        "redirect",
        provider_id=new_provider.id,
        reason="Released to a different area",
    )
    db.session.refresh(referral)
    assert (referral.status, referral.provider_id) == (Status.SENT, new_provider.id)
    assert reading.clock_for(referral).release_date == release
    kinds = [event.kind for event in referral.events]
    assert kinds[-1] == "redirect"
    with pytest.raises(NotFound):
        reading.find_visible_referral(keyworker, referral.id)
    newcomer = UserFactory(role="keyworker", organisation=new_provider)
    assert reading.find_visible_referral(newcomer, referral.id).id == referral.id
    assert (
        db.session.scalar(select(Notification).where(Notification.user_id == newcomer.id)) is None
    )


def test_a_redirect_notifies_the_new_team(app):
    referral = ReferralFactory(status=Status.SENT)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    new_provider = provider_serving(name="Receiving team")
    colleague = UserFactory(role="keyworker", organisation=new_provider)
    handover.change_status(
        keyworker, referral.id, "redirect", provider_id=new_provider.id, reason="Moved"
    )
    db.session.flush()
    assert unread_count(colleague) == 1


def test_accepting_notifies_the_referrer(app):
    referral = ReferralFactory(status=Status.SENT)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    handover.change_status(keyworker, referral.id, "accept")
    db.session.flush()
    assert unread_count(referral.referred_by) == 1


def test_a_treatment_start_before_release_is_refused(app):
    from datetime import timedelta

    referral = ReferralFactory(status=Status.ACCEPTED)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    early = referral.episode.actual_release_date - timedelta(days=1)
    with pytest.raises(InvalidChange, match="before the release date"):
        handover.change_status(keyworker, referral.id, "engage", treatment_start_date=early)


def test_a_treatment_start_needs_a_recorded_release(app):
    referral = ReferralFactory(status=Status.ACCEPTED)
    referral.episode.actual_release_date = None
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    with pytest.raises(InvalidChange, match="not been released"):
        handover.change_status(keyworker, referral.id, "engage", treatment_start_date=local_today())


def test_drafts_older_than_90_days_are_purged_and_others_kept(app):
    from datetime import timedelta

    from caseflow.models import utcnow

    old = ReferralFactory(status=Status.DRAFT)
    recent = ReferralFactory(status=Status.DRAFT)
    sent = ReferralFactory(status=Status.SENT)
    db.session.flush()
    old.updated_at = utcnow() - timedelta(days=91)
    sent.updated_at = utcnow() - timedelta(days=200)
    db.session.flush()
    db.session.execute(
        Referral.__table__.update()
        .where(Referral.id == old.id)
        .values(updated_at=utcnow() - timedelta(days=91))
    )
    assert deletion.purge_old_drafts(apply=False) == 1
    assert db.session.get(Referral, old.id) is not None
    assert deletion.purge_old_drafts(apply=True) == 1
    db.session.expire_all()
    assert db.session.get(Referral, old.id) is None
    assert db.session.get(Referral, recent.id) is not None
    assert db.session.get(Referral, sent.id) is not None
