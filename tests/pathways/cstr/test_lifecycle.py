"""The CSTR lifecycle (DOMAIN.md, Pathways; issue 11): each action from each status, who takes
it, and what every change leaves behind (history, audit, notifications)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.dates import local_today
from caseflow.domain import InvalidTransition, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.notifications import Notification
from caseflow.pathways.cstr import services
from caseflow.pathways.cstr.models import CstrEvent, CstrOrder
from caseflow.pathways.cstr.transitions import TRANSITIONS
from tests.factories import PersonFactory
from tests.helpers import page, signed_in_client
from tests.pathways.cstr.world import make_world

# Written out from the issue, not read from the transition table: the statuses each action is
# taken from and where it leads. A warning and a variation keep a started order live.
GOLDEN = {
    "assess_suitable": ({"requested"}, "suitable"),
    "assess_unsuitable": ({"requested"}, "unsuitable"),
    "make_order": ({"suitable"}, "order_made"),
    "not_made": ({"requested", "suitable", "unsuitable"}, "not_made"),
    "start": ({"order_made"}, "started"),
    "warn": ({"started"}, "started"),
    "vary": ({"started"}, "started"),
    "complete": ({"started"}, "completed"),
    "revoke": ({"order_made", "started"}, "revoked"),
    "breach": ({"order_made", "started"}, "breached"),
}


def test_the_table_is_the_golden_one():
    assert {a: (set(t.from_statuses), t.to_status) for a, t in TRANSITIONS.items()} == GOLDEN


def test_a_drr_from_request_to_completion_leaves_its_history_audit_and_notifications():
    world = make_world()
    today = local_today()
    cstr = world.request()
    assert cstr.status == "requested"
    # The provider asked to assess is told.
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.record_id == cstr.id)
    ).all()
    assert told == [world.keyworker.id]

    services.change(world.keyworker, cstr.id, "assess_suitable", assessed_on=today)
    services.change(world.probation, cstr.id, "make_order", **world.order_inputs())
    services.change(world.keyworker, cstr.id, "start", treatment_start_date=today)
    services.change(
        world.probation, cstr.id, "warn", event_date=today, reason="Missed two appointments"
    )
    new_end = today + timedelta(days=300)
    services.change(world.probation, cstr.id, "vary", end_date=new_end, reason="Extended")
    services.change(world.probation, cstr.id, "complete", event_date=today)

    order = db.session.get(CstrOrder, cstr.id)
    assert (order.status, order.end_date, order.ended_on) == ("completed", new_end, today)
    kinds = db.session.scalars(
        select(CstrEvent.kind).where(CstrEvent.order_id == cstr.id).order_by(CstrEvent.occurred_at)
    ).all()
    assert kinds == [
        "requested",
        "assess_suitable",
        "make_order",
        "start",
        "warn",
        "vary",
        "complete",
    ]
    warning = db.session.scalar(select(CstrEvent).where(CstrEvent.kind == "warn"))
    assert warning.reason == "Missed two appointments"
    db.session.flush()  # audit rows are held back until a flush is asked for, or the commit
    audited = db.session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.entity_type == "cstr", AuditEvent.action == "update"
        )
    ).all()
    assert [row["change"] for row in audited] == kinds[1:]
    # Probation hears of the assessment and the start; the provider of the order and what
    # followed.
    probation_told = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == world.probation.id)
    ).all()
    assert sorted(probation_told) == ["assess_suitable", "start"]


def test_an_mhtr_is_assessed_and_treated_by_the_mental_health_service_alone():
    world = make_world()
    cstr = world.request(("mhtr",))
    assert (cstr.provider_id, cstr.mental_health_service_id) == (
        None,
        world.practitioner.organisation_id,
    )
    # The treatment provider was not asked: the CSTR is not there for it at all.
    with pytest.raises(NotFound):
        services.change(world.keyworker, cstr.id, "assess_suitable", assessed_on=local_today())
    services.change(world.practitioner, cstr.id, "assess_suitable", assessed_on=local_today())
    assert db.session.get(CstrOrder, cstr.id).status == "suitable"


@pytest.mark.parametrize(
    ("actor", "action", "inputs"),
    [
        ("keyworker", "make_order", {}),  # the provider does not record the court's order
        ("probation", "assess_suitable", {}),  # probation does not assess
    ],
)
def test_the_wrong_side_is_refused(actor, action, inputs):
    world = make_world()
    cstr = world.request()
    if action == "make_order":
        services.change(world.keyworker, cstr.id, "assess_suitable", assessed_on=local_today())
        inputs = world.order_inputs()
    else:
        inputs = {"assessed_on": local_today()}
    with pytest.raises(NotPermitted):
        services.change(getattr(world, actor), cstr.id, action, **inputs)


def test_an_order_cannot_be_made_for_someone_assessed_unsuitable_nor_started_twice():
    world = make_world()
    cstr = world.request()
    services.change(
        world.keyworker,
        cstr.id,
        "assess_unsuitable",
        assessed_on=local_today(),
        reason="Not using drugs",
    )
    with pytest.raises(InvalidTransition):
        services.change(world.probation, cstr.id, "make_order", **world.order_inputs())
    started = world.started()
    with pytest.raises(InvalidTransition, match="already started"):
        services.change(world.keyworker, started.id, "start", treatment_start_date=local_today())


def test_a_child_is_refused():
    world = make_world()
    child = PersonFactory(
        recorded_by=world.probation.organisation,
        date_of_birth=local_today() - timedelta(days=17 * 365),
    )
    with pytest.raises(InvalidTransition, match="adults only"):
        world.request(person=child)


def test_the_person_page_offers_no_assessment_for_a_child(app):
    world = make_world()
    child = PersonFactory(
        recorded_by=world.probation.organisation,
        date_of_birth=local_today() - timedelta(days=17 * 365),
    )
    client = signed_in_client(app, world.probation)
    child_page = page(client, f"/people/{child.id}")
    assert child_page.find("a", href=f"/cstr/people/{child.id}/new") is None
    adult = page(client, f"/people/{world.person.id}")
    assert adult.find("a", href=f"/cstr/people/{world.person.id}/new") is not None
