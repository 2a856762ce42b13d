"""What auditors record: their verdict on each break-glass access."""

import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.codes import CodeList
from caseflow.models import Entity
from caseflow.security.crypto import Encrypted


class ReviewVerdict(CodeList, key="review_verdict"):
    """An auditor's verdict on one break-glass access."""

    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Not appropriate"
    FOLLOW_UP = "follow_up", "Needs follow-up"


class BreakGlassReview(Entity):
    """An auditor's verdict on one break-glass access. Append-only, like the log itself."""

    __tablename__ = "break_glass_reviews"

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("break_glass_grants.id"), index=True)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String(20))
    _note: Mapped[str | None] = mapped_column("note", Text)
    note = Encrypted()
