"""Who changes custody records, and so what the person page offers each viewer for custody.

A custody episode is changed only by the prison holding it (a transfer hands it on); a person
has at most one open episode, so a new one is added only once the last is released; and
emergency access starts no record (it would make the organisation a party to the person's care).
The services refuse what these rules refuse; the page offers only what they allow.
"""

import uuid
from dataclasses import dataclass, field

from caseflow.people.models import CustodyEpisode, Person
from caseflow.security.access import role_may
from caseflow.security.scope import Basis, access_basis

# The changes to an episode, by whether it is still open: (change in the address, label).
OPEN_EPISODE_CHANGES = (
    ("release", "Record release"),
    ("expected-release", "Change expected release date"),
    ("transfer", "Record transfer"),
    ("treatment-need", "Correct treatment need"),
)
RELEASED_EPISODE_CHANGES = (
    ("release", "Correct release"),
    ("treatment-need", "Correct treatment need"),
)


def holds_episode(actor, episode: CustodyEpisode) -> bool:
    """Whether the actor's organisation is the prison holding the episode now."""
    return episode.prison_id == actor.organisation_id


def has_open_episode(person: Person) -> bool:
    return any(not episode.released for episode in person.episodes)


@dataclass(frozen=True)
class CustodyActions:
    """What the person page offers this viewer: (endpoint, label) for the person, and
    (change, label) for each episode."""

    for_person: list[tuple[str, str]] = field(default_factory=list)
    by_episode: dict[uuid.UUID, list[tuple[str, str]]] = field(default_factory=dict)

    def for_episode(self, episode: CustodyEpisode) -> list[tuple[str, str]]:
        return self.by_episode.get(episode.id, [])


def custody_actions(actor, person: Person) -> CustodyActions:
    """The custody actions actor may take on this person now (episodes loaded with them)."""
    under_emergency_access = access_basis(actor, person.id) == Basis.BREAK_GLASS
    for_person = []
    if (
        role_may(actor.role, "custody.create")
        and not has_open_episode(person)
        and not under_emergency_access
    ):
        for_person.append(("people.new_episode", "Add a custody episode"))
    if not under_emergency_access:
        # Facts learnt after release that decide the continuity measure (people/after_release.py).
        if role_may(actor.role, "death.record"):
            label = "Correct date of death" if person.date_of_death else "Record date of death"
            for_person.append(("people.record_death", label))
        if role_may(actor.role, "removal.record") and any(e.released for e in person.episodes):
            for_person.append(("people.record_removal", "Record removal from the country"))
    by_episode = {}
    if role_may(actor.role, "custody.update"):
        for episode in person.episodes:
            if holds_episode(actor, episode):
                changes = RELEASED_EPISODE_CHANGES if episode.released else OPEN_EPISODE_CHANGES
                by_episode[episode.id] = list(changes)
    return CustodyActions(for_person=for_person, by_episode=by_episode)
