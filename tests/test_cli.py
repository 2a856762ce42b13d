import config
from caseflow import create_app
from caseflow.auth.services import user_by_email
from caseflow.extensions import db
from tests.factories import OrganisationFactory


def test_create_user(app):
    organisation = OrganisationFactory(
        name="CLI Test Provider", kind="community_treatment_provider"
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "New.Keyworker@Test.Caseflow.test",
            "--name",
            "New Keyworker",
            "--role",
            "keyworker",
            "--organisation",
            organisation.name,
            "--password",
            "a long enough passphrase here",
        ]
    )
    assert result.exit_code == 0, result.output
    user = user_by_email("new.keyworker@test.caseflow.test")
    assert user.role == "keyworker" and user.organisation_id == organisation.id
    assert user.password_hash.startswith("$argon2id$")


def test_create_user_refuses_a_weak_password_and_an_unknown_organisation(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@test.caseflow.test",
            "--name",
            "A",
            "--role",
            "keyworker",
            "--organisation",
            "Nowhere",
            "--password",
            "x" * 20,
        ]
    )
    assert result.exit_code != 0 and "No organisation called" in result.output
    OrganisationFactory(name="Somewhere")
    db.session.commit()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@test.caseflow.test",
            "--name",
            "A",
            "--role",
            "keyworker",
            "--organisation",
            "Somewhere",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0 and "15 characters or more" in result.output


def test_demo_data_is_repeatable(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data", "--people", "12"])
    assert first.exit_code == 0, first.output
    assert "Demo data loaded." in first.output
    assert "admin@demo.caseflow.test" in first.output
    second = runner.invoke(args=["demo-data", "--people", "12"])
    assert "already present; nothing loaded" in second.output
    password = (tmp_path / "demo-password.txt").read_text().strip()
    assert first.output.count(password) == second.output.count(password) >= 8


def test_demo_data_is_refused_in_production(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "y" * 40)
    monkeypatch.setenv("CASEFLOW_FIELD_KEYS", f"k1:{config.new_key()}")
    monkeypatch.setenv("CASEFLOW_BLIND_INDEX_KEY", config.new_key())
    monkeypatch.setenv("CASEFLOW_AUDIT_CHAIN_KEY", config.new_key())
    production = create_app("production")
    with production.app_context():  # the command runs in this app, not the suite's
        result = production.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code != 0, result.output
    assert "never loaded in production" in result.output
