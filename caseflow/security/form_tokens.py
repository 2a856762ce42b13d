"""One-time form tokens, bound to who was shown the form and what it is about.

A form that creates a record carries a token, so the same form sent twice creates one record:
the service hands back the record that already carries the token. The token is a random nonce
and an HMAC-SHA256, under the application's secret key, over the nonce, the kind of record the
form makes, the user it was shown to and the record it is about (a person or a referral). A
token copied from someone else's form, another person's form or another kind of form does not
match, so it is refused before anything is looked up by it. A record only ever holds a token
that matched its own user and subject, so a token that matches can only find that user's record
for that subject.
"""

import hashlib
import hmac
import re
import secrets
import uuid

from flask import current_app

NONCE_HEX = 32
MAC_HEX = 32  # 128 bits of the HMAC: nonce and MAC together fit the 64-character column
LENGTH = NONCE_HEX + MAC_HEX
TOKEN = re.compile(rf"[0-9a-f]{{{LENGTH}}}")
PURPOSE = "caseflow one-time form token v1"


def _mac(nonce: str, kind: str, user_id: uuid.UUID, subject_id: uuid.UUID) -> str:
    secret = current_app.config["SECRET_KEY"]
    key = secret.encode() if isinstance(secret, str) else secret
    message = "|".join((PURPOSE, kind, str(user_id), str(subject_id), nonce)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:MAC_HEX]


def issue(kind: str, user_id: uuid.UUID, subject_id: uuid.UUID) -> str:
    """A new token for a form of this kind, shown to this user, about this record."""
    nonce = secrets.token_hex(NONCE_HEX // 2)
    return nonce + _mac(nonce, kind, user_id, subject_id)


def matches(token: object, kind: str, user_id: uuid.UUID, subject_id: uuid.UUID) -> bool:
    """Whether token was issued for exactly this kind of form, user and record."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return False
    nonce, mac = token[:NONCE_HEX], token[NONCE_HEX:]
    return hmac.compare_digest(mac, _mac(nonce, kind, user_id, subject_id))
