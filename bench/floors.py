"""The SQL floors of the keyworker's worklist and of finding a person: for each, one hand-written
query returning what the page shows, timed on the app's own connection pool in the same rounds
as the page (PERFORMANCE.md: a worklist at most 5x its SQL floor, find at most 20x).

A floor reads the rows and nothing else: no scope rule, no decryption, no drawing, no audit row.
Before it is timed, each floor is checked against the page: the worklist's query must name the
same people in the same order as the page's first page, and each find query must find the one
person the page finds.
"""

import re
import time
from collections.abc import Callable

from sqlalchemy import text

from caseflow.extensions import db

PAGE_SIZE = 25

# The keyworker's accepted referrals, page 1, in the list's order (the earliest release first,
# not yet released last), with what a row shows and the list's total.
ACCEPTED_PAGE = text(
    """
    SELECT r.person_id, p.given_name, p.family_name, p.prison_number,
           e.expected_release_date, e.actual_release_date, e.release_type,
           e.destination_local_authority_code, r.status, r.treatment_start_date,
           o.name AS referred_by, count(*) OVER () AS listed
    FROM referrals r
    JOIN custody_episodes e ON e.id = r.episode_id
    JOIN people p ON p.id = r.person_id
    JOIN organisations o ON o.id = r.referring_organisation_id
    WHERE r.provider_id = :provider AND r.status = 'accepted'
    ORDER BY e.actual_release_date IS NULL, e.actual_release_date, e.expected_release_date, r.id
    LIMIT :rows
    """
)

FIND_BY = {
    "nhs_number": text(
        "SELECT id, given_name, family_name, date_of_birth, nhs_number, prison_number"
        " FROM people WHERE nhs_number_index = :index"
    ),
    "prison_number": text(
        "SELECT id, given_name, family_name, date_of_birth, nhs_number, prison_number"
        " FROM people WHERE prison_number_index = :index"
    ),
}

PERSON_LINK = re.compile(r'href="/people/([0-9a-f-]{36})"')
TABLE_BODY = re.compile(r'<tbody class="govuk-table__body">(.*?)</tbody>', re.DOTALL)


class FloorMismatch(RuntimeError):
    """A floor does not return what its page shows, so it would not be its floor."""


def _timed(app, call: Callable[[], object]) -> float:
    with app.app_context():
        started = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - started) * 1000
        db.session.rollback()
        return elapsed


def accepted_page(provider_id) -> list:
    return db.session.execute(ACCEPTED_PAGE, {"provider": provider_id, "rows": PAGE_SIZE + 1}).all()


def check_same_people(page_html: str, rows: list) -> None:
    """The floor's rows are the page's: the same people, in the same order."""
    body = TABLE_BODY.search(page_html)
    shown = PERSON_LINK.findall(body.group(1)) if body else []
    listed = [str(row.person_id) for row in rows[:PAGE_SIZE]]
    if not shown or shown != listed:
        raise FloorMismatch("the worklist's SQL floor lists other people than the page")


def worklist_arm(app, page_html: str, provider_id) -> Callable[[int], float]:
    """The keyworker list's floor, after checking it lists the page's people in its order."""
    with app.app_context():
        rows = accepted_page(provider_id)
        db.session.rollback()
    check_same_people(page_html, rows)
    return lambda _i: _timed(app, lambda: accepted_page(provider_id))


def find_arm(app, identifier: str, people: list, index_of) -> Callable[[int], float]:
    """Finding by identifier, as SQL by the blind index (worked out before the clock starts),
    the same person each round as the page's round; checked on the first of them."""
    statement = FIND_BY[identifier]
    with app.app_context():
        indexes = [index_of(person) for person in people]
        found = db.session.execute(statement, {"index": indexes[0]}).all()
        db.session.rollback()
    if [row.id for row in found] != [people[0].person_id]:
        raise FloorMismatch(f"the SQL floor for find by {identifier} finds someone else")
    return lambda i: _timed(app, lambda: db.session.execute(statement, {"index": indexes[i]}).all())
