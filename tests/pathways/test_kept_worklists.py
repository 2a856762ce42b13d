"""A pathway worklist's statement is built once for the day and the viewer's scope key, and run
again for each viewer with their own values (caseflow.kept_pages; scope.scope_key, viewing):
a colleague of the same team is served by the same statement and sees what the scope rule
gives the team; someone of another team is never served by it."""

from caseflow import kept_pages
from caseflow.dates import local_today
from caseflow.pathways.cstr import records, worklists
from caseflow.security.access import Role
from tests.factories import OrganisationFactory, UserFactory
from tests.pathways.cstr.world import make_world


def _listed(viewer):
    return [(row.order.id, row.kind, row.due) for row in worklists.worklist(viewer).rows]


def order_with_a_review():
    world = make_world()
    return (world, *world.running_with_a_review())


def test_a_colleague_is_served_by_the_kept_list_and_another_team_is_not():
    world, order, review = order_with_a_review()
    expected = [
        (order.id, "review_report", review.report_due),
        (order.id, "court_review", review.review_date),
    ]
    assert _listed(world.probation) == expected
    kept = len(kept_pages.kept)

    colleague = UserFactory(role=Role.PROBATION, organisation=world.probation.organisation)
    assert _listed(colleague) == expected
    assert len(kept_pages.kept) == kept  # the same statements, run for the colleague

    elsewhere = UserFactory(
        role=Role.PROBATION,
        organisation=OrganisationFactory(kind=world.probation.organisation.kind),
    )
    assert _listed(elsewhere) == []
    assert len(kept_pages.kept) > kept  # built for the other team's key


def test_a_kept_list_shows_what_is_due_as_it_is_now():
    world, _order, review = order_with_a_review()
    assert [kind for _id, kind, _due in _listed(world.probation)] == [
        "review_report",
        "court_review",
    ]
    records.record_review_report(world.probation, review.order_id, report_sent_on=local_today())
    assert [kind for _id, kind, _due in _listed(world.probation)] == ["court_review"]
