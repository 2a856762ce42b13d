"""The trend chart's geometry from given figures: each month's point at its rate, the target as
a horizontal line at its height, and a month with no cohort a gap in the line, not a 0%."""

from caseflow.continuity.charts import trend_chart

# The plot runs from x=48 to x=568 (640 wide, 48 left for labels, 72 right for the target's) and
# from y=16 (100%) down to y=212 (0%): 196 high.


def test_points_sit_at_their_rates_evenly_along_the_months():
    chart = trend_chart([("Jan", 1.0), ("Feb", 0.5), ("Mar", 0.0)], target=0.75)
    assert [(p.x, p.y) for p in chart.points] == [(48, 16), (308, 114), (568, 212)]
    assert chart.segments == ["48.0,16.0 308.0,114.0 568.0,212.0"]


def test_the_target_line_is_drawn_at_the_target_rate():
    assert trend_chart([("Jan", 0.6), ("Feb", 0.8)], target=0.75).target_y == 65
    assert trend_chart([("Jan", 0.6), ("Feb", 0.8)], target=0.5).target_y == 114


def test_a_month_without_a_cohort_breaks_the_line():
    chart = trend_chart([("Jan", 0.5), ("Feb", None), ("Mar", 0.25), ("Apr", 1.0)], target=0.75)
    assert chart.points[1].y is None
    assert chart.segments == ["48.0,114.0", "394.7,163.0 568.0,16.0"]


def test_the_grid_is_labelled_from_0_to_100_percent():
    chart = trend_chart([("Jan", 0.5), ("Feb", 0.5)], target=0.75)
    assert chart.grid == [("0%", 212), ("25%", 163), ("50%", 114), ("75%", 65), ("100%", 16)]
