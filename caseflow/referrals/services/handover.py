"""The referral's handover: a draft made and edited from its form by the referring team, sent to
the provider, then every later change of its status (accept, reject, redirect, withdraw, treatment
start, close) taken through the lifecycle's table (``referrals.transitions``) and nothing else.

A status change is one conditional UPDATE on the status the actor saw
(``caseflow.lifecycle.apply``), so of two people acting at once exactly one wins and the other
is told what happened.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from caseflow.audit.services import filled_fields, record
from caseflow.domain import InvalidChange, InvalidTransition, NotPermitted, StaleRecord
from caseflow.lifecycle import apply
from caseflow.made_once import add_once, made_with
from caseflow.referrals import live as live_rule
from caseflow.referrals import providers as providers_rule
from caseflow.referrals.codes import Consent, Status
from caseflow.referrals.models import Referral
from caseflow.referrals.services.reading import find_visible_referral
from caseflow.referrals.services.records import add_history, audit_update, require_side
from caseflow.referrals.services.starting import start_referral
from caseflow.referrals.transitions import REFERRAL_LIFECYCLE, REFERRER, REFUSALS
from caseflow.security.access import role_may

# What a draft is made and edited with: the handover the provider reads.
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


def update_draft(
    actor, referral_id: uuid.UUID, *, version: int, found: Referral | None = None, **fields
) -> Referral:
    """The draft's handover saved on the version the form showed.

    ``found`` is the draft as the form's own request already found it through the scope rule
    (``find_visible_referral``), so it is not read a second time; without it, it is found here.
    """
    if found is not None and found.id == referral_id:
        referral = found
    else:
        referral = find_visible_referral(actor, referral_id, history=False)
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
    audit_update(actor, referral, {"fields": changed})
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
    actor,
    referral_id: uuid.UUID,
    *,
    version: int,
    send: bool = False,
    found: Referral | None = None,
    **fields,
) -> Saved:
    """The edit form of a draft: saved, and sent if asked (``update_draft``)."""
    referral = update_draft(actor, referral_id, version=version, found=found, **fields)
    return Saved(referral, _send_if_asked(actor, referral, send))


def change_status(actor, referral_id: uuid.UUID, action: str, **inputs) -> Referral:
    """Take one action of the referral lifecycle (``transitions.TRANSITIONS``)."""
    referral = find_visible_referral(actor, referral_id)
    return apply(REFERRAL_LIFECYCLE, actor, referral, action, **inputs)
