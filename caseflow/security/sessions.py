"""Server-side sessions kept in the user_sessions table.

The cookie holds only a random token; the table holds a hash of it, the user it belongs to and
the session data. Sign-out deletes the row, and ending a user's sessions is one DELETE, which a
signed cookie could never offer. Idle and absolute limits are checked on every request.
"""

import hashlib
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete
from werkzeug.datastructures import CallbackDict

from caseflow.auth.models import UserSession
from caseflow.extensions import db
from caseflow.models import utcnow

# Writing last_seen_at on every request would turn each page view into a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, token: str | None = None, record: UserSession | None = None):
        def on_update(session):
            session.modified = True

        super().__init__(initial, on_update)
        self.token = token
        self.record = record
        self.modified = False
        self.rotate = False

    def regenerate(self) -> None:
        """Issue a new session id at the next response (at sign-in, against session fixation)."""
        self.rotate = True
        self.modified = True


class DatabaseSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 128:
            return ServerSession()
        record = db.session.get(UserSession, _hash(token))
        if record is None or self._expired(app, record):
            if record is not None:
                db.session.delete(record)
                db.session.commit()
            return ServerSession()
        return ServerSession(json.loads(record.data), token=token, record=record)

    @staticmethod
    def _expired(app: Flask, record: UserSession) -> bool:
        now = utcnow()
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
        return (
            now - _aware(record.last_seen_at) > idle or now - _aware(record.created_at) > absolute
        )

    def save_session(self, app: Flask, session: ServerSession, response) -> None:
        cookie_name = self.get_cookie_name(app)
        cookie_options = {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
        }
        if not session:
            if session.record is not None:
                db.session.execute(delete(UserSession).where(UserSession.id == session.record.id))
                db.session.commit()
                response.delete_cookie(cookie_name, **cookie_options)
            return

        now = utcnow()
        if session.record is not None and session.rotate:
            db.session.execute(delete(UserSession).where(UserSession.id == session.record.id))
            session.record = None

        if session.record is None:
            # New sessions sweep away idle ones, so abandoned rows never pile up.
            idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
            db.session.execute(delete(UserSession).where(UserSession.last_seen_at < now - idle))
            session.token = secrets.token_urlsafe(32)
            session.record = UserSession(id=_hash(session.token), created_at=now)
            db.session.add(session.record)
            session.modified = True
        elif (
            not session.modified
            and now - _aware(session.record.last_seen_at) < LAST_SEEN_RESOLUTION
        ):
            return

        session.record.last_seen_at = now
        session.record.data = json.dumps(dict(session))
        user_id = session.get("_user_id")
        session.record.user_id = uuid.UUID(user_id) if user_id else None
        db.session.commit()
        if session.modified:
            response.set_cookie(cookie_name, session.token, **cookie_options)


def end_sessions_of(user_id: uuid.UUID) -> int:
    """End every session of one user at once (disabled account, changed password)."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return result.rowcount or 0


def init_app(app: Flask) -> None:
    app.session_interface = DatabaseSessionInterface()
