"""An audit row in words an auditor can read: labels for its codes, London times, and short
references in place of ids.

A row never holds anyone's personal values (the recorder writes field names, counts and codes
only), and the pages keep it that way: a person is shown by an opaque reference (the first
characters of their record's id, the same on every row about them), never by name; a record by
its type and reference; the detail as sentences, not JSON.
"""

import re
import uuid
from datetime import date, datetime

from caseflow.audit.catalogue import Action, Purpose, RecordType
from caseflow.audit.models import Outcome
from caseflow.dates import display, display_date_time

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def reference(value: object) -> str:
    """The short reference of an id: its first eight characters, as a referral's reference."""
    return str(value)[:8].upper()


def person_reference(person_id: uuid.UUID | None) -> str:
    return f"Person {reference(person_id)}" if person_id else ""


def _no_ids(text: str) -> str:
    """Any id inside a value replaced by its short reference."""
    return _UUID.sub(lambda match: reference(match.group()), text)


def record_words(entity_type: str | None, entity_id: str | None) -> str:
    """The record a row is about: its type in words, and which one by reference (a worklist
    or page by its own name)."""
    if not entity_type:
        return ""
    kind = RecordType.label_of(entity_type)
    if not entity_id:
        return kind
    return f"{kind} {_no_ids(entity_id)}"


def action_words(action: str, purpose: str | None) -> str:
    words = Action.label_of(action)
    return f"{words}, for {Purpose.label_of(purpose).lower()}" if purpose else words


def outcome_words(outcome: str) -> str:
    return Outcome.label_of(outcome)


# What a detail's keys mean. A key not listed here reads as itself in sentence case.
DETAIL_KEYS = {
    "fields": "Fields",
    "by": "Searched by",
    "rows": "Rows shown",
    "people": "People shown",
    "page": "Page",
    "results": "Results",
    "count": "Cases shown",
    "change": "Change",
    "facts": "Facts",
    "reason": "Reason",
    "format": "Format",
    "grant": "Break-glass grant",
    "link": "Set-up link",
    "expires_at": "Access until",
    "drafts_deleted": "Drafts deleted",
    "break_glass": "Break-glass grants shown",
    "problems": "Problems in",
    "during": "During",
    "kind": "Kind",
    "status": "Status",
    "role": "Role",
}


def _words(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_words(item) for item in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{_key(key).lower()} {_words(item)}" for key, item in value.items())
    if value is None:
        return "none"
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return display(date.fromisoformat(text))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(\+00:00|Z)?", text):
        return display_date_time(datetime.fromisoformat(text.replace("Z", "+00:00")))
    if _UUID.fullmatch(text):
        return reference(text)
    return _no_ids(text.replace("_", " "))


def _key(key: str) -> str:
    return DETAIL_KEYS.get(key, key.replace("_", " ").capitalize())


def detail_words(detail: dict | None) -> list[str]:
    """Each entry of a row's detail as a short line: "Fields: given name, risks"."""
    return [f"{_key(key)}: {_words(value)}" for key, value in (detail or {}).items()]
