"""Throttling: a growing delay per account, a high ceiling per address, nobody locks out others."""

import uuid
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from caseflow.extensions import db
from caseflow.security import throttle
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token, error_messages


def attempt(client, email, password, address="10.0.0.1"):
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )
    return response, error_messages(BeautifulSoup(response.data, "html.parser"))


def test_the_delay_grows_and_is_capped():
    assert [throttle.account_delay(n).total_seconds() for n in range(1, 8)] == [
        0,
        0,
        30,
        60,
        120,
        240,
        480,
    ]
    assert throttle.account_delay(40) == timedelta(minutes=15)


def test_repeated_failures_delay_that_account_only(client, app):
    victim = UserFactory()
    bystander = UserFactory()
    db.session.commit()
    for _ in range(3):
        attempt(client, victim.email, "wrong password entirely")
    response, messages = attempt(client, victim.email, TEST_PASSWORD)
    assert response.status_code == 200
    assert messages and messages[0].startswith("Too many attempts to sign in to this account")
    # The same address, another account: unaffected.
    response, messages = attempt(client, bystander.email, TEST_PASSWORD)
    assert response.status_code == 302 and messages == []


def test_a_shared_address_has_only_a_high_ceiling(client, app, monkeypatch):
    people = [UserFactory() for _ in range(3)]
    db.session.commit()
    for person in people:
        for _ in range(2):
            attempt(client, person.email, "not their password", address="10.9.9.9")
    # Six failures from one prison's address: another person there still signs in.
    other = UserFactory()
    db.session.commit()
    response, _ = attempt(client, other.email, TEST_PASSWORD, address="10.9.9.9")
    assert response.status_code == 302
    monkeypatch.setattr(throttle, "ADDRESS_CEILING", 7)
    attempt(client, "nobody@test.caseflow.test", "whatever password", address="10.9.9.9")
    response, messages = attempt(client, other.email, TEST_PASSWORD, address="10.9.9.9")
    assert response.status_code == 200 and messages[0].startswith("Too many attempts")


def test_a_successful_sign_in_clears_the_account_count(client):
    user = UserFactory()
    db.session.commit()
    for _ in range(2):
        attempt(client, user.email, "wrong password entirely")
    response, _ = attempt(client, user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert throttle.store().get(throttle.account_key(user.email))[0] == 0


def test_the_table_never_holds_what_was_typed(client):
    from sqlalchemy import select

    from caseflow.auth.models import SignInThrottle

    attempt(client, "typed-my-password-here@test.caseflow.test", "wrong password entirely")
    keys = db.session.scalars(select(SignInThrottle.key)).all()
    assert keys and not any("typed" in key for key in keys)


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
def test_limits_are_kept_in_redis_when_configured(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/15")
    email = f"{uuid.uuid4().hex}@test.caseflow.test"
    store = throttle.store()
    assert isinstance(store, throttle.RedisStore)
    try:
        for _ in range(4):
            throttle.record_failure(email, "10.1.1.1")
        assert not throttle.check(email, "10.1.1.1").allowed
        assert throttle.check(f"other-{email}", "10.1.1.1").allowed
        throttle.record_success(email)
        assert throttle.check(email, "10.1.1.1").allowed
    finally:
        store.reset(throttle.account_key(email))
        store.reset(throttle.address_key("10.1.1.1"))
