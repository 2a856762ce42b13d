"""Two tabs editing one draft referral: the later save shows what is saved now beside what was
typed, and saving again keeps both changes (issue 9, "Work is never lost").

The person and their draft are made for this test through the services, so it runs in any
order on the shared live-server database. Every page visited is checked with axe.
"""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from caseflow.auth.services import user_by_email
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations import services as organisations
from caseflow.people import custody
from caseflow.people import services as people
from caseflow.referrals.services import handover as referrals
from tests.browser.conftest import assert_accessible, sign_in

PRISON_HEALTHCARE = "prison.healthcare@demo.caseflow.test"
BIRMINGHAM = "E08000025"
CONTACT = "Hostel on Digbeth Road, 0121 496 0000"
RISKS = "Overdosed after the last release"


def a_draft_referral(live_server) -> str:
    """A person in custody at the demo prison with a draft referral naming no risks or
    contact yet."""
    today = local_today()
    with live_server["app"].app_context():
        actor = user_by_email(PRISON_HEALTHCARE)
        person = people.create_person(
            actor,
            given_name="Ottoline",
            family_name="Quarrendon",
            date_of_birth=date(1987, 3, 27),
            sex="female",
            ethnic_group="white",
            flags=[],
        )
        episode = custody.add_custody_episode(
            actor,
            person.id,
            reception_date=today - timedelta(days=90),
            expected_release_date=today + timedelta(days=20),
            destination_local_authority_code=BIRMINGHAM,
            accommodation_on_release="settled",
            treatment_need="in_treatment",
            substance_group="opiate",
            opioid_substitution="methadone",
            last_dose_date=None,
            naloxone_issued=True,
            bridging_prescription=False,
        )
        provider = organisations.providers_serving(episode.destination_local_authority_code)[0]
        referral = referrals.create_referral(
            actor,
            person.id,
            provider_id=provider.id,
            consent="given",
            substance_group="opiate",
            opioid_medicine="methadone",
            opioid_dose="60ml daily",
            last_dose_date=None,
            bridging_prescription=False,
            long_acting_injectable=False,
            naloxone_on_release=True,
            risks=None,
            contact_after_release=None,
        )
        db.session.commit()
        return str(referral.id)


def test_two_tabs_editing_one_draft_keep_both_changes(browser_page, live_server):
    referral_id = a_draft_referral(live_server)
    tab_1 = browser_page
    sign_in(tab_1, live_server, PRISON_HEALTHCARE)
    edit_url = f"{live_server['url']}/referrals/{referral_id}/edit"
    tab_1.goto(edit_url)
    expect(tab_1.get_by_role("heading", level=1, name="Edit draft referral")).to_be_visible()
    assert_accessible(tab_1)
    tab_2 = tab_1.context.new_page()
    tab_2.goto(edit_url)
    assert_accessible(tab_2)

    # Tab 1 saves a contact.
    tab_1.get_by_label("Contact details after release").fill(CONTACT)
    tab_1.get_by_role("button", name="Save as draft").click()
    expect(tab_1).to_have_url(re.compile(rf"/referrals/{referral_id}$"))
    assert_accessible(tab_1)

    # Tab 2, opened before that, saves risks: it is told, and shows both side by side.
    tab_2.get_by_label("Risks").fill(RISKS)
    tab_2.get_by_role("button", name="Save as draft").click()
    expect(tab_2).to_have_title(re.compile(r"^Error: "))
    expect(tab_2.get_by_role("heading", name="There is a problem")).to_be_visible()
    table = tab_2.get_by_role("table", name="What is saved now and what you typed")
    expect(table).to_be_visible()
    contact_row = table.get_by_role("row").filter(has_text="Contact details after release")
    expect(contact_row.get_by_role("cell").nth(0)).to_contain_text(CONTACT)
    expect(contact_row.get_by_role("cell").nth(1)).to_contain_text("Not given")
    risks_row = table.get_by_role("row").filter(has_text="Risks")
    expect(risks_row.get_by_role("cell").nth(1)).to_contain_text(RISKS)
    assert_accessible(tab_2)
    # The form holds the contact tab 1 saved and the risks tab 2 typed.
    expect(tab_2.get_by_label("Contact details after release")).to_have_value(CONTACT)
    expect(tab_2.get_by_label("Risks")).to_have_value(RISKS)

    tab_2.get_by_role("button", name="Save as draft").click()
    expect(tab_2).to_have_url(re.compile(rf"/referrals/{referral_id}$"))
    expect(tab_2.get_by_role("heading", name="There is a problem")).to_have_count(0)
    main = tab_2.get_by_role("main")
    expect(main).to_contain_text(CONTACT)
    expect(main).to_contain_text(RISKS)
    assert_accessible(tab_2)
