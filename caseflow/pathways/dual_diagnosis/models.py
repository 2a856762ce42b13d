"""Dual diagnosis cases, their append-only history, joint care plans, the plans' actions and
the follow-ups of missed appointments (DOMAIN.md, Pathways)."""

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.models import Entity, utcnow
from caseflow.organisations.models import Organisation
from caseflow.pathways.dual_diagnosis.codes import LIVE_STATUSES, REASON_LISTS, PlanField, Status
from caseflow.people.models import Person
from caseflow.personal_data import holds_personal_data
from caseflow.referrals.models import Appointment
from caseflow.security.crypto import Encrypted

_LIVE = "status IN ({})".format(", ".join(f"'{status.value}'" for status in LIVE_STATUSES))


class DualDiagnosisCase(Entity):
    """A co-occurring mental health need, recorded by the person's keyworker or prison
    healthcare, and its referral to a mental health service, which accepts (naming a care
    coordinator, the central contact across services) or declines with a reason.

    The case is linked to the release it follows (the person's latest custody episode when the
    case was opened), which puts that release on the pathway for the continuity measure. One
    live case per person, held by the database as well as the service.
    """

    __tablename__ = "dual_diagnosis_cases"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("custody_episodes.id"), index=True
    )
    referring_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    referred_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    mental_health_service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=Status.REFERRED, index=True)
    care_coordinator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    need_category: Mapped[str] = mapped_column(String(30))
    need_severity: Mapped[str] = mapped_column(String(20))
    _assessed_by: Mapped[str | None] = mapped_column("assessed_by", Text)
    assessed_by = Encrypted()
    assessed_on: Mapped[date] = mapped_column(Date)

    referred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decline_reason_code: Mapped[str | None] = mapped_column(String(40))
    closing_reason: Mapped[str | None] = mapped_column(String(40))
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person] = relationship()
    referring_organisation: Mapped[Organisation] = relationship(
        foreign_keys=[referring_organisation_id]
    )
    mental_health_service: Mapped[Organisation] = relationship(
        foreign_keys=[mental_health_service_id]
    )
    referred_by: Mapped[User] = relationship(foreign_keys=[referred_by_id])
    care_coordinator: Mapped[User | None] = relationship(foreign_keys=[care_coordinator_id])
    events: Mapped[list["DualDiagnosisEvent"]] = relationship(
        back_populates="case", order_by="DualDiagnosisEvent.occurred_at"
    )
    plan: Mapped["JointCarePlan | None"] = relationship(back_populates="case", uselist=False)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # A mental health service's worklists read its cases by status.
        Index("ix_dual_diagnosis_cases_service_status", "mental_health_service_id", "status"),
        Index(
            "uq_dual_diagnosis_cases_live_per_person",
            "person_id",
            unique=True,
            postgresql_where=text(_LIVE),
            sqlite_where=text(_LIVE),
        ),
    )

    @property
    def reference(self) -> str:
        return str(self.id)[:8].upper()


class DualDiagnosisEvent(Entity):
    """One change of a case or its joint care plan, append-only: who, when, what and why.
    A change of the plan or the need names the fields it changed, never what they hold."""

    __tablename__ = "dual_diagnosis_events"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dual_diagnosis_cases.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    _reason: Mapped[str | None] = mapped_column("reason", Text)
    reason = Encrypted()
    changed_fields: Mapped[str | None] = mapped_column(String(400))
    event_date: Mapped[date | None] = mapped_column(Date)

    case: Mapped[DualDiagnosisCase] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()

    @property
    def changed_field_labels(self) -> list[str]:
        return [PlanField.label_of(code) for code in (self.changed_fields or "").split(",") if code]

    @property
    def reason_label(self) -> str:
        reasons = REASON_LISTS.get(self.kind)
        return reasons.label_of(self.reason_code, missing="") if reasons else ""


class JointCarePlan(Entity):
    """The joint care plan both services agree and keep: the person's needs, a crisis plan,
    whether the person has a copy, the agreed review date, and actions with owners and dates.
    Versioned: two services saving at once are reconciled field by field
    (``caseflow.versioned_forms``)."""

    __tablename__ = "dual_diagnosis_care_plans"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dual_diagnosis_cases.id"), unique=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    _needs: Mapped[str | None] = mapped_column("needs", Text)
    needs = Encrypted()
    _crisis_plan: Mapped[str | None] = mapped_column("crisis_plan", Text)
    crisis_plan = Encrypted()
    person_has_copy: Mapped[bool | None] = mapped_column(Boolean)
    review_date: Mapped[date | None] = mapped_column(Date, index=True)
    agreed_on: Mapped[date | None] = mapped_column(Date)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[DualDiagnosisCase] = relationship(back_populates="plan")
    actions: Mapped[list["CarePlanAction"]] = relationship(
        back_populates="plan", order_by="CarePlanAction.due_on"
    )

    __mapper_args__ = {"version_id_col": version}


class CarePlanAction(Entity):
    """One action of a joint care plan: what, who owns it (a named worker or a service), by
    when, and the day it was done. Either service changes it or marks it done, on the version
    its page showed (``caseflow.versioned_forms``), as with the plan itself."""

    __tablename__ = "dual_diagnosis_plan_actions"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dual_diagnosis_care_plans.id"), index=True
    )
    _description: Mapped[str | None] = mapped_column("description", Text)
    description = Encrypted()
    owner: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    added_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    plan: Mapped[JointCarePlan] = relationship(back_populates="actions")
    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version}


class MissedAppointmentFollowUp(Entity):
    """A missed appointment on the person's treatment referral, followed up by one of the two
    services: a missed appointment is followed up, never a reason to discharge. Once followed
    up it leaves both services' worklists."""

    __tablename__ = "dual_diagnosis_follow_ups"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dual_diagnosis_cases.id"), index=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointments.id"), index=True)
    followed_up_on: Mapped[date] = mapped_column(Date)
    _note: Mapped[str | None] = mapped_column("note", Text)
    note = Encrypted()
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))

    appointment: Mapped[Appointment] = relationship()
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        Index(
            "uq_dual_diagnosis_follow_ups_case_appointment",
            "case_id",
            "appointment_id",
            unique=True,
        ),
    )


holds_personal_data(
    "dual_diagnosis_cases",
    DualDiagnosisCase,
    link=DualDiagnosisCase.person_id,
    order_by=(DualDiagnosisCase.created_at,),
)
holds_personal_data(
    "dual_diagnosis_events",
    DualDiagnosisEvent,
    link=DualDiagnosisEvent.case_id,
    parent="dual_diagnosis_cases",
    order_by=(DualDiagnosisEvent.occurred_at,),
)
holds_personal_data(
    "dual_diagnosis_care_plans",
    JointCarePlan,
    link=JointCarePlan.case_id,
    parent="dual_diagnosis_cases",
)
holds_personal_data(
    "dual_diagnosis_plan_actions",
    CarePlanAction,
    link=CarePlanAction.plan_id,
    parent="dual_diagnosis_care_plans",
    order_by=(CarePlanAction.due_on,),
)
holds_personal_data(
    "dual_diagnosis_follow_ups",
    MissedAppointmentFollowUp,
    link=MissedAppointmentFollowUp.case_id,
    parent="dual_diagnosis_cases",
    order_by=(MissedAppointmentFollowUp.followed_up_on,),
)
