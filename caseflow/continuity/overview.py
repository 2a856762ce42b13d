"""What the dashboard shows beside the headline: the 24-month trend and, while the period is
provisional, the forecast. Both come from ``continuity.services`` (the one computation of the
measure) for the same viewer's scope as the headline, whose view is the page's audit row."""

from dataclasses import dataclass
from datetime import date

from caseflow.continuity import charts, forecast, services
from caseflow.continuity.entries import Scope
from caseflow.continuity.periods import Period
from caseflow.continuity.services import Figures, Measure

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


def trend_for(
    scope: Scope,
    period: Period,
    target: float,
    today: date | None = None,
    months: int = TREND_MONTHS,
) -> Trend:
    """The months ending with the period's last, and their chart against the target."""
    found = [
        TrendMonth(month, figures)
        for month, figures in services.trend(scope, period, months, today=today)
    ]
    chart = charts.trend_chart(
        [(f"{month.period.start:%b %Y}", month.figures.rate) for month in found], target
    )
    return Trend(months=found, chart=chart, target_percent=round(target * 100))


def beside_headline(viewer, measure: Measure, today: date | None = None) -> dict:
    """The dashboard's trend and forecast, for the template."""
    scope = Scope.of_viewer(viewer)
    return {
        "trend": trend_for(scope, measure.period, measure.settings.target, today=today),
        "forecast": forecast.forecast(scope, measure, today=today)
        if measure.figures.provisional
        else None,
    }
