"""The continuity-of-care measure, computed in SQL: every page, export, report and command uses
this module (DOMAIN.md, "The continuity-of-care rate" and "Rules that decide the numbers").

One query (``continuity.entries``) makes one cohort entry per release: a custody episode whose
actual release date falls in the period, with its outcome (met, not met, pending, excluded, or
not in the cohort at all), the exclusion reason, the first treatment start and the provider
credited with it, the first attended appointment, and the columns each breakdown groups by.
``continuity.grouping`` counts it in one statement however many figures a page shows (the
cohort computed once); the case lists page it. The entries are made from each release's facts
row (``continuity.facts``, kept in the transaction of every change to the records behind it),
and nationally a settled month (every window closed) is read from its kept counts
(``continuity.rollups``), so the dashboard counts only its recent months row by row. Release
and treatment-start dates are London local dates already (they are dates, not times); "today"
is London's today.

The API (``scope`` is a ``Scope``; ``period`` a ``periods.Period``; ``today`` defaults to
London's today and is there for tests):

- ``Scope.national()``, ``Scope.of_partnership(organisation)``, ``Scope.of_viewer(user)``: whose
  releases are counted. A viewer's scope is ``security.scope.measured_releases`` (a manager: the
  releases into their partnership's local authorities). ``partnership_named(name)`` finds one.
- ``dashboard(scope, period, *, dimensions=(), trend_months=0, today=None, from_records=False)
  -> Dashboard``:
  ``measure`` (below), ``breakdowns`` ({dimension: [Row]} for each dimension asked for) and
  ``trend`` (the ``trend_months`` months ending with the period's last, as in ``trend``), from
  one SQL statement. ``headline``, ``breakdown`` and ``trend`` are it for one part.
- ``headline(scope, period, today=None) -> Measure``: ``settings`` (``rules.Settings`` in effect
  on the period's last day), ``figures`` (``Figures``: ``cohort, met, not_met, pending,
  excluded, rate, provisional``; ``as_dict()``), ``attended`` (the second measure, first
  attended appointment within the window, as ``Figures`` over the same cohort) and
  ``exclusions`` ({reason code: count}).
- ``breakdown(scope, period, dimension, today=None) -> list[Row]``: ``Row(key, label,
  figures)`` per value of a ``DIMENSIONS`` key (region, local_authority, prison, provider,
  substance_group, sex, ethnic_group, age_band, pathway), sorted by rate (highest first, none
  last), then label. By pathway: one row per pathway registered in
  ``continuity.pathway_membership`` and "No pathway"; a release on several is in each.
- ``case_list(viewer, period, *, dimension=None, value=None, outcome=None, page=1, size=25,
  today=None) -> paging.Page`` of ``Case`` (episode and person ids, release date, outcome,
  exclusion reason, treatment start, days to treatment, days left, first attended, the breakdown
  codes and names): the cases behind any cell (``cases_query``), within the viewer's scope, one
  audited list.
- ``act_now(viewer, *, page=1, size=25, today=None) -> paging.Page`` of ``Case``: pending
  releases, fewest days left first, one audited list.
- ``trend(scope, last, months=24, today=None) -> list[(Period, Figures)]``: the months ending
  with the one holding ``last``'s final day, oldest first, each measured by its own settings.
- ``entry_outcomes(scope, period, today=None, from_records=False) -> dict[episode id, (outcome,
  reason)]``: every entry's outcome; the reconciliation asks for them from the records
  themselves rather than from the releases' kept facts (``continuity.facts``).

For the pages, each checks ``continuity.view`` and writes one audit row:
``dashboard_for(viewer, period, ...)`` and ``breakdown_for(viewer, period, dimension)`` (the
same as above, in the viewer's scope, a breakdown's rows with the settings that counted them; an
unknown dimension is NotFound), ``case_list`` and ``act_now`` (above), and
``case_names(cases)`` ({column: {code or id: name}} for a page of cases).
``settings_for(period)`` names the settings a period's figures use;
``periods.period_choices()`` and ``periods.chosen_period(code)`` give a page its periods.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from caseflow.audit.services import record
from caseflow.continuity import entries as cohort
from caseflow.continuity import figures, grouping, rules
from caseflow.continuity.entries import NOT_IN_COHORT, Scope
from caseflow.continuity.figures import (
    DIMENSIONS,
    NOT_RECORDED,
    PATHWAY,
    Figures,
    Row,
)
from caseflow.continuity.periods import Period
from caseflow.continuity.rules import Outcome, Settings
from caseflow.dates import local_today
from caseflow.domain import NotFound, NotPermitted
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.paging import Page, page_of
from caseflow.people.models import Person
from caseflow.security.access import role_may
from caseflow.security.scope import visible_people

# Re-exported: the pages, exports and commands read them from here, as the measure's API.
__all__ = ["DIMENSIONS", "NOT_RECORDED", "PATHWAY", "Figures", "Row", "Scope"]


def partnership_named(name: str) -> Organisation | None:
    return cohort.session().scalar(
        select(Organisation).where(
            Organisation.name == name, Organisation.kind == OrganisationKind.PARTNERSHIP
        )
    )


# The headline, breakdowns and trend: counted by continuity.grouping, one statement each call ---


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


@dataclass(frozen=True)
class Dashboard:
    """A period's headline with the breakdowns and trend asked for, counted together."""

    measure: Measure
    breakdowns: dict[str, list[Row]]
    trend: list[tuple[Period, Figures]]


def _measured(entries):
    return entries.c.outcome != NOT_IN_COHORT


def dashboard(
    scope: Scope,
    period: Period,
    *,
    dimensions=(),
    trend_months: int = 0,
    today: date | None = None,
    from_records: bool = False,
) -> Dashboard:
    """The headline, each breakdown of ``dimensions`` and the ``trend_months`` months ending
    with the period's last, from the cohort computed once (one SQL statement). From the
    releases' kept facts; ``from_records``, from the records behind them (the same numbers:
    ``flask continuity check-facts`` and the tests hold them to it)."""
    counted = grouping.count(
        scope,
        period,
        dimensions=dimensions,
        trend_months=trend_months,
        today=today or local_today(),
        from_records=from_records,
    )
    measure = Measure(
        scope=scope.name,
        period=period,
        settings=counted.settings,
        figures=counted.figures,
        attended=counted.attended,
        exclusions=counted.exclusions,
    )
    return Dashboard(measure=measure, breakdowns=counted.breakdowns, trend=counted.trend)


def headline(scope: Scope, period: Period, today: date | None = None) -> Measure:
    return dashboard(scope, period, today=today).measure


def breakdown(scope: Scope, period: Period, dimension: str, today: date | None = None) -> list[Row]:
    return dashboard(scope, period, dimensions=[dimension], today=today).breakdowns[dimension]


def trend(
    scope: Scope, last: Period, months: int = 24, today: date | None = None
) -> list[tuple[Period, Figures]]:
    """Each month's figures, oldest first; each month measured by the settings in effect on its
    last day."""
    return dashboard(scope, last, trend_months=months, today=today).trend


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


def cases_query(
    viewer,
    period: Period,
    *,
    dimension: str | None = None,
    value: str | None = None,
    outcome: str | None = None,
    today: date,
):
    """The cases behind one cell, as the case list and its download select them: within the
    viewer's scope, latest release first. A dimension or outcome that is not one is NotFound
    (the pages link only to real ones)."""
    if outcome and not Outcome.has(outcome):
        raise NotFound("No such outcome")
    if dimension and dimension not in DIMENSIONS:
        raise NotFound("No such breakdown")
    settings = rules.settings_on(period.end)
    entries = cohort.entries(Scope.of_viewer(viewer), period.start, period.end, settings, today)
    query = select(entries).where(_measured(entries))
    if dimension:
        query = query.where(grouping.in_cell(entries, dimension, value))
    if outcome:
        query = query.where(entries.c.outcome == outcome)
    # The person behind each case must be one the viewer sees, whatever the measure's scope.
    return query.where(
        select(Person.id).where(Person.id == entries.c.person_id, visible_people(viewer)).exists()
    ).order_by(entries.c.release_date.desc(), entries.c.episode_id)


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
    """The cases behind one cell (``cases_query``), a page of them; audited."""
    _require_measure(viewer)
    today = today or local_today()
    query = cases_query(
        viewer, period, dimension=dimension, value=value, outcome=outcome, today=today
    )
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
    # Read where the figures are (a replica, when there is one); the audit row on the primary.
    found = page_of(query, page, size=size, count=True, session=cohort.session())
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


# Reconciliation ------------------------------------------------------------------------


def entry_outcomes(
    scope: Scope, period: Period, today: date | None = None, *, from_records: bool = False
) -> dict[uuid.UUID, tuple[str, str | None]]:
    """Every cohort entry of the period (excluded ones too): its outcome and exclusion reason."""
    today = today or local_today()
    settings = rules.settings_on(period.end)
    entries = cohort.entries(
        scope, period.start, period.end, settings, today, from_records=from_records
    )
    rows = (
        cohort.session()
        .execute(
            select(entries.c.episode_id, entries.c.outcome, entries.c.exclusion_reason).where(
                _measured(entries)
            )
        )
        .all()
    )
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


def dashboard_for(
    viewer, period: Period, *, dimensions=(), trend_months: int = 0, today: date | None = None
) -> Dashboard:
    """The headline, with the breakdowns and trend asked for, for the viewer's partnership:
    one audited view of the dashboard."""
    _require_measure(viewer)
    _view(viewer, "continuity", period)
    return dashboard(
        Scope.of_viewer(viewer),
        period,
        dimensions=dimensions,
        trend_months=trend_months,
        today=today,
    )


@dataclass(frozen=True)
class Breakdown:
    """A breakdown's rows and the settings that counted them (named beside the figures)."""

    rows: list[Row]
    settings: Settings


def breakdown_for(viewer, period: Period, dimension: str, today: date | None = None) -> Breakdown:
    """A breakdown for the viewer's partnership: one audited view."""
    _require_measure(viewer)
    if dimension not in DIMENSIONS:
        raise NotFound("No such breakdown")
    _view(viewer, "continuity breakdown", period, dimension=dimension)
    found = dashboard(Scope.of_viewer(viewer), period, dimensions=[dimension], today=today)
    return Breakdown(rows=found.breakdowns[dimension], settings=found.measure.settings)


def _require_measure(viewer) -> None:
    if not role_may(viewer.role, "continuity.view"):
        raise NotPermitted("Your role does not see the continuity measure")


def case_names(cases: list[Case]) -> dict[str, dict[str, str]]:
    """The names a page shows for the codes and ids in a page of cases, by column."""
    return {
        "local_authority": figures.authority_names({case.local_authority for case in cases}),
        "provider": figures.organisation_names({case.provider for case in cases}),
        "prison": figures.organisation_names({case.prison for case in cases}),
    }
