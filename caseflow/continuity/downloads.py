"""The measure's CSV downloads: every breakdown, and the case list, for a manager's partnership.

Both go through the shared CSV writer (``caseflow.exports``: formula cells defused, CRLF) and
each writes one "export" audit row naming what was exported and how many rows, never a person.
The figures are ``continuity.services``'s, the same as the pages show.

The case list has one row per cohort entry, excluded entries included, with ``CASE_COLUMNS``
first in the order the issue gives. No names or identifiers of people: ``episode_reference`` is
the custody episode's own opaque id (not a prison number); codes are the code lists' codes and
organisations are named, as analysts join them to other returns.
"""

from datetime import date

from caseflow.audit.catalogue import Action, Purpose, RecordType
from caseflow.audit.services import record
from caseflow.continuity import entries as cohort
from caseflow.continuity import rules, services
from caseflow.continuity.entries import Scope
from caseflow.continuity.periods import Period
from caseflow.dates import local_today
from caseflow.domain import NotFound, NotPermitted
from caseflow.exports import CsvExport, csv_line, csv_lines
from caseflow.security.access import role_may

BREAKDOWN_COLUMNS = ("key", "label", "rate", "cohort", "met", "not_met", "pending", "excluded")
CASE_COLUMNS = (
    "episode_reference",
    "release_date",
    "period_month",
    "local_authority_code",
    "prison",
    "provider",
    "substance_group",
    "sex",
    "ethnic_group",
    "age_band",
    "outcome",
    "exclusion_reason",
    "treatment_start_date",
    "days_to_treatment",
    "first_attended_date",
)
# After the columns the issue asks for: what the pages also show.
EXTRA_CASE_COLUMNS = ("region", "window_end", "days_left", "settings_effective_from")


def _require_measure(viewer) -> None:
    if not role_may(viewer.role, "continuity.view"):
        raise NotPermitted("Your role does not see the continuity measure")


def _audit(viewer, period: Period, what: str, rows: int, **detail) -> None:
    record(
        Action.EXPORT,
        actor=viewer,
        entity_type=RecordType.PAGE,
        entity_id="continuity",
        purpose=Purpose.CASELOAD,
        detail={
            "export": what,
            "period": period.code,
            "rows": rows,
            "format": "csv",
            **{k: v for k, v in detail.items() if v},
        },
    )


def _rate(figures) -> str:
    return "" if figures.rate is None else f"{figures.rate:.4f}"


def breakdown_csv(viewer, period: Period, dimension: str, today: date | None = None) -> CsvExport:
    """One line per row of the breakdown page, in its order; audited."""
    _require_measure(viewer)
    if dimension not in services.DIMENSIONS:
        raise NotFound("No such breakdown")
    rows = services.breakdown(Scope.of_viewer(viewer), period, dimension, today=today)
    _audit(viewer, period, "breakdown", len(rows), dimension=dimension)
    lines = [csv_line((dimension, *BREAKDOWN_COLUMNS[1:]))]
    lines.extend(
        csv_line(
            (
                row.key or "",
                row.label,
                _rate(row.figures),
                row.figures.cohort,
                row.figures.met,
                row.figures.not_met,
                row.figures.pending,
                row.figures.excluded,
            )
        )
        for row in rows
    )
    return CsvExport(
        rows=len(rows),
        filename=f"continuity-{period.code}-by-{dimension.replace('_', '-')}.csv",
        lines=iter(lines),
    )


def _iso(value) -> str:
    value = services._day(value)
    return value.isoformat() if value else ""


def case_list_csv(
    viewer,
    period: Period,
    *,
    dimension: str | None = None,
    value: str | None = None,
    outcome: str | None = None,
    today: date | None = None,
) -> CsvExport:
    """Every case behind a cell (the whole period without one), as the case list page selects
    them, latest release first; audited."""
    _require_measure(viewer)
    today = today or local_today()
    settings = rules.settings_on(period.end)
    query = services.cases_query(
        viewer, period, dimension=dimension, value=value, outcome=outcome, today=today
    )
    cases = [services._case(row, today) for row in cohort.session().execute(query).all()]
    names = services.case_names(cases)
    _audit(viewer, period, "cases", len(cases), dimension=dimension, outcome=outcome)
    effective_from = settings.effective_from.isoformat()

    def values(case):
        return (
            case.episode_id,
            _iso(case.release_date),
            f"{case.release_date:%Y-%m}",
            case.local_authority or "",
            names["prison"].get(case.prison, ""),
            names["provider"].get(case.provider, ""),
            case.substance_group,
            case.sex,
            case.ethnic_group,
            case.age_band,
            case.outcome,
            case.exclusion_reason,
            _iso(case.treatment_start_date),
            case.days_to_treatment,
            _iso(case.first_attended_date),
            case.region,
            _iso(case.window_end),
            case.days_left,
            effective_from,
        )

    return CsvExport(
        rows=len(cases),
        filename=f"continuity-{period.code}-cases.csv",
        lines=iter([csv_line(CASE_COLUMNS + EXTRA_CASE_COLUMNS), csv_lines(map(values, cases))]),
    )
