"""The person page shows each referral's 21-day clock (issue #9, "No dead ends"): prison
healthcare sees from the person page how long is left, in the same words as the referral page
(one clock summary, from the service)."""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from tests.factories import ReferralFactory
from tests.helpers import page, signed_in_client


def clock_cell(soup, reference: str) -> str:
    for row in soup.select("table tr"):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        if cells and cells[0] == reference:
            return cells[-1]
    raise AssertionError(f"no row for referral {reference}")


def test_the_person_page_shows_each_referrals_clock_as_the_referral_page_does(app):
    released = local_today() - timedelta(days=3)
    referral = ReferralFactory(
        status="accepted",
        episode__actual_release_date=released,
        episode__expected_release_date=released,
    )
    referrer = referral.referred_by
    person_id, referral_id, reference = referral.person_id, referral.id, referral.reference
    db.session.commit()
    client = signed_in_client(app, referrer)

    on_person_page = clock_cell(page(client, f"/people/{person_id}"), reference)
    referral_page = page(client, f"/referrals/{referral_id}")

    # Day 3 after release, no treatment start: 18 of the 21 days are left.
    assert "18 days left" in on_person_page
    assert on_person_page in referral_page.get_text(" ", strip=True)
