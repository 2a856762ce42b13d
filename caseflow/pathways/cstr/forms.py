"""Forms of the CSTR pathway: GOV.UK widgets and wording, each message beside its field.

The rules between fields (an end before the start, consent, an MHTR's mental health service,
the review schedule) are the services' and the lifecycle's checks, so a service test and the
page refuse the same things with the same words.
"""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from wtforms import SelectMultipleField
from wtforms.validators import DataRequired, InputRequired

from caseflow.forms import (
    DateInput,
    DateRange,
    OneTimeForm,
    _ago,
    _ahead,
    radio_field,
    reason_field,
    select_field,
    submit,
    yes_no_field,
)
from caseflow.pathways.cstr.codes import Attendance, DrugTestResult, OrderType, Requirement

# The dates the pathway asks for, with the range each may plausibly take.
PAST_YEAR = DateRange(
    earliest=_ago(years=1),
    latest=_ago(),
    too_early="The date must be within the last year",
    too_late="The date must be today or in the past",
)
REPORT_DUE = DateRange(
    earliest=_ago(days=30),
    latest=_ahead(days=120),
    too_early="The court report date must be within the last 30 days",
    too_late="The court report date must be within the next 4 months",
)
ORDER_DATE = DateRange(
    earliest=_ago(years=1),
    latest=_ahead(years=1),
    too_early="The date must be within the last year",
    too_late="The date must be within the next year",
)
ORDER_END = DateRange(
    earliest=_ago(years=1),
    latest=_ahead(years=4),
    too_early="The end date must be within the last year",
    too_late="The end date must be within the next 4 years",
)
REVIEW_DATE = DateRange(
    earliest=_ago(days=30),
    latest=_ahead(years=4),
    too_early="The date must be within the last 30 days",
    too_late="The date must be within the next 4 years",
)


def organisation_choices(organisations, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(o.id), o.name) for o in organisations)]


def requirements_field() -> SelectMultipleField:
    return SelectMultipleField(
        "Treatment requirements",
        choices=Requirement.choices(),
        validators=[DataRequired(message="Select at least one treatment requirement")],
        widget=GovCheckboxesInput(),
        description="Select all that apply",
    )


class PartiesForm(FlaskForm):
    """Who is asked to assess, and (on the order) who treats."""

    requirements = requirements_field()
    provider = select_field(
        "Treatment provider",
        [],
        hint="For a drug or alcohol treatment requirement",
    )
    mental_health_service = select_field(
        "Mental health service",
        [],
        hint="For a mental health treatment requirement",
    )

    def __init__(self, *args, providers=(), mental_health_services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = organisation_choices(providers, "Select treatment provider")
        self.mental_health_service.choices = organisation_choices(
            mental_health_services, "Select mental health service"
        )


class RequestForm(OneTimeForm, PartiesForm):
    """Probation asks for a suitability assessment before sentence."""

    record_kind = "cstr"
    local_authority = select_field(
        "Local authority the person lives in",
        [],
        InputRequired(message="Select the local authority the person lives in"),
    )
    court_report_due = DateInput(
        "Court report due",
        "Enter the date the court report is due",
        plausible=REPORT_DUE,
    )
    confirm = submit("Request assessment")

    def __init__(self, *args, local_authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.local_authority.choices = [
            ("", "Select local authority"),
            *((la.ons_code, la.name) for la in local_authorities),
        ]


class AssessedForm(FlaskForm):
    assessed_on = DateInput(
        "Date of the assessment", "Enter the date of the assessment", plausible=PAST_YEAR
    )
    confirm = submit("Confirm")


class UnsuitableForm(AssessedForm):
    reason = reason_field("Why the person is not suitable", "Enter why the person is not suitable")


class OrderForm(PartiesForm):
    """The order as the court made it."""

    court = select_field("Court", [], InputRequired(message="Select the court"))
    sentence_date = DateInput("Date of sentence", "Enter the date of sentence", plausible=PAST_YEAR)
    order_type = radio_field(
        "Type of order", OrderType.choices(), InputRequired(message="Select the type of order")
    )
    consent = yes_no_field(
        "Did the person consent to the treatment requirements?",
        "Select whether the person consented to the treatment requirements",
    )
    start_date = DateInput(
        "Date the requirements start", "Enter the date the requirements start", plausible=ORDER_DATE
    )
    end_date = DateInput(
        "Date the requirements end", "Enter the date the requirements end", plausible=ORDER_END
    )
    confirm = submit("Record the order")

    def __init__(self, *args, courts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.court.choices = organisation_choices(courts, "Select court")


class NotMadeForm(FlaskForm):
    reason = reason_field("What the court decided", "Enter what the court decided")
    confirm = submit("Record that no order was made")


class TreatmentStartForm(FlaskForm):
    treatment_start_date = DateInput(
        "Date treatment started", "Enter the date treatment started", plausible=PAST_YEAR
    )
    confirm = submit("Record treatment start")


class WarningForm(FlaskForm):
    event_date = DateInput(
        "Date of the warning", "Enter the date of the warning", plausible=PAST_YEAR
    )
    reason = reason_field("Why the warning was given", "Enter why the warning was given")
    confirm = submit("Record warning")


class VariationForm(FlaskForm):
    end_date = DateInput("New end date", "Enter the new end date", plausible=ORDER_END)
    reason = reason_field("What the court varied", "Enter what the court varied")
    confirm = submit("Record variation")


class CompletionForm(FlaskForm):
    event_date = DateInput("Date completed", "Enter the date completed", plausible=PAST_YEAR)
    confirm = submit("Record completion")


class EndingForm(FlaskForm):
    event_date = DateInput(
        "Date of the decision", "Enter the date of the decision", plausible=PAST_YEAR
    )
    reason = reason_field("What the court decided", "Enter what the court decided")
    confirm = submit("Confirm")


class DrugTestForm(FlaskForm):
    tested_on = DateInput("Date of the test", "Enter the date of the test", plausible=PAST_YEAR)
    result = radio_field(
        "Result", DrugTestResult.choices(), InputRequired(message="Select the result")
    )
    confirm = submit("Record drug test")


class AttendanceForm(FlaskForm):
    appointment_date = DateInput(
        "Date of the appointment", "Enter the date of the appointment", plausible=PAST_YEAR
    )
    outcome = radio_field(
        "Attendance", Attendance.choices(), InputRequired(message="Select the attendance")
    )
    confirm = submit("Record attendance")


class ReviewForm(FlaskForm):
    review_date = DateInput(
        "Date of the court review", "Enter the date of the court review", plausible=REVIEW_DATE
    )
    report_due = DateInput(
        "Probation review report due",
        "Enter the date the review report is due",
        plausible=REVIEW_DATE,
    )
    confirm = submit("Schedule review")


class ReviewReportForm(FlaskForm):
    report_sent_on = DateInput(
        "Date the report was sent to the court",
        "Enter the date the report was sent",
        plausible=PAST_YEAR,
    )
    confirm = submit("Record review report")
