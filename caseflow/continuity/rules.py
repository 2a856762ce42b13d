"""The rules of the continuity-of-care measure as data: the one place a code is mapped to the
cohort, to an exclusion or out of the cohort (DOMAIN.md, "The continuity-of-care rate").

Window, target and the three code mappings are settings kept in ``continuity_settings``, each
version with the date it took effect. A period is measured with the settings in effect on its
last day (the latest version whose ``effective_from`` is on or before that day; for a period
before the first version, the first version), so a whole period is always measured by one set of
rules, and the figure names them. Migration 0014 wrote the defaults below as the first version.

What each mapping means:

- ``release_types``: a release of this type is in the cohort, excluded (the exclusion reason is
  the release type: another secure setting, deported, outside England) or not in the cohort.
- ``treatment_needs``: only needs mapped to the cohort put a release in it (a community
  treatment need: in treatment in custody, or assessed need).
- ``exclusions``: the two exclusions decided after release. ``removed``: deported or removed
  from the country on or before the last day of the window, with its date. ``died``: died on or
  before the last day of the window without a treatment start on or before the date of death
  (a start and a death on the same day count as a start: dates carry no time). Each maps to
  excluded (the rule applies), cohort (it does not) or not in cohort.

A code that a mapping does not list is not in the cohort, so a new code counts only once
someone has decided where it goes (a test holds every code of the lists mapped).
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy import select

from caseflow.codes import CodeList
from caseflow.continuity.models import ContinuitySettings
from caseflow.dates import display
from caseflow.extensions import db
from caseflow.people.codes import (
    COMMUNITY_TREATMENT_NEEDS,
    RELEASES_WITHOUT_COMMUNITY_CLOCK,
    ReleaseType,
    TreatmentNeed,
)


class Placement(CodeList, key="continuity_placement"):
    COHORT = "cohort", "In the cohort"
    EXCLUDED = "excluded", "Excluded"
    NOT_IN_COHORT = "not_in_cohort", "Not in the cohort"


class ExclusionReason(CodeList, key="exclusion_reason"):
    """Why a release is excluded: three release types, and two facts recorded after release."""

    OTHER_SECURE_SETTING = "other_secure_setting", "Released to another secure setting"
    DEPORTED = "deported", "Deported or removed at release"
    OUTSIDE_ENGLAND = "outside_england", "Released outside England"
    REMOVED = "removed", "Removed from the country within the window"
    DIED = "died", "Died within the window without starting treatment"


class Outcome(CodeList, key="continuity_outcome"):
    """Where a release stands in the measure."""

    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    PENDING = "pending", "Pending"
    EXCLUDED = "excluded", "Excluded"


# The exclusions decided by facts recorded after release (the keys of ``exclusions``).
AFTER_RELEASE_EXCLUSIONS = (ExclusionReason.REMOVED, ExclusionReason.DIED)


@dataclass(frozen=True)
class Settings:
    """One version of the measure's settings."""

    effective_from: date
    window_days: int
    target_percent: int
    release_types: Mapping[str, str] = field(default_factory=dict)
    treatment_needs: Mapping[str, str] = field(default_factory=dict)
    exclusions: Mapping[str, str] = field(default_factory=dict)

    def release_types_placed(self, placement: str) -> list[str]:
        return sorted(code for code, placed in self.release_types.items() if placed == placement)

    def treatment_needs_in_cohort(self) -> list[str]:
        return sorted(
            code for code, placed in self.treatment_needs.items() if placed == Placement.COHORT
        )

    def exclusion(self, reason: str) -> str:
        """Where the after-release exclusion puts a release when it applies."""
        return self.exclusions.get(reason, Placement.COHORT)

    @property
    def target(self) -> float:
        return self.target_percent / 100

    def summary(self) -> str:
        """The settings in a sentence, for beside the figures they produced."""
        return (
            f"Settings in effect from {display(self.effective_from)}: treatment start within "
            f"{self.window_days} days of release, target {self.target_percent}%"
        )

    @cached_property
    def digest(self) -> str:
        """What the version says, as a short key: kept counts name the settings they were
        counted by, so a version changed in any way is never read from counts made before.
        Worked out once per version read (a dashboard keys each of its trend's months by it)."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        return {
            "effective_from": self.effective_from.isoformat(),
            "window_days": self.window_days,
            "target_percent": self.target_percent,
            "release_types": dict(self.release_types),
            "treatment_needs": dict(self.treatment_needs),
            "exclusions": dict(self.exclusions),
        }


DEFAULTS = Settings(
    effective_from=date(2015, 4, 1),
    window_days=21,
    target_percent=75,
    release_types={
        code.value: (
            Placement.EXCLUDED.value
            if code in RELEASES_WITHOUT_COMMUNITY_CLOCK
            else Placement.COHORT.value
        )
        for code in ReleaseType
    },
    treatment_needs={
        code.value: (
            Placement.COHORT.value
            if code in COMMUNITY_TREATMENT_NEEDS
            else Placement.NOT_IN_COHORT.value
        )
        for code in TreatmentNeed
    },
    exclusions={reason.value: Placement.EXCLUDED.value for reason in AFTER_RELEASE_EXCLUSIONS},
)


def _from_row(row) -> Settings:
    return Settings(
        effective_from=row.effective_from,
        window_days=row.window_days,
        target_percent=row.target_percent,
        release_types=dict(row.release_types or {}),
        treatment_needs=dict(row.treatment_needs or {}),
        exclusions=dict(row.exclusions or {}),
    )


# The columns a version is made of, as plain rows: every page of the measure reads them, and
# loading them as ORM objects cost more than the query.
_VERSIONS = select(
    ContinuitySettings.effective_from,
    ContinuitySettings.window_days,
    ContinuitySettings.target_percent,
    ContinuitySettings.release_types,
    ContinuitySettings.treatment_needs,
    ContinuitySettings.exclusions,
).order_by(ContinuitySettings.effective_from)


def versions() -> list[Settings]:
    """Every version of the settings, earliest first; with none recorded, the defaults."""
    found = [_from_row(row) for row in db.session.execute(_VERSIONS)]
    return found or [DEFAULTS]


def settings_on(day: date) -> Settings:
    """The settings in effect on day (for a period: its last day)."""
    return settings_on_days([day])[0]


def settings_on_days(days: list[date]) -> list[Settings]:
    """The settings in effect on each day, from one query (a trend's months each have theirs).
    Before the first version took effect, the first is in effect; with none, the defaults."""
    recorded = versions()
    chosen = []
    for day in days:
        in_effect = recorded[0]
        for version in recorded:
            if version.effective_from <= day:
                in_effect = version
        chosen.append(in_effect)
    return chosen
