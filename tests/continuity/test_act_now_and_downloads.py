"""Act now (the pending cases with the fewest days left, one click from the headline, each
opening the person) and the CSV downloads of every breakdown and of the case list (issue 10:
one row per cohort entry, the columns in the given order, formula cells defused, each export
audited, no names or identifiers of people)."""

import csv
import io
from datetime import date, timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from tests.continuity.cohort import BIRMINGHAM, PLYMOUTH, manager_of, referral, release
from tests.factories import OrganisationFactory, PersonFactory
from tests.helpers import audit_rows, page

CASE_COLUMNS = [
    "episode_reference",
    "release_date",
    "period_month",
    "local_authority_code",
    "prison",
    "provider",
    "substance_group",
    "sex",
    "ethnic_group",
    "age_band",
    "outcome",
    "exclusion_reason",
    "treatment_start_date",
    "days_to_treatment",
    "first_attended_date",
]


def manager(sign_in):
    client, user = sign_in(user=manager_of(BIRMINGHAM))
    return client, user


def exports_written(response):
    return [row for row in audit_rows(response) if row.action == "export"]


def rows_of(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_act_now_lists_pending_cases_fewest_days_left_first_one_click_from_the_headline(sign_in):
    client, _ = manager(sign_in)
    today = local_today()
    later = release(today - timedelta(days=2))  # 19 days left
    sooner = release(today - timedelta(days=20))  # 1 day left
    referral(release(today - timedelta(days=5)), started=today - timedelta(days=4))  # met
    release(today - timedelta(days=10), destination=PLYMOUTH)  # another partnership's
    db.session.commit()
    dashboard = page(client, "/continuity/")
    shown = page(client, dashboard.select_one("a#act-now")["href"])
    rows = shown.select("tbody tr")
    assert [row.select("td")[0].get_text(strip=True) for row in rows] == ["1", "19"]
    links = [row.select_one("a")["href"] for row in rows]
    assert links == [f"/people/{sooner.person_id}", f"/people/{later.person_id}"]
    page(client, links[0])


def test_act_now_is_for_managers_only(sign_in):
    keyworker, _ = sign_in("keyworker")
    page(keyworker, "/continuity/act-now", status=403)
    page(keyworker, "/continuity/cases.csv?period=2026-03", status=403)
    page(keyworker, "/continuity/breakdown.csv?period=2026-03", status=403)


def test_the_case_list_csv_has_one_row_per_cohort_entry_in_the_given_columns(sign_in):
    client, _ = manager(sign_in)
    person = PersonFactory(sex="female", ethnic_group="white")
    met = release(date(2026, 3, 2), person=person, age=24, substance_group="alcohol_only")
    referral(met, started=date(2026, 3, 5))
    release(date(2026, 3, 31), person=person, age=24)  # released twice: counted twice
    release(date(2026, 3, 3), release_type="deported")
    release(date(2026, 3, 4), need="no_need")  # not in the cohort: not a row
    release(date(2026, 3, 4), destination=PLYMOUTH)  # another partnership's
    db.session.commit()
    response = client.get("/continuity/cases.csv?period=2026-03")
    lines = rows_of(response)
    header, *rows = lines
    assert header[: len(CASE_COLUMNS)] == CASE_COLUMNS
    by = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(row["release_date"], row["outcome"]) for row in by] == [
        ("2026-03-31", "not_met"),
        ("2026-03-03", "excluded"),
        ("2026-03-02", "met"),
    ]
    first = by[2]
    assert first["episode_reference"] == str(met.id)
    assert first["period_month"] == "2026-03"
    assert first["local_authority_code"] == BIRMINGHAM
    assert (first["sex"], first["ethnic_group"], first["age_band"]) == (
        "female",
        "white",
        "18-24",
    )
    assert (first["treatment_start_date"], first["days_to_treatment"]) == ("2026-03-05", "3")
    assert by[1]["exclusion_reason"] == "deported"
    text = "\n".join(",".join(line) for line in lines)
    for identifier in (person.given_name, person.family_name, person.prison_number):
        if identifier:
            assert identifier not in text
    [exported] = exports_written(response)
    assert exported.detail["rows"] == 3 and exported.detail["export"] == "cases"
    assert exported.person_id is None


def test_the_case_list_csv_follows_the_cell_it_was_downloaded_from(sign_in):
    client, _ = manager(sign_in)
    referral(release(date(2026, 3, 2)), started=date(2026, 3, 5))
    release(date(2026, 3, 3))
    db.session.commit()
    shown = page(client, "/continuity/cases?period=2026-03&outcome=met")
    download = shown.find("a", string=lambda s: s and "(CSV)" in s)["href"]
    _, *rows = rows_of(client.get(download))
    assert [row[10] for row in rows] == ["met"]


def test_each_breakdown_downloads_as_csv_in_the_page_order_and_is_audited(sign_in):
    client, _ = manager(sign_in)
    referral(release(date(2026, 3, 2), age=20), started=date(2026, 3, 5))
    release(date(2026, 3, 3), age=20)
    referral(release(date(2026, 3, 3), age=40), started=date(2026, 3, 4))
    db.session.commit()
    shown = page(client, "/continuity/breakdown?period=2026-03&by=age_band")
    download = shown.find("a", string=lambda s: s and "(CSV)" in s)["href"]
    response = client.get(download)
    lines = rows_of(response)
    assert lines == [
        ["age_band", "label", "rate", "cohort", "met", "not_met", "pending", "excluded"],
        ["35-44", "35-44", "1.0000", "1", "1", "0", "0", "0"],
        ["18-24", "18-24", "0.5000", "2", "1", "1", "0", "0"],
    ]
    [exported] = exports_written(response)
    assert exported.detail["dimension"] == "age_band" and exported.detail["rows"] == 2


def test_a_cell_that_a_spreadsheet_would_run_is_defused(sign_in):
    client, _ = manager(sign_in)
    prison = OrganisationFactory(kind="prison", name="=HYPERLINK(1)")
    release(date(2026, 3, 3), prison=prison)
    db.session.commit()
    _, row = rows_of(client.get("/continuity/cases.csv?period=2026-03"))
    assert row[4] == "'=HYPERLINK(1)"
