"""The rough sleeping pathway's forms: each problem shown beside its field."""

from datetime import timedelta

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField
from wtforms.validators import InputRequired, Optional

from caseflow.forms import (
    DateInput,
    DateRange,
    OneTimeForm,
    radio_field,
    select_field,
    submit,
    text_area,
    text_field,
)
from caseflow.pathways.rough_sleeping.codes import (
    AuthorityResponse,
    ClosingReason,
    Homelessness,
    Outcome,
)
from caseflow.people.codes import Accommodation


def _ago(days: int):
    return lambda today: today - timedelta(days=days)


# A Duty to Refer, a response or a move is recorded when it happens or soon after.
RECENT_DATE = DateRange(
    earliest=_ago(365),
    latest=_ago(0),
    too_early="The date must be within the last year",
    too_late="The date must be today or in the past",
)


def _accommodation_field(label: str, message: str):
    return radio_field(label, Accommodation.choices(), InputRequired(message=message))


class OpenCaseForm(OneTimeForm):
    """Opening the case for the person's latest release (the form's subject is the person)."""

    record_kind = "rough_sleeping_case"
    first_night = _accommodation_field(
        "Where did the person stay on the first night after release?",
        "Select where the person stayed on the first night after release, or Not known",
    )
    confirm = submit("Open rough sleeping case")


class AssignTeamForm(FlaskForm):
    team = select_field("Outreach team", [], InputRequired(message="Select an outreach team"))
    confirm = submit("Assign outreach team")

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.team.choices = [("", "Select an outreach team")] + [
            (str(team.id), team.name) for team in teams
        ]


class DutyToReferForm(FlaskForm):
    homelessness = radio_field(
        "Is the person homeless or threatened with homelessness within 56 days?",
        Homelessness.choices(),
        InputRequired(message="Select whether the person is homeless or threatened with it"),
    )
    housing_authority = select_field(
        "Local housing authority of the person's choice",
        [],
        InputRequired(message="Select the local housing authority the person chose"),
    )
    referred_on = DateInput(
        "Date referred", required="Enter the date of the referral", plausible=RECENT_DATE
    )
    # Both consents are checked by the lifecycle (transitions.py), which names the field.
    consent_to_referral = BooleanField(
        "The person consents to the referral", widget=GovCheckboxInput()
    )
    consent_to_share_contact = BooleanField(
        "The person consents to sharing their contact details with the housing authority",
        widget=GovCheckboxInput(),
    )
    confirm = submit("Record Duty to Refer")

    def __init__(self, *args, authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.housing_authority.choices = [("", "Select a housing authority")] + [
            (str(authority.id), authority.name) for authority in authorities
        ]


class ResponseForm(FlaskForm):
    authority_response = radio_field(
        "The housing authority's response",
        AuthorityResponse.choices(),
        InputRequired(message="Select the housing authority's response"),
    )
    response_on = DateInput(
        "Date of the response", required="Enter the date of the response", plausible=RECENT_DATE
    )
    confirm = submit("Record response")


class OutcomeForm(FlaskForm):
    outcome = radio_field(
        "Is the person in settled accommodation?",
        Outcome.choices(),
        InputRequired(message="Select whether the person is in settled accommodation"),
    )
    confirm = submit("Record outcome")


class CloseForm(FlaskForm):
    reason_code = radio_field(
        "Why is this case closing?",
        ClosingReason.choices(),
        InputRequired(message="Select why the case is closing"),
    )
    reason = text_area("Notes (optional)", Optional(), max_length=500, name="Notes")
    confirm = submit("Close case")


class AccommodationForm(FlaskForm):
    category = _accommodation_field(
        "Where is the person staying now?", "Select where the person is staying, or Not known"
    )
    from_date = DateInput(
        "Staying there from",
        required="Enter the date they started staying there",
        plausible=RECENT_DATE,
    )
    confirm = submit("Record accommodation")


class PrescribingForm(FlaskForm):
    arranged = radio_field(
        "Was same-day prescribing arranged for the day of release?",
        [("yes", "Yes"), ("no", "No")],
        InputRequired(message="Select yes if same-day prescribing was arranged"),
    )
    prescriber = text_field("Prescriber", max_length=200, hint="Name and service")
    confirm = submit("Record same-day prescribing")
