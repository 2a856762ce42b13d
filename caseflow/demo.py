"""Synthetic West Midlands demo data. Nothing here describes a real person.

Organisations and one user per role go through the same services as the pages. The demo
password is generated once per instance and kept in the instance folder, never in the code.
"""

import random
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app

from caseflow.auth import services as accounts
from caseflow.dates import local_today
from caseflow.models import utcnow
from caseflow.organisations import services as organisations
from caseflow.organisations.models import OrganisationKind as Kind
from caseflow.people import codes, custody
from caseflow.people import services as people
from caseflow.people.identifiers import nhs_check_digit
from caseflow.security import mfa
from caseflow.security.access import Role

WEST_MIDLANDS = {
    "E08000025": "Birmingham",
    "E08000026": "Coventry",
    "E08000027": "Dudley",
    "E08000028": "Sandwell",
    "E08000029": "Solihull",
    "E08000030": "Walsall",
    "E08000031": "Wolverhampton",
}

PARTNERSHIP = "West Midlands Combating Drugs Partnership"

ORGANISATIONS = (
    ("HMP Birmingham", Kind.PRISON, ()),
    ("HMP Featherstone", Kind.PRISON, ()),
    ("HMP Hewell", Kind.PRISON, ()),
    ("Birmingham Central Probation Delivery Unit", Kind.PROBATION, ("E08000025",)),
    ("Birmingham Recovery Service", Kind.TREATMENT_PROVIDER, ("E08000025",)),
    (
        "Black Country Treatment Partnership",
        Kind.TREATMENT_PROVIDER,
        ("E08000027", "E08000028", "E08000030", "E08000031"),
    ),
    ("Coventry and Solihull Recovery Service", Kind.TREATMENT_PROVIDER, ("E08000026", "E08000029")),
    ("West Midlands Dual Diagnosis Service", Kind.MENTAL_HEALTH, tuple(WEST_MIDLANDS)),
    ("Birmingham Street Outreach Team", Kind.OUTREACH, ("E08000025",)),
    (PARTNERSHIP, Kind.PARTNERSHIP, tuple(WEST_MIDLANDS)),
    ("Caseflow Information Governance", Kind.SERVICE, ()),
)

# (email, display name, role, organisation)
USERS = (
    (
        "prison.healthcare@demo.caseflow.test",
        "Priya Healthcare (demo)",
        Role.PRISON_HEALTHCARE,
        "HMP Birmingham",
    ),
    (
        "prison.healthcare2@demo.caseflow.test",
        "Pat Healthcare (demo)",
        Role.PRISON_HEALTHCARE,
        "HMP Featherstone",
    ),
    (
        "prison.healthcare3@demo.caseflow.test",
        "Chris Healthcare (demo)",
        Role.PRISON_HEALTHCARE,
        "HMP Hewell",
    ),
    (
        "probation@demo.caseflow.test",
        "Paul Probation (demo)",
        Role.PROBATION,
        "Birmingham Central Probation Delivery Unit",
    ),
    (
        "keyworker@demo.caseflow.test",
        "Kim Keyworker (demo)",
        Role.KEYWORKER,
        "Birmingham Recovery Service",
    ),
    (
        "keyworker2@demo.caseflow.test",
        "Kit Keyworker (demo)",
        Role.KEYWORKER,
        "Black Country Treatment Partnership",
    ),
    (
        "keyworker3@demo.caseflow.test",
        "Kai Keyworker (demo)",
        Role.KEYWORKER,
        "Coventry and Solihull Recovery Service",
    ),
    (
        "mental.health@demo.caseflow.test",
        "Morgan Practitioner (demo)",
        Role.MENTAL_HEALTH,
        "West Midlands Dual Diagnosis Service",
    ),
    (
        "outreach@demo.caseflow.test",
        "Olu Outreach (demo)",
        Role.OUTREACH,
        "Birmingham Street Outreach Team",
    ),
    ("manager@demo.caseflow.test", "Morgan Manager (demo)", Role.MANAGER, PARTNERSHIP),
    (
        "auditor@demo.caseflow.test",
        "Ari Auditor (demo)",
        Role.AUDITOR,
        "Caseflow Information Governance",
    ),
    ("admin@demo.caseflow.test", "Ash Admin (demo)", Role.ADMIN, "Caseflow Information Governance"),
)


def demo_password() -> str:
    path = Path(current_app.instance_path) / "demo-password.txt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        words = ("amber", "harbour", "lantern", "meadow", "orchard", "river", "signal", "willow")
        chosen = [secrets.choice(words) for _ in range(3)]
        path.write_text("-".join(chosen) + "-" + str(secrets.randbelow(9000) + 1000))
        path.chmod(0o600)
    return path.read_text().strip()


def load(people: int = 300) -> bool:
    """Load the demo organisations, users and people. False when they are already there."""
    if organisations.organisation_by_name(PARTNERSHIP) is not None:
        return False
    by_name = {}
    for name, kind, areas in ORGANISATIONS:
        by_name[name] = organisations.create_organisation(name, kind, list(areas))
    password = demo_password()
    users = [
        accounts.create_user(
            email=email,
            display_name=display_name,
            role=role,
            organisation=by_name[organisation],
        )
        for email, display_name, role, organisation in USERS
    ]
    for user in users:
        # Demo accounts are ready to use, without set-up links: the password is printed, and
        # so is the seed of an authenticator already set up. Never in production (cli.py).
        accounts.set_password(user, password)
        user.totp_secret = mfa.new_secret()
        user.totp_enrolled_at = utcnow()
    load_people(people, users)
    return True


def credentials() -> list[str]:
    """One line per demo account: role, email, password and authenticator seed."""
    password = demo_password()
    lines = []
    for email, _, role, _ in USERS:
        user = accounts.user_by_email(email)
        seed = user.totp_secret if user is not None and user.totp_secret else "(not set up)"
        lines.append(f"{role:<27} {email:<40} {password}  {seed}")
    return lines


# Synthetic names, none shared with the demo staff above.
GIVEN_NAMES = (
    "Aaron",
    "Bethany",
    "Callum",
    "Danielle",
    "Ellis",
    "Fatima",
    "Gareth",
    "Hannah",
    "Imran",
    "Jodie",
    "Kieran",
    "Leanne",
    "Marcus",
    "Nadia",
    "Owen",
    "Paige",
    "Reece",
    "Shannon",
    "Tariq",
    "Vicky",
    "Wesley",
    "Yasmin",
    "Zach",
    "Connor",
    "Demi",
    "Jamal",
    "Kayleigh",
    "Liam",
    "Megan",
)
FAMILY_NAMES = (
    "Ashworth",
    "Bradshaw",
    "Cartwright",
    "Dempsey",
    "Ellwood",
    "Fairbairn",
    "Greaves",
    "Hollins",
    "Ibbotson",
    "Jagger",
    "Kershaw",
    "Lightfoot",
    "Mallinson",
    "Newbould",
    "Oldroyd",
    "Pickersgill",
    "Quarmby",
    "Rushworth",
    "Sugden",
    "Thwaite",
    "Underwood",
    "Varley",
    "Whitehead",
    "Yeadon",
    "Akhtar",
    "Begum",
    "Chaudhry",
    "Okafor",
    "Mensah",
    "Kowalski",
    "Nowak",
    "Doherty",
    "Byrne",
)


def demo_nhs_number(rng: random.Random) -> str:
    """A number in the 999 test range that passes the modulus 11 check."""
    while True:
        first_nine = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)


def demo_prison_number(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    first, second, third = (rng.choice(letters) for _ in range(3))
    return f"{first}{rng.randrange(1000, 10000)}{second}{third}"


def load_people(count: int, users) -> None:
    """People with custody episodes before and after release, through the same services."""
    # A fixed seed, so every run builds the same synthetic people; nothing secret comes from it.
    rng = random.Random(20261122)  # noqa: S311  # nosec B311  # repeatable demo data
    prison_staff = [u for u in users if u.role == Role.PRISON_HEALTHCARE]
    probation = next(u for u in users if u.role == Role.PROBATION)
    keyworkers = {u.organisation_id: u for u in users if u.role == Role.KEYWORKER}
    today = local_today()
    used_nhs, used_prison = set(), set()
    for number in range(count):
        actor = probation if number % 10 == 9 else prison_staff[number % len(prison_staff)]
        nhs = demo_nhs_number(rng)
        prison_number = demo_prison_number(rng)
        if nhs in used_nhs or prison_number in used_prison:
            continue
        used_nhs.add(nhs)
        used_prison.add(prison_number)
        in_custody = actor.role == Role.PRISON_HEALTHCARE
        person = people.create_person(
            actor,
            given_name=rng.choice(GIVEN_NAMES),
            family_name=rng.choice(FAMILY_NAMES),
            date_of_birth=today - timedelta(days=rng.randrange(19 * 365, 60 * 365)),
            nhs_number=nhs if rng.random() < 0.85 else None,
            prison_number=prison_number if in_custody else None,
            crn=f"{rng.choice('BCDX')}{rng.randrange(100000, 1000000)}",
            sex=rng.choice(["male"] * 8 + ["female"] * 2),
            ethnic_group=rng.choice(list(codes.EthnicGroup)),
            flags=[flag for flag in codes.PersonFlag if rng.random() < 0.1],
        )
        if in_custody:
            episode = _load_episode(rng, actor, person, today)
            _load_referral(rng, actor, person, episode, keyworkers, today)


def _load_episode(rng: random.Random, actor, person, today):
    released = rng.random() < 0.5
    if released:
        expected = today - timedelta(days=rng.randrange(0, 120))
    else:
        expected = today + timedelta(days=rng.randrange(1, 140))
    reception = min(today, expected) - timedelta(days=rng.randrange(30, 700))
    substance = rng.choice(list(codes.SubstanceGroup))
    opioid = rng.choice(["none", "none", "methadone", "buprenorphine", "lai_buprenorphine"])
    if substance != codes.SubstanceGroup.OPIATE:
        # Opioid substitution treats opiate dependence: nobody whose substance group is
        # alcohol or non-opiates only is on methadone or buprenorphine.
        opioid = codes.OpioidSubstitution.NONE
    episode = custody.add_custody_episode(
        actor,
        person.id,
        reception_date=reception,
        expected_release_date=expected,
        destination_local_authority_code=rng.choice(list(WEST_MIDLANDS)),
        accommodation_on_release=rng.choice(list(codes.Accommodation)),
        treatment_need=rng.choice(["in_treatment", "in_treatment", "assessed_need", "no_need"]),
        substance_group=substance,
        opioid_substitution=opioid,
        last_dose_date=None if opioid == "none" else min(today, expected),
        naloxone_issued=rng.random() < 0.7,
        bridging_prescription=rng.random() < 0.3,
    )
    if released:
        episode = custody.record_release(
            actor,
            person.id,
            episode.id,
            version=episode.version,
            actual_release_date=expected,
            release_type=rng.choice(
                ["licence", "licence", "sentence_end", "home_detention_curfew"]
            ),
            unplanned_release=False,
            reason="Released as planned (demo data)",
        )
    return episode


def _load_referral(rng: random.Random, actor, person, episode, keyworkers, today) -> None:
    """Some people are referred; of those some are accepted; of those some start treatment."""
    from caseflow.referrals import services as referrals

    if episode.treatment_need == "no_need" or rng.random() > 0.65:
        return
    provider = organisations.providers_serving(episode.destination_local_authority_code)[0]
    referral = referrals.create_referral(
        actor,
        person.id,
        provider_id=provider.id,
        consent="given",
        substance_group=episode.substance_group,
        opioid_medicine=episode.opioid_substitution,
        opioid_dose="60ml daily" if episode.opioid_substitution == "methadone" else None,
        last_dose_date=episode.last_dose_date,
        bridging_prescription=episode.bridging_prescription,
        long_acting_injectable=episode.opioid_substitution == "lai_buprenorphine",
        naloxone_on_release=episode.naloxone_issued,
        risks="Demo: overdose risk after release",
        contact_after_release="Demo: via probation",
    )
    if rng.random() < 0.15:
        return  # left as a draft
    referrals.change_status(actor, referral.id, "send")
    keyworker = keyworkers[provider.id]
    if rng.random() < 0.3:
        return  # waiting to be accepted
    referrals.change_status(keyworker, referral.id, "accept")
    release = episode.actual_release_date
    if release is None:
        return
    start = release + timedelta(days=rng.randrange(0, 35))
    if start <= today and rng.random() < 0.7:
        referrals.change_status(keyworker, referral.id, "engage", treatment_start_date=start)
