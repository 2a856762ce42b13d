"""One date display: people read London dates and times; the auditor's pages read UTC.

Expected values are worked out by hand: British Summer Time in 2025 runs from 30 March to
26 October, so 23:30 UTC on 30 June is 00:30 on 1 July in London, and in January London is UTC.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from flask import render_template_string

from caseflow.dates import (
    display,
    display_date_time,
    display_time_on_date,
    display_utc,
    start_of_day,
)

SUMMER_NIGHT = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
WINTER_MORNING = datetime(2025, 1, 15, 9, 5, tzinfo=UTC)  # 09:05 in London too


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (date(2025, 7, 1), "1 July 2025"),
        (date(2024, 12, 25), "25 December 2024"),
        (SUMMER_NIGHT, "1 July 2025"),
        (SUMMER_NIGHT.replace(tzinfo=None), "1 July 2025"),  # as SQLite hands it back
        (WINTER_MORNING, "15 January 2025"),
        (None, ""),
    ],
)
def test_a_date_is_written_as_gov_uk_writes_it_and_a_moment_shows_its_london_date(value, shown):
    assert display(value) == shown


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (SUMMER_NIGHT, "1 July 2025, 00:30"),
        (SUMMER_NIGHT.replace(tzinfo=None), "1 July 2025, 00:30"),
        (WINTER_MORNING, "15 January 2025, 09:05"),
        (datetime(2025, 7, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))), "1 July 2025, 00:30"),
        (None, ""),
    ],
)
def test_a_moment_is_shown_in_london_time(moment, shown):
    assert display_date_time(moment) == shown


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2025, 6, 30, 13, 5, tzinfo=UTC), "2:05pm on 30 June 2025"),
        (SUMMER_NIGHT, "12:30am on 1 July 2025"),
        (datetime(2025, 1, 15, 12, 0, tzinfo=UTC), "12:00pm on 15 January 2025"),
        (WINTER_MORNING, "9:05am on 15 January 2025"),
    ],
)
def test_a_moment_in_a_sentence_uses_the_12_hour_clock_in_london(moment, shown):
    assert display_time_on_date(moment) == shown


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (
            datetime(2025, 7, 1, 0, 30, 5, tzinfo=timezone(timedelta(hours=1))),
            "2025-06-30 23:30:05",
        ),
        (SUMMER_NIGHT.replace(tzinfo=None), "2025-06-30 23:30:00"),
        (WINTER_MORNING, "2025-01-15 09:05:00"),
        (None, ""),
    ],
)
def test_the_auditors_pages_show_utc_to_the_second(moment, shown):
    assert display_utc(moment) == shown


def test_a_london_day_starts_at_its_london_midnight():
    assert start_of_day(date(2025, 7, 1)) == datetime(2025, 6, 30, 23, 0, tzinfo=UTC)
    assert start_of_day(date(2025, 1, 15)) == datetime(2025, 1, 15, 0, 0, tzinfo=UTC)


def test_the_template_filters_are_the_same_display(app):
    with app.test_request_context():
        shown = render_template_string(
            "{{ night | long_date }}|{{ night | date_time }}|{{ day | long_date }}|"
            "{{ nothing | long_date }}|{{ nothing | date_time }}",
            night=SUMMER_NIGHT,
            day=date(2025, 3, 9),
            nothing=None,
        )
    assert shown == "1 July 2025|1 July 2025, 00:30|9 March 2025||"
