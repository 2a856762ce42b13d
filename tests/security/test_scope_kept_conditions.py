"""The referrals rule keeps each organisation's part of its condition between requests
(caseflow.security.scope.visible_referrals); what it finds must stay each organisation's and
each person's own, and emergency access, built on every call, each user's and each hour's."""

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.referrals.models import Referral
from caseflow.security.access import Role
from caseflow.security.scope import visible_referrals
from tests.factories import ReferralFactory, UserFactory, provider_serving
from tests.helpers import grant_emergency_access


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


def test_emergency_access_is_each_users_own_and_ends_with_its_hour():
    provider = provider_serving()
    referral, ended = ReferralFactory(), ReferralFactory()
    holder = UserFactory(role=Role.KEYWORKER, organisation=provider)
    colleague = UserFactory(role=Role.KEYWORKER, organisation=provider)
    assert referral.id not in _seen(holder)
    grant_emergency_access(holder, referral.person_id, minutes_left=60)
    grant_emergency_access(holder, ended.person_id, minutes_left=-1)
    for _turn in range(2):
        assert referral.id in _seen(holder)
        assert ended.id not in _seen(holder)
        assert referral.id not in _seen(colleague)
