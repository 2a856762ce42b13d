"""One case of the measure and the audited events that put it where it is (DOMAIN.md, "The
measure is auditable").

The outcome shown is the records' (the service the dashboard uses); the events are the audit
log's for that release, replayed by ``continuity.reconcile`` for this one release, which also
names the event that decides it. Facts are shown as words: dates and code labels, never names,
identifiers or free text.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select

from caseflow.audit.catalogue import Action, RecordType
from caseflow.audit.facts import Fact
from caseflow.audit.models import AuditEvent
from caseflow.audit.services import record, record_denial
from caseflow.auth.models import User
from caseflow.codes import label
from caseflow.continuity import entries as cohort
from caseflow.continuity import figures, reconcile, rules, services
from caseflow.continuity.entries import Scope
from caseflow.continuity.reconcile import EPISODE, PERSON, REFERRAL
from caseflow.dates import local_today
from caseflow.domain import NotFound
from caseflow.extensions import db
from caseflow.organisations.models import Organisation
from caseflow.people.models import CustodyEpisode, Person
from caseflow.referrals.models import Referral
from caseflow.security.scope import visible_people

# The facts a case page shows, in words, and how each value reads. Identifiers (the episode,
# the providers) are left out.
DATE_FACTS = {
    Fact.RELEASE_DATE: "Release date",
    Fact.TREATMENT_START: "Treatment start",
    Fact.PREVIOUS_TREATMENT_START: "Treatment start before",
    Fact.DATE_OF_DEATH: "Date of death",
    Fact.REMOVED_FROM_COUNTRY: "Removed from the country",
}
CODE_FACTS = {
    Fact.RELEASE_TYPE: ("Release type", "release_type"),
    Fact.TREATMENT_NEED: ("Treatment need", "treatment_need"),
}
AREA_FACTS = {
    Fact.DESTINATION: "Destination",
    Fact.PREVIOUS_DESTINATION: "Destination before",
}


@dataclass(frozen=True)
class Event:
    id: int
    occurred_at: datetime
    action: str  # the catalogue's words for what was done to which record
    by: str
    organisation: str
    facts: list[tuple[str, str]]
    decides: bool


@dataclass(frozen=True)
class CaseEvents:
    case: services.Case
    events: list[Event]
    because: str | None  # why the audit log's replay reaches its outcome


def _facts_in_words(facts: dict, areas: dict[str, str]) -> list[tuple[str, str]]:
    words = []
    for fact, value in facts.items():
        if fact in DATE_FACTS:
            shown = date.fromisoformat(value).strftime("%-d %B %Y") if value else "None"
            words.append((DATE_FACTS[fact], shown))
        elif fact in CODE_FACTS:
            name, key = CODE_FACTS[fact]
            words.append((name, label(value, key)))
        elif fact in AREA_FACTS:
            words.append((AREA_FACTS[fact], areas.get(value, "Not recorded")))
        elif fact == Fact.AGE_AT_RELEASE and value is not None:
            words.append(("Age at release", str(value)))
    return words


def _entry(viewer, episode: CustodyEpisode, today: date):
    released = episode.actual_release_date
    settings = rules.settings_on(released)
    entries = cohort.entries(Scope.of_viewer(viewer), released, released, settings, today)
    return db.session.execute(
        select(entries).where(
            entries.c.episode_id == episode.id,
            services._measured(entries),
            select(Person.id)
            .where(Person.id == entries.c.person_id, visible_people(viewer))
            .exists(),
        )
    ).first()


def case_events(viewer, episode_id: uuid.UUID, today: date | None = None) -> CaseEvents:
    """One case in the viewer's measured scope, with its audited events; one audited view.
    A release outside the scope, or of a person the viewer does not see, is NotFound."""
    services._require_measure(viewer)
    today = today or local_today()
    episode = db.session.get(CustodyEpisode, episode_id)
    row = _entry(viewer, episode, today) if episode and episode.actual_release_date else None
    if row is None:
        # Out of scope and absent answer alike; the denial names the person only if they exist.
        record_denial(
            actor=viewer,
            entity_type=EPISODE,
            entity_id=episode_id,
            person_id=episode.person_id if episode else None,
            reason="out of scope" if episode else "not found",
        )
        raise NotFound("No such case")
    case = services._case(row, today)
    referral_ids = [
        str(found)
        for found in db.session.scalars(
            select(Referral.id).where(Referral.episode_id == episode.id)
        )
    ]
    this_case = or_(
        and_(AuditEvent.entity_type == EPISODE, AuditEvent.entity_id == str(episode.id)),
        and_(AuditEvent.entity_type == REFERRAL, AuditEvent.entity_id.in_(referral_ids)),
        and_(AuditEvent.entity_type == PERSON, AuditEvent.person_id == episode.person_id),
    )
    releases, starts, deaths = reconcile._replay(this_case)
    verdict = None
    if episode.id in releases and releases[episode.id].release_date:
        first = reconcile.first_starts(releases, starts)
        verdict = reconcile.judge(
            releases[episode.id],
            first.get(episode.id),
            deaths.get(episode.person_id),
            rules.settings_on(releases[episode.id].release_date),
            today,
        )
    events = _events(this_case, verdict.event if verdict else None)
    record(
        "view",
        actor=viewer,
        entity_type=EPISODE,
        entity_id=str(episode.id),
        person_id=episode.person_id,
        purpose="caseload",
        detail={"page": "continuity case", "count": len(events)},
    )
    return CaseEvents(case, events, verdict.because if verdict else None)


def _events(this_case, deciding: int | None) -> list[Event]:
    rows = db.session.execute(
        select(AuditEvent, User.display_name, Organisation.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .where(AuditEvent.outcome == "success", this_case)
        .order_by(AuditEvent.id)
    ).all()
    with_facts = [(event, by, org) for event, by, org in rows if (event.detail or {}).get("facts")]
    areas = figures.authority_names(
        {
            value
            for event, _, _ in with_facts
            for fact, value in event.detail["facts"].items()
            if fact in AREA_FACTS and value
        }
    )
    return [
        Event(
            id=event.id,
            occurred_at=event.occurred_at,
            action=f"{Action.label_of(event.action)}: {RecordType.label_of(event.entity_type)}",
            by=by or "Not recorded",
            organisation=org or "Not recorded",
            facts=_facts_in_words(event.detail["facts"], areas),
            decides=event.id == deciding,
        )
        for event, by, org in with_facts
    ]
