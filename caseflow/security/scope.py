"""The legitimate-relationship rule: which people and referrals a member of staff may see.

Every query of people, referrals and their records filters through ``visible_people`` or
``visible_referrals``. Anything out of scope is answered as if absent (404), and the attempt is
audited as a denial. Subqueries use their own aliases, so a condition can sit in a query that
already joins custody episodes or referrals.
"""

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from caseflow.models import utcnow
from caseflow.organisations.models import OrganisationKind, organisation_areas
from caseflow.people.models import BreakGlassGrant, CustodyEpisode, Person
from caseflow.referrals.models import Referral
from caseflow.security.access import CLINICAL_ROLES, Role


def _partnership_areas(organisation_id):
    """The local authorities an organisation covers (a partnership, or a probation unit)."""
    return select(organisation_areas.c.local_authority_code).where(
        organisation_areas.c.organisation_id == organisation_id
    )


def visible_people(user) -> ColumnElement[bool]:
    """A SQL condition on Person that is true exactly for the people user may see."""
    if user.role not in CLINICAL_ROLES:
        return false()  # auditors and administrators see no clinical records
    organisation_id = user.organisation_id
    episode = aliased(CustodyEpisode)
    if user.role == Role.MANAGER:
        # A partnership sees people whose destination is one of its local authorities.
        return exists().where(
            episode.person_id == Person.id,
            episode.destination_local_authority_code.in_(_partnership_areas(organisation_id)),
        )
    holds_custody = exists().where(
        episode.person_id == Person.id, episode.prison_id == organisation_id
    )
    # The referring organisation and the provider a referral is with now; a provider that
    # redirected a referral elsewhere no longer has it.
    referral = aliased(Referral)
    referral_party = exists().where(
        referral.person_id == Person.id,
        or_(
            referral.referring_organisation_id == organisation_id,
            referral.provider_id == organisation_id,
        ),
    )
    recorded_here = Person.recorded_by_organisation_id == organisation_id
    emergency = _break_glass(user, Person.id)
    if user.organisation.kind == OrganisationKind.PRISON:
        # A prison's relationship is the episode it holds, so a transfer hands it on. Until the
        # first episode is added, the prison that recorded the person holds them.
        any_episode = aliased(CustodyEpisode)
        no_custody_yet = ~exists().where(any_episode.person_id == Person.id)
        return or_(holds_custody, and_(recorded_here, no_custody_yet), referral_party, emergency)
    if user.organisation.kind == OrganisationKind.PROBATION:
        # A probation delivery unit supervises people released into its area.
        supervised = exists().where(
            episode.person_id == Person.id,
            episode.destination_local_authority_code.in_(_partnership_areas(organisation_id)),
        )
        return or_(recorded_here, supervised, referral_party, emergency)
    return or_(recorded_here, holds_custody, referral_party, emergency)


def visible_referrals(user) -> ColumnElement[bool]:
    """A SQL condition on Referral: its referrer, its current provider, and area managers."""
    if user.role not in CLINICAL_ROLES:
        return false()
    if user.role == Role.MANAGER:
        episode = aliased(CustodyEpisode)
        return exists().where(
            episode.id == Referral.episode_id,
            episode.destination_local_authority_code.in_(_partnership_areas(user.organisation_id)),
        )
    return or_(
        Referral.referring_organisation_id == user.organisation_id,
        Referral.provider_id == user.organisation_id,
        _break_glass(user, Referral.person_id),
    )


def _break_glass(user, person_id_column) -> ColumnElement[bool]:
    """An unexpired emergency access by this user to this one person."""
    return exists().where(
        BreakGlassGrant.user_id == user.id,
        BreakGlassGrant.person_id == person_id_column,
        BreakGlassGrant.expires_at > utcnow(),
    )
