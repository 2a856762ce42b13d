"""A DRR whose treatment and testing period is over 12 months must be reviewed by the court
(Sentencing Act 2020, Sch. 9 para 21; DOMAIN.md, Pathways). A running one with no review
scheduled is flagged "Court review needed" on the CSTR worklist, for probation and the treating
provider, and on the order's page, until a review is scheduled."""

from datetime import date, timedelta

import pytest
from sqlalchemy import Date, literal, select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.pathways.cstr import records, schedule, services, worklists
from tests.helpers import page, signed_in_client
from tests.pathways.cstr.world import make_world

# (start, end, reviews required): over 12 months only, a 29 February start meeting 28 February.
PERIODS = [
    (date(2026, 3, 1), date(2027, 3, 1), False),  # exactly 12 months
    (date(2026, 3, 1), date(2027, 3, 2), True),  # a day over
    (date(2026, 1, 31), date(2027, 1, 31), False),
    (date(2026, 1, 31), date(2027, 2, 1), True),
    (date(2028, 2, 29), date(2029, 2, 28), False),
    (date(2028, 2, 29), date(2029, 3, 1), True),
    (date(2026, 12, 31), date(2027, 12, 31), False),
    (date(2026, 12, 31), date(2028, 1, 1), True),
    (date(2026, 6, 15), date(2026, 12, 15), False),  # six months
]


@pytest.mark.parametrize(("start", "end", "required"), PERIODS)
def test_the_lists_rule_in_sql_is_the_schedule_rule(start, end, required):
    sql = schedule.reviews_required_sql(literal(True), literal(start, Date), literal(end, Date))
    assert db.session.scalar(select(sql)) is required
    assert schedule.reviews_required(True, start, end) is required


def needed_rows(viewer):
    return [row for row in worklists.worklist(viewer).rows if row.kind == "review_needed"]


def test_a_long_drr_with_no_review_is_flagged_until_one_is_scheduled(app):
    world = make_world()
    today = local_today()
    start = today - timedelta(days=5)
    long_drr = world.started(start=start, end=start + timedelta(days=540))
    # Not flagged: a DRR of six months (reviews optional) and an ATR of 18 months (none).
    world.started(start=start, end=start + timedelta(days=180))
    world.started(("atr",), start=start, end=start + timedelta(days=540))
    db.session.commit()

    for viewer in (world.probation, world.keyworker):
        rows = needed_rows(viewer)
        assert [(row.order.id, row.due, row.overdue) for row in rows] == [
            (long_drr.id, start, False)
        ]
    assert needed_rows(world.practitioner) == []  # asked for nothing here

    client = signed_in_client(app, world.probation)
    listed = page(client, "/cstr/worklist").get_text(" ")
    assert "Court review needed" in listed
    shown = page(client, f"/cstr/{long_drr.id}").get_text(" ")
    assert "Court review needed" in shown

    records.schedule_review(
        world.probation,
        long_drr.id,
        review_date=today + timedelta(days=30),
        report_due=today + timedelta(days=23),
    )
    db.session.commit()
    assert needed_rows(world.probation) == []
    assert "Court review needed" not in page(client, f"/cstr/{long_drr.id}").get_text(" ")


def test_an_order_that_ended_is_not_flagged(app):
    world = make_world()
    start = local_today() - timedelta(days=60)
    order = world.started(sentence=start, start=start, end=start + timedelta(days=540))
    services.change(world.probation, order.id, "revoke", event_date=local_today(), reason="Ended")
    db.session.commit()
    assert needed_rows(world.probation) == []
    client = signed_in_client(app, world.probation)
    assert "Court review needed" not in page(client, f"/cstr/{order.id}").get_text(" ")
