"""Sign-in throttling: a growing delay per account, and only a high ceiling per address.

A whole prison may share one outgoing address, so the address alone never refuses anyone: a
correct password for an account that has not itself failed is always let through, or one
person's flood would lock out the whole prison. Past the ceiling, the address withdraws the free
mistakes instead: each account tried from it is delayed from its first failure there. Unknown
emails are counted under their own key exactly like accounts that exist, so the answers never
tell which accounts exist. Counts are kept in Redis when REDIS_URL is configured (production,
several servers), otherwise in the database. Keys are hashes: the store never holds what someone
typed as an email address.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import delete

from caseflow.auth.models import SignInThrottle
from caseflow.dates import as_utc
from caseflow.extensions import db
from caseflow.models import utcnow

FREE_ACCOUNT_FAILURES = 3
MAX_ACCOUNT_DELAY = timedelta(minutes=15)
ADDRESS_CEILING = 300
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Verdict:
    wait_seconds: int

    @property
    def allowed(self) -> bool:
        return self.wait_seconds <= 0


def account_key(email: str) -> str:
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


def address_key(address: str | None) -> str:
    return "address:" + hashlib.sha256((address or "unknown").encode()).hexdigest()[:40]


def account_delay(failures: int, *, address_over_ceiling: bool = False) -> timedelta:
    """Nothing for the first two mistakes, then 30 s, 1 min, 2 min... up to 15 minutes.

    From an address over its ceiling there are no free mistakes: 30 s from the first.
    """
    first_delayed = 1 if address_over_ceiling else FREE_ACCOUNT_FAILURES
    if failures < first_delayed:
        return timedelta(0)
    return min(timedelta(seconds=30 * 2 ** (failures - first_delayed)), MAX_ACCOUNT_DELAY)


class DatabaseStore:
    def get(self, key: str) -> tuple[int, datetime | None]:
        row = db.session.get(SignInThrottle, key)
        if row is None or as_utc(row.window_started_at) < utcnow() - WINDOW * 4:
            return 0, None
        return row.failures, as_utc(row.blocked_until) if row.blocked_until else None

    def add_failure(self, key: str, block_for: Callable[[int], timedelta]) -> None:
        row = db.session.get(SignInThrottle, key)
        now = utcnow()
        if row is None:
            row = SignInThrottle(key=key, failures=0, window_started_at=now)
            db.session.add(row)
        elif as_utc(row.window_started_at) < now - WINDOW * 4:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        delay = block_for(row.failures)
        row.blocked_until = now + delay if delay else None

    def reset(self, key: str) -> None:
        db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))


class RedisStore:
    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    def get(self, key: str) -> tuple[int, datetime | None]:
        failures, blocked = self.redis.mget(f"caseflow:{key}:n", f"caseflow:{key}:until")
        until = datetime.fromtimestamp(float(blocked), UTC) if blocked else None
        return int(failures or 0), until

    def add_failure(self, key: str, block_for: Callable[[int], timedelta]) -> None:
        pipe = self.redis.pipeline()
        pipe.incr(f"caseflow:{key}:n")
        pipe.expire(f"caseflow:{key}:n", int((WINDOW * 4).total_seconds()))
        failures = pipe.execute()[0]
        delay = block_for(failures)
        if delay:
            until = (utcnow() + delay).timestamp()
            self.redis.set(f"caseflow:{key}:until", until, ex=int(delay.total_seconds()) + 1)

    def reset(self, key: str) -> None:
        self.redis.delete(f"caseflow:{key}:n", f"caseflow:{key}:until")


def store():
    url = current_app.config.get("REDIS_URL")
    return RedisStore(url) if url else DatabaseStore()


def _address_over_ceiling(failures: int) -> timedelta:
    # For an address, the "blocked until" time marks how long its accounts get no free mistakes.
    return WINDOW if failures >= ADDRESS_CEILING else timedelta(0)


def check(email: str) -> Verdict:
    """How long before another attempt on this account is allowed (the address never refuses)."""
    _, blocked_until = store().get(account_key(email))
    now = utcnow()
    if blocked_until is None or blocked_until <= now:
        return Verdict(0)
    return Verdict(int((blocked_until - now).total_seconds()) + 1)


def record_failure(email: str, address: str | None) -> None:
    """A wrong password or code for this email (known or not), from this address."""
    backend = store()
    backend.add_failure(address_key(address), _address_over_ceiling)
    _, over_ceiling_until = backend.get(address_key(address))
    over_ceiling = over_ceiling_until is not None and over_ceiling_until > utcnow()
    backend.add_failure(
        account_key(email),
        lambda failures: account_delay(failures, address_over_ceiling=over_ceiling),
    )


def record_success(email: str) -> None:
    store().reset(account_key(email))


def wait_advice(verdict: Verdict) -> str:
    """'Wait 2 minutes, then try again': whole minutes, rounded up."""
    minutes = max(1, -(-verdict.wait_seconds // 60))
    return f"Wait {minutes} {'minute' if minutes == 1 else 'minutes'}, then try again"


def request_address() -> str | None:
    """The address of the request being answered, for steps that happen after sign-in."""
    return request.remote_addr if has_request_context() else None
