"""What an audit row may say: its action, the type of record it names, its purpose and its
outcome, each from one list here. ``record()`` refuses any other value, so a misspelt action
can never reach the log, and the suite (which writes every kind of row) fails on one. Each code
carries the words the auditor's pages show for it (``code | label("audit_action")``).

docs/security.md lists the catalogue.
"""

from typing import Self

from caseflow.audit.models import Outcome
from caseflow.codes import CodeList


def _code_with_words(cls, value: str, label: str | None = None) -> Self:
    """A catalogue code with the words the auditor's pages show for it; a code written without
    words reads as itself in sentence case."""
    member = str.__new__(cls, value)
    member._value_ = value
    member.label = label or value.replace("_", " ").capitalize()
    member.tag_class = ""
    return member


class Action(CodeList, key="audit_action"):
    __new__ = _code_with_words

    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    DENY = "deny", "Refused access"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    REAUTHENTICATE = "reauthenticate", "Confirmed their password"
    BREAK_GLASS = "break_glass", "Break-glass access"
    SEND_SET_UP_LINK = "send_set_up_link", "Sent a set-up link"
    USE_SET_UP_LINK = "use_set_up_link", "Used a set-up link"
    FIRST_SIGN_IN = "first_sign_in", "First sign-in after a set-up link"


class RecordType(CodeList, key="audit_record_type"):
    __new__ = _code_with_words

    PERSON = "person", "Person"
    CUSTODY_EPISODE = "custody_episode", "Custody episode"
    CASE_NOTE = "case_note", "Case note"
    NAMED_CONTACT = "named_contact", "Named contact"
    REFERRAL = "referral", "Referral"
    APPOINTMENT = "appointment", "Appointment"
    NOTIFICATIONS = "notifications", "Notifications"
    WORKLIST = "worklist", "Worklist"
    PAGE = "page", "Page"
    USER = "user", "Staff account"
    ORGANISATION = "organisation", "Organisation"
    BREAK_GLASS_GRANT = "break_glass_grant", "Break-glass grant"
    BREAK_GLASS_REVIEW = "break_glass_review", "Break-glass review"
    AUDIT_EVENT = "audit_event", "Audit log"
    # Key rotation names the table whose column it re-encrypted.
    ENCRYPTED_COLUMN = "encrypted_column", "Encrypted column"
    # A version of the continuity measure's settings (continuity/settings_admin.py).
    CONTINUITY_SETTINGS = "continuity_settings", "Continuity measure settings"
    # The dual diagnosis pathway's records.
    DUAL_DIAGNOSIS_CASE = "dual_diagnosis_case", "Dual diagnosis case"
    DUAL_DIAGNOSIS_PLAN = "dual_diagnosis_plan", "Joint care plan"
    # The rough sleeping pathway's records.
    ROUGH_SLEEPING_CASE = "rough_sleeping_case", "Rough sleeping case"
    # The Community Sentence Treatment Requirement pathway's records.
    CSTR = "cstr", "Community sentence treatment requirement"
    CSTR_DRUG_TEST = "cstr_drug_test", "CSTR drug test"
    CSTR_ATTENDANCE = "cstr_attendance", "CSTR attendance"
    CSTR_REVIEW = "cstr_review", "CSTR court review"


class Purpose(CodeList, key="audit_purpose"):
    __new__ = _code_with_words

    CASELOAD = "caseload", "Caseload"
    REFERRAL = "referral", "Referral"
    BREAK_GLASS = "break-glass", "Break-glass access"
    AUDIT = "audit", "Audit"
    SUBJECT_ACCESS = "subject access", "Subject access"
    ADMINISTRATION = "administration", "Administration"
    RETENTION = "retention", "Retention"
    KEY_ROTATION = "key_rotation", "Key rotation"


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
