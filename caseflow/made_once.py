"""Records made by a form with a one-time token: made once, however often the form is sent.

The form carries a token bound to the user, the kind of record and what it is about
(``caseflow.security.form_tokens``); the record keeps it in a unique ``creation_token`` column.
Sent again after the first has been saved, the service finds the record by its token
(``made_with``) and hands it back. Sent twice at once (a double click), neither request sees
the other's record: on PostgreSQL the second INSERT waits on the unique token until the first
commits, then fails. ``add_once`` makes that INSERT in a savepoint, so the failure undoes only
the INSERT, and hands back the record the first request made. Either way the person lands on
the one record, with no error. A record only ever holds a token that matched its own user and
subject, so the record found is that user's, for that subject.
"""

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseflow.extensions import db

Made = TypeVar("Made")


def made_with(model: type[Made], token: str | None) -> Made | None:
    """The record a form with this token has already made, if any."""
    if not token:
        return None
    return db.session.scalar(select(model).where(model.creation_token == token))


def add_once(record: Made) -> tuple[Made, bool]:
    """Add and flush a new record carrying its form's token (or none).

    Returns the record stored for that token and whether this call made it: False when another
    request with the same token got there first, whose record is returned instead.
    """
    token = record.creation_token
    if not token:
        db.session.add(record)
        db.session.flush()
        return record, True
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        # Only the INSERT is undone. Objects it touched (a collection it joined) are read again,
        # so nothing tries to store the refused record later.
        db.session.expire_all()
        existing = made_with(type(record), token)
        if existing is None:
            raise  # a different rule was broken: not a second sending of the form
        return existing, False
    return record, True
