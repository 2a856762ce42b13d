"""Any input to the auditor's forms is answered with a page or a download, never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow.extensions import db
from tests.factories import PersonFactory
from tests.helpers import csrf_token

text = st.text(max_size=300)
digits = st.one_of(st.integers(min_value=-5, max_value=100_000).map(str), text)
date_boxes = st.lists(digits, min_size=0, max_size=4)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def auditor_client(sign_in):
    client, _ = sign_in("auditor")
    return client, csrf_token(client, "/audit/")


@FUZZ
@given(
    url=st.sampled_from(["/audit/", "/audit/export"]),
    email=st.one_of(st.emails(), text),
    nhs_number=st.one_of(st.sampled_from(["943 476 5919", "401 023 2137"]), text),
    prison_number=st.one_of(st.sampled_from(["A1234BC"]), text),
    organisation=text,
    action=st.one_of(st.sampled_from(["", "view", "export"]), text),
    outcome=st.one_of(st.sampled_from(["", "success", "denied"]), text),
    date_from=date_boxes,
    date_to=date_boxes,
    page=digits,
)
def test_any_log_search_is_answered_without_an_error(auditor_client, url, page, **fields):
    client, token = auditor_client
    response = client.post(url, data={**fields, "page": page, "csrf_token": token})
    assert response.status_code == 200
    response.get_data()


@FUZZ
@given(verdict=st.one_of(st.sampled_from(["appropriate", "follow_up"]), text), note=text)
def test_any_verdict_is_answered_without_an_error(auditor_client, verdict, note):
    from tests.audit.test_auditor_pages import a_grant

    client, token = auditor_client
    grant = a_grant(PersonFactory())
    db.session.commit()
    response = client.post(
        f"/audit/break-glass/{grant.id}",
        data={"verdict": verdict, "note": note, "csrf_token": token},
    )
    assert response.status_code in (200, 302)


@FUZZ
@given(
    nhs_number=st.one_of(st.sampled_from(["943 476 5919", ""]), text),
    prison_number=st.one_of(st.sampled_from(["A1234BC", ""]), text),
)
def test_any_subject_access_request_is_answered_without_an_error(
    auditor_client, nhs_number, prison_number
):
    client, token = auditor_client
    response = client.post(
        "/audit/subject-access",
        data={"nhs_number": nhs_number, "prison_number": prison_number, "csrf_token": token},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/audit/", "/audit/export"])
@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (["31", "12", "9999"], ["31", "12", "9999"]),
        (["1", "1", "2020"], ["31", "12", "9999"]),
        (["1", "1", "1900"], ["1", "1", "1900"]),
    ],
    ids=["last-day-there-is", "to-the-last-day", "first-day-accepted"],
)
def test_a_search_at_the_ends_of_the_calendar_is_answered(auditor_client, url, date_from, date_to):
    """Was a 500: the day after 31 12 9999, the end of a search "to" that date, does not exist."""
    client, token = auditor_client
    response = client.post(
        url, data={"date_from": date_from, "date_to": date_to, "csrf_token": token}
    )
    assert response.status_code == 200
    response.get_data()


def test_a_search_to_the_last_day_there_is_still_finds_todays_rows(auditor_client):
    client, token = auditor_client
    response = client.post(
        "/audit/export",
        data={
            "date_from": ["1", "1", "2020"],
            "date_to": ["31", "12", "9999"],
            "csrf_token": token,
        },
    )
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) > 1  # the header, and at least the auditor opening the log page
