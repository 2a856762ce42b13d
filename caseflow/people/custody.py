"""Custody episodes and their changes: reception, release (and its correction), a moved
expected release date, transfers. Only the prison holding an episode changes it, each change kept
with its reason and audited with the facts the continuity measure counts."""

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from caseflow.audit.facts import destination_facts, release_facts, treatment_need_facts
from caseflow.audit.services import filled_fields, record, record_denial, record_independent
from caseflow.dates import age_on, local_today
from caseflow.domain import InvalidChange, NotFound, NotPermitted, StaleRecord
from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, Organisation, OrganisationKind
from caseflow.people.codes import (
    RELEASES_WITHOUT_COMMUNITY_CLOCK,
    CustodyChangeKind,
    TreatmentNeed,
)
from caseflow.people.custody_rules import has_open_episode, holds_episode
from caseflow.people.models import CustodyChange, CustodyEpisode
from caseflow.people.services import find_visible_person, person_for_new_record

# Records kept elsewhere that a release date must not contradict (a treatment start recorded
# before it, say) register a check here: (episode, release date) -> None, raising InvalidChange
# to refuse. People knows none of them; each registers when its package is loaded.
ReleaseCheck = Callable[[CustodyEpisode, date], None]
_release_checks: list[ReleaseCheck] = []


def release_check(check: ReleaseCheck) -> ReleaseCheck:
    """Register a check on every release recorded or corrected (a decorator)."""
    if check not in _release_checks:
        _release_checks.append(check)
    return check


# A release into the community in England is counted in the area the person goes to.
NO_DESTINATION = (
    "Record the local authority the person is going to before recording this release. Only a "
    "release outside England, to another secure setting or by deportation needs none."
)


def holds_custody(actor) -> bool:
    """Whether the actor's organisation is a prison, which records custody episodes."""
    return actor.organisation.kind == OrganisationKind.PRISON


EPISODE_FIELDS = (
    "reception_date",
    "expected_release_date",
    "expected_release_unknown_reason",
    "destination_local_authority_code",
    "accommodation_on_release",
    "treatment_need",
    "substance_group",
    "opioid_substitution",
    "last_dose_date",
    "naloxone_issued",
    "bridging_prescription",
)


def add_custody_episode(actor, person_id: uuid.UUID, **fields) -> CustodyEpisode:
    """A new episode at the actor's own prison."""
    if actor.organisation.kind != OrganisationKind.PRISON:
        raise NotPermitted("Custody episodes are added by the prison holding the person")
    person = person_for_new_record(actor, person_id, load_episodes=True)
    if has_open_episode(person):
        raise InvalidChange("This person already has an open custody episode", "reception_date")
    values = {name: fields.get(name) for name in EPISODE_FIELDS}
    if values["reception_date"] > local_today():
        raise InvalidChange("Reception date must be today or in the past", "reception_date")
    expected = values["expected_release_date"]
    if expected and expected < values["reception_date"]:
        raise InvalidChange(
            "Expected release date must be on or after the reception date", "expected_release_date"
        )
    if expected:
        values["expected_release_unknown_reason"] = None
    values["substance_group"] = values["substance_group"] or None
    # Not known yet, or none in England: a release then needs one unless it leaves community
    # care in England (record_release).
    values["destination_local_authority_code"] = values["destination_local_authority_code"] or None
    episode = CustodyEpisode(person=person, prison_id=actor.organisation_id, **values)
    db.session.add(episode)
    db.session.flush()
    record(
        "create",
        actor=actor,
        entity_type="custody_episode",
        entity_id=episode.id,
        person_id=person.id,
        detail={"fields": filled_fields(values)},
    )
    return episode


def _episode_for_change(
    actor, person_id, episode_id, version, *, check_version: bool = True
) -> CustodyEpisode:
    person = find_visible_person(actor, person_id)
    episode = db.session.scalar(
        select(CustodyEpisode).where(
            CustodyEpisode.id == episode_id, CustodyEpisode.person_id == person.id
        )
    )
    if episode is None or not holds_episode(actor, episode):
        # Only the holding prison changes an episode; anyone else is answered as if absent.
        record_denial(
            actor=actor,
            entity_type="custody_episode",
            entity_id=episode_id,
            person_id=person.id,
            reason="not held here" if episode else "not found",
        )
        raise NotFound("No such custody episode")
    if check_version and version != episode.version:
        # A missing version is treated as stale: the change cannot prove what it was based on.
        raise StaleRecord("Someone else changed this custody episode")
    return episode


def view_episode(
    actor, person_id: uuid.UUID, episode_id: uuid.UUID, *, page: str, independent: bool = False
) -> CustodyEpisode:
    """The episode for a change form: one audited view.

    ``independent`` is for a page sent with an error status, whose transaction is rolled back.
    """
    episode = _episode_for_change(actor, person_id, episode_id, None, check_version=False)
    write = record_independent if independent else record
    write(
        "view",
        entity_type="custody_episode",
        entity_id=episode.id,
        person_id=episode.person_id,
        purpose="caseload",
        outcome="success",
        detail={"page": page},
        actor=actor,
    )
    return episode


def _log_change(actor, episode, kind, old, new, reason, changed_fields, facts=None) -> None:
    db.session.add(
        CustodyChange(
            episode=episode,
            kind=kind,
            old_value=old,
            new_value=new,
            changed_by_id=actor.id,
            reason=reason,
        )
    )
    record(
        "update",
        actor=actor,
        entity_type="custody_episode",
        entity_id=episode.id,
        person_id=episode.person_id,
        detail={"change": kind, "fields": changed_fields, **({"facts": facts} if facts else {})},
    )


def _text(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else (str(value) if value else None)


def record_release(
    actor,
    person_id,
    episode_id,
    *,
    version,
    actual_release_date,
    release_type,
    unplanned_release,
    reason,
) -> CustodyEpisode:
    """Record the release, or correct a release already recorded (kept with its reason)."""
    episode = _episode_for_change(actor, person_id, episode_id, version)
    if actual_release_date < episode.reception_date:
        raise InvalidChange(
            "Date of release must be on or after the reception date", "actual_release_date"
        )
    if actual_release_date > local_today():
        raise InvalidChange("Date of release must be today or in the past", "actual_release_date")
    if (
        release_type not in RELEASES_WITHOUT_COMMUNITY_CLOCK
        and not episode.destination_local_authority_code
    ):
        raise InvalidChange(NO_DESTINATION, "release_type")
    for check in _release_checks:
        check(episode, actual_release_date)
    kind = "release_corrected" if episode.released else "release_recorded"
    old = episode.actual_release_date
    episode.actual_release_date = actual_release_date
    episode.release_type = release_type
    episode.unplanned_release = bool(unplanned_release)
    born = episode.person.date_of_birth
    episode.age_at_release = age_on(born, actual_release_date) if born else None
    _log_change(
        actor,
        episode,
        kind,
        _text(old),
        _text(actual_release_date),
        reason,
        ["actual_release_date", "release_type", "unplanned_release", "age_at_release"],
        facts=release_facts(episode),
    )
    return episode


def move_expected_release(
    actor, person_id, episode_id, *, version, expected_release_date, reason
) -> CustodyEpisode:
    episode = _episode_for_change(actor, person_id, episode_id, version)
    if episode.released:
        raise InvalidChange(
            "This person has been released; correct the release date instead",
            "expected_release_date",
        )
    if expected_release_date < episode.reception_date:
        raise InvalidChange(
            "Expected release date must be on or after the reception date",
            "expected_release_date",
        )
    if expected_release_date == episode.expected_release_date:
        raise InvalidChange(
            "The new expected release date is the same as the current one",
            "expected_release_date",
        )
    old = episode.expected_release_date
    episode.expected_release_date = expected_release_date
    episode.expected_release_unknown_reason = None
    _log_change(
        actor,
        episode,
        "expected_release_moved",
        _text(old),
        _text(expected_release_date),
        reason,
        ["expected_release_date"],
    )
    return episode


def transfer(actor, person_id, episode_id, *, version, prison_id, reason) -> CustodyEpisode:
    """Move an open episode to another prison, which then holds the person."""
    episode = _episode_for_change(actor, person_id, episode_id, version)
    if episode.released:
        raise InvalidChange("A released person cannot be transferred", "prison")
    destination = db.session.get(Organisation, prison_id)
    if destination is None or destination.kind != OrganisationKind.PRISON:
        raise InvalidChange("Select a prison", "prison")
    if destination.id == episode.prison_id:
        raise InvalidChange("Select a different prison from the current one", "prison")
    old_name = episode.prison.name
    episode.prison_id = destination.id
    _log_change(actor, episode, "transferred", old_name, destination.name, reason, ["prison_id"])
    return episode


# Correcting the destination --------------------------------------------------------------------


def check_destination(
    episode: CustodyEpisode, local_authority_code: str | None, *, field: str = "local_authority"
) -> LocalAuthority:
    """The local authority a destination may be corrected to, or refused beside ``field``."""
    authority = None
    if local_authority_code:
        authority = db.session.get(LocalAuthority, local_authority_code)
    if authority is None:
        raise InvalidChange("Select the local authority the person is going to", field)
    if authority.ons_code == episode.destination_local_authority_code:
        raise InvalidChange("Select a different local authority from the one recorded now", field)
    return authority


def correct_destination(
    actor,
    episode: CustodyEpisode,
    *,
    local_authority_code: str,
    reason: str,
    field: str = "local_authority",
) -> CustodyEpisode:
    """Correct where the person is going: the one place an episode's destination changes after
    it is recorded (DOMAIN.md, Custody episode: corrected with a reason, like the release date).

    Kept in the episode's history with its reason, and audited with the destination codes, so
    the continuity measure, which counts a release in its destination as corrected, can be
    reconciled from the audit log. Scope follows: the new area's managers and probation see the
    person. The caller has decided who may correct it: the holding prison, or either side of a
    referral redirected because the person is going elsewhere (``referrals/transitions.py``).
    """
    authority = check_destination(episode, local_authority_code, field=field)
    if not reason:
        raise InvalidChange("Enter why the destination is changing", "reason")
    old = episode.destination
    old_code = episode.destination_local_authority_code
    episode.destination_local_authority_code = authority.ons_code
    episode.destination = authority
    _log_change(
        actor,
        episode,
        "destination_corrected",
        old.name if old else None,
        authority.name,
        reason,
        ["destination_local_authority_code"],
        facts=destination_facts(episode, corrected_from=old_code),
    )
    return episode


def correct_treatment_need(
    actor, person_id, episode_id, *, version, treatment_need, reason
) -> CustodyEpisode:
    """Correct the community treatment need recorded on an episode, before or after release,
    kept with its reason and audited with the new code: it decides whether a release is in the
    continuity measure's cohort, which follows the corrected value."""
    episode = _episode_for_change(actor, person_id, episode_id, version)
    if not TreatmentNeed.has(treatment_need):
        raise InvalidChange("Select the community treatment need", "treatment_need")
    if treatment_need == episode.treatment_need:
        raise InvalidChange(
            "Select a different treatment need from the one recorded now", "treatment_need"
        )
    old = episode.treatment_need
    episode.treatment_need = treatment_need
    _log_change(
        actor,
        episode,
        CustodyChangeKind.TREATMENT_NEED_CORRECTED,
        TreatmentNeed.label_of(old),
        TreatmentNeed.label_of(treatment_need),
        reason,
        ["treatment_need"],
        facts=treatment_need_facts(treatment_need),
    )
    return episode
