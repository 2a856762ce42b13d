"""Flask commands. Each calls the same services the pages use."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from caseflow.audit.cli import audit_cli
from caseflow.backups import backup_cli
from caseflow.continuity.cli import continuity_cli
from caseflow.extensions import db
from caseflow.jobs import jobs_cli
from caseflow.security.access import Role
from caseflow.security.rotation import keys_group


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(sorted(role.value for role in Role)), required=True)
@click.option("--organisation", "organisation_name", required=True, help="Exact organisation name")
@with_appcontext
def create_user_command(email, display_name, role, organisation_name):
    """Create a staff account and email its owner a link to choose their password.

    Nobody running this command chooses or sees a password, or the link.
    """
    from caseflow.domain import InvalidChange
    from caseflow.organisations.accounts import add_user
    from caseflow.organisations.services import organisation_by_name

    organisation = organisation_by_name(organisation_name)
    if organisation is None:
        raise click.ClickException(f"No organisation called {organisation_name!r}")
    try:
        user = add_user(
            None,
            email=email,
            display_name=display_name,
            role=role,
            organisation_id=organisation.id,
        )
    except InvalidChange as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role_name}, {organisation.name}).")
    click.echo("A link to choose a password has been emailed to them: it works once, for 24 hours.")
    _echo_outbox()


def _echo_outbox() -> None:
    """Where development's emails are, since they are written to files rather than sent."""
    from caseflow.notify import OUTBOX, outbox_dir

    if current_app.config["EMAIL_DELIVERY"] == OUTBOX:
        click.echo(f"Emails are not sent from this machine: each is a file in {outbox_dir()}")


@click.command("demo-data")
@click.option("--people", default=300, show_default=True, help="How many synthetic people")
@with_appcontext
def demo_data_command(people):
    """Load synthetic West Midlands demo data (repeatable; refused in production)."""
    from caseflow import demo

    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is never loaded in production")
    loaded = demo.load(people=people)
    db.session.commit()
    click.echo("Demo data loaded." if loaded else "Demo data already present; nothing loaded.")
    click.echo("")
    click.echo("Demo sign-ins (synthetic accounts, this machine only):")
    click.echo(f"  {'role':<27} {'email':<40} {'password':<26} authenticator seed")
    for line in demo.credentials():
        click.echo(f"  {line}")
    click.echo("")
    click.echo("Add a seed to an authenticator app, or print the current code with")
    click.echo("  .venv/bin/flask --app wsgi demo-code EMAIL")
    click.echo("")
    click.echo("New accounts and password resets email a one-time set-up link.")
    _echo_outbox()


@click.command("demo-code")
@click.argument("email")
@with_appcontext
def demo_code_command(email):
    """Print the current sign-in code of a demo account (refused in production)."""
    import time

    from caseflow.auth.services import user_by_email
    from caseflow.security import mfa

    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo codes are never available in production")
    user = user_by_email(email)
    if user is None or not email.endswith("@demo.caseflow.test") or not user.totp_secret:
        raise click.ClickException("Not a demo account with an authenticator set up")
    click.echo(mfa.code_for_step(user.totp_secret, int(time.time() // mfa.STEP_SECONDS)))


@click.command("purge-drafts")
@click.option("--apply", is_flag=True, help="Delete them; without this, only count them")
@with_appcontext
def purge_drafts_command(apply):
    """Delete draft referrals never sent and untouched for 90 days (a dry run by default)."""
    from caseflow.referrals.services.deletion import purge_old_drafts

    count = purge_old_drafts(apply=apply)
    db.session.commit()
    if apply:
        click.echo(f"Deleted {count} draft referrals untouched for 90 days.")
    else:
        click.echo(
            f"{count} draft referrals untouched for 90 days. Run with --apply to delete them."
        )


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(demo_code_command)
    app.cli.add_command(purge_drafts_command)
    app.cli.add_command(keys_group)
    app.cli.add_command(audit_cli)
    app.cli.add_command(continuity_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(backup_cli)
