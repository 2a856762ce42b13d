"""Sessions: a row in user_sessions once there is something to keep, a signed cookie before.

Anyone signing in, or signed in, has a server-side session: the cookie holds only a random
token, the table a hash of it, the user it belongs to and the session data. Sign-out deletes the
row and sends no token back, and ending a user's sessions is one DELETE, which a signed cookie
could never offer. Idle and absolute limits are checked on every request.

An anonymous visitor's session holds nothing but the CSRF token Flask-WTF needs for the sign-in
form (and a one-off notice at most). Writing a row for that would let every page view, and every
bot, fill the table, so it travels instead in the same ``__Host-`` cookie (Secure, HttpOnly,
SameSite=Lax), signed with the application's secret key so it cannot be forged or altered, and
dated so it lapses after the idle limit like a row would. It identifies no one and unlocks
nothing. The first value worth keeping (the half-way state after a correct password) moves the
session to a new row under a new random token, so the id changes at sign-in as it always did.
Should a session fall back to holding only those values, its row is deleted.
"""

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from flask import session as request_session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, insert, select, update
from werkzeug.datastructures import CallbackDict

from caseflow.auth.models import User, UserSession
from caseflow.dates import as_utc
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.notifications import unread_count_of

# Writing last_seen_at on every request would turn each page view into a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# What an anonymous session may hold without a row: Flask-WTF's CSRF token, Flask-Login's
# freshness flag and flashed notices. Anything else is kept on the server.
ANONYMOUS_KEYS = frozenset({"csrf_token", "_fresh", "_flashes"})
# A server token is token_urlsafe(32): 43 characters, never a dot. A signed cookie has dots.
MAX_TOKEN_LENGTH = 128
MAX_ANONYMOUS_COOKIE_LENGTH = 2048

# A session's row and, in the same statement, the account it belongs to (with its organisation,
# which User loads joined) and the account's unread notifications, which the menu of every page
# shows: every signed-in request needs them, and a round trip each cost as much again. The
# account lands in the ORM session, where Flask-Login's user loader (caseflow.auth.services.
# load_user) finds it: still read from the database in this request, so a disabled account is
# refused at the next request as before.
_ROW_WITH_ITS_USER = (
    select(
        UserSession.user_id,
        UserSession.data,
        UserSession.created_at,
        UserSession.last_seen_at,
        User,
        unread_count_of(UserSession.user_id).label("unread_notifications"),
    )
    .outerjoin(User, User.id == UserSession.user_id)
    .where(UserSession.id == bindparam("row_id"))
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(
        self,
        initial=None,
        token: str | None = None,
        row_id: str | None = None,
        seen_at: datetime | None = None,
        account: User | None = None,
        unread_notifications: int | None = None,
    ):
        def on_update(session):
            session.modified = True

        super().__init__(initial, on_update)
        self.token = token
        # The row's id and when it was last seen, kept as values: the row is written with plain
        # statements, so nothing reads it again once the request's commit has expired it.
        self.row_id = row_id
        self.seen_at = as_utc(seen_at) if seen_at is not None else None
        # The account read with the row. Held here because the ORM session's identity map holds
        # objects weakly: without this reference it would be gone before Flask-Login's loader
        # looks it up there, and read a second time.
        self.account = account
        # The account's unread notifications as the request began, for the menu
        # (caseflow.navigation).
        self.unread_notifications = unread_notifications
        self.modified = False
        self.rotate = False
        self.ended = False
        # Written in the request's own transaction (write_with_request), and unchanged since.
        self.saved = False
        # Set when the session arrived in a signed cookie old enough to be dated afresh.
        self.refresh_cookie = False
        # The account whose session this request's token belonged to, when it had lapsed: only
        # so that a form it sent can be sealed to that account (security/kept_input.py).
        self.lapsed_user_id: uuid.UUID | None = None

    def regenerate(self) -> None:
        """Issue a new session id at the next response (at sign-in, against session fixation)."""
        self.rotate = True
        self.modified = True

    def end(self) -> None:
        """Sign-out: delete the row and the cookie, and keep nothing written later this request
        (the page drawn afterwards still asks for a CSRF token)."""
        self.clear()
        self.ended = True

    @property
    def anonymous(self) -> bool:
        return set(self) <= ANONYMOUS_KEYS


class DatabaseSessionInterface(SessionInterface):
    def _serializer(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            app.secret_key,
            salt="caseflow-anonymous-session",
            serializer=TaggedJSONSerializer(),
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
        )

    def open_session(self, app: Flask, request) -> ServerSession:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return ServerSession()
        if "." in value:
            return self._open_anonymous(app, value)
        if len(value) > MAX_TOKEN_LENGTH:
            return ServerSession()
        row_id = _hash(value)
        record = db.session.execute(_ROW_WITH_ITS_USER, {"row_id": row_id}).first()
        if record is None or self._expired(app, record):
            lapsed = ServerSession()
            if record is not None:
                lapsed.lapsed_user_id = record.user_id
                db.session.execute(_delete_by_id(row_id))
                db.session.commit()
            return lapsed
        return ServerSession(
            json.loads(record.data),
            token=value,
            row_id=row_id,
            seen_at=record.last_seen_at,
            account=record.User,
            unread_notifications=record.unread_notifications,
        )

    def _open_anonymous(self, app: Flask, value: str) -> ServerSession:
        if len(value) > MAX_ANONYMOUS_COOKIE_LENGTH:
            return ServerSession()
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        try:
            data, signed_at = self._serializer(app).loads(
                value, max_age=idle.total_seconds(), return_timestamp=True
            )
        except BadSignature:
            return ServerSession()
        if not isinstance(data, dict) or not set(data) <= ANONYMOUS_KEYS:
            return ServerSession()
        session = ServerSession(data)
        session.refresh_cookie = utcnow() - signed_at >= LAST_SEEN_RESOLUTION
        return session

    @staticmethod
    def _expired(app: Flask, record) -> bool:
        """Whether a session's row (its created_at and last_seen_at) is past either limit."""
        now = utcnow()
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
        return (
            now - as_utc(record.last_seen_at) > idle or now - as_utc(record.created_at) > absolute
        )

    def _cookie_options(self, app: Flask) -> dict:
        return {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
        }

    def _delete_row(self, session: ServerSession) -> bool:
        if session.row_id is None:
            return False
        db.session.execute(_delete_by_id(session.row_id))
        session.row_id = None
        return True

    def save_session(self, app: Flask, session: ServerSession, response) -> None:
        if session.saved and not session.modified:
            return  # already in the request's commit (write_with_request)
        if self.write(app, session, response):
            db.session.commit()

    def write(self, app: Flask, session: ServerSession, response) -> bool:
        """Write what the session holds and set its cookie; whether the database was changed.
        The caller commits."""
        cookie_name = self.get_cookie_name(app)
        cookie_options = self._cookie_options(app)
        if session.ended or not session:
            deleted = self._delete_row(session)
            if deleted or session.ended or session.modified:
                response.delete_cookie(cookie_name, **cookie_options)
            return deleted
        if session.anonymous:
            deleted = self._delete_row(session)
            if deleted:
                session.modified = True  # nothing left worth a row: back to the signed cookie
            if session.modified or session.refresh_cookie:
                value = self._serializer(app).dumps(dict(session))
                response.set_cookie(cookie_name, value, **cookie_options)
            return deleted

        now = utcnow()
        if session.row_id is not None and session.rotate:
            self._delete_row(session)
        user_id = session.get("_user_id")
        values = {
            "last_seen_at": now,
            "data": json.dumps(dict(session)),
            "user_id": uuid.UUID(user_id) if user_id else None,
        }
        if session.row_id is None:
            # New rows sweep away idle ones, so abandoned rows never pile up.
            idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
            db.session.execute(delete(UserSession).where(UserSession.last_seen_at < now - idle))
            session.token = secrets.token_urlsafe(32)
            session.row_id = _hash(session.token)
            db.session.execute(
                insert(UserSession).values(id=session.row_id, created_at=now, **values)
            )
            session.modified = True
        elif not session.modified and now - session.seen_at < LAST_SEEN_RESOLUTION:
            return False
        else:
            db.session.execute(
                update(UserSession)
                .where(UserSession.id == session.row_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        session.seen_at = now
        if session.modified:
            response.set_cookie(cookie_name, session.token, **cookie_options)
        return True


def _delete_by_id(row_id: str):
    return (
        delete(UserSession)
        .where(UserSession.id == row_id)
        .execution_options(synchronize_session=False)
    )


def write_with_request(response) -> Callable[[], None]:
    """Write the request's session into its own transaction, so one commit keeps both (not a
    second commit after it); returns what undoes that, should the commit fail, so the session is
    then written on its own as before."""
    interface = current_app.session_interface
    session = request_session._get_current_object()
    if not isinstance(session, ServerSession) or not isinstance(
        interface, DatabaseSessionInterface
    ):
        return lambda: None
    before = (session.token, session.row_id, session.seen_at, session.rotate, session.modified)

    def undo() -> None:
        session.token, session.row_id, session.seen_at, session.rotate, session.modified = before
        session.saved = False

    try:
        # Its statements flush the request's changes first: a save that lost to another's
        # (StaleDataError) surfaces here, and the session is left as it was.
        interface.write(current_app, session, response)
    except BaseException:
        undo()
        raise
    session.saved, session.rotate, session.modified = True, False, False
    return undo


def end_sessions_of(user_id: uuid.UUID) -> int:
    """End every session of one user at once (disabled account, changed password)."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return result.rowcount or 0


def init_app(app: Flask) -> None:
    app.session_interface = DatabaseSessionInterface()
