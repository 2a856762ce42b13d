import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow.domain import InvalidChange, InvalidTransition, NotFound, NotPermitted, StaleRecord
from caseflow.organisations import services as organisations
from caseflow.people import services as people
from caseflow.referrals import bp, forms, services, worklists
from caseflow.referrals import timeline as _timeline  # noqa: F401  (registers the person page parts)
from caseflow.referrals.transitions import TRANSITIONS
from caseflow.security.access import SIGNED_IN, requires


def _answer(call, *args, **kwargs):
    """Absent or out of scope is 404; not allowed is 403."""
    try:
        return call(*args, **kwargs)
    except NotFound:
        abort(404)
    except NotPermitted:
        abort(403)


def _show_problem(form, error: InvalidChange) -> None:
    field = getattr(form, error.field or "", None) or next(iter(form))
    field.errors = [*field.errors, str(error)]


def _handover_data(form) -> dict:
    needs = set(form.other_needs.data or ())
    return {
        "provider_id": uuid.UUID(form.provider.data),
        "consent": form.consent.data,
        "consent_override_reason": form.consent_override_reason.data,
        "substance_group": form.substance_group.data,
        "opioid_medicine": form.opioid_medicine.data,
        "opioid_dose": form.opioid_dose.data,
        "last_dose_date": form.last_dose_date.data,
        "bridging_prescription": form.bridging_prescription.data == "yes",
        "long_acting_injectable": form.long_acting_injectable.data == "yes",
        "naloxone_on_release": form.naloxone_on_release.data == "yes",
        "mental_health_need": "mental_health_need" in needs,
        "housing_need": "housing_need" in needs,
        "risks": form.risks.data,
        "contact_after_release": form.contact_after_release.data,
    }


def _prefill_from_episode(form, episode) -> None:
    """Carry what custody already recorded, so nobody types it twice."""
    form.substance_group.data = episode.substance_group
    form.opioid_medicine.data = episode.opioid_substitution
    form.last_dose_date.data = episode.last_dose_date
    form.bridging_prescription.data = "yes" if episode.bridging_prescription else "no"
    form.long_acting_injectable.data = (
        "yes" if episode.opioid_substitution == "lai_buprenorphine" else "no"
    )
    form.naloxone_on_release.data = "yes" if episode.naloxone_issued else "no"
    if episode.accommodation_on_release in ("no_fixed_abode", "rough_sleeping"):
        form.other_needs.data = ["housing_need"]


def _prefill_from_referral(form, referral) -> None:
    form.provider.data = str(referral.provider_id)
    for name in (
        "consent",
        "consent_override_reason",
        "substance_group",
        "opioid_medicine",
        "opioid_dose",
        "last_dose_date",
        "risks",
        "contact_after_release",
    ):
        getattr(form, name).data = getattr(referral, name)
    for name in ("bridging_prescription", "long_acting_injectable", "naloxone_on_release"):
        getattr(form, name).data = "yes" if getattr(referral, name) else "no"
    form.other_needs.data = [need for need in forms.OTHER_NEEDS if getattr(referral, need)]


@bp.route("/people/<uuid:person_id>/referrals/new", methods=["GET", "POST"])
@requires("referral.create")
def new_referral(person_id: uuid.UUID):
    person = _answer(people.person_for_new_record, current_user, person_id, load_episodes=True)
    episode = person.current_episode
    if episode is None:
        flash("Add a custody episode before making a referral.", "warning")
        return redirect(url_for("people.show", person_id=person_id))
    providers = organisations.providers_serving(episode.destination_local_authority_code)
    form = forms.NewReferralForm(providers=providers, subject=person_id)
    if request.method == "GET":
        _prefill_from_episode(form, episode)
    if form.validate_on_submit():
        try:
            referral = _answer(
                services.create_referral,
                current_user,
                person_id,
                token=form.token.data or None,
                **_handover_data(form),
            )
            if form.send.data and referral.status == "draft":
                services.change_status(current_user, referral.id, "send")
        except InvalidChange as error:
            _show_problem(form, error)
        except InvalidTransition as error:
            flash(f"Saved as a draft, not sent. {error}", "warning")
            return redirect(url_for("referrals.show", referral_id=referral.id))
        else:
            flash("Referral sent" if form.send.data else "Referral saved as a draft", "success")
            return redirect(url_for("referrals.show", referral_id=referral.id))
    person = _answer(
        people.view_person, current_user, person_id, page="new referral", starting_record=True
    )
    return render_template(
        "referrals/new.html", form=form, person=person, episode=episode, providers=providers
    )


@bp.route("/referrals/<uuid:referral_id>")
@requires("referral.view")
def show(referral_id: uuid.UUID):
    referral = _answer(services.view_referral, current_user, referral_id)
    return render_template(
        "referrals/show.html",
        referral=referral,
        clock=services.clock_for(referral),
        actions=services.actions_for(current_user, referral),
        appointment_actions=services.appointment_actions_for(current_user, referral),
    )


@bp.route("/referrals/<uuid:referral_id>/edit", methods=["GET", "POST"])
@requires("referral.create")
def edit(referral_id: uuid.UUID):
    referral = _answer(services.find_visible_referral, current_user, referral_id)
    providers = organisations.providers_serving(referral.episode.destination_local_authority_code)
    form = forms.ReferralForm(providers=providers)
    status = 200
    if request.method == "GET":
        _prefill_from_referral(form, referral)
        form.show_version(referral.version)
    elif form.validate_on_submit():
        try:
            _answer(
                services.update_draft,
                current_user,
                referral_id,
                version=form.version.data,
                **_handover_data(form),
            )
            if form.send.data:
                services.change_status(current_user, referral_id, "send")
        except InvalidChange as error:
            _show_problem(form, error)
        except StaleRecord:
            status = 409
            form.show_version(referral.version)
        except InvalidTransition as error:
            flash(str(error), "warning")
            return redirect(url_for("referrals.show", referral_id=referral_id))
        else:
            flash("Referral sent" if form.send.data else "Draft saved", "success")
            return redirect(url_for("referrals.show", referral_id=referral_id))
    referral = _answer(
        services.view_referral, current_user, referral_id, page="edit", independent=status >= 400
    )
    return render_template(
        "referrals/edit.html", form=form, referral=referral, stale=status == 409
    ), status


# Status changes: one view each, so each declares its permission. ----------------------------


def _act_on_referral(form, referral_id: uuid.UUID, call, done: str, *, then=None):
    """Run one change from a referral page: a redirect when it is done or cannot be made,
    None when the form should be shown again with the problem beside its field."""
    try:
        _answer(call)
    except InvalidChange as error:
        _show_problem(form, error)
        return None
    except InvalidTransition as error:
        flash(str(error), "warning")
        return redirect(url_for("referrals.show", referral_id=referral_id))
    flash(done, "success")
    target = then() if callable(then) else then
    return redirect(target or url_for("referrals.show", referral_id=referral_id))


def _change_page(form, referral_id: uuid.UUID, *, action: str, title: str, warning=False):
    referral = _answer(services.view_referral, current_user, referral_id, page=action)
    return render_template(
        "referrals/change.html",
        form=form,
        referral=referral,
        title=title,
        warning=warning,
        clock=services.clock_for(referral),
    )


def _change(referral_id: uuid.UUID, action: str):
    transition = TRANSITIONS[action]
    extra = {"providers": organisations.all_providers()} if action == "redirect" else {}
    form = transition.form(**extra)
    if transition.form is forms.ConfirmForm:
        form.confirm.label.text = transition.label
    if form.validate_on_submit():
        data = {
            name: field.data
            for name, field in form._fields.items()
            if name not in ("csrf_token", "confirm")
        }
        if "provider" in data:
            data["provider_id"] = uuid.UUID(data.pop("provider"))
        done = _act_on_referral(
            form,
            referral_id,
            lambda: services.change_status(current_user, referral_id, action, **data),
            transition.done_message,
            # A provider that redirects or rejects a referral no longer holds it: home instead.
            then=lambda: (
                None if services.still_visible(current_user, referral_id) else url_for("main.home")
            ),
        )
        if done is not None:
            return done
    return _change_page(
        form,
        referral_id,
        action=action,
        title=transition.title,
        warning=transition.warning,
    )


def _register_change_view(action: str) -> None:
    permission = TRANSITIONS[action].permission

    def view(referral_id: uuid.UUID):
        return _change(referral_id, action)

    view.__name__ = f"change_{action}"
    bp.add_url_rule(
        f"/referrals/<uuid:referral_id>/{action}",
        endpoint=f"{action}",
        view_func=requires(permission)(view),
        methods=["GET", "POST"],
    )


for _action in TRANSITIONS:
    _register_change_view(_action)


@bp.route("/referrals/<uuid:referral_id>/assign", methods=["GET", "POST"])
@requires("referral.assign")
def assign(referral_id: uuid.UUID):
    form = forms.AssignForm(keyworkers=services.colleagues_who_can_be_assigned(current_user))
    if form.validate_on_submit():
        keyworker_id = uuid.UUID(form.keyworker.data)
        done = _act_on_referral(
            form,
            referral_id,
            lambda: services.assign_keyworker(current_user, referral_id, keyworker_id),
            "Keyworker assigned",
        )
        if done is not None:
            return done
    return _change_page(form, referral_id, action="assign", title="Assign a keyworker")


@bp.route("/referrals/<uuid:referral_id>/appointments/new", methods=["GET", "POST"])
@requires("appointment.record")
def book_appointment(referral_id: uuid.UUID):
    form = forms.AppointmentForm(subject=referral_id)
    if form.validate_on_submit():
        done = _act_on_referral(
            form,
            referral_id,
            lambda: services.book_appointment(
                current_user,
                referral_id,
                appointment_date=form.appointment_date.data,
                appointment_time=form.appointment_time.data,
                token=form.token.data or None,
            ),
            "Appointment booked",
        )
        if done is not None:
            return done
    return _change_page(form, referral_id, action="appointment", title="Book an appointment")


@bp.route("/appointments/<uuid:appointment_id>/attendance", methods=["GET", "POST"])
@requires("appointment.record")
def record_attendance(appointment_id: uuid.UUID):
    form = forms.AttendanceForm()
    if form.validate_on_submit():
        try:
            appointment = _answer(
                services.record_attendance, current_user, appointment_id, outcome=form.outcome.data
            )
        except InvalidChange as error:
            _show_problem(form, error)
        else:
            flash("Attendance recorded", "success")
            return redirect(url_for("referrals.show", referral_id=appointment.referral_id))
    appointment = _answer(services.appointment_for_page, current_user, appointment_id)
    referral = appointment.referral
    return render_template(
        "referrals/change.html",
        form=form,
        referral=referral,
        action="attendance",
        title=f"Record attendance on {appointment.appointment_date.strftime('%-d %B %Y')}",
        clock=services.clock_for(referral),
    )


# Worklists ----------------------------------------------------------------------------------


@bp.route("/worklists/<name>")
@requires("worklist.view")
def worklist(name: str):
    if name not in worklists.worklists_for(current_user.role):
        abort(404)
    title, query, kind = worklists.WORKLISTS[name]
    page_number = request.args.get("page", 1, type=int) or 1
    options = worklists.offered_filters(current_user, name, request.args)
    page = services.show_worklist(current_user, name, query, page=page_number, **options)
    return render_template(
        "referrals/worklist.html",
        name=name,
        title=title,
        kind=kind,
        page=page,
        tabs=worklists.worklist_tabs(current_user),
        flags=worklists.FLAGS,
        areas=current_user.organisation.areas if name == "at-risk" else [],
    )


@bp.route("/notifications")
@requires(SIGNED_IN)
def notifications():
    return render_template(
        "referrals/notifications.html",
        items=services.notifications_for(current_user),
        form=forms.ConfirmForm(),
    )


@bp.route("/notifications/read", methods=["POST"])
@requires(SIGNED_IN)
def mark_notifications_read():
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        services.mark_notifications_read(current_user)
        flash("Notifications marked as read", "success")
    return redirect(url_for("referrals.notifications"))
