"""Two handovers walked through the pages (DOMAIN.md, Records: Person and Referral):

- probation adds a person who has never been in custody and refers them: a community referral,
  with no release clock;
- a keyworker redirects a referral: the providers offered serve where the person is going and
  never the current one, and when the person is now going elsewhere the redirect corrects the
  destination, whose reason the custody history then shows.

Each test makes its own person, so they run in any order on the shared live-server database.
Every page visited is checked with axe.
"""

import re
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import Organisation
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import choose, fill_date, main_menu, synthetic_nhs_number

PROBATION = "probation@demo.caseflow.test"
BIRMINGHAM_KEYWORKER = "keyworker@demo.caseflow.test"
COVENTRY_KEYWORKER = "keyworker3@demo.caseflow.test"
BIRMINGHAM_PROVIDER = "Birmingham Recovery Service"
COVENTRY_PROVIDER = "Coventry and Solihull Recovery Service"


def radio(page, group: str, label: str):
    return page.get_by_role("group", name=group).get_by_label(label, exact=True)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert_accessible(page)


def test_probation_refers_a_person_never_in_custody(browser_page, live_server):
    page = browser_page
    given, family = "Ottoline", "Brackenridge"

    sign_in(page, live_server, PROBATION)
    expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
    assert_accessible(page)

    main_menu(page, "Add a person").click()
    expect(page.get_by_role("heading", name="Add a person")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    fill_date(page, "date_of_birth", date(1988, 6, 14))
    radio(page, "Sex", "Female").check()
    page.get_by_label("Ethnic group").select_option(label="White")
    page.get_by_label("NHS number").fill(synthetic_nhs_number("000931"))
    page.get_by_role("button", name="Save person").click()
    expect(page.get_by_role("heading", level=1, name=f"{given} {family}")).to_be_visible()
    assert_accessible(page)

    # No custody episode, and probation cannot add one: the way on is a community referral.
    page.get_by_role("link", name="Create a community referral").click()
    expect(page.get_by_role("heading", level=1, name="Create a community referral")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("no release clock")
    assert_accessible(page)
    page.get_by_label("Community treatment provider").select_option(label=BIRMINGHAM_PROVIDER)
    radio(page, "Consent to share this referral", "Given").check()
    page.get_by_label("Substance group").select_option(label="Alcohol only")
    page.get_by_label("Opioid substitution medicine").select_option(label="None")
    radio(page, "Bridging prescription arranged?", "No").check()
    radio(page, "On long-acting injectable buprenorphine?", "No").check()
    radio(page, "Naloxone given on release?", "No").check()
    page.get_by_role("main").get_by_role(
        "button", name=re.compile(r"^(Save and send|Continue)$")
    ).click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text(BIRMINGHAM_PROVIDER)
    send = page.get_by_role("button", name=re.compile(r"^Send referral"))
    if send.count():
        # The answers are checked before the referral is sent, from that page.
        assert_accessible(page)
        send.click()

    expect(page.get_by_role("heading", level=1, name=f"{given} {family}")).to_be_visible()
    main = page.get_by_role("main")
    expect(main.locator(".govuk-tag").first).to_have_text("Sent")
    expect(main).to_contain_text("No release clock")
    expect(main).to_contain_text("Not leaving custody: a community referral")
    assert_accessible(page)
    sign_out(page)


def referral_to_birmingham(live_server) -> str:
    """An accepted referral from HMP Birmingham to the Birmingham provider, for a person released
    three days ago and going to Birmingham; made directly, as the journey starts after it."""
    from tests.factories import CustodyEpisodeFactory, PersonFactory, ReferralFactory

    with live_server["app"].app_context():
        by_name = {
            o.name: o
            for o in db.session.scalars(
                select(Organisation).where(
                    Organisation.name.in_(("HMP Birmingham", BIRMINGHAM_PROVIDER))
                )
            )
        }
        prison = by_name["HMP Birmingham"]
        released = local_today() - timedelta(days=3)
        person = PersonFactory(
            recorded_by=prison,
            given_name="Leofric",
            family_name="Stavely",
            nhs_number=synthetic_nhs_number("000957"),
            prison_number="Z9057QQ",
            crn="X905701",
        )
        episode = CustodyEpisodeFactory(
            person=person,
            prison=prison,
            actual_release_date=released,
            expected_release_date=released,
            release_type="licence",
            destination_local_authority_code="E08000025",
        )
        referral = ReferralFactory(
            episode=episode, provider_id=by_name[BIRMINGHAM_PROVIDER].id, status="accepted"
        )
        db.session.commit()
        return str(referral.id)


def test_a_redirect_offers_the_destinations_providers_and_corrects_the_destination(
    browser_page, live_server
):
    page = browser_page
    referral_id = referral_to_birmingham(live_server)
    referral_page = f"{live_server['url']}/referrals/{referral_id}"

    sign_in(page, live_server, BIRMINGHAM_KEYWORKER)
    expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
    page.goto(referral_page)
    expect(page.get_by_role("heading", level=1, name="Leofric Stavely")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Redirect to another provider").or_(
        page.get_by_role("link", name="Redirect to another provider")
    ).click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Redirect"))).to_be_visible()
    assert_accessible(page)
    # Only the Birmingham provider serves Birmingham, and it has the referral now.
    expect(page.get_by_role("main")).to_contain_text(
        "No other community treatment provider serves Birmingham"
    )

    # The person is now going to Coventry: its providers are offered instead.
    choose(page, "Local authority the person is going to", "Coventry")
    page.get_by_role("button", name="Show providers for this area").click()
    provider = page.get_by_label("Redirect to")
    expect(provider.locator("option")).to_have_text(["Select provider", COVENTRY_PROVIDER])
    expect(page.get_by_role("main")).to_contain_text("from Birmingham to Coventry")
    assert_accessible(page)
    provider.select_option(label=COVENTRY_PROVIDER)
    page.get_by_label("Why are you redirecting this referral?").fill(
        "Moving in with family in Coventry"
    )
    page.get_by_role("button", name="Redirect referral").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Referral redirected")
    assert_accessible(page)
    sign_out(page)

    # The Coventry provider has it, and the custody history keeps the corrected destination.
    sign_in(page, live_server, COVENTRY_KEYWORKER)
    expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
    incoming = page.get_by_role("table", name="Incoming referrals")
    expect(incoming).to_contain_text("Leofric Stavely")
    assert_accessible(page)
    page.goto(referral_page)
    expect(page.get_by_role("main")).to_contain_text(COVENTRY_PROVIDER)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Leofric Stavely")).first.click()
    expect(page.get_by_role("heading", level=1, name="Leofric Stavely")).to_be_visible()
    changes = page.get_by_role("main")
    expect(changes).to_contain_text("Destination corrected")
    expect(changes).to_contain_text("Moving in with family in Coventry")
    assert_accessible(page)
