"""The partnership's monthly CSTR counts (issue 11), the worklist of reports and reviews due on
both probation's and the provider's lists, and the clock from sentence."""

from datetime import date, timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, OrganisationKind
from caseflow.pathways.cstr import clock, counts, records, services, worklists
from caseflow.pathways.cstr.models import CstrOrder
from tests.factories import OrganisationFactory
from tests.pathways.cstr.world import make_world


class Month:
    """A month as the report names it (continuity/periods.py gives the same two dates)."""

    def __init__(self, day: date):
        self.start = day.replace(day=1)
        following = (self.start + timedelta(days=32)).replace(day=1)
        self.end = following - timedelta(days=1)


def partnership(*areas):
    organisation = OrganisationFactory(kind=OrganisationKind.PARTNERSHIP)
    organisation.areas = [db.session.get(LocalAuthority, code) for code in areas]
    db.session.flush()
    return organisation


def test_the_counts_by_requirement_and_local_authority_for_the_month():
    world = make_world()
    today = local_today()
    month = Month(today)
    sentence = month.start
    # A combined DRR and ATR made on the 1st and started on day 21 (within 3 weeks): it counts
    # under both requirements.
    combined = world.made(("drr", "atr"), sentence=sentence)
    services.change(
        world.keyworker,
        combined.id,
        "start",
        treatment_start_date=min(today, sentence + timedelta(days=21)),
    )
    # An ATR assessed unsuitable this month.
    unsuitable = world.request(("atr",))
    services.change(
        world.keyworker, unsuitable.id, "assess_unsuitable", assessed_on=today, reason="No"
    )
    # A DRR breached this month, started late (day 22), sentenced last month: made and
    # within-3-weeks belong to last month, the breach to this one.
    earlier = month.start - timedelta(days=40)
    late = world.made(("drr",), sentence=earlier)
    services.change(
        world.keyworker, late.id, "start", treatment_start_date=earlier + timedelta(days=22)
    )
    services.change(world.probation, late.id, "breach", event_date=today, reason="Failed")

    rows = counts.partnership_counts(partnership("E08000025").id, month)
    found = {(row.requirement, row.local_authority): row.counts for row in rows}
    assert found[("drr", "Birmingham")] == {
        "assessed": 2,
        "suitable": 2,
        "made": 1,
        "started": 1,
        "within_3_weeks": 1,
        "completed": 0,
        "revoked": 0,
        "breached": 1,
    }
    assert found[("atr", "Birmingham")] == {
        "assessed": 2,
        "suitable": 1,
        "made": 1,
        "started": 1,
        "within_3_weeks": 1,
        "completed": 0,
        "revoked": 0,
        "breached": 0,
    }
    # A partnership covering elsewhere counts none of them.
    assert counts.partnership_counts(partnership("E06000026").id, month) == []


def test_reports_and_reviews_due_are_on_both_probation_and_the_providers_worklists():
    world = make_world()
    today = local_today()
    report_due = today + timedelta(days=3)
    before_sentence = world.request(due=report_due)
    order, review = world.running_with_a_review()
    expected = [
        (before_sentence.id, "court_report", report_due),
        (order.id, "review_report", review.report_due),
        (order.id, "court_review", review.review_date),
    ]
    for viewer in (world.probation, world.keyworker):
        rows = worklists.worklist(viewer).rows
        assert [(row.order.id, row.kind, row.due) for row in rows] == expected
    # The mental health service was asked for nothing (no MHTR): nothing is due on its list.
    assert worklists.worklist(world.practitioner).rows == []
    records.record_review_report(world.probation, order.id, report_sent_on=today)
    kinds = [row.kind for row in worklists.worklist(world.probation).rows]
    assert kinds == ["court_report", "court_review"]


def test_the_clock_runs_from_the_sentence_date_for_21_days():
    today = local_today()

    def summary(sentence, start=None, status="order_made"):
        order = CstrOrder(sentence_date=sentence, treatment_start_date=start, status=status)
        return clock.summary(order, today)

    assert summary(None, status="requested").sentence.startswith("No clock yet")
    running = summary(today - timedelta(days=7))
    assert running.sentence.startswith("Day 7 since sentence, 14 days left")
    assert summary(today - timedelta(days=21)).state == "running"
    assert summary(today - timedelta(days=22)).state == "not_started"
    on_time = summary(today - timedelta(days=30), today - timedelta(days=9), "started")
    assert on_time.state == "started_on_time"
    late = summary(today - timedelta(days=30), today - timedelta(days=8), "started")
    assert late.state == "started_late"
