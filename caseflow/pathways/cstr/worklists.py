"""The worklist "CSTR: reports and reviews due", the same for probation and for the treating
service: each court report (before sentence), each probation review report not yet sent, each
court review to come, and each running order the court must review with none scheduled
("Court review needed"), soonest first. Sorted and paged in SQL over the viewer's CSTRs only.

Both statements (the page of what is due, then its orders) are built once for the day and
everyone with the viewer's ``scope_key``, and run again (``caseflow.kept_pages``).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, bindparam, exists, literal, select, union_all
from sqlalchemy.orm import joinedload

from caseflow import worklist_tabs
from caseflow.audit.services import record
from caseflow.codes import CodeList
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.kept_pages import built_once, kept_page
from caseflow.paging import Page
from caseflow.pathways.cstr.clock import summary
from caseflow.pathways.cstr.codes import BEFORE_SENTENCE, LIVE_ORDER
from caseflow.pathways.cstr.models import CstrOrder, CstrReview
from caseflow.pathways.cstr.schedule import reviews_required_sql
from caseflow.pathways.cstr.scope import visible_orders
from caseflow.security.access import Role
from caseflow.security.scope import scope_key, viewing

PAGE_SIZE = 25
TITLE = "CSTR: reports and reviews due"

worklist_tabs.worklist("cstr.worklist", TITLE, (Role.PROBATION, Role.KEYWORKER, Role.MENTAL_HEALTH))


class DueKind(CodeList, key="cstr_due"):
    COURT_REPORT = "court_report", "Court report (suitability)"
    REVIEW_REPORT = "review_report", "Probation review report"
    COURT_REVIEW = "court_review", "Court review"
    REVIEW_NEEDED = "review_needed", "Court review needed"


@dataclass(frozen=True)
class DueRow:
    order: CstrOrder
    kind: str
    due: date
    clock: object

    @property
    def overdue(self) -> bool:
        # A review needed has no date of its own: it is listed from the order's start.
        return self.kind != DueKind.REVIEW_NEEDED and self.due < local_today()


def court_review_needed():
    """A SQL condition on CstrOrder: a running order the court must review (a DRR over 12
    months) with no review scheduled, as ``services.court_review_needed`` says of one order."""
    return and_(
        CstrOrder.status.in_(LIVE_ORDER),
        reviews_required_sql(CstrOrder.drr, CstrOrder.start_date, CstrOrder.end_date),
        ~exists().where(CstrReview.order_id == CstrOrder.id),
    )


def _due_items(actor, today: date):
    scoped = visible_orders(actor, kept=True)
    court_reports = select(
        CstrOrder.id.label("order_id"),
        CstrOrder.court_report_due.label("due"),
        literal(DueKind.COURT_REPORT.value).label("kind"),
        CstrOrder.id.label("item_id"),
    ).where(CstrOrder.status.in_(BEFORE_SENTENCE), scoped)
    review_reports = (
        select(
            CstrOrder.id,
            CstrReview.report_due,
            literal(DueKind.REVIEW_REPORT.value),
            CstrReview.id,
        )
        .join(CstrReview, CstrReview.order_id == CstrOrder.id)
        .where(CstrOrder.status.in_(LIVE_ORDER), CstrReview.report_sent_on.is_(None), scoped)
    )
    reviews = (
        select(
            CstrOrder.id,
            CstrReview.review_date,
            literal(DueKind.COURT_REVIEW.value),
            CstrReview.id,
        )
        .join(CstrReview, CstrReview.order_id == CstrOrder.id)
        .where(CstrOrder.status.in_(LIVE_ORDER), CstrReview.review_date >= today, scoped)
    )
    # Listed from the order's start: the court must have reviews in the diary from then.
    reviews_needed = select(
        CstrOrder.id,
        CstrOrder.start_date,
        literal(DueKind.REVIEW_NEEDED.value),
        CstrOrder.id,
    ).where(court_review_needed(), scoped)
    return union_all(court_reports, review_reports, reviews, reviews_needed).subquery()


def worklist(actor, page: object = 1, today: date | None = None) -> Page:
    """One page of what is due, soonest first; one audited view of the list."""
    today = today or local_today()
    viewer = viewing(actor)

    def due():
        items = _due_items(actor, today)
        return select(items.c.order_id, items.c.due, items.c.kind).order_by(
            items.c.due, items.c.item_id, items.c.kind
        )

    found = kept_page(
        ("cstr due", today, scope_key(actor)),
        due,
        page,
        size=PAGE_SIZE,
        params=viewer,
        generic_plan=True,
    )
    orders_shown = built_once(
        ("cstr orders shown", scope_key(actor)),
        lambda: (
            select(CstrOrder)
            .options(joinedload(CstrOrder.person))
            .where(CstrOrder.id.in_(bindparam("shown", expanding=True)))
            .where(visible_orders(actor, kept=True))
        ),
    )
    ids = list({row.order_id for row in found.rows})
    orders = {
        order.id: order for order in db.session.scalars(orders_shown, {"shown": ids, **viewer})
    }
    record(
        "view",
        actor=actor,
        entity_type="worklist",
        entity_id="cstr",
        purpose="caseload",
        detail={"page": "cstr worklist", "rows": len(found.rows)},
    )
    return found.map(
        lambda row: DueRow(orders[row.order_id], row.kind, row.due, summary(orders[row.order_id]))
    )
