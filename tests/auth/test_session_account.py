"""The account a request acts as is read with its session's row, in the same statement, and
is still judged afresh at every request (caseflow.security.sessions, caseflow.auth.services)."""

from sqlalchemy import event, update

from caseflow.auth.models import User
from caseflow.extensions import db
from tests.helpers import page


def _signed_out(client) -> bool:
    response = client.get("/notifications")
    return response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_an_account_made_inactive_is_refused_at_its_next_request(sign_in):
    # Not through disable_user, which also deletes the sessions: the session's row is still
    # there, so only the account's own state can refuse it.
    client, user = sign_in("keyworker")
    assert client.get("/notifications").status_code == 200
    db.session.execute(update(User).where(User.id == user.id).values(active=False))
    db.session.commit()
    assert _signed_out(client)


def test_the_header_names_the_account_of_the_session(sign_in):
    first, one = sign_in("keyworker", display_name="Ada Keyworker")
    second, other = sign_in("prison_healthcare", display_name="Bo Nurse")
    for client, user in ((first, one), (second, other), (first, one)):
        header = page(client, "/notifications").select_one(".caseflow-header__user").get_text()
        assert header.startswith(f"{user.display_name}, {user.role_name}")
        assert user.organisation.name in header


def test_the_session_and_its_account_are_one_statement(app, sign_in):
    client, _user = sign_in("keyworker")
    client.get("/notifications")
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "after_cursor_execute", note)
    try:
        assert client.get("/notifications").status_code == 200
    finally:
        event.remove(db.engine, "after_cursor_execute", note)
    reads = [s for s in statements if "FROM user_sessions" in s or "FROM users" in s]
    assert len(reads) == 1, reads
    assert "user_sessions" in reads[0]
    assert "users" in reads[0]
