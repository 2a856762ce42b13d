"""What an audit row may say: its action, the type of record it names, its purpose and its
outcome, each from one list here. ``record()`` refuses any other value, so a misspelt action
can never reach the log, and the suite (which writes every kind of row) fails on one.

docs/security.md lists the catalogue.
"""

from enum import StrEnum

from caseflow.audit.models import Outcome


class Action(StrEnum):
    VIEW = "view"
    LIST = "list"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    DENY = "deny"
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    REAUTHENTICATE = "reauthenticate"
    BREAK_GLASS = "break_glass"
    SEND_SET_UP_LINK = "send_set_up_link"
    USE_SET_UP_LINK = "use_set_up_link"
    FIRST_SIGN_IN = "first_sign_in"


class RecordType(StrEnum):
    PERSON = "person"
    CUSTODY_EPISODE = "custody_episode"
    CASE_NOTE = "case_note"
    NAMED_CONTACT = "named_contact"
    REFERRAL = "referral"
    APPOINTMENT = "appointment"
    NOTIFICATIONS = "notifications"
    WORKLIST = "worklist"
    PAGE = "page"
    USER = "user"
    ORGANISATION = "organisation"
    BREAK_GLASS_GRANT = "break_glass_grant"
    BREAK_GLASS_REVIEW = "break_glass_review"
    AUDIT_EVENT = "audit_event"
    # Key rotation names the table whose column it re-encrypted.
    ENCRYPTED_COLUMN = "encrypted_column"


class Purpose(StrEnum):
    CASELOAD = "caseload"
    REFERRAL = "referral"
    BREAK_GLASS = "break-glass"
    AUDIT = "audit"
    SUBJECT_ACCESS = "subject access"
    ADMINISTRATION = "administration"
    RETENTION = "retention"
    KEY_ROTATION = "key_rotation"


OUTCOMES = frozenset({Outcome.SUCCESS, Outcome.DENIED, Outcome.FAILED})


class NotInCatalogue(ValueError):
    """An audit row was asked to say something the catalogue does not list."""


def check(action, entity_type, purpose, outcome) -> None:
    """Refuse a row whose action, record type, purpose or outcome is not in the catalogue."""
    problems = []
    if action not in Action.__members__.values():
        problems.append(f"action {action!r}")
    if entity_type is not None and entity_type not in RecordType.__members__.values():
        problems.append(f"record type {entity_type!r}")
    if purpose is not None and purpose not in Purpose.__members__.values():
        problems.append(f"purpose {purpose!r}")
    if outcome not in OUTCOMES:
        problems.append(f"outcome {outcome!r}")
    if problems:
        raise NotInCatalogue("Not in the audit catalogue: " + ", ".join(problems))
