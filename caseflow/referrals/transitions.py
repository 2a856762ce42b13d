"""The referral lifecycle as data (DOMAIN.md, Referral lifecycle): every status change is one
row here, applied by ``caseflow.lifecycle.apply``, and nothing else changes a referral's status.

Each row names the statuses it may start from, the status it leads to, the permission it needs,
which side of the handover may take it, how the pages name it, its form, its checks and effects,
whether it ends booked appointments, and which side is told.
"""

from datetime import date

from sqlalchemy import select, update

from caseflow.audit.facts import referral_facts, treatment_start_facts
from caseflow.auth.models import User
from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition
from caseflow.extensions import db
from caseflow.lifecycle import Change, Lifecycle, Transition
from caseflow.models import utcnow
from caseflow.people.custody import check_destination, correct_destination
from caseflow.referrals import forms, notifications
from caseflow.referrals.codes import ActionGroup, AppointmentOutcome, Consent, Status
from caseflow.referrals.live import refuse_a_second
from caseflow.referrals.models import Appointment, Referral, ReferralEvent
from caseflow.referrals.providers import areas_for, check_provider
from caseflow.security.access import Role

REFERRER = "referrer"
PROVIDER = "provider"

# Why a change cannot be made, by the status the referral is in now.
REFUSALS = {
    Status.DRAFT: "This referral has not been sent yet.",
    Status.SENT: "This referral has been sent and is waiting to be accepted.",
    Status.ACCEPTED: "This referral has already been accepted.",
    Status.ENGAGED: "Treatment has already started for this referral.",
    Status.CLOSED: "This referral has been closed.",
    Status.REJECTED: "This referral has been rejected.",
    Status.WITHDRAWN: "This referral has been withdrawn.",
}


# Checks: each refuses with a message, or lets the action go on. --------------------------


def _consent_allows_sending(_actor, referral: Referral, _inputs) -> None:
    if referral.consent == Consent.REFUSED:
        raise InvalidTransition(
            "This referral cannot be sent: the person refused consent to share. "
            "Record consent, or an override with a reason, first."
        )


def _only_live_referral(_actor, referral: Referral, _inputs) -> None:
    """One live referral per release and pathway (``live.py``), checked again at sending."""
    refuse_a_second(
        referral.person_id, referral.episode_id, referral.pathway, other_than=referral.id
    )


def _new_destination(referral: Referral, inputs) -> str | None:
    """The local authority a redirect names when the person is now going elsewhere."""
    code = inputs.get("local_authority_code")
    episode = referral.episode
    if episode is None or not code or code == episode.destination_local_authority_code:
        return None
    return code


def _provider_serves_destination(_actor, referral: Referral, inputs) -> None:
    """A redirect goes to another provider serving where the person is going: the destination
    recorded, or the new one the redirect corrects it to; never the provider it is with now."""
    new_destination = _new_destination(referral, inputs)
    if new_destination is not None:
        check_destination(referral.episode, new_destination)
        areas = [new_destination]
    else:
        areas = areas_for(referral.referring_organisation, referral.episode)
    check_provider(inputs.get("provider_id"), areas, other_than=referral.provider_id)


def _treatment_start_is_possible(_actor, referral: Referral, inputs) -> None:
    check_treatment_start(referral, inputs.get("treatment_start_date"))


def check_treatment_start(referral: Referral, start: date | None) -> None:
    """A treatment start, recorded or corrected, is from the release date (the day of release
    counts) up to today (DOMAIN.md, Rules that decide the numbers)."""
    if start is None:
        raise InvalidChange("Enter the date treatment started", "treatment_start_date")
    # A community referral has no release: only a start in the future is refused.
    release = referral.episode.actual_release_date if referral.episode else None
    if release is None and referral.episode is not None:
        raise InvalidChange(
            "The person has not been released yet. Ask the prison to record the release first.",
            "treatment_start_date",
        )
    if release is not None and start < release:
        raise InvalidChange(
            "The treatment start cannot be before the release date", "treatment_start_date"
        )
    if start > local_today():
        raise InvalidChange(
            "The treatment start must be today or in the past", "treatment_start_date"
        )


# Effects: what each action changes beside the status. -------------------------------------


def _sent(_actor, referral: Referral, _inputs) -> Change:
    return Change(
        columns={"sent_at": utcnow()},
        facts=referral_facts(
            "send", provider_id=referral.provider_id, episode_id=referral.episode_id
        ),
    )


def _accepted(actor, _referral, _inputs) -> Change:
    return Change(columns={"accepted_at": utcnow(), "assigned_keyworker_id": actor.id})


def _redirected(actor, referral: Referral, inputs) -> Change:
    new_provider_id = inputs["provider_id"]
    new_destination = _new_destination(referral, inputs)
    episode = referral.episode

    def correct_the_destination() -> None:
        # The person is going elsewhere: the redirect is also a correction of the destination.
        correct_destination(
            actor, episode, local_authority_code=new_destination, reason=inputs.get("reason")
        )

    return Change(
        then=(correct_the_destination,) if new_destination else (),
        columns={
            "provider_id": new_provider_id,
            "accepted_at": None,
            "assigned_keyworker_id": None,
        },
        history={"from_provider_id": referral.provider_id, "to_provider_id": new_provider_id},
        facts=referral_facts(
            "redirect",
            provider_id=new_provider_id,
            from_provider_id=referral.provider_id,
            episode_id=referral.episode_id,
        ),
    )


def _engaged(_actor, _referral, inputs) -> Change:
    start = inputs["treatment_start_date"]
    return Change(
        columns={"treatment_start_date": start},
        history={"event_date": start},
        facts=treatment_start_facts(start),
    )


def _closed(_actor, _referral, inputs) -> Change:
    return Change(columns={"closing_reason": inputs.get("reason_code")})


def _cancel_booked_appointments(referral: Referral) -> None:
    """Booked appointments go with the referral: none is left waiting to be recorded."""
    db.session.execute(
        update(Appointment)
        .where(
            Appointment.referral_id == referral.id,
            Appointment.outcome == AppointmentOutcome.OFFERED,
        )
        .values(outcome=AppointmentOutcome.CANCELLED)
    )


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "send",
            (Status.DRAFT,),
            Status.SENT,
            "referral.send",
            (REFERRER,),
            label="Send referral",
            title="Check your answers before sending the referral",
            done_message="Referral sent",
            form=forms.ConfirmForm,
            group=ActionGroup.PROGRESS,
            page="referrals/check.html",
            checks=(_consent_allows_sending, _only_live_referral),
            effect=_sent,
            notifies=PROVIDER,
        ),
        Transition(
            "accept",
            (Status.SENT,),
            Status.ACCEPTED,
            "referral.accept",
            (PROVIDER,),
            label="Accept referral",
            title="Accept this referral",
            done_message="Referral accepted",
            form=forms.ConfirmForm,
            group=ActionGroup.PROGRESS,
            effect=_accepted,
            notifies=REFERRER,
        ),
        Transition(
            "reject",
            (Status.SENT,),
            Status.REJECTED,
            "referral.accept",
            (PROVIDER,),
            label="Reject referral",
            title="Reject this referral",
            done_message="Referral rejected",
            form=forms.RejectForm,
            group=ActionGroup.ENDING,
            warning=True,
            notifies=REFERRER,
        ),
        Transition(
            "redirect",
            (Status.SENT, Status.ACCEPTED),
            Status.SENT,
            "referral.redirect",
            (PROVIDER, REFERRER),
            label="Redirect to another provider",
            title="Redirect this referral to another provider",
            done_message="Referral redirected",
            form=forms.RedirectForm,
            group=ActionGroup.CORRECTIONS,
            page="referrals/redirect.html",
            checks=(_provider_serves_destination,),
            effect=_redirected,
            ends=(_cancel_booked_appointments,),
            notifies=PROVIDER,
        ),
        Transition(
            "withdraw",
            (Status.DRAFT, Status.SENT, Status.ACCEPTED),
            Status.WITHDRAWN,
            "referral.withdraw",
            (REFERRER,),
            label="Withdraw referral",
            title="Withdraw this referral",
            done_message="Referral withdrawn",
            form=forms.WithdrawForm,
            group=ActionGroup.ENDING,
            warning=True,
            ends=(_cancel_booked_appointments,),
        ),
        Transition(
            "engage",
            (Status.ACCEPTED,),
            Status.ENGAGED,
            "treatment.record",
            (PROVIDER,),
            label="Record treatment start",
            title="Record the start of treatment",
            done_message="Treatment start recorded",
            form=forms.TreatmentStartForm,
            group=ActionGroup.PROGRESS,
            checks=(_treatment_start_is_possible,),
            effect=_engaged,
            notifies=REFERRER,
        ),
        Transition(
            "close",
            (Status.ACCEPTED, Status.ENGAGED),
            Status.CLOSED,
            "referral.close",
            (PROVIDER,),
            label="Close referral",
            title="Close this referral",
            done_message="Referral closed",
            form=forms.CloseForm,
            group=ActionGroup.ENDING,
            effect=_closed,
            ends=(_cancel_booked_appointments,),
        ),
    )
}


# What the mechanism needs to know about referrals. ----------------------------------------


def sides_of(actor, referral: Referral) -> set[str]:
    sides = set()
    if referral.referring_organisation_id == actor.organisation_id:
        sides.add(REFERRER)
    if referral.provider_id == actor.organisation_id:
        sides.add(PROVIDER)
    return sides


def _write_history(actor, referral: Referral, transition: Transition, from_status, details):
    db.session.add(
        ReferralEvent(
            referral=referral,
            person_id=referral.person_id,
            kind=transition.action,
            from_status=from_status,
            to_status=transition.to_status,
            actor_id=actor.id,
            organisation_id=actor.organisation_id,
            **details,
        )
    )


def _recipients(referral: Referral, side: str):
    if side == REFERRER:
        return [referral.referred_by_id]
    # Every active keyworker of the provider the referral is with now.
    return db.session.scalars(
        select(User.id).where(
            User.organisation_id == referral.provider_id,
            User.role == Role.KEYWORKER,
            User.active.is_(True),
        )
    ).all()


REFERRAL_LIFECYCLE = Lifecycle(
    model=Referral,
    entity_type="referral",
    purpose="referral",
    transitions=TRANSITIONS,
    refusals=REFUSALS,
    sides_of=sides_of,
    write_history=_write_history,
    recipients=_recipients,
    notify=notifications.notify,
)
