"""Emergency (break-glass) access: one hour to one person outside the caseload, after the
password again and a written reason. What it allows is ruled in ``services.py`` and
``caseflow.security.scope``; auditors review each grant (``caseflow.auditor.break_glass``)."""

import uuid
from datetime import timedelta

from flask import g, has_request_context
from sqlalchemy import select

from caseflow.audit.services import record
from caseflow.domain import InvalidChange, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people.models import BreakGlassGrant, Person
from caseflow.security.access import role_may
from caseflow.security.scope import live_grant_conditions

BREAK_GLASS_DURATION = timedelta(hours=1)


def remember_grant(actor, person_id: uuid.UUID, grant: BreakGlassGrant) -> None:
    """Keep for the request the live grant read with the person (``services``), so the page's
    banner does not read it again."""
    if has_request_context():
        g.setdefault("live_grants", {})[(actor.id, person_id)] = grant


def active_grant(actor, person_id: uuid.UUID) -> "BreakGlassGrant | None":
    held = g.get("live_grants", {}) if has_request_context() else {}
    if (actor.id, person_id) in held:
        return held[(actor.id, person_id)]
    return db.session.scalar(
        select(BreakGlassGrant)
        .where(*live_grant_conditions(actor.id, person_id))
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
    )


def grant_break_glass(actor, person_id: uuid.UUID, *, password: str, reason: str):
    """One hour of access to one person outside the caseload, after the password again."""
    from caseflow.auth.services import confirm_password

    if not role_may(actor.role, "break_glass.use"):
        raise NotPermitted("Your role cannot use emergency access")
    if db.session.get(Person, person_id) is None:
        raise NotFound("No such person")
    if not confirm_password(actor, password):
        raise InvalidChange("Your password is not correct", "password")
    grant = BreakGlassGrant(
        user_id=actor.id,
        organisation_id=actor.organisation_id,
        person_id=person_id,
        reason=reason,
        expires_at=utcnow() + BREAK_GLASS_DURATION,
    )
    db.session.add(grant)
    db.session.flush()
    record(
        "break_glass",
        actor=actor,
        entity_type="break_glass_grant",
        entity_id=grant.id,
        person_id=person_id,
        purpose="break-glass",
        detail={"expires_at": grant.expires_at.isoformat(), "fields": ["reason"]},
    )
    return grant
