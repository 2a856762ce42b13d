"""What the redirect page offers: the providers serving where the person is going, never the one
the referral is with now, and for a release the local authority they are shown for. Choosing
another local authority than the one recorded makes the redirect correct the destination; the
redirect itself is a row of the lifecycle (``referrals.transitions``), taken through
``handover.change_status``.
"""

import uuid
from dataclasses import dataclass, field

from caseflow.organisations import services as organisations
from caseflow.organisations.models import LocalAuthority, Organisation
from caseflow.referrals import providers as providers_rule
from caseflow.referrals.models import Referral
from caseflow.referrals.services.reading import find_visible_referral


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
