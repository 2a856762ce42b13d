"""Facts learnt after release that decide the continuity measure: a person's death, and a
removal from the country (DOMAIN.md, Person and Custody episode).

Any clinical role whose organisation has a relationship with the person records them (not
under emergency access alone, which lets someone read the record and add case notes). Each is
audited with its date as a fact for the reconciliation, and nothing else: the source of a death
is a code on the person, never in the log.
"""

import uuid
from datetime import date

from caseflow.audit.facts import death_facts, removal_facts
from caseflow.audit.services import record, record_independent
from caseflow.dates import local_today
from caseflow.domain import InvalidChange, NotPermitted, StaleRecord
from caseflow.people.codes import DeathSource
from caseflow.people.models import CustodyEpisode, Person
from caseflow.people.services import person_for_new_record
from caseflow.security.access import role_may

NOT_RELEASED = "This person has no release recorded. A removal is recorded after release."


def released_episodes(person: Person) -> list[CustodyEpisode]:
    return [episode for episode in person.episodes if episode.released]


def _person_for(actor, person_id: uuid.UUID, permission: str) -> Person:
    if not role_may(actor.role, permission):
        raise NotPermitted("Your role cannot record this")
    return person_for_new_record(actor, person_id, load_episodes=True)


def person_for_page(
    actor, person_id: uuid.UUID, permission: str, *, page: str, independent: bool = False
) -> Person:
    """The person for one of these forms: one audited view. ``independent`` is for a page
    sent with an error status, whose transaction is rolled back."""
    person = _person_for(actor, person_id, permission)
    write = record_independent if independent else record
    write(
        "view",
        actor=actor,
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        purpose="caseload",
        outcome="success",
        detail={"page": page},
    )
    return person


def record_death(
    actor, person_id: uuid.UUID, *, version, date_of_death: date | None, source: str | None
) -> Person:
    """Record (or correct) the date of a person's death and who said so."""
    person = _person_for(actor, person_id, "death.record")
    if version != person.version:
        # A missing version is stale too: the change cannot show what it was based on.
        raise StaleRecord("Someone else changed this person's record")
    if date_of_death is None:
        raise InvalidChange("Enter the date of death", "date_of_death")
    if date_of_death > local_today():
        raise InvalidChange("Date of death must be today or in the past", "date_of_death")
    born = person.date_of_birth
    if born and date_of_death < born:
        raise InvalidChange("Date of death must be on or after the date of birth", "date_of_death")
    if not DeathSource.has(source):
        raise InvalidChange("Select who told you of the death", "source")
    person.date_of_death = date_of_death
    person.date_of_death_source = source
    record(
        "update",
        actor=actor,
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        detail={
            "change": "death_recorded",
            "fields": ["date_of_death", "date_of_death_source"],
            "facts": death_facts(date_of_death),
        },
    )
    return person


def latest_release(person: Person) -> CustodyEpisode | None:
    """The release a removal is recorded on: the person's latest (episodes come latest first)."""
    released = released_episodes(person)
    return released[0] if released else None


def record_removal(
    actor,
    person_id: uuid.UUID,
    *,
    version,
    removed_on: date | None,
) -> CustodyEpisode:
    """Record that the person was deported or removed from the country after a release."""
    person = _person_for(actor, person_id, "removal.record")
    episode = latest_release(person)
    if episode is None:
        raise InvalidChange(NOT_RELEASED, "removed_on")
    if version != episode.version:
        raise StaleRecord("Someone else changed this custody episode")
    if removed_on is None:
        raise InvalidChange("Enter the date of removal", "removed_on")
    if removed_on < episode.actual_release_date:
        raise InvalidChange("Date of removal must be on or after the release date", "removed_on")
    if removed_on > local_today():
        raise InvalidChange("Date of removal must be today or in the past", "removed_on")
    episode.removed_from_country_on = removed_on
    record(
        "update",
        actor=actor,
        entity_type="custody_episode",
        entity_id=episode.id,
        person_id=person.id,
        detail={
            "change": "removal_recorded",
            "fields": ["removed_from_country_on"],
            "facts": removal_facts(removed_on),
        },
    )
    return episode
