"""The auditor's searches of the log, timed: one user's and one person's events over 30 days.

Each is timed two ways: the whole request (POST /audit/ as an auditor: the form, the email or
NHS number looked up, the count up to its limit, the first page of 50 with names, the page's own
audit row and commit, the template), and the hand-written SQL the search cannot do without (the
same lookup, the count up to the same limit and the same page of rows, joined to the same
names). The ratio of the two says what the app adds; the SQL's own time says what the database
needs. Before timing, the service's page and the SQL must name the same rows.

Who is searched for. The user: a busy one, at the 90th percentile of the staff by rows in the
last 30 days (not the busiest: the figure is for a typical heavy user). The person: of those with
an NHS number, the one the most rows of the last 30 days name.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text

from caseflow.auditor import log
from caseflow.dates import local_today, start_of_day
from caseflow.extensions import db
from caseflow.people.identifiers import compact
from caseflow.security.crypto import blind_index

FIGURE = (
    "audit search by user",
    "audit search by user SQL",
    "audit search by person",
    "audit search by person SQL",
)
DAYS = 30

_MATCHED = """
    {lookup}
SELECT count(*) FROM (
    SELECT 1 FROM audit_events, who
    WHERE audit_events.{column} = who.id
      AND occurred_at >= :since AND occurred_at < :until
    LIMIT :count_up_to
) AS matched
"""
_PAGE = """
    {lookup}
SELECT audit_events.*, users.email, organisations.name, users.display_name
FROM audit_events
JOIN who ON audit_events.{column} = who.id
LEFT JOIN users ON users.id = audit_events.user_id
LEFT JOIN organisations ON organisations.id = audit_events.organisation_id
WHERE occurred_at >= :since AND occurred_at < :until
ORDER BY audit_events.id DESC
LIMIT :page_rows
"""
LOOKUPS = {
    "user_id": "WITH who AS (SELECT id FROM users WHERE email = :key)",
    "person_id": "WITH who AS (SELECT id FROM people WHERE nhs_number_index = :key)",
}


@dataclass(frozen=True)
class Search:
    """One search: what the auditor types, and who it finds."""

    label: str
    column: str  # user_id or person_id
    typed: dict  # the form's field and what is typed into it
    recent_rows: int  # rows naming them in the last 30 days, as generated

    def statements(self) -> tuple[str, str]:
        lookup = LOOKUPS[self.column]
        return (
            _MATCHED.format(lookup=lookup, column=self.column),
            _PAGE.format(lookup=lookup, column=self.column),
        )


@dataclass(frozen=True)
class Searches:
    user: Search
    person: Search

    @classmethod
    def choose(cls, history, world, identities) -> "Searches":
        emails = {staff.user_id: staff.email for staff in world.everyone}
        busy = sorted(emails, key=lambda user_id: (history.recent_users[user_id], str(user_id)))
        user_id = busy[int(0.9 * (len(busy) - 1))]
        with_nhs = {i.person_id: i.nhs_number for i in identities if i.nhs_number}
        person_id = max(
            with_nhs, key=lambda person_id: (history.recent_people[person_id], str(person_id))
        )
        return cls(
            user=Search(
                "user", "user_id", {"email": emails[user_id]}, history.recent_users[user_id]
            ),
            person=Search(
                "person",
                "person_id",
                {"nhs_number": with_nhs[person_id]},
                history.recent_people[person_id],
            ),
        )


def window(today: date) -> tuple[date, date]:
    """The last 30 days, today included: the dates the auditor types."""
    return today - timedelta(days=DAYS - 1), today


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _parameters(search: Search, first: date, last: date) -> dict:
    if search.column == "user_id":
        key = search.typed["email"]
    else:
        key = blind_index("nhs_number", compact(search.typed["nhs_number"]))
    return {
        "key": key,
        "since": start_of_day(first),
        "until": start_of_day(last + timedelta(days=1)),
        "count_up_to": log.COUNT_LIMIT + 1,
        "page_rows": log.PAGE_SIZE + 1,
    }


def floor(search: Search, parameters: dict) -> tuple[int, list[int]]:
    """The hand-written SQL: how many rows match (up to the limit), and the first page's ids."""
    matched, page = search.statements()
    count = db.session.execute(text(matched), parameters).scalar()
    ids = [row.id for row in db.session.execute(text(page), parameters)]
    db.session.rollback()
    return count, ids


def _through_service(search: Search, first: date, last: date) -> tuple[int, list[int]]:
    filters = log.log_filters(**search.typed, date_from=first, date_to=last)
    shown = log.log_page(filters, 1, searched=True)
    ids = [row.event.id for row in shown.rows]
    db.session.rollback()
    return shown.total, ids


def _expected_words(count: int) -> str:
    if count > log.COUNT_LIMIT:
        return f"More than {log.COUNT_LIMIT:,} events"
    return f"{count:,} {'event' if count == 1 else 'events'}, newest first"


def arms(app, auditor_client, searches: Searches, timed_request, token: str) -> dict[str, Callable]:
    """Both searches, through the page and as SQL, after checking they find the same rows."""
    first, last = window(local_today())
    found = {}
    for search in (searches.user, searches.person):
        with app.app_context():
            parameters = _parameters(search, first, last)
            service, sql = _through_service(search, first, last), floor(search, parameters)
        count, ids = sql
        if service != (min(count, log.COUNT_LIMIT + 1), ids[: log.PAGE_SIZE]) or not ids:
            raise RuntimeError(f"audit search by {search.label}: the page and the SQL differ")
        found[search.label] = (search, parameters, count)

    def page(search: Search, count: int) -> Callable[[int], float]:
        form = {
            **search.typed,
            "date_from": _parts(first),
            "date_to": _parts(last),
            "csrf_token": token,
        }
        # Each search of a person writes a row naming them (the auditor's own), so their count
        # grows by one a request; a user's stays as it was.
        expect = _expected_words(count) if search.column == "user_id" else "events, newest first"
        return lambda _i: timed_request(auditor_client, "POST", "/audit/", data=form, expect=expect)

    def sql(search: Search, parameters: dict) -> Callable[[int], float]:
        def run(_i) -> float:
            with app.app_context():
                started = time.perf_counter()
                floor(search, parameters)
                return (time.perf_counter() - started) * 1000

        return run

    timed = {}
    for label, (search, parameters, count) in found.items():
        timed[f"audit search by {label}"] = page(search, count)
        timed[f"audit search by {label} SQL"] = sql(search, parameters)
    return timed


def matched(size_searches: Searches, app) -> dict[str, int]:
    """How many rows each search matches (up to the page's count limit, plus one)."""
    first, last = window(local_today())
    counts = {}
    with app.app_context():
        for search in (size_searches.user, size_searches.person):
            counts[search.label] = floor(search, _parameters(search, first, last))[0]
    return counts
