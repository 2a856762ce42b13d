"""A Community Sentence Treatment Requirement: one record from the suitability assessment
probation asks for before sentence, through the order the court makes, to its outcome; with its
append-only history, drug tests, attendance and court reviews under it.

The record is made before sentence (the court report needs the assessment), so the order's
fields are empty until the court makes it. Requirements are three flags, not a list, so the
partnership counts group by each in SQL without parsing anything.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.models import Entity, utcnow
from caseflow.organisations.models import LocalAuthority, Organisation
from caseflow.pathways.cstr.codes import Requirement, Status
from caseflow.people.models import Person
from caseflow.personal_data import holds_personal_data
from caseflow.security.crypto import Encrypted


class CstrOrder(Entity):
    __tablename__ = "cstr_orders"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    # The probation delivery unit that asked for the assessment and supervises the order.
    probation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # The treatment provider (DRR, ATR) and the mental health service (MHTR) asked to assess,
    # then named on the order. Either may be absent, never both.
    provider_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    mental_health_service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    # Where the person lives: the partnership counts are by local authority.
    local_authority_code: Mapped[str] = mapped_column(
        ForeignKey("local_authorities.ons_code"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=Status.REQUESTED, index=True)
    drr: Mapped[bool] = mapped_column(Boolean, default=False)
    atr: Mapped[bool] = mapped_column(Boolean, default=False)
    mhtr: Mapped[bool] = mapped_column(Boolean, default=False)
    court_report_due: Mapped[date] = mapped_column(Date, index=True)
    assessed_on: Mapped[date | None] = mapped_column(Date)
    # The order, once the court has made it.
    court_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    sentence_date: Mapped[date | None] = mapped_column(Date, index=True)
    order_type: Mapped[str | None] = mapped_column(String(30))
    consent: Mapped[bool | None] = mapped_column(Boolean)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    treatment_start_date: Mapped[date | None] = mapped_column(Date)
    # The day it ended (completed, revoked, breached; or the court made no order).
    ended_on: Mapped[date | None] = mapped_column(Date)
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person] = relationship()
    probation: Mapped[Organisation] = relationship(foreign_keys=[probation_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    provider: Mapped[Organisation | None] = relationship(foreign_keys=[provider_id])
    mental_health_service: Mapped[Organisation | None] = relationship(
        foreign_keys=[mental_health_service_id]
    )
    court: Mapped[Organisation | None] = relationship(foreign_keys=[court_id])
    local_authority: Mapped[LocalAuthority] = relationship()
    events: Mapped[list["CstrEvent"]] = relationship(
        back_populates="order", order_by="CstrEvent.occurred_at"
    )
    drug_tests: Mapped[list["CstrDrugTest"]] = relationship(order_by="CstrDrugTest.tested_on")
    attendances: Mapped[list["CstrAttendance"]] = relationship(
        order_by="CstrAttendance.appointment_date"
    )
    reviews: Mapped[list["CstrReview"]] = relationship(order_by="CstrReview.review_date")

    __mapper_args__ = {"version_id_col": version}

    @property
    def reference(self) -> str:
        return str(self.id)[:8].upper()

    @property
    def requirements(self) -> list[Requirement]:
        return [code for code in Requirement if getattr(self, code.value)]


class CstrEvent(Entity):
    """One change of a CSTR, append-only: who, when, from what to what, and why."""

    __tablename__ = "cstr_events"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cstr_orders.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    event_date: Mapped[date | None] = mapped_column(Date)
    _reason: Mapped[str | None] = mapped_column("reason", Text)
    reason = Encrypted()

    order: Mapped[CstrOrder] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class CstrDrugTest(Entity):
    __tablename__ = "cstr_drug_tests"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cstr_orders.id"), index=True)
    tested_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(30))
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class CstrAttendance(Entity):
    __tablename__ = "cstr_attendances"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cstr_orders.id"), index=True)
    appointment_date: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(30))
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class CstrReview(Entity):
    """A DRR court review, and the probation review report due before it."""

    __tablename__ = "cstr_reviews"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cstr_orders.id"), index=True)
    review_date: Mapped[date] = mapped_column(Date)
    report_due: Mapped[date] = mapped_column(Date, index=True)
    report_sent_on: Mapped[date | None] = mapped_column(Date)
    scheduled_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


holds_personal_data("cstr_orders", CstrOrder, link=CstrOrder.person_id)
for _section, _model, _order_by in (
    ("cstr_events", CstrEvent, CstrEvent.occurred_at),
    ("cstr_drug_tests", CstrDrugTest, CstrDrugTest.tested_on),
    ("cstr_attendances", CstrAttendance, CstrAttendance.appointment_date),
    ("cstr_reviews", CstrReview, CstrReview.review_date),
):
    holds_personal_data(
        _section, _model, link=_model.order_id, parent="cstr_orders", order_by=(_order_by,)
    )
