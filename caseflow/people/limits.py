"""What of a person a viewer may see beyond who they are and where they are in custody.

A pathway's partner is related to the person only for what the pathway needs (DOMAIN.md,
Pathways): an outreach team sees the person's identity, their accommodation and the treatment
clock, not case notes about their treatment nor the treatment details custody records (need,
substance group, opioid substitution and its last dose, naloxone, bridging prescription). Two
permissions say who may: ``casenote.view`` and ``treatment_detail.view``. This module is the one
place the person page, its timeline and its custody cards read them.
"""

from sqlalchemy import ColumnElement, true

from caseflow.people.codes import CustodyChangeKind
from caseflow.people.models import CaseNote, CustodyEpisode
from caseflow.security.access import role_may

# Changes to an episode that are themselves treatment details (the need, from and to).
TREATMENT_CHANGES = frozenset({CustodyChangeKind.TREATMENT_NEED_CORRECTED})


def sees_case_notes(actor) -> bool:
    return role_may(actor.role, "casenote.view")


def sees_treatment_details(actor) -> bool:
    return role_may(actor.role, "treatment_detail.view")


def case_notes_shown(actor) -> ColumnElement[bool]:
    """A SQL condition on CaseNote: every note for those who may read case notes; otherwise
    only the notes the viewer's own organisation wrote (an outreach team's own notes are about
    housing, and it may always read what it wrote)."""
    if sees_case_notes(actor):
        return true()
    return CaseNote.organisation_id == actor.organisation_id


def changes_shown(actor, episode: CustodyEpisode) -> list:
    """The episode's changes this viewer may see, oldest first."""
    if sees_treatment_details(actor):
        return list(episode.changes)
    return [change for change in episode.changes if change.kind not in TREATMENT_CHANGES]
