"""Reference data and organisation records."""

import csv
from pathlib import Path

from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, Organisation

LOCAL_AUTHORITIES_CSV = Path(__file__).parent / "data" / "local_authorities.csv"


def read_local_authorities() -> list[dict[str, str]]:
    with LOCAL_AUTHORITIES_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def list_organisations() -> list[Organisation]:
    return list(
        db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    )


def organisation_by_name(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def local_authority_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LocalAuthority)) or 0


def create_organisation(name: str, kind: str, areas: list[str] = ()) -> Organisation:
    organisation = Organisation(name=name, kind=kind)
    if areas:
        organisation.areas = list(
            db.session.scalars(select(LocalAuthority).where(LocalAuthority.ons_code.in_(areas)))
        )
    db.session.add(organisation)
    return organisation
