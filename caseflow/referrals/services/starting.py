"""Where a new referral starts, before its form: the person, the custody episode it is for (none
for a community referral, which probation makes for someone never in custody), the providers
serving where the person is going, and the live referral a new one would duplicate. The person
page asks here what it may offer to start.
"""

import uuid
from dataclasses import dataclass

from caseflow.domain import InvalidTransition, NotPermitted
from caseflow.organisations.models import Organisation
from caseflow.people.services import person_for_new_record
from caseflow.referrals import live as live_rule
from caseflow.referrals import providers as providers_rule
from caseflow.referrals.models import Referral
from caseflow.referrals.services.reading import still_visible
from caseflow.security.access import role_may
from caseflow.security.scope import Basis, access_basis


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
