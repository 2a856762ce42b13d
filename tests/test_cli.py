from sqlalchemy import select

import config
from caseflow import create_app
from caseflow.audit.models import AuditEvent
from caseflow.auth.services import user_by_email
from caseflow.extensions import db
from caseflow.security import passwords
from tests.factories import OrganisationFactory
from tests.outbox import token_of


def test_create_user_sets_no_password_and_emails_a_set_up_link(app, outbox):
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
        ]
    )
    assert result.exit_code == 0, result.output
    user = user_by_email("new.keyworker@test.caseflow.test")
    assert user.role == "keyworker" and user.organisation_id == organisation.id
    assert user.password_hash is None
    link = outbox.latest_link(user.email)
    assert "emailed to them" in result.output
    assert str(outbox.folder) in result.output  # development: where to find the email
    assert token_of(link) not in result.output and "/set-up/" not in result.output
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(user.id)).order_by(AuditEvent.id)
    ).all()
    assert [(row.action, row.user_id) for row in rows] == [
        ("create", None),
        ("send_set_up_link", None),
    ]


def test_create_user_takes_no_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "a@test.caseflow.test", "--password", "x" * 20]
    )
    assert result.exit_code != 0 and "No such option '--password'" in result.output


def test_create_user_refuses_an_unknown_organisation_and_a_role_that_does_not_fit(app, outbox):
    runner = app.test_cli_runner()
    arguments = ["create-user", "--email", "a@test.caseflow.test", "--name", "A", "--role"]
    result = runner.invoke(args=[*arguments, "keyworker", "--organisation", "Nowhere"])
    assert result.exit_code != 0 and "No organisation called" in result.output
    OrganisationFactory(name="Somewhere", kind="prison")
    db.session.commit()
    result = runner.invoke(args=[*arguments, "keyworker", "--organisation", "Somewhere"])
    assert result.exit_code != 0
    assert "Keyworker accounts must belong to a community treatment provider" in result.output
    assert user_by_email("a@test.caseflow.test") is None
    assert outbox.messages() == []


def test_demo_data_is_repeatable(app, tmp_path, monkeypatch, outbox):
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
    # The demo accounts are ready to use without set-up links; the outbox is named for the rest.
    admin = user_by_email("admin@demo.caseflow.test")
    assert passwords.verify_password(admin.password_hash, password)
    assert admin.totp_secret and admin.totp_secret in first.output
    assert str(outbox.folder) in first.output


def test_demo_data_is_refused_in_production(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "y" * 40)
    monkeypatch.setenv("CASEFLOW_FIELD_KEYS", f"k1:{config.new_key()}")
    monkeypatch.setenv("CASEFLOW_BLIND_INDEX_KEY", config.new_key())
    monkeypatch.setenv("CASEFLOW_AUDIT_CHAIN_KEY", config.new_key())
    monkeypatch.setenv("NOTIFY_API_KEY", "caseflow_test-not-a-real-key")
    monkeypatch.setenv("NOTIFY_SETUP_TEMPLATE_ID", "set-up-template-id")
    monkeypatch.setenv("CASEFLOW_BASE_URL", "https://caseflow.example.test")
    production = create_app("production")
    with production.app_context():  # the command runs in this app, not the suite's
        result = production.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code != 0, result.output
    assert "never loaded in production" in result.output
