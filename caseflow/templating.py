"""Filters and globals the templates share."""

from flask import Flask
from flask_login import current_user
from jinja2 import pass_context

from caseflow.dates import display
from caseflow.people import codes
from caseflow.people.identifiers import format_nhs_number
from caseflow.people.timeline import CHANGE_NAMES
from caseflow.referrals import codes as referral_codes
from caseflow.referrals.timeline import EVENT_NAMES
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




def code_name(code: str | None, list_name: str) -> str:
    if not code:
        return "Not recorded"
    return CODE_LISTS[list_name].get(code, code)


@pass_context
def permitted(_context, permission: str) -> bool:
    """Whether the signed-in person's role has an activity.

    pass_context stops Jinja folding `"x" | permitted` into a constant when it compiles a
    template, which would fix the answer for everyone to that of the first person to load it.
    """
    return current_user.is_authenticated and role_may(current_user.role, permission)


STATUS_COLOURS = {
    "draft": "govuk-tag--grey",
    "sent": "govuk-tag--blue",
    "accepted": "govuk-tag--turquoise",
    "engaged": "govuk-tag--green",
    "closed": "govuk-tag--grey",
    "rejected": "govuk-tag--red",
    "withdrawn": "govuk-tag--grey",
}


NOTIFICATION_TEXT = {
    "send": "A referral was sent to your team",
    "redirect": "A referral was redirected to your team",
    "accept": "Your referral was accepted",
    "reject": "Your referral was rejected",
    "engage": "Treatment started on your referral",
}


def date_time(moment) -> str:
    from caseflow.dates import LONDON

    return moment.astimezone(LONDON).strftime("%-d %B %Y, %H:%M") if moment else ""


def init_app(app: Flask) -> None:
    app.add_template_filter(lambda s: referral_codes.STATUS_NAMES.get(s, s), "referral_status")
    app.add_template_filter(lambda s: STATUS_COLOURS.get(s, ""), "status_colour")
    app.add_template_filter(lambda c: referral_codes.CONSENT.get(c, c), "consent_name")
    app.add_template_filter(
        lambda o: referral_codes.APPOINTMENT_OUTCOMES.get(o, o), "appointment_outcome"
    )
    app.add_template_filter(date_time, "date_time")
    app.add_template_filter(lambda k: EVENT_NAMES.get(k, k), "event_name")
    app.add_template_filter(
        lambda code: (
            referral_codes.REJECTION_REASONS.get(code)
            or referral_codes.CLOSING_REASONS.get(code, code)
        ),
        "reason_name",
    )
    app.add_template_filter(lambda k: NOTIFICATION_TEXT.get(k, k), "notification_text")
    app.add_template_filter(display, "long_date")
    app.add_template_filter(lambda v: format_nhs_number(v) if v else "", "nhs_number")
    app.add_template_filter(code_name, "code")
    app.add_template_filter(lambda flag: "Yes" if flag else "No", "yes_no")
    app.add_template_filter(permitted, "permitted")
    app.add_template_filter(lambda kind: CHANGE_NAMES.get(kind, kind), "change_name")
