"""The second factor: TOTP codes from an authenticator app, and one-use recovery codes."""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno

STEP_SECONDS = 30
# One step either side allows for a phone clock a little out and a code typed as it changes.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
ISSUER = "Caseflow"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """An inline SVG QR code (no script, no style: allowed by the page's CSP)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#0b0c0c", title="QR code to add Caseflow to your authenticator app"
    )


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is, within the allowed drift, or None."""
    code = normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def code_for_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def new_recovery_codes() -> list[str]:
    """Ten codes of 50 random bits each, shown once, like 'k3f9a-2mq7z'."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def hash_recovery_code(code: str) -> str:
    # The codes carry 50 random bits, so a plain SHA-256 keeps them safe at rest.
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()
