"""An action of the joint care plan changed or marked done by either service caring for the
person, on the version its page showed (``caseflow.versioned_forms``), as the plan itself is;
each change is an entry in the case's history, audited, and told to the other service."""

from caseflow.audit.services import record, record_denial
from caseflow.dates import display, in_london, local_today
from caseflow.domain import InvalidChange, NotFound, StaleRecord
from caseflow.extensions import db
from caseflow.pathways.dual_diagnosis.codes import EventKind
from caseflow.pathways.dual_diagnosis.finding import PLAN_ENTITY, write_history
from caseflow.pathways.dual_diagnosis.models import CarePlanAction, DualDiagnosisCase
from caseflow.pathways.dual_diagnosis.plans import plan_to_change, tell_the_other_service

ACTION_FIELDS = ("description", "owner", "due_on")


def action_to_change(actor, case_id, action_id) -> tuple[DualDiagnosisCase, CarePlanAction]:
    """The case and one action of its plan, for one of the two services to change. An action
    that is not this plan's is absent, as a case out of sight is."""
    case = plan_to_change(actor, case_id)
    for action in case.plan.actions:
        if action.id == action_id:
            return case, action
    record_denial(
        actor=actor,
        entity_type=PLAN_ENTITY,
        entity_id=action_id,
        person_id=case.person_id,
        reason="not found",
    )
    raise NotFound("No such action")


def action_values(action: CarePlanAction) -> dict:
    """The action as saved, in the action form's terms."""
    return {name: getattr(action, name) for name in ACTION_FIELDS}


def _on_version(action: CarePlanAction, version) -> None:
    if version is None or version != action.version:
        raise StaleRecord("The action was changed since you opened it")


def save_action(
    actor, case_id, action_id, *, version, description, owner, due_on
) -> CarePlanAction:
    """Change what an action is, who owns it or when it is due, on the version the form
    showed; a newer version is a conflict the form's page reconciles field by field."""
    case, action = action_to_change(actor, case_id, action_id)
    _on_version(action, version)
    new = {"description": description, "owner": owner, "due_on": due_on}
    changed = [name for name in ACTION_FIELDS if getattr(action, name) != new[name]]
    for name in changed:
        setattr(action, name, new[name])
    if changed:
        _action_changed(actor, case, action, EventKind.ACTION_EDIT, changed, action.due_on)
    db.session.flush()
    return action


def mark_done(actor, case_id, action_id, *, version, done_on) -> CarePlanAction:
    """The action done, on the day it was done (today or before, not before it was added)."""
    case, action = action_to_change(actor, case_id, action_id)
    _on_version(action, version)
    if action.done_on is not None:
        raise InvalidChange(f"This action was marked done on {display(action.done_on)}", "done_on")
    if done_on is None:
        raise InvalidChange("Enter the date the action was done", "done_on")
    if done_on > local_today():
        raise InvalidChange("The date the action was done must be today or in the past", "done_on")
    added_on = in_london(action.created_at).date()
    if done_on < added_on:
        raise InvalidChange(
            f"The date the action was done must be on or after {display(added_on)}, "
            "when it was added",
            "done_on",
        )
    action.done_on = done_on
    _action_changed(actor, case, action, EventKind.ACTION_DONE, ["done_on"], done_on)
    db.session.flush()
    return action


def _action_changed(actor, case, action, kind, changed, event_date) -> None:
    # The history and the audit row name the fields changed, never what they hold.
    write_history(actor, case, kind, changed=changed, event_date=event_date)
    record(
        "update",
        actor=actor,
        entity_type=PLAN_ENTITY,
        entity_id=case.plan.id,
        person_id=case.person_id,
        detail={"fields": sorted(changed), "action": str(action.id)},
    )
    tell_the_other_service(actor, case)
