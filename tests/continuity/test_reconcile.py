"""The measure recomputed from the audit log alone agrees with the records (the service the
dashboard and the report use), and names a release whose record was changed without its audit
event (DOMAIN.md, "The measure is auditable"). The cohort is made through the services, so every
fact is in the log as it would be in use."""

import json
from datetime import date

from sqlalchemy import Uuid, bindparam, select, text

from caseflow.audit.models import AuditEvent
from caseflow.continuity import periods, reconcile, services
from caseflow.continuity.services import Scope
from caseflow.extensions import db
from caseflow.people import after_release, custody
from caseflow.referrals.services import handover as referrals
from tests.continuity.cohort import BIRMINGHAM, PLYMOUTH, partnership
from tests.factories import UserFactory, person_in_custody_at, provider_serving

MARCH = periods.parse("2026-03")
AFTER = date(2026, 6, 1)


class Cohort:
    """A prison, two Birmingham providers and their keyworkers, releasing people through the
    services."""

    def __init__(self):
        self.nurse = UserFactory(role="prison_healthcare")
        self.first = provider_serving(BIRMINGHAM)
        self.second = provider_serving(BIRMINGHAM)
        self.keyworkers = {
            provider.id: UserFactory(role="keyworker", organisation=provider)
            for provider in (self.first, self.second)
        }

    def release(self, on: date, *, destination=BIRMINGHAM, release_type="licence"):
        person = person_in_custody_at(self.nurse.organisation)
        episode = person.episodes[0]
        episode.destination_local_authority_code = destination
        db.session.flush()
        return custody.record_release(
            self.nurse,
            person.id,
            episode.id,
            version=episode.version,
            actual_release_date=on,
            release_type=release_type,
            unplanned_release=False,
            reason="Released as planned",
        )

    def refer(self, episode, provider=None):
        provider = provider or self.first
        referral = referrals.create_referral(
            self.nurse,
            episode.person_id,
            provider_id=provider.id,
            consent="given",
            substance_group="opiate",
            opioid_medicine="none",
        )
        referrals.change_status(self.nurse, referral.id, "send")
        return referral

    def start(self, referral, on: date, provider=None):
        keyworker = self.keyworkers[(provider or self.first).id]
        referrals.change_status(keyworker, referral.id, "accept")
        referrals.change_status(keyworker, referral.id, "engage", treatment_start_date=on)


def build_march(cohort: Cohort) -> dict:
    made = {}
    made["met"] = cohort.release(date(2026, 3, 2))
    cohort.start(cohort.refer(made["met"]), date(2026, 3, 9))
    made["redirected"] = cohort.release(date(2026, 3, 3))
    moved = cohort.refer(made["redirected"])
    referrals.change_status(
        cohort.nurse, moved.id, "redirect", provider_id=cohort.second.id, reason="Moved area"
    )
    cohort.start(moved, date(2026, 3, 24), provider=cohort.second)  # day 21
    made["not_met"] = cohort.release(date(2026, 3, 4))
    cohort.refer(made["not_met"])
    made["died"] = cohort.release(date(2026, 3, 5))
    after_release.record_death(
        cohort.nurse,
        made["died"].person_id,
        version=made["died"].person.version,
        date_of_death=date(2026, 3, 12),
        source="coroner",
    )
    made["removed"] = cohort.release(date(2026, 3, 6))
    after_release.record_removal(
        cohort.nurse,
        made["removed"].person_id,
        version=made["removed"].version,
        removed_on=date(2026, 3, 8),
    )
    made["deported"] = cohort.release(date(2026, 3, 7), release_type="deported")
    made["elsewhere"] = cohort.release(date(2026, 3, 8), destination=PLYMOUTH)
    db.session.flush()
    return made


def behind_the_logs_back(sql: str, **values) -> None:
    """Change a record in SQL, with no audit event: what reconcile is there to catch."""
    statement = text(sql).bindparams(bindparam("episode", type_=Uuid))
    db.session.execute(statement, values)
    db.session.expire_all()


def test_the_log_agrees_with_the_records(app):
    build_march(Cohort())
    found = reconcile.reconcile(MARCH, today=AFTER)
    assert found.differences == []
    assert found.agrees
    # by hand: met (day 7, and day 21 after a redirect) 2, not met 2 (no start; Plymouth, no
    # start), excluded 3 (died, removed, deported)
    assert found.log.as_dict() == {
        "cohort": 4,
        "met": 2,
        "not_met": 2,
        "pending": 0,
        "excluded": 3,
        "rate": 0.5,
        "provisional": False,
    }
    assert found.records == services.headline(Scope.national(), MARCH, today=AFTER).figures


def test_a_partnership_is_reconciled_on_its_own_releases(app):
    build_march(Cohort())
    birmingham = partnership(BIRMINGHAM)
    found = reconcile.reconcile(MARCH, birmingham, today=AFTER)
    assert found.agrees
    assert (found.log.cohort, found.log.not_met) == (3, 1)


def test_a_record_changed_without_its_audit_event_is_named(app):
    made = build_march(Cohort())
    episode = made["met"]
    # The treatment start moved to day 30 behind the log's back.
    behind_the_logs_back(
        "UPDATE referrals SET treatment_start_date = :day WHERE episode_id = :episode",
        day=date(2026, 4, 1),
        episode=episode.id,
    )
    found = reconcile.reconcile(MARCH, today=AFTER)
    assert not found.agrees
    [difference] = found.differences
    assert difference.episode_id == episode.id
    assert difference.records == ("not_met", None)
    assert difference.log.outcome == "met"
    engaged = db.session.scalars(
        select(AuditEvent.id)
        .where(AuditEvent.action == "update", AuditEvent.entity_type == "referral")
        .where(AuditEvent.person_id == episode.person_id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert difference.log.event == engaged
    assert str(episode.id) in difference.describe()
    assert f"audit event {engaged}" in difference.describe()


def test_the_report_command_prints_the_headline_as_json(app):
    build_march(Cohort())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["continuity", "report", "--period", "2026-03", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    for name in ("cohort", "met", "not_met", "pending", "excluded", "rate", "provisional"):
        assert name in printed
    assert (printed["cohort"], printed["met"], printed["excluded"]) == (4, 2, 3)
    assert printed["provisional"] is False


def test_the_report_command_refuses_what_is_not_a_period_or_a_partnership(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["continuity", "report", "--period", "2026-13"])
    assert result.exit_code != 0 and "Write a period like 2026-03" in result.output
    result = runner.invoke(
        args=["continuity", "report", "--period", "2026-03", "--partnership", "Nowhere"]
    )
    assert result.exit_code != 0 and "No partnership called" in result.output


def test_the_reconcile_command_names_the_difference_and_fails(app):
    made = build_march(Cohort())
    behind_the_logs_back(
        "UPDATE custody_episodes SET removed_from_country_on = NULL WHERE id = :episode",
        episode=made["removed"].id,
    )
    result = app.test_cli_runner().invoke(args=["continuity", "reconcile", "--period", "2026-03"])
    assert result.exit_code == 1
    assert str(made["removed"].id) in result.output
    assert "excluded (removed)" in result.output
