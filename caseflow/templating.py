"""Filters and globals the templates share: framework-level only.

The words for a stored code come from the code list its domain declares (caseflow.codes), through
the one ``label`` filter; no domain vocabulary is kept here.
"""

from flask import Flask
from flask_login import current_user
from jinja2 import pass_context

from caseflow.codes import label, tag_class
from caseflow.dates import display, display_date_time
from caseflow.people.identifiers import format_nhs_number
from caseflow.security.access import role_may


@pass_context
def permitted(_context, permission: str) -> bool:
    """Whether the signed-in person's role has an activity.

    pass_context stops Jinja folding `"x" | permitted` into a constant when it compiles a
    template, which would fix the answer for everyone to that of the first person to load it.
    """
    return current_user.is_authenticated and role_may(current_user.role, permission)


def compile_all(app: Flask) -> int:
    """Compile every page template into the environment's cache ahead of the first request
    (gunicorn.conf.py does it in the master, before the workers are forked from it); how many.
    Jinja's cache holds 400 templates by default, all of Caseflow's and the GOV.UK macros."""
    environment = app.jinja_env
    names = [name for name in environment.list_templates() if name.endswith(".html")]
    for name in names:
        environment.get_template(name)
    return len(names)


def init_app(app: Flask) -> None:
    app.add_template_filter(label, "label")  # code | label("sex")
    app.add_template_filter(tag_class, "tag_class")  # code | tag_class("referral_status")
    app.add_template_filter(display_date_time, "date_time")
    app.add_template_filter(display, "long_date")
    app.add_template_filter(lambda v: format_nhs_number(v) if v else "", "nhs_number")
    app.add_template_filter(lambda flag: "Yes" if flag else "No", "yes_no")
    app.add_template_filter(permitted, "permitted")
