"""What the dual diagnosis pathway contributes beyond its own pages: the person page's section
and timeline entries, and the continuity measure's breakdown by pathway."""

from flask import g, has_request_context
from sqlalchemy import exists

from caseflow import timeline
from caseflow.continuity.pathway_membership import pathway
from caseflow.dates import as_utc, display
from caseflow.pathways.dual_diagnosis.codes import EventKind, Status
from caseflow.pathways.dual_diagnosis.finding import PersonCases, case_link, cases_of
from caseflow.pathways.dual_diagnosis.models import DualDiagnosisCase, DualDiagnosisEvent
from caseflow.pathways.dual_diagnosis.plans import review_overdue
from caseflow.security.access import may_open, role_may
from caseflow.timeline import TimelineItem


def entry_text(event: DualDiagnosisEvent) -> str:
    """A history entry in words: the date it records, the fields it changed (never their
    values), the reason in words with any notes."""
    parts = []
    if event.event_date is not None:
        parts.append(f"Date: {display(event.event_date)}")
    if event.changed_fields:
        parts.append(f"Changed: {', '.join(event.changed_field_labels)}")
    reason = ": ".join(part for part in (event.reason_label, event.reason) if part)
    if reason:
        parts.append(reason)
    return ". ".join(parts)


def _cases(actor, person) -> PersonCases:
    """The person's cases (``cases_of``), read once a request for the section and the timeline."""
    cache = g.setdefault("dual_diagnosis_cases", {}) if has_request_context() else {}
    key = (actor.id, person.id)
    if key not in cache:
        held = timeline.may_hold(person, "dual_diagnosis")
        cache[key] = cases_of(actor, person) if held else PersonCases(visible=[], any_live=False)
    return cache[key]


# Most people have no dual diagnosis case: their page reads none (caseflow/timeline.py).
timeline.held(
    "dual_diagnosis",
    lambda person_id: exists().where(DualDiagnosisCase.person_id == person_id),
)


@timeline.entries
def dual_diagnosis_entries(actor, person) -> list[TimelineItem]:
    if not role_may(actor.role, "dual_diagnosis.view"):
        return []  # no query for a role that sees no case
    return [
        TimelineItem(
            as_utc(event.occurred_at),
            f"Dual diagnosis: {EventKind.label_of(event.kind).lower()}",
            f"{event.actor.display_name}, {event.organisation.name}",
            entry_text(event),
            case_link(actor, event.case_id),
        )
        for case in _cases(actor, person).visible
        for event in case.events
    ]


@timeline.section("pathways/dual_diagnosis/_person_section.html", order=40)
def person_section(actor, person) -> dict | None:
    """The person's dual diagnosis cases this viewer may see, and the way to refer (while the
    person has no live case); nothing for a viewer who can neither see a case nor refer."""
    if not role_may(actor.role, "dual_diagnosis.view"):
        return None  # no query for a role that sees no case (outreach, probation, managers)
    cases = _cases(actor, person)
    may_refer = (
        not cases.any_live
        and role_may(actor.role, "dual_diagnosis.refer")
        and may_open(actor, "dual_diagnosis.new_case")
    )
    if not cases.visible and not may_refer:
        return None
    return {
        "cases": [
            {"case": case, "link": case_link(actor, case.id), "overdue": review_overdue(case)}
            for case in cases.visible
        ],
        "may_refer": may_refer,
    }


def _on_release(episode_id_column, _person_id_column):
    """A release is on the pathway when a dual diagnosis case was opened linked to it (the
    person's latest custody episode when the need was recorded and referred), whatever the
    mental health service answered; a referral withdrawn counts for nothing."""
    case = DualDiagnosisCase.__table__.alias("dd_on_release")
    return exists().where(case.c.episode_id == episode_id_column, case.c.status != Status.WITHDRAWN)


pathway("dual_diagnosis", "Dual diagnosis", _on_release)
