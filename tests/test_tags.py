"""Statuses and flags are GOV.UK tags everywhere, one colour each (issue 9, "GOV.UK and MoJ
patterns": "Statuses are tags everywhere, with one colour per status and flag across pages").

Every referral status is rendered on every kind of page that shows one (the referral page, the
person page's list of referrals and a worklist), and every person flag on each page that shows
the person's flags: each must be a tag, in the same colour on every page, and no two statuses
(nor two flags) may share a colour.
"""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import Organisation
from caseflow.people.codes import PersonFlag
from caseflow.referrals.codes import Status
from tests.factories import AppointmentFactory, ReferralFactory, UserFactory
from tests.helpers import page, signed_in_client


def tag_classes(soup: BeautifulSoup, words: str) -> set[str]:
    """The colour classes of the tags in the page's main content that say words."""
    return {
        " ".join(sorted(c for c in tag["class"] if c.startswith("govuk-tag--")))
        for tag in soup.find("main").select(".govuk-tag")
        if tag.get_text(" ", strip=True) == words
    }


def pages_showing(app, status: str) -> dict[str, BeautifulSoup]:
    """Each kind of page, showing one referral in the given status."""
    referral = ReferralFactory(status=status)
    nurse = UserFactory(
        role="prison_healthcare",
        organisation=db.session.get(Organisation, referral.referring_organisation_id),
    )
    if status == Status.ENGAGED:
        # Treatment has started, so the clock lists are done with them: the keyworker's
        # appointments this week still list them.
        referral.treatment_start_date = local_today() - timedelta(days=1)
        AppointmentFactory(referral=referral)
        viewer = UserFactory(
            role="keyworker", organisation=db.session.get(Organisation, referral.provider_id)
        )
        worklist = "appointments"
    else:
        viewer, worklist = nurse, "clock-running"
    db.session.commit()
    client = signed_in_client(app, nurse)
    return {
        "referral page": page(client, f"/referrals/{referral.id}"),
        "person page": page(client, f"/people/{referral.person_id}"),
        "worklist": page(signed_in_client(app, viewer), f"/worklists/{worklist}"),
    }


@pytest.fixture
def status_colours(app) -> dict[str, dict[str, set[str]]]:
    return {
        status: {
            kind: tag_classes(soup, status.label)
            for kind, soup in pages_showing(app, status).items()
        }
        for status in Status
    }


def test_every_status_is_a_tag_of_one_colour_on_every_page(status_colours):
    colour_of = {}
    for status, by_page in status_colours.items():
        colours = set().union(*by_page.values())
        missing = [kind for kind, found in by_page.items() if not found]
        assert missing == [], f"{status.label} is not a tag on the {missing}"
        assert len(colours) == 1, f"{status.label} has colours {by_page}"
        colour_of[status] = colours.pop()
    assert len(set(colour_of.values())) == len(colour_of), colour_of


def test_every_flag_is_a_tag_of_one_colour_on_the_person_and_referral_pages(app):
    referral = ReferralFactory(status="sent")
    for flag in PersonFlag:
        setattr(referral.person, flag.value, True)
    nurse = UserFactory(
        role="prison_healthcare",
        organisation=db.session.get(Organisation, referral.referring_organisation_id),
    )
    keyworker = UserFactory(
        role="keyworker", organisation=db.session.get(Organisation, referral.provider_id)
    )
    db.session.commit()
    shown = {
        "person page": page(signed_in_client(app, nurse), f"/people/{referral.person_id}"),
        "referral page (referrer)": page(signed_in_client(app, nurse), f"/referrals/{referral.id}"),
        "referral page (keyworker)": page(
            signed_in_client(app, keyworker), f"/referrals/{referral.id}"
        ),
    }
    colour_of = {}
    for flag in PersonFlag:
        by_page = {kind: tag_classes(soup, flag.label) for kind, soup in shown.items()}
        colours = set().union(*by_page.values())
        assert all(by_page.values()) and len(colours) == 1, (flag.label, by_page)
        colour_of[flag] = colours.pop()
    assert len(set(colour_of.values())) == len(colour_of), colour_of
