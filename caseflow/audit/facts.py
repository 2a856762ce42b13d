"""The facts that decide a continuity-of-care cohort entry, as the audit rows carry them.

The rate must be recomputable from the audit log alone (DOMAIN.md, "The measure is auditable"),
so the events that put a release in or out of the cohort, or move it between met, not met and
pending, carry their dates and codes under ``detail["facts"]``: the release recorded or
corrected, the referral sent or redirected, the treatment start recorded or corrected. Only
dates, codes, ages and organisation ids: never names, identifiers or free text. The keys are named
once here, because the reconciliation reads them back.
"""

import uuid
from datetime import date
from enum import StrEnum


class Fact(StrEnum):
    RELEASE_DATE = "release_date"
    RELEASE_TYPE = "release_type"
    DESTINATION = "destination_local_authority_code"
    AGE_AT_RELEASE = "age_at_release"
    TREATMENT_NEED = "treatment_need"
    PROVIDER = "provider_id"
    FROM_PROVIDER = "from_provider_id"
    TREATMENT_START = "treatment_start_date"
    # On a destination correction, the local authority it replaced.
    PREVIOUS_DESTINATION = "previous_destination_local_authority_code"
    # On a correction, the start it replaced: the reconciliation follows the latest start, and
    # can show which it corrected.
    PREVIOUS_TREATMENT_START = "previous_treatment_start_date"
    # The release a referral is for, so the reconciliation knows which release a start counts for.
    EPISODE = "custody_episode_id"
    DATE_OF_DEATH = "date_of_death"
    REMOVED_FROM_COUNTRY = "removed_from_country_on"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


def release_facts(episode) -> dict:
    """What the measure needs of a release, read from the custody episode as now saved."""
    return {
        Fact.RELEASE_DATE: _day(episode.actual_release_date),
        Fact.RELEASE_TYPE: episode.release_type,
        Fact.DESTINATION: episode.destination_local_authority_code,
        Fact.AGE_AT_RELEASE: episode.age_at_release,
        Fact.TREATMENT_NEED: episode.treatment_need,
    }


def destination_facts(episode, *, corrected_from: str | None) -> dict:
    """A corrected destination: the local authority code now recorded and the one it replaced
    (the measure's local authority is the episode's destination as corrected)."""
    return {
        Fact.DESTINATION: episode.destination_local_authority_code,
        Fact.PREVIOUS_DESTINATION: corrected_from,
    }


def referral_facts(action: str, *, provider_id, from_provider_id=None, episode_id=None) -> dict:
    """The provider a referral is now with (and, after a redirect, the one it left), and the
    release (custody episode) it is for."""
    facts = {Fact.PROVIDER: _id(provider_id), Fact.EPISODE: _id(episode_id)}
    if action == "redirect":
        facts[Fact.FROM_PROVIDER] = _id(from_provider_id)
    return facts


def treatment_start_facts(start: date | None, *, corrected_from: date | None = None) -> dict:
    """The treatment start as now recorded; a correction also names the date it replaced."""
    facts = {Fact.TREATMENT_START: _day(start)}
    if corrected_from is not None:
        facts[Fact.PREVIOUS_TREATMENT_START] = _day(corrected_from)
    return facts


def death_facts(date_of_death: date | None) -> dict:
    """A death recorded on the person: its date only (the source is on the record, not here)."""
    return {Fact.DATE_OF_DEATH: _day(date_of_death)}


def removal_facts(removed_on: date | None) -> dict:
    """A removal from the country after release, recorded on the custody episode."""
    return {Fact.REMOVED_FROM_COUNTRY: _day(removed_on)}


def treatment_need_facts(treatment_need: str) -> dict:
    """A corrected treatment need, on the custody episode."""
    return {Fact.TREATMENT_NEED: treatment_need}
