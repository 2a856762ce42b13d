"""Changing the measure's settings: an administrator's page (DOMAIN.md: window, target and the
code mappings are settings kept as data with the date they took effect, changed only by an
admin, audited, and shown beside every figure they produced).

A change is a new version with the date it takes effect; no version is ever edited, so every
figure already shown can still name the settings it was computed with. The date is today or
later, and after the latest version's: a version dated in the past would rewrite figures
already reported, and versions stay in the order they took effect.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from caseflow.audit.catalogue import Action, Purpose, RecordType
from caseflow.audit.services import record
from caseflow.auth.models import User
from caseflow.continuity import rules
from caseflow.continuity.models import ContinuitySettings
from caseflow.continuity.rules import AFTER_RELEASE_EXCLUSIONS, Placement, Settings
from caseflow.dates import display, local_today
from caseflow.domain import InvalidChange, NotPermitted
from caseflow.extensions import db
from caseflow.people.codes import ReleaseType, TreatmentNeed
from caseflow.security.access import role_may

WINDOW_DAYS = (1, 90)
TARGET_PERCENT = (1, 100)

# What each mapping may say (rules.py): a release type or treatment need is in the cohort,
# excluded or not in it; an after-release exclusion applies (excluded) or does not (cohort).
MAPPED_CODES = {
    "release_types": [code.value for code in ReleaseType],
    "treatment_needs": [code.value for code in TreatmentNeed],
    "exclusions": [reason.value for reason in AFTER_RELEASE_EXCLUSIONS],
}
PLACEMENTS = {
    "release_types": [p.value for p in Placement],
    "treatment_needs": [Placement.COHORT.value, Placement.NOT_IN_COHORT.value],
    "exclusions": [Placement.EXCLUDED.value, Placement.COHORT.value],
}


@dataclass(frozen=True)
class Version:
    settings: Settings
    changed_by: str | None  # None: the defaults Caseflow started with
    changed_at: datetime
    in_effect: bool


def _require(viewer) -> None:
    if not role_may(viewer.role, "continuity.settings"):
        raise NotPermitted("Only administrators change the measure's settings")


def history(viewer) -> list[Version]:
    """Every version, latest first, marking the one in effect today; audited as one view."""
    _require(viewer)
    rows = db.session.execute(
        select(ContinuitySettings, User.display_name)
        .outerjoin(User, User.id == ContinuitySettings.changed_by_id)
        .order_by(ContinuitySettings.effective_from.desc())
    ).all()
    in_effect_from = rules.settings_on(local_today()).effective_from
    record(
        Action.VIEW,
        actor=viewer,
        entity_type=RecordType.PAGE,
        entity_id="continuity settings",
        purpose=Purpose.ADMINISTRATION,
    )
    return [
        Version(
            settings=rules._from_row(row),
            changed_by=name,
            changed_at=row.created_at,
            in_effect=row.effective_from == in_effect_from,
        )
        for row, name in rows
    ]


def latest(viewer) -> Settings:
    """The latest version, for the administrator: what a new version starts from and must
    take effect after."""
    _require(viewer)
    return _latest()


def _latest() -> Settings:
    row = db.session.scalars(
        select(ContinuitySettings).order_by(ContinuitySettings.effective_from.desc()).limit(1)
    ).first()
    return rules._from_row(row) if row is not None else rules.DEFAULTS


def _check_mapping(name: str, mapping: dict) -> dict:
    allowed = PLACEMENTS[name]
    checked = {}
    for code in MAPPED_CODES[name]:
        placement = mapping.get(code)
        if placement not in allowed:
            raise InvalidChange("Choose where this code counts", field=f"{name}__{code}")
        checked[code] = placement
    return checked


def change(viewer, new: Settings) -> Settings:
    """Add a version taking effect on ``new.effective_from``; audited with what it says."""
    _require(viewer)
    latest = _latest()
    if new.effective_from < local_today():
        raise InvalidChange(
            "The date the settings take effect must be today or in the future",
            field="effective_from",
        )
    if new.effective_from <= latest.effective_from:
        raise InvalidChange(
            "The date the settings take effect must be after "
            f"{display(latest.effective_from)}, when the latest settings take effect",
            field="effective_from",
        )
    low, high = WINDOW_DAYS
    if not low <= new.window_days <= high:
        raise InvalidChange(f"Window must be between {low} and {high} days", field="window_days")
    low, high = TARGET_PERCENT
    if not low <= new.target_percent <= high:
        raise InvalidChange(f"Target must be between {low}% and {high}%", field="target_percent")
    row = ContinuitySettings(
        effective_from=new.effective_from,
        window_days=new.window_days,
        target_percent=new.target_percent,
        release_types=_check_mapping("release_types", dict(new.release_types)),
        treatment_needs=_check_mapping("treatment_needs", dict(new.treatment_needs)),
        exclusions=_check_mapping("exclusions", dict(new.exclusions)),
        changed_by_id=viewer.id,
    )
    db.session.add(row)
    db.session.flush()
    saved = rules._from_row(row)
    record(
        Action.CREATE,
        actor=viewer,
        entity_type=RecordType.CONTINUITY_SETTINGS,
        entity_id=row.id,
        purpose=Purpose.ADMINISTRATION,
        detail={**saved.as_dict(), "replaces": latest.effective_from.isoformat()},
    )
    return saved
