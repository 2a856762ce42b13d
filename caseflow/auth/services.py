"""Accounts: creating them, checking passwords, disabling them."""

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select

from caseflow.audit.models import Outcome
from caseflow.audit.services import record, record_independent
from caseflow.auth import setup_links
from caseflow.auth.models import RecoveryCode, User
from caseflow.domain import InvalidChange
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.organisations.models import Organisation
from caseflow.security import crypto, mfa, passwords, throttle
from caseflow.security.access import Role
from caseflow.security.sessions import end_sessions_of


class AccountError(ValueError):
    """A request about an account that cannot be met, with words for the page."""


class TooManyAttempts(InvalidChange):
    """The account is delayed after failed attempts; the message says how long to wait."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def load_user(user_id: str) -> User | None:
    """The signed-in account of a request, if it is still active (asked at every request).

    The statement that read the session's row read the account with it (caseflow.security.
    sessions), so the lookup below finds it in the ORM session without a second query."""
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    user = db.session.get(User, key)
    return user if user is not None and user.active else None


def create_user(*, email: str, display_name: str, role: str, organisation: Organisation) -> User:
    """A new account with no password: its owner chooses one through a set-up link
    (caseflow.auth.setup_links), so whoever made the account never knows a working one."""
    if not Role.has(role):
        raise AccountError(f"Unknown role {role!r}")
    if user_by_email(email) is not None:
        raise AccountError("An account with that email address already exists")
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        password_hash=None,
        role=role,
        organisation=organisation,
    )
    db.session.add(user)
    db.session.flush()
    return user


@dataclass(frozen=True)
class SignInStep:
    """A step of sign-in under the throttle: the account if it passed, and any wait."""

    user: User | None
    wait: throttle.Verdict


def check_password(email: str, password: str, address: str | None) -> SignInStep:
    """The password step: not even tried while the account waits; failures are counted.

    A wrong password and an unknown email are counted and answered alike.
    """
    verdict = throttle.check(email)
    if not verdict.allowed:
        return SignInStep(None, verdict)
    user = authenticate(email, password)
    if user is None:
        throttle.record_failure(email, address)
    else:
        throttle.record_success(email)
    return SignInStep(user, verdict)


def authenticate(email: str, password: str) -> User | None:
    """The user if the email and password match an active account, otherwise None.

    An unknown email costs the same hashing work as a wrong password, so the answer's timing does
    not tell which accounts exist.
    """
    user = user_by_email(email)
    if user is None:
        passwords.verify_password(_decoy_hash(), password)
        _sign_in_failed(None, "unknown account")
        return None
    # An account waiting for its set-up link has no password: the same hashing work, no match.
    if not passwords.verify_password(user.password_hash or _decoy_hash(), password):
        _sign_in_failed(user, "wrong password")
        return None
    if not user.active:
        _sign_in_failed(user, "account disabled")
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def _sign_in_failed(user: User | None, reason: str) -> None:
    """A failed step of sign-in, kept whatever happens to the request."""
    # The account tried is named by id, so repeated attempts on one account can be seen; the
    # email address typed is never kept, since people sometimes type a password there.
    record_independent(
        "sign_in",
        actor=user,
        entity_type="user",
        entity_id=user.id if user else None,
        outcome=Outcome.FAILED,
        detail={"reason": reason},
    )


_decoy: dict[str, str] = {}


def _decoy_hash() -> str:
    from flask import current_app

    key = repr(sorted(current_app.config["PASSWORD_HASH"].items()))
    if key not in _decoy:
        _decoy[key] = passwords.hash_password(uuid.uuid4().hex * 2)
    return _decoy[key]


def disable_user(user: User) -> None:
    user.active = False
    end_sessions_of(user.id)


def set_password(user: User, password: str) -> None:
    problem = passwords.password_problem(password)
    if problem:
        raise AccountError(problem)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    end_sessions_of(user.id)


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


def record_sign_out(user: User) -> None:
    record("sign_out", actor=user, entity_type="user", entity_id=user.id, purpose=None)


def reset_second_factor(user: User) -> None:
    """Forget the user's authenticator and recovery codes; they enrol again at next sign-in."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_sessions_of(user.id)


# The second factor ------------------------------------------------------------------------


def needs_enrolment(user: User) -> bool:
    return user.totp_enrolled_at is None or user.totp_secret is None


def _enrolment_place(user: User) -> dict:
    # Sealed like a stored seed, but bound to this use and this person: it opens neither as
    # anyone else's enrolment nor as users.totp_secret.
    return {"table": "user_sessions", "column": "enrolment_totp_secret", "row_id": user.id}


def enrolment_secret(user: User, sealed: str | None) -> tuple[str, str]:
    """The seed this person is enrolling, and its sealed form for the session.

    Opened from what the session holds, or a new seed if it holds none that is this person's.
    """
    if sealed:
        try:
            return crypto.decrypt(sealed, **_enrolment_place(user)), sealed
        except crypto.DecryptionError:
            pass
    secret = mfa.new_secret()
    return secret, crypto.encrypt(secret, **_enrolment_place(user))


def complete_enrolment(user: User, secret: str, code: str) -> list[str] | None:
    """Store the new authenticator if the code matches; return the recovery codes to show."""
    step = mfa.matching_step(secret, code)
    if step is None:
        _sign_in_failed(user, "wrong code at enrolment")
        return None
    user.totp_secret = secret
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = step
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = mfa.new_recovery_codes()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=mfa.hash_recovery_code(code)) for code in codes
    )
    return codes


def verify_second_factor(user: User, code: str) -> bool:
    """A current authenticator code not used before, or an unused recovery code."""
    step = mfa.matching_step(user.totp_secret, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            _sign_in_failed(user, "code already used")
            return False
        user.totp_last_step = step
        return True
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == mfa.hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is not None:
        recovery.used_at = utcnow()
        return True
    _sign_in_failed(user, "wrong code")
    return False


def check_code(user: User, code: str, address: str | None) -> SignInStep:
    """The second step, under the same throttle as the password."""
    verdict = throttle.check(user.email)
    if not verdict.allowed:
        return SignInStep(None, verdict)
    if not verify_second_factor(user, code):
        throttle.record_failure(user.email, address)
        return SignInStep(None, verdict)
    throttle.record_success(user.email)
    return SignInStep(user, verdict)


def record_sign_in(user: User) -> None:
    setup_links.note_sign_in(user)
    user.last_signed_in_at = utcnow()
    record("sign_in", actor=user, entity_type="user", entity_id=user.id, purpose=None)


def confirm_password(user: User, password: str) -> bool:
    """Whether the password is right, for a sensitive step, under the sign-in throttle.

    A wrong password counts as a failed sign-in on the account, and while the account is
    delayed even the right one is refused (TooManyAttempts), or guessing here would bypass the
    throttle. Every refusal is audited.
    """
    verdict = throttle.check(user.email)
    if not verdict.allowed:
        _reauthentication_failed(user, "too many attempts")
        raise TooManyAttempts(
            "Too many attempts with the wrong password. " + throttle.wait_advice(verdict),
            "password",
        )
    if not passwords.verify_password(user.password_hash, password):
        throttle.record_failure(user.email, throttle.request_address())
        _reauthentication_failed(user, "wrong password")
        return False
    throttle.record_success(user.email)
    return True


def _reauthentication_failed(user: User, reason: str) -> None:
    record_independent(
        "reauthenticate",
        actor=user,
        entity_type="user",
        entity_id=user.id,
        outcome=Outcome.FAILED,
        detail={"reason": reason},
    )
