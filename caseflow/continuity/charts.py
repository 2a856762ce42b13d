"""The trend of the rate as a server-rendered SVG line chart: the geometry only, no database.

Pages work without JavaScript and load nothing from elsewhere (ARCHITECTURE.md, Front end), so
the chart is drawn on the server. This module turns the monthly rates and the target into
coordinates; ``templates/continuity/_trend.html`` draws them and puts the same numbers in a
table beside the chart, so nothing is only in the picture.

A month with no one in its cohort has no rate: the line breaks there instead of dropping to
0%, which would read as a month in which no one started treatment.
"""

from dataclasses import dataclass

WIDTH = 640
HEIGHT = 260
LEFT = 48  # room for the percentage labels
RIGHT = 72  # room for the target's label
TOP = 16
BOTTOM = 48  # room for the month labels
GRID_RATES = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Point:
    label: str
    rate: float | None
    x: float
    y: float | None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    segments: list[str]  # SVG polyline "x,y x,y" strings, one per unbroken run of months
    target: float
    target_y: float
    grid: list[tuple[str, float]]  # (label, y) for each horizontal grid line
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def labelled_points(self) -> list[Point]:
        """Every third month's label fits under the axis; the table names them all."""
        last = len(self.points) - 1
        return [p for i, p in enumerate(self.points) if (last - i) % 3 == 0]


def _y(rate: float) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return round(TOP + plot * (1 - max(0.0, min(1.0, rate))), 1)


def trend_chart(months: list[tuple[str, float | None]], target: float) -> Chart:
    """The chart of ``months`` (label, rate from 0 to 1 or None), oldest first, and the target
    (0 to 1) as a horizontal line."""
    plot = WIDTH - LEFT - RIGHT
    step = plot / (len(months) - 1) if len(months) > 1 else 0
    points = [
        Point(
            label=label,
            rate=rate,
            x=round(LEFT + step * index, 1),
            y=None if rate is None else _y(rate),
        )
        for index, (label, rate) in enumerate(months)
    ]
    segments, run = [], []
    for point in points:
        if point.y is None:
            if run:
                segments.append(" ".join(run))
            run = []
        else:
            run.append(f"{point.x},{point.y}")
    if run:
        segments.append(" ".join(run))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        segments=segments,
        target=target,
        target_y=_y(target),
        grid=[(f"{round(rate * 100)}%", _y(rate)) for rate in GRID_RATES],
    )
