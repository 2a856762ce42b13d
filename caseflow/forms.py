"""Form fields shared across Caseflow, with GOV.UK widgets and GOV.UK error wording."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from flask import Flask, request
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
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

from caseflow import dates
from caseflow.security import form_tokens
from caseflow.widgets import CharacterCount, SelectInput, draw_widget, revealing

CONTROL_CHARACTERS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
CONTROL_CHARACTERS[0x7F] = None


def strip(value):
    """Trim spaces and drop control characters (a NUL cannot be stored, nor wanted)."""
    return value.translate(CONTROL_CHARACTERS).strip() if isinstance(value, str) else value


def _ago(years: int = 0, days: int = 0) -> Callable[[date], date]:
    return lambda today: dates.years_before(today, years) - timedelta(days=days)


def _ahead(years: int = 0, days: int = 0) -> Callable[[date], date]:
    return lambda today: dates.years_before(today, -years) + timedelta(days=days)


@dataclass(frozen=True)
class DateRange:
    """The dates a field may plausibly hold, counted from today in London, with GOV.UK's words
    for a date outside them. A date outside its range is refused beside its field, so a typing
    slip (2999 for 2029, a birth date of yesterday) is caught when it is typed, not when the
    clock or the measure reads it.

    ``too_early`` and ``too_late`` may name the bound as ``{earliest}`` or ``{latest}``.
    """

    earliest: Callable[[date], date]
    latest: Callable[[date], date]
    too_early: str
    too_late: str

    def bounds(self, today: date | None = None) -> tuple[date, date]:
        today = today or dates.local_today()
        return self.earliest(today), self.latest(today)

    def problem(self, day: date, today: date | None = None) -> str | None:
        """What is wrong with ``day``, in the words the page shows; None if it is in range."""
        earliest, latest = self.bounds(today)
        named = {"earliest": dates.display(earliest), "latest": dates.display(latest)}
        if day < earliest:
            return self.too_early.format(**named)
        if day > latest:
            return self.too_late.format(**named)
        return None

    def example(self, today: date | None = None) -> date:
        """A date inside the range for the field's hint: 27 March of a year that fits."""
        today = today or dates.local_today()
        earliest, latest = self.bounds(today)
        for year in (latest.year - 3, today.year, today.year + 1, latest.year, earliest.year):
            candidate = date(year, 3, 27)
            if earliest <= candidate <= latest:
                return candidate
        return min(max(today, earliest), latest)

    def __call__(self, form, field) -> None:
        """As a WTForms validator: stops at the first problem, so the field shows one message."""
        if field.data is not None and (message := self.problem(field.data)):
            raise StopValidation(message)


# Every date Caseflow asks for, with the range it takes: one table, so the rules can be read
# (and changed) together. Lower bounds leave room for records entered late; upper bounds say
# how far ahead a plan can reasonably be made.
DATE_OF_BIRTH = DateRange(
    earliest=_ago(years=110),
    latest=_ago(years=16),
    too_early="Date of birth must be the same as or after {earliest}",
    too_late="Date of birth must be in the past and the person must be at least 16",
)
RECEPTION_DATE = DateRange(
    earliest=_ago(years=50),
    latest=_ago(),
    too_early="Reception date must be the same as or after {earliest}",
    too_late="Reception date must be today or in the past",
)
# An expected release already passed is recorded when custody is entered late, or before the
# release itself is recorded; a year back is as far as that goes.
EXPECTED_RELEASE_DATE = DateRange(
    earliest=_ago(years=1),
    latest=_ahead(years=5),
    too_early="Expected release date must be within the last year or the next 5 years",
    too_late="Expected release date must be within the next 5 years",
)
RELEASE_DATE = DateRange(
    earliest=_ago(years=1),
    latest=_ago(),
    too_early="Date of release must be within the last year",
    too_late="Date of release must be today or in the past",
)
LAST_DOSE_DATE = DateRange(
    earliest=_ago(years=1),
    latest=_ago(),
    too_early="Date of last dose must be within the last year",
    too_late="Date of last dose must be today or in the past",
)
TREATMENT_START_DATE = DateRange(
    earliest=_ago(years=1),
    latest=_ago(),
    too_early="Date treatment started must be within the last year",
    too_late="Date treatment started must be today or in the past",
)
# In-reach appointments before release are normal, and one that has happened can be recorded
# afterwards; nobody books treatment appointments more than a year ahead.
APPOINTMENT_DATE = DateRange(
    earliest=_ago(years=1),
    latest=_ahead(years=1),
    too_early="Date of appointment must be within the last year",
    too_late="Date of appointment must be within the next year",
)


def date_hint(example: date) -> str:
    return f"For example, {example.day} {example.month} {example.year}"


class DateInput(DateField):
    """Day, month and year boxes. Messages follow the GOV.UK date input pattern.

    ``required`` is the message when all three boxes are empty; leave it out for an optional date.
    ``plausible`` is the DateRange the date must fall in; its example is the hint unless a
    ``description`` is given. A date before 1900 in a field without a range is not a real date.
    """

    def __init__(
        self,
        label: str,
        required: str | None = None,
        plausible: DateRange | None = None,
        **kwargs,
    ):
        kwargs.setdefault("widget", GovDateInput())
        if plausible is not None:
            kwargs["validators"] = [*kwargs.get("validators", []), plausible]
        if not kwargs.get("description"):
            # Fields are bound per form, so the example is counted from today's date.
            example = plausible.example() if plausible else date(2007, 3, 27)
            kwargs["description"] = date_hint(example)
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.required_message = required
        self.plausible = plausible

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
        if self.data.year < 1900 and self.plausible is None:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date")

    def pre_validate(self, form):
        if self.errors:
            raise StopValidation()
        if self.data is None and self.required_message:
            raise StopValidation(self.required_message)

    def _value(self):
        return ""


class TimeInput(StringField):
    """A time of day, typed as people write it ("9:30", "9.30am", "2pm", "14:00": one parser,
    caseflow.dates.parse_time) and kept as 24-hour "HH:MM". Optional: empty is None."""

    MESSAGE = "Enter a time like 9:30am, 2pm or 14:00"

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("widget", GovTextInput())
        kwargs.setdefault("description", "For example, 9:30am, 2pm or 14:00")
        super().__init__(label, filters=[strip], **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        typed = self.data
        if not typed or len(typed) > 20:
            # Too long to be a time: left for the length limit to name.
            self.data = typed or None
            return
        parsed = dates.parse_time(typed)
        if parsed is None:
            self.data = None
            raise ValueError(self.MESSAGE)
        self.data = f"{parsed:%H:%M}"

    def _value(self):
        # What was typed goes back into the box; a saved time shows as it is kept.
        return self.raw_data[0] if self.raw_data else (self.data or "")


def length_limit(name: str, size: int) -> Length:
    """A length limit in GOV.UK's words: "Reason must be 500 characters or fewer"."""
    return Length(max=size, message=f"{name} must be {size} characters or fewer")


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
        widget=SelectInput(),
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


def time_field(label: str, *, name: str = "Time") -> TimeInput:
    """An optional time of day. No time is longer than "12:30 p.m.": the limit stops a long
    paste before the parser sees it."""
    return TimeInput(label, validators=[length_limit(name, 20)])


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
    # For every widget of the library, whichever module names it: the one place they are drawn.
    GovFormBase.render = draw_widget
    app.before_request(refuse_file_parts)
    app.jinja_env.globals["revealing"] = revealing


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
