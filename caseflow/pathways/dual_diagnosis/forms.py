"""Forms of the dual diagnosis pathway."""

from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, Optional

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
    text_area,
    text_field,
)
from caseflow.pathways.dual_diagnosis.codes import (
    ClosingReason,
    DeclineReason,
    NeedCategory,
    Severity,
)
from caseflow.versioned_forms import VersionedForm

# The dates this pathway asks for, with the range each takes (as caseflow.forms does for the
# others): an assessment or a review that has happened, and plans made up to two years ahead.
ASSESSED_ON = DateRange(
    earliest=_ago(years=2),
    latest=_ago(),
    too_early="Date assessed must be within the last 2 years",
    too_late="Date assessed must be today or in the past",
)
HAPPENED = DateRange(
    earliest=_ago(years=1),
    latest=_ago(),
    too_early="The date must be within the last year",
    too_late="The date must be today or in the past",
)
PLANNED = DateRange(
    earliest=_ago(years=1),
    latest=_ahead(years=2),
    too_early="The date must be within the last year or the next 2 years",
    too_late="The date must be within the next 2 years",
)


class NeedFields(FlaskForm):
    need_category = radio_field(
        "Category of mental health need",
        NeedCategory.choices(),
        InputRequired(message="Select the category of mental health need"),
    )
    need_severity = radio_field(
        "Severity",
        Severity.choices(),
        InputRequired(message="Select how severe the need is"),
    )
    assessed_by = text_field(
        "Who assessed the need",
        InputRequired(message="Enter who assessed the need"),
        max_length=120,
        name="Who assessed",
        hint="Their name and role, for example Dr A Khan, prison psychiatrist",
    )
    assessed_on = DateInput(
        "Date assessed", required="Enter the date the need was assessed", plausible=ASSESSED_ON
    )


class NewCaseForm(OneTimeForm, NeedFields):
    """A co-occurring mental health need recorded and referred to a mental health service."""

    record_kind = "dual_diagnosis_case"
    mental_health_service = select_field(
        "Mental health service",
        [],
        InputRequired(message="Select the mental health service"),
        hint="Mental health services serving the area the person lives in or is going to",
    )
    confirm = submit("Record need and refer")

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.mental_health_service.choices = [("", "Select mental health service")] + [
            (str(service.id), service.name) for service in services
        ]


class NeedForm(VersionedForm, NeedFields):
    """The need as assessed again, on the version of the case the page showed."""

    confirm = submit("Save need")


class ConfirmForm(FlaskForm):
    confirm = submit("Confirm")


class AcceptForm(FlaskForm):
    care_coordinator = select_field(
        "Care coordinator",
        [],
        InputRequired(message="Select the care coordinator"),
        hint="The practitioner in your service who is the person's central contact",
    )
    confirm = submit("Accept referral")

    def __init__(self, *args, coordinators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.care_coordinator.choices = [("", "Select care coordinator")] + [
            (str(user.id), user.display_name) for user in coordinators
        ]


class CoordinatorForm(AcceptForm):
    confirm = submit("Save care coordinator")


class DeclineForm(FlaskForm):
    reason_code = radio_field(
        "Why are you declining this referral?",
        DeclineReason.choices(),
        InputRequired(message="Select why you are declining this referral"),
        hint=(
            "A referral cannot be declined because of the person's drug or alcohol use (NICE NG58)"
        ),
    )
    reason = text_area(
        "Details for the referrer",
        Optional(),
        max_length=500,
        name="Details",
        hint="Needed for another reason; say where the person can get help instead",
    )
    confirm = submit("Decline referral")


class WithdrawForm(FlaskForm):
    reason = reason_field(
        "Why are you withdrawing this referral?",
        "Enter why you are withdrawing this referral",
        name="Reason for withdrawing",
    )
    confirm = submit("Withdraw referral")


class ReviewForm(FlaskForm):
    reviewed_on = DateInput(
        "Date of the review", required="Enter the date of the review", plausible=HAPPENED
    )
    next_review_date = DateInput(
        "Date of the next review",
        required="Enter the date of the next review",
        plausible=PLANNED,
    )
    reason = text_area("Notes (optional)", Optional(), max_length=500, name="Notes")
    confirm = submit("Record review")


class CloseForm(FlaskForm):
    reason_code = radio_field(
        "Why is the mental health service's part ending?",
        ClosingReason.choices(),
        InputRequired(message="Select why the case is closing"),
        hint="A missed appointment is followed up, never a reason to close",
    )
    reason = text_area("Notes (optional)", Optional(), max_length=500, name="Notes")
    confirm = submit("Close case")


class PlanForm(VersionedForm):
    """The joint care plan, edited by either service on the version the page showed: two
    services saving at once keep both changes (``caseflow.versioned_forms``)."""

    needs = text_area(
        "Needs",
        Optional(),
        max_length=2000,
        hint="The person's mental health and substance use needs, as both services see them",
    )
    crisis_plan = text_area(
        "Crisis plan",
        Optional(),
        max_length=2000,
        hint="Warning signs, what helps, and who to call, day and night",
    )
    person_has_copy = radio_field(
        "Does the person have a copy of the plan?",
        [("yes", "Yes"), ("no", "No")],
        Optional(),
    )
    review_date = DateInput("Agreed review date", plausible=PLANNED)
    confirm = submit("Save plan")


class ActionFields(FlaskForm):
    description = text_area(
        "Action",
        InputRequired(message="Enter the action"),
        max_length=500,
    )
    owner = text_field(
        "Who owns it",
        InputRequired(message="Enter who owns the action"),
        max_length=120,
        name="Owner",
        hint="A named worker or a service, for example the care coordinator",
    )
    due_on = DateInput("Due date", required="Enter the due date", plausible=PLANNED)


class ActionForm(OneTimeForm, ActionFields):
    """One action added to a joint care plan (the form's subject is the case)."""

    record_kind = "dual_diagnosis_action"
    confirm = submit("Add action")


class ActionEditForm(VersionedForm, ActionFields):
    """An action changed by either service on the version the page showed."""

    confirm = submit("Save action")


class ActionDoneForm(VersionedForm):
    """An action marked done, on the version the page showed."""

    done_on = DateInput(
        "Date done", required="Enter the date the action was done", plausible=HAPPENED
    )
    confirm = submit("Mark as done")


class FollowUpForm(FlaskForm):
    appointment = radio_field(
        "Which missed appointment was followed up?",
        [],
        InputRequired(message="Select the missed appointment"),
    )
    followed_up_on = DateInput(
        "Date followed up", required="Enter the date it was followed up", plausible=HAPPENED
    )
    note = text_area(
        "What was done",
        InputRequired(message="Enter what was done to follow it up"),
        max_length=1000,
        name="What was done",
    )
    confirm = submit("Record follow-up")

    def __init__(self, *args, missed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment.choices = [(str(a.id), a.label) for a in missed]
