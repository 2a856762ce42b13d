"""Scheduled work from one entry point (caseflow.jobs), and the day 7/14/21 reminders."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow import jobs
from caseflow.audit import checkpoints
from caseflow.audit import services as audit
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.notifications import Notification
from caseflow.referrals.reminders import send_due_reminders
from caseflow.security.access import Role
from tests.factories import ReferralFactory, UserFactory, provider_serving

RELEASED = local_today() - timedelta(days=60)


def held_referral(status="sent", **fields):
    """A referral held by a provider with two active keyworkers, one former and a manager."""
    provider = provider_serving()
    keyworkers = [UserFactory(role=Role.KEYWORKER, organisation=provider) for _ in range(2)]
    UserFactory(role=Role.KEYWORKER, organisation=provider, active=False)
    UserFactory(role=Role.MANAGER, organisation=provider)
    referral = ReferralFactory(
        status=status,
        provider_id=provider.id,
        episode__actual_release_date=RELEASED,
        episode__expected_release_date=RELEASED,
        **fields,
    )
    db.session.flush()
    return referral, {user.id for user in keyworkers}


def reminders_for(referral) -> list[tuple]:
    return sorted(
        db.session.execute(
            select(Notification.kind, Notification.user_id).where(
                Notification.record_id == referral.id
            )
        ).all()
    )


def on_day(day: int) -> int:
    return send_due_reminders(today=RELEASED + timedelta(days=day))


def test_the_holding_teams_keyworkers_are_reminded_on_day_7_14_and_21_once_each(app):
    referral, keyworkers = held_referral()
    assert on_day(6) == 0
    assert on_day(7) == 1
    assert on_day(7) == 0  # run again the same day: nothing more
    assert on_day(8) == 0
    assert {user for _kind, user in reminders_for(referral)} == keyworkers
    assert [kind for kind, _user in reminders_for(referral)] == ["reminder_7"] * 2
    assert on_day(14) == 1
    assert on_day(21) == 1
    assert on_day(22) == 0
    assert on_day(28) == 0
    kinds = [kind for kind, _user in reminders_for(referral)]
    assert sorted(set(kinds)) == ["reminder_14", "reminder_21", "reminder_7"]
    assert len(kinds) == 6  # three days, two keyworkers, each once


def test_an_accepted_referral_is_reminded_about_too(app):
    referral, keyworkers = held_referral(status="accepted")
    assert on_day(14) == 1
    assert {user for _kind, user in reminders_for(referral)} == keyworkers


@pytest.mark.parametrize("status", ["engaged", "rejected", "withdrawn", "closed", "draft"])
def test_no_reminder_once_treatment_started_or_the_referral_is_not_held(app, status):
    fields = {"treatment_start_date": RELEASED + timedelta(days=2)} if status == "engaged" else {}
    referral, _ = held_referral(status=status, **fields)
    assert [on_day(day) for day in (7, 14, 21)] == [0, 0, 0]
    assert reminders_for(referral) == []


def test_a_missed_day_is_caught_up_within_its_week_only(app):
    late, _ = held_referral()
    assert on_day(10) == 1  # the job did not run on day 7
    assert [kind for kind, _ in reminders_for(late)] == ["reminder_7"] * 2
    assert on_day(35) == 0  # long past day 21: no first reminder at all


def test_the_reminder_says_what_it_is_about_in_the_notifications_list(app):
    from caseflow.notifications import notifications_for

    _referral, keyworkers = held_referral()
    on_day(21)
    keyworker = db.session.get(UserFactory._meta.model, sorted(keyworkers)[0])
    [row] = notifications_for(keyworker)
    assert "21 days since release" in row.message


def test_jobs_list_names_every_job(app):
    result = app.test_cli_runner().invoke(args=["jobs", "list"])
    assert result.exit_code == 0, result.output
    for name in ("purge-drafts", "reminders", "audit-partitions", "audit-checkpoint"):
        assert name in result.output


def test_run_all_runs_every_job_and_a_failure_stops_none_of_the_others(app, monkeypatch):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run-all"])
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines()] == list(jobs.JOBS)

    def broken():
        raise RuntimeError("the reminders' database went away")

    monkeypatch.setitem(jobs.JOBS, "reminders", jobs.Job("reminders", "broken", broken))
    result = runner.invoke(args=["jobs", "run-all"])
    assert result.exit_code == 1
    assert "reminders: FAILED" in result.output
    assert "audit-checkpoint:" in result.output  # the last job still ran


def test_the_checkpoint_job_publishes_the_head_once_it_has_moved(app, tmp_path, monkeypatch):
    path = tmp_path / "checkpoints.jsonl"
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", str(path))
    monkeypatch.setitem(app.extensions, checkpoints.STATE_KEY, checkpoints.Publisher())
    event = audit.record("view", entity_type="page", entity_id="job")
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["jobs", "run", "audit-checkpoint"]).exit_code == 0
    [line] = [json.loads(text) for text in path.read_text().splitlines()]
    assert line["last_id"] == event.id
    result = runner.invoke(args=["jobs", "run", "audit-checkpoint"])
    assert "published_up_to_id None" in result.output  # nothing new: nothing published
    assert len(path.read_text().splitlines()) == 1
