"""Emergency access (break-glass) never turns into a relationship.

SECURITY.md and DOMAIN.md: break-glass is access to one person for one hour, audited with the
purpose "break-glass". Under it a member of staff reads the record and may add a case note; a
custody episode or a referral, which would make their organisation a party to the person's care,
is not started under it. When the hour ends the person is out of scope again.
"""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.audit.models import AuditEvent
from caseflow.domain import NotPermitted
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people import custody
from caseflow.people.models import BreakGlassGrant, CaseNote, CustodyEpisode
from caseflow.referrals.models import Referral
from caseflow.referrals.services import handover as referrals
from tests.factories import (
    OrganisationFactory,
    ReferralFactory,
    UserFactory,
    person_in_custody_at,
    provider_serving,
)
from tests.helpers import audit_rows, page, post_form


def released_elsewhere():
    """Someone held and released by another prison: out of scope for everyone here."""
    person = person_in_custody_at(OrganisationFactory(kind="prison"), nhs_number="9434765919")
    episode = db.session.scalar(select(CustodyEpisode).where(CustodyEpisode.person_id == person.id))
    episode.actual_release_date = episode.reception_date + timedelta(days=100)
    episode.release_type = "licence"
    db.session.commit()
    return person


def grant_for(user, person, *, minutes_left: int = 60) -> BreakGlassGrant:
    grant = BreakGlassGrant(
        user_id=user.id,
        organisation_id=user.organisation_id,
        person_id=person.id,
        reason="Arrived at reception from court",
        expires_at=utcnow() + timedelta(minutes=minutes_left),
    )
    db.session.add(grant)
    db.session.commit()
    return grant


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def prison_nurse_under_break_glass(sign_in):
    person = released_elsewhere()
    client, nurse = sign_in("prison_healthcare")
    grant = grant_for(nurse, person)
    return client, nurse, person, grant


def test_the_page_offers_no_way_to_start_records_under_emergency_access(
    prison_nurse_under_break_glass,
):
    client, _nurse, person, _grant = prison_nurse_under_break_glass
    soup = page(client, f"/people/{person.id}")
    assert not soup.find("a", href=f"/people/{person.id}/referrals/new")
    assert not soup.find("a", href=f"/people/{person.id}/custody/new")
    banner = soup.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert "cannot start a custody episode or a referral" in banner


@pytest.mark.parametrize("url", ["/people/{person}/referrals/new", "/people/{person}/custody/new"])
def test_forms_that_start_records_are_refused_under_emergency_access(
    prison_nurse_under_break_glass, url
):
    client, nurse, person, _grant = prison_nurse_under_break_glass
    response = client.get(url.format(person=person.id))
    assert response.status_code == 403
    said = BeautifulSoup(response.data, "html.parser").select_one("main").get_text(" ", strip=True)
    assert "lets you read their record and add case notes" in said
    rows = audit_rows(response)
    assert [(r.action, r.person_id, r.user_id) for r in rows] == [("deny", person.id, nurse.id)]


def test_a_draft_referral_cannot_be_saved_under_emergency_access(prison_nurse_under_break_glass):
    client, nurse, person, _grant = prison_nurse_under_break_glass
    provider = provider_serving("E08000025")
    response = post_form(
        client,
        f"/people/{person.id}/referrals/new",
        {"provider": str(provider.id), "consent": "given", "save": "Save as draft"},
        form_url="/people/find",
    )
    assert response.status_code == 403
    assert count(Referral) == 0
    with pytest.raises(NotPermitted):
        referrals.create_referral(nurse, person.id, provider=str(provider.id), consent="given")


def test_a_custody_episode_cannot_be_added_under_emergency_access(prison_nurse_under_break_glass):
    _client, nurse, person, _grant = prison_nurse_under_break_glass
    episodes_before = count(CustodyEpisode)
    with pytest.raises(NotPermitted):
        custody.add_custody_episode(
            nurse,
            person.id,
            reception_date=utcnow().date(),
            treatment_need="in_treatment",
            destination_local_authority_code="E08000025",
        )
    assert count(CustodyEpisode) == episodes_before


def test_when_the_hour_ends_nothing_done_under_it_keeps_the_person_open(
    prison_nurse_under_break_glass, monkeypatch
):
    client, nurse, person, _grant = prison_nurse_under_break_glass
    provider = provider_serving("E08000025")
    soup = page(client, f"/people/{person.id}")
    note = soup.find("form", action=f"/people/{person.id}/notes")
    fields = {field["name"]: field.get("value", "") for field in note.find_all("input")}
    fields["text"] = "Seen at reception; asked the holding prison for their plan."
    assert client.post(f"/people/{person.id}/notes", data=fields).status_code == 302
    assert count(CaseNote) == 1
    # The records that would have tied the prison to the person, attempted as a service call
    # would make them: each is refused while the only basis is the grant.
    attempts = [
        lambda: referrals.create_referral(
            nurse, person.id, provider_id=provider.id, consent="given", opioid_medicine="none"
        ),
        lambda: custody.add_custody_episode(
            nurse,
            person.id,
            reception_date=utcnow().date(),
            treatment_need="in_treatment",
            destination_local_authority_code="E08000025",
        ),
    ]
    refused = 0
    for attempt in attempts:
        try:
            attempt()
        except NotPermitted:
            refused += 1
    db.session.commit()

    an_hour_later(monkeypatch)
    assert client.get(f"/people/{person.id}").status_code == 404
    assert client.get(f"/people/{person.id}/referrals/new").status_code == 404
    assert refused == len(attempts)


def an_hour_later(monkeypatch) -> None:
    """The clock the scope rule reads, moved past the end of every grant made just now."""
    later = utcnow() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr("caseflow.security.scope.utcnow", lambda: later)


def test_every_view_and_action_under_emergency_access_is_audited_as_break_glass(sign_in):
    prison = OrganisationFactory(kind="prison")
    provider = provider_serving("E08000025")
    referral = ReferralFactory(
        episode__prison=prison, episode__person__recorded_by=prison, provider_id=provider.id
    )
    db.session.commit()
    client, keyworker = sign_in("keyworker")  # at another provider, no relationship
    grant_for(keyworker, referral.person)

    shown = client.get(f"/people/{referral.person_id}")
    assert shown.status_code == 200
    assert [(r.action, r.purpose) for r in audit_rows(shown)] == [("view", "break-glass")]

    referral_page = client.get(f"/referrals/{referral.id}")
    assert referral_page.status_code == 200
    assert [(r.action, r.purpose) for r in audit_rows(referral_page)] == [("view", "break-glass")]

    soup = BeautifulSoup(shown.data, "html.parser")
    note = soup.find("form", action=f"/people/{referral.person_id}/notes")
    fields = {field["name"]: field.get("value", "") for field in note.find_all("input")}
    fields["text"] = "Called the provider about their plan."
    added = client.post(f"/people/{referral.person_id}/notes", data=fields)
    assert [(r.action, r.entity_type, r.purpose) for r in audit_rows(added)] == [
        ("create", "case_note", "break-glass")
    ]


def test_a_relationship_beside_a_grant_is_audited_as_the_relationship(sign_in):
    prison = OrganisationFactory(kind="prison")
    person = person_in_custody_at(prison)
    nurse = UserFactory(role="prison_healthcare", organisation=prison)
    db.session.commit()
    client, _ = sign_in(user=nurse)
    grant_for(nurse, person)
    shown = client.get(f"/people/{person.id}")
    assert [(r.action, r.purpose) for r in audit_rows(shown)] == [("view", "caseload")]
    assert not BeautifulSoup(shown.data, "html.parser").select_one(".govuk-notification-banner")


def test_worklists_never_list_someone_seen_only_under_emergency_access(sign_in):
    person = person_in_custody_at(OrganisationFactory(kind="prison"), nhs_number="9434765919")
    client, nurse = sign_in("prison_healthcare")
    grant_for(nurse, person)
    listed = page(client, "/worklists/releasing")
    assert f"/people/{person.id}" not in str(listed)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.person_id == person.id, AuditEvent.action == "list")
        )
        == 0
    )
