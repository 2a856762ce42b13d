"""A provider's relationship to a referral, and so to the person, starts when the referral is
sent to it and ends when it is redirected elsewhere, rejected or withdrawn (DOMAIN.md, the
legitimate relationship). A draft belongs to the referrer alone, whatever provider it names."""

import pytest
from bs4 import BeautifulSoup

from caseflow.extensions import db
from caseflow.referrals.codes import Status
from tests.factories import OrganisationFactory, ReferralFactory, UserFactory, person_in_custody_at
from tests.helpers import audit_rows, page, post_form

NHS_NUMBER = "9434765919"


def referral_in(status: str, **fields):
    prison = OrganisationFactory(kind="prison")
    person = person_in_custody_at(prison, nhs_number=NHS_NUMBER)
    referral = ReferralFactory(episode=person.episodes[0], status=status, **fields)
    db.session.commit()
    return referral


def keyworker_at_named_provider(sign_in, referral):
    return sign_in(user=UserFactory(role="keyworker", organisation=referral.provider))


def finds_by_nhs_number(client, person_id) -> bool:
    response = post_form(client, "/people/find", {"nhs_number": NHS_NUMBER})
    soup = BeautifulSoup(response.data, "html.parser")
    return soup.find("a", href=f"/people/{person_id}") is not None


def sees(client, referral) -> tuple[int, int, bool]:
    return (
        client.get(f"/referrals/{referral.id}").status_code,
        client.get(f"/people/{referral.person_id}").status_code,
        finds_by_nhs_number(client, referral.person_id),
    )


@pytest.mark.parametrize(
    ("status", "consent"),
    [
        (Status.DRAFT, "given"),
        (Status.DRAFT, "refused"),
        (Status.WITHDRAWN, "given"),  # withdrawn before it was ever sent
    ],
)
def test_a_provider_named_on_a_referral_never_sent_sees_nothing(sign_in, status, consent):
    referral = referral_in(status, consent=consent)
    client, _ = keyworker_at_named_provider(sign_in, referral)
    assert sees(client, referral) == (404, 404, False)
    denied = client.get(f"/referrals/{referral.id}")
    assert [(r.action, r.person_id) for r in audit_rows(denied)] == [("deny", referral.person_id)]


@pytest.mark.parametrize("status", [Status.SENT, Status.ACCEPTED, Status.ENGAGED, Status.CLOSED])
def test_the_provider_holds_a_referral_from_sending_on(sign_in, status):
    referral = referral_in(status)
    client, _ = keyworker_at_named_provider(sign_in, referral)
    assert sees(client, referral) == (200, 200, True)


def test_after_rejecting_a_referral_the_provider_keeps_only_its_own_part(sign_in):
    referral = referral_in(Status.SENT)
    client, _ = keyworker_at_named_provider(sign_in, referral)
    response = post_form(
        client,
        f"/referrals/{referral.id}/reject",
        {"reason_code": "not_eligible", "reason": "Outside our service"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # the referral page is no longer theirs
    assert sees(client, referral) == (404, 404, False)
    listed = page(client, "/worklists/redirected")
    text = listed.get_text(" ", strip=True)
    assert referral.reference in text
    assert "Rejected" in text
    assert referral.person.family_name not in text
    assert not listed.find("a", href=f"/people/{referral.person_id}")


def test_after_a_sent_referral_is_withdrawn_the_provider_sees_nothing(sign_in):
    referral = referral_in(Status.SENT)
    referrer, _ = sign_in(
        user=UserFactory(role="prison_healthcare", organisation=referral.referring_organisation)
    )
    response = post_form(
        referrer, f"/referrals/{referral.id}/withdraw", {"reason": "Sentence extended"}
    )
    assert response.status_code == 302
    client, _ = keyworker_at_named_provider(sign_in, referral)
    assert sees(client, referral) == (404, 404, False)
    assert referrer.get(f"/referrals/{referral.id}").status_code == 200


def test_a_draft_is_the_referrers_alone(sign_in):
    referral = referral_in(Status.DRAFT)
    referrer, _ = sign_in(
        user=UserFactory(role="prison_healthcare", organisation=referral.referring_organisation)
    )
    assert referrer.get(f"/referrals/{referral.id}").status_code == 200
    manager = UserFactory(role="manager")
    from caseflow.organisations.models import organisation_areas

    db.session.execute(
        organisation_areas.insert().values(
            organisation_id=manager.organisation_id,
            local_authority_code=referral.episode.destination_local_authority_code,
        )
    )
    db.session.commit()
    area_manager, _ = sign_in(user=manager)
    assert area_manager.get(f"/people/{referral.person_id}").status_code == 200
    assert area_manager.get(f"/referrals/{referral.id}").status_code == 404


@pytest.mark.parametrize(
    ("viewer_role", "worklist"), [("manager", "at-risk"), ("prison_healthcare", "clock-running")]
)
def test_no_worklist_names_another_teams_draft(sign_in, viewer_role, worklist):
    """Episode worklists show each person's latest referral: never a draft that is not theirs."""
    from datetime import timedelta

    from caseflow.dates import local_today
    from caseflow.organisations.models import LocalAuthority

    referral = referral_in(Status.DRAFT)
    episode = referral.episode
    episode.actual_release_date = local_today() - timedelta(days=3)
    episode.release_type = "licence"
    # The draft is probation's, not the holding prison's.
    referral.referring_organisation_id = OrganisationFactory(kind="probation").id
    if viewer_role == "manager":
        viewer = UserFactory(role="manager")
        viewer.organisation.areas = [
            db.session.get(LocalAuthority, episode.destination_local_authority_code)
        ]
    else:
        viewer = UserFactory(role="prison_healthcare", organisation=episode.prison)
    db.session.commit()
    client, _ = sign_in(user=viewer)
    text = page(client, f"/worklists/{worklist}").get_text(" ", strip=True)
    assert referral.person.family_name in text  # the person is on the list...
    assert referral.reference not in text  # ...but not another team's draft
