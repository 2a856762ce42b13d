"""Forms for the auditor's pages: searching the log, reviewing break-glass, subject access.

A person is found by NHS number or prison number typed into a POSTed form, never in a URL.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from caseflow.audit.catalogue import Action
from caseflow.audit.models import Outcome
from caseflow.auditor.models import ReviewVerdict
from caseflow.forms import DateInput, radio_field, select_field, submit, text_area, text_field
from caseflow.people.forms import (
    NHS_NUMBER_LIMIT,
    PRISON_NUMBER_LIMIT,
    nhs_number_check,
    prison_number_check,
)


def nhs_number_field():
    return text_field(
        "NHS number",
        Optional(),
        nhs_number_check,
        **NHS_NUMBER_LIMIT,
        hint="10 digits, like 943 476 5919",
    )


def prison_number_field():
    return text_field(
        "Prison number", Optional(), prison_number_check, **PRISON_NUMBER_LIMIT, hint="Like A1234BC"
    )


class LogSearchForm(FlaskForm):
    email = text_field(
        "User's email address",
        Optional(),
        Length(max=254, message="Email address must be 254 characters or fewer"),
        hint="The member of staff whose actions you want to see",
    )
    nhs_number = nhs_number_field()
    prison_number = prison_number_field()
    organisation = select_field("Organisation", [])
    # Every action the log can hold, in the catalogue's words (audit/catalogue.py).
    action = select_field("Action", Action.choices(blank="Any action"))
    outcome = select_field("Outcome", Outcome.choices(blank="Any outcome"))
    date_from = DateInput("Date from", description="A UK date, for example 27 3 2025")
    date_to = DateInput("Date to", description="A UK date, for example 31 3 2025")
    # Sent from a break-glass review: what its member of staff did during the grant's hour.
    grant = HiddenField(validators=[Optional(), Length(max=36)])
    submit = submit("Search")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [
            ("", "Any organisation"),
            *((str(organisation.id), organisation.name) for organisation in organisations),
        ]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("Date to must be the same as or after date from")


class BreakGlassReviewForm(FlaskForm):
    verdict = radio_field(
        "Was this break-glass access appropriate?",
        ReviewVerdict.choices(),
        InputRequired(message="Select whether the access was appropriate"),
        hint="Compare the reason given with what was accessed during the hour",
    )
    note = text_area(
        "Note (optional)",
        Optional(),
        max_length=1000,
        name="Note",
        hint="Why you reached this verdict, or what follow-up is needed",
    )
    submit = submit("Record verdict")


class SubjectAccessForm(FlaskForm):
    nhs_number = nhs_number_field()
    prison_number = prison_number_field()
    submit = submit("Download the export")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.nhs_number.data or self.prison_number.data):
            self.nhs_number.errors.append("Enter an NHS number or a prison number")
            return False
        return True
