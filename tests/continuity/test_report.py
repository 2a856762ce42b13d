"""The monthly partnership report (issue 10): a page per partnership and month with the
continuity rate and trend, referrals by status, the second measure and exclusions by reason,
printable on A4, and a PDF made on the server that holds the page's figures."""

import io
from datetime import date

import pypdf

from caseflow.extensions import db
from tests.continuity.cohort import BIRMINGHAM, PLYMOUTH, attended, manager_of, referral, release
from tests.helpers import audit_rows, page


def march_cohort():
    """Four releases with a need into Birmingham in March 2026, and one elsewhere:
    met (attended day 2, started day 3), not met (referral withdrawn), not met (no referral),
    excluded (deported); Plymouth's is another partnership's."""
    met = referral(release(date(2026, 3, 2)), started=date(2026, 3, 5))
    attended(met, date(2026, 3, 4))
    referral(release(date(2026, 3, 10)), status="withdrawn")
    release(date(2026, 3, 20))
    release(date(2026, 3, 21), release_type="deported")
    referral(release(date(2026, 3, 3), destination=PLYMOUTH), started=date(2026, 3, 4))
    db.session.commit()


def text_of(soup) -> str:
    return " ".join(soup.get_text(" ").split())


def test_the_report_page_has_the_months_figures(sign_in):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    march_cohort()
    dashboard = page(client, "/continuity/")
    assert dashboard.select_one("a#monthly-report")["href"] == "/continuity/report"
    shown = page(client, "/continuity/report?month=2026-03")
    # Met 1 of a cohort of 3 (the deported release is excluded): 33.3%.
    assert "33.3% started treatment within 21 days, against a target of 75%" in text_of(
        shown.select_one("#report-rate")
    )
    counts = {
        row.select_one("th").get_text(strip=True): row.select_one("td").get_text(strip=True)
        for row in shown.select("#report-counts tbody tr")
    }
    assert counts == {
        "Met": "1",
        "Not met": "2",
        "Pending": "0",
        "Cohort (met, not met and pending)": "3",
        "Excluded": "1",
    }
    assert text_of(shown.select_one("#report-attended")) == "1 of 3 (33.3%)"
    exclusions = [text_of(row) for row in shown.select("#report-exclusions tbody tr")]
    assert exclusions == ["Deported or removed at release 1"]
    referrals = {
        row.select_one("th").get_text(strip=True): row.select_one("td").get_text(strip=True)
        for row in shown.select("#report-referrals tbody tr")
    }
    assert referrals["Engaged"] == "1" and referrals["Withdrawn"] == "1"
    assert referrals["Accepted"] == "0"
    trend = shown.select("#trend-table tbody tr")
    assert len(trend) == 12
    assert [c.get_text(strip=True) for c in trend[-1].select("th, td")] == [
        "March 2026",
        "33.3%",
        "1 of 3",
    ]
    assert shown.select_one('link[href$="continuity-report.css"]') is not None


def test_the_pdf_opens_and_has_the_figures_of_the_page(sign_in):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    march_cohort()
    response = client.get("/continuity/report.pdf?month=2026-03")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "continuity-report-2026-03.pdf" in response.headers["Content-Disposition"]
    document = pypdf.PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(p.extract_text() for p in document.pages).split())
    assert "Continuity of care: March 2026" in text
    assert "33.3%" in text and "against a target of 75%" in text
    assert "1 of 3 (33.3%)" in text
    assert "Deported or removed at release" in text
    assert "Withdrawn" in text
    [exported] = [row for row in audit_rows(response) if row.action == "export"]
    assert exported.detail == {"page": "continuity report", "period": "2026-03", "format": "pdf"}


def test_a_report_is_for_a_month_and_for_managers(sign_in):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    page(client, "/continuity/report?month=2026-Q1", status=404)
    page(client, "/continuity/report?month=nonsense", status=404)
    keyworker, _ = sign_in("keyworker")
    page(keyworker, "/continuity/report", status=403)
    page(keyworker, "/continuity/report.pdf", status=403)
