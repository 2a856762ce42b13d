"""Filters and globals the templates share."""

from flask import Flask
from flask_login import current_user

from caseflow.dates import display
from caseflow.people import codes
from caseflow.people.identifiers import format_nhs_number
from caseflow.security.access import role_may

CODE_LISTS = {
    "sex": codes.SEX,
    "ethnic_group": codes.ETHNIC_GROUP,
    "substance_group": codes.SUBSTANCE_GROUP,
    "treatment_need": codes.TREATMENT_NEED,
    "opioid_substitution": codes.OPIOID_SUBSTITUTION,
    "release_type": codes.RELEASE_TYPE,
    "accommodation": codes.ACCOMMODATION,
    "expected_release_unknown": codes.EXPECTED_RELEASE_UNKNOWN,
}


CHANGE_NAMES = {
    "release_recorded": "Release recorded",
    "release_corrected": "Release date corrected",
    "expected_release_moved": "Expected release date moved",
    "transferred": "Transferred",
}


def code_name(code: str | None, list_name: str) -> str:
    if not code:
        return "Not recorded"
    return CODE_LISTS[list_name].get(code, code)


def permitted(permission: str) -> bool:
    return current_user.is_authenticated and role_may(current_user.role, permission)


def init_app(app: Flask) -> None:
    app.add_template_filter(display, "long_date")
    app.add_template_filter(lambda v: format_nhs_number(v) if v else "", "nhs_number")
    app.add_template_filter(code_name, "code")
    app.add_template_filter(lambda flag: "Yes" if flag else "No", "yes_no")
    app.add_template_filter(permitted, "permitted")
    app.add_template_filter(lambda kind: CHANGE_NAMES.get(kind, kind), "change_name")
