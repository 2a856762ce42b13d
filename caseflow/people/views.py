import uuid

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from caseflow import timeline
from caseflow.domain import InvalidChange, NotFound, NotPermitted, StaleRecord
from caseflow.organisations import services as organisations
from caseflow.people import bp, custody_rules, forms, services
from caseflow.people import timeline as _timeline  # noqa: F401  (registers the person page parts)
from caseflow.security.access import requires


def _form_data(form, *exclude: str) -> dict:
    skip = {"csrf_token", "submit", "version", *exclude}
    return {name: field.data for name, field in form._fields.items() if name not in skip}


def _show_problem(form, error: InvalidChange) -> None:
    field = getattr(form, error.field or "", None) or next(iter(form))
    field.errors = [*field.errors, str(error)]


def _answer(call, *args, **kwargs):
    """Run a service call, turning absent or out-of-scope into 404 and not allowed into 403."""
    try:
        return call(*args, **kwargs)
    except NotFound:
        abort(404)
    except NotPermitted:
        abort(403)


@bp.route("/find", methods=["GET", "POST"])
@requires("person.search")
def find():
    form = forms.FindPersonForm()
    result = None
    if form.validate_on_submit():
        result = services.search(current_user, **_form_data(form))
        # The match stays on the server: only this session may ask to break glass for it.
        if result.out_of_scope_match:
            session["break_glass_candidate"] = str(result.out_of_scope_match)
        elif session.get("break_glass_candidate"):
            session.pop("break_glass_candidate")
    return render_template("people/find.html", form=form, result=result)


@bp.route("/emergency-access", methods=["GET", "POST"])
@requires("break_glass.use")
def break_glass():
    candidate = session.get("break_glass_candidate")
    if not candidate:
        flash("Search for the person by NHS number, prison number or CRN first.", "warning")
        return redirect(url_for("people.find"))
    form = forms.BreakGlassForm()
    if form.validate_on_submit():
        person_id = uuid.UUID(candidate)
        try:
            _answer(
                services.grant_break_glass,
                current_user,
                person_id,
                password=form.password.data,
                reason=form.reason.data,
            )
        except InvalidChange as error:
            _show_problem(form, error)
        else:
            session.pop("break_glass_candidate", None)
            session.regenerate()  # a new session id for the raised access
            return redirect(url_for("people.show", person_id=person_id))
    return render_template("people/break_glass.html", form=form)


@bp.route("/new", methods=["GET", "POST"])
@requires("person.create")
def new_person():
    form = forms.PersonForm()
    if form.validate_on_submit():
        try:
            person = _answer(services.create_person, current_user, **_form_data(form))
        except InvalidChange as error:
            _show_problem(form, error)
        else:
            flash("Person added", "success")
            if services.holds_custody(current_user):
                return redirect(url_for("people.new_episode", person_id=person.id))
            return redirect(url_for("people.show", person_id=person.id))
    return render_template("people/new.html", form=form)


@bp.route("/<uuid:person_id>")
@requires("person.view")
def show(person_id: uuid.UUID):
    person = _answer(services.view_person, current_user, person_id)
    note_form = forms.CaseNoteForm(subject=person_id)
    grant = services.emergency_access(current_user, person_id)
    return render_template(
        "people/show.html",
        person=person,
        sections=timeline.sections_for(current_user, person),
        timeline=timeline.timeline_for(current_user, person),
        note_form=note_form,
        grant=grant,
        custody=custody_rules.custody_actions(current_user, person),
    )


@bp.route("/<uuid:person_id>/notes", methods=["POST"])
@requires("casenote.create")
def add_note(person_id: uuid.UUID):
    form = forms.CaseNoteForm(subject=person_id)
    if form.validate_on_submit():
        _answer(
            services.add_case_note,
            current_user,
            person_id,
            text=form.text.data,
            token=form.token.data or None,
        )
        flash("Case note added", "success")
        return redirect(url_for("people.show", person_id=person_id, _anchor="timeline"))
    person = _answer(services.view_person, current_user, person_id, page="case note")
    return render_template(
        "people/show.html",
        person=person,
        sections=timeline.sections_for(current_user, person),
        timeline=timeline.timeline_for(current_user, person),
        note_form=form,
        grant=services.emergency_access(current_user, person_id),
        custody=custody_rules.custody_actions(current_user, person),
    )


@bp.route("/<uuid:person_id>/custody/new", methods=["GET", "POST"])
@requires("custody.create")
def new_episode(person_id: uuid.UUID):
    form = forms.CustodyEpisodeForm(local_authorities=organisations.local_authorities())
    if form.validate_on_submit():
        data = _form_data(form, "destination_local_authority")
        data["destination_local_authority_code"] = form.destination_local_authority.data
        data["naloxone_issued"] = data["naloxone_issued"] == "yes"
        data["bridging_prescription"] = data["bridging_prescription"] == "yes"
        try:
            _answer(services.add_custody_episode, current_user, person_id, **data)
        except InvalidChange as error:
            _show_problem(form, error)
        else:
            flash("Custody episode added", "success")
            return redirect(url_for("people.show", person_id=person_id))
    person = _answer(
        services.view_person,
        current_user,
        person_id,
        page="new custody episode",
        starting_record=True,
    )
    return render_template("people/new_episode.html", form=form, person=person)


# change in the URL: (form, service operation, page title, message when done)
EPISODE_CHANGES = {
    "release": (
        forms.ReleaseForm,
        services.record_release,
        "Record release",
        "Release recorded",
    ),
    "expected-release": (
        forms.ExpectedReleaseForm,
        services.move_expected_release,
        "Change expected release date",
        "Expected release date changed",
    ),
    "transfer": (
        forms.TransferForm,
        services.transfer,
        "Record a transfer to another prison",
        "Transfer recorded",
    ),
}
CHANGE_URL = (
    "/<uuid:person_id>/custody/<uuid:episode_id>"
    "/<any(release, 'expected-release', transfer):change>"
)


@bp.route(CHANGE_URL, methods=["GET", "POST"])
@requires("custody.update")
def change_episode(person_id: uuid.UUID, episode_id: uuid.UUID, change: str):
    form_class, operation, title, done = EPISODE_CHANGES[change]
    extra = {"prisons": organisations.prisons()} if change == "transfer" else {}
    form = form_class(**extra)
    status = 200
    if form.validate_on_submit():
        data = _form_data(form)
        if change == "transfer":
            data["prison_id"] = uuid.UUID(data.pop("prison"))
        try:
            _answer(
                operation, current_user, person_id, episode_id, version=form.version.data, **data
            )
        except InvalidChange as error:
            _show_problem(form, error)
        except StaleRecord:
            status = 409
        else:
            flash(done, "success")
            if change == "transfer":
                # The receiving prison now holds the person; this prison no longer sees them.
                return redirect(url_for("main.home"))
            return redirect(url_for("people.show", person_id=person_id))
    episode = _answer(
        services.view_episode,
        current_user,
        person_id,
        episode_id,
        page=change,
        independent=status >= 400,
    )
    if request.method == "GET" or status == 409:
        form.show_version(episode.version)
    return render_template(
        "people/change_episode.html",
        form=form,
        title=title,
        episode=episode,
        person=episode.person,
        stale=status == 409,
    ), status
