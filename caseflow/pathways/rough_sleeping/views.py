"""The rough sleeping pathway's pages: opening a case, the case, each change, the worklists."""

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow import errors
from caseflow.pathways.rough_sleeping import (
    bp,
    forms,
    membership,  # noqa: F401  (registers the measure's breakdown)
    person_page,  # noqa: F401  (registers the person page parts)
    scoping,
    services,
    worklists,
)
from caseflow.pathways.rough_sleeping.transitions import TRANSITIONS
from caseflow.security.access import requires


def _case_url(case_id) -> str:
    return url_for("rough_sleeping.show", rough_sleeping_id=case_id)


@bp.route("/people/<uuid:person_id>/new", methods=["GET", "POST"])
@requires("rough_sleeping.open")
def open_case(person_id: uuid.UUID):
    form = forms.OpenCaseForm(subject=person_id)

    def page(stale: bool = False):
        person = services.person_for_opening(current_user, person_id)
        episode = person.current_episode
        if request.method == "GET" and episode is not None and not form.first_night.data:
            # The prison's expectation is the starting answer; the person says where they were.
            form.first_night.data = episode.accommodation_on_release
        return render_template(
            "pathways/rough_sleeping/open.html",
            form=form,
            person=person,
            episode=services.release_to_open(current_user, person),
        )

    errors.on_form(form, page, record_url=url_for("people.show", person_id=person_id))
    if form.validate_on_submit():
        case = services.open_case(
            current_user,
            person_id,
            first_night=form.first_night.data,
            token=form.token.data or None,
        )
        flash("Rough sleeping case opened", "success")
        return redirect(_case_url(case.id))
    return page()


@bp.route("/cases/<uuid:rough_sleeping_id>")
@requires("rough_sleeping.view")
def show(rough_sleeping_id: uuid.UUID):
    case = services.view_case(current_user, rough_sleeping_id)
    return render_template(
        "pathways/rough_sleeping/show.html",
        case=case,
        clock=services.clock_of(case),
        dues=services.dues_of(case),
        housing_status=services.housing_status(case),
        actions=services.actions_for(current_user, case),
    )


def _form_page(form, case_id, *, action: str, title: str, warning: bool = False):
    def page(stale: bool = False):
        case = services.view_case(current_user, case_id, page=action)
        return render_template(
            "pathways/rough_sleeping/change.html",
            form=form,
            case=case,
            title=title,
            warning=warning,
            clock=services.clock_of(case),
            dues=services.dues_of(case),
            refusal=services.refusal_of(current_user, case, action)
            if action in TRANSITIONS
            else None,
        )

    errors.on_form(form, page, record_url=_case_url(case_id))
    return page


def _form_for(action: str):
    form_class = TRANSITIONS[action].form
    if action == "assign_team":
        return form_class(teams=services.outreach_teams())
    if action == "refer":
        return form_class(authorities=services.housing_authorities())
    return form_class()


def _inputs(action: str, form) -> dict:
    data = {
        name: field.data
        for name, field in form._fields.items()
        if name not in ("csrf_token", "confirm")
    }
    if action == "assign_team":
        data["team_id"] = _uuid(data.pop("team"))
    if action == "refer":
        data["housing_authority_id"] = _uuid(data.pop("housing_authority"))
    return data


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _change(case_id: uuid.UUID, action: str):
    transition = TRANSITIONS[action]
    form = _form_for(action)
    page = _form_page(
        form, case_id, action=action, title=transition.title, warning=transition.warning
    )
    if form.validate_on_submit():
        services.change_status(current_user, case_id, action, **_inputs(action, form))
        flash(transition.done_message, "success")
        if not scoping.may_see(current_user, case_id):
            return redirect(url_for("main.home"))
        return redirect(_case_url(case_id))
    return page()


def _register_change_view(action: str) -> None:
    def view(rough_sleeping_id: uuid.UUID):
        return _change(rough_sleeping_id, action)

    view.__name__ = f"change_{action}"
    bp.add_url_rule(
        f"/cases/<uuid:rough_sleeping_id>/{action.replace('_', '-')}",
        endpoint=action,
        view_func=requires(TRANSITIONS[action].permission)(view),
        methods=["GET", "POST"],
    )


for _action in TRANSITIONS:
    _register_change_view(_action)


@bp.route("/cases/<uuid:rough_sleeping_id>/accommodation", methods=["GET", "POST"])
@requires("rough_sleeping.record")
def accommodation(rough_sleeping_id: uuid.UUID):
    form = forms.AccommodationForm()
    page = _form_page(
        form, rough_sleeping_id, action="accommodation", title="Record a change of accommodation"
    )
    if form.validate_on_submit():
        services.record_accommodation(
            current_user,
            rough_sleeping_id,
            category=form.category.data,
            from_date=form.from_date.data,
        )
        flash("Accommodation recorded", "success")
        return redirect(_case_url(rough_sleeping_id))
    return page()


@bp.route("/cases/<uuid:rough_sleeping_id>/prescribing", methods=["GET", "POST"])
@requires("rough_sleeping.record")
def prescribing(rough_sleeping_id: uuid.UUID):
    form = forms.PrescribingForm()
    page = _form_page(form, rough_sleeping_id, action="prescribing", title="Same-day prescribing")
    if form.validate_on_submit():
        services.record_prescribing(
            current_user,
            rough_sleeping_id,
            arranged=form.arranged.data == "yes",
            prescriber=form.prescriber.data,
        )
        flash("Same-day prescribing recorded", "success")
        return redirect(_case_url(rough_sleeping_id))
    return page()


@bp.route("/worklist")
@requires("rough_sleeping.worklist")
def worklist():
    page = worklists.without_a_home(current_user, page=request.args.get("page", 1, type=int) or 1)
    worklists.audit_list(current_user, "rough_sleeping.without_a_home", page)
    return render_template("pathways/rough_sleeping/worklist.html", page=page)


@bp.route("/worklist/outcomes")
@requires("rough_sleeping.worklist")
def outcomes():
    weeks = worklists.three_week_outcomes_due(
        current_user, page=request.args.get("weeks", 1, type=int) or 1
    )
    months = worklists.three_month_outcomes_due(
        current_user, page=request.args.get("months", 1, type=int) or 1
    )
    worklists.audit_list(current_user, "rough_sleeping.outcomes_due", weeks, months)
    return render_template("pathways/rough_sleeping/outcomes.html", weeks=weeks, months=months)
