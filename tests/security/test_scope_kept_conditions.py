"""The referrals rule keeps each organisation's part of its condition between requests
(caseflow.security.scope.visible_referrals); what it finds must stay each organisation's and
each person's own, and emergency access, built on every call, each user's and each hour's."""

from datetime import timedelta

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people.models import BreakGlassGrant
from caseflow.referrals.models import Referral
from caseflow.security.access import Role
from caseflow.security.scope import visible_referrals
from tests.factories import ReferralFactory, UserFactory, provider_serving


def _seen(user) -> set:
    return set(db.session.scalars(select(Referral.id).where(visible_referrals(user))))


def test_each_provider_sees_its_own_referrals_however_often_asked():
    first, second = provider_serving(), provider_serving()
    mine = ReferralFactory(provider_id=first.id)
    theirs = ReferralFactory(provider_id=second.id)
    draft = ReferralFactory(provider_id=first.id, status="draft")
    one = UserFactory(role=Role.KEYWORKER, organisation=first)
    other = UserFactory(role=Role.KEYWORKER, organisation=second)
    for _turn in range(2):
        assert {mine.id, theirs.id, draft.id} & _seen(one) == {mine.id}
        assert {mine.id, theirs.id, draft.id} & _seen(other) == {theirs.id}


def _grant(user, person_id, *, expires_at) -> None:
    db.session.add(
        BreakGlassGrant(
            user_id=user.id,
            organisation_id=user.organisation_id,
            person_id=person_id,
            reason="Called by the person's GP out of hours",
            expires_at=expires_at,
        )
    )
    db.session.flush()


def test_emergency_access_is_each_users_own_and_ends_with_its_hour():
    provider = provider_serving()
    referral, ended = ReferralFactory(), ReferralFactory()
    holder = UserFactory(role=Role.KEYWORKER, organisation=provider)
    colleague = UserFactory(role=Role.KEYWORKER, organisation=provider)
    assert referral.id not in _seen(holder)
    _grant(holder, referral.person_id, expires_at=utcnow() + timedelta(hours=1))
    _grant(holder, ended.person_id, expires_at=utcnow() - timedelta(minutes=1))
    for _turn in range(2):
        assert referral.id in _seen(holder)
        assert ended.id not in _seen(holder)
        assert referral.id not in _seen(colleague)
