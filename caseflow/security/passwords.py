"""Password hashing with argon2id, and the rules a new password must meet."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 15
MAX_LENGTH = 128

# A short offline block list: the commonest long passwords and words from this service.
BLOCKED_WORDS = (
    "password",
    "caseflow",
    "qwerty",
    "123456789",
    "letmein",
    "welcome",
    "iloveyou",
    "prison",
    "probation",
)


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["PASSWORD_HASH"])


def hash_password(password: str) -> str:
    if len(password) > MAX_LENGTH:
        raise ValueError("Password longer than the maximum is never hashed")
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """The reason a new password is refused, in words for the page, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if any(word in lowered for word in BLOCKED_WORDS) or len(set(lowered)) < 4:
        return "Choose a password that is harder to guess"
    return None
