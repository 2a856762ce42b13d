"""The account a request acts as, and its unread count for the menu, are read with its session's
row in the same statement, and the account is still judged afresh at every request
(caseflow.security.sessions, caseflow.auth.services, caseflow.navigation)."""

from sqlalchemy import event, update

from caseflow.auth.models import User
from caseflow.extensions import db
from caseflow.notifications import Notification
from tests.factories import PersonFactory
from tests.helpers import page, post_form


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


def test_the_session_its_account_and_the_unread_count_are_one_statement(app, sign_in):
    # The start page of a role without worklists: the menu and nothing else of anyone's.
    client, _user = sign_in("admin")
    client.get("/")
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "after_cursor_execute", note)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(db.engine, "after_cursor_execute", note)
    reads = [
        s for s in statements if any(f"FROM {t}" in s for t in ("user_sessions", "users", "notif"))
    ]
    assert len(reads) == 1, reads
    assert all(table in reads[0] for table in ("user_sessions", "users", "notifications"))


def _tell(user) -> None:
    person = PersonFactory()
    db.session.add(
        Notification(
            user_id=user.id,
            record_type="referral",
            record_id=person.id,
            person_id=person.id,
            kind="accepted",
        )
    )
    db.session.flush()


def _menu_notifications(client) -> str:
    soup = page(client, "/notifications")
    (link,) = [
        a.get_text(strip=True)
        for a in soup.select(".govuk-service-navigation a")
        if a.get_text(strip=True).startswith("Notifications")
    ]
    return link


def test_the_menu_counts_the_accounts_own_unread_notifications_read_with_the_session(sign_in):
    client, nurse = sign_in("prison_healthcare")
    other, colleague = sign_in("prison_healthcare")
    assert _menu_notifications(client) == "Notifications"
    _tell(nurse)
    _tell(nurse)
    _tell(colleague)
    assert _menu_notifications(client) == "Notifications (2)"
    assert _menu_notifications(other) == "Notifications (1)"
    # Marking them read answers with a redirect: the page after it counts them again.
    response = post_form(client, "/notifications/read", {}, form_url="/notifications")
    assert response.status_code == 302
    assert _menu_notifications(client) == "Notifications"
    assert _menu_notifications(other) == "Notifications (1)"
