"""Searching, paging and exporting the audit log: the auditor's view of it.

The auditor sees staff by name, email and role, organisations by name, and people by an opaque
short reference only (words.py): never a name, an id or any clinical field. Times are UK times.
A person is searched for by NHS number or prison number through the blind index, typed into a
POSTed form, so no identifier reaches a URL or the log itself. Each page shown is one audit row
(action "list" or "search", purpose "audit", with how many rows it showed); each export is one
row (action "export", with how many rows it holds).
"""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from caseflow.audit.models import AuditEvent
from caseflow.audit.services import record
from caseflow.auditor import words
from caseflow.auth.models import User
from caseflow.auth.services import user_by_email
from caseflow.dates import as_utc, display_date_time, start_of_day
from caseflow.domain import InvalidChange, NotFound
from caseflow.exports import CsvExport, csv_line, csv_lines, stamped_filename
from caseflow.extensions import db
from caseflow.organisations.models import Organisation
from caseflow.paging import Page, page_number, page_of
from caseflow.people.identifiers import compact
from caseflow.people.models import BreakGlassGrant, Person
from caseflow.security.access import Role
from caseflow.security.crypto import blind_index

PAGE_SIZE = 50
# Counting every match of a broad search over tens of millions of rows is slow; past this many
# the page says "more than".
COUNT_LIMIT = 10_000
EXPORT_BATCH = 1000
PURPOSE = "audit"


# Finding a person --------------------------------------------------------------------------


def find_person_id(nhs_number: str | None, prison_number: str | None) -> uuid.UUID | None:
    """The person with these identifiers, by blind index; InvalidChange naming the field if none.

    Both may be given; they must then belong to the same person. Neither gives None.
    """
    person_id = None
    if nhs_number:
        digest = blind_index("nhs_number", compact(nhs_number))
        person_id = db.session.scalar(select(Person.id).where(Person.nhs_number_index == digest))
        if person_id is None:
            raise InvalidChange("No one with this NHS number is held in Caseflow", "nhs_number")
    if prison_number:
        digest = blind_index("prison_number", compact(prison_number))
        match = db.session.scalar(select(Person.id).where(Person.prison_number_index == digest))
        if match is None:
            raise InvalidChange(
                "No one with this prison number is held in Caseflow", "prison_number"
            )
        if person_id is not None and match != person_id:
            raise InvalidChange(
                "This prison number belongs to a different person from the NHS number",
                "prison_number",
            )
        person_id = match
    return person_id


# Filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    user_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    action: str | None = None
    outcome: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    # A break-glass grant's hour: from the moment it was granted to the moment it ended.
    since: datetime | None = None
    until: datetime | None = None

    @property
    def window(self) -> str | None:
        """The grant's hour in words, when the search is one."""
        if self.since is None or self.until is None:
            return None
        return f"from {display_date_time(self.since)} to {display_date_time(self.until)}"

    def conditions(self) -> list:
        conditions = []
        for column, value in (
            (AuditEvent.user_id, self.user_id),
            (AuditEvent.person_id, self.person_id),
            (AuditEvent.organisation_id, self.organisation_id),
            (AuditEvent.action, self.action),
            (AuditEvent.outcome, self.outcome),
        ):
            if value:
                conditions.append(column == value)
        if self.date_from:
            conditions.append(AuditEvent.occurred_at >= start_of_day(self.date_from))
        # The search runs to the end of its last day, that is to the start of the next one; the
        # last day there is (31 12 9999) has no next day, and nothing comes after it anyway.
        if self.date_to and self.date_to < date.max:
            conditions.append(
                AuditEvent.occurred_at < start_of_day(self.date_to + timedelta(days=1))
            )
        if self.since is not None:
            conditions.append(AuditEvent.occurred_at >= self.since)
        if self.until is not None:
            conditions.append(AuditEvent.occurred_at <= self.until)
        return conditions

    def used(self) -> list[str]:
        """The names of the filters in use, for the audit row (never their values)."""
        named = {
            "user": self.user_id,
            "person": self.person_id,
            "organisation": self.organisation_id,
            "action": self.action,
            "outcome": self.outcome,
            "from": self.date_from,
            "to": self.date_to,
            "break-glass grant": self.since,
        }
        return [name for name, value in named.items() if value]


def log_filters(
    *,
    email: str | None = None,
    nhs_number: str | None = None,
    prison_number: str | None = None,
    organisation: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    grant: str | None = None,
    **_ignored,
) -> LogFilters:
    """Turn what the auditor typed into ids. InvalidChange names a field that matched nothing.

    ``grant`` (sent by a break-glass review) narrows the search to what the grant's member of
    staff did during its hour, whatever email is typed.
    """
    if grant:
        return _grant_window(grant, date_from=date_from, date_to=date_to)
    user_id = None
    if email:
        user = user_by_email(email)
        if user is None:
            raise InvalidChange("No member of staff has this email address", "email")
        user_id = user.id
    try:
        organisation_id = uuid.UUID(organisation) if organisation else None
    except ValueError as error:
        raise InvalidChange("Select an organisation from the list", "organisation") from error
    return LogFilters(
        user_id=user_id,
        person_id=find_person_id(nhs_number, prison_number),
        organisation_id=organisation_id,
        action=action or None,
        outcome=outcome or None,
        date_from=date_from,
        date_to=date_to,
    )


def _grant_window(grant: str, **dates) -> LogFilters:
    try:
        found = db.session.get(BreakGlassGrant, uuid.UUID(grant))
    except ValueError:
        found = None
    if found is None:
        raise NotFound("No such break-glass grant")
    return LogFilters(
        user_id=found.user_id, since=found.created_at, until=found.expires_at, **dates
    )


# One page of the log -------------------------------------------------------------------------


@dataclass
class LogRow:
    """One row of the log as the page shows it: codes in words, the time in London, staff by
    name and email, a person and a record by short reference (``words.py``)."""

    event: AuditEvent
    email: str | None
    organisation: str | None
    name: str | None = None

    @property
    def when(self) -> str:
        return display_date_time(self.event.occurred_at)

    @property
    def when_utc(self) -> str:
        return as_utc(self.event.occurred_at).isoformat(timespec="seconds")

    @property
    def role(self) -> str | None:
        role = self.event.role
        return Role.label_of(role) if role else None

    @property
    def action(self) -> str:
        return words.action_words(self.event.action, self.event.purpose)

    @property
    def record(self) -> str:
        return words.record_words(self.event.entity_type, self.event.entity_id)

    @property
    def person(self) -> str:
        return words.person_reference(self.event.person_id)

    @property
    def outcome(self) -> str:
        return words.outcome_words(self.event.outcome)

    @property
    def details(self) -> list[str]:
        return words.detail_words(self.event.detail)


def _rows_query(conditions):
    return (
        select(AuditEvent, User.email, Organisation.name, User.display_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .where(*conditions)
    )


def log_page(filters: LogFilters | None, page: object, *, searched: bool) -> Page:
    """Newest first, LogRows. A search whose criteria matched nothing (filters None) shows no
    rows. The count stops past COUNT_LIMIT, and the page then says "more than"."""
    if searched and filters is None:
        return Page(rows=[], page=page_number(page), size=PAGE_SIZE, total=0)
    conditions = filters.conditions() if filters else []
    shown = page_of(
        _rows_query(conditions).order_by(AuditEvent.id.desc()),
        page,
        size=PAGE_SIZE,
        count_up_to=COUNT_LIMIT,
    )
    return shown.map(
        lambda row: LogRow(event=row[0], email=row[1], organisation=row[2], name=row[3])
    )


def record_page_shown(
    actor,
    *,
    searched: bool,
    filters: LogFilters | None,
    rows: int,
    page: int = 1,
    break_glass: int = 0,
    problems=(),
) -> None:
    detail = {"rows": rows, "page": page, "break_glass": break_glass}
    if filters is not None:
        detail["by"] = filters.used()
    if problems:
        detail["problems"] = sorted(problems)
    record(
        "search" if searched else "list",
        actor=actor,
        entity_type="audit_event",
        person_id=filters.person_id if filters else None,
        purpose=PURPOSE,
        detail=detail,
    )


# Export ----------------------------------------------------------------------------------------

CSV_HEADER = (
    "id",
    "occurred_at_utc",
    "user_id",
    "user_email",
    "role",
    "organisation_id",
    "organisation",
    "action",
    "entity_type",
    "entity_id",
    "person_id",
    "purpose",
    "outcome",
    "detail",
    "request_id",
)


def _csv_values(row) -> tuple:
    return (
        row.id,
        as_utc(row.occurred_at).isoformat(timespec="seconds"),
        row.user_id,
        row.user_email,
        row.role,
        row.organisation_id,
        row.organisation_name,
        row.action,
        row.entity_type,
        row.entity_id,
        row.person_id,
        row.purpose,
        row.outcome,
        json.dumps(row.detail, sort_keys=True) if row.detail else "",
        row.request_id,
    )


def export_log(actor, filters: LogFilters) -> CsvExport:
    """Every row the search matches, newest first, as CSV lines produced in batches.

    The rows are fixed before the export's own audit row is written: everything at or below the
    newest id now. The log is append-only and ids are drawn in commit order (see chain.py), so the
    count recorded is the count sent, however long the download takes.
    """
    newest = db.session.scalar(select(func.max(AuditEvent.id)))
    conditions = [*filters.conditions(), AuditEvent.id <= (newest or 0)]
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
    record(
        "export",
        actor=actor,
        entity_type="audit_event",
        person_id=filters.person_id,
        purpose=PURPOSE,
        detail={"rows": total, "format": "csv", "by": filters.used()},
    )
    return CsvExport(
        rows=total,
        filename=stamped_filename("audit-log"),
        lines=_export_lines(current_app._get_current_object(), conditions),
    )


def _export_lines(app, conditions) -> Iterator[str]:
    """The CSV, read in keyset batches after the request has ended.

    Each batch is read in an app context of its own, opened and closed between two lines, so
    nothing is held across a pause in the download. Plain rows rather than ORM objects: nothing
    accumulates in a session, so memory stays flat however many rows there are.
    """
    table = AuditEvent.__table__
    columns = select(
        table, User.email.label("user_email"), Organisation.name.label("organisation_name")
    )
    query = (
        columns.outerjoin(User, User.id == table.c.user_id)
        .outerjoin(Organisation, Organisation.id == table.c.organisation_id)
        .where(*conditions)
        .order_by(table.c.id.desc())
        .limit(EXPORT_BATCH)
    )
    yield csv_line(CSV_HEADER)
    before = None
    while True:
        with app.app_context():
            batch = db.session.execute(
                query if before is None else query.where(table.c.id < before)
            ).all()
        if not batch:
            return
        yield csv_lines(_csv_values(row) for row in batch)
        before = batch[-1].id


def organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
