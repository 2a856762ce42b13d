"""Deleting an unsent draft (issue #9, "No dead ends").

Rules: a draft is the referring team's alone (README, The handover), so the referrer and the
staff of their organisation with the referral permission may delete it, after an "Are you sure"
page; once sent it is never deleted (DOMAIN.md: each change records who, when and why; a sent
referral is withdrawn); the deletion is audited without personal values (SECURITY.md).
"""

import pytest

from caseflow.auth.models import User
from caseflow.domain import InvalidTransition, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.notifications import Notification, notify
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.referrals.services import deletion
from caseflow.referrals.services.records import add_history
from tests.factories import ReferralFactory, UserFactory
from tests.helpers import audit_rows, csrf_token, page, signed_in_client


def a_draft():
    referral = ReferralFactory(status="draft")
    referrer = db.session.get(User, referral.referred_by_id)
    add_history(referrer, referral, "created", None, "draft")
    db.session.flush()
    return referral, referrer


def test_the_referrer_deletes_their_draft_and_its_history(app):
    referral, referrer = a_draft()
    notify(
        referrer.id,
        record_type="referral",
        record_id=referral.id,
        person_id=referral.person_id,
        kind="send",
    )
    referral_id = referral.id

    person_id = deletion.delete_draft(referrer, referral_id)
    db.session.flush()

    assert person_id == referral.person_id
    assert db.session.get(Referral, referral_id) is None
    assert db.session.query(ReferralEvent).filter_by(referral_id=referral_id).count() == 0
    assert db.session.query(Notification).filter_by(record_id=referral_id).count() == 0


def test_a_colleague_in_the_referring_team_may_delete_it(app):
    referral, referrer = a_draft()
    colleague = UserFactory(role="prison_healthcare", organisation=referrer.organisation)
    deletion.delete_draft(colleague, referral.id)
    assert db.session.get(Referral, referral.id) is None


@pytest.mark.parametrize("status", ["sent", "accepted", "engaged", "withdrawn", "rejected"])
def test_a_referral_once_sent_is_never_deleted(app, status):
    referral, referrer = a_draft()
    referral.status = status
    db.session.flush()
    with pytest.raises(InvalidTransition):
        deletion.delete_draft(referrer, referral.id)
    assert db.session.get(Referral, referral.id) is not None


def test_the_provider_named_on_a_draft_cannot_delete_it(app):
    referral, _ = a_draft()
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    with pytest.raises(NotFound):  # a draft is not the provider's to see
        deletion.delete_draft(keyworker, referral.id)


def test_a_role_without_the_referral_permission_cannot_delete_it(app):
    referral, referrer = a_draft()
    mental_health = UserFactory(
        role="mental_health_practitioner", organisation=referrer.organisation
    )
    with pytest.raises(NotPermitted):
        deletion.delete_draft(mental_health, referral.id)


def test_healthcare_deletes_a_draft_after_confirming(app):
    referral, referrer = a_draft()
    referral_id, person_id = referral.id, referral.person_id
    db.session.commit()
    client = signed_in_client(app, referrer)
    url = f"/referrals/{referral_id}/delete"

    confirm = page(client, url)
    assert "Are you sure" in confirm.find("h1").get_text()
    button = confirm.select_one("main form button")
    assert "govuk-button--warning" in button["class"]
    assert db.session.get(Referral, referral_id) is not None  # the GET deleted nothing

    response = client.post(url, data={"csrf_token": csrf_token(client, url)})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/people/{person_id}")
    rows = [row for row in audit_rows(response) if row.action == "delete"]
    assert [(row.entity_type, row.entity_id, row.person_id) for row in rows] == [
        ("referral", str(referral_id), person_id)
    ]
    db.session.expire_all()
    assert db.session.get(Referral, referral_id) is None


def test_the_draft_page_offers_delete_only_to_its_team(app):
    referral, referrer = a_draft()
    db.session.commit()
    links = page(signed_in_client(app, referrer), f"/referrals/{referral.id}").select("main a")
    offered = [a for a in links if a.get("href") == f"/referrals/{referral.id}/delete"]
    assert len(offered) == 1

    referral.status = "sent"
    db.session.commit()
    links = page(signed_in_client(app, referrer), f"/referrals/{referral.id}").select("main a")
    assert not [a for a in links if a.get("href") == f"/referrals/{referral.id}/delete"]
