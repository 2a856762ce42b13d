"""The keyworker's "In treatment" list: the people their provider has started in treatment
(engaged referrals; DOMAIN.md: engaged is "treatment started"), paged and sorted in SQL, the
longest in treatment first, each name going to the person."""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.referrals import worklists
from caseflow.referrals.codes import Status
from tests.factories import ReferralFactory, UserFactory, provider_serving
from tests.helpers import audit_rows, page, signed_in_client

TODAY = local_today()


def engaged_at(provider, started_days_ago: int, **fields):
    return ReferralFactory(
        status=Status.ENGAGED,
        provider_id=provider.id,
        episode__actual_release_date=TODAY - timedelta(days=started_days_ago + 2),
        treatment_start_date=TODAY - timedelta(days=started_days_ago),
        **fields,
    )


def test_it_lists_the_providers_engaged_referrals_longest_in_treatment_first(app):
    provider = provider_serving()
    recent = engaged_at(provider, 2)
    longest = engaged_at(provider, 40)
    middle = engaged_at(provider, 10)
    ReferralFactory(status=Status.ACCEPTED, provider_id=provider.id)  # not started yet
    closed = engaged_at(provider, 20)
    closed.status = Status.CLOSED  # treatment over: off the list
    engaged_at(provider_serving(), 5)  # another provider's
    keyworker = UserFactory(role="keyworker", organisation=provider)
    db.session.flush()
    rows = worklists.in_treatment(keyworker).rows
    assert [r.id for r in rows] == [longest.id, middle.id, recent.id]


def test_it_pages_in_sql(app):
    provider = provider_serving()
    for days in range(30):
        engaged_at(provider, days)
    keyworker = UserFactory(role="keyworker", organisation=provider)
    db.session.flush()
    first = worklists.in_treatment(keyworker, page=1)
    second = worklists.in_treatment(keyworker, page=2)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (30, 2, 25, 5)
    starts = [r.treatment_start_date for r in first.rows + second.rows]
    assert starts == sorted(starts)


def test_the_page_is_a_keyworker_tab_audited_as_one_list(app):
    provider = provider_serving()
    referral = engaged_at(provider, 3)
    keyworker = UserFactory(role="keyworker", organisation=provider)
    db.session.commit()
    client = signed_in_client(app, keyworker)
    soup = page(client, "/worklists/in-treatment")
    current = soup.select_one('a.moj-sub-navigation__link[aria-current="page"]')
    assert current.get_text(strip=True) == "In treatment"
    name = soup.select_one("table tbody").find("a", string=referral.person.full_name)
    assert name["href"] == f"/people/{referral.person_id}"  # the name goes to the person
    response = client.get("/worklists/in-treatment")
    [row] = [r for r in audit_rows(response) if r.action == "list"]
    assert (row.entity_id, row.detail["people"]) == ("in-treatment", 1)


def test_other_roles_have_no_in_treatment_list(sign_in):
    client, _ = sign_in("prison_healthcare")
    assert client.get("/worklists/in-treatment").status_code == 404
