import pytest

import config
from caseflow import create_app
from tests.helpers import page


def test_production_refuses_to_start_without_database_and_keys(monkeypatch):
    for name in (
        "DATABASE_URL",
        "SECRET_KEY",
        "CASEFLOW_FIELD_KEYS",
        "CASEFLOW_BLIND_INDEX_KEY",
        "CASEFLOW_AUDIT_CHAIN_KEY",
        "CASEFLOW_KEY_FILE",
        "NOTIFY_API_KEY",
        "NOTIFY_SETUP_TEMPLATE_ID",
        "CASEFLOW_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(config.ConfigurationError) as error:
        create_app("production")
    message = str(error.value)
    for name in ("DATABASE_URL", "SECRET_KEY", "CASEFLOW_FIELD_KEYS", "CASEFLOW_BLIND_INDEX_KEY"):
        assert name in message


def test_production_refuses_to_start_without_gov_uk_notify_and_its_own_address(monkeypatch):
    """Set-up links go by GOV.UK Notify, and point at the configured address, never the Host
    header of whichever request sent them."""
    set_production_environment(monkeypatch)
    for name in ("NOTIFY_API_KEY", "NOTIFY_SETUP_TEMPLATE_ID", "CASEFLOW_BASE_URL"):
        monkeypatch.delenv(name)
        with pytest.raises(config.ConfigurationError) as error:
            create_app("production")
        assert str(error.value) == f"Caseflow will not start without: {name}"
        set_production_environment(monkeypatch)
    app = create_app("production")
    assert app.config["EMAIL_DELIVERY"] == "notify"
    assert app.config["BASE_URL"] == "https://caseflow.example.test"


def set_production_environment(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://caseflow@db.invalid/caseflow")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("CASEFLOW_FIELD_KEYS", f"k1:{config.new_key()}")
    monkeypatch.setenv("CASEFLOW_BLIND_INDEX_KEY", config.new_key())
    monkeypatch.setenv("CASEFLOW_AUDIT_CHAIN_KEY", config.new_key())
    monkeypatch.setenv("NOTIFY_API_KEY", "caseflow_test-not-a-real-key")
    monkeypatch.setenv("NOTIFY_SETUP_TEMPLATE_ID", "set-up-template-id")
    monkeypatch.setenv("CASEFLOW_BASE_URL", "https://caseflow.example.test")


def test_production_starts_with_everything_given(monkeypatch):
    set_production_environment(monkeypatch)
    app = create_app("production")
    assert app.config["DEMO_DATA_ALLOWED"] is False
    assert list(app.config["FIELD_KEYS"]) == ["k1"]


def test_field_keys_must_be_256_bits(monkeypatch):
    with pytest.raises(config.ConfigurationError):
        config.parse_field_keys("k1:c2hvcnQ=")


def test_development_creates_a_private_key_file(tmp_path, monkeypatch):
    key_file = tmp_path / "keys.json"
    monkeypatch.setenv("CASEFLOW_KEY_FILE", str(key_file))
    settings = config.DevelopmentConfig.load()
    assert key_file.exists()
    assert key_file.stat().st_mode & 0o077 == 0
    assert len(settings["FIELD_KEYS"]) == 1
    assert settings["BLIND_INDEX_KEY"] != next(iter(settings["FIELD_KEYS"].values()))


def test_sign_in_page_carries_the_layout(client):
    soup = page(client, "/sign-in")
    assert soup.find("a", class_="govuk-skip-link")["href"] == "#main-content"
    assert soup.select_one(".govuk-phase-banner")
    assert soup.select_one(".moj-header").get_text(strip=True).startswith("Caseflow")
    assert soup.find("input", {"name": "csrf_token"})
    assert soup.title.get_text().strip() == "Sign in - Caseflow"


def test_every_response_has_a_fresh_csp_nonce(client):
    first = client.get("/sign-in")
    second = client.get("/sign-in")
    policy = first.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert nonce not in second.headers["Content-Security-Policy"]
    assert f'nonce="{nonce}"'.encode() in first.data
    assert b"<script>" not in first.data  # every script carries the nonce


def test_security_headers(client):
    headers = client.get("/sign-in").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in headers["Strict-Transport-Security"]
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_unknown_page_is_a_plain_404(client):
    soup = page(client, "/no-such-page", status=404)
    assert soup.h1.get_text(strip=True) == "Page not found"


def test_unexpected_error_shows_no_traceback(app, caplog):
    error_app = create_app("test", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    from caseflow.security.access import PUBLIC, requires

    @error_app.route("/explode")
    @requires(PUBLIC)
    def explode():
        raise RuntimeError("secret detail NHS 9434765919")

    response = error_app.test_client().get("/explode")
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.data
    assert b"secret detail" not in response.data
    assert b"Traceback" not in response.data
    assert "9434765919" not in caplog.text


def test_health_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
