"""Bad input is refused with its message beside the field (issue 11): an end before the start,
a requirement without consent, an MHTR without a mental health service; and on the page."""

from datetime import timedelta

import pytest

from caseflow.dates import local_today
from caseflow.domain import InvalidChange
from caseflow.pathways.cstr import records, services
from tests.helpers import csrf_token, error_messages, page, signed_in_client
from tests.pathways.cstr.world import make_world


def suitable(world, requirements=("drr",)):
    cstr = world.request(requirements)
    assessor = world.practitioner if requirements == ("mhtr",) else world.keyworker
    services.change(assessor, cstr.id, "assess_suitable", assessed_on=local_today())
    return cstr


def refused_field(world, cstr, **inputs) -> str:
    with pytest.raises(InvalidChange) as refused:
        services.change(world.probation, cstr.id, "make_order", **world.order_inputs(**inputs))
    return refused.value.field


def test_an_end_before_the_start_is_refused_beside_the_end_date():
    world = make_world()
    cstr = suitable(world)
    start = local_today()
    assert refused_field(world, cstr, start=start, end=start) == "end_date"
    assert refused_field(world, cstr, start=start, end=start - timedelta(days=1)) == "end_date"


def test_a_requirement_without_consent_is_refused_beside_consent():
    world = make_world()
    assert refused_field(world, suitable(world), consent=False) == "consent"


def test_an_mhtr_without_a_mental_health_service_is_refused_beside_it():
    world = make_world()
    cstr = suitable(world, ("drr",))
    assert (
        refused_field(world, cstr, requirements=["drr", "mhtr"], mental_health_service_id=None)
        == "mental_health_service"
    )
    with pytest.raises(InvalidChange) as refused:
        services.request_assessment(
            world.probation,
            world.person.id,
            requirements=["mhtr"],
            provider_id=None,
            mental_health_service_id=None,
            local_authority_code="E08000025",
            court_report_due=local_today(),
        )
    assert refused.value.field == "mental_health_service"


def test_the_order_page_shows_the_message_beside_the_field_and_keeps_what_was_typed(app):
    world = make_world()
    cstr = suitable(world)
    client = signed_in_client(app, world.probation)
    url = f"/cstr/{cstr.id}/make-order"
    start = local_today()
    soup = page(
        client,
        url,
        method="post",
        status=200,
        data={
            "csrf_token": csrf_token(client, url),
            "court": str(world.court.id),
            "sentence_date": [str(start.day), str(start.month), str(start.year)],
            "order_type": "community_order",
            "consent": "yes",
            "start_date": [str(start.day), str(start.month), str(start.year)],
            "end_date": [str(start.day), str(start.month), str(start.year)],
            "requirements": ["drr"],
            "provider": str(world.keyworker.organisation_id),
        },
    )
    assert error_messages(soup) == ["The end date must be after the start date"]
    end_group = soup.find(id="end_date")
    assert end_group is not None
    assert soup.find("select", {"name": "court"}).find("option", selected=True)["value"] == str(
        world.court.id
    )


def test_the_order_form_starts_from_what_the_assessment_was_asked_for(app):
    world = make_world()
    cstr = suitable(world, ("drr",))
    client = signed_in_client(app, world.probation)
    shown = page(client, f"/cstr/{cstr.id}/make-order")
    checked = [box["value"] for box in shown.select("input[name=requirements][checked]")]
    assert checked == ["drr"]
    provider = shown.find("select", {"name": "provider"}).find("option", selected=True)
    assert provider["value"] == str(world.keyworker.organisation_id)


def test_a_variation_cannot_end_the_order_before_a_review_already_scheduled():
    world = make_world()
    today = local_today()
    cstr = world.started(start=today, end=today + timedelta(days=400))
    review = records.schedule_review(
        world.probation,
        cstr.id,
        review_date=today + timedelta(days=60),
        report_due=today + timedelta(days=53),
    )
    with pytest.raises(InvalidChange, match="after the new end date") as refused:
        services.change(
            world.probation,
            cstr.id,
            "vary",
            end_date=review.review_date - timedelta(days=1),
            reason="Shortened",
        )
    assert refused.value.field == "end_date"
