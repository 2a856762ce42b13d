"""Forms that change a record someone else may be changing too, and what happens when two
saves meet.

A versioned form carries the version of the record it was opened with, and a fingerprint of
each field as it was shown (``loaded``). When saving meets a newer version, the service raises
``StaleRecord`` (or the ORM raises ``StaleDataError``) and ``caseflow.errors`` draws the form's
page again with status 409. That page draws the form with ``reconcile``: a three-way merge by
field, between what the form was opened with, what this person typed and what is saved now.

* A field this person did not change takes what is saved now: saving again keeps the other
  person's change.
* A field this person changed keeps what they typed, whether or not someone else changed it.
* Every field where what is saved now differs from what they typed is listed on the page,
  saved now beside typed, saying which one the form now holds.

The form then carries the new version and the saved values' fingerprints, so saving again
succeeds unless the record changes yet again. Fingerprints, not values, travel back: the page
already shows the values, and a fingerprint is keyed with the application's secret, so a copy
of the page cannot be tested against guessed values.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import Length, Optional
from wtforms.widgets import HiddenInput

from caseflow import dates

# About 30 characters a field: far more than any versioned form needs.
LOADED_LIMIT = 4000


def canonical(value: Any) -> str:
    """A field's value as text, the same however it reached the form (typed, or read from the
    record): a text area's line endings, a list's order and an absent value do not count."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return "\x1f".join(sorted(canonical(item) for item in value))
    return str(value).replace("\r\n", "\n").strip()


def fingerprint(name: str, value: Any) -> str:
    message = f"{name}\x00{canonical(value)}".encode()
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Difference:
    """One field where what is saved now differs from what this person typed."""

    name: str
    saved: Any
    typed: Any
    # "typed" when this person changed the field (their value is kept), "saved" when they did
    # not (the saved value is taken).
    kept: str
    both_changed: bool


def merge(
    loaded: Mapping[str, str] | None, typed: Mapping[str, Any], saved: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Difference]]:
    """The three-way merge by field: the values the form holds now, and the differences.

    ``loaded`` holds the fingerprints of the fields as the form was opened; without them
    (unknown), every field counts as changed by this person, so nothing typed is lost.
    Only fields in ``saved`` (those read from the record) are merged; the others (a reason
    for this change, say) are this person's alone and keep what they typed.
    """
    merged = dict(typed)
    differences = []
    for name, saved_value in saved.items():
        if name not in typed:
            continue
        typed_value = typed[name]
        loaded_print = (loaded or {}).get(name)
        changed_by_you = loaded_print is None or loaded_print != fingerprint(name, typed_value)
        changed_by_them = loaded_print is None or loaded_print != fingerprint(name, saved_value)
        if not changed_by_you:
            merged[name] = saved_value
        if canonical(saved_value) != canonical(typed_value):
            differences.append(
                Difference(
                    name=name,
                    saved=saved_value,
                    typed=typed_value,
                    kept="typed" if changed_by_you else "saved",
                    both_changed=changed_by_you and changed_by_them,
                )
            )
    return merged, differences


def shown(field, value: Any) -> str:
    """A field's value as a person reads it: a choice's label, a date in words."""
    if value is None or value == "" or value == []:
        return "Not given"
    choices = getattr(field, "choices", None)
    if isinstance(choices, list | tuple):
        labels = {str(choice[0]): str(choice[1]) for choice in choices}
        if isinstance(value, list | tuple | set):
            return ", ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), str(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return dates.display(value)
    return str(value)


@dataclass(frozen=True)
class ConflictRow:
    """One row of the page's table: the field's label, saved now, typed, which the form holds."""

    name: str
    label: str
    saved: str
    typed: str
    kept: str
    both_changed: bool


class VersionInputs(HiddenInput):
    """The version's hidden input and, beside it, the fingerprints it goes with: a template
    that draws ``form.version`` carries both, so no page can send one without the other."""

    def __call__(self, field, **kwargs):
        drawn = super().__call__(field, **kwargs)
        companion = getattr(field, "companion", None)
        # Both are escaped Markup already; joined, they stay Markup.
        return drawn + companion() if companion is not None else drawn


class VersionedForm(FlaskForm):
    """A change to a record that someone else may be changing too."""

    # Optional here: a form that creates a record posts it empty; services treat a missing
    # version on a change as stale.
    version = IntegerField(widget=VersionInputs(), validators=[Optional()])
    loaded = HiddenField(validators=[Length(max=LOADED_LIMIT)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.version.companion = self.loaded
        self.conflicts: list[ConflictRow] = []

    def show_version(self, version: int) -> None:
        """Carry the record's current version, replacing whatever was posted."""
        self.version.data = version
        self.version.raw_data = None

    def load(self, values: Mapping[str, Any], version: int, *, fill: bool = True) -> None:
        """Open the form on the record as saved: its fields, its version, their fingerprints.

        ``values`` are the record's values in the form's terms (a choice's code, "yes"/"no"),
        keyed by field name. A form asking for new values (a new expected release date) opens
        blank with ``fill=False``, remembering what the record held all the same.
        """
        if fill:
            for name, value in values.items():
                self._set(name, value)
        self.show_version(version)
        self._carry_prints(values)

    def reconcile(self, saved: Mapping[str, Any], version: int) -> None:
        """After a conflict: merge by field (``merge``), carry the new version and list the
        differences (``conflicts``) for the page."""
        typed = {name: self[name].data for name in saved if name in self._fields}
        merged, differences = merge(self._loaded_prints(), typed, saved)
        for name in saved:
            if name in self._fields and merged[name] is not typed[name]:
                self._set(name, merged[name])
        self.conflicts = [
            ConflictRow(
                name=difference.name,
                label=self[difference.name].label.text,
                saved=shown(self[difference.name], difference.saved),
                typed=shown(self[difference.name], difference.typed),
                kept=difference.kept,
                both_changed=difference.both_changed,
            )
            for difference in differences
        ]
        self.show_version(version)
        self._carry_prints(saved)

    def _set(self, name: str, value: Any) -> None:
        field = self[name]
        field.data = value
        field.raw_data = None  # the widget draws from data, not from what was posted

    def _carry_prints(self, values: Mapping[str, Any]) -> None:
        prints = {name: fingerprint(name, value) for name, value in values.items()}
        self.loaded.data = json.dumps(prints, separators=(",", ":"), sort_keys=True)
        self.loaded.raw_data = None

    def _loaded_prints(self) -> dict[str, str] | None:
        try:
            prints = json.loads(self.loaded.data or "")
        except ValueError:
            return None
        if not isinstance(prints, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in prints.items()
        ):
            return None
        return prints
