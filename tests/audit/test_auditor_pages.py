"""The auditor's pages: search, paging, break-glass first, verdicts, CSV export; ids only."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.audit import services as audit
from caseflow.audit.models import AuditEvent
from caseflow.auditor.models import BreakGlassReview
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people.models import BreakGlassGrant
from caseflow.security.access import Role
from tests.factories import OrganisationFactory, UserFactory, person_in_custody_at
from tests.helpers import audit_rows, csrf_token, error_messages, page, post_form

SEARCH = {
    "email": "",
    "nhs_number": "",
    "prison_number": "",
    "organisation": "",
    "action": "",
    "outcome": "",
    "date_from": ["", "", ""],
    "date_to": ["", "", ""],
}


def search(client, **criteria):
    return post_form(client, "/audit/", {**SEARCH, **criteria})


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200, response.data[:2000]
    return BeautifulSoup(response.data, "html.parser")


def result_records(soup) -> list[str]:
    """The record id shown on each row of the results, in page order."""
    table = soup.find("table", {"aria-labelledby": "results-heading"})
    if table is None:
        return []
    return [
        row.find_all("td")[3].get_text(" ", strip=True).split(" ", 1)[-1]
        for row in table.tbody.find_all("tr")
    ]


ANY_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def shown_as(person) -> str:
    """How the auditor's pages name a person: an opaque short reference, never a name."""
    return f"Person {str(person.id)[:8].upper()}"


def logged(action="view", *, actor=None, entity_id="x", when=None, **fields) -> AuditEvent:
    event = audit.record(action, actor=actor, entity_type="page", entity_id=entity_id, **fields)
    if when is not None:
        event.occurred_at = when
    db.session.flush()
    return event


def a_grant(person, *, user=None, minutes_ago=0) -> BreakGlassGrant:
    user = user or UserFactory(role="keyworker")
    grant = BreakGlassGrant(
        user_id=user.id,
        organisation_id=user.organisation_id,
        person_id=person.id,
        reason="Presented at A&E unconscious; needed the OST dose",
        expires_at=utcnow() + timedelta(hours=1),
    )
    grant.created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.add(grant)
    db.session.flush()
    return grant


@pytest.fixture
def auditor(sign_in):
    return sign_in("auditor")


@pytest.fixture
def prison():
    return OrganisationFactory(kind="prison", name="HMP Testbury")


@pytest.fixture
def person(prison):
    return person_in_custody_at(
        prison,
        given_name="Ermintrude",
        family_name="Quaglino",
        nhs_number="9997654323",
        prison_number="A9876ZZ",
    )


# Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.AUDITOR}))
def test_only_auditors_reach_the_auditors_pages(sign_in, role):
    client, _ = sign_in(role)
    for url in ("/audit/", "/audit/break-glass", "/audit/subject-access"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert [(r.action, r.outcome) for r in audit_rows(response)] == [("deny", "denied")]


def test_the_export_and_review_posts_are_refused_without_permission(sign_in, person):
    client, _ = sign_in("prison_healthcare")
    token = csrf_token(client, "/people/find")
    grant = a_grant(person)
    db.session.commit()
    for url in ("/audit/export", f"/audit/break-glass/{grant.id}", "/audit/subject-access"):
        response = client.post(url, data={**SEARCH, "verdict": "appropriate", "csrf_token": token})
        assert response.status_code == 403, url
        assert b"attachment" not in response.headers.get("Content-Disposition", "").encode()
    assert db.session.scalar(select(func.count()).select_from(BreakGlassReview)) == 0


# The log page --------------------------------------------------------------------------------


def test_the_log_page_is_one_list_row_and_shows_newest_first(auditor):
    client, _ = auditor
    for number in range(3):
        logged(entity_id=f"row-{number}")
    db.session.commit()
    response = client.get("/audit/")
    soup = soup_of(response)
    (row,) = audit_rows(response)
    assert (row.action, row.purpose, row.entity_type) == ("list", "audit", "audit_event")
    shown = result_records(soup)
    assert row.detail["rows"] == len(shown)
    assert shown[:3] == ["row-2", "row-1", "row-0"]
    menu = {a.get_text(strip=True): a["href"] for a in soup.select(".govuk-service-navigation a")}
    assert menu["Audit log"] == "/audit/"


def test_break_glass_comes_first_awaiting_review_first_with_verdicts(auditor, person):
    client, auditor_user = auditor
    reviewed = a_grant(person, minutes_ago=5)
    waiting = a_grant(person, minutes_ago=60)
    db.session.add(
        BreakGlassReview(grant_id=reviewed.id, reviewer_id=auditor_user.id, verdict="follow_up")
    )
    db.session.commit()
    soup = page(client, "/audit/")
    headings = [h.get_text(strip=True) for h in soup.find_all("h2")]
    assert headings.index("Break-glass access") < headings.index("Search the log")
    table = soup.find("table", {"aria-labelledby": "break-glass-heading"})
    rows = table.tbody.find_all("tr")
    assert "Awaiting review" in rows[0].get_text()
    assert shown_as(person) in rows[0].get_text()
    assert str(person.id) not in rows[0].get_text()
    assert "Needs follow-up" in rows[1].get_text()
    assert auditor_user.email in rows[1].get_text()
    links = [a["href"] for a in table.find_all("a")]
    assert links == [f"/audit/break-glass/{waiting.id}", f"/audit/break-glass/{reviewed.id}"]
    assert "2 grants" in soup.get_text() and "1 of 2" in soup.get_text()


def test_the_break_glass_list_pages_and_is_one_list_row(auditor, person):
    client, _ = auditor
    for minutes in range(25):
        a_grant(person, minutes_ago=minutes)
    db.session.commit()
    response = client.get("/audit/break-glass")
    soup = soup_of(response)
    rows = soup.find("table", {"aria-labelledby": "break-glass-heading"}).tbody.find_all("tr")
    assert len(rows) == 20
    assert [(r.action, r.purpose, r.detail["rows"]) for r in audit_rows(response)] == [
        ("list", "audit", 20)
    ]
    second = soup_of(client.get("/audit/break-glass?page=2"))
    assert len(second.find("table").tbody.find_all("tr")) == 5
    assert soup_of(client.get("/audit/break-glass?page=zzz")).h1.get_text() == "Break-glass access"


# Searching -----------------------------------------------------------------------------------


def test_search_by_user_email(auditor):
    client, _ = auditor
    one, other = UserFactory(role="keyworker"), UserFactory(role="keyworker")
    logged(actor=one, entity_id="by-one")
    logged(actor=other, entity_id="by-other")
    db.session.commit()
    response = search(client, email=one.email.upper())
    assert result_records(soup_of(response)) == ["by-one"]
    (row,) = audit_rows(response)
    assert (row.action, row.purpose) == ("search", "audit")
    assert row.detail == {"rows": 1, "page": 1, "break_glass": 0, "by": ["user"]}
    assert one.email not in json.dumps(row.detail)


@pytest.mark.parametrize(
    ("field", "value"), [("nhs_number", "999 765 4323"), ("prison_number", "a9876zz")]
)
def test_search_by_person_identifier_through_the_blind_index(auditor, person, field, value):
    client, _ = auditor
    logged(person_id=person.id, entity_id="about-them")
    logged(entity_id="about-no-one")
    db.session.commit()
    token = csrf_token(client, "/audit/")
    response = client.post("/audit/", data={**SEARCH, field: value, "csrf_token": token})
    soup = soup_of(response)
    assert result_records(soup) == ["about-them"]
    assert shown_as(person) in soup.get_text() and str(person.id) not in soup.get_text()
    (row,) = audit_rows(response)
    assert (row.action, row.person_id) == ("search", person.id)
    assert "9997654323" not in json.dumps(row.detail) and "A9876ZZ" not in json.dumps(row.detail)
    form = soup.find("form", {"aria-labelledby": "search-heading"})
    assert form["method"] == "post" and "?" not in form["action"]


def test_search_by_organisation_action_and_outcome(auditor):
    client, _ = auditor
    here, there = UserFactory(role="keyworker"), UserFactory(role="probation")
    logged("view", actor=here, entity_id="here-view")
    logged("deny", actor=here, entity_id="here-deny", outcome="denied")
    logged("view", actor=there, entity_id="there-view")
    db.session.commit()
    organisation = str(here.organisation_id)
    assert result_records(soup_of(search(client, organisation=organisation))) == [
        "here-deny",
        "here-view",
    ]
    assert result_records(soup_of(search(client, organisation=organisation, action="view"))) == [
        "here-view"
    ]
    assert result_records(soup_of(search(client, action="deny", outcome="denied"))) == ["here-deny"]


def test_search_by_date_range_in_uk_dates(auditor):
    client, _ = auditor
    user = UserFactory(role="keyworker")
    # 23:30 UTC on 30 June is 00:30 on 1 July in the UK (BST).
    logged(actor=user, entity_id="june", when=datetime(2025, 6, 29, 12, tzinfo=UTC))
    logged(actor=user, entity_id="july-uk", when=datetime(2025, 6, 30, 23, 30, tzinfo=UTC))
    logged(actor=user, entity_id="august", when=datetime(2025, 8, 2, 12, tzinfo=UTC))
    db.session.commit()
    july = search(
        client, email=user.email, date_from=["1", "7", "2025"], date_to=["31", "7", "2025"]
    )
    assert result_records(soup_of(july)) == ["july-uk"]
    until_july = search(client, email=user.email, date_to=["1", "7", "2025"])
    assert result_records(soup_of(until_july)) == ["july-uk", "june"]
    assert audit_rows(until_july)[0].detail["by"] == ["user", "to"]


def test_results_are_paged_newest_first_with_post_buttons(auditor):
    client, _ = auditor
    user = UserFactory(role="keyworker")
    for number in range(55):
        logged(actor=user, entity_id=f"n{number:02d}")
    db.session.commit()
    first = soup_of(search(client, email=user.email))
    shown = result_records(first)
    assert shown == [f"n{number:02d}" for number in range(54, 4, -1)]
    assert "55 events" in first.get_text()
    button = first.find("button", {"name": "page"})
    assert button.get_text(strip=True) == "Next page" and button["value"] == "2"
    assert button.find_parent("form")["method"] == "post"
    second = search(client, email=user.email, page="2")
    assert result_records(soup_of(second)) == [f"n{number:02d}" for number in range(4, -1, -1)]
    assert audit_rows(second)[0].detail["page"] == 2
    for forged in ("-3", "abc", "9" * 30):
        assert search(client, email=user.email, page=forged).status_code == 200


@pytest.mark.parametrize(
    ("criteria", "field", "message"),
    [
        ({"nhs_number": "1234567890"}, "nhs_number", "Enter a valid NHS number"),
        ({"nhs_number": "999 000 0018"}, "nhs_number", "No one with this NHS number"),
        ({"prison_number": "not one"}, "prison_number", "Enter a prison number"),
        ({"prison_number": "Z0000ZZ"}, "prison_number", "No one with this prison number"),
        ({"email": "nobody@test.caseflow.test"}, "email", "No member of staff has this email"),
        ({"email": "x" * 300}, "email", "254 characters or fewer"),
        ({"date_from": ["31", "2", "2025"]}, "date_from", "Date from must be a real date"),
        ({"date_from": ["1", "", "2025"]}, "date_from", "Date from must include a month"),
        ({"date_to": ["1", "1", "25"]}, "date_to", "Date to must be a real date"),
        (
            {"date_from": ["2", "1", "2025"], "date_to": ["1", "1", "2025"]},
            "date_to",
            "must be the same as or after",
        ),
        ({"organisation": "not-a-uuid"}, "organisation", "Not a valid choice"),
        ({"action": "'; DROP TABLE audit_events; --"}, "action", "Not a valid choice"),
        ({"outcome": "\x00\u202e"}, "outcome", "Not a valid choice"),
    ],
)
def test_bad_search_input_is_a_message_beside_the_field(auditor, criteria, field, message):
    client, _ = auditor
    response = search(client, **criteria)
    soup = soup_of(response)
    assert any(message in text for text in error_messages(soup)), error_messages(soup)
    summary = soup.select_one(".govuk-error-summary")
    assert summary is not None and message in summary.get_text()
    assert soup.title.get_text().startswith("Error:")
    assert result_records(soup) == []
    (row,) = audit_rows(response)
    assert (row.action, row.purpose) == ("search", "audit")
    assert row.detail["problems"] == [field]


def test_an_identifier_belonging_to_another_person_is_refused(auditor, person, prison):
    client, _ = auditor
    other = person_in_custody_at(prison, nhs_number="9990000026")
    db.session.commit()
    response = search(client, nhs_number=other.nhs_number, prison_number="A9876ZZ")
    assert "belongs to a different person" in " ".join(error_messages(soup_of(response)))


# Auditors see references, never names, clinical fields, ids or JSON ---------------------------


def test_no_name_identifier_or_clinical_value_reaches_the_auditors_pages(auditor, person):
    client, _ = auditor
    grant = a_grant(person)
    logged(person_id=person.id, entity_id=str(person.id))
    db.session.commit()
    pages = [
        client.get("/audit/").data,
        client.get("/audit/break-glass").data,
        search(client, nhs_number="9997654323").data,
    ]
    for html in pages:
        text = BeautifulSoup(html, "html.parser").get_text()
        assert shown_as(person) in text
        assert not ANY_UUID.search(text), ANY_UUID.search(text)
        assert "{" not in text and '":' not in text  # no JSON
        for value in ("Ermintrude", "Quaglino", "27 March 1985", "1985-03-27", "ethadone"):
            assert value not in text, value
        assert "9997654323" not in text and "999 765 4323" not in text
    assert str(grant.id) in pages[0].decode()


# Break-glass review ------------------------------------------------------------------------------


def test_a_verdict_is_recorded_beside_earlier_ones_and_audited(auditor, person):
    client, auditor_user = auditor
    grant = a_grant(person)
    db.session.commit()
    url = f"/audit/break-glass/{grant.id}"
    viewed = client.get(url)
    soup = soup_of(viewed)
    assert "needed the OST dose" in soup.get_text()
    assert [(r.action, r.purpose, r.person_id) for r in audit_rows(viewed)] == [
        ("view", "audit", person.id)
    ]
    first = post_form(client, url, {"verdict": "follow_up", "note": "Ask the ward"})
    assert first.status_code == 302 and first.headers["Location"] == url
    (row,) = audit_rows(first)
    assert (row.action, row.entity_type, row.person_id) == (
        "create",
        "break_glass_review",
        person.id,
    )
    assert "Ask the ward" not in json.dumps(row.detail)
    second = post_form(client, url, {"verdict": "appropriate", "note": ""})
    assert second.status_code == 302
    reviews = db.session.scalars(
        select(BreakGlassReview).order_by(BreakGlassReview.created_at)
    ).all()
    assert [(r.verdict, r.note, r.reviewer_id) for r in reviews] == [
        ("follow_up", "Ask the ward", auditor_user.id),
        ("appropriate", None, auditor_user.id),
    ]
    assert reviews[0]._note != "Ask the ward" and reviews[0]._note.startswith("v1.")
    text = page(client, url).get_text()
    assert "Needs follow-up" in text and "Appropriate" in text and "Ask the ward" in text


def test_a_verdict_form_without_a_verdict_is_a_message(auditor, person):
    client, _ = auditor
    grant = a_grant(person)
    db.session.commit()
    url = f"/audit/break-glass/{grant.id}"
    for data in ({}, {"verdict": "fine by me"}, {"verdict": "appropriate", "note": "x" * 1001}):
        response = post_form(client, url, data)
        assert response.status_code == 200
        assert error_messages(soup_of(response)), data
    assert db.session.scalar(select(func.count()).select_from(BreakGlassReview)) == 0


def test_an_unknown_grant_is_404_and_a_denial(auditor):
    client, _ = auditor
    response = client.get("/audit/break-glass/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert [(r.action, r.entity_type) for r in audit_rows(response)] == [
        ("deny", "break_glass_grant")
    ]


# Export ------------------------------------------------------------------------------------------


def export(client, **criteria):
    token = csrf_token(client, "/audit/")
    return client.post("/audit/export", data={**SEARCH, **criteria, "csrf_token": token})


def test_the_export_is_the_search_as_csv_with_formulae_defused_and_one_audit_row(auditor):
    client, _ = auditor
    user = UserFactory(role="keyworker")
    dangerous = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tTAB", "\rCR", "plain", "'quoted"]
    for value in dangerous:
        logged(actor=user, entity_id=value)
    logged(entity_id="someone else's")
    db.session.commit()
    response = export(client, email=user.email)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, rows = table[0], table[1:]
    assert header[:4] == ["id", "occurred_at_utc", "user_id", "user_email"]
    records = [row[header.index("entity_id")] for row in rows]
    assert records == [
        "'quoted",
        "plain",
        "'\rCR",
        "'\tTAB",
        "'@cmd",
        "'-2",
        "'+SUM(A1)",
        "'=1+1",
    ]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert {row[header.index("user_email")] for row in rows} == {user.email}
    (row,) = audit_rows(response)
    assert (row.action, row.purpose, row.entity_type) == ("export", "audit", "audit_event")
    assert row.detail == {"rows": 8, "format": "csv", "by": ["user"]}


def test_an_export_of_bad_criteria_shows_the_search_page_with_messages(auditor):
    client, _ = auditor
    response = export(client, email="nobody@test.caseflow.test")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "No member of staff has this email address" in error_messages(soup_of(response))
    assert [r.action for r in audit_rows(response)] == ["search"]


def test_a_long_export_is_read_in_batches(auditor, monkeypatch):
    from caseflow.auditor import log

    monkeypatch.setattr(log, "EXPORT_BATCH", 3)
    client, _ = auditor
    user = UserFactory(role="keyworker")
    for number in range(10):
        logged(actor=user, entity_id=f"e{number}")
    db.session.commit()
    response = export(client, email=user.email)
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1:]
    assert [line[9] for line in lines] == [f"e{number}" for number in range(9, -1, -1)]
    assert audit_rows(response)[0].detail["rows"] == 10


def test_the_review_page_searches_what_the_member_of_staff_did_during_the_access(auditor, person):
    client, _ = auditor
    keyworker = UserFactory(role="keyworker")
    grant = a_grant(person, user=keyworker)
    logged(actor=keyworker, person_id=person.id, entity_id="during-the-access")
    logged(actor=UserFactory(role="keyworker"), entity_id="someone-else")
    db.session.commit()
    soup = page(client, f"/audit/break-glass/{grant.id}")
    form = soup.find("form", {"action": "/audit/"})
    data: dict = {}
    for field in form.find_all("input"):
        data.setdefault(field["name"], []).append(field["value"])
    assert data["email"] == [keyworker.email] and data["grant"] == [str(grant.id)]
    response = client.post("/audit/", data=data)
    assert result_records(soup_of(response)) == ["during-the-access"]
