"""A person's timeline: custody, referral events, appointments and case notes, newest first."""

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow.dates import LONDON
from caseflow.extensions import db
from caseflow.people.models import CaseNote, Person
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.security.scope import visible_referrals


@dataclass
class TimelineItem:
    when: datetime
    title: str
    by: str
    text: str = ""
    link: tuple[str, dict] | None = None


def _at_start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def timeline_for(actor, person: Person) -> list[TimelineItem]:
    """Everything the actor may see about the person, as dated entries."""
    from caseflow.templating import CHANGE_NAMES, EVENT_NAMES

    items: list[TimelineItem] = []
    for episode in person.episodes:
        items.append(
            TimelineItem(
                _at_start_of(episode.reception_date),
                f"Received into {episode.prison.name}",
                "Custody record",
            )
        )
        if episode.actual_release_date:
            items.append(
                TimelineItem(
                    _at_start_of(episode.actual_release_date),
                    f"Released from {episode.prison.name}",
                    "Custody record",
                )
            )
        for change in episode.changes:
            items.append(
                TimelineItem(
                    _aware(change.created_at),
                    CHANGE_NAMES.get(change.kind, change.kind),
                    "Custody record",
                    change.reason,
                )
            )

    events = db.session.scalars(
        select(ReferralEvent)
        .join(Referral, Referral.id == ReferralEvent.referral_id)
        .options(joinedload(ReferralEvent.actor), joinedload(ReferralEvent.organisation))
        .where(ReferralEvent.person_id == person.id, visible_referrals(actor))
    )
    for event in events:
        items.append(
            TimelineItem(
                _aware(event.occurred_at),
                f"Referral {EVENT_NAMES.get(event.kind, event.kind).lower()}",
                f"{event.actor.display_name}, {event.organisation.name}",
                event.reason or "",
                ("referrals.show", {"referral_id": event.referral_id}),
            )
        )

    notes = db.session.scalars(
        select(CaseNote)
        .options(joinedload(CaseNote.author), joinedload(CaseNote.organisation))
        .where(CaseNote.person_id == person.id)
    )
    for note in notes:
        items.append(
            TimelineItem(
                _aware(note.created_at),
                "Case note",
                f"{note.author.display_name}, {note.organisation.name}",
                note.text,
            )
        )
    return sorted(items, key=lambda item: item.when, reverse=True)


def referrals_for(actor, person: Person) -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral)
            .options(joinedload(Referral.provider))
            .where(Referral.person_id == person.id, visible_referrals(actor))
            .order_by(Referral.created_at.desc())
        )
    )
