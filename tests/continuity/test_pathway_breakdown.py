"""The breakdown by pathway: one row per pathway registered in
``continuity.pathway_membership`` and one for the releases on none ("No pathway"). A release on
two pathways is in both rows, so the rows may add up to more than the cohort, and the page says
so. Each row drills down to its cases, downloads as CSV and is in the monthly report. The
pathways here are registered by the test itself, as each pathway's package does when loaded."""

import csv
import io
from datetime import date

import pytest

from caseflow.continuity import pathway_membership, periods, services
from caseflow.continuity.entries import Scope
from caseflow.extensions import db
from tests.continuity.cohort import BIRMINGHAM, manager_of, referral, release
from tests.helpers import page

AFTER = date(2026, 9, 1)
MARCH = periods.parse("2026-03")


@pytest.fixture
def on_pathways(monkeypatch):
    """Two pathways, each holding the people the test puts on it; no others registered."""
    monkeypatch.setattr(pathway_membership, "_pathways", {})
    members: dict[str, set] = {"housing": set(), "dual": set()}

    def on(code):
        return lambda _episode_id, person_id: person_id.in_(members[code] or [None])

    pathway_membership.pathway("housing", "Rough sleeping", on("housing"))
    pathway_membership.pathway("dual", "Dual diagnosis", on("dual"))
    return members


def march_releases(members):
    """Met on housing; not met on housing and dual; met on none; excluded on dual."""
    housing = release(date(2026, 3, 2))
    referral(housing, started=date(2026, 3, 5))
    both = release(date(2026, 3, 3))
    nowhere = release(date(2026, 3, 4))
    referral(nowhere, started=date(2026, 3, 6))
    deported = release(date(2026, 3, 5), release_type="deported")
    members["housing"] |= {housing.person_id, both.person_id}
    members["dual"] |= {both.person_id, deported.person_id}
    db.session.flush()
    return housing, both, nowhere, deported


def counts(rows):
    return {
        row.label: (row.figures.met, row.figures.not_met, row.figures.pending, row.figures.excluded)
        for row in rows
    }


def test_each_pathway_is_a_row_and_a_release_on_two_is_in_both(app, on_pathways):
    march_releases(on_pathways)
    rows = services.breakdown(Scope.national(), MARCH, "pathway", today=AFTER)
    assert counts(rows) == {
        "Rough sleeping": (1, 1, 0, 0),
        "Dual diagnosis": (0, 1, 0, 1),
        "No pathway": (1, 0, 0, 0),
    }
    # Sorted by rate: no pathway 100%, rough sleeping 50%, dual diagnosis 0%.
    assert [row.key for row in rows] == [None, "housing", "dual"]
    assert sum(row.figures.cohort for row in rows) == 4  # the cohort is 3
    assert services.headline(Scope.national(), MARCH, today=AFTER).figures.cohort == 3


def test_a_pathway_with_no_one_in_the_cohort_has_no_row(app, on_pathways):
    release(date(2026, 3, 2))
    db.session.flush()
    rows = services.breakdown(Scope.national(), MARCH, "pathway", today=AFTER)
    assert counts(rows) == {"No pathway": (0, 1, 0, 0)}


def test_each_row_drills_down_to_its_cases(app, on_pathways):
    housing, both, nowhere, deported = march_releases(on_pathways)
    manager = manager_of(BIRMINGHAM)

    def cases(value, outcome=None):
        found = services.case_list(
            manager, MARCH, dimension="pathway", value=value, outcome=outcome, today=AFTER
        )
        return {case.episode_id for case in found.rows}

    assert cases("housing") == {housing.id, both.id}
    assert cases("dual") == {both.id, deported.id}
    assert cases("dual", outcome="excluded") == {deported.id}
    assert cases("") == {nowhere.id}
    assert cases("not-a-pathway") == set()


def test_the_pages_csv_and_report_show_the_pathways(sign_in, on_pathways):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    march_releases(on_pathways)
    db.session.commit()
    dashboard = page(client, "/continuity/?period=2026-03")
    link = dashboard.find("a", string="By pathway")["href"]
    shown = page(client, link)
    assert "counted in each, so the rows can add up to more than the cohort" in (
        shown.select_one("#overlap").get_text()
    )
    labels = [row.select_one("th").get_text(strip=True) for row in shown.select("tbody tr")]
    assert labels == ["No pathway", "Rough sleeping", "Dual diagnosis"]
    housing_cases = page(client, shown.find("a", string="Rough sleeping")["href"])
    assert "2 cases" in housing_cases.get_text()

    download = shown.find("a", string=lambda s: s and "(CSV)" in s)["href"]
    lines = list(csv.reader(io.StringIO(client.get(download).get_data(as_text=True))))
    assert lines[0][:2] == ["pathway", "label"]
    assert [line[:2] for line in lines[1:]] == [
        ["", "No pathway"],
        ["housing", "Rough sleeping"],
        ["dual", "Dual diagnosis"],
    ]
    cases_csv = client.get("/continuity/cases.csv?period=2026-03&by=pathway&value=dual")
    assert len(list(csv.reader(io.StringIO(cases_csv.get_data(as_text=True))))) == 3

    report = page(client, "/continuity/report?month=2026-03")
    in_report = {
        row.select_one("th").get_text(strip=True): [
            cell.get_text(strip=True) for cell in row.select("td")
        ]
        for row in report.select("#report-pathways tbody tr")
    }
    assert in_report == {
        "No pathway": ["100.0%", "1", "0", "0", "0"],
        "Rough sleeping": ["50.0%", "1", "1", "0", "0"],
        "Dual diagnosis": ["0.0%", "0", "1", "0", "1"],
    }
