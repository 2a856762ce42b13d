"""What the rough sleeping pathway adds to the person page: its panel, and its history on the
timeline. Both show only cases the viewer may see (``scoping.visible_cases``); links go only to
pages the viewer may open."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow import timeline
from caseflow.dates import as_utc, display
from caseflow.extensions import db
from caseflow.pathways.rough_sleeping import scoping, services
from caseflow.pathways.rough_sleeping.codes import (
    AuthorityResponse,
    EventKind,
    Homelessness,
    Outcome,
)
from caseflow.pathways.rough_sleeping.dues import Dues
from caseflow.pathways.rough_sleeping.models import RoughSleepingCase, RoughSleepingEvent
from caseflow.people.codes import Accommodation
from caseflow.referrals.clock import ClockSummary
from caseflow.security.access import may_open, role_may
from caseflow.timeline import TimelineItem


@dataclass(frozen=True)
class CasePanel:
    case: RoughSleepingCase
    housing_status: str | None
    clock: ClockSummary
    dues: Dues
    link: tuple[str, dict] | None


@timeline.section("pathways/rough_sleeping/_person_section.html", order=30)
def rough_sleeping_section(actor, person) -> dict | None:
    if not role_may(actor.role, "rough_sleeping.view"):
        return None
    cases = services.cases_of(actor, person)
    may_open_case = services.may_open_case(actor, person) and may_open(
        actor, "rough_sleeping.open_case"
    )
    if not cases and not may_open_case:
        return None
    return {
        "cases": [
            CasePanel(
                case,
                services.housing_status(case),
                services.clock_of(case),
                services.dues_of(case),
                scoping.case_link(actor, case.id),
            )
            for case in cases
        ],
        "may_open_case": may_open_case,
    }


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
    events = db.session.scalars(
        select(RoughSleepingEvent)
        .join(RoughSleepingCase, RoughSleepingCase.id == RoughSleepingEvent.case_id)
        .options(joinedload(RoughSleepingEvent.actor), joinedload(RoughSleepingEvent.organisation))
        .where(RoughSleepingEvent.person_id == person.id, scoping.visible_cases(actor))
    )
    return [
        TimelineItem(
            as_utc(event.occurred_at),
            event.kind_label,
            f"{event.actor.display_name}, {event.organisation.name}",
            entry_text(event),
            scoping.case_link(actor, event.case_id),
        )
        for event in events
    ]
