"""No dead ends: every link a member of staff is shown opens (issue #9, "No dead ends").

SECURITY.md: a missing permission answers 403, a record out of scope 404. A page that offers a
link its viewer cannot follow is a dead end. Each clinical role signs in to a world where it has
work (a released person with an accepted referral, a draft, an appointment, a notification;
mental health and outreach staff reach the person through emergency access, the one way they
can today) and follows every link on every page it reaches from where it lands, a few clicks
deep. Any link answering 403 or 404 fails the test, naming the page it was on.
"""

from collections import deque
from datetime import timedelta
from urllib.parse import urldefrag, urlparse

import pytest
from bs4 import BeautifulSoup

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.notifications import notify
from caseflow.organisations.models import LocalAuthority, OrganisationKind
from caseflow.people.models import BreakGlassGrant
from caseflow.security.access import CLINICAL_ROLES, Role
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    provider_serving,
)
from tests.helpers import signed_in_client

HOME_AREA = "E08000025"
MAX_PAGES = 80
MAX_DEPTH = 3
# Links that act rather than show, or leave the pages: not walked.
NOT_WALKED = ("/sign-out", "/assets/", "/static/", "/healthz")


def _world() -> dict:
    """Everyone's work around one released person with an accepted referral."""
    birmingham = db.session.get(LocalAuthority, HOME_AREA)
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    provider = provider_serving(HOME_AREA)
    referral = ReferralFactory(status="accepted", episode__prison=prison, provider_id=provider.id)
    person = referral.person
    AppointmentFactory(referral=referral, appointment_date=local_today() + timedelta(days=2))
    ReferralFactory(status="draft", episode__prison=prison, provider_id=provider.id)

    probation = OrganisationFactory(kind=OrganisationKind.PROBATION)
    probation.areas = [birmingham]
    partnership = OrganisationFactory(kind=OrganisationKind.PARTNERSHIP)
    partnership.areas = [birmingham]
    users = {
        Role.PRISON_HEALTHCARE: UserFactory(role=Role.PRISON_HEALTHCARE, organisation=prison),
        Role.PROBATION: UserFactory(role=Role.PROBATION, organisation=probation),
        Role.KEYWORKER: UserFactory(role=Role.KEYWORKER, organisation=provider),
        Role.MANAGER: UserFactory(role=Role.MANAGER, organisation=partnership),
        Role.MENTAL_HEALTH: UserFactory(role=Role.MENTAL_HEALTH),
        Role.OUTREACH: UserFactory(role=Role.OUTREACH),
    }
    referral.assigned_keyworker_id = users[Role.KEYWORKER].id
    for role in (Role.MENTAL_HEALTH, Role.OUTREACH):
        user = users[role]
        # Someone the team recorded itself, and the person reached by emergency access.
        PersonFactory(recorded_by=user.organisation)
        db.session.add(
            BreakGlassGrant(
                user_id=user.id,
                organisation_id=user.organisation_id,
                person_id=person.id,
                reason="Seen at the day centre",
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
    for user in users.values():
        notify(
            user.id,
            record_type="referral",
            record_id=referral.id,
            person_id=person.id,
            kind="accept",
        )
    db.session.commit()
    return {"users": users, "person": person, "referral": referral}


def _links(html: bytes) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for anchor in soup.select("a[href]"):
        href, _fragment = urldefrag(anchor["href"])
        parsed = urlparse(href)
        if parsed.scheme or parsed.netloc or not href.startswith("/"):
            continue
        if href.startswith(NOT_WALKED):
            continue
        found.append(href)
    return found


def _walk(client, starts: list[str]) -> list[str]:
    """Follow every link breadth first from the start pages; each dead link as 'page -> link'."""
    dead, seen = [], set(starts)
    queue = deque((url, 0, "(start)") for url in starts)
    pages = 0
    while queue and pages < MAX_PAGES:
        url, depth, came_from = queue.popleft()
        response = client.get(url, follow_redirects=True)
        pages += 1
        if response.status_code in (403, 404):
            dead.append(f"{came_from} -> {url}: {response.status_code}")
            continue
        if depth >= MAX_DEPTH or response.mimetype != "text/html":
            continue
        for link in _links(response.data):
            if link not in seen:
                seen.add(link)
                queue.append((link, depth + 1, url))
    return dead


@pytest.mark.parametrize("role", sorted(CLINICAL_ROLES))
def test_every_link_a_role_is_shown_opens(app, role):
    world = _world()
    client = signed_in_client(app, world["users"][role])
    starts = ["/", "/notifications", f"/people/{world['person'].id}"]

    assert _walk(client, starts) == []


@pytest.mark.parametrize("role", [Role.MENTAL_HEALTH, Role.OUTREACH])
def test_referrals_are_named_without_a_link_to_those_who_cannot_open_them(app, role):
    world = _world()
    client = signed_in_client(app, world["users"][role])
    reference = world["referral"].reference

    person_page = client.get(f"/people/{world['person'].id}").get_data(as_text=True)
    notifications = client.get("/notifications").get_data(as_text=True)

    # They still learn which referral it is (its reference), without a link that answers 403.
    assert reference in person_page and reference in notifications
    assert f"/referrals/{world['referral'].id}" not in person_page + notifications
