"""What the referral page offers this viewer to do now: each change of the lifecycle their role and
side may take, the provider's appointment and keyworker work on an accepted referral, the
referrer's edit and deletion of a draft, and the correction of a treatment start; in the page's
groups, with why a change cannot be made yet said before anyone presses its button.

The pages show what is computed here and the services refuse the same things, so no page
compares roles or organisations itself.
"""

from dataclasses import dataclass
from typing import NamedTuple

from caseflow.lifecycle import refusal
from caseflow.referrals.codes import WORKING_STATUSES, ActionGroup, Status
from caseflow.referrals.models import Referral
from caseflow.referrals.services.treatment_start import may_correct_treatment_start
from caseflow.referrals.transitions import PROVIDER, REFERRAL_LIFECYCLE, REFERRER, sides_of
from caseflow.security.access import role_may


class Action(NamedTuple):
    """One thing a person may do to a referral now, as its page offers it: the endpoint of its
    page, its words, the group it is shown in (``ActionGroup``, by what it does) and its
    button style: primary for the next step, warning for what cannot be undone, else
    secondary."""

    endpoint: str
    label: str
    group: str
    style: str = "secondary"


def _transition_action(transition) -> Action:
    if transition.warning:
        style = "warning"
    elif transition.group == ActionGroup.PROGRESS:
        style = "primary"
    else:
        style = "secondary"
    return Action(transition.action, transition.label, transition.group, style)


def actions_for(actor, referral: Referral) -> list[Action]:
    """Each change this person may make now: the lifecycle's, then the provider's work on an
    accepted referral and the referrer's edit of a draft."""
    sides = sides_of(actor, referral)
    allowed = [_transition_action(t) for t in REFERRAL_LIFECYCLE.allowed(actor, referral)]
    if PROVIDER in sides and referral.status in WORKING_STATUSES:
        if role_may(actor.role, "appointment.record"):
            allowed.append(
                Action("book_appointment", "Book an appointment", ActionGroup.APPOINTMENTS)
            )
        if role_may(actor.role, "referral.assign"):
            allowed.append(Action("assign", "Assign a keyworker", ActionGroup.APPOINTMENTS))
    if REFERRER in sides and referral.status == Status.DRAFT:
        allowed.insert(0, Action("edit", "Edit draft", ActionGroup.PROGRESS))
        if role_may(actor.role, "referral.delete"):
            # Its page asks "Are you sure" first (services/deletion.py).
            allowed.append(Action("delete_draft", "Delete draft", ActionGroup.ENDING, "warning"))
    if may_correct_treatment_start(actor, referral):
        allowed.append(
            Action("correct_treatment_start", "Correct treatment start", ActionGroup.CORRECTIONS)
        )
    return allowed


@dataclass(frozen=True)
class ActionGroupShown:
    """A group of actions on the referral page: its heading and its buttons, in order."""

    group: ActionGroup
    actions: tuple[Action, ...]

    @property
    def ends_the_referral(self) -> bool:
        """Shown apart from the rest, so nobody ends a referral while reaching for a next step."""
        return self.group == ActionGroup.ENDING


def action_groups_for(actor, referral: Referral) -> list[ActionGroupShown]:
    """``actions_for`` in the page's groups (``ActionGroup`` order); empty groups left out."""
    actions = actions_for(actor, referral)
    return [
        ActionGroupShown(group, tuple(a for a in actions if a.group == group))
        for group in ActionGroup
        if any(a.group == group for a in actions)
    ]


def refusal_of(actor, referral: Referral, action: str) -> str | None:
    """Why a change of the lifecycle cannot be made now, for its page to say before anyone
    presses its button; None when it can, or when the action is not a status change."""
    if action not in REFERRAL_LIFECYCLE.transitions:
        return None
    return refusal(REFERRAL_LIFECYCLE, actor, referral, action)
