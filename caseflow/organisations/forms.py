"""Forms for the administrators' pages: organisations and staff accounts."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Length, Regexp, StopValidation, ValidationError

from caseflow.forms import submit, text_field
from caseflow.organisations import accounts, services
from caseflow.organisations.models import OrganisationKind
from caseflow.security.access import Role
from caseflow.widgets import SelectInput


class _OneOf:
    """A choice checked with GOV.UK wording: the same message for nothing chosen and a forgery."""

    def pre_validate(self, form):
        allowed = {str(value) for value, *_ in self.choices} - {""}
        if self.data is None or str(self.data) not in allowed:
            self.data = ""  # a forged value is not shown back
            raise StopValidation(self.choice_message)


class ChoiceRadios(_OneOf, RadioField):
    def __init__(self, label: str, choices, message: str, hint: str | None = None, **kwargs):
        super().__init__(
            label, choices=choices, widget=GovRadioInput(), description=hint or "", **kwargs
        )
        self.choice_message = message


class ChoiceSelect(_OneOf, SelectField):
    def __init__(self, label: str, choices, message: str, hint: str | None = None, **kwargs):
        kwargs.setdefault("default", "")
        super().__init__(
            label, choices=choices, widget=SelectInput(), description=hint or "", **kwargs
        )
        self.choice_message = message


class AreasField(SelectMultipleField):
    """Local authorities by ONS code. Drawn by the template, grouped by region."""

    def process_formdata(self, valuelist):
        # Keep order, drop repeats; an ONS code is nine characters, anything longer is forged.
        self.data = list(dict.fromkeys(value[:20] for value in valuelist))

    def pre_validate(self, form):
        allowed = {value for value, _ in self.choices}
        if any(code not in allowed for code in self.data or ()):
            self.data = [code for code in self.data if code in allowed]
            raise StopValidation("Select local authorities from the list")


def _max(label: str, size: int) -> Length:
    return Length(max=size, message=f"{label} must be {size} characters or fewer")


def _area_choices(local_authorities) -> list[tuple[str, str]]:
    return [(authority.ons_code, authority.name) for authority in local_authorities]


class OrganisationForm(FlaskForm):
    name = text_field(
        "Name",
        DataRequired(message="Enter the name of the organisation"),
        _max("Name", services.NAME_MAX_LENGTH),
    )
    kind = ChoiceRadios(
        "Kind of organisation",
        OrganisationKind.choices(),
        "Select the kind of organisation",
    )
    areas = AreasField("Local authorities covered")
    submit = submit("Add organisation")

    def __init__(self, *args, local_authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas.choices = _area_choices(local_authorities)

    def validate_areas(self, field):
        kind = self.kind.data
        if not OrganisationKind.has(kind):
            return
        if services.kind_covers_areas(kind) and not field.data:
            raise ValidationError("Select the local authorities the organisation covers")
        if not services.kind_covers_areas(kind) and field.data:
            raise ValidationError(
                "Only community services and partnerships cover local authorities: "
                "unselect them, or choose another kind of organisation"
            )


class EditOrganisationForm(FlaskForm):
    name = text_field(
        "Name",
        DataRequired(message="Enter the name of the organisation"),
        _max("Name", services.NAME_MAX_LENGTH),
    )
    areas = AreasField("Local authorities covered")
    submit = submit("Save changes")

    def __init__(self, *args, local_authorities=(), covers_areas=True, **kwargs):
        super().__init__(*args, **kwargs)
        if covers_areas:
            self.areas.choices = _area_choices(local_authorities)
        else:
            del self.areas  # a prison, court or the service: only its name changes

    def validate_areas(self, field):
        if not field.data:
            raise ValidationError("Select the local authorities the organisation covers")


def _role_choices():
    return Role.choices()


def _organisation_choices(organisations):
    return [
        ("", "Select organisation"),
        *((str(o.id), f"{o.name} ({o.kind_name})") for o in organisations),
    ]


class NewUserForm(FlaskForm):
    display_name = text_field(
        "Full name",
        DataRequired(message="Enter the person's full name"),
        _max("Full name", accounts.NAME_MAX_LENGTH),
    )
    email = text_field(
        "Email address",
        DataRequired(message="Enter an email address"),
        _max("Email address", accounts.EMAIL_MAX_LENGTH),
        Regexp(
            accounts.EMAIL,
            message="Enter an email address in the correct format, like name@example.com",
        ),
        hint=(
            "They sign in with this address. Caseflow emails it a link to choose their own "
            "password and set up their authenticator app"
        ),
    )
    role = ChoiceRadios("Role", [], "Select a role")
    organisation = ChoiceSelect(
        "Organisation", [], "Select an organisation", hint="The organisation they work for"
    )
    submit = submit("Add user")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()
        self.organisation.choices = _organisation_choices(organisations)


class ChangeUserForm(FlaskForm):
    role = ChoiceRadios("Role", [], "Select a role")
    organisation = ChoiceSelect("Organisation", [], "Select an organisation")
    submit = submit("Save changes")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()
        self.organisation.choices = _organisation_choices(organisations)


class ConfirmForm(FlaskForm):
    """A button and a CSRF token: for changes that need no other input."""

    submit = submit("Continue")
