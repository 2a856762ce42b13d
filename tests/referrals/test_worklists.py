"""Each role's worklist: who is on it, in what order, and one audit row per list shown."""

import json
from datetime import timedelta

from bs4 import BeautifulSoup

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.services import create_organisation
from caseflow.referrals import worklists
from caseflow.referrals.codes import Status
from tests.factories import (
    AppointmentFactory,
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)
from tests.helpers import audit_rows

TODAY = local_today()


def days_ago(days: int):
    return TODAY - timedelta(days=days)


def episode_at(prison, **fields):
    person = PersonFactory(recorded_by=prison)
    return CustodyEpisodeFactory(person=person, prison=prison, **fields)


def names(page) -> list[str]:
    return [
        row.person.family_name if hasattr(row, "person") else row.family_name for row in page.rows
    ]


def test_releasing_soon_lists_need_without_a_live_referral(app):
    prison = OrganisationFactory(kind="prison")
    user = UserFactory(role="prison_healthcare", organisation=prison)
    soon = episode_at(prison, expected_release_date=TODAY + timedelta(days=20))
    sooner = episode_at(prison, expected_release_date=TODAY + timedelta(days=5))
    episode_at(prison, expected_release_date=TODAY + timedelta(weeks=13))  # too far off
    episode_at(prison, expected_release_date=TODAY + timedelta(days=5), treatment_need="no_need")
    referred = episode_at(prison, expected_release_date=TODAY + timedelta(days=9))
    ReferralFactory(episode=referred, status=Status.SENT)
    drafted = episode_at(prison, expected_release_date=TODAY + timedelta(days=30))
    ReferralFactory(episode=drafted, status=Status.DRAFT)
    episode_at(OrganisationFactory(kind="prison"), expected_release_date=TODAY)  # elsewhere
    page = worklists.releasing_without_referral(user)
    assert [e.id for e in page.rows] == [sooner.id, soon.id, drafted.id]


def test_sent_not_accepted_lists_my_organisations_referrals(app):
    referral = ReferralFactory(status=Status.SENT)
    ReferralFactory(status=Status.ACCEPTED, episode__prison=referral.referring_organisation)
    user = UserFactory(role="prison_healthcare", organisation=referral.referring_organisation)
    assert [r.id for r in worklists.sent_not_accepted(user).rows] == [referral.id]


def test_clock_running_lists_released_without_treatment_start_within_21_days(app):
    prison = OrganisationFactory(kind="prison")
    user = UserFactory(role="prison_healthcare", organisation=prison)
    day_21 = episode_at(prison, actual_release_date=days_ago(21))
    episode_at(prison, actual_release_date=days_ago(22))  # breached: off the running list
    day_3 = episode_at(prison, actual_release_date=days_ago(3))
    engaged = episode_at(prison, actual_release_date=days_ago(4))
    ReferralFactory(episode=engaged, status=Status.ENGAGED, treatment_start_date=days_ago(1))
    page = worklists.clock_running(user)
    assert [e.id for e in page.rows] == [day_21.id, day_3.id]


def test_keyworker_lists(app):
    sent = ReferralFactory(status=Status.SENT)
    provider = sent.provider
    late = ReferralFactory(
        status=Status.ACCEPTED, provider_id=provider.id, episode__actual_release_date=days_ago(15)
    )
    early = ReferralFactory(
        status=Status.ACCEPTED, provider_id=provider.id, episode__actual_release_date=days_ago(2)
    )
    ReferralFactory(status=Status.SENT)  # another provider's
    keyworker = UserFactory(role="keyworker", organisation=provider)
    assert [r.id for r in worklists.incoming(keyworker).rows] == [sent.id]
    # Sorted by days left: fewest first.
    assert [r.id for r in worklists.accepted_without_start(keyworker).rows] == [late.id, early.id]
    this_week = AppointmentFactory(referral=early, appointment_date=TODAY)
    AppointmentFactory(referral=early, appointment_date=TODAY + timedelta(days=8))
    assert [a.id for a in worklists.appointments_this_week(keyworker).rows] == [this_week.id]


def test_manager_sees_their_area_flagged_and_breaches(app):
    partnership = create_organisation("Test partnership", "partnership", ["E08000025"])
    manager = UserFactory(role="manager", organisation=partnership)
    prison = OrganisationFactory(kind="prison")
    day_2 = episode_at(prison, actual_release_date=days_ago(2))
    day_8 = episode_at(prison, actual_release_date=days_ago(8))
    day_15 = episode_at(prison, actual_release_date=days_ago(15))
    day_21 = episode_at(prison, actual_release_date=days_ago(21))
    day_30 = episode_at(prison, actual_release_date=days_ago(30))
    episode_at(
        prison, actual_release_date=days_ago(5), destination_local_authority_code="E06000026"
    )
    engaged = episode_at(prison, actual_release_date=days_ago(6))
    ReferralFactory(episode=engaged, status=Status.ENGAGED, treatment_start_date=days_ago(1))
    ids = lambda flag: [e.id for e in worklists.area_at_risk(manager, flag=flag).rows]  # noqa: E731
    # Cases that can still be saved first, fewest days left first; then breaches.
    assert ids("all") == [day_21.id, day_15.id, day_8.id, day_2.id, day_30.id]
    assert ids("day7") == [day_21.id, day_15.id, day_8.id]
    assert ids("day14") == [day_21.id, day_15.id]
    assert ids("day21") == [day_21.id]
    assert ids("breached") == [day_30.id]


def test_worklists_page_and_sort_in_sql(app):
    prison = OrganisationFactory(kind="prison")
    user = UserFactory(role="prison_healthcare", organisation=prison)
    for offset in range(30):
        episode_at(prison, expected_release_date=TODAY + timedelta(days=offset + 1))
    first = worklists.releasing_without_referral(user, page=1)
    second = worklists.releasing_without_referral(user, page=2)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (30, 2, 25, 5)
    dates = [e.expected_release_date for e in first.rows + second.rows]
    assert dates == sorted(dates)


def test_each_role_lands_on_its_worklist_and_each_list_is_audited_once(sign_in):
    for role, first in [
        ("prison_healthcare", "releasing"),
        ("probation", "releasing"),
        ("keyworker", "incoming"),
        ("manager", "at-risk"),
    ]:
        client, _ = sign_in(role)
        landing = client.get("/")
        assert landing.headers["Location"] == f"/worklists/{first}"
        response = client.get(f"/worklists/{first}")
        assert response.status_code == 200
        rows = audit_rows(response)
        assert [(r.action, r.entity_id) for r in rows] == [("list", first)]
        assert rows[0].detail["people"] == 0


def test_a_list_shows_names_and_counts_people_in_its_audit_row(sign_in):
    client, user = sign_in("keyworker")
    referral = ReferralFactory(
        status=Status.SENT,
        provider_id=user.organisation_id,
        episode__person__family_name="Winterbottom",
    )
    db.session.commit()
    response = client.get("/worklists/incoming")
    soup = BeautifulSoup(response.data, "html.parser")
    assert "Winterbottom" in soup.find("table").get_text()
    assert soup.find("a", href=f"/referrals/{referral.id}")
    assert audit_rows(response)[0].detail["people"] == 1
    assert "Winterbottom" not in json.dumps(audit_rows(response)[0].detail)


def test_another_roles_worklist_is_not_found(sign_in):
    client, _ = sign_in("keyworker")
    assert client.get("/worklists/at-risk").status_code == 404
    auditor, _ = sign_in("auditor")
    assert auditor.get("/worklists/incoming").status_code == 403


def test_after_a_redirect_the_old_provider_keeps_its_own_history_without_the_person(sign_in):
    from tests.factories import provider_serving
    from tests.helpers import post_form

    referral = ReferralFactory(status=Status.ACCEPTED, episode__person__family_name="Quenby")
    db.session.commit()
    client, _ = sign_in(user=UserFactory(role="keyworker", organisation=referral.provider))
    elsewhere = provider_serving(name="Receiving provider")
    db.session.commit()
    post_form(
        client,
        f"/referrals/{referral.id}/redirect",
        {"provider": str(elsewhere.id), "reason": "Released to Coventry instead"},
    )
    response = client.get("/worklists/redirected")
    soup = BeautifulSoup(response.data, "html.parser")
    table = soup.find("table").get_text()
    assert referral.reference in table and "Receiving provider" in table
    assert "Released to Coventry instead" in table
    assert "Quenby" not in response.get_data(as_text=True)
    assert audit_rows(response)[0].detail["people"] == 0
