"""The continuity-of-care measure, computed in SQL: every page, export, report and command uses
this module (DOMAIN.md, "The continuity-of-care rate" and "Rules that decide the numbers").

One query (``_entries``) makes one cohort entry per release: a custody episode whose actual
release date falls in the period, with its outcome (met, not met, pending, excluded, or not in
the cohort at all), the exclusion reason, the first treatment start and the provider credited
with it, the first attended appointment, and the columns each breakdown groups by. Everything
else counts or pages that query in the database. Release and treatment-start dates are London
local dates already (they are dates, not times); "today" is London's today.

The API (``scope`` is a ``Scope``; ``period`` a ``periods.Period``; ``today`` defaults to
London's today and is there for tests):

- ``Scope.national()``, ``Scope.of_partnership(organisation)``, ``Scope.of_viewer(user)``: whose
  releases are counted. A viewer's scope is ``security.scope.measured_releases`` (a manager: the
  releases into their partnership's local authorities). ``partnership_named(name)`` finds one.
- ``headline(scope, period, today=None) -> Measure``: ``settings`` (``rules.Settings`` in effect
  on the period's last day), ``figures`` (``Figures``: ``cohort, met, not_met, pending,
  excluded, rate, provisional``; ``as_dict()``), ``attended`` (the second measure, first
  attended appointment within the window, as ``Figures`` over the same cohort) and
  ``exclusions`` ({reason code: count}).
- ``breakdown(scope, period, dimension, today=None) -> list[Row]``: ``Row(key, label,
  figures)`` per value of a ``DIMENSIONS`` key (region, local_authority, prison, provider,
  substance_group, sex, ethnic_group, age_band), sorted by rate (highest first, none last),
  then label.
- ``case_list(viewer, period, *, dimension=None, value=None, outcome=None, page=1, size=25,
  today=None) -> paging.Page`` of ``Case`` (episode and person ids, release date, outcome,
  exclusion reason, treatment start, days to treatment, days left, first attended, the breakdown
  codes and names): the cases behind any cell, within the viewer's scope, one audited list.
- ``act_now(viewer, *, page=1, size=25, today=None) -> paging.Page`` of ``Case``: pending
  releases, fewest days left first, one audited list.
- ``trend(scope, last, months=24, today=None) -> list[(Period, Figures)]``: the months ending
  with the one holding ``last``'s final day, oldest first.
- ``entry_outcomes(scope, period, today=None) -> dict[episode id, (outcome, reason)]``: every
  entry's outcome, for the reconciliation.

For the pages, each checks ``continuity.view`` and writes one audit row:
``headline_for(viewer, period)`` and ``breakdown_for(viewer, period, dimension)`` (the same as
above, in the viewer's scope; an unknown dimension is NotFound), ``case_list`` and ``act_now``
(above), and ``case_names(cases)`` ({column: {code or id: name}} for a page of cases).
``settings_for(period)`` names the settings a period's figures use; ``periods.period_choices()``
and ``periods.chosen_period(code)`` give a page its periods.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import false, func, select

from caseflow.audit.services import record
from caseflow.codes import code_list
from caseflow.continuity import entries as cohort
from caseflow.continuity import rules
from caseflow.continuity.entries import NOT_IN_COHORT, Scope
from caseflow.continuity.periods import Period, months_ending
from caseflow.continuity.rules import Outcome, Settings
from caseflow.dates import local_today
from caseflow.domain import NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, Organisation, OrganisationKind
from caseflow.paging import Page, page_of
from caseflow.people.models import Person
from caseflow.security.access import role_may
from caseflow.security.scope import visible_people

AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")


def partnership_named(name: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).where(
            Organisation.name == name, Organisation.kind == OrganisationKind.PARTNERSHIP
        )
    )


# Figures -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The counts of one cell, and the rate they make: met / (met + not met + pending)."""

    met: int = 0
    not_met: int = 0
    pending: int = 0
    excluded: int = 0

    @property
    def cohort(self) -> int:
        return self.met + self.not_met + self.pending

    @property
    def rate(self) -> float | None:
        return self.met / self.cohort if self.cohort else None

    @property
    def provisional(self) -> bool:
        return self.pending > 0

    def as_dict(self) -> dict:
        return {
            "cohort": self.cohort,
            "met": self.met,
            "not_met": self.not_met,
            "pending": self.pending,
            "excluded": self.excluded,
            "rate": None if self.rate is None else round(self.rate, 4),
            "provisional": self.provisional,
        }


def _figures(counts: Iterable[tuple[str, int]]) -> Figures:
    found = {outcome: count for outcome, count in counts}
    return Figures(
        met=found.get(Outcome.MET, 0),
        not_met=found.get(Outcome.NOT_MET, 0),
        pending=found.get(Outcome.PENDING, 0),
        excluded=found.get(Outcome.EXCLUDED, 0),
    )


@dataclass(frozen=True)
class Measure:
    scope: str
    period: Period
    settings: Settings
    figures: Figures
    attended: Figures
    exclusions: dict[str, int]

    def as_dict(self) -> dict:
        return {
            "period": self.period.code,
            "scope": self.scope,
            **self.figures.as_dict(),
            "settings_effective_from": self.settings.effective_from.isoformat(),
            "window_days": self.settings.window_days,
            "target_percent": self.settings.target_percent,
        }


def _measured(entries):
    return entries.c.outcome != NOT_IN_COHORT


def headline(scope: Scope, period: Period, today: date | None = None) -> Measure:
    today = today or local_today()
    settings = rules.settings_on(period.end)
    entries = cohort.entries(scope, period.start, period.end, settings, today)
    rows = db.session.execute(
        select(entries.c.outcome, entries.c.attended, entries.c.exclusion_reason, func.count())
        .where(_measured(entries))
        .group_by(entries.c.outcome, entries.c.attended, entries.c.exclusion_reason)
    ).all()
    outcomes: dict[str, int] = {}
    attended: dict[str, int] = {}
    exclusions: dict[str, int] = {}
    for outcome, attendance, reason, count in rows:
        outcomes[outcome] = outcomes.get(outcome, 0) + count
        if outcome == Outcome.EXCLUDED:
            exclusions[reason] = exclusions.get(reason, 0) + count
        else:
            attended[attendance] = attended.get(attendance, 0) + count
    return Measure(
        scope=scope.name,
        period=period,
        settings=settings,
        figures=_figures(outcomes.items()),
        attended=_figures(attended.items()),
        exclusions=exclusions,
    )


# Breakdowns --------------------------------------------------------------------------------------


def _organisation_names(ids) -> dict[str, str]:
    wanted = [uuid.UUID(value) for value in ids if value is not None]
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
    ).all()
    return {str(key): name for key, name in rows}


def _authority_names(codes) -> dict[str, str]:
    wanted = [value for value in codes if value is not None]
    if not wanted:
        return {}
    rows = db.session.execute(
        select(LocalAuthority.ons_code, LocalAuthority.name).where(
            LocalAuthority.ons_code.in_(wanted)
        )
    ).all()
    return dict(rows)


def _code_names(list_key: str):
    def names(values) -> dict[str, str]:
        codes = code_list(list_key)
        return {value: codes.label_of(value) for value in values if value is not None}

    return names


def _same(values) -> dict[str, str]:
    return {value: value for value in values if value is not None}


# dimension: (heading, how its keys are named)
DIMENSIONS = {
    "region": ("Region", _same),
    "local_authority": ("Local authority", _authority_names),
    "prison": ("Prison", _organisation_names),
    "provider": ("Provider", _organisation_names),
    "substance_group": ("Substance group", _code_names("substance_group")),
    "sex": ("Sex", _code_names("sex")),
    "ethnic_group": ("Ethnic group", _code_names("ethnic_group")),
    "age_band": ("Age band", _same),
}
NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Row:
    key: str | None
    label: str
    figures: Figures


def breakdown(scope: Scope, period: Period, dimension: str, today: date | None = None) -> list[Row]:
    if dimension not in DIMENSIONS:
        raise KeyError(dimension)
    today = today or local_today()
    settings = rules.settings_on(period.end)
    entries = cohort.entries(scope, period.start, period.end, settings, today)
    column = entries.c[dimension]
    counted = db.session.execute(
        select(column, entries.c.outcome, func.count())
        .where(_measured(entries))
        .group_by(column, entries.c.outcome)
    ).all()
    by_key: dict[str | None, list[tuple[str, int]]] = {}
    for key, outcome, count in counted:
        by_key.setdefault(None if key is None else str(key), []).append((outcome, count))
    names = DIMENSIONS[dimension][1](list(by_key))
    rows = [
        Row(
            key=key,
            label=names.get(key, NOT_RECORDED) if key else NOT_RECORDED,
            figures=_figures(counts),
        )
        for key, counts in by_key.items()
    ]
    rows.sort(key=lambda row: (row.figures.rate is None, -(row.figures.rate or 0), row.label))
    return rows


# Case lists -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    episode_id: uuid.UUID
    person_id: uuid.UUID
    release_date: date
    window_end: date
    outcome: str
    exclusion_reason: str | None
    treatment_start_date: date | None
    first_attended_date: date | None
    provider: str | None
    local_authority: str | None
    region: str | None
    prison: str | None
    substance_group: str | None
    sex: str | None
    ethnic_group: str | None
    age_band: str
    days_to_treatment: int | None
    days_left: int | None


def _day(value):
    """SQLite hands back a computed date as text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _case(row, today: date) -> Case:
    values = row._asdict()
    values.pop("attended", None)
    for key in ("release_date", "window_end", "treatment_start_date", "first_attended_date"):
        values[key] = _day(values[key])
    start = values["treatment_start_date"]
    release = values["release_date"]
    values["days_to_treatment"] = (start - release).days if start else None
    open_days = (values["window_end"] - today).days
    values["days_left"] = open_days if values["outcome"] == Outcome.PENDING else None
    for key in ("provider", "prison"):
        values[key] = str(values[key]) if values[key] is not None else None
    return Case(**values)


# Breakdowns whose keys are organisation ids.
ORGANISATION_DIMENSIONS = ("prison", "provider")


def _is_value(column, dimension: str, value: str | None):
    """The cell a breakdown key names: none for "Not recorded"; an id that is not one matches
    nothing (the address can hold anything)."""
    if value in (None, ""):
        return column.is_(None)
    if dimension in ORGANISATION_DIMENSIONS:
        try:
            return column == uuid.UUID(value)
        except ValueError:
            return false()
    return column == value


def case_list(
    viewer,
    period: Period,
    *,
    dimension: str | None = None,
    value: str | None = None,
    outcome: str | None = None,
    page: object = 1,
    size: int = 25,
    today: date | None = None,
) -> Page:
    """The cases behind one cell: within the viewer's scope, latest release first; audited.
    A dimension or outcome that is not one is NotFound (the pages link only to real ones)."""
    _require_measure(viewer)
    if outcome and not Outcome.has(outcome):
        raise NotFound("No such outcome")
    today = today or local_today()
    settings = rules.settings_on(period.end)
    entries = cohort.entries(Scope.of_viewer(viewer), period.start, period.end, settings, today)
    query = select(entries).where(_measured(entries))
    if dimension:
        if dimension not in DIMENSIONS:
            raise NotFound("No such breakdown")
        query = query.where(_is_value(entries.c[dimension], dimension, value))
    if outcome:
        query = query.where(entries.c.outcome == outcome)
    # The person behind each case must be one the viewer sees, whatever the measure's scope.
    query = query.where(
        select(Person.id).where(Person.id == entries.c.person_id, visible_people(viewer)).exists()
    ).order_by(entries.c.release_date.desc(), entries.c.episode_id)
    return _audited(
        viewer,
        query,
        page,
        size,
        today,
        {"period": period.code, "dimension": dimension, "outcome": outcome},
    )


def act_now(viewer, *, page: object = 1, size: int = 25, today: date | None = None) -> Page:
    """Pending releases in the viewer's scope, fewest days left first; audited."""
    _require_measure(viewer)
    today = today or local_today()
    settings = rules.settings_on(today)
    start = date.fromordinal(today.toordinal() - settings.window_days)
    entries = cohort.entries(Scope.of_viewer(viewer), start, today, settings, today)
    query = (
        select(entries)
        .where(entries.c.outcome == Outcome.PENDING)
        .where(
            select(Person.id)
            .where(Person.id == entries.c.person_id, visible_people(viewer))
            .exists()
        )
        .order_by(entries.c.window_end, entries.c.episode_id)
    )
    return _audited(viewer, query, page, size, today, {"list": "act now"})


def _audited(viewer, query, page, size, today, detail) -> Page:
    found = page_of(query, page, size=size, count=True)
    cases = found.map(lambda row: _case(row, today))
    record(
        "list",
        actor=viewer,
        entity_type="worklist",
        entity_id="continuity cases",
        purpose="caseload",
        detail={**{k: v for k, v in detail.items() if v}, "count": len(cases.rows)},
    )
    return cases


# Trend and reconciliation -------------------------------------------------------------------


def trend(
    scope: Scope, last: Period, months: int = 24, today: date | None = None
) -> list[tuple[Period, Figures]]:
    """Each month's figures, oldest first; each month measured by the settings in effect on its
    last day (one grouped query per settings version the months span)."""
    today = today or local_today()
    wanted = months_ending(last, months)
    by_settings: dict[date, tuple[Settings, list[Period]]] = {}
    for month in wanted:
        settings = rules.settings_on(month.end)
        by_settings.setdefault(settings.effective_from, (settings, []))[1].append(month)
    counts: dict[str, list[tuple[str, int]]] = {}
    for settings, group in by_settings.values():
        entries = cohort.entries(scope, group[0].start, group[-1].end, settings, today)
        month_of = cohort.month_of(entries.c.release_date)
        for key, outcome, count in db.session.execute(
            select(month_of, entries.c.outcome, func.count())
            .where(_measured(entries))
            .group_by(month_of, entries.c.outcome)
        ).all():
            counts.setdefault(key, []).append((outcome, count))
    return [(month, _figures(counts.get(month.code, []))) for month in wanted]


def entry_outcomes(
    scope: Scope, period: Period, today: date | None = None
) -> dict[uuid.UUID, tuple[str, str | None]]:
    """Every cohort entry of the period (excluded ones too): its outcome and exclusion reason."""
    today = today or local_today()
    settings = rules.settings_on(period.end)
    entries = cohort.entries(scope, period.start, period.end, settings, today)
    rows = db.session.execute(
        select(entries.c.episode_id, entries.c.outcome, entries.c.exclusion_reason).where(
            _measured(entries)
        )
    ).all()
    return {episode_id: (outcome, reason) for episode_id, outcome, reason in rows}


# For the pages (audited, for a viewer) ---------------------------------------------------


def settings_for(period: Period) -> Settings:
    """The settings a period is measured with (in effect on its last day)."""
    return rules.settings_on(period.end)


def _view(viewer, page: str, period: Period, **detail) -> None:
    record(
        "view",
        actor=viewer,
        entity_type="page",
        entity_id="continuity",
        purpose="caseload",
        detail={"page": page, "period": period.code, **detail},
    )


def headline_for(viewer, period: Period, today: date | None = None) -> Measure:
    """The headline for the viewer's partnership: one audited view."""
    _require_measure(viewer)
    _view(viewer, "continuity", period)
    return headline(Scope.of_viewer(viewer), period, today=today)


def breakdown_for(viewer, period: Period, dimension: str, today: date | None = None) -> list[Row]:
    """A breakdown for the viewer's partnership: one audited view."""
    _require_measure(viewer)
    if dimension not in DIMENSIONS:
        raise NotFound("No such breakdown")
    _view(viewer, "continuity breakdown", period, dimension=dimension)
    return breakdown(Scope.of_viewer(viewer), period, dimension, today=today)


def _require_measure(viewer) -> None:
    if not role_may(viewer.role, "continuity.view"):
        raise NotPermitted("Your role does not see the continuity measure")


def case_names(cases: list[Case]) -> dict[str, dict[str, str]]:
    """The names a page shows for the codes and ids in a page of cases, by column."""
    return {
        "local_authority": _authority_names({case.local_authority for case in cases}),
        "provider": _organisation_names({case.provider for case in cases}),
        "prison": _organisation_names({case.prison for case in cases}),
    }
