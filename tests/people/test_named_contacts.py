"""Named contacts (DOMAIN.md, Records): the prison offender manager, the community offender
manager (probation) and the assigned keyworker, with how to reach them, on the person page and
the referral page, so the next person on shift knows whom to call (issue #9).

Rules taken from there and from SECURITY.md: personal fields are encrypted at rest; each change
is audited with field names, never values; emergency access reads and adds case notes only;
the keyworker contact can come from the referral's assigned keyworker.
"""

from datetime import timedelta

import pytest
from sqlalchemy import text

from caseflow.domain import InvalidChange, NotPermitted, StaleRecord
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people import contacts
from caseflow.people.codes import ContactKind
from caseflow.people.models import BreakGlassGrant, NamedContact
from caseflow.referrals.services import keyworkers as referrals
from tests.factories import (
    OrganisationFactory,
    ReferralFactory,
    UserFactory,
    person_in_custody_at,
)
from tests.helpers import audit_rows, csrf_token, page, signed_in_client

POM = {"name": "Pat Offender-Manager", "team": "OMU, HMP Test", "phone": "0121 496 0000"}


def stored(person, kind) -> NamedContact | None:
    return db.session.scalar(
        db.select(NamedContact).where(
            NamedContact.person_id == person.id, NamedContact.kind == kind.value
        )
    )


def test_prison_healthcare_records_the_prison_offender_manager(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)

    contacts.save_contact(
        healthcare, person.id, ContactKind.PRISON_OFFENDER_MANAGER, version=None, **POM
    )
    db.session.flush()

    contact = stored(person, ContactKind.PRISON_OFFENDER_MANAGER)
    assert (contact.name, contact.team, contact.phone) == (
        POM["name"],
        POM["team"],
        POM["phone"],
    )
    raw = db.session.execute(
        text("SELECT name, phone FROM named_contacts WHERE id = :id"), {"id": contact.id}
    ).one()
    assert POM["name"] not in raw.name and POM["phone"] not in raw.phone  # encrypted at rest


def test_a_contact_needs_a_way_to_reach_them(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    with pytest.raises(InvalidChange):
        contacts.save_contact(
            healthcare,
            person.id,
            ContactKind.PRISON_OFFENDER_MANAGER,
            version=None,
            name="Pat",
            team="OMU",
        )


def test_each_kind_is_recorded_by_its_roles(app):
    keyworker = UserFactory(role="keyworker")
    referral = ReferralFactory(provider_id=keyworker.organisation_id)
    with pytest.raises(NotPermitted):
        contacts.save_contact(
            keyworker, referral.person_id, ContactKind.PRISON_OFFENDER_MANAGER, version=None, **POM
        )
    mental_health = UserFactory(role="mental_health_practitioner")
    with pytest.raises(NotPermitted):
        contacts.save_contact(
            mental_health, referral.person_id, ContactKind.KEYWORKER, version=None, **POM
        )


def test_emergency_access_records_no_contact(app):
    probation = UserFactory(role="probation")
    person = person_in_custody_at(OrganisationFactory())
    db.session.add(
        BreakGlassGrant(
            user_id=probation.id,
            organisation_id=probation.organisation_id,
            person_id=person.id,
            reason="Came to the office",
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    db.session.flush()
    with pytest.raises(NotPermitted):
        contacts.save_contact(
            probation, person.id, ContactKind.COMMUNITY_OFFENDER_MANAGER, version=None, **POM
        )


def test_a_change_from_an_old_version_is_stale(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    kind = ContactKind.PRISON_OFFENDER_MANAGER
    contacts.save_contact(healthcare, person.id, kind, version=None, **POM)
    db.session.flush()
    version = stored(person, kind).version
    contacts.save_contact(healthcare, person.id, kind, version=version, **{**POM, "team": "OMU"})
    db.session.flush()
    with pytest.raises(StaleRecord):
        contacts.save_contact(healthcare, person.id, kind, version=version, **POM)
    with pytest.raises(StaleRecord):  # a form shown before anyone had recorded one
        contacts.save_contact(healthcare, person.id, kind, version=None, **POM)


def test_assigning_a_keyworker_makes_them_the_keyworker_contact(app):
    referral = ReferralFactory(status="accepted")
    lead = UserFactory(role="keyworker", organisation=referral.provider)
    assigned = UserFactory(role="keyworker", organisation=referral.provider)

    referrals.assign_keyworker(lead, referral.id, assigned.id)
    db.session.flush()

    contact = stored(referral.person, ContactKind.KEYWORKER)
    assert (contact.name, contact.team, contact.email, contact.user_id) == (
        assigned.display_name,
        referral.provider.name,
        assigned.email,
        assigned.id,
    )


def test_contacts_show_on_the_person_and_referral_pages_and_changes_are_audited(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    referral = ReferralFactory(episode=person.episodes[0], person=person, status="sent")
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    person_id, referral_id = person.id, referral.id
    db.session.commit()
    client = signed_in_client(app, healthcare)
    url = f"/people/{person_id}/contacts/prison-offender-manager"

    response = client.post(url, data={"csrf_token": csrf_token(client, url), **POM})

    assert response.status_code == 302
    rows = [row for row in audit_rows(response) if row.entity_type == "named_contact"]
    assert [(row.action, row.person_id) for row in rows] == [("create", person_id)]
    assert rows[0].detail == {
        "kind": "prison_offender_manager",
        "fields": ["name", "phone", "team"],
    }
    assert POM["name"] not in str(rows[0].detail)

    person_page = page(client, f"/people/{person_id}").get_text(" ")
    assert "Prison offender manager" in person_page and POM["phone"] in person_page
    assert "Prison offender manager recorded as a named contact" in person_page  # timeline

    # The provider's keyworker sees whom to call too, on the referral and on the person.
    keyworker_client = signed_in_client(app, keyworker)
    referral_page = page(keyworker_client, f"/referrals/{referral_id}").get_text(" ")
    assert POM["name"] in referral_page and POM["phone"] in referral_page
    # ... and may not change the prison's contact: no link to it.
    links = page(keyworker_client, f"/people/{person_id}").select("a")
    assert not [a for a in links if a.get("href", "").endswith("/prison-offender-manager")]


def test_bad_input_is_shown_beside_the_field(app):
    healthcare = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(healthcare.organisation)
    person_id = person.id
    db.session.commit()
    client = signed_in_client(app, healthcare)
    url = f"/people/{person_id}/contacts/community-offender-manager"
    soup = page(
        client,
        url,
        method="post",
        data={"csrf_token": csrf_token(client, url), "name": "Sam", "team": "PDU"},
    )
    assert "Enter a phone number or an email address" in soup.get_text()
    assert soup.find("input", {"name": "name"})["value"] == "Sam"
