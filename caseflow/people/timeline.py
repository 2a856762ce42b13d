"""What people contribute to the person's timeline: custody and case notes."""

from sqlalchemy import exists, select

from caseflow import timeline
from caseflow.auth.models import User
from caseflow.dates import as_utc
from caseflow.extensions import db
from caseflow.organisations.models import Organisation
from caseflow.people import limits
from caseflow.people.codes import CustodyChangeKind
from caseflow.people.models import CaseNote, Person
from caseflow.timeline import TimelineItem, at_start_of


def changed_by(change) -> str:
    """Who made a change to a custody episode: their name and their organisation."""
    return f"{change.changed_by.display_name}, {change.changed_by.organisation.name}"


@timeline.entries
def custody_entries(actor, person: Person) -> list[TimelineItem]:
    """Receptions, releases and each change to an episode (loaded with the person)."""
    items = []
    for episode in person.episodes:
        items.append(
            TimelineItem(
                at_start_of(episode.reception_date),
                f"Received into {episode.prison.name}",
                episode.prison.name,
                date_only=True,
            )
        )
        if episode.actual_release_date:
            items.append(
                TimelineItem(
                    at_start_of(episode.actual_release_date),
                    f"Released from {episode.prison.name}",
                    episode.prison.name,
                    date_only=True,
                )
            )
        for change in limits.changes_shown(actor, episode):
            items.append(
                TimelineItem(
                    as_utc(change.created_at),
                    CustodyChangeKind.label_of(change.kind),
                    changed_by(change),
                    change.reason,
                )
            )
    return items


# A person with no case note yet has none to read (caseflow/timeline.py).
timeline.held("case_notes", lambda person_id: exists().where(CaseNote.person_id == person_id))


@timeline.entries
def case_note_entries(actor, person: Person) -> list[TimelineItem]:
    if not timeline.may_hold(person, "case_notes"):
        return []
    # Who wrote each note by name and organisation, read beside it rather than as their
    # accounts (the entry shows only those two names).
    notes = db.session.execute(
        select(CaseNote, User.display_name, Organisation.name)
        .join(User, User.id == CaseNote.author_id)
        .join(Organisation, Organisation.id == CaseNote.organisation_id)
        .where(CaseNote.person_id == person.id, limits.case_notes_shown(actor))
    )
    return [
        TimelineItem(as_utc(note.created_at), "Case note", f"{author}, {organisation}", note.text)
        for note, author, organisation in notes
    ]
