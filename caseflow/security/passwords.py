"""Password hashing with argon2id, and the rules a new password must meet."""

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 15
MAX_LENGTH = 128

# Offline: common long passwords (data/common_passwords.txt), and words from this service or
# the commonest password stems, which make a long password guessable wherever they appear.
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"
BLOCKED_WORDS = (
    "password",
    "passw0rd",
    "caseflow",
    "qwerty",
    "123456789",
    "letmein",
    "welcome",
    "iloveyou",
    "prison",
    "probation",
    "keyworker",
)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text().splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["PASSWORD_HASH"])


def hash_password(password: str) -> str:
    if len(password) > MAX_LENGTH:
        raise ValueError("Password longer than the maximum is never hashed")
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    # No hash: an account whose owner has not chosen a password yet. Nothing matches.
    if password_hash is None or len(password) > MAX_LENGTH:
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
    squeezed = "".join(lowered.split())
    if (
        squeezed in common_passwords()
        or any(word in squeezed for word in BLOCKED_WORDS)
        or len(set(squeezed)) < 5
    ):
        return "Choose a password that is harder to guess"
    return None
