"""Notifications about any record, not only referrals.

A record type other than a referral (here a custody episode, as a pathway would register its own
records) is notified about, counted in the header and listed for its recipient. The list names the
person only to someone whose scope still covers the record; the row itself names no one.
"""

import uuid

import flask_migrate
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, text

from caseflow import notifications
from caseflow.extensions import db
from caseflow.notifications import Notification, Subject
from caseflow.people.models import CustodyEpisode, Person
from caseflow.personal_data import records_of
from caseflow.security.scope import visible_people
from tests.conftest import make_test_app
from tests.factories import (
    OrganisationFactory,
    ReferralFactory,
    UserFactory,
    person_in_custody_at,
    provider_serving,
)
from tests.helpers import audit_rows, post_form

EPISODE = "custody_episode"


def _episodes_in_sight(viewer, ids):
    found = db.session.execute(
        select(CustodyEpisode.id, Person)
        .join(Person, Person.id == CustodyEpisode.person_id)
        .where(CustodyEpisode.id.in_(ids), visible_people(viewer))
    ).all()
    return {
        episode_id: Subject(
            f"{person.full_name}, custody", ("people.show", {"person_id": person.id})
        )
        for episode_id, person in found
    }


@pytest.fixture
def episode_type(monkeypatch):
    """A record type registered as a pathway would register its own, for this test only."""
    monkeypatch.setattr(notifications, "_record_types", dict(notifications._record_types))
    notifications.record_type(
        EPISODE,
        messages={"released": "Someone on your caseload was released"},
        in_sight=_episodes_in_sight,
        out_of_sight=lambda _id: Subject("a custody episode no longer on your caseload"),
    )


@pytest.fixture
def held(app):
    prison = OrganisationFactory(kind="prison", name="HMP Noticeby")
    nurse = UserFactory(role="prison_healthcare", organisation=prison)
    person = person_in_custody_at(prison, given_name="Norah", family_name="Noticed")
    episode = db.session.scalar(select(CustodyEpisode).where(CustodyEpisode.person_id == person.id))
    return {"nurse": nurse, "person": person, "episode": episode}


def _tell(user, held) -> Notification:
    return notifications.notify(
        user.id,
        record_type=EPISODE,
        record_id=held["episode"].id,
        person_id=held["person"].id,
        kind="released",
    )


def test_a_notification_about_another_record_type_is_counted_and_listed(episode_type, held):
    nurse = held["nurse"]
    assert notifications.unread_count(nurse) == 0
    _tell(nurse, held)
    db.session.flush()
    assert notifications.unread_count(nurse) == 1

    (row,) = notifications.notifications_for(nurse)
    assert (row.message, row.in_sight) == ("Someone on your caseload was released", True)
    assert row.subject == Subject(
        "Norah Noticed, custody", ("people.show", {"person_id": held["person"].id})
    )
    stored = row.notification
    assert (stored.record_type, stored.record_id, stored.person_id) == (
        EPISODE,
        held["episode"].id,
        held["person"].id,
    )

    assert notifications.mark_read(nurse) == 1
    assert notifications.unread_count(nurse) == 0


def test_the_list_names_the_person_only_within_scope(episode_type, held):
    # A member of staff at another prison has no relationship with the person.
    elsewhere = UserFactory(role="prison_healthcare")
    _tell(elsewhere, held)
    db.session.flush()
    (row,) = notifications.notifications_for(elsewhere)
    assert row.in_sight is False
    assert row.subject == Subject("a custody episode no longer on your caseload")
    assert "Noticed" not in row.subject.text


def test_the_page_links_to_the_record_and_its_audit_row_counts_the_person(
    episode_type, held, sign_in
):
    client, nurse = sign_in(user=held["nurse"])
    _tell(nurse, held)
    db.session.commit()
    response = client.get("/notifications")
    soup = BeautifulSoup(response.data, "html.parser")
    # Opening it marks it read, so the link is a button of a small form (a GET changes nothing).
    link = soup.select_one("main form[action='/notifications/open'] button")
    assert link.get_text() == "Someone on your caseload was released: Norah Noticed, custody"
    (row,) = audit_rows(response)
    assert (row.action, row.entity_type, row.detail) == ("list", "notifications", {"people": 1})
    assert "Notifications (1)" in soup.select_one(".govuk-service-navigation").get_text()
    post_form(client, "/notifications/read", {}, form_url="/notifications")
    assert notifications.unread_count(nurse) == 0


def test_a_notification_is_filed_under_its_person_for_subject_access(episode_type, held):
    _tell(held["nurse"], held)
    db.session.flush()
    exported = records_of(held["person"].id, lambda row: {"table": row.__tablename__, "of": row})
    (entry,) = exported["notifications"]
    assert (entry["of"].record_type, entry["of"].record_id) == (EPISODE, held["episode"].id)


def test_only_registered_record_types_and_kinds_can_be_notified(episode_type, held):
    with pytest.raises(ValueError, match="No record type 'pathway_case'"):
        notifications.notify(
            held["nurse"].id,
            record_type="pathway_case",
            record_id=uuid.uuid4(),
            person_id=held["person"].id,
            kind="released",
        )
    with pytest.raises(ValueError, match="no kind 'vanished'"):
        notifications.notify(
            held["nurse"].id,
            record_type=EPISODE,
            record_id=held["episode"].id,
            person_id=held["person"].id,
            kind="vanished",
        )


def test_referrals_notify_through_the_shared_notifications(app):
    from caseflow.referrals.services import handover as services

    referral = ReferralFactory(status="sent")
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    services.change_status(keyworker, referral.id, "accept")
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == referral.referred_by_id)
    ).all()
    assert [(n.record_type, n.record_id, n.person_id, n.kind) for n in told] == [
        ("referral", referral.id, referral.person_id, "accept")
    ]


def test_a_redirected_referral_is_named_without_its_person_to_the_team_it_left(app):
    from caseflow.referrals.services import handover as services

    referral = ReferralFactory(status="draft")
    first_team = UserFactory(role="keyworker", organisation=referral.provider)
    services.change_status(referral.referred_by, referral.id, "send")
    second_provider = provider_serving(name="Receiving team")
    second_team = UserFactory(role="keyworker", organisation=second_provider)
    services.change_status(
        first_team, referral.id, "redirect", provider_id=second_provider.id, reason="Moved"
    )
    db.session.flush()
    reference = str(referral.id)[:8].upper()
    name = referral.person.full_name

    (left,) = notifications.notifications_for(first_team)
    assert (left.message, left.in_sight) == ("A referral was sent to your team", False)
    assert left.subject == Subject(f"referral {reference} (now with another team)")
    assert name not in left.subject.text

    (arrived,) = notifications.notifications_for(second_team)
    assert (arrived.message, arrived.in_sight) == ("A referral was redirected to your team", True)
    assert arrived.subject == Subject(
        f"{name}, referral {reference}", ("referrals.show", {"referral_id": referral.id})
    )


# The migration keeps every notification. -------------------------------------------------------


def test_migration_0009_keeps_every_notification_both_ways(own_database):
    app = make_test_app(own_database)
    try:
        with app.app_context():
            flask_migrate.upgrade()
            referral = ReferralFactory(status="sent")
            staff = UserFactory(role="keyworker", organisation=referral.provider)
            about_referral = Notification(
                user_id=staff.id,
                record_type="referral",
                record_id=referral.id,
                person_id=referral.person_id,
                kind="send",
            )
            about_episode = Notification(
                user_id=staff.id,
                record_type=EPISODE,
                record_id=referral.episode_id,
                person_id=referral.person_id,
                kind="released",
            )
            db.session.add_all([about_referral, about_episode])
            ids = {"referral": referral.id, "person": referral.person_id, "kept": about_referral.id}
            db.session.commit()
            # Nothing of the session's may hold a lock on the table the migration alters.
            db.session.close()

            flask_migrate.downgrade(revision="0008")
            # Before 0009 a notification could only be about a referral: that one is kept.
            before = db.session.execute(
                text("SELECT id, referral_id, kind FROM notifications")
            ).all()
            assert [(uuid.UUID(str(a)), uuid.UUID(str(b)), c) for a, b, c in before] == [
                (ids["kept"], ids["referral"], "send")
            ]
            db.session.close()

            flask_migrate.upgrade()
            (kept,) = db.session.scalars(select(Notification)).all()
            assert (kept.id, kept.record_type, kept.record_id, kept.person_id, kept.kind) == (
                ids["kept"],
                "referral",
                ids["referral"],
                ids["person"],
                "send",
            )
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
