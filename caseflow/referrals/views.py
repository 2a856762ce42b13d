import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow import errors
from caseflow import notifications as notifications_service
from caseflow.dates import display
from caseflow.notifications import mark_read, notifications_for
from caseflow.people import contacts as people_contacts
from caseflow.people import services as people
from caseflow.referrals import (
    appointments,
    bp,
    drafts,
    forms,
    services,
    treatment_start,
    worklist_rows,
    worklists,
)
from caseflow.referrals import timeline as _timeline  # noqa: F401  (registers the person page parts)
from caseflow.referrals.transitions import TRANSITIONS
from caseflow.security.access import SIGNED_IN, requires


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


def _referral_values(referral) -> dict:
    """The draft as saved, in the edit form's terms (field name to value)."""
    values = {"provider": str(referral.provider_id)}
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
        values[name] = getattr(referral, name)
    for name in ("bridging_prescription", "long_acting_injectable", "naloxone_on_release"):
        values[name] = "yes" if getattr(referral, name) else "no"
    values["other_needs"] = [need for need in forms.OTHER_NEEDS if getattr(referral, need)]
    return values


@bp.route("/people/<uuid:person_id>/referrals/new", methods=["GET", "POST"])
@requires("referral.create")
def new_referral(person_id: uuid.UUID):
    start = services.start_referral(current_user, person_id)
    episode, providers = start.episode, start.providers
    if start.live is not None and request.method == "GET":
        # One live referral per release and pathway: the way on is the live one. A form sent
        # anyway is refused by the service (or, sent twice, lands on the referral it made).
        shown = people.view_person(current_user, person_id, page="new referral")
        return render_template(
            "referrals/already_live.html",
            person=shown,
            live=start.live,
            link_to_live=start.live_visible_to(current_user),
            community=start.community,
        )
    form = forms.NewReferralForm(
        providers=providers,
        released_on=episode.actual_release_date if episode else None,
        subject=person_id,
    )
    if request.method == "GET" and episode is not None:
        _prefill_from_episode(form, episode)

    def page(stale: bool = False):
        shown = people.view_person(
            current_user, person_id, page="new referral", starting_record=True
        )
        return render_template(
            "referrals/new.html", form=form, person=shown, episode=episode, providers=providers
        )

    # A referral made elsewhere at the same moment is refused; this page then shows it.
    errors.on_form(form, page, record_url=url_for("referrals.new_referral", person_id=person_id))
    if form.validate_on_submit():
        saved = services.save_new_referral(
            current_user, person_id, token=form.token.data or None, **_handover_data(form)
        )
        return _saved_draft(saved.referral.id, check_answers=form.send.data)
    return page()


def _saved_draft(referral_id: uuid.UUID, *, check_answers: bool):
    """After the draft form: on to checking the answers before sending (GOV.UK's check answers
    pattern: the referral is sent from that page, naming the provider), or back to the draft.
    Either way the draft is saved, and the page says so."""
    flash("Referral saved as a draft", "success")
    if check_answers:
        return redirect(url_for("referrals.send", referral_id=referral_id))
    return redirect(url_for("referrals.show", referral_id=referral_id))


@bp.route("/referrals/<uuid:referral_id>")
@requires("referral.view")
def show(referral_id: uuid.UUID):
    referral = services.view_referral(current_user, referral_id)
    return render_template(
        "referrals/show.html",
        referral=referral,
        clock=services.clock_summary(referral),
        action_groups=services.action_groups_for(current_user, referral),
        appointment_actions=appointments.appointment_actions_for(current_user, referral),
        contacts=people_contacts.contacts_for(current_user, referral.person),
    )


@bp.route("/referrals/<uuid:referral_id>/edit", methods=["GET", "POST"])
@requires("referral.create")
def edit(referral_id: uuid.UUID):
    referral = services.find_visible_referral(current_user, referral_id)
    providers = services.providers_offered(referral)
    form = forms.ReferralForm(
        providers=providers,
        released_on=referral.episode.actual_release_date if referral.episode else None,
    )
    if request.method == "GET":
        form.load(_referral_values(referral), referral.version)

    def page(stale: bool = False):
        # A stale page is answered with an error status, so its view is audited on its own;
        # it carries the version saved since, merged with what was typed, so saving again
        # keeps both people's changes.
        shown = services.view_referral(current_user, referral_id, page="edit", independent=stale)
        if stale:
            form.reconcile(_referral_values(shown), shown.version)
        return render_template("referrals/edit.html", form=form, referral=shown, stale=stale)

    record_page = url_for("referrals.show", referral_id=referral_id)
    errors.on_form(form, page, record_url=record_page)
    if form.validate_on_submit():
        services.save_draft(
            current_user, referral_id, version=form.version.data, **_handover_data(form)
        )
        return _saved_draft(referral_id, check_answers=form.send.data)
    return page()


@bp.route("/referrals/<uuid:referral_id>/delete", methods=["GET", "POST"])
@requires("referral.delete")
def delete_draft(referral_id: uuid.UUID):
    """GOV.UK's "Are you sure" page, then the deletion: nothing is deleted by a GET."""
    form = forms.ConfirmForm()
    record_page = url_for("referrals.show", referral_id=referral_id)

    def page(stale: bool = False):
        referral = drafts.draft_to_delete(current_user, referral_id)
        return render_template("referrals/delete.html", form=form, referral=referral)

    errors.on_form(form, page, record_url=record_page)
    if form.validate_on_submit():
        person_id = drafts.delete_draft(current_user, referral_id)
        flash("Draft referral deleted", "success")
        return redirect(url_for("people.show", person_id=person_id))
    return page()


# Status changes: one view each, so each declares its permission. ----------------------------


def _change_page(
    form,
    referral_id: uuid.UUID,
    *,
    action: str,
    title: str,
    warning=False,
    template: str | None = None,
    versioned: bool = False,
    **context,
):
    """The page of one change to a referral, named as the page its form is shown on: a change
    that cannot be made is explained on the referral's own page. A ``versioned`` form carries
    the referral's version as shown, and after a stale save the version saved since."""

    def page(stale: bool = False):
        referral = services.view_referral(current_user, referral_id, page=action, independent=stale)
        if versioned and (request.method == "GET" or stale):
            form.show_version(referral.version)
        return render_template(
            template or "referrals/change.html",
            form=form,
            referral=referral,
            title=title,
            warning=warning,
            clock=services.clock_summary(referral),
            refusal=services.refusal_of(current_user, referral, action),
            **context,
        )

    errors.on_form(form, page, record_url=url_for("referrals.show", referral_id=referral_id))
    return page


def _done(message: str, referral_id: uuid.UUID):
    flash(message, "success")
    return redirect(url_for("referrals.show", referral_id=referral_id))


def _change(referral_id: uuid.UUID, action: str):
    transition = TRANSITIONS[action]
    extra, context = {}, {}
    if action == "redirect":
        # The providers serving where the person is going: the destination recorded, or the one
        # chosen on the page (by GET) or carried by the form (POST).
        choice = services.redirect_choice(
            current_user, referral_id, request.values.get("local_authority_code")
        )
        extra = {"providers": choice.providers}
        context = {
            "choice": choice,
            "destination_form": forms.DestinationChoiceForm(
                formdata=None,
                local_authorities=choice.local_authorities,
                local_authority_code=choice.destination.ons_code if choice.destination else "",
            ),
        }
    form = transition.form(**extra)
    if action == "redirect" and choice.destination is not None:
        form.local_authority_code.data = choice.destination.ons_code
    if transition.form is forms.ConfirmForm:
        form.confirm.label.text = transition.label
    page = _change_page(
        form,
        referral_id,
        action=action,
        title=transition.title,
        warning=transition.warning,
        template=transition.page,
        **context,
    )
    if form.validate_on_submit():
        data = {
            name: field.data
            for name, field in form._fields.items()
            if name not in ("csrf_token", "confirm")
        }
        if "provider" in data:
            data["provider_id"] = uuid.UUID(data.pop("provider"))
        services.change_status(current_user, referral_id, action, **data)
        if not services.still_visible(current_user, referral_id):
            # A provider that redirects or rejects a referral no longer holds it: home instead.
            flash(transition.done_message, "success")
            return redirect(url_for("main.home"))
        return _done(transition.done_message, referral_id)
    return page()


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
    page = _change_page(form, referral_id, action="assign", title="Assign a keyworker")
    if form.validate_on_submit():
        keyworker_id = uuid.UUID(form.keyworker.data)
        services.assign_keyworker(current_user, referral_id, keyworker_id)
        return _done("Keyworker assigned", referral_id)
    return page()


@bp.route("/referrals/<uuid:referral_id>/appointments/new", methods=["GET", "POST"])
@requires("appointment.record")
def book_appointment(referral_id: uuid.UUID):
    form = forms.AppointmentForm(subject=referral_id)
    page = _change_page(form, referral_id, action="appointment", title="Book an appointment")
    if form.validate_on_submit():
        appointments.book_appointment(
            current_user,
            referral_id,
            appointment_date=form.appointment_date.data,
            appointment_time=form.appointment_time.data,
            token=form.token.data or None,
        )
        return _done("Appointment booked", referral_id)
    return page()


@bp.route("/appointments/<uuid:appointment_id>/attendance", methods=["GET", "POST"])
@requires("appointment.record")
def record_attendance(appointment_id: uuid.UUID):
    form = forms.AttendanceForm()

    def page(stale: bool = False):
        appointment = appointments.appointment_for_page(current_user, appointment_id)
        referral = appointment.referral
        return render_template(
            "referrals/change.html",
            form=form,
            referral=referral,
            action="attendance",
            title=f"Record attendance on {display(appointment.appointment_date)}",
            clock=services.clock_summary(referral),
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        appointment = appointments.record_attendance(
            current_user, appointment_id, outcome=form.outcome.data
        )
        return _done("Attendance recorded", appointment.referral_id)
    return page()


def _appointment_title(verb: str, appointment) -> str:
    when = display(appointment.appointment_date)
    at = f" at {appointment.appointment_time}" if appointment.appointment_time else ""
    return f"{verb} the appointment on {when}{at}"


@bp.route("/appointments/<uuid:appointment_id>/move", methods=["GET", "POST"])
@requires("appointment.record")
def move_appointment(appointment_id: uuid.UUID):
    appointment = appointments.appointment_to_change(current_user, appointment_id)
    form = forms.MoveAppointmentForm(subject=appointment_id)
    title = _appointment_title("Move", appointment)
    page = _change_page(form, appointment.referral_id, action="move appointment", title=title)
    if form.validate_on_submit():
        appointments.move_appointment(
            current_user,
            appointment_id,
            appointment_date=form.appointment_date.data,
            appointment_time=form.appointment_time.data,
            token=form.token.data or None,
        )
        return _done("Appointment moved", appointment.referral_id)
    return page()


@bp.route("/appointments/<uuid:appointment_id>/cancel", methods=["GET", "POST"])
@requires("appointment.record")
def cancel_appointment(appointment_id: uuid.UUID):
    appointment = appointments.appointment_to_change(current_user, appointment_id)
    form = forms.CancelAppointmentForm()
    title = _appointment_title("Cancel", appointment)
    page = _change_page(
        form, appointment.referral_id, action="cancel appointment", title=title, warning=True
    )
    if form.validate_on_submit():
        appointments.cancel_appointment(current_user, appointment_id, reason=form.reason.data)
        return _done("Appointment cancelled", appointment.referral_id)
    return page()


@bp.route("/referrals/<uuid:referral_id>/treatment-start", methods=["GET", "POST"])
@requires("treatment.correct")
def correct_treatment_start(referral_id: uuid.UUID):
    form = forms.TreatmentStartCorrectionForm()
    page = _change_page(
        form,
        referral_id,
        action="correct treatment start",
        title="Correct the treatment start",
        versioned=True,
    )
    if form.validate_on_submit():
        treatment_start.correct_treatment_start(
            current_user,
            referral_id,
            version=form.version.data,
            treatment_start_date=form.treatment_start_date.data,
            reason=form.reason.data,
        )
        return _done("Treatment start corrected", referral_id)
    return page()


# Worklists ----------------------------------------------------------------------------------


@bp.route("/worklists/<name>")
@requires("worklist.view")
def worklist(name: str):
    title, query, kind = worklists.worklist_named(current_user, name)
    page_number = request.args.get("page", 1, type=int) or 1
    options = worklists.offered_filters(current_user, name, request.args)
    page = worklist_rows.show_worklist(current_user, name, query, page=page_number, **options)
    return render_template(
        "referrals/worklist.html",
        name=name,
        title=title,
        kind=kind,
        page=page,
        flags=worklists.FLAGS,
        areas=current_user.organisation.areas if name == "at-risk" else [],
    )


@bp.route("/notifications")
@requires(SIGNED_IN)
def notifications():
    return render_template(
        "referrals/notifications.html",
        items=notifications_for(current_user),
        form=forms.ConfirmForm(),
    )


@bp.route("/notifications/open", methods=["POST"])
@requires(SIGNED_IN)
def open_notification():
    """Clicking a notification: marked read, then on to its record (a POST, as it changes
    something; where it goes is the record's own page, never a value from the request)."""
    form = forms.OpenNotificationForm()
    if not form.validate_on_submit():
        return redirect(url_for("referrals.notifications"))
    link = notifications_service.open_notification(current_user, form.notification.data)
    if link is None:
        flash("Marked as read. Your team no longer sees that record.", "success")
        return redirect(url_for("referrals.notifications"))
    return redirect(url_for(link[0], **link[1]))


@bp.route("/notifications/read", methods=["POST"])
@requires(SIGNED_IN)
def mark_notifications_read():
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        mark_read(current_user)
        flash("Notifications marked as read", "success")
    return redirect(url_for("referrals.notifications"))
