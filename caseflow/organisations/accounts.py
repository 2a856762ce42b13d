"""The administrators' changes to staff accounts, each audited in the same transaction.

The account rules themselves (passwords, ending sessions, forgetting a second factor) live in
caseflow.auth.services, and set-up links in caseflow.auth.setup_links; this module adds who may
do what to whom, and the audit row. An administrator never chooses or sees a password: a new
account, and a reset password, email the person a one-time link to choose their own.
"""

import re
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseflow.audit.services import record
from caseflow.auth import services as auth
from caseflow.auth import setup_links
from caseflow.auth.models import User
from caseflow.domain import InvalidChange, NotFound
from caseflow.extensions import db
from caseflow.notify import DeliveryFailed
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.security.access import CLINICAL_ROLES, Role

AUDIT_ENTITY = "user"
AUDIT_PURPOSE = "administration"

EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 120
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

# Each role works for one kind of organisation (DOMAIN.md, Who uses it): a keyworker placed in
# a prison would see what a prison sees.
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.PRISON_HEALTHCARE: frozenset({OrganisationKind.PRISON}),
    Role.PROBATION: frozenset({OrganisationKind.PROBATION}),
    Role.KEYWORKER: frozenset({OrganisationKind.TREATMENT_PROVIDER}),
    Role.MENTAL_HEALTH: frozenset({OrganisationKind.MENTAL_HEALTH}),
    Role.OUTREACH: frozenset({OrganisationKind.OUTREACH}),
    Role.MANAGER: frozenset({OrganisationKind.PARTNERSHIP}),
    Role.AUDITOR: frozenset({OrganisationKind.SERVICE}),
    Role.ADMIN: frozenset({OrganisationKind.SERVICE}),
}


def list_users() -> list[User]:
    return auth.list_users()


def get_user(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    return user


def has_second_factor(user: User) -> bool:
    return user.totp_enrolled_at is not None or user.totp_secret is not None


def _audit(action: str, actor: User | None, user: User, fields: list[str]) -> None:
    record(
        action,
        actor=actor,
        entity_type=AUDIT_ENTITY,
        entity_id=user.id,
        purpose=AUDIT_PURPOSE,
        detail={"fields": sorted(fields)},
    )


def _organisation(organisation_id) -> Organisation:
    organisation = None
    if isinstance(organisation_id, uuid.UUID):
        organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise InvalidChange("Select an organisation from the list", field="organisation")
    return organisation


def _check_role(role: str, organisation: Organisation) -> None:
    if not Role.has(role):
        raise InvalidChange("Select a role", field="role")
    kinds = ROLE_ORGANISATION_KINDS[role]
    if organisation.kind not in kinds:
        places = " or ".join(sorted(kind.in_a_sentence for kind in kinds))
        raise InvalidChange(
            f"{Role(role).label} accounts must belong to {places}", field="organisation"
        )


def _not_yourself(actor: User, user: User, message: str, field: str | None = None) -> None:
    if actor.id == user.id:
        raise InvalidChange(message, field=field)


NOT_SENT = "The email could not be sent, so nothing has changed. Try again later"


def add_user(
    actor: User | None,
    *,
    email: str,
    display_name: str,
    role: str,
    organisation_id: uuid.UUID,
) -> User:
    """A new account with no password, and a set-up link emailed to its owner.

    With the link they choose their password and set up their authenticator app. The actor is
    None when the account is made from the command line.
    """
    email = auth.normalise_email(email or "")
    if not email:
        raise InvalidChange("Enter an email address", field="email")
    if len(email) > EMAIL_MAX_LENGTH or not EMAIL.match(email):
        raise InvalidChange(
            "Enter an email address in the correct format, like name@example.com", field="email"
        )
    display_name = " ".join((display_name or "").split())
    if not display_name:
        raise InvalidChange("Enter the person's full name", field="display_name")
    if len(display_name) > NAME_MAX_LENGTH:
        raise InvalidChange(
            f"Full name must be {NAME_MAX_LENGTH} characters or fewer", field="display_name"
        )
    if not Role.has(role):
        raise InvalidChange("Select a role", field="role")
    organisation = _organisation(organisation_id)
    _check_role(role, organisation)
    if auth.user_by_email(email) is not None:
        raise InvalidChange("An account with that email address already exists", field="email")
    try:
        # One savepoint: if the email cannot be sent, the account is not kept either.
        with db.session.begin_nested():
            user = auth.create_user(
                email=email,
                display_name=display_name,
                role=role,
                organisation=organisation,
            )
            _audit("create", actor, user, ["display_name", "email", "organisation", "role"])
            setup_links.send_link(user, setup_links.Reason.NEW_ACCOUNT, actor=actor)
    except IntegrityError as error:
        # Someone else added the same address at the same moment.
        raise InvalidChange(
            "An account with that email address already exists", field="email"
        ) from error
    except auth.AccountError as error:
        # Checked above already; a rule added to create_user later still lands on its field.
        message = str(error)
        raise InvalidChange(
            message, field="email" if "email" in message.lower() else None
        ) from error
    except DeliveryFailed as error:
        raise InvalidChange(NOT_SENT) from error
    return user


def change_user(
    actor: User, user_id: uuid.UUID, *, role: str, organisation_id: uuid.UUID
) -> list[str]:
    """Change a user's role and/or organisation; effective on their next request.

    Returns the fields that changed; nothing changed means nothing is audited.
    """
    user = get_user(user_id)
    if not Role.has(role):
        raise InvalidChange("Select a role", field="role")
    if role != user.role:
        _not_yourself(
            actor,
            user,
            "You cannot change your own role. Ask another administrator",
            field="role",
        )
    organisation = _organisation(organisation_id)
    _check_role(role, organisation)
    changed = []
    if role != user.role:
        changed.append("role")
    if organisation.id != user.organisation_id:
        changed.append("organisation")
    if not changed:
        return []
    if role in CLINICAL_ROLES and user.role not in CLINICAL_ROLES:
        # Whoever knew this account's password before (an administrator who made an
        # auditor's account for themselves, say) must not carry it into people's records: the
        # owner chooses a new one and sets the authenticator up again, as after a reset, and
        # auditors see it beside the clinical accounts made. All of it or none of it.
        changed.append("password")
        try:
            with db.session.begin_nested():
                user.role, user.organisation = role, organisation
                _audit("update", actor, user, changed)
                setup_links.forget_password(user)
                auth.reset_second_factor(user)
                setup_links.send_link(user, setup_links.Reason.NOW_CLINICAL, actor=actor)
        except DeliveryFailed as error:
            raise InvalidChange(NOT_SENT) from error
        return changed
    user.role = role
    user.organisation = organisation
    _audit("update", actor, user, changed)
    return changed


def disable(actor: User, user_id: uuid.UUID) -> User:
    """Disable an account and end every session of it at once."""
    user = get_user(user_id)
    _not_yourself(actor, user, "You cannot disable your own account. Ask another administrator")
    if not user.active:
        raise InvalidChange(f"{user.display_name}'s account is already disabled")
    auth.disable_user(user)
    _audit("update", actor, user, ["active"])
    return user


def enable(actor: User, user_id: uuid.UUID) -> User:
    """Let a disabled account sign in again (with its password and second factor)."""
    user = get_user(user_id)
    if user.active:
        raise InvalidChange(f"{user.display_name}'s account is already active")
    user.active = True
    _audit("update", actor, user, ["active"])
    return user


def reset_second_factor(actor: User, user_id: uuid.UUID) -> User:
    """Forget the user's authenticator and end their sessions; they set up again at sign-in."""
    user = get_user(user_id)
    _not_yourself(
        actor,
        user,
        "You cannot reset your own second factor. Ask another administrator",
    )
    if not has_second_factor(user):
        raise InvalidChange(
            f"{user.display_name} has not set up a second factor yet. "
            "They will be asked to at their next sign-in"
        )
    auth.reset_second_factor(user)
    _audit("update", actor, user, ["second_factor"])
    return user


def reset_password(actor: User, user_id: uuid.UUID) -> User:
    """Stop the password and the authenticator working, end the user's sessions at once, and
    email them a set-up link to choose a new password and set the authenticator up again.

    For an account whose owner has not chosen a password yet, this sends a fresh set-up link,
    superseding the one they had.
    """
    user = get_user(user_id)
    _not_yourself(actor, user, "You cannot reset your own password. Ask another administrator")
    if not user.active:
        raise InvalidChange(
            f"{user.display_name}'s account is disabled. Re-enable it first, then reset the "
            "password"
        )
    had = {"password": user.password_hash is not None, "second_factor": has_second_factor(user)}
    reason = setup_links.Reason.RESET if had["password"] else setup_links.Reason.NEW_ACCOUNT
    try:
        with db.session.begin_nested():
            setup_links.forget_password(user)
            auth.reset_second_factor(user)
            if any(had.values()):
                _audit("update", actor, user, [name for name, held in had.items() if held])
            setup_links.send_link(user, reason, actor=actor)
    except DeliveryFailed as error:
        raise InvalidChange(NOT_SENT) from error
    return user


def password_state(user: User) -> setup_links.PasswordState:
    """What the administrator sees of the account's password: never the link itself."""
    return setup_links.password_state(user)


def users_of(organisation_id: uuid.UUID) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.organisation_id == organisation_id).order_by(User.email)
        )
    )
