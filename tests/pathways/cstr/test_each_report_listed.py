"""The CSTR worklist lists each probation review report not yet sent (caseflow.pathways.cstr
.worklists): one row for each review waiting for its report, as its total says.

Two reviews of one order may have their reports due on the same day (reviews must be a month
apart, their reports only before their review: cstr.schedule.check_review). Their rows then
read alike (the order, the date, the kind), and a list of rows made unique (kept_pages, which
every kept list pages through) shows one of them while counting both.
"""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.pathways.cstr import records, worklists
from tests.pathways.cstr.world import make_world


def test_two_reports_due_the_same_day_are_two_rows():
    world = make_world()
    today = local_today()
    order = world.started(start=today, end=today + timedelta(days=400))
    report_due = today + timedelta(days=33)
    for review_date in (today + timedelta(days=40), today + timedelta(days=75)):
        records.schedule_review(
            world.probation, order.id, review_date=review_date, report_due=report_due
        )

    shown = worklists.worklist(world.probation)

    reports = [row for row in shown.rows if row.kind == worklists.DueKind.REVIEW_REPORT]
    assert [(row.order.id, row.due) for row in reports] == [(order.id, report_due)] * 2
    assert len(shown.rows) == shown.total == 4  # two reports, two court reviews
