"""An outreach worker's view of the person page's referrals (SECURITY.md: outreach workers see
no referral detail): the page says referrals are not shown to them, never "No referrals." for a
person who has one; the keyworker of the provider holding it sees it listed."""

from caseflow.extensions import db
from tests.helpers import page, signed_in_client
from tests.pathways.rough_sleeping.world import World


def referrals_section(client, person) -> str:
    soup = page(client, f"/people/{person.id}")
    heading = soup.find("h2", string="Referrals")
    words = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        words.append(sibling.get_text(" ", strip=True))
    return " ".join(words)


def test_the_outreach_team_is_told_referrals_are_not_shown_to_it(app):
    world = World()  # the person has a referral, accepted by the keyworker's provider
    world.assigned_case()
    db.session.commit()
    shown = referrals_section(signed_in_client(app, world.outreach), world.person)
    assert "Referrals for treatment are not shown to outreach workers." in shown
    assert "No referrals" not in shown
    assert world.referral.reference not in shown


def test_the_keyworker_sees_the_referral_listed(app):
    world = World()
    db.session.commit()
    shown = referrals_section(signed_in_client(app, world.keyworker), world.person)
    assert world.referral.reference in shown
    assert "not shown" not in shown
