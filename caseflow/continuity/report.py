"""The monthly partnership report: one page per partnership and month instead of many returns
(issue 10), printable on A4 from the browser and downloadable as a PDF made on the server.

It holds the month's continuity rate against the target with its counts, the trend to that
month, the second measure (first attended appointment within the window), exclusions by reason,
the rate by pathway (a release on several pathways is in each row), and the referrals for the
month's releases by status. Every figure of the measure comes from one ``continuity.services``
statement; the referral counts are one grouped query over the same releases (the partnership's
releases in the month, ``security.scope.measured_releases``).

Showing the report is one "view" audit row; downloading the PDF one "export" row instead.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from caseflow.audit.catalogue import Action, Purpose, RecordType
from caseflow.audit.services import record
from caseflow.continuity import entries as cohort
from caseflow.continuity import overview, periods, report_sections, services, statements
from caseflow.continuity.entries import Scope
from caseflow.continuity.periods import Period
from caseflow.continuity.services import Measure
from caseflow.dates import local_today
from caseflow.domain import NotFound, NotPermitted
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Referral
from caseflow.security.access import role_may

REPORT_TREND_MONTHS = 12


@dataclass(frozen=True)
class Report:
    partnership: str
    month: Period
    measure: Measure
    trend: overview.Trend
    # The month's breakdown by pathway; a release on several pathways is in each row.
    pathways: list[services.Row]
    referrals_by_status: list[tuple[str, int]]  # in the lifecycle's order, none left out
    made_on: date
    # Parts other domains add (a pathway's own counts): (template, context), report_sections.py.
    sections: tuple[tuple[str, dict], ...] = ()


def report_month(code: str | None, today: date | None = None) -> Period:
    """The month an address names; the latest complete month when it names none."""
    today = today or local_today()
    if not code:
        first_of_month = date(today.year, today.month, 1)
        previous = date.fromordinal(first_of_month.toordinal() - 1)
        return periods.month(previous.year, previous.month)
    try:
        period = periods.parse(code)
    except periods.NotAPeriod as error:
        raise NotFound("No such month") from error
    if period.kind != "month":
        raise NotFound("The report is monthly")
    return period


def month_choices(today: date | None = None) -> list[Period]:
    """The last 12 months, latest first, for the report's month links."""
    today = today or local_today()
    return list(reversed(periods.months_ending(periods.month(today.year, today.month), 12)))


def _referrals_by_status(viewer, month: Period) -> list[tuple[str, int]]:
    scope = Scope.of_viewer(viewer)

    def build():
        return (
            select(Referral.status, func.count())
            .join(CustodyEpisode, CustodyEpisode.id == Referral.episode_id)
            .where(
                CustodyEpisode.actual_release_date >= month.start,
                CustodyEpisode.actual_release_date <= month.end,
                scope.condition,
            )
            .group_by(Referral.status)
        )

    scope_key = statements.condition_key(scope.condition)
    key = None if scope_key is None else ("referrals by status", scope_key, month.start, month.end)
    counted = dict(cohort.session().execute(statements.built(key, build)).all())
    return [(status.value, counted.get(status.value, 0)) for status in Status]


def monthly_report(viewer, month: Period, *, download: bool = False, today=None) -> Report:
    """The viewer's partnership's report for a month; audited as a view, or as an export when
    it is the PDF."""
    if not role_may(viewer.role, "continuity.view"):
        raise NotPermitted("Your role does not see the continuity measure")
    scope = Scope.of_viewer(viewer)
    found = services.dashboard(
        scope,
        month,
        dimensions=[services.PATHWAY],
        trend_months=REPORT_TREND_MONTHS,
        today=today,
    )
    measure = found.measure
    record(
        Action.EXPORT if download else Action.VIEW,
        actor=viewer,
        entity_type=RecordType.PAGE,
        entity_id="continuity report",
        purpose=Purpose.CASELOAD,
        detail={"page": "continuity report", "period": month.code}
        | ({"format": "pdf"} if download else {}),
    )
    return Report(
        partnership=scope.name,
        month=month,
        measure=measure,
        trend=overview.trend_of(found.trend, measure.settings.target),
        pathways=found.breakdowns[services.PATHWAY],
        referrals_by_status=_referrals_by_status(viewer, month),
        made_on=today or local_today(),
        sections=tuple(report_sections.sections_for(viewer, month)),
    )
