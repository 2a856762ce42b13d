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


def test_a_shared_address_has_only_a_high_ceiling(client, app):
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
        assert not throttle.check(email).allowed
        assert throttle.check(f"other-{email}").allowed
        throttle.record_success(email)
        assert throttle.check(email).allowed
    finally:
        store.reset(throttle.account_key(email))
        store.reset(throttle.address_key("10.1.1.1"))


# The per-address ceiling -----------------------------------------------------------------


@pytest.fixture(params=["database", "redis"])
def each_store(request, app, monkeypatch):
    """Runs the test against the database store, then against Redis; cleans only its own keys."""
    made: list[str] = []
    if request.param == "redis":
        if not _redis_reachable():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/15")
    yield made
    if request.param == "redis":
        backend = throttle.RedisStore(app.config["REDIS_URL"])
        for key in made:
            backend.reset(key)


def flood_of_unknown_emails(address: str, count: int, made: list[str]) -> None:
    """What sign-in records for each failure: one count on the email tried, one on the address."""
    made.append(throttle.address_key(address))
    for _ in range(count):
        email = f"{uuid.uuid4().hex}@nobody.caseflow.test"
        made.append(throttle.account_key(email))
        throttle.record_failure(email, address)
    db.session.commit()


def a_prison_address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_a_flood_from_a_shared_address_does_not_refuse_a_correct_password(client, app, each_store):
    address = a_prison_address()
    flood_of_unknown_emails(address, throttle.ADDRESS_CEILING + 5, each_store)
    colleague = UserFactory()
    db.session.commit()
    each_store.append(throttle.account_key(colleague.email))
    response, messages = attempt(client, colleague.email, TEST_PASSWORD, address=address)
    assert messages == []
    assert response.headers["Location"] == "/sign-in/code"


def test_over_the_ceiling_the_flood_is_slowed_from_its_first_mistake(client, app, each_store):
    address = a_prison_address()
    flood_of_unknown_emails(address, throttle.ADDRESS_CEILING, each_store)
    known = UserFactory()
    db.session.commit()
    unknown = f"{uuid.uuid4().hex}@nobody.caseflow.test"
    each_store.extend([throttle.account_key(known.email), throttle.account_key(unknown)])

    # One mistake each: the same answer for an account that exists and one that does not.
    both = (known.email, unknown)
    first = [attempt(client, email, "not the password", address=address)[1] for email in both]
    assert first == [["Enter a correct email address and password"]] * 2

    # Below the ceiling two mistakes are free; over it, the next attempt waits 30 seconds
    # (shown as 1 minute) even with the right password, and again the same for both.
    after = [attempt(client, email, TEST_PASSWORD, address=address) for email in both]
    assert [response.status_code for response, _ in after] == [200, 200]
    assert after[0][1] == after[1][1]
    assert after[0][1][0].startswith("Too many attempts to sign in to this account. Wait 1 minute")

    # From an address under the ceiling a mistake is still free.
    other_address = a_prison_address()
    each_store.append(throttle.address_key(other_address))
    quiet = UserFactory()
    db.session.commit()
    each_store.append(throttle.account_key(quiet.email))
    attempt(client, quiet.email, "not the password", address=other_address)
    response, messages = attempt(client, quiet.email, TEST_PASSWORD, address=other_address)
    assert messages == [] and response.status_code == 302
