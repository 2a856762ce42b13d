"""What the dashboard shows beside the headline: the 24-month trend and, while the period is
provisional, the forecast. The headline and the trend come from one ``continuity.services``
statement (the one computation of the measure) for the viewer's scope, whose view is the page's
audit row; the forecast reads the same cohort entries with the last 12 months beside them."""

from dataclasses import dataclass
from datetime import date

from caseflow.continuity import charts, forecast, services
from caseflow.continuity.entries import Scope
from caseflow.continuity.periods import Period
from caseflow.continuity.services import Figures

TREND_MONTHS = 24


@dataclass(frozen=True)
class TrendMonth:
    period: Period
    figures: Figures


@dataclass(frozen=True)
class Trend:
    months: list[TrendMonth]
    chart: charts.Chart
    target_percent: int


def trend_of(months: list[tuple[Period, Figures]], target: float) -> Trend:
    """The months' figures and their chart against the target."""
    found = [TrendMonth(month, figures) for month, figures in months]
    chart = charts.trend_chart(
        [(f"{month.period.start:%b %Y}", month.figures.rate) for month in found], target
    )
    return Trend(months=found, chart=chart, target_percent=round(target * 100))


def dashboard_for(viewer, period: Period, today: date | None = None) -> dict:
    """The dashboard's headline, trend and forecast, for the template: one audited view."""
    found = services.dashboard_for(viewer, period, trend_months=TREND_MONTHS, today=today)
    measure = found.measure
    return {
        "measure": measure,
        "trend": trend_of(found.trend, measure.settings.target),
        "forecast": forecast.forecast(Scope.of_viewer(viewer), measure, today=today)
        if measure.figures.provisional
        else None,
    }
