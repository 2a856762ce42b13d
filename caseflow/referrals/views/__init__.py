"""The referral pages, one route module for each part of a referral's life, all on the package's
blueprint (so every endpoint keeps its name, ``referrals.<view>``). Importing this package
attaches them all, as ``create_app`` does for every package.

- ``drafts``: the new referral form, editing a draft, deleting one.
- ``referral``: the referral's own page.
- ``change_pages``: the page every change is made on, and where it leads.
- ``changes``: the lifecycle's actions, assigning a keyworker, correcting a treatment start.
- ``appointments``: booking, attendance, moving and cancelling an appointment.
- ``worklist_page``: a worklist.
- ``notification_pages``: the signed-in person's notifications.

Each view parses its request, calls one service (``referrals.services``) and renders or
redirects.
"""

from caseflow.referrals import timeline as _timeline  # noqa: F401  (registers the person page parts)
from caseflow.referrals.views import (  # noqa: F401  (each attaches its routes to the blueprint)
    appointments,
    changes,
    drafts,
    notification_pages,
    referral,
    worklist_page,
)
