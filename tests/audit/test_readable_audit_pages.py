"""The auditor's pages in words a person can read (issue 9): actions, records, purposes and
outcomes by their labels, times in UK time, staff and organisations by name, a person by an
opaque reference, the detail as sentences; and a break-glass review's search covers the grant's
hour, not its whole day."""

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup

from caseflow.audit import services as audit
from caseflow.audit.catalogue import Action
from caseflow.extensions import db
from caseflow.people.models import BreakGlassGrant
from tests.audit.test_auditor_pages import ANY_UUID, SEARCH, shown_as
from tests.factories import UserFactory, person_in_custody_at
from tests.helpers import csrf_token, page, post_form

# 23:30 UTC on 30 June 2025 is 00:30 on 1 July in the UK (BST).
MIDNIGHT_IN_SUMMER = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)


def results(html) -> list[list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table", {"aria-labelledby": "results-heading"})
    if table is None:
        return []
    return [
        [" ".join(td.get_text(" ", strip=True).split()) for td in row.find_all("td")]
        for row in table.tbody.find_all("tr")
    ]


def logged(action, *, when, **fields):
    event = audit.record(action, **fields)
    event.occurred_at = when
    db.session.flush()
    return event


def test_a_row_reads_in_words(app, sign_in):
    client, _ = sign_in("auditor")
    keyworker = UserFactory(role="keyworker", display_name="Kit Worker")
    person = person_in_custody_at(UserFactory(role="prison_healthcare").organisation)
    logged(
        "update",
        when=MIDNIGHT_IN_SUMMER,
        actor=keyworker,
        entity_type="referral",
        entity_id=str(person.id),
        person_id=person.id,
        purpose="referral",
        detail={"fields": ["contact_after_release", "risks"], "facts": {"start": "2025-06-02"}},
    )
    db.session.commit()
    data = {**SEARCH, "email": keyworker.email}
    [row] = results(post_form(client, "/audit/", data).data)
    when, who, action, record, shown_person, outcome = row
    assert when.startswith("1 July 2025, 00:30")
    assert who.startswith(f"Kit Worker {keyworker.email} Keyworker, {keyworker.organisation.name}")
    assert action.startswith("Changed, for referral ")
    # Each detail a line of words (in the order the database keeps the keys).
    assert "Fields: contact after release, risks" in action
    assert "Facts: start 2 June 2025" in action
    assert record == f"Referral {str(person.id)[:8].upper()}"
    assert shown_person == shown_as(person)
    assert outcome == "Succeeded"
    assert not any(ANY_UUID.search(cell) for cell in row)


def test_the_action_filter_offers_the_catalogue_in_its_words(app, sign_in):
    client, _ = sign_in("auditor")
    soup = page(client, "/audit/")
    offered = {
        option["value"]: option.get_text(strip=True)
        for option in soup.select("select[name=action] option")
        if option["value"]
    }
    assert offered == {action.value: action.label for action in Action}
    assert offered["reauthenticate"] == "Confirmed their password"


def test_the_break_glass_search_covers_the_grants_hour_not_its_day(app, sign_in):
    client, _ = sign_in("auditor")
    keyworker = UserFactory(role="keyworker")
    person = person_in_custody_at(UserFactory(role="prison_healthcare").organisation)
    granted = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 in the UK
    grant = BreakGlassGrant(
        user_id=keyworker.id,
        organisation_id=keyworker.organisation_id,
        person_id=person.id,
        reason="Collapsed in reception",
        expires_at=granted + timedelta(hours=1),
    )
    grant.created_at = granted
    db.session.add(grant)
    for minutes, name in ((-30, "before"), (5, "during"), (55, "near-the-end"), (90, "after")):
        logged(
            "view",
            when=granted + timedelta(minutes=minutes),
            actor=keyworker,
            entity_type="page",
            entity_id=name,
        )
    db.session.commit()

    review = page(client, f"/audit/break-glass/{grant.id}")
    form = review.find("form", {"action": "/audit/"})
    data = {field["name"]: field["value"] for field in form.find_all("input")}
    response = client.post("/audit/", data=data)
    rows = results(response.data)
    assert [row[3] for row in rows] == ["Page near-the-end", "Page during"]
    soup = BeautifulSoup(response.data, "html.parser")
    assert (
        "during the break-glass access, from 1 July 2025, 10:00 to 1 July 2025, 11:00"
        in " ".join(soup.get_text().split())
    )

    # The next page of the same search keeps to the hour.
    next_page = post_form(client, "/audit/", {**SEARCH, "grant": str(grant.id), "page": "1"})
    assert [row[3] for row in results(next_page.data)] == ["Page near-the-end", "Page during"]


def test_a_forged_grant_finds_nothing(app, sign_in):
    client, _ = sign_in("auditor")
    token = csrf_token(client, "/audit/")
    response = client.post("/audit/", data={**SEARCH, "grant": "not-a-grant", "csrf_token": token})
    assert response.status_code == 404
