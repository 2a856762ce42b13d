"""The rough sleeping case's lifecycle as data, applied by ``caseflow.lifecycle.apply``.

open -> team assigned -> referred to housing (the Duty to Refer) -> housing response recorded
-> outcome at 3 weeks -> outcome at 3 months -> closed. The Duty to Refer is only for someone
homeless or threatened with homelessness within 56 days, so a team that needs none records the
3-week outcome straight after being assigned; while a referral waits for the authority's answer,
its response (any of them, "contact lost" included) comes first. A case can be closed from any
live stage, with a reason.

Two sides act on a case: the organisation that opened it (the prison, probation or provider that
saw the person leave with nowhere to stay) and the outreach team assigned to it.
"""

import uuid
from datetime import date

from sqlalchemy import select

from caseflow import notifications
from caseflow.auth.models import User
from caseflow.dates import display, local_today
from caseflow.domain import InvalidChange
from caseflow.extensions import db
from caseflow.lifecycle import Change, Lifecycle, Transition
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.pathways.rough_sleeping import forms
from caseflow.pathways.rough_sleeping.codes import LIVE_STATUSES, Homelessness, Status
from caseflow.pathways.rough_sleeping.dues import due_dates
from caseflow.pathways.rough_sleeping.models import RoughSleepingCase, RoughSleepingEvent
from caseflow.security.access import Role

OPENER = "opener"
TEAM = "team"

RECORD_TYPE = "rough_sleeping_case"

REFUSALS = {
    Status.OPEN: "No outreach team is assigned to this case yet.",
    Status.TEAM_ASSIGNED: "An outreach team is assigned and no Duty to Refer has been made.",
    Status.REFERRED: (
        "The Duty to Refer is waiting for the housing authority's response: record it first."
    ),
    Status.RESPONDED: "The housing authority's response has been recorded.",
    Status.THREE_WEEKS: "The 3-week outcome has been recorded.",
    Status.THREE_MONTHS: "The 3-month outcome has been recorded.",
    Status.CLOSED: "This case has been closed.",
}


# Checks ----------------------------------------------------------------------------------------


def _team_is_outreach(_actor, _case, inputs) -> None:
    team = db.session.get(Organisation, inputs.get("team_id")) if inputs.get("team_id") else None
    if team is None or team.kind != OrganisationKind.OUTREACH:
        raise InvalidChange("Select an outreach team", "team")


def _duty_to_refer_applies(_actor, case: RoughSleepingCase, inputs) -> None:
    """HRA 2017 s.213B: for someone homeless or threatened with homelessness within 56 days,
    to the authority the person chooses, with their consent to the referral and to sharing
    their contact details."""
    if inputs.get("homelessness") not in (Homelessness.HOMELESS, Homelessness.THREATENED):
        raise InvalidChange(
            "The Duty to Refer is for someone homeless or threatened with homelessness "
            "within 56 days",
            "homelessness",
        )
    authority_id = inputs.get("housing_authority_id")
    authority = db.session.get(Organisation, authority_id) if authority_id else None
    if authority is None or authority.kind != OrganisationKind.HOUSING_AUTHORITY:
        raise InvalidChange(
            "Select the local housing authority the person chose", "housing_authority"
        )
    if not inputs.get("consent_to_referral"):
        raise InvalidChange(
            "The person must consent to the referral before it can be made",
            "consent_to_referral",
        )
    if not inputs.get("consent_to_share_contact"):
        raise InvalidChange(
            "The person must consent to sharing their contact details with the housing "
            "authority before the referral can be made",
            "consent_to_share_contact",
        )
    _on_or_after(
        inputs.get("referred_on"),
        case.episode.actual_release_date,
        "referred_on",
        "The referral cannot be before the release date",
    )


def _response_after_referral(_actor, case: RoughSleepingCase, inputs) -> None:
    _on_or_after(
        inputs.get("response_on"),
        case.referred_on,
        "response_on",
        "The response cannot be before the referral",
    )


def _on_or_after(day: date | None, earliest: date | None, field: str, message: str) -> None:
    if day is None:
        raise InvalidChange("Enter the date", field)
    if earliest is not None and day < earliest:
        raise InvalidChange(message, field)
    if day > local_today():
        raise InvalidChange("The date must be today or in the past", field)


def _due(which: str):
    def check(_actor, case: RoughSleepingCase, _inputs) -> None:
        due = getattr(due_dates(case.episode.actual_release_date), which)
        if due is None or local_today() < due:
            words = "3 weeks" if which == "three_weeks" else "3 months"
            raise InvalidChange(
                f"The outcome at {words} can be recorded from {_day(due)}", "outcome"
            )

    return check


def _day(day: date | None) -> str:
    return display(day) if day else "the release"


# Effects ---------------------------------------------------------------------------------------


def _assigned(_actor, _case, inputs) -> Change:
    return Change(columns={"outreach_team_id": inputs["team_id"]})


def _referred(_actor, _case, inputs) -> Change:
    return Change(
        columns={
            "homelessness": inputs["homelessness"],
            "housing_authority_id": inputs["housing_authority_id"],
            "referred_on": inputs["referred_on"],
            "consent_to_referral": True,
            "consent_to_share_contact": True,
        },
        history={"value": inputs["homelessness"], "event_date": inputs["referred_on"]},
    )


def _responded(_actor, _case, inputs) -> Change:
    return Change(
        columns={
            "authority_response": inputs["authority_response"],
            "response_on": inputs["response_on"],
        },
        history={"value": inputs["authority_response"], "event_date": inputs["response_on"]},
    )


def _outcome(column: str):
    def effect(_actor, _case, inputs) -> Change:
        return Change(columns={column: inputs["outcome"]}, history={"value": inputs["outcome"]})

    return effect


def _closed(_actor, _case, inputs) -> Change:
    return Change(columns={"closing_reason": inputs.get("reason_code")})


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "assign_team",
            (Status.OPEN,),
            Status.TEAM_ASSIGNED,
            "rough_sleeping.open",
            (OPENER,),
            label="Assign an outreach team",
            title="Assign an outreach team",
            done_message="Outreach team assigned",
            form=forms.AssignTeamForm,
            checks=(_team_is_outreach,),
            effect=_assigned,
            notifies=TEAM,
        ),
        Transition(
            "refer",
            (Status.TEAM_ASSIGNED,),
            Status.REFERRED,
            "rough_sleeping.refer",
            (OPENER, TEAM),
            label="Record the Duty to Refer",
            title="Duty to Refer to a local housing authority",
            done_message="Duty to Refer recorded",
            form=forms.DutyToReferForm,
            checks=(_duty_to_refer_applies,),
            effect=_referred,
            notifies=OPENER,
        ),
        Transition(
            "respond",
            (Status.REFERRED,),
            Status.RESPONDED,
            "rough_sleeping.refer",
            (OPENER, TEAM),
            label="Record the housing authority's response",
            title="The housing authority's response",
            done_message="Response recorded",
            form=forms.ResponseForm,
            checks=(_response_after_referral,),
            effect=_responded,
            notifies=OPENER,
        ),
        Transition(
            "outcome_3_weeks",
            (Status.TEAM_ASSIGNED, Status.RESPONDED),
            Status.THREE_WEEKS,
            "rough_sleeping.record",
            (OPENER, TEAM),
            label="Record the accommodation outcome at 3 weeks",
            title="Accommodation outcome at 3 weeks after release",
            done_message="3-week outcome recorded",
            form=forms.OutcomeForm,
            checks=(_due("three_weeks"),),
            effect=_outcome("outcome_3_weeks"),
            notifies=OPENER,
        ),
        Transition(
            "outcome_3_months",
            (Status.THREE_WEEKS,),
            Status.THREE_MONTHS,
            "rough_sleeping.record",
            (OPENER, TEAM),
            label="Record the accommodation outcome at 3 months",
            title="Accommodation outcome at 3 months after release",
            done_message="3-month outcome recorded",
            form=forms.OutcomeForm,
            checks=(_due("three_months"),),
            effect=_outcome("outcome_3_months"),
            notifies=OPENER,
        ),
        Transition(
            "close",
            LIVE_STATUSES,
            Status.CLOSED,
            "rough_sleeping.record",
            (OPENER, TEAM),
            label="Close the case",
            title="Close this rough sleeping case",
            done_message="Case closed",
            form=forms.CloseForm,
            warning=True,
            effect=_closed,
        ),
    )
}


def sides_of(actor, case: RoughSleepingCase) -> set[str]:
    sides = set()
    if case.opening_organisation_id == actor.organisation_id:
        sides.add(OPENER)
    if case.outreach_team_id is not None and case.outreach_team_id == actor.organisation_id:
        sides.add(TEAM)
    return sides


def _write_history(actor, case: RoughSleepingCase, transition: Transition, from_status, details):
    db.session.add(
        RoughSleepingEvent(
            case_id=case.id,
            person_id=case.person_id,
            kind=transition.action,
            from_status=from_status,
            to_status=transition.to_status,
            actor_id=actor.id,
            organisation_id=actor.organisation_id,
            **details,
        )
    )


def _recipients(case: RoughSleepingCase, side: str) -> list[uuid.UUID]:
    if side == OPENER:
        return [case.opened_by_id]
    return list(
        db.session.scalars(
            select(User.id).where(
                User.organisation_id == case.outreach_team_id,
                User.role == Role.OUTREACH,
                User.active.is_(True),
            )
        )
    )


MESSAGES = {
    "assign_team": "A rough sleeping case was assigned to your team",
    "refer": "A Duty to Refer was made on your rough sleeping case",
    "respond": "The housing authority answered on your rough sleeping case",
    "outcome_3_weeks": "The 3-week accommodation outcome was recorded on your case",
    "outcome_3_months": "The 3-month accommodation outcome was recorded on your case",
}


def _in_sight(viewer, case_ids):
    from caseflow.pathways.rough_sleeping.scoping import cases_in_sight

    return cases_in_sight(viewer, case_ids)


def _out_of_sight(case_id: uuid.UUID) -> notifications.Subject:
    return notifications.Subject(f"rough sleeping case {str(case_id)[:8].upper()}")


notifications.record_type(
    RECORD_TYPE, messages=MESSAGES, in_sight=_in_sight, out_of_sight=_out_of_sight
)

ROUGH_SLEEPING_LIFECYCLE = Lifecycle(
    model=RoughSleepingCase,
    entity_type=RECORD_TYPE,
    purpose="caseload",
    transitions=TRANSITIONS,
    refusals=REFUSALS,
    sides_of=sides_of,
    write_history=_write_history,
    recipients=_recipients,
    notify=notifications.notifier(RECORD_TYPE),
)
