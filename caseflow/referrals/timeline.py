"""What referrals contribute to the person page: their events on the timeline, and the list of
the person's referrals this viewer may see."""

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload

from caseflow import timeline
from caseflow.dates import as_utc, display
from caseflow.extensions import db
from caseflow.kept_pages import built_once
from caseflow.referrals.clock import ClockSummary
from caseflow.referrals.codes import ReferralEventKind
from caseflow.referrals.links import referral_link
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.referrals.services import reading, starting
from caseflow.security.scope import scope_key, viewing, visible_referrals
from caseflow.timeline import TimelineItem


def entry_text(event: ReferralEvent) -> str:
    """What a history entry says on the timeline beside its title: the date it records (a
    treatment start, an appointment) or the date it changed and to what, the fields a draft edit
    changed (never their values), and the reason in words with any notes (a closing or rejection
    reason)."""
    parts = []
    if event.from_date is not None:
        # A date changed (an appointment moved, a treatment start corrected): both dates.
        parts.append(f"From {display(event.from_date)} to {display(event.event_date)}")
    elif event.event_date is not None:
        if event.kind == ReferralEventKind.ENGAGE:
            parts.append(f"Treatment started on {display(event.event_date)}")
        else:
            parts.append(f"Date: {display(event.event_date)}")
    if event.changed_fields:
        parts.append(f"Changed: {', '.join(event.changed_field_labels)}")
    reason = ": ".join(part for part in (event.reason_label, event.reason) if part)
    if reason:
        parts.append(reason)
    return ". ".join(parts)


_PERSON = bindparam("referrals_of_person", type_=Referral.__table__.c.person_id.type)


def _statement(actor):
    """The person's referrals with their providers and events: built once for everyone with
    the viewer's scope key, the person and the viewer bound when it runs."""
    return built_once(
        ("person's referrals", scope_key(actor)),
        lambda: (
            select(Referral)
            .options(
                joinedload(Referral.provider),
                joinedload(Referral.events).options(
                    joinedload(ReferralEvent.actor), joinedload(ReferralEvent.organisation)
                ),
            )
            .where(Referral.person_id == _PERSON, visible_referrals(actor, kept=True))
            .order_by(Referral.created_at.desc())
        ),
    )


def _referrals_shown(actor, person) -> list[Referral]:
    """The person's referrals this viewer may see, newest first, each with its provider and its
    events (with their actors): one statement a request for the list and the timeline. Each
    referral's release is one of the person's episodes, read already with the person
    (``view_person``), so it is found in the session rather than read again."""
    cache = g.setdefault("person_referrals", {}) if has_request_context() else {}
    key = (actor.id, person.id)
    if key not in cache and not timeline.may_hold(person, "referrals"):
        cache[key] = []
    if key not in cache:
        values = {_PERSON.key: person.id, **viewing(actor)}
        cache[key] = list(db.session.scalars(_statement(actor), values).unique())
    return cache[key]


# Someone not yet referred has no referral to read (caseflow/timeline.py).
timeline.held("referrals", lambda person_id: exists().where(Referral.person_id == person_id))


@timeline.entries
def referral_entries(actor, person) -> list[TimelineItem]:
    return [
        TimelineItem(
            as_utc(event.occurred_at),
            f"Referral {ReferralEventKind.label_of(event.kind).lower()}",
            f"{event.actor.display_name}, {event.organisation.name}",
            entry_text(event),
            referral_link(actor, event.referral_id),
        )
        for referral in _referrals_shown(actor, person)
        for event in referral.events
    ]


@dataclass(frozen=True)
class PersonReferralRow:
    """One of the person's referrals as their page lists it: its 21-day clock as every page
    words it (``reading.clock_summary``), and a link only for a viewer who may open the
    referral's page."""

    referral: Referral
    link: tuple[str, dict] | None
    clock: ClockSummary


@timeline.section("referrals/_person_referrals.html", order=10)
def person_referrals(actor, person) -> dict:
    rows = [
        PersonReferralRow(
            referral, referral_link(actor, referral.id), reading.clock_summary(referral)
        )
        for referral in _referrals_shown(actor, person)
    ]
    return {"referrals": rows, "actions": starting.person_page_actions(actor, person)}
