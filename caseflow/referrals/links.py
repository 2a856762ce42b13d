"""Links to a referral's page: drawn only for a viewer who may open it.

Every page that names a referral (the person page's list and timeline, notifications,
worklists) asks here for the link instead of building it, so nobody is shown a link that
answers 403. Mental health and outreach staff see a person's record, and so which referrals
they have, but not referral pages (``referral.view``): they get the reference in plain text.

The decision is the page's own check (``security.access.may_open`` reads the view's
``@requires``); which referrals a viewer sees at all is the scope rule's
(``security.scope.visible_referrals``), and callers pass only referrals found through it.
"""

import uuid

from caseflow.security.access import may_open

REFERRAL_PAGE = "referrals.show"


def may_open_referrals(viewer) -> bool:
    """Whether the viewer's role opens referral pages at all."""
    return may_open(viewer, REFERRAL_PAGE)


def referral_link(viewer, referral_id: uuid.UUID) -> tuple[str, dict] | None:
    """(endpoint, values) for url_for, or None when the viewer may not open the page."""
    if not may_open_referrals(viewer):
        return None
    return (REFERRAL_PAGE, {"referral_id": referral_id})
