"""Operations on referrals: finding them, drafts and status changes. Each checks scope and
permission, changes, records history and audit.

Status changes go through ``change_status`` and the transition table only. The change itself is
one conditional UPDATE on the status the actor saw, so of two people acting at once exactly one
wins and the other is told what happened. Appointments are in ``appointments.py``, the rows of a
worklist page in ``worklist_rows.py``.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from caseflow.audit.services import filled_fields, record, record_denial, record_independent
from caseflow.auth.models import User
from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound, NotPermitted, StaleRecord
from caseflow.extensions import db
from caseflow.lifecycle import apply, refusal
from caseflow.made_once import add_once, made_with
from caseflow.models import utcnow
from caseflow.notifications import forget as forget_notifications
from caseflow.organisations import services as organisations
from caseflow.organisations.models import LocalAuthority, Organisation
from caseflow.people.contacts import record_assigned_keyworker
from caseflow.people.models import CustodyEpisode
from caseflow.people.services import person_for_new_record
from caseflow.referrals import live as live_rule
from caseflow.referrals import notifications as referral_notifications
from caseflow.referrals import providers as providers_rule
from caseflow.referrals.clock import Clock, ClockSummary
from caseflow.referrals.codes import (
    TREATMENT_START_STATUSES,
    WORKING_STATUSES,
    ActionGroup,
    Consent,
    Status,
)
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.referrals.transitions import (
    PROVIDER,
    REFERRAL_LIFECYCLE,
    REFERRER,
    REFUSALS,
    sides_of,
)
from caseflow.security.access import Role, role_may
from caseflow.security.scope import (
    Basis,
    access_basis,
    holds_grant,
    seen_without_grant,
    visible_referrals,
)

DRAFT_LIFETIME = timedelta(days=90)

HANDOVER_FIELDS = (
    "provider_id",
    "consent",
    "consent_override_reason",
    "substance_group",
    "opioid_medicine",
    "opioid_dose",
    "last_dose_date",
    "bridging_prescription",
    "long_acting_injectable",
    "naloxone_on_release",
    "mental_health_need",
    "housing_need",
    "risks",
    "contact_after_release",
)


def clock_for(referral: Referral, today: date | None = None) -> Clock:
    """The referral's 21-day clock; ``clock_for(...).summary()`` is what every page says of it."""
    episode = referral.episode
    if episode is None:
        # A community referral: no release to count from.
        return Clock(
            release_date=None,
            today=today or local_today(),
            treatment_start=referral.treatment_start_date,
            status=referral.status,
            community=True,
        )
    return Clock(
        release_date=episode.actual_release_date,
        today=today or local_today(),
        treatment_start=referral.treatment_start_date,
        expected_release=episode.expected_release_date,
        release_type=episode.release_type,
        status=referral.status,
    )


def clock_summary(referral: Referral, today: date | None = None) -> ClockSummary:
    """What the referral, person and change pages say of the referral's clock."""
    return clock_for(referral, today).summary()


# Finding referrals ------------------------------------------------------------------------


def find_visible_referral(actor, referral_id: uuid.UUID) -> Referral:
    referral, grant = db.session.execute(
        select(Referral, holds_grant(actor, Referral.person_id))
        .where(Referral.id == referral_id, visible_referrals(actor))
        .options(
            # What every page of a referral shows of it, read with it rather than one record
            # at a time as the page is drawn: the person, the release and where they are
            # going, both ends of the handover, who referred and the keyworker assigned.
            joinedload(Referral.person),
            joinedload(Referral.episode).joinedload(CustodyEpisode.destination),
            joinedload(Referral.provider),
            joinedload(Referral.referring_organisation),
            joinedload(Referral.referred_by),
            joinedload(Referral.assigned_keyworker),
            selectinload(Referral.events).selectinload(ReferralEvent.actor),
            selectinload(Referral.appointments),
        )
    ).first() or (None, None)
    if referral is not None and not grant:
        seen_without_grant(actor, referral.person_id)
    if referral is None:
        existing = db.session.get(Referral, referral_id)
        record_denial(
            actor=actor,
            entity_type="referral",
            entity_id=referral_id,
            person_id=existing.person_id if existing else None,
            reason="out of scope" if existing else "not found",
        )
        raise NotFound("No such referral")
    return referral


def still_visible(actor, referral_id: uuid.UUID) -> bool:
    """Whether actor may still see the referral, after a change that may have ended that."""
    return (
        db.session.scalar(
            select(Referral.id).where(Referral.id == referral_id, visible_referrals(actor))
        )
        is not None
    )


def view_referral(
    actor, referral_id: uuid.UUID, *, page: str = "referral", independent: bool = False
) -> Referral:
    """The referral for a page that shows it: one audited view.

    ``independent`` is for a page sent with an error status, whose transaction is rolled back.
    """
    referral = find_visible_referral(actor, referral_id)
    write = record_independent if independent else record
    write(
        "view",
        actor=actor,
        entity_type="referral",
        entity_id=referral.id,
        person_id=referral.person_id,
        purpose="referral",
        outcome="success",
        detail={"page": page},
    )
    return referral


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
            # Its page asks "Are you sure" first (referrals/drafts.py).
            allowed.append(Action("delete_draft", "Delete draft", ActionGroup.ENDING, "warning"))
    if may_correct_treatment_start(actor, referral):
        allowed.append(
            Action("correct_treatment_start", "Correct treatment start", ActionGroup.CORRECTIONS)
        )
    return allowed


def may_correct_treatment_start(actor, referral: Referral) -> bool:
    """The provider's keyworker corrects a treatment start its referral has."""
    return (
        role_may(actor.role, "treatment.correct")
        and PROVIDER in sides_of(actor, referral)
        and referral.status in TREATMENT_START_STATUSES
        and referral.treatment_start_date is not None
    )


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


def person_page_actions(actor, person) -> list[tuple[str, str]]:
    """(endpoint, label) for what the person page offers to start about this person: a
    referral, once they have a custody episode, or (probation) a community referral for
    someone never in custody; nothing when the only access is emergency access."""
    if not role_may(actor.role, "referral.create") or (
        access_basis(actor, person.id) == Basis.BREAK_GLASS
    ):
        return []
    if person.episodes:
        return [("referrals.new_referral", "Create a referral to community treatment")]
    if role_may(actor.role, "referral.create_community"):
        return [("referrals.new_referral", "Create a community referral")]
    return []


@dataclass(frozen=True)
class ReferralStart:
    """What the new referral page needs before its form: the person, the custody episode the
    referral is for (None for a community referral), the providers it may go to, and the live
    referral a new one would duplicate, if any."""

    person: object
    episode: object | None
    providers: list[Organisation]
    live: Referral | None = None

    @property
    def community(self) -> bool:
        return self.episode is None

    def live_visible_to(self, actor) -> bool:
        """Whether the page may link to the live referral: only when the viewer may open it."""
        return self.live is not None and still_visible(actor, self.live.id)


def providers_offered(referral: Referral) -> list[Organisation]:
    """The providers a draft may name (``providers.py``)."""
    areas = providers_rule.areas_for(referral.referring_organisation, referral.episode)
    return providers_rule.providers_for(areas)


@dataclass(frozen=True)
class RedirectChoice:
    """What the redirect page offers: the providers serving where the person is going (never the
    one the referral is with now) and, for a release, the local authority they are shown for.
    When that is not the destination recorded, redirecting corrects the destination."""

    referral: Referral
    providers: list[Organisation]
    destination: LocalAuthority | None = None
    local_authorities: list[LocalAuthority] = field(default_factory=list)

    @property
    def recorded(self) -> LocalAuthority | None:
        episode = self.referral.episode
        return episode.destination if episode else None

    @property
    def corrects_destination(self) -> bool:
        return self.destination is not None and self.destination != self.recorded


def redirect_choice(
    actor, referral_id: uuid.UUID, local_authority_code: str | None = None
) -> RedirectChoice:
    """The redirect page's providers, for the destination recorded or the one chosen."""
    referral = find_visible_referral(actor, referral_id)
    episode = referral.episode
    if episode is None:
        areas = providers_rule.areas_for(referral.referring_organisation, None)
        return RedirectChoice(
            referral, providers_rule.providers_for(areas, other_than=referral.provider_id)
        )
    authorities = organisations.local_authorities()
    chosen = next((la for la in authorities if la.ons_code == local_authority_code), None)
    destination = chosen or episode.destination
    areas = [destination.ons_code] if destination else []
    return RedirectChoice(
        referral,
        providers_rule.providers_for(areas, other_than=referral.provider_id),
        destination=destination,
        local_authorities=authorities,
    )


def start_referral(actor, person_id: uuid.UUID) -> ReferralStart:
    """Where a new referral for this person starts: their latest custody episode, or, for
    probation and someone never in custody, a community referral (no release clock).

    Refused with a message when neither applies (prison healthcare adds the episode first).
    """
    if not role_may(actor.role, "referral.create"):
        raise NotPermitted("Your role does not create referrals")
    person = person_for_new_record(actor, person_id, load_episodes=True)
    episode = person.current_episode
    if episode is None and not role_may(actor.role, "referral.create_community"):
        raise InvalidTransition("Add a custody episode before making a referral.")
    areas = providers_rule.areas_for(actor.organisation, episode)
    return ReferralStart(
        person=person,
        episode=episode,
        providers=providers_rule.providers_for(areas),
        live=live_rule.live_referral(person.id, episode.id if episode else None),
    )


def colleagues_who_can_be_assigned(actor) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == actor.organisation_id,
                User.role == Role.KEYWORKER,
                User.active.is_(True),
            )
            .order_by(User.display_name)
        )
    )


# Drafts -----------------------------------------------------------------------------------


def _check_handover(values: dict, referring_organisation, episode) -> None:
    providers_rule.check_provider(
        values["provider_id"], providers_rule.areas_for(referring_organisation, episode)
    )
    if values["consent"] == Consent.OVERRIDDEN and not values.get("consent_override_reason"):
        raise InvalidChange(
            "Enter the reason for sharing without consent", "consent_override_reason"
        )
    if values["consent"] != Consent.OVERRIDDEN:
        values["consent_override_reason"] = None


def create_referral(actor, person_id: uuid.UUID, *, token: str | None = None, **fields) -> Referral:
    """A draft referral for the person's latest custody episode, or (probation, for someone
    never in custody) a community referral with none. Refused while another referral is live
    for the same release and pathway (``live.py``).

    A form sent twice (same token), even at the same moment, gives back the referral the first
    one made (caseflow.made_once).
    """
    if not role_may(actor.role, "referral.create"):
        raise NotPermitted("Your role does not create referrals")
    existing = made_with(Referral, token)
    if existing is not None:
        return existing
    start = start_referral(actor, person_id)
    person, episode = start.person, start.episode
    episode_id = episode.id if episode else None
    live_rule.refuse_a_second(person.id, episode_id)
    values = {name: fields.get(name) for name in HANDOVER_FIELDS}
    _check_handover(values, actor.organisation, episode)
    try:
        referral, made = add_once(
            Referral(
                person=person,
                episode=episode,
                referring_organisation_id=actor.organisation_id,
                referred_by_id=actor.id,
                status=Status.DRAFT,
                creation_token=token,
                **values,
            )
        )
    except IntegrityError:
        # Another referral for the same release was made at the same moment: the database's
        # index refused this one (add_once has undone only the INSERT).
        live_rule.refuse_a_second(person.id, episode_id)
        raise
    if not made:
        return referral
    add_history(actor, referral, "created", None, Status.DRAFT)
    record(
        "create",
        actor=actor,
        entity_type="referral",
        entity_id=referral.id,
        person_id=person.id,
        purpose="referral",
        detail={"fields": filled_fields(values)},
    )
    return referral


def update_draft(actor, referral_id: uuid.UUID, *, version: int, **fields) -> Referral:
    referral = find_visible_referral(actor, referral_id)
    require_side(actor, referral, (REFERRER,))
    if referral.status != Status.DRAFT:
        raise InvalidTransition("Only a draft can be edited. " + REFUSALS[referral.status])
    if version is None or version != referral.version:
        raise StaleRecord("Someone else changed this referral")
    values = {name: fields.get(name) for name in HANDOVER_FIELDS}
    _check_handover(values, referral.referring_organisation, referral.episode)
    changed = sorted(name for name, value in values.items() if getattr(referral, name) != value)
    for name, value in values.items():
        setattr(referral, name, value)
    if changed:
        # The history names what changed, never the values (they are the person's details).
        add_history(
            actor, referral, "edited", Status.DRAFT, Status.DRAFT, changed_fields=",".join(changed)
        )
    _audit_update(actor, referral, {"fields": changed})
    return referral


@dataclass(frozen=True)
class Saved:
    """A referral saved from its form and, when sending it was asked for and refused, why."""

    referral: Referral
    not_sent: str | None = None


def _send_if_asked(actor, referral: Referral, send: bool) -> str | None:
    """Send the saved draft if the form asked to; the draft is kept whether or not it can be."""
    if not send or referral.status != Status.DRAFT:
        return None  # not asked, or sent already by the same form sent a moment earlier
    try:
        apply(REFERRAL_LIFECYCLE, actor, referral, "send")
    except InvalidTransition as refused:
        return str(refused)
    return None


def save_new_referral(
    actor, person_id: uuid.UUID, *, send: bool = False, token: str | None = None, **fields
) -> Saved:
    """The new referral form: a draft, sent at once if asked (``create_referral``)."""
    referral = create_referral(actor, person_id, token=token, **fields)
    return Saved(referral, _send_if_asked(actor, referral, send))


def save_draft(
    actor, referral_id: uuid.UUID, *, version: int, send: bool = False, **fields
) -> Saved:
    """The edit form of a draft: saved, and sent if asked (``update_draft``)."""
    referral = update_draft(actor, referral_id, version=version, **fields)
    return Saved(referral, _send_if_asked(actor, referral, send))


def _audit_update(actor, referral: Referral, detail: dict) -> None:
    record(
        "update",
        actor=actor,
        entity_type="referral",
        entity_id=referral.id,
        person_id=referral.person_id,
        purpose="referral",
        detail=detail,
    )


def delete_drafts(ids: list[uuid.UUID]) -> None:
    """Delete these drafts and everything held under them: the one way a referral goes, for
    the 90-day purge and for a referrer deleting their draft (``drafts.delete_draft``)."""
    db.session.execute(delete(ReferralEvent).where(ReferralEvent.referral_id.in_(ids)))
    forget_notifications(referral_notifications.RECORD_TYPE, ids)
    db.session.execute(delete(Referral).where(Referral.id.in_(ids)))


def purge_old_drafts(*, apply: bool, now=None) -> int:
    """Delete drafts never sent and untouched for 90 days. A dry run only counts them."""
    cutoff = (now or utcnow()) - DRAFT_LIFETIME
    stale = select(Referral.id).where(Referral.status == Status.DRAFT, Referral.updated_at < cutoff)
    ids = list(db.session.scalars(stale))
    if apply and ids:
        delete_drafts(ids)
        record(
            "delete",
            entity_type="referral",
            purpose="retention",
            detail={"drafts_deleted": len(ids)},
        )
    return len(ids)


# Status changes ---------------------------------------------------------------------------


def require_side(actor, referral: Referral, sides) -> None:
    if not sides_of(actor, referral).intersection(sides):
        raise NotPermitted("Your organisation cannot make this change")


def add_history(actor, referral, kind, from_status, to_status, **details) -> ReferralEvent:
    event = ReferralEvent(
        referral=referral,
        person_id=referral.person_id,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id,
        organisation_id=actor.organisation_id,
        **details,
    )
    db.session.add(event)
    return event


def change_status(actor, referral_id: uuid.UUID, action: str, **inputs) -> Referral:
    """Take one action of the referral lifecycle (``transitions.TRANSITIONS``)."""
    referral = find_visible_referral(actor, referral_id)
    return apply(REFERRAL_LIFECYCLE, actor, referral, action, **inputs)


def assign_keyworker(actor, referral_id: uuid.UUID, keyworker_id: uuid.UUID) -> Referral:
    referral = find_visible_referral(actor, referral_id)
    require_side(actor, referral, (PROVIDER,))
    if referral.status not in WORKING_STATUSES:
        raise InvalidTransition("Accept the referral before assigning a keyworker.")
    colleague = db.session.get(User, keyworker_id)
    if colleague is None or colleague not in colleagues_who_can_be_assigned(actor):
        raise InvalidChange("Select a keyworker in your team", "keyworker")
    referral.assigned_keyworker_id = colleague.id
    add_history(actor, referral, "assigned", referral.status, referral.status)
    _audit_update(actor, referral, {"change": "assigned", "fields": ["assigned_keyworker_id"]})
    # The person's keyworker contact follows, so whoever calls next finds the right one.
    record_assigned_keyworker(actor, referral.person_id, colleague, referral.provider.name)
    return referral
