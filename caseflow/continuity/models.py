"""The measure's settings, kept as data with the date each version took effect.

A row is never changed: new settings are a new row with a later ``effective_from``, so a
figure can always name the settings it was computed with (``continuity.rules``).
"""

import uuid
from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.models import Base, Entity


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


class ReleaseFacts(Base):
    """What the measure needs of one release, in one row: the episode's own columns, its
    person's, and what its referrals and appointments say (``continuity.facts`` keeps it).

    Nothing here depends on the settings or on today: the outcome is decided when the measure
    is read (``continuity.entries``), from these dates, so a settings change or a window closing
    needs no rewrite. An episode not yet released has no row.
    """

    __tablename__ = "continuity_release_facts"

    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("custody_episodes.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    release_date: Mapped[date] = mapped_column(Date, index=True)
    age_at_release: Mapped[int | None] = mapped_column(Integer)
    treatment_need: Mapped[str | None] = mapped_column(String(20))
    release_type: Mapped[str | None] = mapped_column(String(30))
    removed_from_country_on: Mapped[date | None] = mapped_column(Date)
    destination_local_authority_code: Mapped[str | None] = mapped_column(String(9))
    prison_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    substance_group: Mapped[str | None] = mapped_column(String(30))
    sex: Mapped[str | None] = mapped_column(String(20))
    ethnic_group: Mapped[str | None] = mapped_column(String(20))
    date_of_death: Mapped[date | None] = mapped_column(Date)
    # The first treatment start on or after the release date, and the provider credited with
    # the release: the referral that started treatment, else the latest one sent.
    treatment_start_date: Mapped[date | None] = mapped_column(Date)
    provider_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The first attended appointment on or after the release date (the second measure).
    first_attended_date: Mapped[date | None] = mapped_column(Date)

    # A partnership's dashboard reads its areas' releases by date.
    __table_args__ = (
        Index(
            "ix_continuity_release_facts_area_released",
            "destination_local_authority_code",
            "release_date",
        ),
    )


class MonthCounts(Base):
    """A month's counts, kept once no outcome of its releases can change but by a correction
    (``continuity.rollups``): for one version of the settings (by its digest), each grouping the
    dashboard shows (the headline by outcome, second measure and exclusion reason; each
    breakdown by its key and outcome) with its count. "" stands for none in the key columns.
    A row with part "rolled" says the month was counted, so a month of no releases is known."""

    __tablename__ = "continuity_month_counts"

    settings_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    part: Mapped[str] = mapped_column(String(30), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20), primary_key=True)
    attended: Mapped[str] = mapped_column(String(20), primary_key=True)
    exclusion_reason: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class StaleMonth(Base):
    """A month whose kept counts a change has made out of date: one row per change, never
    updated, so writers changing releases of one month never wait on each other's row. The
    month is counted live from the facts until ``continuity.rollups.roll`` counts it again and
    removes the rows it saw."""

    __tablename__ = "continuity_stale_months"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
