"""The suite's rolled-back transactions: what a test writes never reaches the next test.

``on_one_connection`` puts every session (the test's own and each request's) on one connection,
inside one transaction rolled back at the end. A session's commit releases a savepoint of its
own, so the application commits as it would in production and the test still sees the result.

Most tests get one of these each (tests/conftest.py). A module that builds a large set of
records once and shares them between its tests (the route matrix) holds one for the whole module
and runs each test's requests inside ``savepoint``, so a request's changes are undone before the
next test while the shared records stay.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from caseflow.extensions import db


@contextmanager
def on_one_connection(app) -> Iterator[Connection]:
    """An app context whose sessions all use one connection, in a transaction rolled back at the
    end. Inside another one (a test of a module that shares one), a savepoint of that one's."""
    with app.app_context():
        engines = db.engines
        previous = engines[None]
        if isinstance(previous, Connection):
            connection = previous
            outer = connection.begin_nested()
        else:
            connection = previous.connect()
            outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        factory = db.session.session_factory
        factory.kw["join_transaction_mode"] = "create_savepoint"
        try:
            yield connection
        finally:
            db.session.remove()
            engines[None] = previous
            if connection is previous:
                outer.rollback()
            else:
                factory.kw.pop("join_transaction_mode", None)
                outer.rollback()
                connection.close()


@contextmanager
def savepoint(connection: Connection) -> Iterator[None]:
    """Everything written inside, by the test's session or a request's, undone at the end. The
    test's session keeps its objects (expired, so they are read again from what remains)."""
    db.session.commit()  # what the test built before this stays
    inner = connection.begin_nested()
    try:
        yield
    finally:
        db.session.rollback()  # the test session's own savepoint, inside this one
        inner.rollback()
