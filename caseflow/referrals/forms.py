"""Forms for the referral journey."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from wtforms import HiddenField, SelectMultipleField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from caseflow import dates
from caseflow.forms import (
    APPOINTMENT_DATE,
    LAST_DOSE_DATE,
    TREATMENT_START_DATE,
    DateInput,
    OneTimeForm,
    radio_field,
    reason_field,
    select_field,
    submit,
    text_area,
    text_field,
    time_field,
    yes_no_field,
)
from caseflow.people.codes import OpioidSubstitution, SubstanceGroup
from caseflow.people.forms import VersionedForm
from caseflow.referrals.codes import (
    ATTENDANCE_OUTCOMES,
    AppointmentOutcome,
    ClosingReason,
    Consent,
    RejectionReason,
)

OTHER_NEEDS = {
    "mental_health_need": "Mental health need",
    "housing_need": "Housing need (no settled accommodation)",
}


def provider_choices(providers) -> list[tuple[str, str]]:
    return [("", "Select provider"), *((str(p.id), p.name) for p in providers)]


class ReferralForm(VersionedForm):
    """A referral's handover: edited as a draft, and, as NewReferralForm, made."""

    provider = select_field(
        "Community treatment provider",
        [],
        InputRequired(message="Select the community treatment provider"),
        hint="Providers serving the local authority the person is going to",
    )
    consent = radio_field(
        "Consent to share this referral",
        Consent.choices(),
        InputRequired(message="Select whether the person consents to sharing"),
    )
    consent_override_reason = text_area(
        "Reason for sharing without consent",
        Optional(),
        max_length=500,
    )
    substance_group = select_field(
        "Substance group",
        SubstanceGroup.choices(blank="Select substance group"),
        InputRequired(message="Select the substance group"),
    )
    opioid_medicine = select_field(
        "Opioid substitution medicine",
        OpioidSubstitution.choices(),
        InputRequired(message="Select the opioid substitution medicine, or None"),
    )
    opioid_dose = text_field(
        "Dose (if on opioid substitution)",
        Optional(),
        max_length=100,
        name="Dose",
        hint="For example, 60ml daily",
    )
    last_dose_date = DateInput("Date of last dose in custody", plausible=LAST_DOSE_DATE)
    bridging_prescription = yes_no_field(
        "Bridging prescription arranged?", "Select yes if a bridging prescription is arranged"
    )
    long_acting_injectable = yes_no_field(
        "On long-acting injectable buprenorphine?", "Select yes if on long-acting injectable"
    )
    naloxone_on_release = yes_no_field(
        "Naloxone given on release?", "Select yes if naloxone is given on release"
    )
    other_needs = SelectMultipleField(
        "Other needs",
        choices=list(OTHER_NEEDS.items()),
        widget=GovCheckboxesInput(),
        description="Select all that apply",
    )
    risks = text_area("Risks", Optional(), max_length=2000)
    contact_after_release = text_area(
        "Contact details after release",
        Optional(),
        max_length=500,
        hint="Phone, address or someone who can pass on messages",
    )
    save_draft = submit("Save as draft")
    # Saves the draft and goes on to check the answers: the referral is sent from that page.
    send = submit("Continue")

    def __init__(self, *args, providers=(), released_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = provider_choices(providers)
        self.released_on = released_on

    def validate_last_dose_date(self, field):
        # A dose in custody is given before release, once the person has been released.
        if field.data and self.released_on and field.data > self.released_on:
            raise ValidationError(
                "Date of last dose in custody must be the same as or before the date of "
                f"release, {dates.display(self.released_on)}"
            )

    def validate_consent_override_reason(self, field):
        if self.consent.data == Consent.OVERRIDDEN and not field.data:
            raise ValidationError("Enter the reason for sharing without consent")

    def validate_opioid_dose(self, field):
        if self.opioid_medicine.data not in (None, "", OpioidSubstitution.NONE) and not field.data:
            raise ValidationError("Enter the dose")


class NewReferralForm(OneTimeForm, ReferralForm):
    """A new referral for a person (the form's subject)."""

    record_kind = "referral"


class ConfirmForm(FlaskForm):
    confirm = submit("Confirm")


class RejectForm(FlaskForm):
    reason_code = radio_field(
        "Why are you rejecting this referral?",
        RejectionReason.choices(),
        InputRequired(message="Select why you are rejecting this referral"),
    )
    reason = reason_field("Details for the referrer", "Enter details for the referrer")
    confirm = submit("Reject referral")


class DestinationChoiceForm(FlaskForm):
    """On the redirect page, where the person is going now: it chooses which providers are
    offered (sent by GET, so it changes nothing and needs no CSRF token)."""

    class Meta:
        csrf = False

    local_authority_code = select_field(
        "Local authority the person is going to",
        [],
        hint="If the person is now going somewhere else, choose where and show its providers",
    )

    def __init__(self, *args, local_authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.local_authority_code.choices = [
            (authority.ons_code, authority.name) for authority in local_authorities
        ]


class RedirectForm(FlaskForm):
    provider = select_field(
        "Redirect to", [], InputRequired(message="Select the provider to redirect to")
    )
    # The local authority whose providers were offered: when it is not the destination recorded,
    # the redirect corrects the destination to it, with the same reason.
    local_authority_code = HiddenField(validators=[Optional(), Length(max=9)])
    reason = reason_field(
        "Why are you redirecting this referral?",
        "Enter why you are redirecting this referral",
        name="Reason for redirecting",
    )
    confirm = submit("Redirect referral")

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = provider_choices(providers)


class WithdrawForm(FlaskForm):
    reason = reason_field(
        "Why are you withdrawing this referral?",
        "Enter why you are withdrawing this referral",
        name="Reason for withdrawing",
    )
    confirm = submit("Withdraw referral")


class CloseForm(FlaskForm):
    reason_code = radio_field(
        "Why is this referral closing?",
        ClosingReason.choices(),
        InputRequired(message="Select why the referral is closing"),
    )
    reason = text_area("Notes (optional)", Optional(), max_length=500, name="Notes")
    confirm = submit("Close referral")


class TreatmentStartForm(FlaskForm):
    treatment_start_date = DateInput(
        "Date of the first structured treatment intervention",
        required="Enter the date treatment started",
        plausible=TREATMENT_START_DATE,
    )
    confirm = submit("Record treatment start")


class AppointmentForm(OneTimeForm):
    """An appointment booked on a referral (the form's subject)."""

    record_kind = "appointment"
    appointment_date = DateInput(
        "Date of appointment",
        required="Enter the date of the appointment",
        plausible=APPOINTMENT_DATE,
    )
    appointment_time = time_field("Time (optional)")
    confirm = submit("Book appointment")


class AttendanceForm(FlaskForm):
    outcome = radio_field(
        "Did the person attend?",
        AppointmentOutcome.choices(only=ATTENDANCE_OUTCOMES),
        InputRequired(message="Select whether the person attended"),
    )
    confirm = submit("Save attendance")


class AssignForm(FlaskForm):
    keyworker = select_field("Keyworker", [], InputRequired(message="Select a keyworker"))
    confirm = submit("Assign")

    def __init__(self, *args, keyworkers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.keyworker.choices = [("", "Select keyworker")] + [
            (str(k.id), k.display_name) for k in keyworkers
        ]


class OpenNotificationForm(FlaskForm):
    """Opening one notification: sent, not followed, since it marks the notification read (a
    GET changes nothing, SECURITY.md). The page draws the id as a hidden input beside its
    button."""

    notification = text_field("Notification", InputRequired(), max_length=36)


class MoveAppointmentForm(AppointmentForm):
    """A booked appointment moved to a new day or time (the form's subject): the one booked is
    marked rebooked and a new one is booked, so sending the form twice books one."""

    confirm = submit("Move appointment")


class CancelAppointmentForm(FlaskForm):
    reason = reason_field(
        "Why is this appointment being cancelled?",
        "Enter why the appointment is being cancelled",
        name="Reason for cancelling",
    )
    confirm = submit("Cancel appointment")


class TreatmentStartCorrectionForm(VersionedForm, TreatmentStartForm):
    """The first structured intervention date corrected, with the reason, on the version of the
    referral the page showed."""

    reason = reason_field(
        "Why are you correcting the treatment start?",
        "Enter why you are correcting the treatment start",
        name="Reason for the correction",
    )
    confirm = submit("Save correction")
