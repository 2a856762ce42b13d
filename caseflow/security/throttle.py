"""Sign-in throttling: a growing delay per account, and only a high ceiling per address.

A whole prison may share one outgoing address, so the per-address limit is generous; one
person's mistakes delay only attempts on their own account. Counts are kept in Redis when
REDIS_URL is configured (production, several servers), otherwise in the database.
Keys are hashes: the table never holds what someone typed as an email address.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from caseflow.auth.models import SignInThrottle
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


def account_delay(failures: int) -> timedelta:
    """Nothing for the first few mistakes, then 30 s, 1 min, 2 min... up to 15 minutes."""
    if failures < FREE_ACCOUNT_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=30 * 2 ** (failures - FREE_ACCOUNT_FAILURES)), MAX_ACCOUNT_DELAY)


class DatabaseStore:
    def get(self, key: str) -> tuple[int, datetime | None]:
        row = db.session.get(SignInThrottle, key)
        if row is None or _aware(row.window_started_at) < utcnow() - WINDOW * 4:
            return 0, None
        return row.failures, _aware(row.blocked_until) if row.blocked_until else None

    def add_failure(self, key: str, block_for: "callable") -> None:
        row = db.session.get(SignInThrottle, key)
        now = utcnow()
        if row is None:
            row = SignInThrottle(key=key, failures=0, window_started_at=now)
            db.session.add(row)
        elif _aware(row.window_started_at) < now - WINDOW * 4:
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

    def add_failure(self, key: str, block_for) -> None:
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


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def store():
    url = current_app.config.get("REDIS_URL")
    return RedisStore(url) if url else DatabaseStore()


def _address_block(failures: int) -> timedelta:
    return WINDOW if failures >= ADDRESS_CEILING else timedelta(0)


def check(email: str, address: str | None) -> Verdict:
    """How long before another attempt on this account from this address is allowed."""
    now = utcnow()
    waits = []
    backend = store()
    for key in (account_key(email), address_key(address)):
        _, blocked_until = backend.get(key)
        if blocked_until and blocked_until > now:
            waits.append((blocked_until - now).total_seconds())
    return Verdict(int(max(waits, default=0)) + (1 if waits else 0))


def record_failure(email: str, address: str | None) -> None:
    backend = store()
    backend.add_failure(account_key(email), account_delay)
    backend.add_failure(address_key(address), _address_block)


def record_success(email: str) -> None:
    store().reset(account_key(email))
