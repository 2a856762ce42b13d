"""Forms for adding and finding people and recording custody."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovSubmitInput,
)
from wtforms import (
    BooleanField,
    PasswordField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from caseflow.forms import (
    DATE_OF_BIRTH,
    EXPECTED_RELEASE_DATE,
    LAST_DOSE_DATE,
    RECEPTION_DATE,
    RELEASE_DATE,
    DateInput,
    OneTimeForm,
    radio_field,
    reason_field,
    select_field,
    submit,
    text_area,
    text_field,
    yes_no_field,
)
from caseflow.people import identifiers
from caseflow.people.codes import (
    Accommodation,
    EthnicGroup,
    ExpectedReleaseUnknown,
    OpioidSubstitution,
    PersonFlag,
    ReleaseType,
    Sex,
    SubstanceGroup,
    TreatmentNeed,
)
from caseflow.security.passwords import MAX_LENGTH
from caseflow.versioned_forms import VersionedForm

# Identifiers are a few characters however they are typed: longer is not an identifier. The
# format check's message comes first; the limit only stops very long input early.
NHS_NUMBER_LIMIT = {"max_length": 20, "name": "NHS number"}
PRISON_NUMBER_LIMIT = {"max_length": 20, "name": "Prison number"}
CRN_LIMIT = {"max_length": 20, "name": "Case reference number"}


def nhs_number_check(form, field):
    if field.data and not identifiers.nhs_number_is_valid(field.data):
        raise ValidationError("Enter a valid NHS number, like 943 476 5919")


def prison_number_check(form, field):
    if field.data and not identifiers.PRISON_NUMBER.match(identifiers.compact(field.data)):
        raise ValidationError("Enter a prison number in the correct format, like A1234BC")


def crn_check(form, field):
    if field.data and not identifiers.CRN.match(identifiers.compact(field.data)):
        raise ValidationError("Enter a case reference number in the correct format, like X123456")


def pnc_check(form, field):
    if field.data and not identifiers.PNC_NUMBER.match(identifiers.compact(field.data)):
        raise ValidationError("Enter a PNC number in the correct format, like 2012/0052494X")


class PersonForm(OneTimeForm):
    """A new person. The form's subject is the organisation recording them: there is no person
    yet for its one-time token to be about."""

    record_kind = "person"
    given_name = text_field(
        "Given name", DataRequired(message="Enter the given name"), max_length=100
    )
    family_name = text_field(
        "Family name", DataRequired(message="Enter the family name"), max_length=100
    )
    date_of_birth = DateInput(
        "Date of birth", required="Enter the date of birth", plausible=DATE_OF_BIRTH
    )
    sex = radio_field("Sex", Sex.choices(), InputRequired(message="Select sex"))
    ethnic_group = select_field(
        "Ethnic group",
        EthnicGroup.choices(blank="Select ethnic group"),
        InputRequired(message="Select the ethnic group, or Not stated"),
    )
    nhs_number = text_field(
        "NHS number (optional)",
        Optional(),
        nhs_number_check,
        **NHS_NUMBER_LIMIT,
        hint="10 digits, like 943 476 5919",
    )
    prison_number = text_field(
        "Prison number (optional)",
        Optional(),
        prison_number_check,
        **PRISON_NUMBER_LIMIT,
        hint="Like A1234BC",
    )
    crn = text_field(
        "Probation case reference number (CRN) (optional)",
        Optional(),
        crn_check,
        **CRN_LIMIT,
        hint="Like X123456",
    )
    pnc_number = text_field(
        "PNC number (optional)", Optional(), pnc_check, max_length=20, name="PNC number"
    )
    address = text_area(
        "Address after release (optional)", Optional(), max_length=300, name="Address"
    )
    phone = text_field(
        "Phone number (optional)",
        Optional(),
        max_length=30,
        name="Phone number",
        hint="For contact after release",
    )
    flags = SelectMultipleField(
        "Flags",
        choices=PersonFlag.choices(),
        widget=GovCheckboxesInput(),
        description="Select all that apply",
    )
    # Asked only when someone with this name and date of birth is already recorded.
    confirmed_new = BooleanField(
        "This is a different person: add them as a new record", widget=GovCheckboxInput()
    )
    submit = submit("Save person")


class CustodyEpisodeForm(FlaskForm):
    reception_date = DateInput(
        "Reception date", required="Enter the reception date", plausible=RECEPTION_DATE
    )
    expected_release_date = DateInput(
        "Expected release date (if known)", plausible=EXPECTED_RELEASE_DATE
    )
    # Asked, as a follow-up revealed under the checkbox, only when the date is not known.
    expected_release_not_known = BooleanField(
        "The expected release date is not known yet", widget=GovCheckboxInput()
    )
    expected_release_unknown_reason = select_field(
        "Why is the release date not known?",
        ExpectedReleaseUnknown.choices(blank="Select a reason"),
    )
    destination_local_authority = select_field(
        "Local authority the person is expected to live in after release",
        [],
        hint=(
            "Leave this out only if the person will be released outside England, to another "
            "secure setting or by deportation"
        ),
    )
    accommodation_on_release = select_field(
        "Accommodation on release",
        Accommodation.choices(blank="Select accommodation"),
        InputRequired(message="Select the accommodation on release, or Not known"),
    )
    treatment_need = radio_field(
        "Community treatment need",
        TreatmentNeed.choices(),
        InputRequired(message="Select the community treatment need"),
    )
    substance_group = select_field(
        "Substance group",
        SubstanceGroup.choices(blank="No substance group"),
    )
    opioid_substitution = select_field(
        "Opioid substitution treatment",
        OpioidSubstitution.choices(),
        InputRequired(message="Select the opioid substitution treatment, or None"),
    )
    last_dose_date = DateInput(
        "Date of last dose (if on opioid substitution)", plausible=LAST_DOSE_DATE
    )
    naloxone_issued = yes_no_field(
        "Naloxone to be issued on release?", "Select yes if naloxone will be issued"
    )
    bridging_prescription = yes_no_field(
        "Bridging prescription arranged?", "Select yes if a bridging prescription is arranged"
    )
    submit = submit("Save custody episode")

    def __init__(self, *args, local_authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.destination_local_authority.choices = [
            ("", "Select local authority"),
            *((la.ons_code, la.name) for la in local_authorities),
        ]
        if self.expected_release_unknown_reason.data:
            # A reason given is never hidden under an unticked box.
            self.expected_release_not_known.data = True

    def validate_expected_release_unknown_reason(self, field):
        if self.expected_release_not_known.data and not field.data:
            raise ValidationError("Select why the release date is not known")
        if not self.expected_release_date.data and not field.data:
            raise ValidationError("Enter the expected release date, or say why it is not known")

    def validate_last_dose_date(self, field):
        on_treatment = self.opioid_substitution.data not in (None, "", OpioidSubstitution.NONE)
        if on_treatment and not field.data:
            raise ValidationError("Enter the date of the last dose")


class PersonDetailsForm(VersionedForm):
    """A change to a person's details: the questions of adding them, with the version the page
    was shown with."""

    given_name = PersonForm.given_name
    family_name = PersonForm.family_name
    date_of_birth = PersonForm.date_of_birth
    sex = PersonForm.sex
    ethnic_group = PersonForm.ethnic_group
    nhs_number = PersonForm.nhs_number
    prison_number = PersonForm.prison_number
    crn = PersonForm.crn
    pnc_number = PersonForm.pnc_number
    address = PersonForm.address
    phone = PersonForm.phone
    flags = PersonForm.flags
    submit = submit("Save changes")

    def validate_date_of_birth(self, field):
        # Whatever further check adding a person makes of the date, changing it makes too.
        check = getattr(PersonForm, "validate_date_of_birth", None)
        if check is not None:
            check(self, field)


class ReleaseForm(VersionedForm):
    actual_release_date = DateInput(
        "Date of release", required="Enter the date of release", plausible=RELEASE_DATE
    )
    release_type = select_field(
        "Type of release",
        ReleaseType.choices(blank="Select type of release"),
        InputRequired(message="Select the type of release"),
    )
    unplanned_release = BooleanField(
        "This release was unplanned (for example, released from court)", widget=GovCheckboxInput()
    )
    reason = reason_field("Notes on the release", "Enter notes on the release")
    submit = submit("Record release")


class ExpectedReleaseForm(VersionedForm):
    expected_release_date = DateInput(
        "New expected release date",
        required="Enter the new expected release date",
        plausible=EXPECTED_RELEASE_DATE,
    )
    reason = reason_field()
    submit = submit("Change expected release date")


class TransferForm(VersionedForm):
    prison = select_field("Prison", [], InputRequired(message="Select the prison"))
    reason = reason_field("Reason for the transfer", "Enter the reason for the transfer")
    submit = submit("Record transfer")

    def __init__(self, *args, prisons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.prison.choices = [("", "Select prison"), *((str(p.id), p.name) for p in prisons)]


class FindPersonForm(FlaskForm):
    nhs_number = text_field("NHS number", Optional(), nhs_number_check, **NHS_NUMBER_LIMIT)
    prison_number = text_field(
        "Prison number", Optional(), prison_number_check, **PRISON_NUMBER_LIMIT
    )
    crn = text_field("Probation case reference number (CRN)", Optional(), crn_check, **CRN_LIMIT)
    family_name = text_field("Family name", Optional(), max_length=100)
    date_of_birth = DateInput("Date of birth")
    submit = submit("Find person")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.nhs_number.data or self.prison_number.data or self.crn.data:
            return True
        if self.family_name.data and not self.date_of_birth.data:
            self.date_of_birth.errors.append("Enter the date of birth to search by family name")
            return False
        if self.date_of_birth.data and not self.family_name.data:
            self.family_name.errors.append("Enter the family name to search by date of birth")
            return False
        if not self.family_name.data:
            self.nhs_number.errors.append(
                "Enter an NHS number, prison number, CRN, or family name and date of birth"
            )
            return False
        return True


class CaseNoteForm(OneTimeForm):
    """A case note on a person's timeline (the form's subject)."""

    record_kind = "case_note"
    text = text_area("Case note", DataRequired(message="Enter the case note"), max_length=5000)
    submit = submit("Add case note")


class BreakGlassForm(FlaskForm):
    password = PasswordField(
        "Your password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Enter your password"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
    )
    reason = text_area(
        "Why do you need this record now?",
        DataRequired(message="Enter why you need this record now"),
        max_length=500,
        name="Reason",
        hint="Auditors review every emergency access.",
    )
    submit = SubmitField("Open the record", widget=GovSubmitInput())


class ContactForm(VersionedForm):
    """A named contact: who they are and how to reach them (people/contacts.py)."""

    name = text_field("Name", DataRequired(message="Enter the contact's name"), max_length=100)
    team = text_field("Team (optional)", Optional(), max_length=100, name="Team")
    phone = text_field(
        "Phone number", Optional(), max_length=30, hint="A phone number or an email address"
    )
    email = text_field("Email address", Optional(), max_length=254)
    submit = submit("Save contact")
