"""What the pathway adds to the person page (its panel and its timeline entries) and to the
continuity measure's breakdown by pathway. Registered when the package loads."""

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, joinedload

from caseflow import timeline
from caseflow.continuity.pathway_membership import pathway
from caseflow.dates import as_utc, display
from caseflow.extensions import db
from caseflow.pathways.cstr import services
from caseflow.pathways.cstr.clock import summary
from caseflow.pathways.cstr.codes import EventKind
from caseflow.pathways.cstr.models import CstrEvent, CstrOrder
from caseflow.pathways.cstr.scope import visible_orders
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.clock import ClockSummary
from caseflow.security.access import may_open, role_may
from caseflow.security.scope import Basis, access_basis
from caseflow.timeline import TimelineItem


def _link(actor, order_id) -> tuple[str, dict] | None:
    return ("cstr.show", {"cstr_id": order_id}) if may_open(actor, "cstr.show") else None


@dataclass(frozen=True)
class PersonOrderRow:
    order: CstrOrder
    link: tuple[str, dict] | None
    clock: ClockSummary


def _orders(actor, person) -> list[CstrOrder]:
    """The person's CSTRs this viewer may see, newest first, each with its provider, service
    and history: one statement a request for the panel and the timeline."""
    cache = g.setdefault("person_cstrs", {}) if has_request_context() else {}
    key = (actor.id, person.id)
    if key not in cache and not timeline.may_hold(person, "cstr"):
        cache[key] = []
    if key not in cache:
        cache[key] = list(
            db.session.scalars(
                select(CstrOrder)
                .options(
                    joinedload(CstrOrder.provider),
                    joinedload(CstrOrder.mental_health_service),
                    joinedload(CstrOrder.events).options(
                        joinedload(CstrEvent.actor), joinedload(CstrEvent.organisation)
                    ),
                )
                .where(CstrOrder.person_id == person.id, visible_orders(actor))
                .order_by(CstrOrder.created_at.desc())
            ).unique()
        )
    return cache[key]


# Most people have no CSTR: their page reads none (caseflow/timeline.py).
timeline.held("cstr", lambda person_id: exists().where(CstrOrder.person_id == person_id))


@timeline.section("pathways/cstr/_person_cstr.html", order=40)
def person_cstrs(actor, person) -> dict | None:
    """The person's CSTRs this viewer's organisation is party to, each with its clock; and, for
    probation with a relationship to the person, the way to ask for an assessment."""
    if not role_may(actor.role, "cstr.view"):
        return None
    rows = [
        PersonOrderRow(order, _link(actor, order.id), summary(order))
        for order in _orders(actor, person)
    ]
    may_request = (
        may_open(actor, "cstr.new_request")
        and services.is_adult(person)
        and access_basis(actor, person.id) != Basis.BREAK_GLASS
    )
    return {"orders": rows, "may_request": may_request}


def _entry_text(event: CstrEvent) -> str:
    return f"Date: {display(event.event_date)}" if event.event_date else ""


@timeline.entries
def cstr_entries(actor, person) -> list[TimelineItem]:
    if not role_may(actor.role, "cstr.view"):
        return []
    return [
        TimelineItem(
            as_utc(event.occurred_at),
            f"CSTR: {EventKind.label_of(event.kind).lower()}",
            f"{event.actor.display_name}, {event.organisation.name}",
            _entry_text(event),
            _link(actor, event.order_id),
        )
        for order in _orders(actor, person)
        for event in order.events
    ]


def _sentenced_before_release(episode_id_column, person_id_column):
    """A release is on the CSTR pathway when the person was sentenced to a CSTR before it: a
    community order or suspended sentence followed by custody (a breach, a new offence). Rare
    by design: a CSTR is an alternative to custody, so most orders have no release at all."""
    order = aliased(CstrOrder)
    episode = aliased(CustodyEpisode)
    return exists().where(
        order.person_id == person_id_column,
        episode.id == episode_id_column,
        order.sentence_date.is_not(None),
        order.sentence_date <= episode.actual_release_date,
    )


pathway("cstr", "Community Sentence Treatment Requirement", _sentenced_before_release)
