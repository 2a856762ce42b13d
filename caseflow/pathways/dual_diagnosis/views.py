"""The Dual diagnosis pathway's pages."""

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow import errors
from caseflow.pathways.dual_diagnosis import (
    actions,
    bp,
    finding,
    forms,
    plans,
    services,
    worklists,
)
from caseflow.pathways.dual_diagnosis.codes import PLAN_STATUSES
from caseflow.pathways.dual_diagnosis.transitions import TRANSITIONS
from caseflow.people import services as people
from caseflow.security.access import requires


def _case_page(case_id) -> str:
    return url_for("dual_diagnosis.show", dual_diagnosis_id=case_id)


def _done(message: str, case_id):
    flash(message, "success")
    return redirect(_case_page(case_id))


@bp.route("/people/<uuid:person_id>/new", methods=["GET", "POST"])
@requires("dual_diagnosis.refer")
def new_case(person_id: uuid.UUID):
    people.person_for_new_record(current_user, person_id)
    form = forms.NewCaseForm(
        services=services.services_for(current_user, person_id), subject=person_id
    )

    def page(stale: bool = False):
        person = people.view_person(
            current_user, person_id, page="new dual diagnosis", starting_record=True
        )
        live = finding.live_case_of(person_id)
        return render_template(
            "pathways/dual_diagnosis/new.html",
            form=form,
            person=person,
            live=live if live is not None and finding.may_see(current_user, live.id) else None,
        )

    errors.on_form(form, page, record_url=url_for("people.show", person_id=person_id))
    if form.validate_on_submit():
        case = services.start_case(
            current_user,
            person_id,
            need_category=form.need_category.data,
            need_severity=form.need_severity.data,
            assessed_by=form.assessed_by.data,
            assessed_on=form.assessed_on.data,
            mental_health_service_id=uuid.UUID(form.mental_health_service.data),
            token=form.token.data or None,
        )
        return _done("Mental health need recorded and referred", case.id)
    return page()


@bp.route("/<uuid:dual_diagnosis_id>")
@requires("dual_diagnosis.view")
def show(dual_diagnosis_id: uuid.UUID):
    case = finding.view_case(current_user, dual_diagnosis_id)
    return render_template(
        "pathways/dual_diagnosis/show.html",
        case=case,
        actions=services.actions_for(current_user, case),
        missed=plans.missed_appointments(case),
        overdue=plans.review_overdue(case),
    )


@bp.route("/<uuid:dual_diagnosis_id>/need", methods=["GET", "POST"])
@requires("dual_diagnosis.assess")
def edit_need(dual_diagnosis_id: uuid.UUID):
    form = forms.NeedForm()
    if request.method == "GET":
        case = finding.find_visible_case(current_user, dual_diagnosis_id)
        form.load(services.need_values(case), case.version)

    def page(stale: bool = False):
        case = finding.view_case(current_user, dual_diagnosis_id, page="need", independent=stale)
        if stale:
            form.reconcile(services.need_values(case), case.version)
        return render_template(
            "pathways/dual_diagnosis/need.html", form=form, case=case, stale=stale
        )

    errors.on_form(form, page, record_url=_case_page(dual_diagnosis_id))
    if form.validate_on_submit():
        services.update_need(
            current_user,
            dual_diagnosis_id,
            version=form.version.data,
            **{name: form[name].data for name in services.NEED_FIELDS},
        )
        return _done("Mental health need saved", dual_diagnosis_id)
    return page()


# Status changes: one view each, so each declares its permission. ----------------------------


def _change(case_id: uuid.UUID, action: str):
    transition = TRANSITIONS[action]
    extra = {}
    if action == "accept":
        extra = {"coordinators": services.coordinators_for(current_user)}
    form = transition.form(**extra)
    if transition.form is forms.ConfirmForm:
        form.confirm.label.text = transition.label

    def page(stale: bool = False):
        case = finding.view_case(current_user, case_id, page=action, independent=stale)
        return render_template(
            "pathways/dual_diagnosis/change.html",
            form=form,
            case=case,
            title=transition.title,
            warning=transition.warning,
            refusal=services.refusal_of(current_user, case, action),
            gaps=plans.plan_gaps(case) if action == "agree_plan" else [],
        )

    errors.on_form(form, page, record_url=_case_page(case_id))
    if form.validate_on_submit():
        data = {
            name: field.data
            for name, field in form._fields.items()
            if name not in ("csrf_token", "confirm")
        }
        services.change_status(current_user, case_id, action, **data)
        if not finding.may_see(current_user, case_id):
            flash(transition.done_message, "success")
            return redirect(url_for("main.home"))
        return _done(transition.done_message, case_id)
    return page()


def _register_change_view(action: str) -> None:
    def view(dual_diagnosis_id: uuid.UUID):
        return _change(dual_diagnosis_id, action)

    view.__name__ = f"change_{action}"
    bp.add_url_rule(
        f"/<uuid:dual_diagnosis_id>/{action.replace('_', '-')}",
        endpoint=action,
        view_func=requires(TRANSITIONS[action].permission)(view),
        methods=["GET", "POST"],
    )


for _action in TRANSITIONS:
    _register_change_view(_action)


@bp.route("/<uuid:dual_diagnosis_id>/coordinator", methods=["GET", "POST"])
@requires("dual_diagnosis.respond")
def name_coordinator(dual_diagnosis_id: uuid.UUID):
    form = forms.CoordinatorForm(coordinators=services.coordinators_for(current_user))

    def page(stale: bool = False):
        case = finding.view_case(current_user, dual_diagnosis_id, page="coordinator")
        if request.method == "GET" and case.care_coordinator_id:
            form.care_coordinator.data = str(case.care_coordinator_id)
        return render_template(
            "pathways/dual_diagnosis/form.html",
            form=form,
            case=case,
            title="Change the care coordinator",
            back=_case_page(dual_diagnosis_id),
            back_text="Back to the case",
        )

    errors.on_form(form, page, record_url=_case_page(dual_diagnosis_id))
    if form.validate_on_submit():
        services.name_coordinator(
            current_user, dual_diagnosis_id, care_coordinator=form.care_coordinator.data
        )
        return _done("Care coordinator saved", dual_diagnosis_id)
    return page()


# The joint care plan ------------------------------------------------------------------------


@bp.route("/<uuid:dual_diagnosis_id>/plan")
@requires("dual_diagnosis.view")
def plan(dual_diagnosis_id: uuid.UUID):
    case = finding.view_case(current_user, dual_diagnosis_id, page="plan")
    return render_template(
        "pathways/dual_diagnosis/plan.html",
        case=case,
        history=plans.plan_history(case),
        # Kept while both services care for the person; a closed case's plan stays as it was.
        may_change=plans.may_change_plan(current_user, case) and case.status in PLAN_STATUSES,
        gaps=plans.plan_gaps(case),
        overdue=plans.review_overdue(case),
    )


@bp.route("/<uuid:dual_diagnosis_id>/plan/edit", methods=["GET", "POST"])
@requires("dual_diagnosis.plan")
def edit_plan(dual_diagnosis_id: uuid.UUID):
    form = forms.PlanForm()
    if request.method == "GET":
        case = plans.plan_to_change(current_user, dual_diagnosis_id)
        form.load(plans.plan_values(case.plan), case.plan.version)

    def page(stale: bool = False):
        case = finding.view_case(
            current_user, dual_diagnosis_id, page="plan edit", independent=stale
        )
        if stale:
            form.reconcile(plans.plan_values(case.plan), case.plan.version)
        return render_template(
            "pathways/dual_diagnosis/plan_edit.html", form=form, case=case, stale=stale
        )

    errors.on_form(
        form, page, record_url=url_for("dual_diagnosis.plan", dual_diagnosis_id=dual_diagnosis_id)
    )
    if form.validate_on_submit():
        plans.save_plan(
            current_user,
            dual_diagnosis_id,
            version=form.version.data,
            **{name: form[name].data for name in plans.PLAN_FIELDS},
        )
        flash("Joint care plan saved", "success")
        return redirect(url_for("dual_diagnosis.plan", dual_diagnosis_id=dual_diagnosis_id))
    return page()


@bp.route("/<uuid:dual_diagnosis_id>/plan/actions/new", methods=["GET", "POST"])
@requires("dual_diagnosis.plan")
def add_action(dual_diagnosis_id: uuid.UUID):
    plans.plan_to_change(current_user, dual_diagnosis_id)
    form = forms.ActionForm(subject=dual_diagnosis_id)
    plan_page = url_for("dual_diagnosis.plan", dual_diagnosis_id=dual_diagnosis_id)

    def page(stale: bool = False):
        case = finding.view_case(current_user, dual_diagnosis_id, page="plan action")
        return render_template(
            "pathways/dual_diagnosis/form.html",
            form=form,
            case=case,
            title="Add an action to the joint care plan",
            back=plan_page,
            back_text="Back to the joint care plan",
        )

    errors.on_form(form, page, record_url=plan_page)
    if form.validate_on_submit():
        plans.add_action(
            current_user,
            dual_diagnosis_id,
            description=form.description.data,
            owner=form.owner.data,
            due_on=form.due_on.data,
            token=form.token.data or None,
        )
        flash("Action added", "success")
        return redirect(plan_page)
    return page()


def _action_form(case_id, plan_action_id, form, values_of, *, title: str, page_name: str):
    """Draw an action's versioned form, opened on the action as saved; after a conflict, the
    form reconciled with the action as it is now."""
    plan_page = url_for("dual_diagnosis.plan", dual_diagnosis_id=case_id)
    if request.method == "GET":
        _case, action = actions.action_to_change(current_user, case_id, plan_action_id)
        form.load(values_of(action), action.version)

    def page(stale: bool = False):
        case = finding.view_case(current_user, case_id, page=page_name, independent=stale)
        if stale:
            _case, action = actions.action_to_change(current_user, case_id, plan_action_id)
            form.reconcile(values_of(action), action.version)
        return render_template(
            "pathways/dual_diagnosis/form.html",
            form=form,
            case=case,
            title=title,
            back=plan_page,
            back_text="Back to the joint care plan",
            stale=stale,
            stale_message=(
                "The other service changed this action while you were working on it. Check "
                "it, then save again: what you typed is still here."
            ),
        )

    errors.on_form(form, page, record_url=plan_page)
    return page, plan_page


@bp.route(
    "/<uuid:dual_diagnosis_id>/plan/actions/<uuid:plan_action_id>/edit", methods=["GET", "POST"]
)
@requires("dual_diagnosis.plan")
def edit_action(dual_diagnosis_id: uuid.UUID, plan_action_id: uuid.UUID):
    form = forms.ActionEditForm()
    page, plan_page = _action_form(
        dual_diagnosis_id,
        plan_action_id,
        form,
        actions.action_values,
        title="Change an action of the joint care plan",
        page_name="plan action edit",
    )
    if form.validate_on_submit():
        actions.save_action(
            current_user,
            dual_diagnosis_id,
            plan_action_id,
            version=form.version.data,
            **{name: form[name].data for name in actions.ACTION_FIELDS},
        )
        flash("Action saved", "success")
        return redirect(plan_page)
    return page()


@bp.route(
    "/<uuid:dual_diagnosis_id>/plan/actions/<uuid:plan_action_id>/done", methods=["GET", "POST"]
)
@requires("dual_diagnosis.plan")
def action_done(dual_diagnosis_id: uuid.UUID, plan_action_id: uuid.UUID):
    form = forms.ActionDoneForm()
    page, plan_page = _action_form(
        dual_diagnosis_id,
        plan_action_id,
        form,
        lambda action: {"done_on": action.done_on},
        title="Mark an action of the joint care plan as done",
        page_name="plan action done",
    )
    if form.validate_on_submit():
        actions.mark_done(
            current_user,
            dual_diagnosis_id,
            plan_action_id,
            version=form.version.data,
            done_on=form.done_on.data,
        )
        flash("Action marked as done", "success")
        return redirect(plan_page)
    return page()


@bp.route("/<uuid:dual_diagnosis_id>/follow-up", methods=["GET", "POST"])
@requires("dual_diagnosis.plan")
def follow_up(dual_diagnosis_id: uuid.UUID):
    case = plans.plan_to_change(current_user, dual_diagnosis_id)
    form = forms.FollowUpForm(missed=plans.missed_appointments(case))

    def page(stale: bool = False):
        shown = finding.view_case(current_user, dual_diagnosis_id, page="follow up")
        return render_template(
            "pathways/dual_diagnosis/form.html",
            form=form,
            case=shown,
            title="Record a missed appointment followed up",
            lead="A missed appointment is followed up, never a reason to close the case.",
            back=_case_page(dual_diagnosis_id),
            back_text="Back to the case",
        )

    errors.on_form(form, page, record_url=_case_page(dual_diagnosis_id))
    if form.validate_on_submit():
        plans.follow_up(
            current_user,
            dual_diagnosis_id,
            appointment_id=form.appointment.data,
            followed_up_on=form.followed_up_on.data,
            note=form.note.data,
        )
        return _done("Follow-up recorded", dual_diagnosis_id)
    return page()


# Worklists ----------------------------------------------------------------------------------


def _worklist(name: str):
    chosen, page = worklists.show(current_user, name, request.args.get("page", 1))
    return render_template(
        "pathways/dual_diagnosis/worklist.html", worklist=chosen, name=name, page=page
    )


@bp.route("/worklists/referrals")
@requires("dual_diagnosis.respond")
def referrals_to_answer():
    return _worklist("to_answer")


@bp.route("/worklists/due")
@requires("dual_diagnosis.plan")
def due():
    return _worklist("due")


@bp.route("/worklists/caseload")
@requires("dual_diagnosis.respond")
def caseload():
    return _worklist("caseload")
