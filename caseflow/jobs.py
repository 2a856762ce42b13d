"""Scheduled work, from one entry point for cron or a job runner: ``flask jobs run NAME``.

    flask --app wsgi jobs list              the jobs and what each does
    flask --app wsgi jobs run NAME [NAME]   run those jobs, each in a transaction of its own
    flask --app wsgi jobs run-all           run every job (what a runner calling one thing uses)

Every job is idempotent, so running one again, late or twice at once does no harm and a
missed run is made up by the next: the schedule in README.md is how often each is worth doing,
not a condition of being right. Each job ends in one log line (``job done`` or ``job failed``
with the job's name and counts or the error's class, never a record's content); the command
exits 1 if any job failed, after running the rest, so cron mails or the runner retries.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import AppGroup

from caseflow.extensions import db

logger = logging.getLogger("caseflow.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    does: str
    run: Callable[[], dict]  # what it did, as counts (no personal values)


def _purge_drafts() -> dict:
    from caseflow.referrals.services.deletion import purge_old_drafts

    return {"drafts_deleted": purge_old_drafts(apply=True)}


def _audit_checkpoint() -> dict:
    from caseflow.audit.checkpoints import publish_head

    checkpoint = publish_head(current_app._get_current_object())
    return {"published_up_to_id": checkpoint.last_id if checkpoint else None}


def _audit_partitions() -> dict:
    from caseflow.audit.partitions import make_ahead

    return {"partitions_made": make_ahead()}


def _continuity_months() -> dict:
    from caseflow.continuity.rollups import roll

    return roll()


def _reminders() -> dict:
    from caseflow.referrals.reminders import send_due_reminders

    return {"referrals_reminded": send_due_reminders()}


JOBS = {
    job.name: job
    for job in (
        Job(
            "purge-drafts",
            "Delete draft referrals never sent and untouched for 90 days",
            _purge_drafts,
        ),
        Job(
            "reminders",
            "Tell the holding team on day 7, 14 and 21 after release while treatment has not "
            "started",
            _reminders,
        ),
        Job(
            "audit-partitions",
            "Make this month's and next month's audit log partitions (PostgreSQL)",
            _audit_partitions,
        ),
        Job(
            "continuity-months",
            "Count the continuity measure's settled months that changed or are not yet counted",
            _continuity_months,
        ),
        # Last: it publishes the head after the other jobs' own audit rows.
        Job(
            "audit-checkpoint",
            "Publish the audit chain's head if it moved since the last checkpoint",
            _audit_checkpoint,
        ),
    )
}


def run(name: str) -> dict | None:
    """Run one job and commit what it did; its counts, or None if it failed (rolled back)."""
    job = JOBS[name]
    started = time.perf_counter()
    try:
        done = job.run()
        db.session.commit()
    except Exception as error:  # one job's failure must not stop the others
        db.session.rollback()
        logger.error("job failed", extra={"job": name, "error": type(error).__name__})
        return None
    ms = round((time.perf_counter() - started) * 1000, 1)
    logger.info("job done", extra={"job": name, "ms": ms, **done})
    return done


jobs_cli = AppGroup("jobs", help="Scheduled work (cron or a job runner).")


@jobs_cli.command("list")
def list_command():
    """The jobs, in the order run-all runs them."""
    for job in JOBS.values():
        click.echo(f"{job.name:<18} {job.does}")


def _run_all_of(names) -> None:
    failed = []
    for name in names:
        done = run(name)
        if done is None:
            failed.append(name)
            click.echo(f"{name}: FAILED (see the log)", err=True)
        else:
            click.echo(f"{name}: " + ", ".join(f"{k} {v}" for k, v in done.items()))
    if failed:
        raise SystemExit(1)


@jobs_cli.command("run")
@click.argument("names", nargs=-1, required=True, type=click.Choice(list(JOBS)))
def run_command(names):
    """Run the named jobs, each in its own transaction."""
    _run_all_of(names)


@jobs_cli.command("run-all")
def run_all_command():
    """Run every job, each in its own transaction."""
    _run_all_of(JOBS)
