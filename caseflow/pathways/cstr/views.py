"""The Community Sentence Treatment Requirements pathway's pages: asking for an assessment, the
CSTR's own page, one page per change of its lifecycle, the records kept under a live order, and
the worklist. Each parses the form, calls one service and redirects or shows the page again."""

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow import errors
from caseflow.pathways.cstr import bp, counts, forms, person_page, records, services, worklists
from caseflow.pathways.cstr.transitions import TRANSITIONS
from caseflow.people import services as people
from caseflow.security.access import requires

# Imported for what they register when the package loads: the person page's panel and timeline,
# the worklist tab and the monthly report's section.
_REGISTERED = (counts, person_page, worklists)

ORGANISATION_FIELDS = {
    "provider": "provider_id",
    "mental_health_service": "mental_health_service_id",
    "court": "court_id",
}


def _inputs(form) -> dict:
    """The form's answers in the services' terms: organisations by id, yes or no as booleans."""
    data = {}
    for name, field in form._fields.items():
        if name in ("csrf_token", "confirm", "token"):
            continue
        if name in ORGANISATION_FIELDS:
            data[ORGANISATION_FIELDS[name]] = uuid.UUID(field.data) if field.data else None
        elif name == "consent":
            data[name] = field.data == "yes"
        else:
            data[name] = field.data
    return data


@bp.route("/people/<uuid:person_id>/new", methods=["GET", "POST"])
@requires("cstr.supervise")
def new_request(person_id: uuid.UUID):
    services.person_for_request(current_user, person_id)
    parties = services.parties()
    form = forms.RequestForm(
        providers=parties.providers,
        mental_health_services=parties.mental_health_services,
        local_authorities=parties.local_authorities,
        subject=person_id,
    )

    def page(stale: bool = False):
        person = people.view_person(current_user, person_id, page="new cstr", starting_record=True)
        return render_template("pathways/cstr/new.html", form=form, person=person)

    errors.on_form(form, page)
    if form.validate_on_submit():
        data = _inputs(form)
        order = services.request_assessment(
            current_user,
            person_id,
            requirements=data["requirements"],
            provider_id=data["provider_id"],
            mental_health_service_id=data["mental_health_service_id"],
            local_authority_code=data["local_authority"],
            court_report_due=data["court_report_due"],
            token=form.token.data or None,
        )
        flash("Suitability assessment requested", "success")
        return redirect(url_for("cstr.show", cstr_id=order.id))
    return page()


@bp.route("/<uuid:cstr_id>")
@requires("cstr.view")
def show(cstr_id: uuid.UUID):
    order = services.view_order(current_user, cstr_id)
    return render_template(
        "pathways/cstr/show.html",
        order=order,
        clock=services.clock_summary(order),
        action_groups=services.action_groups_for(current_user, order),
        reviews_required=services.reviews_required(order),
        review_needed=services.court_review_needed(order),
    )


def _record_page(form, cstr_id: uuid.UUID, *, action: str, title: str, warning: bool = False):
    """A change's page, named as the page its form is shown on; a change that cannot be made
    now is explained on the CSTR's own page."""

    def page(stale: bool = False):
        order = services.view_order(current_user, cstr_id, page=action, independent=stale)
        return render_template(
            "pathways/cstr/change.html",
            form=form,
            order=order,
            title=title,
            warning=warning,
            clock=services.clock_summary(order),
            refusal=services.refusal_of(current_user, order, action),
        )

    errors.on_form(form, page, record_url=url_for("cstr.show", cstr_id=cstr_id))
    return page


def _done(message: str, cstr_id: uuid.UUID):
    flash(message, "success")
    return redirect(url_for("cstr.show", cstr_id=cstr_id))


def _change(cstr_id: uuid.UUID, action: str):
    transition = TRANSITIONS[action]
    if transition.form is forms.OrderForm:
        parties = services.parties()
        form = forms.OrderForm(
            providers=parties.providers,
            mental_health_services=parties.mental_health_services,
            courts=parties.courts,
        )
        if request.method == "GET":
            # What probation asked the assessment for, so nobody types it twice.
            asked = services.requested_parties(current_user, cstr_id)
            form.requirements.data = asked["requirements"]
            form.provider.data = asked["provider"]
            form.mental_health_service.data = asked["mental_health_service"]
    else:
        form = transition.form()
    page = _record_page(
        form, cstr_id, action=action, title=transition.title, warning=transition.warning
    )
    if form.validate_on_submit():
        services.change(current_user, cstr_id, action, **_inputs(form))
        return _done(transition.done_message, cstr_id)
    return page()


def _register_change_view(action: str) -> None:
    def view(cstr_id: uuid.UUID):
        return _change(cstr_id, action)

    view.__name__ = f"change_{action}"
    bp.add_url_rule(
        f"/<uuid:cstr_id>/{action.replace('_', '-')}",
        endpoint=action,
        view_func=requires(TRANSITIONS[action].permission)(view),
        methods=["GET", "POST"],
    )


for _action in TRANSITIONS:
    _register_change_view(_action)


# Records under a live order: one view each, so each declares its permission. -----------------

RECORDS = {
    # endpoint: (path, permission, form, title, service, done message)
    "drug_test": (
        "drug-test",
        "cstr.treat",
        forms.DrugTestForm,
        "Record a drug test",
        records.record_drug_test,
        "Drug test recorded",
    ),
    "attendance": (
        "attendance",
        "cstr.treat",
        forms.AttendanceForm,
        "Record attendance",
        records.record_attendance,
        "Attendance recorded",
    ),
    "review": (
        "review",
        "cstr.supervise",
        forms.ReviewForm,
        "Schedule a court review",
        records.schedule_review,
        "Court review scheduled",
    ),
    "review_report": (
        "review-report",
        "cstr.supervise",
        forms.ReviewReportForm,
        "Record the review report sent to the court",
        records.record_review_report,
        "Review report recorded",
    ),
}


def _register_record_view(endpoint: str) -> None:
    path, permission, form_class, title, service, done = RECORDS[endpoint]

    def view(cstr_id: uuid.UUID):
        form = form_class()
        page = _record_page(form, cstr_id, action=endpoint, title=title)
        if form.validate_on_submit():
            service(current_user, cstr_id, **_inputs(form))
            return _done(done, cstr_id)
        return page()

    view.__name__ = f"record_{endpoint}"
    bp.add_url_rule(
        f"/<uuid:cstr_id>/{path}",
        endpoint=endpoint,
        view_func=requires(permission)(view),
        methods=["GET", "POST"],
    )


for _endpoint in RECORDS:
    _register_record_view(_endpoint)


@bp.route("/worklist")
@requires("cstr.view")
def worklist():
    page = worklists.worklist(current_user, request.args.get("page", 1))
    return render_template(
        "pathways/cstr/worklist.html", page=page, title=worklists.TITLE, kinds=worklists.DueKind
    )
