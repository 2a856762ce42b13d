"""What staff are told about a CSTR, and how the notifications list names one: with its person
only to someone who may still see it."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow import notifications
from caseflow.extensions import db
from caseflow.notifications import Subject
from caseflow.pathways.cstr.models import CstrOrder
from caseflow.pathways.cstr.scope import visible_orders

RECORD_TYPE = "cstr"

MESSAGES = {
    "assess_suitable": "A CSTR assessment found the person suitable",
    "assess_unsuitable": "A CSTR assessment found the person not suitable",
    "make_order": "A CSTR order was made naming your team",
    "not_made": "The court made no CSTR order",
    "start": "Treatment started under a CSTR",
    "warn": "A warning was given under a CSTR",
    "vary": "A CSTR order was varied",
    "complete": "A CSTR was completed",
    "revoke": "A CSTR order was revoked",
    "breach": "A CSTR order was breached",
    "requested": "A CSTR suitability assessment was asked of your team",
}


def _short(order_id: uuid.UUID) -> str:
    return str(order_id)[:8].upper()


def _in_sight(viewer, order_ids: list[uuid.UUID]) -> dict[uuid.UUID, Subject]:
    orders = db.session.scalars(
        select(CstrOrder)
        .options(joinedload(CstrOrder.person))
        .where(CstrOrder.id.in_(order_ids), visible_orders(viewer))
    )
    return {
        order.id: Subject(
            f"{order.person.full_name}, CSTR {order.reference}",
            ("cstr.show", {"cstr_id": order.id}),
        )
        for order in orders
    }


def _out_of_sight(order_id: uuid.UUID) -> Subject:
    return Subject(f"CSTR {_short(order_id)}")


notifications.record_type(
    RECORD_TYPE, messages=MESSAGES, in_sight=_in_sight, out_of_sight=_out_of_sight
)

notify = notifications.notifier(RECORD_TYPE)
