"""What the rough sleeping pathway adds to the person page: its panel, and its history on the
timeline. Both show only cases the viewer may see (``scoping.visible_cases``); links go only to
pages the viewer may open.

The page reads the person's cases once, in one statement for the panel and the timeline: each
with its housing status, the release's first treatment start and its history. A person with no
case at all costs the page none (``timeline.held``).
"""

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import exists, select
from sqlalchemy.orm import contains_eager, joinedload

from caseflow import timeline
from caseflow.dates import as_utc, display
from caseflow.extensions import db
from caseflow.pathways.rough_sleeping import scoping, services
from caseflow.pathways.rough_sleeping.codes import (
    LIVE_STATUSES,
    AuthorityResponse,
    EventKind,
    Homelessness,
    Outcome,
)
from caseflow.pathways.rough_sleeping.dues import Dues, due_dates
from caseflow.pathways.rough_sleeping.models import (
    RoughSleepingCase,
    RoughSleepingEvent,
    housing_status_sql,
)
from caseflow.pathways.rough_sleeping.worklists import first_start_sql
from caseflow.people.codes import Accommodation
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.clock import ClockSummary
from caseflow.security.access import may_open, role_may
from caseflow.security.scope import Basis, access_basis
from caseflow.timeline import TimelineItem


@dataclass(frozen=True)
class CasePanel:
    case: RoughSleepingCase
    housing_status: str | None
    clock: ClockSummary
    dues: Dues
    link: tuple[str, dict] | None


def _cases(actor, person) -> list[CasePanel]:
    """The person's cases this viewer may see, newest first; read once a request."""
    cache = g.setdefault("rough_sleeping_cases", {}) if has_request_context() else {}
    key = (actor.id, person.id)
    if key not in cache and not timeline.may_hold(person, "rough_sleeping"):
        cache[key] = []
    if key not in cache:
        statement = (
            select(
                RoughSleepingCase,
                housing_status_sql(CustodyEpisode.id, CustodyEpisode.accommodation_on_release),
                first_start_sql(CustodyEpisode.id),
            )
            .join(RoughSleepingCase.episode)
            .options(
                contains_eager(RoughSleepingCase.episode),
                joinedload(RoughSleepingCase.outreach_team),
                joinedload(RoughSleepingCase.housing_authority),
                # The history for the timeline, of these cases only: the visible ones.
                joinedload(RoughSleepingCase.events).options(
                    joinedload(RoughSleepingEvent.actor),
                    joinedload(RoughSleepingEvent.organisation),
                ),
            )
            .where(RoughSleepingCase.person_id == person.id, scoping.visible_cases(actor))
            .order_by(RoughSleepingCase.created_at.desc())
        )
        # unique(): a case's row comes once for each entry of its history.
        rows = db.session.execute(statement).unique().all()
        cache[key] = [
            CasePanel(
                case,
                status,
                services.release_clock(case.episode, start),
                due_dates(case.episode.actual_release_date),
                scoping.case_link(actor, case.id),
            )
            for case, status, start in rows
        ]
    return cache[key]


# Most people have no rough sleeping case: their page reads none (caseflow/timeline.py).
timeline.held(
    "rough_sleeping",
    lambda person_id: exists().where(RoughSleepingCase.person_id == person_id),
)


def may_open_case(actor, person, panels: list[CasePanel]) -> bool:
    """Offered on the terms ``services.open_case`` takes it: the person's latest release is
    recorded and has no live case, and not under emergency access, which starts no record."""
    episode = person.current_episode
    if not role_may(actor.role, "rough_sleeping.open") or episode is None or not episode.released:
        return False
    if any(p.case.episode_id == episode.id and p.case.status in LIVE_STATUSES for p in panels):
        return False
    return may_open(actor, "rough_sleeping.open_case") and (
        access_basis(actor, person.id) != Basis.BREAK_GLASS
    )


@timeline.section("pathways/rough_sleeping/_person_section.html", order=30)
def rough_sleeping_section(actor, person) -> dict | None:
    if not role_may(actor.role, "rough_sleeping.view"):
        return None
    panels = _cases(actor, person)
    offer = may_open_case(actor, person, panels)
    if not panels and not offer:
        return None
    return {"cases": panels, "may_open_case": offer}


def entry_text(event: RoughSleepingEvent) -> str:
    """Codes and dates in words, never free text beyond the closing notes."""
    words = {
        EventKind.OPEN: lambda: f"First night: {Accommodation.label_of(event.value)}",
        EventKind.ACCOMMODATION: lambda: (
            f"{Accommodation.label_of(event.value)} from {display(event.event_date)}"
        ),
        EventKind.REFER: lambda: (
            f"{Homelessness.label_of(event.value)}. Referred on {display(event.event_date)}"
        ),
        EventKind.RESPOND: lambda: (
            f"{AuthorityResponse.label_of(event.value)} on {display(event.event_date)}"
        ),
        EventKind.OUTCOME_3_WEEKS: lambda: Outcome.label_of(event.value),
        EventKind.OUTCOME_3_MONTHS: lambda: Outcome.label_of(event.value),
        EventKind.PRESCRIBING: lambda: f"Arranged: {'Yes' if event.value == 'yes' else 'No'}",
    }
    text = words.get(event.kind, lambda: "")()
    return ". ".join(part for part in (text, event.reason) if part)


@timeline.entries
def rough_sleeping_entries(actor, person) -> list[TimelineItem]:
    if not role_may(actor.role, "rough_sleeping.view"):
        return []
    return [
        TimelineItem(
            as_utc(event.occurred_at),
            event.kind_label,
            f"{event.actor.display_name}, {event.organisation.name}",
            entry_text(event),
            panel.link,
        )
        for panel in _cases(actor, person)
        for event in panel.case.events
    ]
