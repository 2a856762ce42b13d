"""The partnership's CSTR counts for a month, by requirement type and local authority
(DOMAIN.md, Pathways): assessed, suitable, made, started, in treatment within 3 weeks of
sentence, completed, revoked, breached. One SQL statement, grouped in the database.

Each count is dated by its own event: an assessment by its date, an order by its sentence
date, a start by its treatment start, an outcome by the day it ended. "Within 3 weeks" is
counted in the month of sentence, by the release clock's own window (``days_after``,
``WINDOW_DAYS``). A combined order counts under each of its requirements. The partnership's
orders are those of people living in its local authorities.
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, literal, select, union_all
from sqlalchemy.orm import aliased

from caseflow.continuity import report_sections
from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, organisation_areas
from caseflow.pathways.cstr.codes import Requirement, Status
from caseflow.pathways.cstr.models import CstrEvent, CstrOrder
from caseflow.referrals.clock import WINDOW_DAYS, days_after
from caseflow.security.access import role_may

MEASURES = (
    ("assessed", "Assessed"),
    ("suitable", "Suitable"),
    ("made", "Orders made"),
    ("started", "Started"),
    ("within_3_weeks", "In treatment within 3 weeks of sentence"),
    ("completed", "Completed"),
    ("revoked", "Revoked"),
    ("breached", "Breached"),
)


@dataclass(frozen=True)
class CountRow:
    requirement: str
    local_authority: str
    counts: dict[str, int]


def _in(column, month):
    return and_(column >= month.start, column <= month.end)


def _conditions(month) -> dict:
    event = aliased(CstrEvent)
    assessed_suitable = exists().where(
        event.order_id == CstrOrder.id, event.kind == "assess_suitable"
    )
    return {
        "assessed": _in(CstrOrder.assessed_on, month),
        "suitable": and_(_in(CstrOrder.assessed_on, month), assessed_suitable),
        "made": _in(CstrOrder.sentence_date, month),
        "started": _in(CstrOrder.treatment_start_date, month),
        "within_3_weeks": and_(
            _in(CstrOrder.sentence_date, month),
            CstrOrder.treatment_start_date.is_not(None),
            CstrOrder.treatment_start_date
            <= days_after(CstrOrder.sentence_date, literal(WINDOW_DAYS)),
        ),
        "completed": and_(_in(CstrOrder.ended_on, month), CstrOrder.status == Status.COMPLETED),
        "revoked": and_(_in(CstrOrder.ended_on, month), CstrOrder.status == Status.REVOKED),
        "breached": and_(_in(CstrOrder.ended_on, month), CstrOrder.status == Status.BREACHED),
    }


def partnership_counts(organisation_id, month) -> list[CountRow]:
    """Rows of counts for the organisation's local authorities in the month; only rows with
    something to count, by requirement (in the code list's order) then local authority."""
    areas = select(organisation_areas.c.local_authority_code).where(
        organisation_areas.c.organisation_id == organisation_id
    )
    conditions = _conditions(month)
    parts = [
        select(
            literal(requirement.value).label("requirement"),
            LocalAuthority.name.label("local_authority"),
            *(
                func.sum(case((condition, 1), else_=0)).label(name)
                for name, condition in conditions.items()
            ),
        )
        .join(LocalAuthority, LocalAuthority.ons_code == CstrOrder.local_authority_code)
        .where(
            getattr(CstrOrder, requirement.value).is_(True),
            CstrOrder.local_authority_code.in_(areas),
        )
        .group_by(LocalAuthority.name)
        for requirement in Requirement
    ]
    order = {code.value: index for index, code in enumerate(Requirement)}
    rows = [
        CountRow(
            row.requirement, row.local_authority, {n: int(getattr(row, n) or 0) for n in conditions}
        )
        for row in db.session.execute(union_all(*parts)).all()
    ]
    rows = [row for row in rows if any(row.counts.values())]
    return sorted(rows, key=lambda row: (order[row.requirement], row.local_authority))


@report_sections.section("pathways/cstr/_report_counts.html")
def report_section(viewer, month) -> dict | None:
    """The CSTR part of the monthly partnership report (continuity/report.py)."""
    if not role_may(viewer.role, "continuity.view"):
        return None
    return {"measures": MEASURES, "rows": partnership_counts(viewer.organisation_id, month)}
