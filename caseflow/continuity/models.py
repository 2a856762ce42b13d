"""The measure's settings, kept as data with the date each version took effect.

A row is never changed: new settings are a new row with a later ``effective_from``, so a
figure can always name the settings it was computed with (``continuity.rules``).
"""

import uuid
from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.models import Entity


class ContinuitySettings(Entity):
    """Window, target and the code mappings, in effect from ``effective_from`` on."""

    __tablename__ = "continuity_settings"

    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    window_days: Mapped[int] = mapped_column(Integer)
    target_percent: Mapped[int] = mapped_column(Integer)
    # {code: placement}: release type and treatment need to cohort / excluded / not_in_cohort;
    # each exclusion reason to excluded (the rule applies) or cohort (it does not).
    release_types: Mapped[dict] = mapped_column(JSON)
    treatment_needs: Mapped[dict] = mapped_column(JSON)
    exclusions: Mapped[dict] = mapped_column(JSON)
    # Who set them; none for the defaults the migration wrote.
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
