"""Plausible dates and times as people type them (issue 9, "Dates and words that make sense").

The ranges are the rules stated in the issue and GOV.UK's wording: a date of birth is in the
past and the person is at least 16; an expected release is within the next 5 years; a last dose
is not in the future, nor after the release; appointments are at most about a year ahead, and an
in-reach appointment before release is normal. Expected values are worked out from a fixed
"today" (1 December 2026), not read from the ranges under test.
"""

from datetime import date, time

import pytest
from werkzeug.datastructures import MultiDict

from caseflow.dates import parse_time
from caseflow.forms import (
    APPOINTMENT_DATE,
    DATE_OF_BIRTH,
    EXPECTED_RELEASE_DATE,
    LAST_DOSE_DATE,
    RECEPTION_DATE,
    RELEASE_DATE,
    TREATMENT_START_DATE,
)
from caseflow.referrals.forms import AppointmentForm, ReferralForm

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("plausible", "day", "problem"),
    [
        # Date of birth: in the past, at least 16 (1 December 2010 is the 16th birthday).
        (DATE_OF_BIRTH, date(2026, 11, 30), "in the past and the person must be at least 16"),
        (DATE_OF_BIRTH, date(2010, 12, 2), "in the past and the person must be at least 16"),
        (DATE_OF_BIRTH, date(2010, 12, 1), None),
        (DATE_OF_BIRTH, date(1970, 5, 17), None),
        (DATE_OF_BIRTH, date(1850, 1, 1), "the same as or after 1 December 1916"),
        # Expected release: within the next 5 years (or the last year, entered late).
        (EXPECTED_RELEASE_DATE, date(2999, 1, 1), "within the next 5 years"),
        (EXPECTED_RELEASE_DATE, date(2031, 12, 2), "within the next 5 years"),
        (EXPECTED_RELEASE_DATE, date(2031, 12, 1), None),
        (EXPECTED_RELEASE_DATE, TODAY, None),
        (EXPECTED_RELEASE_DATE, date(2026, 11, 30), None),
        (EXPECTED_RELEASE_DATE, date(2025, 11, 30), "within the last year or the next 5 years"),
        # Last dose, release and treatment start: not in the future, within the last year.
        (LAST_DOSE_DATE, date(2026, 12, 2), "today or in the past"),
        (LAST_DOSE_DATE, TODAY, None),
        (LAST_DOSE_DATE, date(2025, 11, 30), "within the last year"),
        (RELEASE_DATE, date(2026, 12, 2), "today or in the past"),
        (RELEASE_DATE, date(2026, 6, 1), None),
        (TREATMENT_START_DATE, date(2026, 12, 2), "today or in the past"),
        (TREATMENT_START_DATE, date(2026, 11, 20), None),
        (RECEPTION_DATE, date(2026, 12, 2), "today or in the past"),
        (RECEPTION_DATE, date(2010, 3, 4), None),
        # Appointments: at most a year ahead; past ones (in-reach, recorded late) within a year.
        (APPOINTMENT_DATE, date(2029, 6, 1), "within the next year"),
        (APPOINTMENT_DATE, date(2027, 12, 2), "within the next year"),
        (APPOINTMENT_DATE, date(2027, 11, 1), None),
        (APPOINTMENT_DATE, date(2026, 10, 1), None),
    ],
)
def test_each_date_has_a_plausible_range_and_says_what_is_allowed(plausible, day, problem):
    said = plausible.problem(day, TODAY)
    if problem is None:
        assert said is None
    else:
        assert said is not None and said.endswith(problem), said


@pytest.mark.parametrize(
    "plausible",
    [
        DATE_OF_BIRTH,
        RECEPTION_DATE,
        EXPECTED_RELEASE_DATE,
        RELEASE_DATE,
        LAST_DOSE_DATE,
        TREATMENT_START_DATE,
        APPOINTMENT_DATE,
    ],
)
def test_the_hint_example_is_a_date_the_field_takes(plausible):
    assert plausible.problem(plausible.example(TODAY), TODAY) is None


def test_a_date_of_birth_hint_reads_like_gov_uks_example():
    # 16 years before 1 December 2026 is 2010; three years older reads as GOV.UK's own example.
    assert DATE_OF_BIRTH.example(TODAY) == date(2007, 3, 27)


def _posted(app, form_class, data: dict, **kwargs):
    with app.test_request_context(method="POST", data=MultiDict(data)):
        form = form_class(meta={"csrf": False}, **kwargs)
        form.validate()
        return form


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_a_form_refuses_a_date_outside_its_range_beside_the_field(app):
    from caseflow.dates import local_today, years_before

    in_three_years = years_before(local_today(), -3)
    data = MultiDict([("appointment_date", part) for part in _parts(in_three_years)])
    with app.test_request_context(method="POST", data=data):
        form = AppointmentForm(meta={"csrf": False}, subject=None)
        form.validate()
    assert form.appointment_date.errors == ["Date of appointment must be within the next year"]


def test_a_last_dose_after_the_release_is_refused(app):
    released = date(2026, 11, 20)
    data = MultiDict([("last_dose_date", part) for part in ["21", "11", "2026"]])
    with app.test_request_context(method="POST", data=data):
        form = ReferralForm(meta={"csrf": False}, released_on=released)
        form.validate()
    assert form.last_dose_date.errors == [
        "Date of last dose in custody must be the same as or before the date of release, "
        "20 November 2026"
    ]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("9:30", time(9, 30)),
        ("09:30", time(9, 30)),
        ("9.30", time(9, 30)),
        ("9.30am", time(9, 30)),
        ("9:30 AM", time(9, 30)),
        ("9.30 a.m.", time(9, 30)),
        ("2pm", time(14, 0)),
        ("2 pm", time(14, 0)),
        ("2:15pm", time(14, 15)),
        ("14:00", time(14, 0)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("12:30am", time(0, 30)),
        ("noon", time(12, 0)),
        ("midnight", time(0, 0)),
        ("23:59", time(23, 59)),
        ("  10:30 ", time(10, 30)),
    ],
)
def test_a_time_is_read_as_people_write_it(typed, meant):
    assert parse_time(typed) == meant


@pytest.mark.parametrize(
    "typed",
    ["9", "14", "24:00", "9:60", "13pm", "0am", "9m", "half nine", "", "٩:٣٠", "9:30:00", "9.5"],
)
def test_what_is_not_a_time_is_not_taken(typed):
    # A bare hour could be morning or evening; the rest are not times of day.
    assert parse_time(typed) is None


@pytest.mark.parametrize(("typed", "kept"), [("9.30am", "09:30"), ("2pm", "14:00"), ("", None)])
def test_the_appointment_time_is_kept_on_the_24_hour_clock(app, typed, kept):
    form = _posted(
        app,
        AppointmentForm,
        {"appointment_date": "", "appointment_time": typed},
        subject=None,
    )
    assert form.appointment_time.data == kept
    assert form.appointment_time.errors == []


def test_a_time_that_is_not_one_says_how_to_write_it(app):
    form = _posted(app, AppointmentForm, {"appointment_time": "half nine"}, subject=None)
    assert form.appointment_time.errors == ["Enter a time like 9:30am, 2pm or 14:00"]


def test_a_date_of_birth_of_yesterday_is_refused_when_adding_a_person(sign_in):
    from datetime import timedelta

    from bs4 import BeautifulSoup

    from caseflow.dates import local_today
    from tests.helpers import error_messages, post_form

    client, _ = sign_in("probation")
    yesterday = local_today() - timedelta(days=1)
    person = {
        "given_name": "Tamsin",
        "family_name": "Ravenscroft",
        "date_of_birth": _parts(yesterday),
        "sex": "female",
        "ethnic_group": "white",
    }
    response = post_form(client, "/people/new", person)
    assert response.status_code == 200
    assert error_messages(BeautifulSoup(response.data, "html.parser")) == [
        "Date of birth must be in the past and the person must be at least 16"
    ]
