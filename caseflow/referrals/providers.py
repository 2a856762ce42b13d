"""Which community treatment providers a referral may go to: those serving the local authority
the person is going to (the custody episode's destination), or, for a community referral, those
serving the referring team's areas. A redirect offers the same, never the provider the referral
is with now, and for a new destination when the person is now going elsewhere."""

import uuid

from caseflow.domain import InvalidChange
from caseflow.organisations.models import Organisation
from caseflow.organisations.services import providers_serving


def areas_for(referring_organisation: Organisation, episode) -> list[str]:
    """The local authorities a referral's provider must serve."""
    if episode is None:
        return sorted(referring_organisation.area_codes)
    code = episode.destination_local_authority_code
    return [code] if code else []


def providers_for(areas: list[str], *, other_than: uuid.UUID | None = None) -> list[Organisation]:
    """The providers serving any of these local authorities, by name, less ``other_than``."""
    found: dict[uuid.UUID, Organisation] = {}
    for code in areas:
        for provider in providers_serving(code):
            if provider.id != other_than:
                found[provider.id] = provider
    return sorted(found.values(), key=lambda provider: (provider.name, str(provider.id)))


def check_provider(
    provider_id, areas: list[str], *, other_than: uuid.UUID | None = None
) -> Organisation:
    """The provider chosen, if it is one of those offered; refused beside the field if not."""
    if other_than is not None and provider_id == other_than:
        raise InvalidChange("Select a different provider from the current one", "provider")
    for provider in providers_for(areas, other_than=other_than):
        if provider.id == provider_id:
            return provider
    if not areas:
        raise InvalidChange(
            "Record the local authority the person is going to before choosing a provider",
            "provider",
        )
    raise InvalidChange(
        "Select a provider serving the local authority the person is going to", "provider"
    )
