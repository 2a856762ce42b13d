"""Audit events. They name records by id and fields by name; they never hold personal values."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, Integer, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.codes import CodeList
from caseflow.models import Base, utcnow

# BIGINT on PostgreSQL for tens of millions of rows; INTEGER on SQLite, which only
# autoincrements that type.
AuditId = BigInteger().with_variant(Integer(), "sqlite")


class Outcome(CodeList, key="audit_outcome"):
    SUCCESS = "success", "Succeeded"
    DENIED = "denied", "Refused"
    FAILED = "failed", "Failed"


class AuditEvent(Base):
    """One access to personal data, one sign-in attempt, or one denial.

    No foreign keys: the log outlives the accounts and records it mentions, and is never
    cascaded into.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(AuditId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    request_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    role: Mapped[str | None] = mapped_column(String(40))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity_type: Mapped[str | None] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    purpose: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    # Field names, counts and codes; for the events the continuity measure counts, their facts
    # (caseflow.audit.facts). JSONB on PostgreSQL, so reports can read them in SQL.
    detail: Mapped[dict | None] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    # HMAC-SHA256(chain key, previous row's chain_hash + this row in canonical form).
    chain_hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Base):
    """The chain's last row, one row kept by the database (migration 0025): each row inserted
    into audit_events moves it on, by trigger. Sealing a row reads the previous hash here, by
    primary key, rather than searching the log's partitions for its newest row; and on
    PostgreSQL the row lock taken to read it is what orders writers (caseflow.audit.chain).
    ``flask audit verify`` never reads it: the log alone is the evidence.
    """

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    last_id: Mapped[int | None] = mapped_column(AuditId)
    last_hash: Mapped[str | None] = mapped_column(String(64))
