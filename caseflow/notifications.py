"""Notifications: a message inside Caseflow for one member of staff about one record.

A notification names its record by type and id (a referral; a pathway's case) and the person the
record is about by id, never by name: the row itself says nothing about anyone. The person's id
files the notification under that person for subject access.

What the list shows of the record is decided when it is shown, by the scope rules
(``caseflow.security.scope``) of the domain that owns the record: each record type registers how
it finds the records a member of staff may still see and how it names them. A record that has
passed out of the recipient's sight (a referral redirected to another team) is named without
the person and without a link.

Domains notify through ``notify``, or hand ``notifier(record_type)`` to their lifecycle
(``caseflow.lifecycle``), which calls it for each person a transition tells.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, Uuid, delete, func, select, text, update
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.audit.services import record
from caseflow.domain import NotFound
from caseflow.extensions import db
from caseflow.models import Entity, utcnow
from caseflow.personal_data import holds_personal_data

LIST_LENGTH = 50


class Notification(Entity):
    """A message for one member of staff about one record. It names no person."""

    __tablename__ = "notifications"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # The header counts unread notifications on every page.
        Index(
            "ix_notifications_unread",
            "user_id",
            postgresql_where=text("read_at IS NULL"),
            sqlite_where=text("read_at IS NULL"),
        ),
        # A record's notifications go with it when it is deleted (drafts past their lifetime).
        Index("ix_notifications_record", "record_type", "record_id"),
    )


holds_personal_data(
    "notifications",
    Notification,
    link=Notification.person_id,
    order_by=(Notification.created_at,),
)


# Record types --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A notification's record as the list names it: words, and where to go if it is in sight."""

    text: str
    link: tuple[str, dict] | None = None  # (endpoint, values) for url_for; None when out of sight


@dataclass(frozen=True)
class RecordType:
    name: str
    messages: Mapping[str, str]  # what happened, by notification kind
    # (viewer, record ids) -> the records among them the viewer may see now, each named
    in_sight: Callable[[Any, list[uuid.UUID]], Mapping[uuid.UUID, Subject]]
    # (record id) -> the record named for a viewer who may no longer see it, without the person
    out_of_sight: Callable[[uuid.UUID], Subject]


_record_types: dict[str, RecordType] = {}


def record_type(
    name: str,
    *,
    messages: Mapping[str, str],
    in_sight: Callable[[Any, list[uuid.UUID]], Mapping[uuid.UUID, Subject]],
    out_of_sight: Callable[[uuid.UUID], Subject],
) -> RecordType:
    """Register a type of record staff can be notified about; its domain calls this once."""
    registered = RecordType(name, dict(messages), in_sight, out_of_sight)
    _record_types[name] = registered
    return registered


def _registered(name: str) -> RecordType:
    try:
        return _record_types[name]
    except KeyError:
        raise ValueError(f"No record type {name!r} is registered for notifications") from None


# Notifying -----------------------------------------------------------------------------------


def notify(
    user_id: uuid.UUID, *, record_type: str, record_id: uuid.UUID, person_id: uuid.UUID, kind: str
) -> Notification:
    """Tell one member of staff that kind of thing happened to a record, in this transaction."""
    if kind not in _registered(record_type).messages:
        raise ValueError(f"{record_type} notifications have no kind {kind!r}")
    notification = Notification(
        user_id=user_id,
        record_type=record_type,
        record_id=record_id,
        person_id=person_id,
        kind=kind,
    )
    db.session.add(notification)
    return notification


def notifier(record_type: str) -> Callable[[Any, uuid.UUID, str], None]:
    """A lifecycle's notify: (record, user id, action) for records with id and person_id."""
    _registered(record_type)

    def notify_about(subject, user_id: uuid.UUID, action: str) -> None:
        notify(
            user_id,
            record_type=record_type,
            record_id=subject.id,
            person_id=subject.person_id,
            kind=action,
        )

    return notify_about


def forget(record_type: str, record_ids: Iterable[uuid.UUID]) -> None:
    """Delete the notifications about records that are being deleted."""
    ids = list(record_ids)
    if ids:
        db.session.execute(
            delete(Notification).where(
                Notification.record_type == record_type, Notification.record_id.in_(ids)
            )
        )


# Reading -------------------------------------------------------------------------------------


def unread_count_of(user_id):
    """A user's unread count as a column of another statement: every signed-in request reads it
    with its session's row (caseflow.security.sessions) for the menu, rather than on its own."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user) -> int:
    return db.session.scalar(select(unread_count_of(user.id))) or 0


@dataclass(frozen=True)
class NotificationRow:
    notification: Notification
    message: str
    subject: Subject
    in_sight: bool


def _subjects(user, items: list[Notification]) -> dict[tuple[str, uuid.UUID], Subject]:
    """Each record the user may still see, named; one query per record type on the list."""
    named: dict[tuple[str, uuid.UUID], Subject] = {}
    by_type: dict[str, set[uuid.UUID]] = {}
    for item in items:
        by_type.setdefault(item.record_type, set()).add(item.record_id)
    for name, ids in by_type.items():
        registered = _record_types.get(name)
        if registered is None:
            continue
        for record_id, subject in registered.in_sight(user, sorted(ids)).items():
            named[(name, record_id)] = subject
    return named


def _row(item: Notification, named: dict) -> NotificationRow:
    registered = _record_types.get(item.record_type)
    message = registered.messages.get(item.kind, item.kind) if registered else item.kind
    subject = named.get((item.record_type, item.record_id))
    if subject is not None:
        return NotificationRow(item, message, subject, in_sight=True)
    hidden = registered.out_of_sight(item.record_id) if registered else Subject("a record")
    return NotificationRow(item, message, hidden, in_sight=False)


def notifications_for(user, limit: int = LIST_LENGTH) -> list[NotificationRow]:
    """The latest notifications, newest first, each naming its record if the user still sees
    it. Looking at them changes nothing; the list is audited as one row, counting the people
    whose records it named."""
    items = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id)
            .limit(limit)
        )
    )
    named = _subjects(user, items)
    rows = [_row(item, named) for item in items]
    people = {row.notification.person_id for row in rows if row.in_sight}
    record(
        "list",
        actor=user,
        entity_type="notifications",
        purpose="referral",
        detail={"people": len(people)},
    )
    return rows


def open_notification(user, notification_id: str) -> tuple[str, dict] | None:
    """Mark one of the user's own notifications read, and say where its record is: (endpoint,
    values) for url_for, or None when the user no longer sees the record.

    Only the user's own: any other id, or one that is not an id, is NotFound, so nobody marks
    someone else's notification or learns whether it exists. Where to go comes from the record
    type's registration, never from the request.
    """
    try:
        wanted = uuid.UUID(str(notification_id))
    except ValueError:
        raise NotFound("No such notification") from None
    item = db.session.scalar(
        select(Notification).where(Notification.id == wanted, Notification.user_id == user.id)
    )
    if item is None:
        raise NotFound("No such notification")
    if item.read_at is None:
        item.read_at = utcnow()
    subject = _subjects(user, [item]).get((item.record_type, item.record_id))
    return subject.link if subject is not None else None


def mark_read(user) -> int:
    """Mark every unread notification of the user read; how many were."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
