"""One-time set-up links: the only way a password is chosen, and only by its owner.

An administrator, or `flask create-user`, never chooses or sees a password. Making an account,
or resetting its password, emails the person a link that works once within 24 hours. Opening it,
they choose a password, then set up their authenticator app at the usual enrolment step of
sign-in. The token is 256 random bits, kept only as a SHA-256 hash; a newer link for the same
account supersedes any older one. The token and the link appear in the email alone: never in
the audit log, a log line, a flash message or a page an administrator sees.

Each link sent, each use (and each refused use) and the first sign-in after a link was used are
audit rows naming the account by id and its role, which is how auditors see who made which
clinical account and when it was first used (caseflow.auditor.account_events).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import func, select, update

from caseflow.audit.models import Outcome
from caseflow.audit.services import record, record_independent
from caseflow.auth.models import SetUpLink, User
from caseflow.dates import as_utc, display_time_on_date
from caseflow.domain import InvalidChange
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.notify import EmailMessage, send_email
from caseflow.security import passwords
from caseflow.security.sessions import end_sessions_of

LIFETIME = timedelta(hours=24)
TOKEN_BYTES = 32
# A token longer than this was never issued: it is refused without a lookup.
TOKEN_MAX_LENGTH = 64
# Where links point when there is no configured address and no request (development only:
# production refuses to start without CASEFLOW_BASE_URL).
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"

AUDIT_ENTITY = "user"
SENT = "send_set_up_link"
USED = "use_set_up_link"
FIRST_SIGN_IN = "first_sign_in"


class Reason:
    NEW_ACCOUNT = "new_account"
    RESET = "password_reset"
    # An account given a clinical role it did not have: whoever knew its password before (an
    # administrator who made themselves an auditor's account, say) must not keep it.
    NOW_CLINICAL = "now_clinical"


# reason: (the email's subject, its first paragraph)
EMAIL_WORDS = {
    Reason.NEW_ACCOUNT: (
        "Set up your Caseflow account",
        "A Caseflow account has been made for you.",
    ),
    Reason.RESET: (
        "Choose a new Caseflow password",
        "A Caseflow administrator has reset your password. Your old password and your "
        "authenticator app no longer sign you in.",
    ),
    Reason.NOW_CLINICAL: (
        "Choose a new Caseflow password for your new role",
        "A Caseflow administrator has given your account a role that sees people's records. "
        "Your old password and your authenticator app no longer sign you in.",
    ),
}


class Unusable:
    """Why a link cannot be used, as recorded in the audit row."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    SUPERSEDED = "superseded"
    DISABLED = "account disabled"


class LinkUnusable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _hash(token: str) -> str:
    # 256 random bits need no slow hash: SHA-256 keeps them safe at rest.
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    path = current_app.url_map.bind("localhost").build("auth.set_up_account", {"token": token})
    base = current_app.config.get("BASE_URL")
    if not base:
        base = request.url_root if has_request_context() else DEVELOPMENT_BASE_URL
    return base.rstrip("/") + path


# Sending -------------------------------------------------------------------------------------


def send_link(user: User, reason: str, *, actor: User | None) -> SetUpLink:
    """Email the person a new link, superseding any older one, and audit that it was sent.

    DeliveryFailed (caseflow.notify) if the email could not be handed over; the caller undoes
    whatever this was part of.
    """
    now = utcnow()
    db.session.execute(
        update(SetUpLink)
        .where(
            SetUpLink.user_id == user.id,
            SetUpLink.used_at.is_(None),
            SetUpLink.superseded_at.is_(None),
        )
        .values(superseded_at=now)
        .execution_options(synchronize_session="fetch")
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = SetUpLink(
        user_id=user.id, token_hash=_hash(token), purpose=reason, expires_at=now + LIFETIME
    )
    db.session.add(link)
    db.session.flush()
    subject, opening = EMAIL_WORDS[reason]
    send_email(
        EmailMessage(
            to=user.email,
            template="set_up",
            personalisation={
                "subject": subject,
                "name": user.display_name,
                "reason": opening,
                "link": link_url(token),
                "expires": display_time_on_date(link.expires_at),
            },
            reference=str(link.id),
        )
    )
    record(
        SENT,
        actor=actor,
        entity_type=AUDIT_ENTITY,
        entity_id=user.id,
        purpose="administration",
        detail={"link": str(link.id), "reason": reason, "role": user.role},
    )
    return link


def forget_password(user: User) -> None:
    """No password signs in to the account until its owner chooses one through a new link."""
    user.password_hash = None
    user.password_changed_at = utcnow()
    end_sessions_of(user.id)


# Using ---------------------------------------------------------------------------------------


def _why_unusable(link: SetUpLink | None, user: User | None) -> str | None:
    if link is None or user is None:
        return Unusable.UNKNOWN
    if link.used_at is not None:
        return Unusable.USED
    if link.superseded_at is not None:
        return Unusable.SUPERSEDED
    if as_utc(link.expires_at) <= utcnow():
        return Unusable.EXPIRED
    if not user.active:
        return Unusable.DISABLED
    return None


def _refuse(link: SetUpLink | None, reason: str) -> LinkUnusable:
    # Kept whatever happens to the request, like a failed sign-in.
    record_independent(
        USED,
        entity_type=AUDIT_ENTITY,
        entity_id=link.user_id if link else None,
        outcome=Outcome.FAILED,
        detail={"link": str(link.id), "reason": reason} if link else {"reason": reason},
    )
    return LinkUnusable(reason)


def _find(token: str) -> tuple[SetUpLink | None, User | None]:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None, None
    link = db.session.scalar(select(SetUpLink).where(SetUpLink.token_hash == _hash(token)))
    return link, (db.session.get(User, link.user_id) if link else None)


def _usable(token: str) -> tuple[SetUpLink, User]:
    link, user = _find(token)
    reason = _why_unusable(link, user)
    if reason:
        raise _refuse(link, reason)
    return link, user


def account_for_link(token: str) -> User:
    """The account this link sets up; LinkUnusable (audited) saying why it cannot be used."""
    return _usable(token)[1]


def choose_password(token: str, password: str) -> User:
    """Use the link: set the password it was sent for, and end any session of the account.

    The link is claimed by one conditional UPDATE, so two uses at the same moment cannot both
    succeed. InvalidChange for a password the rules refuse (the link stays usable).
    """
    link, user = _usable(token)
    problem = passwords.password_problem(password or "")
    if problem:
        raise InvalidChange(problem, field="password")
    now = utcnow()
    claimed = db.session.execute(
        update(SetUpLink)
        .where(
            SetUpLink.id == link.id,
            SetUpLink.used_at.is_(None),
            SetUpLink.superseded_at.is_(None),
            SetUpLink.expires_at > now,
        )
        .values(used_at=now)
        # The database decides which link matched: the session's copy is refreshed from it,
        # not compared in Python (SQLite hands back dates without their zone).
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if claimed != 1:
        raise _refuse(link, Unusable.USED)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    end_sessions_of(user.id)
    record(
        USED,
        actor=user,
        entity_type=AUDIT_ENTITY,
        entity_id=user.id,
        purpose=None,
        detail={"link": str(link.id), "reason": link.purpose},
    )
    return user


# The first sign-in ---------------------------------------------------------------------------


def note_sign_in(user: User) -> None:
    """Called as a sign-in completes, before it is recorded: flag the first since a link was used.

    That sign-in is when the account was first used by whoever held the link, which is what
    auditors check against who asked for the account.
    """
    used_at = db.session.scalar(
        select(func.max(SetUpLink.used_at)).where(SetUpLink.user_id == user.id)
    )
    if used_at is None:
        return
    last = user.last_signed_in_at
    if last is not None and as_utc(last) >= as_utc(used_at):
        return
    reason = db.session.scalar(
        select(SetUpLink.purpose).where(SetUpLink.user_id == user.id, SetUpLink.used_at == used_at)
    )
    record(
        FIRST_SIGN_IN,
        actor=user,
        entity_type=AUDIT_ENTITY,
        entity_id=user.id,
        purpose=None,
        detail={"reason": reason, "role": user.role},
    )


# What an administrator sees ------------------------------------------------------------------


@dataclass(frozen=True)
class PasswordState:
    """Whether the account has a password, and the newest link's times: never the link."""

    chosen: bool
    link_sent_at: datetime | None = None
    link_expires_at: datetime | None = None
    link_waiting: bool = False


def password_state(user: User) -> PasswordState:
    link = db.session.scalar(
        select(SetUpLink)
        .where(SetUpLink.user_id == user.id)
        .order_by(SetUpLink.created_at.desc(), SetUpLink.id)
        .limit(1)
    )
    if link is None:
        return PasswordState(chosen=user.password_hash is not None)
    waiting = (
        link.used_at is None and link.superseded_at is None and as_utc(link.expires_at) > utcnow()
    )
    return PasswordState(
        chosen=user.password_hash is not None,
        link_sent_at=as_utc(link.created_at),
        link_expires_at=as_utc(link.expires_at),
        link_waiting=waiting,
    )
