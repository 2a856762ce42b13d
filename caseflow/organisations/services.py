"""Reference data and organisation records: listing them, and the administrators' changes."""

import csv
import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from caseflow.audit.services import record
from caseflow.domain import InvalidChange, NotFound
from caseflow.extensions import db
from caseflow.organisations.models import (
    LocalAuthority,
    Organisation,
    OrganisationKind,
    organisation_areas,
)

LOCAL_AUTHORITIES_CSV = Path(__file__).parent / "data" / "local_authorities.csv"

NAME_MAX_LENGTH = 160  # the column's size

# Community services and partnerships cover local authorities; the rest do not.
AREA_KINDS = frozenset(
    {
        OrganisationKind.PROBATION,
        OrganisationKind.TREATMENT_PROVIDER,
        OrganisationKind.MENTAL_HEALTH,
        OrganisationKind.OUTREACH,
        OrganisationKind.HOUSING_AUTHORITY,
        OrganisationKind.PARTNERSHIP,
    }
)

# The English regions in the order the ONS lists them, north to south.
REGION_ORDER = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)

# What the audit row names for each changed attribute (field names only, never values).
AUDIT_ENTITY = "organisation"
AUDIT_PURPOSE = "administration"


def read_local_authorities() -> list[dict[str, str]]:
    with LOCAL_AUTHORITIES_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def list_organisations() -> list[Organisation]:
    return list(
        db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    )


def organisations_by_name() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def organisation_by_name(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def local_authority_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LocalAuthority)) or 0


def local_authorities() -> list[LocalAuthority]:
    return list(db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name)))


def prisons() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.PRISON)
            .order_by(Organisation.name)
        )
    )


def providers_serving(local_authority_code: str | None) -> list[Organisation]:
    """Community treatment providers that serve a local authority."""
    if not local_authority_code:
        return []
    return list(
        db.session.scalars(
            select(Organisation)
            .join(organisation_areas, organisation_areas.c.organisation_id == Organisation.id)
            .where(
                Organisation.kind == OrganisationKind.TREATMENT_PROVIDER,
                organisation_areas.c.local_authority_code == local_authority_code,
            )
            .order_by(Organisation.name)
        )
    )


def all_providers() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.TREATMENT_PROVIDER)
            .order_by(Organisation.name)
        )
    )


def local_authorities_by_region() -> list[tuple[str, list[LocalAuthority]]]:
    """Every local authority, grouped by region (regions north to south, names A to Z)."""
    groups: dict[str, list[LocalAuthority]] = {}
    for authority in local_authorities():
        groups.setdefault(authority.region, []).append(authority)
    rank = {region: index for index, region in enumerate(REGION_ORDER)}
    return sorted(groups.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def create_organisation(name: str, kind: str, areas: list[str] = ()) -> Organisation:
    """For demo data and tests: no checks and no audit. The pages use add_organisation."""
    organisation = Organisation(name=name, kind=kind)
    if areas:
        organisation.areas = list(
            db.session.scalars(select(LocalAuthority).where(LocalAuthority.ons_code.in_(areas)))
        )
    db.session.add(organisation)
    return organisation


def kind_covers_areas(kind: str) -> bool:
    return kind in AREA_KINDS


def get_organisation(organisation_id: uuid.UUID) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation")
    return organisation


def _clean_name(name: str | None, organisation: Organisation | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidChange("Enter the name of the organisation", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidChange(f"Name must be {NAME_MAX_LENGTH} characters or fewer", field="name")
    same_name = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if organisation is not None:
        same_name = same_name.where(Organisation.id != organisation.id)
    if db.session.scalar(same_name.limit(1)) is not None:
        raise InvalidChange("An organisation with that name already exists", field="name")
    return name


def _chosen_areas(kind: str, codes) -> list[LocalAuthority]:
    codes = sorted(set(codes or ()))
    if not kind_covers_areas(kind):
        if codes:
            raise InvalidChange(
                "Only community services and partnerships cover local authorities: "
                "unselect them, or choose another kind of organisation",
                field="areas",
            )
        return []
    if not codes:
        raise InvalidChange("Select the local authorities the organisation covers", field="areas")
    found = list(
        db.session.scalars(select(LocalAuthority).where(LocalAuthority.ons_code.in_(codes)))
    )
    if len(found) != len(codes):
        raise InvalidChange("Select local authorities from the list", field="areas")
    return found


def _save(change) -> None:
    """Make a change and flush it in a savepoint, so a name taken at the same moment by another
    request is a message, not a 500. The change is made inside the savepoint: beginning one
    flushes what is already pending, outside its protection."""
    try:
        with db.session.begin_nested():
            change()
            db.session.flush()
    except IntegrityError as error:
        raise InvalidChange(
            "An organisation with that name already exists", field="name"
        ) from error


def add_organisation(actor, *, name: str, kind: str, areas=()) -> Organisation:
    """A new organisation, audited in the same transaction."""
    if not OrganisationKind.has(kind):
        raise InvalidChange("Select the kind of organisation", field="kind")
    name = _clean_name(name)
    covered = _chosen_areas(kind, areas)
    organisation = Organisation(name=name, kind=kind)
    organisation.areas = covered
    _save(lambda: db.session.add(organisation))
    fields = ["kind", "name"] + (["areas"] if covered else [])
    record(
        "create",
        actor=actor,
        entity_type=AUDIT_ENTITY,
        entity_id=organisation.id,
        purpose=AUDIT_PURPOSE,
        detail={"fields": sorted(fields)},
    )
    return organisation


def update_organisation(actor, organisation_id: uuid.UUID, *, name: str, areas=None) -> list[str]:
    """Change the name and (for community services and partnerships) the areas covered.

    Returns the names of the fields that changed; nothing changed means nothing is audited.
    """
    organisation = get_organisation(organisation_id)
    name = _clean_name(name, organisation)
    changed = []
    if name != organisation.name:
        changed.append("name")
    if areas is not None and (areas or kind_covers_areas(organisation.kind)):
        covered = _chosen_areas(organisation.kind, areas)
        if {area.ons_code for area in covered} != organisation.area_codes:
            changed.append("areas")
    if not changed:
        return []

    def change() -> None:
        if "name" in changed:
            organisation.name = name
        if "areas" in changed:
            organisation.areas = covered

    _save(change)
    record(
        "update",
        actor=actor,
        entity_type=AUDIT_ENTITY,
        entity_id=organisation.id,
        purpose=AUDIT_PURPOSE,
        detail={"fields": sorted(changed)},
    )
    return changed
