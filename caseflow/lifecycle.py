"""One mechanism for every lifecycle in Caseflow: the referral's, and each pathway's.

A lifecycle is a table of transitions kept as data. A row says everything about one action:
the statuses it starts from and the one it leads to, the permission it needs and which side of
the work may take it, how pages name it (label, title, done message, warning style), the form
that collects its inputs, the checks on those inputs, what it changes beside the status, what it
ends (booked appointments, say) and whom it tells. Adding an action is one row and its form.

``apply`` takes one action on one record, always in the same order: permission, side, status,
the row's checks, then the change itself as a single conditional UPDATE on the status the actor
saw, so of two people acting at once exactly one wins and the other is told why. The history row
(which the person's timeline shows), the audit row and the notifications follow in the same
transaction.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from caseflow.audit.services import record
from caseflow.domain import InvalidChange, InvalidTransition, NotPermitted
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.security.access import role_may


@dataclass(frozen=True)
class Change:
    """What an action changes beside the status: columns of the record, details kept on the
    history row, the facts its audit row carries for the continuity measure, and what follows
    once the change is made (``then``: a related record corrected, say). A follow-up runs only
    after the conditional UPDATE has won, so a refused action leaves nothing of it behind."""

    columns: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)
    facts: dict | None = None
    then: tuple[Callable[[], None], ...] = ()


Check = Callable[[Any, Any, dict], None]  # (actor, record, inputs): raises to refuse
Effect = Callable[[Any, Any, dict], Change]  # (actor, record, inputs)
Ending = Callable[[Any], None]  # (record), after the change


@dataclass(frozen=True)
class Transition:
    action: str
    from_statuses: tuple[str, ...]
    to_status: str
    permission: str
    sides: tuple[str, ...]
    label: str
    title: str
    done_message: str
    form: type
    warning: bool = False
    # Which of the record page's groups of actions it is shown in, by what it does (moves the
    # record on, corrects it, ends it): the lifecycle's own code list names the groups.
    group: str = ""
    # The template of the action's page, when it shows more than its form (a check of the
    # answers before sending); None for the lifecycle's usual change page.
    page: str | None = None
    checks: tuple[Check, ...] = ()
    effect: Effect | None = None
    ends: tuple[Ending, ...] = ()
    notifies: str | None = None  # the side told of the change


@dataclass(frozen=True)
class Lifecycle:
    """A record type's transitions and the few things ``apply`` needs to know about it."""

    model: type
    entity_type: str
    purpose: str
    transitions: Mapping[str, Transition]
    refusals: Mapping[str, str]  # why nothing can be done, by the status the record is in
    sides_of: Callable[[Any, Any], set[str]]  # (actor, record): the actor's sides
    write_history: Callable[[Any, Any, Transition, str, dict], None]
    recipients: Callable[[Any, str], Iterable[uuid.UUID]]  # (record, side): user ids
    notify: Callable[[Any, uuid.UUID, str], None]  # (record, user id, action)

    def allowed(self, actor, subject) -> list[Transition]:
        """The actions this actor may take on this record now, in table order."""
        sides = self.sides_of(actor, subject)
        return [
            transition
            for transition in self.transitions.values()
            if subject.status in transition.from_statuses
            and role_may(actor.role, transition.permission)
            and sides.intersection(transition.sides)
        ]


def _refuse_unless_allowed(lifecycle: Lifecycle, actor, subject, transition, inputs) -> None:
    """Permission, side, status, then the row's checks: each raises a domain error to refuse."""
    if not role_may(actor.role, transition.permission):
        raise NotPermitted("Your role cannot make this change")
    if not lifecycle.sides_of(actor, subject).intersection(transition.sides):
        raise NotPermitted("Your organisation cannot make this change")
    if subject.status not in transition.from_statuses:
        raise InvalidTransition(lifecycle.refusals[subject.status])
    for check in transition.checks:
        check(actor, subject, inputs)


def refusal(lifecycle: Lifecycle, actor, subject, action: str, **inputs) -> str | None:
    """Why ``apply`` would refuse this action now, or None: a page can say so before anyone
    presses its button (a referral that cannot be sent says why on its check page). A check
    of what a form has not been sent yet (``InvalidChange``) is for the form to answer."""
    try:
        _refuse_unless_allowed(lifecycle, actor, subject, lifecycle.transitions[action], inputs)
    except (NotPermitted, InvalidTransition) as refused:
        return str(refused)
    except InvalidChange:
        return None
    return None


def apply(lifecycle: Lifecycle, actor, subject, action: str, **inputs):
    """Take one action on one record, or refuse it with a domain error and change nothing."""
    transition = lifecycle.transitions[action]
    seen_status = subject.status
    _refuse_unless_allowed(lifecycle, actor, subject, transition, inputs)
    change = transition.effect(actor, subject, inputs) if transition.effect else Change()

    columns = {"status": transition.to_status, **change.columns}
    model = lifecycle.model
    result = db.session.execute(
        update(model)
        .where(model.id == subject.id, model.status == seen_status)
        .values(version=model.version + 1, updated_at=utcnow(), **columns)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(subject)
    if result.rowcount != 1:
        raise InvalidTransition(lifecycle.refusals[subject.status])
    for ending in transition.ends:
        ending(subject)

    history = {"reason_code": inputs.get("reason_code"), "reason": inputs.get("reason")}
    lifecycle.write_history(actor, subject, transition, seen_status, history | change.history)
    detail = {
        "change": action,
        "from": seen_status,
        "to": transition.to_status,
        "fields": sorted(columns),
    }
    if change.facts:
        detail["facts"] = change.facts
    record(
        "update",
        actor=actor,
        entity_type=lifecycle.entity_type,
        entity_id=subject.id,
        person_id=subject.person_id,
        purpose=lifecycle.purpose,
        detail=detail,
    )
    if transition.notifies:
        for user_id in lifecycle.recipients(subject, transition.notifies):
            if user_id != actor.id:
                lifecycle.notify(subject, user_id, action)
    for follow_up in change.then:
        follow_up()
    return subject
