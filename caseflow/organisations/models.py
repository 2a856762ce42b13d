"""Organisations people work for, and the upper-tier local authorities services are organised by."""

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models import Base, Entity


class OrganisationKind:
    PRISON = "prison"
    PROBATION = "probation_delivery_unit"
    TREATMENT_PROVIDER = "community_treatment_provider"
    MENTAL_HEALTH = "mental_health_service"
    OUTREACH = "outreach_team"
    HOUSING_AUTHORITY = "local_housing_authority"
    COURT = "court"
    PARTNERSHIP = "partnership"
    SERVICE = "service"


ORGANISATION_KIND_NAMES = {
    OrganisationKind.PRISON: "Prison",
    OrganisationKind.PROBATION: "Probation delivery unit",
    OrganisationKind.TREATMENT_PROVIDER: "Community treatment provider",
    OrganisationKind.MENTAL_HEALTH: "Mental health service",
    OrganisationKind.OUTREACH: "Housing and outreach team",
    OrganisationKind.HOUSING_AUTHORITY: "Local housing authority",
    OrganisationKind.COURT: "Court",
    OrganisationKind.PARTNERSHIP: "Combating Drugs Partnership",
    OrganisationKind.SERVICE: "Caseflow service",
}


class LocalAuthority(Base):
    """An English upper-tier local authority: the unit of commissioning and of reporting."""

    __tablename__ = "local_authorities"

    ons_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    region: Mapped[str] = mapped_column(String(40))


organisation_areas = Table(
    "organisation_areas",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
    Column("local_authority_code", ForeignKey("local_authorities.ons_code"), primary_key=True),
)


class Organisation(Entity):
    """A prison, probation unit, provider, partnership or the service itself.

    Community services and partnerships cover one or more local authorities; for a partnership
    that coverage is what its managers see.
    """

    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    areas: Mapped[list[LocalAuthority]] = relationship(
        secondary=organisation_areas, order_by=LocalAuthority.name
    )

    @property
    def kind_name(self) -> str:
        return ORGANISATION_KIND_NAMES.get(self.kind, self.kind)

    @property
    def area_codes(self) -> set[str]:
        return {area.ons_code for area in self.areas}
