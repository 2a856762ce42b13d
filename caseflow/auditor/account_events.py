"""Clinical accounts as the auditor sees them, beside break-glass: who made each, who reset its
password, and when it was first used.

Read from the audit log itself: a set-up link sent (a new account or a reset password, by an
administrator or from the command line) and the first sign-in after a link was used. Only
accounts with a clinical role (caseflow.security.access.CLINICAL_ROLES) are listed, newest
first. Staff appear by email and role, as elsewhere on the auditor's pages; the rows hold ids and
roles only, never an address or a name.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from caseflow.audit.catalogue import Action
from caseflow.audit.models import AuditEvent, Outcome
from caseflow.auditor.words import reference
from caseflow.auth import setup_links
from caseflow.auth.models import User
from caseflow.dates import display_date_time
from caseflow.extensions import db
from caseflow.paging import Page, page_of
from caseflow.security.access import CLINICAL_ROLES, Role

PAGE_SIZE = 20
ACTIONS = (setup_links.SENT, setup_links.FIRST_SIGN_IN)

LABELS = {
    (setup_links.SENT, setup_links.Reason.NEW_ACCOUNT): "Account made: set-up link sent",
    (setup_links.SENT, setup_links.Reason.RESET): "Password reset: set-up link sent",
    (setup_links.FIRST_SIGN_IN, setup_links.Reason.NEW_ACCOUNT): "First sign-in",
    (setup_links.FIRST_SIGN_IN, setup_links.Reason.RESET): "First sign-in after a reset",
    (
        setup_links.SENT,
        setup_links.Reason.NOW_CLINICAL,
    ): "Given a clinical role: password reset, set-up link sent",
    (setup_links.FIRST_SIGN_IN, setup_links.Reason.NOW_CLINICAL): "First sign-in in the new role",
}


def _clinical_role_in_detail():
    # Only the two actions above are searched, a handful of rows.
    return AuditEvent.detail["role"].as_string().in_(CLINICAL_ROLES)


@dataclass
class AccountEvent:
    event: AuditEvent
    account_email: str | None
    by_email: str | None

    @property
    def detail(self) -> dict:
        return self.event.detail or {}

    @property
    def when(self) -> str:
        return display_date_time(self.event.occurred_at)

    @property
    def label(self) -> str:
        return LABELS.get(
            (self.event.action, self.detail.get("reason")), Action.label_of(self.event.action)
        )

    @property
    def account(self) -> str:
        """The account by email, or by short reference once it has none."""
        return self.account_email or f"Account {reference(self.event.entity_id)}"

    @property
    def role(self) -> str:
        role = self.detail.get("role", "")
        return Role.label_of(role, missing="")

    @property
    def by(self) -> str:
        if self.event.action == setup_links.FIRST_SIGN_IN:
            return "The account holder"
        return self.by_email or "The command line"


def account_events(*, page: object = 1, page_size: int = PAGE_SIZE) -> Page:
    """A page of AccountEvents, newest first; the page shows no total."""
    shown = page_of(
        select(AuditEvent)
        .where(
            AuditEvent.action.in_(ACTIONS),
            AuditEvent.outcome == Outcome.SUCCESS,
            _clinical_role_in_detail(),
        )
        .order_by(AuditEvent.id.desc()),
        page,
        size=page_size,
    )
    ids = set()
    for event in shown.rows:
        ids.add(event.user_id)
        ids.add(uuid.UUID(event.entity_id) if event.entity_id else None)
    ids.discard(None)
    emails = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())
    return shown.map(
        lambda event: AccountEvent(
            event=event,
            account_email=emails.get(uuid.UUID(event.entity_id)) if event.entity_id else None,
            by_email=emails.get(event.user_id),
        )
    )
