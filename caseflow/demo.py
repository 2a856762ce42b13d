"""Synthetic West Midlands demo data. Nothing here describes a real person.

Organisations and one user per role go through the same services as the pages. The demo
password is generated once per instance and kept in the instance folder, never in the code.
"""

import importlib
import random
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app

from caseflow.auth import services as accounts
from caseflow.dates import clock_at, local_today
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.organisations import services as organisations
from caseflow.organisations.models import OrganisationKind as Kind
from caseflow.pathways import PATHWAYS
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
    # Partner organisations of the pathways.
    ("Birmingham Magistrates' Court", Kind.COURT, ()),  # CSTR orders (pathways/cstr)
    # Local housing authorities, for the Duty to Refer (pathways/rough_sleeping).
    ("Birmingham City Council Housing Options", Kind.HOUSING_AUTHORITY, ("E08000025",)),
    ("Sandwell Council Housing Solutions", Kind.HOUSING_AUTHORITY, ("E08000028",)),
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
    from caseflow import demo_stories  # it reads this module's names

    # The organisations and accounts were set up when Caseflow started, before every story.
    started = local_today() - timedelta(days=demo_stories.STARTED_DAYS_AGO)
    with clock_at(demo_stories.at(started, 9)):
        users = _load_organisations_and_users()
        db.session.flush()
    demo_stories.load_people(people, users)
    for pathway in PATHWAYS:
        # Each pathway tells its own stories, on the people and accounts loaded above.
        importlib.import_module(f"caseflow.pathways.{pathway}.demo").load(users)
    return True


def _load_organisations_and_users():
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
    return users


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
