"""Recording audit events: the one way anything is written to the audit log.

A change's audit row rides in the same transaction as the change, so if either fails neither is
kept. Denials and failed sign-ins must outlive the request that is being refused: they are held
until the request's transaction has been rolled back, then committed on their own.
"""

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import select

# Importing these attaches the hooks that hold each new row until commit and seal it.
from caseflow.audit import catalogue, chain, held  # noqa: F401
from caseflow.audit.models import AuditEvent, Outcome
from caseflow.extensions import db

REQUEST_ID_HEADER = "X-Request-Id"
# An id given by the load balancer or a calling service is kept, so one request can be followed
# through every log, but only if it is a plain token: letters, digits, "-", "_" and ".", 16 to 64
# of them (a UUID, a hex or base64url id). Anything else (spaces, markup, an NHS number's 10
# digits, an email address) is replaced with an id of our own, so nothing typed by a caller is
# written to the log, the audit rows or the response.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{16,64}")


def request_id() -> str | None:
    if not has_request_context():
        return None
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


def _actor(actor=None) -> dict[str, Any]:
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if actor is None:
        return {"user_id": None, "role": None, "organisation_id": None}
    return {"user_id": actor.id, "role": actor.role, "organisation_id": actor.organisation_id}


# Purposes that rest on the organisation's relationship with the person. When the only basis
# the actor has is emergency access, the row says so instead, whatever page wrote it.
RELATIONSHIP_PURPOSES = frozenset({"caseload", "referral"})
BREAK_GLASS_PURPOSE = "break-glass"


# Whether the actor's only basis for seeing the person is emergency access. The scope rule
# (caseflow.security.scope) answers it and registers itself here when it is imported, so the
# recorder imports no domain package. Until then no grant can exist, so the answer is no.
def _no_emergency_access(actor: Any, person_id: uuid.UUID) -> bool:
    return False


_only_emergency_access: Callable[[Any, uuid.UUID], bool] = _no_emergency_access


def judge_emergency_access_with(rule: Callable[[Any, uuid.UUID], bool]) -> None:
    """Register the rule that tells a view resting only on emergency access."""
    global _only_emergency_access
    _only_emergency_access = rule


def _purpose(purpose, actor, person_id):
    if purpose not in RELATIONSHIP_PURPOSES or person_id is None or actor is None:
        return purpose
    if _only_emergency_access(actor, person_id):
        return BREAK_GLASS_PURPOSE
    return purpose


def _acting(actor):
    if actor is None and has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return actor


def _event(action, *, actor, entity_type, entity_id, person_id, purpose, outcome, detail):
    catalogue.check(action, entity_type, purpose, outcome)
    actor = _acting(actor)
    return AuditEvent(
        request_id=request_id(),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        person_id=person_id,
        purpose=_purpose(purpose, actor, person_id),
        outcome=outcome,
        detail=_plain(detail) if detail else None,
        **_actor(actor),
    )


def _plain(detail: dict) -> dict:
    """The detail as JSON will store it (codes as plain strings, keys as text): what is sealed
    into the chain now is what the database hands back later."""
    return json.loads(json.dumps(detail, sort_keys=True))


def filled_fields(values: dict) -> list[str]:
    """The names of the fields given a value: what a create row says, never the values."""
    return sorted(name for name, value in values.items() if value not in (None, "", False))


def record(
    action: str,
    *,
    entity_type: str | None = None,
    entity_id: Any = None,
    person_id: uuid.UUID | None = None,
    purpose: str | None = "caseload",
    outcome: str = Outcome.SUCCESS,
    detail: dict | None = None,
    actor=None,
) -> AuditEvent:
    """Add an audit row to the current transaction (written at its commit: caseflow.audit.held)."""
    event = _event(
        action,
        actor=actor,
        entity_type=entity_type,
        entity_id=entity_id,
        person_id=person_id,
        purpose=purpose,
        outcome=outcome,
        detail=detail,
    )
    held.hold(db.session(), event)
    return event


def record_independent(
    action: str,
    *,
    entity_type: str | None = None,
    entity_id: Any = None,
    person_id: uuid.UUID | None = None,
    purpose: str | None = None,
    outcome: str = Outcome.DENIED,
    detail: dict | None = None,
    actor=None,
) -> None:
    """An audit row that survives the request's rollback: denials and failed sign-ins."""
    event = _event(
        action,
        actor=actor,
        entity_type=entity_type,
        entity_id=entity_id,
        person_id=person_id,
        purpose=purpose,
        outcome=outcome,
        detail=detail,
    )
    if has_request_context():
        g.setdefault("independent_audit", []).append(event)
    else:
        held.hold(db.session(), event)
        db.session.commit()


def record_denial(
    *, entity_type: str, entity_id: Any = None, person_id=None, reason: str, actor=None
) -> None:
    record_independent(
        "deny",
        entity_type=entity_type,
        entity_id=entity_id,
        person_id=person_id,
        detail={"reason": reason},
        actor=actor,
    )


def write_independent_events() -> None:
    """Commit held rows in a transaction of their own, after the request's has ended."""
    events = g.pop("independent_audit", None)
    if events:
        session = db.session()
        for event in events:
            held.hold(session, event)
        session.commit()


def events_for_request(rid: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.request_id == rid)))


def init_app(app) -> None:
    @app.after_request
    def _request_id_header(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response
