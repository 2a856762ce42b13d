from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from caseflow.forms import strip
from caseflow.security.passwords import MAX_LENGTH, MIN_LENGTH, password_problem


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Enter your password"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app",
        widget=GovTextInput(),
        filters=[strip],
        description="6 digits. If you have lost your phone, enter one of your recovery codes.",
        validators=[
            DataRequired(message="Enter the code from your authenticator app"),
            Length(max=20, message="Enter the 6-digit code from your authenticator app"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EnrolmentForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app",
        widget=GovTextInput(),
        filters=[strip],
        description="After adding Caseflow to the app, enter the 6-digit code it shows.",
        validators=[
            DataRequired(message="Enter the code from your authenticator app"),
            Length(max=20, message="Enter the 6-digit code from your authenticator app"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


def _password_rules(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description=(
            f"At least {MIN_LENGTH} characters. A few unrelated words together are easy to "
            "remember and hard to guess. Do not use a password you use anywhere else."
        ),
        validators=[
            DataRequired(message="Enter a password"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
            _password_rules,
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
