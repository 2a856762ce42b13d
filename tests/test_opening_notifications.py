"""Clicking a notification marks it read and lands on its record (issue #9, "No dead ends").

SECURITY.md: GET never changes state and every POST carries a CSRF token, so opening (which
marks the notification read) is a POST; it marks only the viewer's own notification; where it
lands is the record's page, never an address taken from the request.
"""

from bs4 import BeautifulSoup

from caseflow import notifications
from caseflow.extensions import db
from caseflow.notifications import Notification
from tests.factories import ReferralFactory, UserFactory, provider_serving
from tests.helpers import csrf_token


def _referral_told_to_its_referrer():
    referral = ReferralFactory(status="accepted")
    referrer = referral.referred_by
    told = notifications.notify(
        referrer.id,
        record_type="referral",
        record_id=referral.id,
        person_id=referral.person_id,
        kind="accept",
    )
    return referral, referrer, told


def _open(client, notification_id):
    return client.post(
        "/notifications/open",
        data={"csrf_token": csrf_token(client, "/notifications"), "notification": notification_id},
    )


def test_opening_a_notification_marks_it_read_and_lands_on_the_record(sign_in):
    referral, referrer, told = _referral_told_to_its_referrer()
    told_id = told.id
    client, _ = sign_in(user=referrer)
    page = BeautifulSoup(client.get("/notifications").data, "html.parser")
    form = page.select_one("main form[action='/notifications/open']")
    assert form.find("input", {"name": "notification"})["value"] == str(told_id)

    response = _open(client, str(told_id))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/referrals/{referral.id}"
    db.session.expire_all()
    assert db.session.get(Notification, told_id).read_at is not None
    assert notifications.unread_count(referrer) == 0


def test_nobody_opens_someone_elses_notification(sign_in):
    _referral, _referrer, told = _referral_told_to_its_referrer()
    told_id = told.id
    client, _ = sign_in("prison_healthcare")

    response = _open(client, str(told_id))

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, told_id).read_at is None


def test_opening_is_never_a_get(sign_in):
    _referral, referrer, told = _referral_told_to_its_referrer()
    told_id = told.id
    client, _ = sign_in(user=referrer)
    assert client.get(f"/notifications/open?notification={told_id}").status_code == 405
    db.session.expire_all()
    assert db.session.get(Notification, told_id).read_at is None


def test_a_record_out_of_sight_is_marked_read_and_the_list_says_so(sign_in):
    referral = ReferralFactory(status="sent")
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    told = notifications.notify(
        keyworker.id,
        record_type="referral",
        record_id=referral.id,
        person_id=referral.person_id,
        kind="send",
    )
    told_id = told.id
    # Redirected away: the team no longer sees it.
    referral.provider_id = provider_serving().id
    client, _ = sign_in(user=keyworker)

    response = _open(client, str(told_id))

    assert response.headers["Location"] == "/notifications"
    db.session.expire_all()
    assert db.session.get(Notification, told_id).read_at is not None
    listed = client.get("/notifications").get_data(as_text=True)
    assert "Your team no longer sees that record" in listed
    assert referral.person.family_name not in listed
