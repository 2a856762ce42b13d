"""A request reads its session row once and commits once, the session's changes included
(issue 12): the row is written in the request's own transaction, before its commit, with
plain statements, so nothing reads it again once that commit has expired it."""

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select, update
from sqlalchemy.orm.exc import StaleDataError

from caseflow.auth.models import UserSession
from caseflow.dates import as_utc
from caseflow.extensions import db
from caseflow.models import utcnow
from tests.helpers import csrf_token, page


@contextmanager
def statements_of_requests():
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "after_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "after_cursor_execute", note)


def _commits(statements) -> int:
    # Each commit of a request is the release of its savepoint in the test's transaction.
    return sum(statement.startswith("RELEASE SAVEPOINT") for statement in statements)


def _session_reads(statements) -> int:
    return sum("FROM user_sessions" in statement for statement in statements)


def _seen_long_ago(user) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(last_seen_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()


def test_a_page_view_reads_its_session_once_and_commits_once(sign_in):
    client, user = sign_in("keyworker")
    _seen_long_ago(user)
    with statements_of_requests() as statements:
        page(client, "/notifications")
    assert _session_reads(statements) == 1
    assert _commits(statements) == 1
    db.session.expire_all()
    seen = db.session.scalar(select(UserSession.last_seen_at).where(UserSession.user_id == user.id))
    assert utcnow() - as_utc(seen) < timedelta(minutes=1)  # the one commit kept it


def test_a_change_that_says_so_commits_once_with_its_notice(sign_in):
    client, _user = sign_in("keyworker")
    token = csrf_token(client, "/notifications")
    with statements_of_requests() as statements:
        response = client.post("/notifications/read", data={"csrf_token": token})
    assert response.status_code == 302
    assert _session_reads(statements) == 1
    assert _commits(statements) == 1
    # The notice was kept in the session by that one commit.
    shown = page(client, "/notifications")
    assert "Notifications marked as read" in shown.get_text()


def test_when_the_requests_commit_fails_the_session_is_written_on_its_own(sign_in, monkeypatch):
    client, user = sign_in("keyworker")
    _seen_long_ago(user)
    commit = db.session.commit
    calls = []

    def commit_refused_once():
        calls.append(1)
        if len(calls) == 1:
            raise StaleDataError("another save won")
        commit()

    monkeypatch.setattr(db.session, "commit", commit_refused_once)
    response = client.get("/notifications")
    monkeypatch.undo()
    assert response.status_code == 409
    db.session.expire_all()
    seen = db.session.scalar(select(UserSession.last_seen_at).where(UserSession.user_id == user.id))
    assert utcnow() - as_utc(seen) < timedelta(minutes=1)
    assert page(client, "/notifications")  # still signed in
