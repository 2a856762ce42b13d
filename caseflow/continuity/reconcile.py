"""The measure recomputed from the audit log alone, and compared with the records
(DOMAIN.md, "The measure is auditable").

The events that decide a cohort entry carry their dates and codes under ``detail["facts"]``
(``caseflow.audit.facts``): the release recorded or corrected (release date and type,
destination, age at release, treatment need), a destination or treatment need corrected, a
removal from the country, a death, a referral sent or redirected (the release it is for), a
treatment start recorded or corrected. Replaying them in the order they were written gives each
release's facts as the log knows them; the rules (``continuity.rules``, the same settings the
service uses) then give its outcome, in Python, apart from the SQL the dashboard uses. Any
release whose outcome differs is named, with the audit event that decides it in the log: so a
record changed without its audit event, or an event written without its change, shows up.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from caseflow.audit.facts import Fact
from caseflow.audit.models import AuditEvent
from caseflow.continuity import rules, services
from caseflow.continuity.periods import Period
from caseflow.continuity.rules import ExclusionReason, Outcome, Placement, Settings
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import organisation_areas

EPISODE = "custody_episode"
REFERRAL = "referral"
PERSON = "person"


@dataclass
class Release:
    """One release as the audit log tells it, with the id of the event behind each fact."""

    episode_id: uuid.UUID
    person_id: uuid.UUID | None = None
    release_date: date | None = None
    release_type: str | None = None
    destination: str | None = None
    age: int | None = None
    need: str | None = None
    removed_on: date | None = None
    events: dict[str, int] = field(default_factory=dict)  # fact -> audit event id


@dataclass
class Start:
    episode_id: uuid.UUID | None = None
    start: date | None = None
    event: int | None = None


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reason: str | None
    event: int | None  # the audit event that decides it
    because: str


@dataclass(frozen=True)
class Difference:
    episode_id: uuid.UUID
    records: tuple[str, str | None] | None  # what the records (the dashboard) say
    log: Verdict | None  # what the audit log says

    def describe(self) -> str:
        said = _said(self.records[0], self.records[1]) if self.records else "no cohort entry"
        if self.log is None:
            return (
                f"release {self.episode_id}: the records say {said}; the audit log holds no "
                "release in this period for it"
            )
        logged = _said(self.log.outcome, self.log.reason)
        event = f"audit event {self.log.event}" if self.log.event else "no audit event"
        return (
            f"release {self.episode_id}: the records say {said}, the audit log says {logged} "
            f"({self.log.because}; {event})"
        )


def _said(outcome: str, reason: str | None) -> str:
    return f"{outcome} ({reason})" if reason else outcome


@dataclass(frozen=True)
class Reconciliation:
    period: Period
    settings: Settings
    records: services.Figures
    log: services.Figures
    differences: list[Difference]

    @property
    def agrees(self) -> bool:
        return not self.differences and self.records == self.log


def _day(value) -> date | None:
    return date.fromisoformat(value) if value else None


def _replay(*only) -> tuple[dict, dict, dict]:
    """Releases, treatment starts by referral, and deaths by person, from the log (only the
    events ``only`` selects, when given: one case's)."""
    releases: dict[uuid.UUID, Release] = {}
    starts: dict[str, Start] = {}
    deaths: dict[uuid.UUID, tuple[date | None, int]] = {}
    rows = db.session.execute(
        select(
            AuditEvent.id,
            AuditEvent.entity_type,
            AuditEvent.entity_id,
            AuditEvent.person_id,
            AuditEvent.detail,
        )
        .where(
            AuditEvent.action == "update",
            AuditEvent.outcome == "success",
            AuditEvent.entity_type.in_((EPISODE, REFERRAL, PERSON)),
            *only,
        )
        .order_by(AuditEvent.id)
        .execution_options(yield_per=2000)
    )
    for event_id, entity_type, entity_id, person_id, detail in rows:
        facts = (detail or {}).get("facts")
        if not facts or not entity_id:
            continue
        if entity_type == EPISODE:
            release = releases.setdefault(uuid.UUID(entity_id), Release(uuid.UUID(entity_id)))
            release.person_id = person_id or release.person_id
            _apply_episode_facts(release, facts, event_id)
        elif entity_type == REFERRAL:
            start = starts.setdefault(entity_id, Start())
            if facts.get(Fact.EPISODE):
                start.episode_id = uuid.UUID(facts[Fact.EPISODE])
            if Fact.TREATMENT_START in facts:
                start.start = _day(facts[Fact.TREATMENT_START])
                start.event = event_id
        elif entity_type == PERSON and Fact.DATE_OF_DEATH in facts:
            deaths[person_id] = (_day(facts[Fact.DATE_OF_DEATH]), event_id)
    return releases, starts, deaths


def _apply_episode_facts(release: Release, facts: dict, event_id: int) -> None:
    if Fact.RELEASE_DATE in facts:
        release.release_date = _day(facts[Fact.RELEASE_DATE])
        release.release_type = facts.get(Fact.RELEASE_TYPE)
        release.age = facts.get(Fact.AGE_AT_RELEASE)
        for name in (Fact.RELEASE_DATE, Fact.RELEASE_TYPE, Fact.AGE_AT_RELEASE):
            release.events[name] = event_id
    if Fact.DESTINATION in facts:
        release.destination = facts[Fact.DESTINATION]
        release.events[Fact.DESTINATION] = event_id
    if Fact.TREATMENT_NEED in facts:
        release.need = facts[Fact.TREATMENT_NEED]
        release.events[Fact.TREATMENT_NEED] = event_id
    if Fact.REMOVED_FROM_COUNTRY in facts:
        release.removed_on = _day(facts[Fact.REMOVED_FROM_COUNTRY])
        release.events[Fact.REMOVED_FROM_COUNTRY] = event_id


def judge(
    release: Release,
    first_start: Start | None,
    death: tuple[date | None, int] | None,
    settings: Settings,
    today: date,
) -> Verdict | None:
    """The rules of DOMAIN.md applied to one release's logged facts; None: not in the cohort."""
    released = release.release_date
    window_end = released + timedelta(days=settings.window_days)
    release_event = release.events.get(Fact.RELEASE_DATE)
    if release.age is None or release.age < 18:
        return None
    if release.need not in settings.treatment_needs_in_cohort():
        return None
    placed = settings.release_types.get(release.release_type, Placement.NOT_IN_COHORT)
    if placed == Placement.NOT_IN_COHORT:
        return None
    if placed == Placement.EXCLUDED:
        return Verdict(Outcome.EXCLUDED, release.release_type, release_event, "release type")
    start = first_start.start if first_start else None
    start_event = first_start.event if first_start else None
    removed = release.removed_on
    if removed is not None and removed <= window_end:
        verdict = _after_release(settings, ExclusionReason.REMOVED, release, "removal recorded")
        if verdict is not False:
            return verdict
    died, death_event = death or (None, None)
    if died is not None and died <= window_end and (start is None or start > died):
        placement = settings.exclusion(ExclusionReason.DIED)
        if placement == Placement.EXCLUDED:
            return Verdict(Outcome.EXCLUDED, ExclusionReason.DIED, death_event, "death recorded")
        if placement == Placement.NOT_IN_COHORT:
            return None
    if start is not None and start <= window_end:
        return Verdict(Outcome.MET, None, start_event, f"treatment start {start.isoformat()}")
    if today <= window_end:
        return Verdict(Outcome.PENDING, None, release_event, "window open, no start logged")
    because = f"treatment start {start.isoformat()}" if start else "no treatment start logged"
    return Verdict(Outcome.NOT_MET, None, start_event or release_event, because)


def _after_release(settings, reason, release, because):
    placement = settings.exclusion(reason)
    if placement == Placement.EXCLUDED:
        return Verdict(
            Outcome.EXCLUDED, reason, release.events.get(Fact.REMOVED_FROM_COUNTRY), because
        )
    if placement == Placement.NOT_IN_COHORT:
        return None
    return False  # the rule does not apply: judge on


def _areas(partnership) -> set[str] | None:
    if partnership is None:
        return None
    return set(
        db.session.scalars(
            select(organisation_areas.c.local_authority_code).where(
                organisation_areas.c.organisation_id == partnership.id
            )
        )
    )


def log_outcomes(
    period: Period, partnership=None, today: date | None = None
) -> dict[uuid.UUID, Verdict]:
    """Every cohort entry of the period (excluded ones too), from the audit log alone."""
    today = today or local_today()
    settings = rules.settings_on(period.end)
    releases, starts, deaths = _replay()
    first = first_starts(releases, starts)
    areas = _areas(partnership)
    verdicts = {}
    for episode_id, release in releases.items():
        if release.release_date is None or not period.contains(release.release_date):
            continue
        if areas is not None and release.destination not in areas:
            continue
        verdict = judge(
            release, first.get(episode_id), deaths.get(release.person_id), settings, today
        )
        if verdict is not None:
            verdicts[episode_id] = verdict
    return verdicts


def first_starts(releases: dict, starts: dict) -> dict[uuid.UUID, Start]:
    """Each release's first logged treatment start on or after its release date."""
    first: dict[uuid.UUID, Start] = {}
    for start in starts.values():
        release = releases.get(start.episode_id) if start.episode_id else None
        if start.start is None or release is None or release.release_date is None:
            continue
        if start.start < release.release_date:
            continue  # before release: never a start for this release
        known = first.get(start.episode_id)
        if known is None or start.start < known.start:
            first[start.episode_id] = start
    return first


def _figures(outcomes) -> services.Figures:
    counts = {outcome: 0 for outcome in Outcome}
    for outcome in outcomes:
        counts[outcome] += 1
    return services.Figures(
        met=counts[Outcome.MET],
        not_met=counts[Outcome.NOT_MET],
        pending=counts[Outcome.PENDING],
        excluded=counts[Outcome.EXCLUDED],
    )


def reconcile(period: Period, partnership=None, today: date | None = None) -> Reconciliation:
    """The measure from the records (the service the dashboard uses) against the log's."""
    today = today or local_today()
    scope = services.Scope.of_partnership(partnership) if partnership else services.Scope.national()
    recorded = services.entry_outcomes(scope, period, today=today, from_records=True)
    logged = log_outcomes(period, partnership, today=today)
    differences = []
    for episode_id in sorted(set(recorded) | set(logged), key=str):
        records = recorded.get(episode_id)
        log = logged.get(episode_id)
        if records is None or log is None or records != (log.outcome, log.reason):
            differences.append(Difference(episode_id, records, log))
    return Reconciliation(
        period=period,
        settings=rules.settings_on(period.end),
        records=_figures(outcome for outcome, _ in recorded.values()),
        log=_figures(verdict.outcome for verdict in logged.values()),
        differences=differences,
    )
