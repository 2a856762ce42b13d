"""Hypothesis over the forms that are only a button and a CSRF token: marking notifications
read, staying signed in, signing out (the checks are in tests/fuzz.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.notifications import Notification
from tests.factories import (
    ReferralFactory,
)
from tests.fuzz import csrf_from, fuzz_post, make_user
from tests.helpers import signed_in_client

# Buttons: forms with nothing but a CSRF token --------------------------------------------------


@pytest.mark.parametrize("url", ["/notifications/read", "/session/keep-alive", "/sign-out"])
@given(data=st.data())
def test_buttons(app, data, url):
    user = make_user("keyworker")
    referral = ReferralFactory(status="sent", provider_id=user.organisation_id)
    db.session.add(
        Notification(
            user_id=user.id,
            record_type="referral",
            record_id=referral.id,
            person_id=referral.person_id,
            kind="send",
        )
    )
    db.session.commit()
    client = signed_in_client(app, user)  # a new one each time: signing out ends it
    token = csrf_from(client.get("/notifications"))
    outcome = fuzz_post(data, client, token, url, {}, {})
    assert outcome.status in (200, 204, 302)
    unread = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).all()
    if url == "/notifications/read":
        assert outcome.succeeded and unread == []
    else:
        assert outcome.changed == [] and len(unread) == 1
