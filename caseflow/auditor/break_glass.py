"""Break-glass access as the auditor sees it: each grant, its verdicts, and recording a verdict.

Grants awaiting a verdict come first. Verdicts are append-only rows (the database refuses to
change or remove one on PostgreSQL and SQLite); a second verdict on the same grant is added beside
the first, never over it. The person is shown by a short reference only; times are UK times.
"""

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from caseflow.audit.services import record, record_denial, record_independent
from caseflow.auditor.models import BreakGlassReview, ReviewVerdict
from caseflow.auditor.words import person_reference
from caseflow.auth.models import User
from caseflow.dates import display_date_time
from caseflow.domain import InvalidChange, NotFound
from caseflow.extensions import db
from caseflow.paging import Page, page_of
from caseflow.people.models import BreakGlassGrant

PURPOSE = "audit"
PAGE_SIZE = 20


@dataclass
class Verdict:
    verdict: str
    reviewer_email: str
    reviewed_at: datetime
    note: str | None = None

    @property
    def label(self) -> str:
        return ReviewVerdict.label_of(self.verdict)

    @property
    def when(self) -> str:
        return display_date_time(self.reviewed_at)


@dataclass
class GrantSummary:
    grant: BreakGlassGrant
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def awaiting_review(self) -> bool:
        return not self.verdicts

    @property
    def granted(self) -> str:
        return display_date_time(self.grant.created_at)

    @property
    def expires(self) -> str:
        return display_date_time(self.grant.expires_at)

    @property
    def person(self) -> str:
        """The person by reference only: auditors never see who it was."""
        return person_reference(self.grant.person_id)


@dataclass
class GrantList:
    """A page of grants (GrantSummary rows, with the total of every grant) and how many of all
    the grants await a verdict."""

    shown: Page
    waiting: int


def _reviewed():
    return exists().where(BreakGlassReview.grant_id == BreakGlassGrant.id)


def _verdicts_for(grant_ids, *, with_notes: bool) -> dict[uuid.UUID, list[Verdict]]:
    found: dict[uuid.UUID, list[Verdict]] = {grant_id: [] for grant_id in grant_ids}
    if not grant_ids:
        return found
    rows = db.session.execute(
        select(BreakGlassReview, User.email)
        .join(User, User.id == BreakGlassReview.reviewer_id)
        .where(BreakGlassReview.grant_id.in_(grant_ids))
        .order_by(BreakGlassReview.created_at)
    ).all()
    for review, email in rows:
        found[review.grant_id].append(
            Verdict(
                verdict=review.verdict,
                reviewer_email=email,
                reviewed_at=review.created_at,
                note=review.note if with_notes else None,
            )
        )
    return found


def grants(*, page: object = 1, page_size: int = PAGE_SIZE) -> GrantList:
    """Grants awaiting a verdict first, then the rest; newest first within each. Every grant
    and those awaiting a verdict are counted in one statement; each grant's user and
    organisation come with its page."""
    total, waiting = db.session.execute(
        select(func.count(), func.count().filter(~_reviewed())).select_from(BreakGlassGrant)
    ).one()
    shown = page_of(
        select(BreakGlassGrant)
        .options(joinedload(BreakGlassGrant.user), joinedload(BreakGlassGrant.organisation))
        .order_by(_reviewed(), BreakGlassGrant.created_at.desc(), BreakGlassGrant.id),
        page,
        size=page_size,
    )
    shown = replace(shown, total=total)
    verdicts = _verdicts_for([grant.id for grant in shown.rows], with_notes=False)
    return GrantList(
        shown=shown.map(lambda grant: GrantSummary(grant=grant, verdicts=verdicts[grant.id])),
        waiting=waiting,
    )


def list_grants(actor, *, page: object = 1, also_shown: dict[str, int] | None = None) -> GrantList:
    """The page of every break-glass grant: one audit row for the page shown.

    also_shown counts what else the page lists beside the grants (the clinical account events),
    so the page is still one row.
    """
    result = grants(page=page)
    record(
        "list",
        actor=actor,
        entity_type="break_glass_grant",
        purpose=PURPOSE,
        detail={"rows": len(result.shown.rows), "page": result.shown.page, **(also_shown or {})},
    )
    return result


def _grant(actor, grant_id: uuid.UUID) -> BreakGlassGrant:
    grant = db.session.get(BreakGlassGrant, grant_id)
    if grant is None:
        record_denial(
            actor=actor, entity_type="break_glass_grant", entity_id=grant_id, reason="not found"
        )
        raise NotFound("No such break-glass grant")
    return grant


def view_grant(actor, grant_id: uuid.UUID, *, independent: bool = False) -> GrantSummary:
    """One grant with its reason and every verdict, for the review page: one audited view."""
    grant = _grant(actor, grant_id)
    write = record_independent if independent else record
    write(
        "view",
        actor=actor,
        entity_type="break_glass_grant",
        entity_id=grant.id,
        person_id=grant.person_id,
        purpose=PURPOSE,
        outcome="success",
        detail={"rows": 1},
    )
    return GrantSummary(grant=grant, verdicts=_verdicts_for([grant.id], with_notes=True)[grant.id])


def review_grant(
    actor, grant_id: uuid.UUID, *, verdict: str, note: str | None = None
) -> BreakGlassReview:
    """Add a verdict. Earlier verdicts stay as they were."""
    grant = _grant(actor, grant_id)
    if not ReviewVerdict.has(verdict):
        raise InvalidChange("Select whether the access was appropriate", "verdict")
    review = BreakGlassReview(
        grant_id=grant.id, reviewer_id=actor.id, verdict=verdict, note=note or None
    )
    db.session.add(review)
    db.session.flush()
    record(
        "create",
        actor=actor,
        entity_type="break_glass_review",
        entity_id=review.id,
        person_id=grant.person_id,
        purpose=PURPOSE,
        detail={"grant": str(grant.id), "fields": ["verdict", "note"] if note else ["verdict"]},
    )
    return review
