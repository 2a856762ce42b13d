"""The manager's pages: the rate for a period against the target with its counts, settings and
"provisional"; a breakdown whose every number opens the cases behind it; each case opens the
person. Only managers see them, and only their partnership's releases."""

from datetime import date, timedelta

from caseflow.continuity import periods
from caseflow.dates import local_today
from caseflow.extensions import db
from tests.continuity.cohort import BIRMINGHAM, PLYMOUTH, manager_of, referral, release
from tests.helpers import page


def manager_client(sign_in):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    return client


def test_the_dashboard_shows_the_rate_counts_and_settings_for_the_period(sign_in):
    client = manager_client(sign_in)
    referral(release(date(2026, 3, 2)), started=date(2026, 3, 5))
    release(date(2026, 3, 3))
    release(date(2026, 3, 4), release_type="deported", destination=BIRMINGHAM)
    release(date(2026, 3, 3), destination=PLYMOUTH)  # another partnership's
    db.session.commit()
    shown = page(client, "/continuity/?period=2026-03")
    text = " ".join(shown.get_text().split())
    assert "50.0% started treatment within 21 days, against a target of 75%" in text
    assert "Settings in effect from 1 April 2015" in text
    counts = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in shown.select(".govuk-summary-list__row")
    }
    assert counts["Met"].startswith("1") and counts["Not met"].startswith("1")
    assert counts["Pending"].startswith("0") and counts["Excluded"].startswith("1")
    assert "Provisional" not in text


def test_an_open_window_makes_the_period_provisional(sign_in):
    client = manager_client(sign_in)
    released = local_today() - timedelta(days=3)
    release(released)
    db.session.commit()
    month = periods.month(released.year, released.month).code
    shown = page(client, f"/continuity/?period={month}")
    assert "Provisional" in shown.get_text()


def test_the_default_period_is_the_latest_complete_quarter(sign_in):
    client = manager_client(sign_in)
    shown = page(client, "/continuity/")
    assert periods.latest_complete_quarter().label in shown.get_text()


def test_a_period_not_offered_is_refused_beside_the_chooser(sign_in):
    client = manager_client(sign_in)
    shown = page(client, "/continuity/?period=2026-13")
    assert shown.select_one(".govuk-error-message") is not None


def test_a_breakdown_links_each_number_to_its_cases_and_each_case_to_the_person(sign_in):
    client = manager_client(sign_in)
    started = release(date(2026, 3, 2))
    referral(started, started=date(2026, 3, 5))
    release(date(2026, 3, 3))
    db.session.commit()
    shown = page(client, "/continuity/breakdown?period=2026-03&by=local_authority")
    [row] = shown.select("tbody tr")
    assert row.select_one("th").get_text(strip=True) == "Birmingham"
    met_link = row.select("td a")[0]["href"]
    cases = page(client, met_link)
    person_links = [a["href"] for a in cases.select("tbody a[href^='/people/']")]
    assert person_links == [f"/people/{started.person_id}"]
    page(client, person_links[0])


def test_only_managers_see_the_measure(sign_in):
    keyworker, _ = sign_in("keyworker")
    page(keyworker, "/continuity/", status=403)
    page(keyworker, "/continuity/cases?period=2026-03", status=403)


def test_an_unknown_breakdown_or_outcome_is_not_found(sign_in):
    client = manager_client(sign_in)
    page(client, "/continuity/breakdown?period=2026-03&by=shoe_size", status=404)
    page(client, "/continuity/cases?period=2026-03&outcome=maybe", status=404)
    page(client, "/continuity/cases?period=not-a-period", status=404)


def test_the_navigation_offers_the_measure_to_managers_only(sign_in):
    client = manager_client(sign_in)
    assert "Continuity of care" in menu(page(client, "/notifications"))
    nurse, _ = sign_in("prison_healthcare")
    assert "Continuity of care" not in menu(page(nurse, "/notifications"))


def menu(shown) -> list[str]:
    return [link.get_text(strip=True) for link in shown.select("nav a, header a")]


def test_act_now_lists_pending_releases_in_scope_fewest_days_left_first(sign_in):
    from caseflow.continuity import services

    manager = manager_of(BIRMINGHAM)
    today = local_today()
    later = release(today - timedelta(days=2))
    sooner = release(today - timedelta(days=15))
    referral(release(today - timedelta(days=10)), started=today)  # met: not listed
    release(today - timedelta(days=5), destination=PLYMOUTH)  # another partnership's
    release(today - timedelta(days=22))  # day 22: a breach, no longer pending
    db.session.flush()
    listed = services.act_now(manager, today=today)
    assert [(case.episode_id, case.days_left) for case in listed.rows] == [
        (sooner.id, 6),
        (later.id, 19),
    ]
