"""Organisations people work for, and the upper-tier local authorities services are organised by."""

from typing import Self

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.codes import CodeList
from caseflow.models import Base, Entity


class OrganisationKind(CodeList, key="organisation_kind"):
    """A kind of organisation, with how a sentence names one ("must belong to a prison")."""

    in_a_sentence: str

    def __new__(cls, value: str, label: str, in_a_sentence: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.in_a_sentence = in_a_sentence
        return member

    PRISON = "prison", "Prison", "a prison"
    PROBATION = "probation_delivery_unit", "Probation delivery unit", "a probation delivery unit"
    TREATMENT_PROVIDER = (
        "community_treatment_provider",
        "Community treatment provider",
        "a community treatment provider",
    )
    MENTAL_HEALTH = "mental_health_service", "Mental health service", "a mental health service"
    OUTREACH = "outreach_team", "Housing and outreach team", "a housing and outreach team"
    HOUSING_AUTHORITY = (
        "local_housing_authority",
        "Local housing authority",
        "a local housing authority",
    )
    COURT = "court", "Court", "a court"
    PARTNERSHIP = "partnership", "Combating Drugs Partnership", "a Combating Drugs Partnership"
    SERVICE = "service", "Caseflow service", "the Caseflow service"


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
        return OrganisationKind.label_of(self.kind)

    @property
    def area_codes(self) -> set[str]:
        return {area.ons_code for area in self.areas}
