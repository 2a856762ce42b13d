"""Form fields shared across Caseflow, with GOV.UK widgets and GOV.UK error wording."""

import uuid
from datetime import date
from typing import ClassVar

from flask import Flask, request
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from werkzeug.exceptions import BadRequest
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation

from caseflow.security import form_tokens

CONTROL_CHARACTERS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
CONTROL_CHARACTERS[0x7F] = None


def strip(value):
    """Trim spaces and drop control characters (a NUL cannot be stored, nor wanted)."""
    return value.translate(CONTROL_CHARACTERS).strip() if isinstance(value, str) else value


class DateInput(DateField):
    """Day, month and year boxes. Messages follow the GOV.UK date input pattern.

    ``required`` is the message when all three boxes are empty; leave it out for an optional date.
    """

    def __init__(self, label: str, required: str | None = None, **kwargs):
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.required_message = required

    def process_formdata(self, valuelist):
        if len(valuelist) != 3:
            # Missing or forged boxes: the widget always needs three values to show back.
            self.raw_data = ["", "", ""]
            if valuelist:
                raise ValueError(f"{self.label.text} must be a real date")
            return
        self.raw_data = [value.strip()[:4] for value in valuelist]
        day, month, year = self.raw_data
        if not (day or month or year):
            self.data = None
            return
        missing = [
            name for name, part in (("day", day), ("month", month), ("year", year)) if not part
        ]
        if missing:
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        if (
            not all(part.isascii() and part.isdigit() for part in (day, month, year))
            or len(year) != 4
        ):
            raise ValueError(f"{self.label.text} must be a real date")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(f"{self.label.text} must be a real date") from error
        if self.data.year < 1900:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date")

    def pre_validate(self, form):
        if self.errors:
            raise StopValidation()
        if self.data is None and self.required_message:
            raise StopValidation(self.required_message)

    def _value(self):
        return ""


def length_limit(name: str, size: int) -> Length:
    """A length limit in GOV.UK's words: "Reason must be 500 characters or fewer"."""
    return Length(max=size, message=f"{name} must be {size} characters or fewer")


def max_length_of(field) -> int | None:
    """The most characters the field takes, from its Length validator."""
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max > 0]
    return min(limits) if limits else None


class CharacterCount(GovCharacterCount):
    """A text area with GOV.UK's character count, its limit read from the field's own Length
    validator, so the page states the limit the form enforces."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("maxlength", max_length_of(field))
        return params


def text_field(
    label: str,
    *validators,
    max_length: int | None = None,
    name: str | None = None,
    hint: str | None = None,
    **kwargs,
) -> StringField:
    """A one-line text box. ``max_length`` adds a limit whose message calls the field ``name``
    (the label unless given), checked after the other validators so a format message comes
    first."""
    if max_length is not None:
        validators = (*validators, length_limit(name or label, max_length))
    return StringField(
        label,
        validators=list(validators),
        filters=[strip],
        widget=GovTextInput(),
        description=hint or "",
        **kwargs,
    )


def select_field(label: str, choices, *validators, hint: str | None = None) -> SelectField:
    return SelectField(
        label,
        choices=choices,
        validators=list(validators),
        widget=GovSelect(),
        description=hint or "",
        validate_choice=True,
        default="",  # a select left out of a post reads as its blank choice
    )


def radio_field(label: str, choices, *validators, hint: str | None = None) -> RadioField:
    return RadioField(
        label,
        choices=choices,
        validators=list(validators),
        widget=GovRadioInput(),
        description=hint or "",
    )


def yes_no_field(label: str, message: str) -> RadioField:
    return radio_field(label, [("yes", "Yes"), ("no", "No")], InputRequired(message=message))


def text_area(
    label: str,
    *validators,
    max_length: int,
    name: str | None = None,
    hint: str | None = None,
) -> TextAreaField:
    """A text area with its limit stated by GOV.UK's character count. Messages call the field
    ``name`` (the label unless given)."""
    return TextAreaField(
        label,
        validators=[*validators, length_limit(name or label, max_length)],
        filters=[strip],
        widget=CharacterCount(),
        description=hint or "",
    )


def reason_field(
    label: str = "Reason for the change",
    message: str = "Enter the reason for the change",
    *,
    name: str | None = None,
) -> TextAreaField:
    return text_area(label, DataRequired(message=message), max_length=500, name=name)


def submit(label: str) -> SubmitField:
    return SubmitField(label, widget=GovSubmitInput())


class FilePartRefused(BadRequest):
    """A request carrying a file: no Caseflow form takes one."""


def refuse_file_parts() -> None:
    """Refuse any request with a file part before a view sees it.

    No Caseflow form takes a file. A text field sent as a file part of a multipart body would
    reach its form as a file object, which no filter or validator expects: one check here
    covers every field of every form.
    """
    if request.files:
        raise FilePartRefused()


def init_app(app: Flask) -> None:
    app.before_request(refuse_file_parts)


class FormTokenRefused(BadRequest):
    """A one-time token that was not issued for this form, this user and this record."""


class OneTimeForm(FlaskForm):
    """A form that creates a record, carrying a one-time token so that sending it twice creates
    one record (caseflow.security.form_tokens).

    ``subject`` is the id of the record the form is about: the person, or the referral. The
    token is issued when the form is shown; a token sent back that was issued for another
    record, another user or another kind of form is refused with a 400 page before anything is
    looked up by it. A form sent without one is taken as it is, without the repeat check.
    """

    record_kind: ClassVar[str]
    token = HiddenField(validators=[Length(max=form_tokens.LENGTH)])

    def __init__(self, *args, subject: uuid.UUID, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        if not self.is_submitted():
            self.token.data = form_tokens.issue(self.record_kind, current_user.id, subject)

    def validate_token(self, field) -> None:
        if not field.data:
            return
        if not form_tokens.matches(field.data, self.record_kind, current_user.id, self.subject):
            raise FormTokenRefused()
