"""The dashboard's 24-month trend (a server-drawn chart with its target line, and the same
numbers in a table) and, while the period is provisional, its forecast."""

from datetime import date, timedelta

from caseflow.continuity import periods
from caseflow.dates import local_today
from caseflow.extensions import db
from tests.continuity.cohort import BIRMINGHAM, manager_of, referral, release
from tests.helpers import page


def test_the_trend_is_a_chart_with_its_target_and_a_table_of_the_same_months(sign_in):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    referral(release(date(2026, 3, 2)), started=date(2026, 3, 5))
    release(date(2026, 3, 3))
    db.session.commit()
    shown = page(client, "/continuity/?period=2026-Q1")
    chart = shown.select_one("svg[role=img]")
    assert chart.select_one("title").get_text(strip=True).startswith("Continuity-of-care rate")
    assert chart.select_one("desc") is not None
    assert "Target 75%" in chart.get_text()
    assert chart.select_one(".caseflow-chart__target") is not None
    rows = shown.select("#trend-table tbody tr")
    assert len(rows) == 24
    # Oldest first, ending with the period's last month.
    assert rows[0].select_one("th").get_text(strip=True) == "April 2024"
    last = [cell.get_text(strip=True) for cell in rows[-1].select("th, td")]
    assert last == ["March 2026", "50.0%", "1 of 2"]


def test_a_provisional_period_shows_its_forecast(sign_in):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    released = local_today() - timedelta(days=3)
    release(released)
    referral(release(released), started=released)
    db.session.commit()
    month = periods.month(released.year, released.month).code
    shown = page(client, f"/continuity/?period={month}")
    forecast = " ".join(shown.select_one("#forecast").get_text().split())
    assert "Best 100.0% if every pending case starts treatment today" in forecast
    assert "Worst 50.0% if none of them does" in forecast


def test_a_closed_period_shows_no_forecast(sign_in):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    release(date(2026, 3, 3))
    db.session.commit()
    shown = page(client, "/continuity/?period=2026-03")
    assert shown.select_one("#forecast") is None
