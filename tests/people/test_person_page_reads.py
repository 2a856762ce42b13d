"""The person page reads a kind of record (a pathway's cases, referrals, case notes) only when
the person has any: the statement finding the person says which they have (caseflow/timeline.py
``held``). A count of statements, not a timing."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from caseflow.extensions import db
from caseflow.people.models import CaseNote
from caseflow.security.access import Role
from tests.factories import OrganisationFactory, UserFactory, person_in_custody_at
from tests.helpers import page, signed_in_client

# Each kind's table, as a statement reading its rows names it first.
TABLES = ("rough_sleeping_cases", "dual_diagnosis_cases", "cstr_orders", "referrals", "case_notes")


@contextmanager
def selects():
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if statement.startswith("SELECT"):
            seen.append(" ".join(statement.split()))

    event.listen(db.engine, "after_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "after_cursor_execute", note)


def reading(statements: list[str], table: str) -> list[str]:
    """The statements whose own rows come from table (not an EXISTS inside another)."""
    return [s for s in statements if s.split(" FROM ", 1)[0].startswith(f"SELECT {table}.")]


@pytest.fixture
def nurse_and_person(app):
    prison = OrganisationFactory(kind="prison")
    nurse = UserFactory(role=Role.PRISON_HEALTHCARE, organisation=prison)
    person = person_in_custody_at(prison)
    db.session.commit()
    return signed_in_client(app, nurse), nurse, person


def test_a_person_with_no_records_of_a_kind_costs_no_read_of_it(nurse_and_person):
    client, _nurse, person = nurse_and_person
    page(client, f"/people/{person.id}")
    with selects() as statements:
        shown = page(client, f"/people/{person.id}")
    for table in TABLES:
        assert reading(statements, table) == [], table
    # The sections are drawn all the same, with what the nurse may do.
    assert "No referrals." in shown.text
    assert "Received into" in shown.text


def test_a_record_of_a_kind_is_read_and_shown(nurse_and_person):
    client, nurse, person = nurse_and_person
    db.session.add(
        CaseNote(
            person_id=person.id,
            author_id=nurse.id,
            organisation_id=nurse.organisation_id,
            text="Seen on the wing",
        )
    )
    db.session.commit()
    with selects() as statements:
        shown = page(client, f"/people/{person.id}")
    assert len(reading(statements, "case_notes")) == 1
    assert reading(statements, "referrals") == []
    assert "Seen on the wing" in shown.text
