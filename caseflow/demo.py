"""Synthetic West Midlands demo data. Nothing here describes a real person.

Organisations and one user per role go through the same services as the pages. The demo
password is generated once per instance and kept in the instance folder, never in the code.
"""

import secrets
from pathlib import Path

from flask import current_app

from caseflow.auth import services as accounts
from caseflow.organisations import services as organisations
from caseflow.organisations.models import OrganisationKind as Kind
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
    for email, display_name, role, organisation in USERS:
        accounts.create_user(
            email=email,
            display_name=display_name,
            password=password,
            role=role,
            organisation=by_name[organisation],
        )
    return True


def credentials() -> list[str]:
    password = demo_password()
    return [f"{role:<28} {email:<42} {password}" for email, _, role, _ in USERS]
