"""What the outreach team assigned to a person's case sees (DOMAIN.md, Pathways; SECURITY.md):
through its relationship it sees who the person is, their accommodation and the treatment
clock, never case notes about treatment, custody treatment details (need, substance, opioid
substitution and its dose), referral detail, nor another pathway's care plans. A keyworker of the
provider holding the person's referral sees them all."""

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.people import services as people
from caseflow.people.models import CustodyChange, Person
from caseflow.security.scope import visible_people
from tests.helpers import page, signed_in_client
from tests.pathways.rough_sleeping.world import World

NOTE = "Methadone 60ml, relapsed on heroin last week"


def _world_with_note():
    world = World()
    world.episode.opioid_substitution = "methadone"
    world.episode.substance_group = "opiate"
    db.session.add(
        CustodyChange(
            episode_id=world.episode.id,
            kind="treatment_need_corrected",
            old_value="assessed_need",
            new_value="in_treatment",
            changed_by_id=world.keyworker.id,
            reason="Started on methadone in custody",
        )
    )
    people.add_case_note(world.keyworker, world.person.id, text=NOTE)
    case = world.assigned_case()
    return world, case


def _sees(user, person) -> bool:
    return (
        db.session.scalar(select(Person.id).where(Person.id == person.id, visible_people(user)))
        is not None
    )


def test_the_assigned_team_is_related_to_the_person_and_no_other_team_is():
    world = World()
    assert not _sees(world.outreach, world.person)
    world.assigned_case()
    assert _sees(world.outreach, world.person)


def test_the_outreach_worker_sees_housing_and_the_clock_not_treatment(app):
    world, _case = _world_with_note()
    client = signed_in_client(app, world.outreach)

    text = page(client, f"/people/{world.person.id}").get_text(" ", strip=True)

    assert world.person.full_name in text
    assert "Rough sleeping" in text and "Housing status" in text
    assert "Treatment clock" in text
    for treatment in (
        NOTE,
        "Methadone",
        "Substance group",
        "Opioid substitution",
        "Treatment need",
        "Started on methadone",
        "Bridging prescription",
    ):
        assert treatment not in text, treatment
    # Nor the referral: no list of referrals, no link to one.
    assert "/referrals/" not in str(page(client, f"/people/{world.person.id}"))


def test_the_outreach_worker_reads_the_notes_their_own_team_wrote(app):
    world, _case = _world_with_note()
    people.add_case_note(world.outreach, world.person.id, text="Met at the day centre")
    client = signed_in_client(app, world.outreach)
    text = page(client, f"/people/{world.person.id}").get_text(" ", strip=True)
    assert "Met at the day centre" in text
    assert NOTE not in text


def test_the_keyworker_sees_the_treatment_details_and_the_notes(app):
    world, _case = _world_with_note()
    client = signed_in_client(app, world.keyworker)
    text = page(client, f"/people/{world.person.id}").get_text(" ", strip=True)
    for shown in (
        NOTE,
        "Methadone",
        "Opioid substitution",
        "Started on methadone",
        "Housing status",
    ):
        assert shown in text, shown


def test_the_outreach_worker_cannot_open_the_referral(app):
    world, _case = _world_with_note()
    client = signed_in_client(app, world.outreach)
    assert client.get(f"/referrals/{world.referral.id}").status_code == 403
